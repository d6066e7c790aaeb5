#!/usr/bin/env python3
"""A fake research-agent server + OpenAI-compatible chat endpoint for tests.

Pure standard library. Start it on 127.0.0.1 with a free port:

    python3 tests/support/fake_server.py --log requests.jsonl [--port 0] [--run-dir DIR]

The first line on stdout is the port it listens on ("PORT 43125"). Every
request (control requests excepted) is appended to the log as one JSON line:

    {"ts": 1700000000.1, "method": "POST", "path": "/runs/r1/status",
     "headers": {"x-auth-token": "...", "content-type": "application/json"},
     "body": {...} | null, "raw": "<body text when it is not JSON>", "answered": 200}

Endpoints:
  POST /runs/{id}/status           -> 200 {"ok": true}
  POST /runs/{id}/alerts           -> 200 {"alert_id": "<prefix><n>"}   (or the queued ids)
  GET  /runs                       -> 200 [the runs seen, with their latest status fields]
  POST /api/v2/alerts              -> 200 {} (an Alertmanager stand-in; the body must be an array)
  POST /v1/chat/completions        -> 200 {"choices":[{"message":{"role":"assistant","content": <reply>}}]}
Control (not logged):
  POST /_control  {"mode": "ok"|"fail"|"slow"|"down", "fail_status": 500, "delay_s": 1.0,
                   "chat_reply": "...", "alert_ids": ["id1", ...], "alert_id_prefix": "srv-",
                   "require_token": "secret"}
     fail: answer every request with fail_status; slow: log on arrival (answered: null,
     delayed_s), sleep delay_s, then answer normally;
     down: close the connection without answering (like a crashed server).
     require_token: answer 401 unless X-Auth-Token matches.
  POST /_control/respond {"run_dir": "...", "alert_id": "...", "choice": "Stop Job", "partial": false}
     writes <run_dir>/alerts/<alert_id>.response as the research-agent does
     (partial: first half now, the rest 0.2 s later, like a non-atomic writer).
  POST /_control/shutdown          -> stops the server.

Other tests (CLI, Python) reuse this server: start it, read the port, drive it
with /_control, read the log.
"""
import argparse
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self, log_path, run_dir):
        self.lock = threading.Lock()
        self.log_path = log_path
        self.run_dir = run_dir
        self.mode = "ok"
        self.fail_status = 500
        self.delay_s = 1.0
        self.chat_reply = '{"action": "ignore", "reason": "looks fine"}'
        self.alert_ids = []
        self.alert_id_prefix = "srv-"
        self.alert_count = 0
        self.require_token = None
        self.runs = {}

    def log(self, record):
        with self.lock:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
                f.flush()


def write_response(run_dir, alert_id, choice, partial):
    d = os.path.join(run_dir, "alerts")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, alert_id + ".response")
    text = choice + "\n"
    if not partial:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return
    half = max(1, len(choice) // 2)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text[:half])

    def finish():
        time.sleep(0.2)
        with open(path, "a", encoding="utf-8") as f:
            f.write(text[half:])

    threading.Thread(target=finish, daemon=True).start()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-research-agent/1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _control(self, body):
        st = self.server.state
        if self.path == "/_control/shutdown":
            self._send(200, {"ok": True})
            threading.Thread(target=self.server.shutdown, daemon=True).start()
            return
        if self.path == "/_control/respond":
            write_response(body.get("run_dir") or st.run_dir, body["alert_id"], body["choice"],
                           bool(body.get("partial")))
            self._send(200, {"ok": True})
            return
        with st.lock:
            for k in ("mode", "fail_status", "delay_s", "chat_reply", "alert_id_prefix", "require_token"):
                if k in body:
                    setattr(st, k, body[k])
            if "alert_ids" in body:
                st.alert_ids = list(body["alert_ids"])
        self._send(200, {"ok": True})

    def _handle(self, method):
        st = self.server.state
        raw = self._read_body()
        text = raw.decode("utf-8", "replace")
        try:
            body = json.loads(text) if text else None
            parsed = True
        except ValueError:
            body, parsed = None, False
        if self.path.startswith("/_control"):
            self._control(body or {})
            return
        with st.lock:
            mode, fail_status, delay = st.mode, st.fail_status, st.delay_s
            require = st.require_token
        record = {
            "ts": time.time(),
            "method": method,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()
                        if k.lower() in ("x-auth-token", "content-type", "authorization", "user-agent")},
            "body": body,
        }
        if not parsed:
            record["raw"] = text
        if mode == "down":
            record["answered"] = None
            st.log(record)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if mode == "slow":
            # Logged on arrival (a client may give up before the answer).
            record["answered"] = None
            record["delayed_s"] = float(delay)
            st.log(record)
            time.sleep(float(delay))
            code, reply = self._route(method, body, parsed)
            self._send(code, reply)
            return
        if mode == "fail":
            record["answered"] = fail_status
            st.log(record)
            self._send(int(fail_status), {"error": "injected failure"})
            return
        if require is not None and self.headers.get("X-Auth-Token") != require:
            record["answered"] = 401
            st.log(record)
            self._send(401, {"error": "bad token"})
            return
        code, reply = self._route(method, body, parsed)
        record["answered"] = code
        st.log(record)
        self._send(code, reply)

    def _route(self, method, body, parsed):
        st = self.server.state
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        if method == "GET" and parts == ["runs"]:
            with st.lock:
                return 200, list(st.runs.values())
        if method == "POST" and parts == ["v1", "chat", "completions"]:
            with st.lock:
                reply = st.chat_reply
            return 200, {"id": "chatcmpl-fake", "object": "chat.completion",
                         "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                                      "finish_reason": "stop"}]}
        if method == "POST" and parts == ["api", "v2", "alerts"]:
            if not isinstance(body, list):
                return 400, {"error": "body is not a JSON array"}
            return 200, {}
        if method == "POST" and len(parts) == 3 and parts[0] == "runs":
            if not parsed or not isinstance(body, dict):
                return 400, {"error": "body is not a JSON object"}
            run_id = parts[1]
            if parts[2] == "status":
                if not isinstance(body.get("status"), str):
                    return 400, {"error": "status missing"}
                if "exit_code" in body and body["exit_code"] is not None and not isinstance(body["exit_code"], int):
                    return 400, {"error": "exit_code must be an integer"}
                with st.lock:
                    run = st.runs.setdefault(run_id, {"id": run_id, "name": run_id, "alerts": []})
                    run.update(body)
                return 200, {"ok": True}
            if parts[2] == "alerts":
                for k in ("message", "choices", "severity"):
                    if k not in body:
                        return 400, {"error": k + " missing"}
                with st.lock:
                    st.alert_count += 1
                    alert_id = st.alert_ids.pop(0) if st.alert_ids else st.alert_id_prefix + str(st.alert_count)
                    run = st.runs.setdefault(run_id, {"id": run_id, "name": run_id, "alerts": []})
                    run["alerts"].append(dict(body, id=alert_id, status="pending"))
                return 200, {"alert_id": alert_id}
        return 404, {"error": "no such endpoint"}

    def do_POST(self):
        self._handle("POST")

    def do_GET(self):
        self._handle("GET")

    def do_PUT(self):
        self._handle("PUT")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log", required=True, help="append every request here as JSON lines")
    ap.add_argument("--run-dir", default=".", help="default run directory for /_control/respond")
    ap.add_argument("--mode", default="ok", choices=["ok", "fail", "slow", "down"])
    args = ap.parse_args()
    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.state = State(args.log, args.run_dir)
    server.state.mode = args.mode
    print("PORT", server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
