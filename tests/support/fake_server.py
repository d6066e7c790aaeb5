#!/usr/bin/env python3
"""A fake research-agent server + OpenAI-compatible chat endpoint for tests.

Pure standard library. Start it on 127.0.0.1 with a free port:

    python3 tests/support/fake_server.py --log requests.jsonl [--port 0] [--run-dir DIR]

The first line on stdout is the port it listens on ("PORT 43125"). Every
request (control requests excepted) is appended to the log as one JSON line:

    {"ts": 1700000000.1, "method": "POST", "path": "/runs/r1/status",
     "headers": {"x-auth-token": "...", "content-type": "application/json"},
     "body": {...} | null, "raw": "<body text when it is not JSON>",
     "kept": {the fields the shipped server's model keeps}, "answered": 200}

The research-agent routes behave as the shipped server's do
(../shared/research-agent/server/runs/routes.py and core/models.py;
tests/python/test_server_interop.py checks the field sets below against those
models and the answers against the real server):
  POST /runs/{id}/status     RunStatusUpdate: keeps status, exit_code, error, tmux_pane,
                             wandb_dir; creates an unknown run; "finished" with a non-zero
                             exit_code becomes "failed" -> 200 {"message": "Status updated"}
  POST /runs/{id}/alerts     CreateAlertRequest: keeps message, choices, severity (normalised
                             to info|warning|critical); 404 for a run it does not know, 400
                             without choices -> 200 {"alert_id": …}
  GET  /alerts               the AlertRecords, newest first (status pending|resolved, response)
  POST /alerts/{id}/respond  {"choice"} -> resolves the alert, writes the response file into
                             <run-dir>/runs/<run id>/alerts/<id>.response (the server's own
                             run directory), 400 for a choice not offered
  POST /runs/{id}/metrics    {"rows": [...]} (non-empty; 404 for an unknown run) -> {"appended": n}
  GET  /runs/{id}/metrics    {"metricSeries": {key: [{"step", "value"}]}, "metricKeys": [...]}
  POST /runs                 RunCreate -> the run ({"id": …})
  GET  /runs, GET /runs/{id} the runs it knows
Missing required fields answer 422 (FastAPI's validation error). Deliberate
differences: alert ids are "<prefix><n>" (default "srv-1", "srv-2", …, or the
queued ids) instead of uuid hex, so tests can name them; auth is switched on
at run time with require_token.
Other endpoints:
  POST /api/v2/alerts              -> 200 {} (an Alertmanager stand-in; the body must be an array)
  POST /v1/chat/completions        -> 200 {"choices":[{"message":{"role":"assistant","content": <reply>}}]}
Control (not logged):
  POST /_control  {"mode": "ok"|"fail"|"slow"|"down", "fail_status": 500, "delay_s": 1.0,
                   "chat_reply": "...", "alert_ids": ["id1", ...], "alert_id_prefix": "srv-",
                   "require_token": "secret", "forget": true}
     fail: answer every request with fail_status; slow: log on arrival (answered: null,
     delayed_s), sleep delay_s, then answer normally;
     down: close the connection without answering (like a crashed server).
     require_token: answer 401 unless X-Auth-Token matches.
     forget: drop every run and alert, as the shipped server does after a restart.
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
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The fields of the shipped server's models (core/models.py), checked by
# tests/python/test_server_interop.py.
STATUS_FIELDS = ("status", "exit_code", "error", "tmux_pane", "wandb_dir")  # RunStatusUpdate
STATUS_REQUIRED = ("status",)
ALERT_FIELDS = ("message", "choices", "severity")  # CreateAlertRequest
ALERT_REQUIRED = ("message", "choices")
ALERT_RECORD_FIELDS = ("id", "run_id", "timestamp", "severity", "message", "choices", "status", "response",
                       "responded_at", "session_id", "auto_session")  # AlertRecord
RESPOND_FIELDS = ("choice",)  # RespondAlertRequest
RUN_STATUS_TERMINAL = ("finished", "failed", "stopped")
UNAUTHORIZED = {"detail": "Unauthorized - invalid or missing X-Auth-Token"}


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
        self.alerts = {}  # id -> AlertRecord dict
        self.metrics = {}  # run id -> [rows]

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
            if body.get("forget"):
                st.runs.clear()
                st.alerts.clear()
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
        protected = self.path.startswith("/runs") or self.path.startswith("/alerts")
        if require is not None and protected and self.headers.get("X-Auth-Token") != require:
            record["answered"] = 401
            st.log(record)
            self._send(401, UNAUTHORIZED)
            return
        code, reply = self._route(method, body, parsed)
        kept = getattr(self, "_kept", None)
        if kept is not None:
            record["kept"] = kept
            self._kept = None
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
        if parts and parts[0] in ("runs", "alerts"):
            return self._research_agent(method, parts, body, parsed)
        return 404, {"error": "no such endpoint"}

    # -- the research-agent routes, as shipped -------------------------------------------------

    @staticmethod
    def _missing(body, required):
        return [{"loc": ["body", k], "msg": "field required", "type": "value_error.missing"}
                for k in required if k not in body]

    @staticmethod
    def _int_or_none(v):
        """pydantic's Optional[int]: ints, integral floats, numeric strings; else invalid."""
        if v is None or (isinstance(v, int) and not isinstance(v, bool)):
            return True, v
        if isinstance(v, bool):
            return True, int(v)
        if isinstance(v, float) and v.is_integer():
            return True, int(v)
        if isinstance(v, str):
            try:
                return True, int(v.strip())
            except ValueError:
                pass
        return False, None

    def _research_agent(self, method, parts, body, parsed):
        st = self.server.state
        if method == "POST" and parts == ["runs"]:
            if not isinstance(body, dict) or self._missing(body, ("name", "command")):
                return 422, {"detail": self._missing(body if isinstance(body, dict) else {}, ("name", "command"))}
            run_id = uuid.uuid4().hex[:12]
            with st.lock:
                st.runs[run_id] = {"id": run_id, "name": body["name"], "command": body["command"], "status": "ready",
                                   "created_at": time.time(), "run_dir": None, "exit_code": None, "error": None,
                                   "wandb_dir": None, "alerts": []}
                return 200, dict(st.runs[run_id])
        if method == "GET" and parts == ["runs"]:
            with st.lock:
                return 200, list(st.runs.values())
        if method == "GET" and parts == ["alerts"]:
            with st.lock:
                return 200, sorted((dict(a) for a in st.alerts.values()), key=lambda a: -a["timestamp"])
        if len(parts) == 3 and parts[0] == "alerts" and parts[2] == "respond" and method == "POST":
            if not isinstance(body, dict) or self._missing(body, RESPOND_FIELDS):
                return 422, {"detail": self._missing(body if isinstance(body, dict) else {}, RESPOND_FIELDS)}
            with st.lock:
                alert = st.alerts.get(parts[1])
                if alert is None:
                    return 404, {"detail": "Alert not found"}
                if body["choice"] not in alert["choices"]:
                    return 400, {"detail": "Invalid choice"}
                alert.update(status="resolved", response=body["choice"], responded_at=time.time())
                run = st.runs.get(alert["run_id"])
            if run is None:
                return 200, {"message": "Response recorded, run not found"}
            run_dir = run.get("run_dir") or os.path.join(st.run_dir, "runs", alert["run_id"])
            os.makedirs(os.path.join(run_dir, "alerts"), exist_ok=True)
            with open(os.path.join(run_dir, "alerts", parts[1] + ".response"), "w") as f:
                f.write(body["choice"])
            return 200, {"message": "Response recorded"}
        if parts[0] != "runs" or len(parts) < 2:
            return 404, {"detail": "Not Found"}
        run_id = parts[1]
        if method == "GET" and len(parts) == 2:
            with st.lock:
                run = st.runs.get(run_id)
                return (200, dict(run)) if run else (404, {"detail": "Run not found"})
        if len(parts) != 3:
            return 404, {"detail": "Not Found"}
        if method == "GET" and parts[2] == "metrics":
            with st.lock:
                if run_id not in st.runs:
                    return 404, {"detail": "Run not found"}
                rows = list(st.metrics.get(run_id, []))
            series = {}
            for i, row in enumerate(rows, 1):
                step = row.get("step", i)
                for k, v in row.items():
                    if k in ("step", "_step", "global_step") or k.startswith("_"):
                        continue
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        series.setdefault(k, []).append({"step": step, "value": v})
            return 200, ({"metricSeries": series, "metricKeys": sorted(series)} if series else {})
        if method != "POST":
            return 405, {"detail": "Method Not Allowed"}
        if not parsed or not isinstance(body, dict):
            return 422, {"detail": [{"loc": ["body"], "msg": "value is not a valid dict", "type": "type_error.dict"}]}
        if parts[2] == "status":
            missing = self._missing(body, STATUS_REQUIRED)
            ok, exit_code = self._int_or_none(body.get("exit_code"))
            if missing or not isinstance(body.get("status"), str) or not ok:
                return 422, {"detail": missing or [{"loc": ["body", "status/exit_code"], "msg": "invalid"}]}
            kept = {k: body[k] for k in STATUS_FIELDS if k in body}
            self._kept = kept
            with st.lock:
                run = st.runs.setdefault(run_id, {"id": run_id, "created_at": time.time(), "alerts": []})
                status = body["status"].strip().lower()
                if exit_code is not None:
                    run["exit_code"] = exit_code
                for k in ("error", "tmux_pane", "wandb_dir"):
                    if body.get(k):
                        run[k] = body[k]
                if status == "finished" and run.get("exit_code") not in (None, 0):
                    status = "failed"
                    run.setdefault("error", f"Process exited with code {run['exit_code']}")
                run["status"] = status
            return 200, {"message": "Status updated"}
        if parts[2] == "alerts":
            missing = self._missing(body, ALERT_REQUIRED)
            if missing:
                return 422, {"detail": missing}
            self._kept = {k: body[k] for k in ALERT_FIELDS if k in body}
            with st.lock:
                if run_id not in st.runs:
                    return 404, {"detail": "Run not found"}
                if not body["choices"]:
                    return 400, {"detail": "At least one choice is required"}
                severity = str(body.get("severity") or "warning").strip().lower()
                if severity not in ("info", "warning", "critical"):
                    severity = "warning"
                st.alert_count += 1
                alert_id = st.alert_ids.pop(0) if st.alert_ids else st.alert_id_prefix + str(st.alert_count)
                record = {"id": str(alert_id), "run_id": run_id, "timestamp": time.time(), "severity": severity,
                          "message": body["message"], "choices": list(body["choices"]), "status": "pending",
                          "response": None, "responded_at": None, "session_id": None, "auto_session": False}
                st.alerts[str(alert_id)] = record
                st.runs[run_id]["alerts"].append(dict(body, id=alert_id, status="pending"))
            return 200, {"alert_id": alert_id}
        if parts[2] == "metrics":
            with st.lock:
                if run_id not in st.runs:
                    return 404, {"detail": "Run not found"}
                rows = body.get("rows", [])
                if not isinstance(rows, list) or not rows:
                    return 400, {"detail": "'rows' must be a non-empty array"}
                st.metrics.setdefault(run_id, []).extend(r for r in rows if isinstance(r, dict))
            return 200, {"appended": len(rows)}
        return 404, {"detail": "Not Found"}

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
