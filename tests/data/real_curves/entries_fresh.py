"""Round 3's FRESH held-aside part of the real-curve corpus (issue 16).

Same dict shape as entries.py; rows live verbatim in raw/<id>.txt.
build_corpus.py writes these entries to the manifest with "part": "fresh".
They were collected after the detection rules had been tuned on the dev part
and on the round-2 held-aside part (which has since been used for tuning
too), from threads that feed no other part. Nobody tuning rules looks at
them: bench/curves_report.py counts them in every figure but never names one.
"""

ENTRIES_FRESH = [
    dict(id="keras_21_diverges_epoch10", fmt="keras", epoch_re=r"^\s*Epoch (\d+)$",
         source="keras-team/keras#21", source_kind="issue", framework="keras",
         label="divergence", visible_step=10, also_ok=["frozen_loss"],
         what_happened="'Model training diverges after some level?': a Sequential model's loss falls smoothly 1.18 -> 0.74 over ten epochs, then jumps to 13.36 at epoch 10 and sits at ~26.64 from epoch 11 on. (The last, cut row dropped.)"),
    dict(id="caffe_6047_loss_87", fmt="kv", only=r"solver\.cpp:218\]", step_re=r"Iteration (\d+)", drop_keys=["solver.cpp"],
         source="BVLC/caffe#6047", source_kind="issue", framework="caffe",
         label="divergence", visible_step=100, also_ok=["frozen_loss", "nan"],
         what_happened="GoogleNet with base_lr 0.01: the loss goes from 11.23 at iteration 0 to 87.3365 at iteration 100 and never comes down (87.3365 is -log of the smallest float: the softmax has saturated); 'training loss suddenly goes up ... and it never comes down'."),
    dict(id="cifar100_41_warmup_noisy", fmt="kv", step_re=r"\[(\d+)/8000\]", drop_keys=["Training Epoch"],
         source="weiaicunzai/pytorch-cifar100#41", source_kind="issue", framework="pytorch",
         label="none", visible_step=None, also_ok=[],
         what_happened="Asked why the learning rate increases: the first epoch is a linear warm-up (LR 0.00497 -> 0.00519), and the per-batch loss jumps between 0.27 and 1.00 from one batch to the next; ordinary batch noise during warm-up. (The first, cut line dropped.)"),
    dict(id="discuss_pytorch_18537_epoch_sawtooth", fmt="kv", kv_re=r"(Cost|Test accuracy):?\s+(%s)",
         source="https://discuss.pytorch.org/t/why-does-the-loss-jump-up-value-at-the-beginning-of-the-epoch/18537", source_kind="forum", framework="pytorch",
         label="none", visible_step=None, also_ok=[],
         what_happened="'Why does the loss jump up value at the beginning of the epoch': the printed cost rises at the start of every cycle (1.05 -> 1.70, 0.77 -> 1.24, ...) and falls again within it, while test accuracy climbs 0.61 -> 0.79; the run is learning."),
    dict(id="tf_8432_cifar10_first_step_slow", fmt="kv", only=r": step \d+, loss", step_re=r": step (\d+),",
         vk_re=r"\((%s) (examples/sec);", source="tensorflow/tensorflow#8432", source_kind="issue", framework="tensorflow",
         label="none", visible_step=None, also_ok=[],
         what_happened="cifar10_train.py run with max_steps=100: step 0 runs at 15.8 examples/sec (graph set-up), then ~1800-2150 examples/sec, loss falling 4.68 -> 4.14; the reporter asks about the SystemExit printed after step 90 (IPython reporting the script's exit), not about training, which is healthy."),
    dict(id="tfmodels_1264_summary_dips", fmt="kv", step_re=r": step (\d+),", vk_re=r"\((%s) (examples/sec);",
         source="tensorflow/models#1264", source_kind="issue", framework="tensorflow",
         label="none", visible_step=None, also_ok=[],
         what_happened="Multi-GPU cifar10 log posted in 'Cifar10 underutilizing GPUs?': ~730 examples/sec with a dip to ~670-680 every 100 steps (steps 700 and 800, when summaries are written) and a noisy loss 2.5-3.0; the thread is about the overall speed, not a failure within the run. (The last, cut line dropped.)"),
    dict(id="tfmodels_2980_detection_loss_79", fmt="kv", merge_on=r"global step \d+:", step_re=r"global step (\d+):",
         skip=r"Recording summary|global_step/sec", vk_re=r"\((%s) (sec/step)\)",
         source="tensorflow/models#2980", source_kind="issue", framework="tf-object-detection",
         label="none", visible_step=None, also_ok=[],
         what_happened="'what is global step and loss?': an object-detection run starts at loss 79.35 and falls every step (72.9, 67.3, ... 58.0); the first step takes 57 s, the rest ~17 s. Each line is logged twice by TensorFlow; the duplicates form one row. (The cut line after step 8 dropped.)"),
]
