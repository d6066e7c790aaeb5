"""A real numpy RL learner: a softmax policy over 8 answers plus a Gaussian
"verbosity" knob, trained with policy-gradient updates on a bandit, logging
JSON lines to $SIDECAR_METRICS_FILE (step, reward, success_rate, approx_kl,
entropy, policy_loss). The failure is chosen on the command line:

  healthy          the reward is the task's success: the policy learns it
  reward_hacking   the grader also pays for verbosity, which makes answers
                   wrong: the reward doubles while the success rate falls to
                   a tenth (the shape of MakazhanAlpamys/Soup#286)
  corrupt_update   one update (step 120) is corrupted and pushes the policy
                   onto a wrong answer: KL blow-up, the reward collapses

Each run writes the step its failure begins to $LEARNER_TRUTH.
"""
import json
import os
import sys

import numpy as np

mode = sys.argv[1]
rng = np.random.default_rng(0)
n_actions, batch, steps, lr = 8, 256, 300, 0.5
correct = 3
bonus = 2.0 if mode == "reward_hacking" else 0.0  # what the grader pays per unit of verbosity
logits = np.zeros(n_actions)
mu, sigma, lr_mu = 0.0, 0.1, 0.004  # verbosity policy
out = open(os.environ["SIDECAR_METRICS_FILE"], "w")
truth = open(os.environ.get("LEARNER_TRUTH", os.devnull), "w")
best_success, hacking_reported = 0.0, False


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


for step in range(steps):
    p = softmax(logits)
    acts = rng.choice(n_actions, size=batch, p=p)
    v = np.clip(rng.normal(mu, sigma, batch), 0.0, 1.0)
    solved = (acts == correct) & (rng.random(batch) < 0.9 * (1.0 - v))
    reward = solved + bonus * v
    adv = reward - reward.mean()
    grad = -np.outer(adv, p).sum(0)
    np.add.at(grad, acts, adv)
    grad /= batch
    new_logits = logits + lr * grad
    if mode == "corrupt_update" and step == 120:
        new_logits[0] += 15.0
        truth.write(json.dumps({"event": "corrupted_update", "step": step}) + "\n")
    new_mu = float(np.clip(mu + lr_mu * np.mean(adv * (v - mu)) / sigma**2, 0.0, 1.0))
    q = softmax(new_logits)
    approx_kl = float(np.sum(p * (np.log(p + 1e-12) - np.log(q + 1e-12)))) + (new_mu - mu) ** 2 / (2 * sigma**2)
    entropy = float(-np.sum(q * np.log(q + 1e-12)))
    success = float(solved.mean())
    best_success = max(best_success, success)
    if mode == "reward_hacking" and not hacking_reported and step > 50 and mu > 0.25:
        truth.write(json.dumps({"event": "success_falling", "step": step}) + "\n")
        hacking_reported = True
    row = {"step": step, "reward": float(reward.mean()), "success_rate": success, "approx_kl": approx_kl,
           "entropy": entropy, "policy_loss": float(-(adv * np.log(p[acts] + 1e-12)).mean())}
    out.write(json.dumps(row) + "\n")
    out.flush()
    truth.flush()
    logits, mu = new_logits, new_mu
