"""A real PyTorch learner: a two-layer MLP on a synthetic two-class problem,
logging JSON lines to $SIDECAR_METRICS_FILE (step, loss; val_loss and
val_accuracy every 10 steps). The failure is chosen on the command line:

  healthy         Adam, lr 1e-2: converges, nothing to say
  high_lr         SGD whose learning rate grows 15 % a step: diverges
  corrupt_labels  training labels shuffled from step 150: the clean
                  validation accuracy collapses

Each run writes the step its failure begins as {"event": ..., "step": k} to
$LEARNER_TRUTH so the test can hold the alert to it.
"""
import json
import os
import sys

import torch

mode = sys.argv[1]
torch.manual_seed(0)
n, d = 2048, 16
w_true = torch.randn(d)
x = torch.randn(n, d)
y = (x @ w_true > 0).long()
xv = torch.randn(512, d)
yv = (xv @ w_true > 0).long()

model = torch.nn.Sequential(torch.nn.Linear(d, 64), torch.nn.ReLU(), torch.nn.Linear(64, 2))
if mode == "high_lr":
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
else:
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
out = open(os.environ["SIDECAR_METRICS_FILE"], "w")
truth = open(os.environ.get("LEARNER_TRUTH", os.devnull), "w")
steps = 300
corrupt_at = 150
first_loss, lowest, diverging_reported = None, float("inf"), False
for step in range(steps):
    if mode == "high_lr":
        for g in opt.param_groups:
            g["lr"] *= 1.15
    if mode == "corrupt_labels" and step == corrupt_at:
        y = y[torch.randperm(n)]
        truth.write(json.dumps({"event": "labels_corrupted", "step": step}) + "\n")
        truth.flush()
    idx = torch.randint(0, n, (128,))
    loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    first_loss = loss.item() if first_loss is None else first_loss
    lowest = min(lowest, loss.item())
    # Diverging: having learned (under half its first loss), back above it.
    if mode == "high_lr" and not diverging_reported and lowest < first_loss / 2 and not loss.item() <= first_loss:
        truth.write(json.dumps({"event": "loss_back_above_its_start", "step": step}) + "\n")
        truth.flush()
        diverging_reported = True
    row = {"step": step, "loss": loss.item(), "lr": opt.param_groups[0]["lr"]}
    if step % 10 == 0:
        with torch.no_grad():
            logits = model(xv)
            row["val_loss"] = torch.nn.functional.cross_entropy(logits, yv).item()
            row["val_accuracy"] = (logits.argmax(1) == yv).float().mean().item()
    out.write(json.dumps(row) + "\n")
    out.flush()
