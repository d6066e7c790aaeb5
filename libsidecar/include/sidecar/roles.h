// Metric roles and forgiving key matching (header-only, std-only).
//
// A role is what a metric means to the detectors (loss, validation accuracy,
// reward, ...). Keys are matched after normalisation: case-insensitive;
// ' ', '_', '-', '/', '.' are one separator; common short forms are expanded
// (acc -> accuracy, val/vali/eval/valid/validation -> val, rew -> reward,
// ep -> episode). So "Val Acc", "eval/accuracy" and "validation-accuracy" all
// bind to val_accuracy.
//
// Keys no alias names are classified by their TOKENS into a family (what the
// number means: a loss, a quality metric that should rise, a throughput, a
// learning rate, a grad norm, a KL, an entropy, a reward), so real names bind
// too: "train_loss_epoch", "Loss/train" and "lm loss" are the loss;
// "policy_loss" and "loss_cls" are other loss-family keys (watched for
// non-finite values, never the primary loss); "bbox/AP", "mAP_0.5",
// "eval_rouge1" and "pass@1" are quality metrics; "time/fps", "it/s" and
// "samplesPerSec" are throughput. An alias always wins over a token match.
//
//   sidecar::KeyMatcher m(sidecar::RoleAliases{});
//   auto role = m.match("rollout/ep_rew_mean");   // Role::kReward
//   auto info = m.classify("val/bbox_mAP_50");    // KeyFamily::kQuality, Role::kValAccuracy
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sidecar {

enum class Role {
  kLoss = 0,
  kValAccuracy,
  kValLoss,
  kReward,
  kSuccessRate,
  kRewardAccuracy,  // an accuracy-type reward component (rewards/accuracy_reward)
  kThroughput,
  kKl,
  kGradNorm,
  kEntropy,
  kLossScale,
};
inline constexpr std::size_t kRoleCount = 11;

constexpr std::string_view to_string(Role r) {
  constexpr std::string_view kNames[kRoleCount] = {"loss",         "val_accuracy",    "val_loss",   "reward",
                                                   "success_rate", "reward_accuracy", "throughput", "kl",
                                                   "grad_norm",    "entropy",         "loss_scale"};
  return kNames[static_cast<std::size_t>(r)];
}

// Parses a role name as written in to_string(Role).
inline std::optional<Role> parse_role(std::string_view name) {
  for (std::size_t i = 0; i < kRoleCount; ++i)
    if (to_string(static_cast<Role>(i)) == name) return static_cast<Role>(i);
  return std::nullopt;
}

namespace detail {
// A key token's short form spelled out: acc -> accuracy, eval/vali/valid/
// validation -> val, rew -> reward, ep -> episode, avr -> avg. "vali" is how
// Informer, Autoformer and the Time-Series-Library print the early-stopping
// split ("Vali Loss" beside "Test Loss"); "avr" is kohya's sd-scripts (and
// the LoRA trainers built on it: musubi-tuner, Lora-Training-in-Comfy),
// whose progress bar prints its running average of the loss as avr_loss.
inline void expand_short_form(std::string& tok) {
  if (tok == "acc" || tok == "accu" || tok == "accur")
    tok = "accuracy";
  else if (tok == "eval" || tok == "vali" || tok == "valid" || tok == "validation")
    tok = "val";
  else if (tok == "rew")
    tok = "reward";
  else if (tok == "ep")
    tok = "episode";
  else if (tok == "avr")
    tok = "avg";
}

// "ac" is an accuracy cut short only beside a split token ("valid_ac",
// "train_ac": bert#855's script); alone it names nothing known.
inline void expand_in_context(std::vector<std::string>& toks) {
  bool split = false;
  for (const auto& t : toks) split = split || t == "val" || t == "train" || t == "test" || t == "dev";
  if (split)
    for (auto& t : toks)
      if (t == "ac") t = "accuracy";
}
}  // namespace detail

// Normalises a metric key for matching: lower case, separators folded to
// '_', short forms expanded ("Val/Acc" -> "val_accuracy").
inline std::string normalize_key(std::string_view key) {
  std::vector<std::string> toks;
  std::string out;
  out.reserve(key.size() + 8);
  std::size_t i = 0;
  auto is_sep = [](char c) { return c == ' ' || c == '_' || c == '-' || c == '/' || c == '.' || c == '\t'; };
  while (i < key.size()) {
    while (i < key.size() && is_sep(key[i])) ++i;
    if (i >= key.size()) break;
    std::size_t j = i;
    while (j < key.size() && !is_sep(key[j])) ++j;
    std::string tok;
    tok.reserve(j - i);
    for (std::size_t k = i; k < j; ++k) {
      char c = key[k];
      tok += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    detail::expand_short_form(tok);
    toks.push_back(std::move(tok));
    i = j;
  }
  detail::expand_in_context(toks);
  for (const auto& t : toks) {
    if (!out.empty()) out += '_';
    out += t;
  }
  return out;
}

// Default aliases per role (SPEC §2), in priority order. The playbook's
// `roles.<role>.aliases` replaces a list, `roles.<role>.extra` extends it.
struct RoleAliases {
  std::array<std::vector<std::string>, kRoleCount> aliases = {{
      {"loss", "train/loss", "train_loss", "training_loss", "cost", "train_cost"},
      {"val/accuracy", "val_accuracy", "validation/accuracy", "validation_accuracy", "eval/accuracy", "eval_accuracy",
       "accuracy/val", "val/acc", "val_acc"},
      {"val/loss", "val_loss", "validation/loss", "validation_loss", "eval/loss", "eval_loss"},
      // (a mean over episodes before one episode's: "Mean Reward" beside "Reward" is the signal, the other its noise)
      {"mean_reward", "reward", "train/reward", "episode_reward", "episode/reward", "rollout/ep_rew_mean",
       "eval/reward", "objective/rlhf_reward", "ep_rew", "ep_rew_mean", "rewards/mean", "AverageEpRet", "EpRet",
       "critic/score/mean"},  // AverageEpRet, EpRet: OpenAI Spinning Up's logger and its forks; verl's task score
      {"success_rate", "train/success_rate", "eval/success_rate", "success", "win_rate", "rollout/success_rate"},
      {"rewards/accuracy_reward", "rewards/accuracy_reward/mean", "rewards/accuracy_reward_func/mean",
       "rewards/correctness_reward_func/mean", "rewards/correctness_reward", "accuracy_reward", "correctness_reward"},
      {"throughput", "samples_per_second", "tokens_per_second", "steps_per_second", "train/samples_per_second",
       "train/tokens_per_second", "samples/s", "tokens/s", "train_samples_per_second", "throughput/samples_per_sec"},
      {"kl", "train/kl", "policy/kl", "approx_kl", "kl_divergence", "objective/kl", "train/approx_kl"},
      {"grad_norm", "train/grad_norm", "grad-norm", "gradient_norm"},
      {"entropy", "train/entropy", "objective/entropy", "policy/entropy"},
      {"loss_scale", "train/loss_scale", "scaler/scale", "lm_loss_scale"},
  }};
};

// What a metric is, read from the tokens of its key (whatever role it binds).
enum class KeyFamily {
  kNone = 0,
  kLoss,        // any loss: loss, lm loss, policy_loss, loss_cls, nll, perplexity
  kQuality,     // should rise: accuracy, top-k, mAP/AP, precision/recall/F1, BLEU/ROUGE/chrF, AUC, IoU/dice,
                // exact match, pass@k, win rate, success rate
  kThroughput,  // samples/s, tokens/s, it/s, *PerSec, speed, fps
  kLr,          // lr, learning_rate
  kGradNorm,    // grad_norm, gnorm, total_norm
  kKl,          // kl, approx_kl, kl_div, objective/kl (not kl_coef)
  kEntropy,     // entropy
  kReward,      // reward, return and reward components (rewards/format_reward)
  kLossScale,   // AMP loss scale
  kStepTime,    // time per iteration/step/batch (inverse throughput): "elapsed time per iteration (ms)", s/it
  kEta,         // a remaining-time estimate that should fall as the run advances: epoch_Time, time_remaining, eta_time
};
inline constexpr std::size_t kKeyFamilyCount = 12;

constexpr std::string_view to_string(KeyFamily f) {
  constexpr std::string_view kNames[kKeyFamilyCount] = {"none",   "loss",       "quality",   "throughput",
                                                        "lr",     "grad_norm",  "kl",        "entropy",
                                                        "reward", "loss_scale", "step_time", "eta"};
  return kNames[static_cast<std::size_t>(f)];
}

namespace detail {

inline bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
inline bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
inline bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}
// Letters only (a word, not a count or a unit with digits).
inline bool is_word(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < 'a' || c > 'z') return false;
  return true;
}
inline bool one_of(std::string_view t, std::initializer_list<std::string_view> set) {
  for (std::string_view x : set)
    if (t == x) return true;
  return false;
}
inline bool starts_with_any(std::string_view t, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view p : prefixes)
    if (starts_with(t, p)) return true;
  return false;
}

// The tokens of a key: normalize_key's tokens, and (split_camel) also split
// where a lower-case letter or digit meets an upper-case one ("samplesPerSec",
// "mAP", "valAcc"). Short forms are expanded as in normalize_key.
inline std::vector<std::string> key_tokens(std::string_view key, bool split_camel) {
  std::vector<std::string> out;
  std::string tok;
  auto flush = [&] {
    // A possessive "'s" names whose value it is (LightGBM's "training's
    // binary_logloss", "valid_1's auc"): the token is the name before it.
    if (tok.size() > 2 && tok[tok.size() - 2] == '\'' && tok.back() == 's') tok.resize(tok.size() - 2);
    if (tok.empty()) return;
    detail::expand_short_form(tok);
    out.push_back(std::move(tok));
    tok.clear();
  };
  char prev = 0;
  for (char c : key) {
    bool sep = c == ' ' || c == '_' || c == '-' || c == '/' || c == '.' || c == '\t' || c == ':' || c == '|' ||
               c == '(' || c == ')' || c == '[' || c == ']' || c == ',';
    if (sep) {
      flush();
      prev = 0;
      continue;
    }
    bool upper = c >= 'A' && c <= 'Z';
    if (split_camel && upper && ((prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9'))) flush();
    tok += upper ? static_cast<char>(c - 'A' + 'a') : c;
    prev = c;
  }
  flush();
  expand_in_context(out);
  return out;
}

// A classified key: its family and the role its tokens suggest (with a
// priority: lower is preferred; token matches rank after every alias).
struct TokenClass {
  KeyFamily family = KeyFamily::kNone;
  std::optional<Role> role;
  int priority = 0;
};

inline bool is_loss_token(std::string_view t) {
  // "los": a loss key cut short in the source (DMRGCN's "Val_los"). The
  // error metrics a boosting library prints as its objective's value each
  // round ("train-rmse", "eval-mae", "train-gamma-nloglik") are loss-family
  // keys too, never the primary loss: a NaN in them is the model's NaN.
  // Bits per byte / character / dimension are a cross-entropy in bits (modded-nanogpt's and parameter-golf's
  // "val_bpb", enwik8's "bpc", image models' "bpd"): the loss, as "nll" is.
  return t == "loss" || t == "losses" || t == "los" || t == "nll" || t == "perplexity" || t == "ppl" || t == "obj" ||
         t == "bpb" || t == "bpc" || t == "bpd" || one_of(t, {"rmse", "mse", "mae", "rmsle", "nloglik"}) ||
         (t.size() >= 6 && ends_with(t, "loss"));  // "celoss", "trainloss"; not "lossy", "gloss"
}

inline bool is_quality_token(const std::vector<std::string>& tk, std::size_t i) {
  std::string_view t = tk[i];
  std::string_view next = i + 1 < tk.size() ? std::string_view(tk[i + 1]) : std::string_view();
  if (one_of(t,
             {"accuracy", "accuracies", "top1",      "top5",     "topk",        "map",       "ap",     "ap50", "ap75",
              "aps",      "apm",        "apl",       "map50",    "map75",       "precision", "recall", "f1",   "fscore",
              "f1score",  "bleu",       "sacrebleu", "meteor",   "auc",         "auroc",     "iou",    "miou", "dice",
              "em",       "winrate",    "success",   "correct",  "correctness", "prec",      "psnr",   "ssim", "ndcg",
              "mrr",      "kappa",      "pearson",   "spearman", "mcc"}))
    return true;
  // "R@1", "R@10": the recall at k of retrieval and re-ranking papers.
  if (starts_with_any(t, {"rouge", "chrf", "pass@", "acc@", "top@", "bleu", "map@", "ap@", "prec@", "precision@",
                          "recall@", "r@", "ndcg@", "hit@", "hr@", "mrr@"}))
    return true;  // "mAP@0.5", "AP@.5:.95" (YOLO and COCO printouts), "Prec@1" (PyTorch's ImageNet), "NDCG@10" too
  if (t == "matthews" && next == "correlation") return true;
  if ((t == "acc" || t == "top" || t == "accuracy") && all_digits(next)) return true;
  if (starts_with(t, "acc") && all_digits(t.substr(3))) return true;  // acc1, acc5
  if (starts_with(t, "top") && all_digits(t.substr(3))) return true;  // top10
  if (starts_with(t, "map") && all_digits(t.substr(3))) return true;  // map50
  if (t == "m" && next == "ap") return true;                          // "mAP" split by case
  if (t == "exact" && (next == "match" || next == "matches")) return true;
  if (t == "pass" && (next == "at" || all_digits(next) || starts_with(next, "k"))) return true;
  if (t == "win" && next == "rate") return true;
  if (t == "roc" && next == "auc") return true;
  return false;
}

inline bool has(const std::vector<std::string>& tk, std::initializer_list<std::string_view> set) {
  for (const auto& t : tk)
    if (one_of(t, set)) return true;
  return false;
}

// Tokens that qualify a loss/reward/KL key without making it a different
// quantity ("train", "mean", "epoch"...): such keys may be the primary one
// ("of" and "batches": ST-GCN's "Mean test loss of 8 batches").
// "binary" / "multi" (the objective's kind) and "logloss" (the log loss
// itself) in a boosting library's metric name (LightGBM's "binary_logloss").
inline bool neutral_token(std::string_view t) {
  return one_of(t, {"train",     "training",   "trn",    "tr",       "lm",     "total",   "tot",        "avg",
                    "average",   "mean",       "epoch",  "step",     "steps",  "running", "overall",    "batch",
                    "model",     "objective",  "main",   "smoothed", "smooth", "ema",     "global",     "iter",
                    "iteration", "all",        "final",  "loss",     "losses", "los",     "nll",        "ce",
                    "mlm",       "clm",        "sft",    "token",    "per",    "cross",   "entropy",    "episode",
                    "rollout",   "env",        "rlhf",   "policy",   "approx", "div",     "divergence", "kl",
                    "reward",    "rewards",    "return", "returns",  "rew",    "value",   "grad",       "gradient",
                    "norm",      "total_norm", "gnorm",  "binary",   "multi",  "logloss", "of",         "batches",
                    "bpb",       "bpc",        "bpd"}) ||
         all_digits(t);
}

// What the tokens of a key say: each flag is set by one token (seen with its
// neighbours) anywhere in the key.
struct TokenFlags {
  bool val = false;         // a val/test/dev token
  bool train = false;       // a train token
  bool loss = false;        // a loss ("loss", "nll", "ppl", "cross entropy")
  bool quality = false;     // an accuracy-like score (is_quality_token)
  bool reward = false;      // a reward or return
  bool kl = false;          // a KL divergence
  bool entropy = false;     // an entropy (not "cross entropy")
  bool lr = false;          // a learning rate
  bool gnorm = false;       // a gradient norm
  bool tput = false;        // a throughput ("fps", "tokens_per_sec", "it/s")
  bool scale = false;       // a scale ("loss_scale", "scaler")
  bool not_metric = false;  // a setting or a count ("kl_coef", "reward_std", "num_...")
  bool step_time = false;   // the duration of a step ("iter_time", "s/it")
};

// tk[i] (with its neighbours) names a throughput.
inline bool is_throughput_token(const std::vector<std::string>& tk, std::size_t i) {
  std::string_view t = tk[i];
  std::string_view next = i + 1 < tk.size() ? std::string_view(tk[i + 1]) : std::string_view();
  std::string_view prev = i > 0 ? std::string_view(tk[i - 1]) : std::string_view();
  // ("ips": PaddlePaddle's instances per second, "ips: 107.9 images/sec", "avg_ips")
  return one_of(t, {"throughput", "fps", "wps", "ups", "tps", "ips", "speed", "mfu", "tflops", "samplespersec",
                    "tokenspersec", "samplespersecond", "tokenspersecond"}) ||
         t.find("persec") != std::string_view::npos || t.find("per_sec") != std::string_view::npos ||
         (t == "per" && (next == "second" || next == "sec" || next == "s")) ||
         ((t == "s" || t == "sec" || t == "second") &&
          one_of(prev, {"it",        "its",      "samples", "sample", "tokens", "token",  "tok",
                        "toks",      "steps",    "step",    "img",    "imgs",   "images", "seqs",
                        "sequences", "examples", "batches", "words",  "frames", "iters",  "iterations"}) &&
          // ... unless the key says it is a time: "time/step_s", "time/sample_s" are seconds a step took (r32: a
          // Tinker GRPO run's step time falling from 270 s to 166 s read as a throughput collapse)
          !has(tk, {"time", "duration"}));
}

// The two halves of a time-per-step unit ("s/itr", "ms/batch"): a time, then a unit of work.
inline bool is_time_unit_token(std::string_view t) { return one_of(t, {"s", "sec", "secs", "ms"}); }
inline bool is_work_unit_token(std::string_view t) {
  return one_of(t, {"it", "itr", "iter", "iteration", "step", "batch"});
}

// tk[i] (with its neighbours) names the duration of a step.
inline bool is_step_time_token(const std::vector<std::string>& tk, std::size_t i) {
  std::string_view t = tk[i];
  std::string_view next = i + 1 < tk.size() ? std::string_view(tk[i + 1]) : std::string_view();
  // "time delta": the time between two prints, a fixed number of steps apart.
  if ((t == "time" || t == "sec" || t == "secs" || t == "seconds" || t == "ms") &&
      (has(tk, {"iteration", "iter", "itr", "step", "batch", "it", "delta"}) ||
       (next == "per" && i + 2 < tk.size() && !one_of(tk[i + 2], {"episode", "episodes"}))))
    return true;  // not "time per episode": an RL episode lasts longer as the agent survives longer
  // What a step, batch or epoch "took" (nnU-Net's "This epoch took: 965.26 s"): a duration, never a time left.
  if (t == "took" && has(tk, {"epoch", "iteration", "iter", "step", "batch"})) return true;
  // A time unit over a step: "s/it", "s/itr", "sec/step", "ms/batch" (also as
  // the unit of a "speed", Hand4Whole's "speed: 0.72 s/itr").
  return one_of(t, {"iter_time", "step_time", "batch_time", "itertime", "steptime", "batchtime"}) ||
         (is_time_unit_token(t) && is_work_unit_token(next));
}

// The key is a time unit and nothing else ("s", "sec", "ms"): a parser gave
// a bare "(1.35s)" that name (NiftyNet's "Training iter 3211, loss=0.455
// (1.35s)"). Either a step's duration or an elapsed clock; the step-time
// rule needs a fall before it judges one (a clock never falls). A plain
// "time" stays unjudged: it is as often a timestamp or a total.
inline bool is_bare_time(const std::vector<std::string>& tk) {
  return tk.size() == 1 && one_of(tk[0], {"s", "sec", "secs", "seconds", "ms", "msec"});
}

// A token that makes the key a setting or a count, not the quantity itself ("variance", as "var" and "std": a
// spread, not the level; r32 left out of the reward role: an RL run's "reward_variance").
inline bool is_setting_token(std::string_view t) {
  return one_of(
      t, {"coef", "coeff", "beta", "target",   "ctl",  "weight",  "std",     "var", "variance", "min", "max", "frac",
          "zero", "count", "clip", "clipfrac", "time", "runtime", "epsilon", "eps", "warmup",   "num", "n",   "best"});
}

// How many tokens are neither neutral qualifiers, nor `also`, nor val/test/dev.
inline int non_neutral_tokens(const std::vector<std::string>& tk, std::initializer_list<std::string_view> also) {
  int extra = 0;
  for (const auto& t : tk) {
    if (neutral_token(t) || one_of(t, also) || one_of(t, {"val", "test", "dev"})) continue;
    ++extra;
  }
  return extra;
}

inline TokenFlags token_flags(const std::vector<std::string>& tk) {
  TokenFlags f;
  f.val = has(tk, {"val", "test", "dev", "validate", "heldout", "holdout"});
  f.train = has(tk, {"train", "training", "trn"});
  for (std::size_t i = 0; i < tk.size(); ++i) {
    std::string_view t = tk[i];
    std::string_view next = i + 1 < tk.size() ? std::string_view(tk[i + 1]) : std::string_view();
    std::string_view prev = i > 0 ? std::string_view(tk[i - 1]) : std::string_view();
    if (is_loss_token(t) || (t == "cross" && next == "entropy")) f.loss = true;
    // A loss term named the way image-restoration trainers print it: BasicSR
    // and the code built on it (NAFNet, EFNet, HDRUNet, IRN) log each term
    // as "l_<term>" ("l_pix", "l_percep", "l_g_gan", "l_forw_ce"); EDSR-PyTorch
    // logs a term by its function's name alone ("[L1: 5.96]"). Not "L.r."
    // (Marian's learning rate): the term is a word, or a one-letter network
    // ("g", "d") and then a word.
    if (i == 0 && t == "l" && is_word(next) &&
        (next.size() >= 2 || (tk.size() >= 3 && tk[2].size() >= 2 && is_word(tk[2]))))
      f.loss = true;
    // ... and with only a split or neutral words beside it (MXNet's SSD example: "Train-SmoothL1", the
    // localisation loss; r31 went nan from its first report); "l1_ratio", "L1_reg_weight" name settings
    if (one_of(t, {"l1", "l2", "smoothl1", "charbonnier"}) && non_neutral_tokens(tk, {}) == 1) f.loss = true;
    // The loss terms of pytorch-CycleGAN-and-pix2pix, as its loss log prints them: a network and
    // the domain it maps to ("D_A: 0.186 G_A: 0.381 cycle_A: 0.232 idt_A: 0.083", cyclegan#1699),
    // pix2pix's "G_GAN G_L1 D_real D_fake".
    if (i == 0 && tk.size() == 2 &&
        ((one_of(t, {"g", "d"}) && one_of(next, {"a", "b", "gan", "l1", "real", "fake"})) ||
         (one_of(t, {"cycle", "idt"}) && one_of(next, {"a", "b"}))))
      f.loss = true;
    if (t == "scale" || t == "scaler") f.scale = true;
    if (is_quality_token(tk, i)) f.quality = true;
    if (one_of(t, {"reward", "rewards", "return", "returns"})) f.reward = true;
    if (one_of(t, {"kl", "kld", "approxkl", "kldiv"})) f.kl = true;
    if (t == "entropy" && prev != "cross") f.entropy = true;
    if (t == "lr" || (t == "learning" && next == "rate") || (starts_with(t, "lr") && all_digits(t.substr(2))))
      f.lr = true;
    if (one_of(t, {"gnorm", "gradnorm", "grad_norm"}) ||
        (t == "norm" && one_of(prev, {"grad", "gradient", "grads", "total", "gradients"})))
      f.gnorm = true;
    if (is_throughput_token(tk, i)) f.tput = true;
    if (is_step_time_token(tk, i)) f.step_time = true;
    if (is_setting_token(t)) f.not_metric = true;
  }
  return f;
}

// A token match's priority: after every alias; a longer key after a shorter one.
inline constexpr int kTokenPriority = 2000;

inline void bind_token_role(TokenClass& c, Role role, const std::vector<std::string>& tk) {
  c.role = role;
  c.priority = kTokenPriority + static_cast<int>(tk.size());
}

// A family without a role of its own (a setting, a count, a time left, ...).
inline TokenClass family_only(KeyFamily family) {
  TokenClass c;
  c.family = family;
  return c;
}

// A family whose key is its one role unless it names a setting or count.
inline TokenClass family_role(KeyFamily family, Role role, const TokenFlags& f, const std::vector<std::string>& tk) {
  TokenClass c = family_only(family);
  if (!f.not_metric) bind_token_role(c, role, tk);
  return c;
}

inline TokenClass loss_class(const std::vector<std::string>& tk, const TokenFlags& f) {
  TokenClass c = family_only(KeyFamily::kLoss);
  // The primary loss (or validation loss): only neutral qualifiers, so
  // "policy_loss", "loss_cls", "kl_loss" and "ppl" never become it.
  bool plain = !has(tk, {"perplexity", "ppl", "kl", "entropy", "policy", "value", "reward", "rewards"}) ||
               (has(tk, {"cross"}) && has(tk, {"entropy"}) && !has(tk, {"policy", "value", "kl"}));
  if (plain && non_neutral_tokens(tk, {}) == 0 && !f.not_metric)
    bind_token_role(c, f.val ? Role::kValLoss : Role::kLoss, tk);
  return c;
}

inline TokenClass reward_class(const std::vector<std::string>& tk, const TokenFlags& f) {
  TokenClass c = family_only(KeyFamily::kReward);
  if (f.not_metric || has(tk, {"chosen", "rejected", "margins", "margin"})) return c;
  int extra = non_neutral_tokens(tk, {"score", "scores"});
  if (f.quality) {
    bind_token_role(c, Role::kRewardAccuracy, tk);
  } else if (!(tk.front() == "rewards" && extra > 0)) {  // "rewards/format_reward" is a component
    c.role = Role::kReward;
    c.priority = kTokenPriority + 10 * extra + static_cast<int>(tk.size());
  }
  return c;
}

inline TokenClass quality_class(const std::vector<std::string>& tk, const TokenFlags& f) {
  TokenClass c = family_only(KeyFamily::kQuality);
  if (f.not_metric) return c;
  if (has(tk, {"success", "winrate"}) || (has(tk, {"win"}) && has(tk, {"rate"}))) {
    bind_token_role(c, Role::kSuccessRate, tk);
    return c;
  }
  // Validation quality: a val/test token, or a metric only ever computed
  // on held-out data (detection AP, BLEU/ROUGE, pass@k, exact match).
  bool eval_only = false;
  for (std::size_t i = 0; i < tk.size(); ++i) {
    std::string_view t = tk[i];
    if (one_of(t, {"map", "ap", "ap50", "ap75", "map50", "map75", "bleu", "sacrebleu", "meteor", "exact", "miou",
                   "ndcg", "mrr"}) ||
        starts_with_any(t, {"rouge", "chrf", "pass", "map@", "ap@", "ndcg@", "hit@", "hr@", "mrr@", "recall@", "r@"}) ||
        (t == "m" && i + 1 < tk.size() && tk[i + 1] == "ap"))
      eval_only = true;  // retrieval / recommendation ranks are computed on held-out queries
  }
  if (f.val || (eval_only && !f.train)) {
    c.role = Role::kValAccuracy;
    c.priority = kTokenPriority + (f.val ? 0 : 100) + static_cast<int>(tk.size());
  }
  return c;
}

// A time that names what is left of the epoch or the run (minimind's
// epoch_Time is the epoch's remaining minutes), not a duration of a step.
inline bool is_eta(const std::vector<std::string>& tk, const TokenFlags& f) {
  return has(tk, {"time"}) && has(tk, {"eta", "remaining", "left", "epoch"}) && !f.tput &&
         !has(tk, {"per", "elapsed", "spent", "total", "runtime"});
}

// A classification error rate named by its split alone: "error" (or "err",
// XGBoost's multi-class "merror") with nothing beside it but a split
// (train/val/test/dev, "validation_0"'s index) or the objective's kind
// (LightGBM's "binary_error", "multi_error"). It is what a boosting library
// prints as its objective's value each round (XGBoost's "train-error",
// "validation_0-error") and what a plain training loop prints for the
// fraction misclassified ("train err", "Validation error"): lower is better,
// a loss-family key like "train-rmse" (never the primary loss). A key that
// names what is in error ("AngleError", "Mel-Spec. Error",
// "mean_absolute_error", "top1_err") is left to its other tokens.
inline bool is_error_rate(const std::vector<std::string>& tk) {
  bool error = false;
  for (const auto& t : tk) {
    if (one_of(t, {"error", "err", "merror"}))
      error = true;
    else if (!one_of(t, {"train", "training", "trn", "val", "test", "dev", "binary", "multi"}) && !all_digits(t))
      return false;
  }
  return error;
}

// The family and role of a key's tokens: the first family that applies, in this order.
inline TokenClass classify_tokens(const std::vector<std::string>& tk) {
  if (tk.empty()) return {};
  const TokenFlags f = token_flags(tk);
  if (f.scale && (f.loss || has(tk, {"scaler", "amp"})))
    return TokenClass{KeyFamily::kLossScale, Role::kLossScale, kTokenPriority};
  if (f.lr) return family_only(KeyFamily::kLr);
  if (f.loss) return loss_class(tk, f);
  if (f.gnorm) return family_role(KeyFamily::kGradNorm, Role::kGradNorm, f, tk);
  if (f.kl) return family_role(KeyFamily::kKl, Role::kKl, f, tk);
  // A time per step, also when its unit names a "speed" ("speed (s/itr)").
  if (f.step_time && (!f.tput || has(tk, {"speed"}))) return family_only(KeyFamily::kStepTime);
  if (is_bare_time(tk)) return family_only(KeyFamily::kStepTime);
  if (is_eta(tk, f)) return family_only(KeyFamily::kEta);
  if (f.tput) {
    TokenClass c = family_only(KeyFamily::kThroughput);
    // (an evaluation's speed is no measure of the training loop's: a watch of its family at most)
    if (!has(tk, {"mfu", "tflops"}) && !f.val) bind_token_role(c, Role::kThroughput, tk);
    return c;
  }
  if (f.reward) return reward_class(tk, f);
  if (f.entropy) return family_role(KeyFamily::kEntropy, Role::kEntropy, f, tk);
  if (is_error_rate(tk)) return family_only(KeyFamily::kLoss);
  // An error rate ("top1_err", "wer", "val_error") falls as the model
  // learns: not a quality metric that should rise, whatever else it names.
  if (f.quality && !has(tk, {"err", "error", "errors", "wer", "cer"})) return quality_class(tk, f);
  return {};
}

}  // namespace detail

// A time-per-step unit as printed after a value ("s/itr", "ms/batch", lower case): the text parser names the value's
// key by it ("speed (s/itr)"), which the token rules above read as a step time.
inline bool is_step_time_unit(std::string_view unit) {
  const std::size_t slash = unit.find('/');
  return slash != std::string_view::npos && detail::is_time_unit_token(unit.substr(0, slash)) &&
         detail::is_work_unit_token(unit.substr(slash + 1));
}

// The family and role of a raw key from its tokens alone (no aliases).
// camelCase keys ("trainLoss", "valAcc") are split where the plain tokens
// give no role.
inline detail::TokenClass classify_key_tokens(std::string_view key) {
  detail::TokenClass c = detail::classify_tokens(detail::key_tokens(key, false));
  if (c.role) return c;
  detail::TokenClass camel = detail::classify_tokens(detail::key_tokens(key, true));
  if (camel.family != KeyFamily::kNone && (c.family == KeyFamily::kNone || c.family == camel.family)) return camel;
  return c;
}

// Whether a key is a bare time unit ("s", "sec", "ms"): a step
// time or an elapsed clock, which the step-time rule tells apart by a fall.
inline bool is_bare_time_key(std::string_view key) { return detail::is_bare_time(detail::key_tokens(key, false)); }

// The key is a run's elapsed wall clock ("elapsed time", "time_elapsed",
// "Walltime", fairseq's "wall"): cumulative seconds, whose rise per step is
// the step's duration. Per-step times ("elapsed time per iteration") are
// step-time keys instead; the caller checks the family first.
inline bool is_elapsed_clock_key(std::string_view key) {
  auto tk = detail::key_tokens(key, true);
  return detail::has(tk, {"elapsed", "walltime", "wall"}) && !detail::has(tk, {"per", "avg", "mean", "remaining"});
}

// Matches raw keys to roles and families; caches the answer per raw key
// (bounded), so a row costs one hash lookup per key after the first time a
// key is seen.
class KeyMatcher {
 public:
  static constexpr std::size_t kMaxCachedKeys = 4096;

  KeyMatcher() : KeyMatcher(RoleAliases{}) {}
  explicit KeyMatcher(const RoleAliases& aliases) {
    for (std::size_t r = 0; r < kRoleCount; ++r) {
      int prio = 0;
      for (const auto& a : aliases.aliases[r]) {
        std::string n = normalize_key(a);
        if (n.empty()) continue;
        auto it = normalized_.find(n);
        // An alias listed for two roles binds to the first role listed.
        if (it == normalized_.end()) normalized_.emplace(std::move(n), Entry{static_cast<Role>(r), prio});
        ++prio;
      }
    }
  }

  struct Entry {
    Role role;
    int priority;  // position in the role's alias list (0 = preferred); token matches >= 2000
  };

  struct Info {
    std::optional<Entry> role;
    KeyFamily family = KeyFamily::kNone;
  };

  // The role of a raw key and its priority, or nullopt.
  std::optional<Entry> match(std::string_view key) const { return classify(key).role; }

  // The role (alias first, then tokens) and the family of a raw key.
  Info classify(std::string_view key) const {
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    Info info = lookup(key);
    if (cache_.size() < kMaxCachedKeys) cache_.emplace(std::string(key), info);
    return info;
  }

 private:
  static KeyFamily family_of(Role r) {
    switch (r) {
      case Role::kLoss:
      case Role::kValLoss:
        return KeyFamily::kLoss;
      case Role::kValAccuracy:
      case Role::kSuccessRate:
        return KeyFamily::kQuality;
      case Role::kReward:
      case Role::kRewardAccuracy:
        return KeyFamily::kReward;
      case Role::kThroughput:
        return KeyFamily::kThroughput;
      case Role::kKl:
        return KeyFamily::kKl;
      case Role::kGradNorm:
        return KeyFamily::kGradNorm;
      case Role::kEntropy:
        return KeyFamily::kEntropy;
      case Role::kLossScale:
        return KeyFamily::kLossScale;
    }
    return KeyFamily::kNone;
  }

  Info lookup(std::string_view key) const {
    Info info;
    std::string n = normalize_key(key);
    detail::TokenClass tc = classify_key_tokens(key);
    info.family = tc.family;
    auto it = normalized_.find(n);
    if (it != normalized_.end()) {
      info.role = it->second;
    } else {
      // Logger decorations: Lightning's "_step"/"_epoch", a trailing "_mean".
      for (std::string_view suffix : {"_step", "_epoch", "_mean"}) {
        if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
          auto it2 = normalized_.find(n.substr(0, n.size() - suffix.size()));
          if (it2 != normalized_.end()) {
            info.role = Entry{it2->second.role, it2->second.priority + 1000};
            break;
          }
        }
      }
    }
    if (!info.role && tc.role) info.role = Entry{*tc.role, tc.priority};
    if (info.role && info.family == KeyFamily::kNone) info.family = family_of(info.role->role);
    return info;
  }

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Entry> normalized_;
  mutable std::unordered_map<std::string, Info, Hash, std::equal_to<>> cache_;
};

}  // namespace sidecar
