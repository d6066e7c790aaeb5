// Tests for TextMetricsParser (metric rows in printed output) and RowMerger.
#include <catch2/catch.hpp>
#include <charconv>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "row_text.h"
#include "sidecar/metric_lines.h"

using sidecar::MetricRow;
using sidecar::RowMerger;
using sidecar::RowOrigin;
using sidecar::TextMetricsParser;
using sidecar::TextShape;

using sidecar::test::num;

namespace {

std::string render(const MetricRow& row) { return sidecar::test::render(row, false); }

// The rendered row, or "" when the line is not a row.
std::string parse(TextMetricsParser& p, std::string_view line) {
  MetricRow row;
  return p.parse_line(line, &row) ? render(row) : std::string();
}

std::string parse1(std::string_view line) {
  TextMetricsParser p;
  return parse(p, line);
}

struct LineCase {
  std::string line;
  std::string want;  // the rendered row, "" = not a row
};

// Each line alone (a fresh parser) gives its row, or none.
void check_lines(const std::vector<LineCase>& cases) {
  for (const LineCase& c : cases) {
    INFO(c.line);
    CHECK(parse1(c.line) == c.want);
  }
}

}  // namespace

TEST_CASE("HF Trainer and TRL dict reprs", "[text]") {
  check_lines({
      {"{'loss': 0.41, 'grad_norm': 1.2, 'learning_rate': 2e-05, 'epoch': 0.5}",
       "step=- loss=0.41 grad_norm=1.2 learning_rate=2e-05 epoch=0.5"},
      {"{'loss': nan, 'grad_norm': nan, 'learning_rate': 1.8e-05, 'epoch': 0.6}",
       "step=- loss=nan grad_norm=nan learning_rate=1.8e-05 epoch=0.6"},
      {"{'loss': inf, 'grad_norm': -inf, 'epoch': 1.0}", "step=- loss=inf grad_norm=-inf epoch=1"},
      {"{'eval_loss': 0.35, 'eval_accuracy': np.float64(0.875), 'eval_runtime': 12.3, 'epoch': 1.0}",
       "step=- eval_loss=0.35 eval_accuracy=0.875 eval_runtime=12.3 epoch=1"},
      {"{'loss': tensor(0.5123, device='cuda:0', grad_fn=<NllLossBackward0>), 'acc': np.float32(0.5)}",
       "step=- loss=0.5123 acc=0.5"},
      {"{'train': {'loss': 0.5, 'acc': 0.9}, 'step': 12}", "step=12 train/loss=0.5 train/acc=0.9"},
      // A dict glued to an HF progress bar.
      {" 10%|█         | 50/500 [00:10<01:30,  5.00it/s]{'loss': 2.1, 'learning_rate': 4.5e-05, 'epoch': 0.1}",
       "step=- loss=2.1 learning_rate=4.5e-05 epoch=0.1"},
      // TRL GRPO: slashes in keys, strings and lists are not metrics.
      {"{'loss': 0.0, 'grad_norm': 0.31, 'num_tokens': 12345.0, 'completions/mean_length': 210.5, "
       "'rewards/accuracy_reward/mean': 0.25, 'reward': 0.25, 'kl': 0.0004, 'clip_ratio': [0.0, 0.1], "
       "'model': 'Qwen', 'done': True, 'x': None}",
       "step=- loss=0 grad_norm=0.31 num_tokens=12345 completions/mean_length=210.5 "
       "rewards/accuracy_reward/mean=0.25 reward=0.25 kl=4e-04"},
      // JSON printed to stdout, with Python's non-finite tokens.
      {R"({"step": 7, "loss": NaN, "val_loss": Infinity, "lr": "1e-3"})", "step=7 loss=nan val_loss=inf lr=0.001"},
      // A cut or malformed dict is not a row.
      {"{'loss': 0.41, 'grad_norm': 1.2, 'learn", ""},
      {"{'loss' 0.41}", ""},
      // A config dict without metrics and one numeric value is not a row.
      {"{'epoch': 1.0}", ""},
      // An empty key names nothing: its value is left out (fuzz_metric_lines).
      {"{'loss': inf, '': nan, 'learning_rate': 1.8e-05, 'epoch': 0.42}",
       "step=- loss=inf learning_rate=1.8e-05 epoch=0.42"},
  });
}

TEST_CASE("key=value and key: value postfixes", "[text]") {
  check_lines({
      {"100/500 [00:10<00:40, 9.8it/s, loss=0.31, lr=1e-4]", "step=100 loss=0.31 lr=1e-04"},
      {"Epoch 3:  45%|████▌     | 450/1000 [00:10<00:40, 9.8it/s, v_num=0, train_loss=0.512]",
       "step=- train_loss=0.512 epoch=3"},
      {"Epoch 0: 100%|██████████| 10/10 [00:01<00:00,  8.1it/s, v_num=1, train_loss=nan, val_loss=inf]",
       "step=- train_loss=nan val_loss=inf epoch=0"},
      {"2024-05-01 12:00:01,123 - INFO - step: 100, loss: 0.5, lr: 0.001", "step=100 loss=0.5 lr=0.001"},
      {"step=200 loss=nan grad_norm=inf", "step=200 loss=nan grad_norm=inf"},
      {"Step 300: train_loss=0.25", "step=300 train_loss=0.25"},
      {"Validation loss: 0.3", "step=- loss=0.3"},
      {"iter 12 | loss: 4.5", "step=12 loss=4.5"},
      {"loss: tensor(0.6931, device='cuda:0', grad_fn=<NllLossBackward0>)", "step=- loss=0.6931"},
  });
}

TEST_CASE("pipe-separated trainer lines", "[text]") {
  check_lines({
      {"| epoch 001 | loss 9.21 | nll_loss 9.1 | ppl 551.2 | wps 1234 | ups 1.2 | num_updates 100 | "
       "lr 0.0005 | gnorm 1.3",
       "step=100 epoch=1 loss=9.21 nll_loss=9.1 ppl=551.2 wps=1234 ups=1.2 lr=5e-04 gnorm=1.3"},
      {"2020-10-01 12:00:00 | INFO | train_inner | epoch 001:    100 / 1000 loss=9.21, nll_loss=nan, "
       "ppl=512, num_updates=100, lr=0.0005",
       "step=100 loss=9.21 nll_loss=nan ppl=512 lr=5e-04"},
      {" iteration      100/  500000 | consumed samples:        12800 | elapsed time per iteration (ms): "
       "1234.5 | learning rate: 1.000E-04 | global batch size:   128 | lm loss: 7.500E+00 | loss scale: "
       "65536.0 | grad norm: 3.100 | number of skipped iterations:   0 | number of nan iterations:   0 |",
       "step=100 consumed_samples=12800 elapsed_time_per_iteration_(ms)=1234.5 learning_rate=1e-04 "
       "global_batch_size=128 lm_loss=7.5 loss_scale=65536 grad_norm=3.1 number_of_skipped_iterations=0 "
       "number_of_nan_iterations=0"},
      {" iteration      200/  500000 | lm loss: nan | grad norm: inf |", "step=200 lm_loss=nan grad_norm=inf"},
  });
}

TEST_CASE("Keras epoch lines take the step from the Epoch header", "[text]") {
  TextMetricsParser p;
  CHECK(parse(p, "Epoch 3/10").empty());
  CHECK(parse(p,
              "32/32 [==============================] - 1s 20ms/step - loss: 0.3 - accuracy: 0.9 - val_loss: 0.4 "
              "- val_accuracy: 0.85") == "step=3 loss=0.3 accuracy=0.9 val_loss=0.4 val_accuracy=0.85");
  CHECK(p.last_shape() == TextShape::kKeras);
  CHECK(parse(p, "Epoch 4/10").empty());
  CHECK(parse(p,
              "\x1b[1m32/32\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m1s\x1b[0m 20ms/step - "
              "accuracy: 0.91 - loss: nan") == "step=4 accuracy=0.91 loss=nan");
}

TEST_CASE("HF metrics tables: one row per line", "[text]") {
  TextMetricsParser p;
  CHECK(parse(p, "***** eval metrics *****").empty());
  CHECK(parse(p, "  epoch                   =        3.0") == "step=- epoch=3");
  CHECK(parse(p, "  eval_accuracy           =     0.8512") == "step=- eval_accuracy=0.8512");
  CHECK(parse(p, "  eval_loss               =        nan") == "step=- eval_loss=nan");
  CHECK(parse(p, "  eval_runtime            = 0:00:12.34").empty());
  CHECK(parse(p, "  eval_samples            =        872") == "step=- eval_samples=872");
  CHECK(p.last_shape() == TextShape::kEvalTable);
  // The table ends at the first other line; a lone "epoch = 3.0" is then not a row.
  CHECK(parse(p, "[INFO] saving model").empty());
  CHECK(parse(p, "  epoch                   =        3.0").empty());
}

TEST_CASE("prose, config dumps and look-alikes are not rows", "[text]") {
  for (const char* line : {
           "Setting learning rate to 0.1 because loss: unknown",
           "Namespace(lr=0.1, batch_size=32, loss_type='ce', epochs=10, weight_decay=0.01)",
           "TrainingArguments(output_dir=out, learning_rate=2e-05, num_train_epochs=3, logging_steps=10)",
           "  learning_rate=2e-05,",
           "Using device: cuda:0",
           "Optimizer: lr=0.1, momentum=0.9",
           "rank: 0, world_size: 8",
           "2024-05-01 12:00:01 INFO Starting training",
           " 20%|██        | 100/500 [00:10<00:40,  9.80it/s]",
           "torch.cuda memory: allocated=12.3GB reserved=14GB",
           "Loss is nan, stopping training",
           "NCCL INFO comm 0x5581 rank 0 nranks 8 cudaDev 0 busId 1000 - Init COMPLETE",
           "See https://pytorch.org/docs/stable/notes/cuda.html#memory-management: 3 tips",
           "eval_loss",
           "",
           "{",
           "{}",
       }) {
    INFO(line);
    CHECK(parse1(line).empty());
  }
}

TEST_CASE("carriage returns and ANSI escapes", "[text]") {
  check_lines({
      {"old bar 10%\rstep=5 loss=1.5\r\n", "step=5 loss=1.5"},
      {"\x1b[32mloss\x1b[0m=0.25 \x1b[1macc\x1b[0m=0.5", "step=- loss=0.25 acc=0.5"},
  });
}

TEST_CASE("bounds: long lines, many keys, deep nesting", "[text]") {
  sidecar::TextMetricsOptions opt;
  opt.max_line_bytes = 100;
  opt.max_keys = 3;
  opt.max_depth = 3;
  TextMetricsParser p(opt);
  CHECK(parse(p, "loss=1 " + std::string(200, 'x')).empty());
  CHECK(p.stats().too_long == 1);
  CHECK(parse(p, "a=1, b=2, c=3, d=4, loss=5, step=9") == "step=9 a=1 b=2 c=3");
  CHECK(parse(p, "{'a': {'b': {'c': {'loss': 1}}}}").empty());
  CHECK(parse(p, "{'a': {'b': {'loss': 1}}}") == "step=- a/b/loss=1");
  // Garbage never crashes.
  std::string junk;
  for (int i = 0; i < 2000; ++i) junk.push_back(static_cast<char>((i * 7919) % 256));
  TextMetricsParser q;
  MetricRow row;
  for (std::size_t n = 0; n < junk.size(); n += 37) (void)q.parse_line(std::string_view(junk).substr(n, 90), &row);
  CHECK(q.stats().lines > 0);
}

TEST_CASE("text fixture: a real-shaped HF run log", "[text]") {
  std::ifstream in(std::string(SIDECAR_TEST_DATA) + "/metrics_formats/text/hf_trainer_stdout.log");
  REQUIRE(in.good());
  std::ifstream exp(std::string(SIDECAR_TEST_DATA) + "/metrics_formats/text/hf_trainer_stdout.log.expected");
  REQUIRE(exp.good());
  std::vector<std::string> want, got;
  for (std::string l; std::getline(exp, l);)
    if (!l.empty() && l[0] != '#') want.push_back(l);
  TextMetricsParser p;
  for (std::string l; std::getline(in, l);) {
    MetricRow row;
    if (p.parse_line(l, &row)) got.push_back(render(row));
  }
  CHECK(got == want);
}

TEST_CASE("RowMerger: first source owns a key, no double counting", "[merge]") {
  RowMerger m;
  const int out = m.add_source("stdout", RowOrigin::kText);
  const int file = m.add_source("trainer_state.json", RowOrigin::kFile);
  std::vector<sidecar::MetricValue> a = {{"loss", 0.5}, {"grad_norm", 1.0}};
  MetricRow kept;
  MetricRow r1{std::nullopt, std::nullopt, a};
  REQUIRE(m.admit(out, r1, &kept));
  CHECK(kept.values.size() == 2);
  // The file delivers the same keys (with a step) and one more: only the new key passes.
  std::vector<sidecar::MetricValue> b = {{"loss", 0.5}, {"grad_norm", 1.0}, {"eval_loss", 0.7}};
  MetricRow r2{10, std::nullopt, b};
  REQUIRE(m.admit(file, r2, &kept));
  REQUIRE(kept.values.size() == 1);
  CHECK(kept.values[0].key == "eval_loss");
  CHECK(kept.step == 10);
  // All duplicates: dropped.
  MetricRow r3{20, std::nullopt, std::span<const sidecar::MetricValue>(b.data(), 2)};
  CHECK_FALSE(m.admit(file, r3, &kept));
  CHECK(m.dropped_rows() == 1);
  CHECK(m.dropped_values() == 4);
  // stdout keeps delivering its keys; it does not get eval_loss.
  CHECK(m.admit(out, r1, &kept));
  MetricRow r4{std::nullopt, std::nullopt, std::span<const sidecar::MetricValue>(b.data() + 2, 1)};
  CHECK_FALSE(m.admit(out, r4, &kept));
  CHECK(m.owner("loss") == out);
  CHECK(m.owner("eval_loss") == file);
  CHECK(m.owner("nope") == -1);
  // The stdout source ends: the file takes its keys.
  m.release(out);
  REQUIRE(m.admit(file, r3, &kept));
  CHECK(kept.values.size() == 2);
  CHECK(m.owner("loss") == file);
  // A step marker without values passes; unknown sources do not.
  MetricRow marker{30, std::nullopt, {}};
  CHECK(m.admit(file, marker, &kept));
  CHECK_FALSE(m.admit(7, r1, &kept));
  CHECK(m.source_name(out) == "stdout");
}

TEST_CASE("RowMerger: key table bounded", "[merge]") {
  sidecar::RowMergerOptions opt;
  opt.max_keys = 2;
  RowMerger m(opt);
  const int s = m.add_source("a", RowOrigin::kFile);
  std::vector<sidecar::MetricValue> v = {{"k1", 1}, {"k2", 2}, {"k3", 3}};
  MetricRow kept;
  REQUIRE(m.admit(s, MetricRow{1, std::nullopt, v}, &kept));
  CHECK(kept.values.size() == 3);
  CHECK(m.untracked_values() == 1);
}

// Lines as posted in public threads (tests/data/log_corpus sources), each with what the parser must give.
TEST_CASE("real-world lines: rows and look-alikes", "[text]") {
  const std::vector<LineCase> cases = {
      // AnswerDotAI/ModernBERT#233
      {"{'loss': 0.2051, 'grad_norm': nan, 'learning_rate': 9.774074342405685e-06, 'epoch': 0.53}",
       "step=- loss=0.2051 grad_norm=nan learning_rate=9.774074342405685e-06 epoch=0.53"},
      // bigscience-workshop/Megatron-DeepSpeed#396
      {" iteration     5427/  250000 | consumed samples:        43416 | consumed tokens:     88915968 | elapsed time "
       "per "
       "iteration (ms): 4225.8 | learning rate: 2.999E-04 | global batch size:     8 | loss scale: 1.0 | grad norm: "
       "nan | "
       "actual seqlen:  2048 | number of skipped iterations:   0 | number of nan iterations:   0 | samples per second: "
       "1.893 | TFLOPs: 78.77 |",
       "step=5427 consumed_samples=43416 consumed_tokens=88915968 elapsed_time_per_iteration_(ms)=4225.8 "
       "learning_rate=0.0002999 global_batch_size=8 loss_scale=1 grad_norm=nan actual_seqlen=2048 "
       "number_of_skipped_iterations=0 number_of_nan_iterations=0 samples_per_second=1.893 TFLOPs=78.77"},
      // divamgupta/image-segmentation-keras#50
      {"512/512 [==============================] - 127s 247ms/step - loss: nan - acc: nan - val_loss: nan - val_acc: "
       "nan",
       "step=- loss=nan acc=nan val_loss=nan val_acc=nan"},
      // alexander-rakhlin/CNN-for-Sentence-Classification-in-Keras#7
      {"9595/9595 [==============================] - 1s - loss: nan - acc: 0.4117 - val_loss: nan - val_acc: "
       "0.0000e+00",
       "step=- loss=nan acc=0.4117 val_loss=nan val_acc=0"},
      // manishsoni1908/Mobilenet-ssd-keras#21 (Keras glues the next message on)
      {"  3/234 [..............................] - ETA: 33:37:24 - loss: 44.4110Batch 3: Invalid loss, terminating "
       "training",
       "step=- loss=44.411"},
      // InternLM/xtuner#187 (mmengine)
      {"10/30 22:19:57 - mmengine - INFO - Epoch(train) [1][240/735]  lr: 1.9813e-04  eta: 2:44:49  time: 2.8874  "
       "data_time: 0.0042  memory: 10762  loss: 2.5128  grad_norm: nan",
       "step=- lr=0.00019813 time=2.8874 data_time=0.0042 memory=10762 loss=2.5128 grad_norm=nan"},
      // Lightning prints a NaN as "nan.0"
      {"Epoch 12: : 1200it [20:40,  1.03s/it, loss=nan, v_num=0, val_loss=nan.0, val_rec_loss=nan.0]",
       "step=- loss=nan val_loss=nan val_rec_loss=nan epoch=12"},
      // TF Estimator
      {"INFO:tensorflow:loss = 3.4692888e-17, step = 1901 (133.367 sec)", "step=1901 loss=3.4692888e-17"},
      // Look-alikes: kernel OOM killer, PEFT parameter counts, torch.distributed, Ray, a glued error line.
      {"[2612362.231458] python invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL), nodemask=(null), order=0, "
       "oom_score_adj=829",
       ""},
      {"10/02/2023 06:37:37 - INFO - llmtuner.tuner.core.loader - trainable params: 4194304 || all params: 7510167552 "
       "|| "
       "trainable%: 0.0558",
       ""},
      {"  rdzv_configs     : {'rank': 0, 'timeout': 900}", ""},
      {"(scheduler +2m13s) Warning: The following resource request cannot be scheduled right now: {'GPU': 0.125, "
       "'CPU': 0.5}.",
       ""},
      {"Loading checkpoint shards:  57% 4/7 [00:40<00:29,  "
       "9.96s/it]ERROR:torch.distributed.elastic.multiprocessing.api:"
       "failed (exitcode: -9) local_rank: 0 (pid: 31631) of binary: /usr/bin/python3",
       ""},
      {"# nThread 1 nGpus 1 minBytes 8 maxBytes 1073741824 step: 2(factor) warmup iters: 5 iters: 20 validation: 1",
       ""},
      {"  total_flos               =   676946GF", ""},
  };
  check_lines(cases);
}

TEST_CASE("a time-per-step unit after a value names the key's unit (mks0601's loggers)", "[text]") {
  check_lines({
      // mks0601/Hand4Whole_RELEASE#31: the "speed" is seconds per iteration (0.65 s compute, 0.07 s reading)
      {"09-24 22:50:46 Epoch 0/7 itr 26/3489: lr: 0.0001 speed: 0.72(0.65s r0.07)s/itr 0.70h/epoch loss_smpl_pose: "
       "0.3386",
       "step=- lr=1e-04 speed (s/itr)=0.72 loss_smpl_pose=0.3386"},
      {"iter 10: speed: 0.72 s/itr, loss: 0.5", "step=10 speed (s/itr)=0.72 loss=0.5"},
      {"step 3 | batch_time: 0.35s/it | loss: 1.2", "step=3 batch_time (s/it)=0.35 loss=1.2"},
      {"train: time = 120 ms/batch, acc = 0.5", "step=- time (ms/batch)=120 acc=0.5"},
      {"speed: 0.72(0.70)s/itr loss: 0.5", "step=- speed (s/itr)=0.72 loss=0.5"},
      // A unit that is not a time per step leaves the key alone; a value without a number stays unread.
      {"speed: 120 samples/s, loss: 0.5", "step=- speed=120 loss=0.5"},
      {"speed: fast(1)s/itr, loss: 0.5", "step=- loss=0.5"},
      {"eta: 3(a b) steps, loss: 0.5", "step=- loss=0.5"},
      {"lr: 3e-4, wait: 5s, loss: 0.5", "step=- lr=3e-04 loss=0.5"},
  });
}

TEST_CASE("space-separated key value pairs: torchvision's and timm's evaluation summaries", "[text]") {
  check_lines({
      {"Epoch: [3]  Acc@1 45.2 Acc@5 70.1 loss 2.3", "step=- Acc@1=45.2 Acc@5=70.1 loss=2.3"},
      {" * Acc@1 81.234 Acc@5 95.123", "step=- Acc@1=81.234 Acc@5=95.123"},
      {"Test:  Acc@1 0.100 Acc@5 0.500 loss nan", "step=- Acc@1=0.1 Acc@5=0.5 loss=nan"},
      // Look-alikes: prose, one pair, pairs without a metric word, an e-mail address.
      {"Epoch: [3]  the loss went from 2.3 to 4.5", ""},
      {"Epoch: [3]  loss 2.3", ""},
      {"Epoch: [3]  batch 12 worker 3", ""},
      {"contact: someone@example.org rank 0 world 8", ""},
  });
  TextMetricsParser p;
  MetricRow row;
  REQUIRE(p.parse_line("Epoch: [3]  Acc@1 45.2 Acc@5 70.1 loss 2.3", &row));
  CHECK(p.last_shape() == TextShape::kPairs);
  // A line with key: value fields keeps its fields shape; pairs are not mixed in.
  CHECK(parse1("Epoch: [3]  lr: 0.1  loss: 2.3  Acc@1 45.2 Acc@5 70.1") == "step=- lr=0.1 loss=2.3");
}

TEST_CASE("darknet's training lines: YOLO's and the classifier's, -nan included", "[text]") {
  check_lines({
      // AlexeyAB's detector (with the time left), pjreddie's detector, the classifier with its epoch (darknet#1400).
      {" 1234: 0.812345, 0.903456 avg loss, 0.001000 rate, 2.530000 seconds, 78976 images, 12.3 hours left",
       "step=1234 avg_loss=0.903456 batch_loss=0.812345 lr=0.001 batch_time=2.53"},
      {"500: 9.123456, 10.654321 avg, 0.001000 rate, 3.100000 seconds, 32000 images",
       "step=500 avg_loss=10.654321 batch_loss=9.123456 lr=0.001 batch_time=3.1"},
      {"40245, 4.021: 6.898909, 6.910023 avg, 0.081346 rate, 0.385639 seconds, 5151360 images",
       "step=40245 avg_loss=6.910023 batch_loss=6.898909 lr=0.081346 batch_time=0.385639 epoch=4.021"},
      // A diverging YOLO: Linux prints -nan, Windows builds -nan(ind).
      {" 101: -nan, -nan avg loss, 0.001000 rate, 2.530000 seconds, 6464 images, 12.3 hours left",
       "step=101 avg_loss=nan batch_loss=nan lr=0.001 batch_time=2.53"},
      {" 102: -nan(ind), -nan(ind) avg loss, 0.001000 rate, 2.5 seconds, 6528 images",
       "step=102 avg_loss=nan batch_loss=nan lr=0.001 batch_time=2.5"},
      // Look-alikes: darknet's loader timing, a time stamp, a line with the parts in another order or one missing.
      {"Loaded: 0.000040 seconds", ""},
      {"12:00:01: 0.5, 0.6 avg, 0.001 rate, 2.5 seconds", ""},
      {"1234: 0.8, 0.001 rate, 0.9 avg, 2.5 seconds, 64 images", ""},
      {"1234: 0.8, 0.9 avg, 0.001 rate", ""},
  });
  TextMetricsParser p;
  MetricRow row;
  REQUIRE(p.parse_line("500: 9.1, 10.6 avg, 0.001 rate, 3.1 seconds, 32000 images", &row));
  CHECK(p.last_shape() == TextShape::kDarknet);
}
