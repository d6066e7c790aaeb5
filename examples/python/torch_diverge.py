"""A small MLP trained on CPU, watched in process by sidecar.

    python examples/python/torch_diverge.py --lr 0.05   # trains quietly
    python examples/python/torch_diverge.py --lr 3.0    # diverges: sidecar flags the step

Synthetic regression data (a fixed random linear teacher plus noise), plain
SGD, one sidecar.Monitor.observe() call per step. With a learning rate that
is too large the loss first falls during the warm-up, then blows up as the rate
climbs; the monitor raises the spike / NaN alert at that step, and the loop
stops on a critical alert.
`--json` prints a machine-readable summary (used by the tests).
"""
import argparse
import json
import math
import sys

import torch

import sidecar


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--warmup", type=int, default=100, help="steps of linear learning-rate warm-up")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print a JSON summary instead of text")
    args = p.parse_args(argv)

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    x = torch.randn(512, 32)
    teacher = torch.randn(32, 1) / 32**0.5
    y = x @ teacher + 0.1 * torch.randn(512, 1)
    model = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.Tanh(), torch.nn.Linear(64, 1))
    opt = torch.optim.SGD(model.parameters(), lr=args.lr)
    warmup = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / max(1, args.warmup)))

    losses, alerts = [], []
    # history=False: this demo keeps no cross-run memory (.sidecar/history.jsonl).
    with sidecar.Monitor(command=" ".join([sys.executable] + sys.argv), history=False) as mon:
        for step in range(args.steps):
            idx = torch.randint(0, x.shape[0], (64,))
            loss = torch.nn.functional.mse_loss(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), float("inf"))
            opt.step()
            lr = warmup.get_last_lr()[0]
            warmup.step()
            losses.append(loss.item())
            # 0-d tensors go in as they are (read through __float__).
            new = mon.observe({"loss": loss.detach(), "grad_norm": grad_norm, "lr": lr}, step=step)
            for a in new:
                alerts.append(a)
                if not args.json:
                    print(f"step {step}: {a!r}")
            if any(a.severity == "critical" for a in new) or mon.stop_requested:
                break
        note = mon.snapshot()["monitor_note"]

    first_bad = next((i for i, v in enumerate(losses) if not math.isfinite(v)), None)
    if args.json:
        print(json.dumps({
            "lr": args.lr,
            "steps_run": len(losses),
            "losses": [v if math.isfinite(v) else str(v) for v in losses],
            "first_nonfinite_step": first_bad,
            "alerts": [{"step": a.step, "syndrome": a.syndrome, "severity": a.severity, "source": a.source,
                        "message": a.message} for a in alerts],
            "monitor_note": note,
        }))
    else:
        print(f"lr={args.lr}: {len(losses)} steps, final loss {losses[-1]:.4g}, {len(alerts)} alert(s); {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
