"""Python Monitor.observe() cost per call, next to a pure-Python loop doing
the seed's per-row work (rolling windows + the seed's rules), on the same
5-key rows. Prints one table; CPU time (process_time), best of REPEATS.

    PYTHONPATH=build/<dir>/python /usr/bin/python3 bench/python_observe.py [CALLS] [SEED_ROWS]
"""
import collections
import math
import os
import sys
import time

import sidecar

CALLS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
SEED_ROWS = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
REPEATS = int(os.environ.get("REPEATS", "3"))

# One realistic row: what a training loop logs every step.
KEYS = ("loss", "grad_norm", "learning_rate", "tokens_per_second", "epoch")


def rows(n):
    out = []
    for i in range(n):
        out.append({
            "loss": 1.0 + 0.01 * math.sin(i),  # stationary, so repeating the rows stays quiet
            "grad_norm": 1.0 + 0.1 * math.cos(i),
            "learning_rate": 3e-4,
            "tokens_per_second": 12000.0 + (i % 7),
            "epoch": i / 10000,
        })
    return out


# ----------------------------------------------------------------------------
# The seed's per-row work, in pure Python (SPEC §2 reference rules): role
# aliases looked up in every row, a window of recent rows re-scanned for each
# role's series, hard rules (NaN/Inf, high loss, spike vs mean of previous),
# profile inference by hint substrings, supervised and RL rules on >= 6
# points, a throughput baseline check, highest-severity selection and a
# signature dedupe with TTL.
ALIASES = {
    "loss": ["loss", "train/loss", "train_loss", "training_loss"],
    "val_accuracy": ["val/accuracy", "val_accuracy", "validation/accuracy", "validation_accuracy", "eval/accuracy",
                     "eval_accuracy", "accuracy/val"],
    "val_loss": ["val/loss", "val_loss", "validation/loss", "validation_loss", "eval/loss", "eval_loss"],
    "reward": ["reward", "train/reward", "episode_reward", "episode/reward", "rollout/ep_rew_mean", "eval/reward",
               "mean_reward", "objective/rlhf_reward"],
    "success_rate": ["success_rate", "train/success_rate", "eval/success_rate", "success", "win_rate"],
    "throughput": ["throughput", "samples_per_second", "tokens_per_second", "steps_per_second",
                   "train/samples_per_second", "train/tokens_per_second", "samples/s", "tokens/s"],
    "kl": ["kl", "train/kl", "policy/kl", "approx_kl", "kl_divergence", "objective/kl"],
}
RL_HINTS = ["ppo", "rlhf", "grpo", "dpo", "episode", "actor", "critic", "policy", "reward", "env.step"]
SUP_HINTS = ["validation", "val/", "eval/", "cross_entropy", "accuracy", "train/loss"]
SEV = {"info": 0, "warning": 1, "critical": 2}


class SeedMonitor:
    def __init__(self, command="python train.py", window=50, baseline_throughput=None):
        self.command = command
        self.rows = collections.deque(maxlen=window)
        self.surfaced = {}
        self.baseline_throughput = baseline_throughput

    def series(self, role):
        for key in ALIASES[role]:
            vals = [float(r[key]) for r in self.rows if key in r]
            if vals:
                return vals
        return []

    def profile(self):
        text = (self.command + " " + " ".join(k for r in self.rows for k in r)).lower()
        if any(h in text for h in RL_HINTS):
            return "reinforcement_learning"
        if any(h in text for h in SUP_HINTS):
            return "supervised"
        return "generic"

    def observe(self, row, step, now):
        self.rows.append(row)
        found = []
        loss = self.series("loss")
        if loss:
            cur = loss[-1]
            if math.isnan(cur) or math.isinf(cur):
                found.append(("critical", "nan_loss", f"loss is {cur} at step {step}"))
            elif cur >= 8.0:
                found.append(("warning", "high_loss", f"loss {cur:.4f} >= 8.0"))
            elif len(loss) >= 4:
                prev = sum(loss[:-1]) / (len(loss) - 1)
                if prev > 0 and cur >= 3.0 * prev:
                    found.append(("warning", "loss_spike", f"loss {cur:.4f} >= 3x mean {prev:.4f}"))
        profile = self.profile()
        if profile == "supervised":
            acc = self.series("val_accuracy")
            if len(acc) >= 6:
                best = max(acc)
                if best - acc[-1] >= 0.08 and sum(acc[-3:]) / 3 <= 0.9 * best:
                    found.append(("warning", "validation_drop", "val acc dropped"))
            vl = self.series("val_loss")
            if len(vl) >= 6:
                best = min(vl)
                if vl[-1] >= 1.5 * best and sum(vl[-3:]) / 3 >= 1.4 * best:
                    found.append(("warning", "val_loss_regression", "val loss regressed"))
        elif profile == "reinforcement_learning":
            rew = self.series("reward")
            if len(rew) >= 6:
                prev5 = sum(rew[-6:-1]) / 5
                if rew[-1] <= 0.5 * prev5:
                    found.append(("warning", "reward_drop", "reward dropped"))
                succ = self.series("success_rate")
                if len(succ) >= 6 and rew[-1] >= 1.5 * prev5 and succ[-1] <= 0.7 * sum(succ[-6:-1]) / 5:
                    found.append(("critical", "reward_hacking_suspected", "reward up, success down"))
            kl = self.series("kl")
            if len(kl) >= 6 and kl[-1] >= 2.5 * max(kl[-6:-1]) and kl[-1] > 0.15:
                found.append(("warning", "kl_explosion", "kl exploded"))
        tp = self.series("throughput")
        if tp and self.baseline_throughput and tp[-1] <= 0.6 * self.baseline_throughput:
            found.append(("warning", "throughput_regression", "throughput regressed"))
        if not found:
            return None
        found.sort(key=lambda d: -SEV[d[0]])
        sev, syndrome, message = found[0]
        sig = f"rulebased:{syndrome}"
        if now - self.surfaced.get(sig, -1e18) < 180.0:
            return None
        self.surfaced[sig] = now
        return {"severity": sev, "syndrome": syndrome, "message": message, "step": step}


# ----------------------------------------------------------------------------
WALL = {}


def best_of(fn):
    """Best CPU seconds of REPEATS runs (the wall seconds of that run go to WALL[fn])."""
    best = float("inf")
    for _ in range(REPEATS):
        w0, t0 = time.perf_counter(), time.process_time()
        fn()
        cpu, wall = time.process_time() - t0, time.perf_counter() - w0
        if cpu < best:
            best, WALL[fn.__qualname__] = cpu, wall
    return best


def bench_observe(data):
    mon = sidecar.Monitor(command="python train.py", history=False)
    observe = mon.observe
    n = len(data)

    def run():
        for i in range(CALLS):
            observe(data[i % n], i)

    secs = best_of(run)
    stats = mon.stats()
    mon.finish()
    assert stats["alerts"] == 0, f"the benchmark rows must be quiet: {mon.syndrome_counts()}"
    return secs


def bench_observe_fresh_dict(data):
    mon = sidecar.Monitor(command="python train.py", history=False)
    observe = mon.observe
    n = len(data)
    src = [tuple(r.values()) for r in data]

    def run():
        for i in range(CALLS):
            a, b, c, d, e = src[i % n]
            observe({"loss": a, "grad_norm": b, "learning_rate": c, "tokens_per_second": d, "epoch": e}, i)

    secs = best_of(run)
    mon.finish()
    return secs


def bench_empty_loop(data):
    n = len(data)

    def run():
        for i in range(CALLS):
            data[i % n]

    return best_of(run)


def bench_seed(data):
    n = len(data)

    def run():
        mon = SeedMonitor()
        t = 0.0
        for i in range(SEED_ROWS):
            t += 2.0
            mon.observe(data[i % n], i, t)

    return best_of(run)


def main():
    data = rows(10_000)
    loop = bench_empty_loop(data)
    loop_wall = WALL.pop("bench_empty_loop.<locals>.run")
    obs = bench_observe(data)
    obs_wall = WALL.pop("bench_observe.<locals>.run")
    fresh = bench_observe_fresh_dict(data)
    fresh_wall = WALL.pop("bench_observe_fresh_dict.<locals>.run")
    seed = bench_seed(data)
    seed_wall = WALL.pop("bench_seed.<locals>.run")
    us = lambda secs, n: secs / n * 1e6
    table = [
        ("sidecar Monitor.observe(5-key dict)", CALLS, us(obs, CALLS), us(obs_wall, CALLS)),
        ("  same, minus the bare Python loop", CALLS, us(obs - loop, CALLS), us(obs_wall - loop_wall, CALLS)),
        ("sidecar Monitor.observe({...5 keys built per call})", CALLS, us(fresh, CALLS), us(fresh_wall, CALLS)),
        ("pure-Python seed per-row work (windows + rules)", SEED_ROWS, us(seed, SEED_ROWS), us(seed_wall, SEED_ROWS)),
    ]
    print(f"Python {sys.version.split()[0]}, sidecar {sidecar.__version__}; best of {REPEATS}; goal: observe <= 3 us/call")
    print(f"{'':54} {'calls':>10} {'us/call':>9} {'wall us':>9} {'vs seed':>8}")
    seed_us = table[-1][2]
    for name, n, u, w in table:
        print(f"{name:54} {n:>10} {u:>9.3f} {w:>9.3f} {seed_us / u if u > 0 else float('nan'):>7.1f}x")
    print("us/call: CPU time (process_time) per call; wall us: elapsed time of the same run")


if __name__ == "__main__":
    main()
