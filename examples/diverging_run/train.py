#!/usr/bin/env python3
"""A toy training run that goes wrong, for `bash scripts/demo.sh`.

Pure Python (standard library only). It fits a tiny linear model with
plain SGD and a learning rate that is far too high, so the loss grows
geometrically, overflows to inf and then NaN. It writes one JSON row per
step to $SIDECAR_METRICS_FILE (or ./metrics.jsonl), logs Hugging Face-style
lines to stdout, and finally crashes with a traceback, the way real runs
do when the numbers stop making sense. Takes about 10 s.

Options: --steps N (default 80), --lr LR (peak, default 0.5), --warmup N (default 20), --delay S per step
(default 0.12), --healthy (a sane learning rate: no divergence, no crash).
"""
import argparse
import json
import math
import os
import random
import sys
import time


def make_data(n, rng):
    xs = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(n)]
    true_w = [1.5, -2.0, 0.5, 3.0]
    ys = [sum(w * x for w, x in zip(true_w, row)) + rng.gauss(0, 0.1) for row in xs]
    return xs, ys


def train(args):
    rng = random.Random(0)
    xs, ys = make_data(256, rng)
    w = [0.0] * 4
    metrics_path = os.environ.get("SIDECAR_METRICS_FILE", "metrics.jsonl")
    print(f"***** Running training *****\n  Num examples = {len(xs)}\n  Num steps = {args.steps}\n"
          f"  Learning rate = {args.lr}", flush=True)
    t_start = time.time()
    with open(metrics_path, "a", buffering=1) as metrics:
        for step in range(1, args.steps + 1):
            t0 = time.time()
            batch = rng.sample(range(len(xs)), 32)
            grad = [0.0] * 4
            loss = 0.0
            for i in batch:
                try:
                    err = sum(wi * xi for wi, xi in zip(w, xs[i])) - ys[i]
                    loss += err * err / len(batch)
                except OverflowError:
                    err, loss = float("inf"), float("inf")
                for k in range(4):
                    g = 2 * err * xs[i][k] / len(batch)
                    grad[k] += g
            lr = learning_rate(args, step)
            # Past the warm-up the step is far too large: every update overshoots
            # and the loss grows faster and faster until it overflows.
            w = [wi - lr * gi for wi, gi in zip(w, grad)]
            w = [wi if math.isfinite(wi) else float("nan") for wi in w]
            gnorm = math.sqrt(sum(g * g for g in grad)) if all(math.isfinite(g) for g in grad) else float("nan")
            time.sleep(args.delay)
            sps = len(batch) / max(time.time() - t0, 1e-6)
            # json.dumps writes NaN/Infinity tokens, as real training code does.
            metrics.write(json.dumps({"step": step, "loss": loss, "grad_norm": gnorm, "learning_rate": lr,
                                      "samples_per_second": round(sps, 2), "timestamp": time.time()}) + "\n")
            if step % 10 == 0:
                metrics.write(json.dumps({"step": step, "eval/loss": evaluate(w, xs[:64], ys[:64])}) + "\n")
            if step % 5 == 0 or not math.isfinite(loss):
                print(f"{{'loss': {loss!r}, 'grad_norm': {gnorm!r}, 'learning_rate': {lr:.4g}, "
                      f"'epoch': {step / 8:.2f}}}", flush=True)
            if math.isnan(loss):
                print(f"Step {step}: loss is nan", file=sys.stderr, flush=True)
                # Real runs limp on for a while after the loss went NaN ...
                for extra in range(3):
                    time.sleep(args.delay)
                    metrics.write(json.dumps({"step": step + extra + 1, "loss": float("nan"),
                                              "grad_norm": float("nan"), "learning_rate": lr}) + "\n")
                # ... and then something downstream gives up.
                check_finite(w)
    runtime = time.time() - t_start
    print(f"{{'train_runtime': {runtime:.1f}, 'train_loss': {loss!r}}}", flush=True)


def learning_rate(args, step):
    """Linear warm-up to args.lr, then a schedule whose decay has the wrong sign."""
    if args.healthy:
        return args.lr
    if step <= args.warmup:
        return args.lr * step / args.warmup
    return args.lr * 2.0 ** (step - args.warmup)


def evaluate(w, xs, ys):
    try:
        return sum((sum(wi * xi for wi, xi in zip(w, x)) - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
    except OverflowError:
        return float("inf")


def check_finite(weights):
    if any(math.isnan(x) for x in weights):
        raise RuntimeError("parameters became NaN: the optimizer diverged (learning rate too high?)")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=80)
    p.add_argument("--lr", type=float, default=0.5)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--delay", type=float, default=0.12)
    p.add_argument("--healthy", action="store_true")
    args = p.parse_args()
    if args.healthy:
        args.lr = 0.3
    train(args)


if __name__ == "__main__":
    main()
