// Roles and families from real metric names, as training code logs them
// (HF Trainer/TRL, Lightning, SB3, mmdetection/detectron2, YOLOv5, fairseq,
// Megatron, timm, Keras).
#include <catch2/catch.hpp>
#include <optional>
#include <string_view>

#include "sidecar/roles.h"

using namespace sidecar;

namespace {

std::optional<Role> role(const KeyMatcher& m, std::string_view k) {
  auto e = m.match(k);
  return e ? std::optional<Role>(e->role) : std::nullopt;
}
KeyFamily family(const KeyMatcher& m, std::string_view k) { return m.classify(k).family; }

}  // namespace

TEST_CASE("roles: the loss family by tokens, one primary loss", "[roles]") {
  KeyMatcher m;
  for (std::string_view k : {"loss", "train_loss_epoch", "Loss/train", "lm loss", "train/loss_step", "trainLoss",
                             "total_loss", "training/loss", "avg_loss", "avr_loss", "train/nll", "cost", "Cost",
                             // "tot" is short for total (WLASL#74: "Loc Loss", "Cls Loss", "Tot Loss")
                             "Tot Loss", "tot_loss",
                             // a cross-entropy in bits: per byte (parameter-golf), character (enwik8), dimension
                             "bpb", "train_bpb", "bpc", "train bpd"}) {
    INFO(k);
    CHECK(role(m, k) == Role::kLoss);
    CHECK(family(m, k) == KeyFamily::kLoss);
  }
  // ST-GCN and its forks (2s-AGCN, CTR-GCN): "Mean test loss of 8 batches: 0.358" after each evaluation.
  for (std::string_view k : {"val_loss", "eval_loss", "Loss/val", "test_loss", "valid loss", "Vali Loss",
                             "val_loss_epoch", "Val_los", "Mean test loss of 8 batches", "val_bpb", "test_bpc"}) {
    INFO(k);
    CHECK(role(m, k) == Role::kValLoss);
    CHECK(family(m, k) == KeyFamily::kLoss);
  }
  // Other loss-family keys: watched for non-finite values, never the primary loss.
  for (std::string_view k :
       {"policy_loss", "value_loss", "loss_cls", "loss_bbox", "train/value_loss", "train/policy_gradient_loss",
        "train/entropy_loss", "kl_loss", "d_loss", "actor_loss", "loss/value_avg", "perplexity", "val_ppl", "CELoss",
        // A boosting library's per-round objective value (xgboost#88, #6723).
        "train-rmse", "eval-rmse", "valid_0 mae", "train-gamma-nloglik", "val_mse"}) {
    INFO(k);
    CHECK(family(m, k) == KeyFamily::kLoss);
    CHECK(role(m, k) != Role::kLoss);
  }
  // LightGBM's per-round log (LightGBM#742): a possessive "'s" names whose
  // value it is, "binary"/"multi" the objective's kind, "logloss" the log
  // loss itself: the training side is the loss, "valid_1's" the validation loss.
  CHECK(role(m, "training's binary_logloss") == Role::kLoss);
  CHECK(role(m, "valid_1's binary_logloss") == Role::kValLoss);
  CHECK(role(m, "valid_0's multi_logloss") == Role::kValLoss);
  CHECK(role(m, "valid_1's auc") == Role::kValAccuracy);
  // Still not the primary loss: a component or another quantity after the possessive.
  CHECK(role(m, "training's rpn_loss") != Role::kLoss);
  CHECK(role(m, "agent's policy_loss") != Role::kLoss);
  // Aliases rank before token matches within one row.
  CHECK(m.match("loss")->priority < m.match("Loss/train")->priority);
  CHECK(m.match("train_loss")->priority < m.match("lm loss")->priority);
  // Loss terms as image-restoration trainers print them: BasicSR's "l_<term>"
  // (EFNet#11's l_pix, IRN's l_forw_ce), EDSR-PyTorch's function name alone
  // ("[L1: inf]", EDSR-PyTorch#198): loss-family keys, none the primary loss.
  for (std::string_view k : {"l_pix", "l_percep", "l_g_gan", "l_forw_ce", "L1", "L2", "SmoothL1", "Train-SmoothL1",
                             "Validation-SmoothL1", "val_l1",
                             // pytorch-CycleGAN-and-pix2pix's loss log (cyclegan#1699), pix2pix's terms
                             "D_A", "G_B", "cycle_A", "idt_B", "G_GAN", "G_L1", "D_real", "D_fake"}) {
    INFO(k);
    CHECK(family(m, k) == KeyFamily::kLoss);
    CHECK(role(m, k) != Role::kLoss);
  }
  // Not losses.
  for (std::string_view k : {"lossy", "gloss", "loss_scale", "scaler/scale", "epoch", "step", "L.r.", "l_2", "l1_ratio",
                             "L1_reg_weight", "level", "D_C", "G", "cycle", "idt_A_weight", "a_D"}) {
    INFO(k);
    CHECK(family(m, k) != KeyFamily::kLoss);
  }
  CHECK(role(m, "loss_scale") == Role::kLossScale);
}

TEST_CASE("roles: a classification error rate named by its split is a loss-family key", "[roles]") {
  KeyMatcher m;
  // XGBoost's per-round eval metric (xgboost#1692: test-error 0.027200 ..
  // 0.027195), the sklearn API's "validation_0-error", LightGBM's
  // "binary_error", a training loop's "train err" / "Validation error":
  // lower is better, like "train-rmse"; never the primary loss.
  for (std::string_view k : {"train-error", "test-error", "validation_0-error", "eval-merror", "binary_error",
                             "multi_error", "train err", "test err", "Validation error", "error", "Err"}) {
    INFO(k);
    CHECK(family(m, k) == KeyFamily::kLoss);
    CHECK(role(m, k) != Role::kLoss);
    CHECK(role(m, k) != Role::kValAccuracy);
  }
  // An error of something named beside it stays with its other tokens.
  for (std::string_view k :
       {"AngleError", "Mel-Spec. Error", "mean_absolute_error", "top1_err", "Minibatch error", "error_rate"}) {
    INFO(k);
    CHECK(family(m, k) != KeyFamily::kLoss);
  }
}

TEST_CASE("roles: quality metrics that should rise, in their real spellings", "[roles]") {
  KeyMatcher m;
  for (std::string_view k : {"accuracy",
                             "train_acc",
                             "top1",
                             "acc@1",
                             "acc1",
                             "top-5",
                             "bbox/AP",
                             "bbox/AP50",
                             "mAP_0.5",
                             "metrics/mAP_0.5:0.95",
                             "val/bbox_mAP_50",
                             "metrics/precision",
                             "recall",
                             "f1",
                             "eval_f1",
                             "bleu",
                             "eval_rouge1",
                             "rougeLsum",
                             "chrF",
                             "chrf++",
                             "auc",
                             "roc_auc",
                             "val_iou",
                             "mIoU",
                             "dice",
                             "exact_match",
                             "eval_exact_match",
                             "pass@1",
                             "pass_at_10",
                             "win_rate",
                             "success_rate",
                             "eval/success",
                             "valAcc"}) {
    INFO(k);
    CHECK(family(m, k) == KeyFamily::kQuality);
  }
  // Validation quality binds val_accuracy: a val/test token, or a metric only computed on held-out data.
  for (std::string_view k :
       {"val_acc", "eval_accuracy", "val/top1", "eval_top1", "test_acc", "bbox/AP", "mAP_0.5", "val/bbox_mAP_50",
        "eval_rouge1", "pass@1", "eval_exact_match", "valAcc", "val_f1", "mAP@0.5", "mAP@.5:.95", "AP@0.5"}) {
    INFO(k);
    CHECK(role(m, k) == Role::kValAccuracy);
  }
  // A best-so-far value is a quality metric, never the metric itself.
  CHECK(family(m, "best test acc") == KeyFamily::kQuality);
  CHECK_FALSE(role(m, "best test acc"));
  CHECK_FALSE(role(m, "val/best_acc"));
  CHECK(family(m, "Obj(log[Pzx])") == KeyFamily::kLoss);  // an objective
  // Training accuracy is a quality metric but not validation accuracy.
  for (std::string_view k : {"accuracy", "train_acc", "train/accuracy", "metrics/precision"}) {
    INFO(k);
    CHECK_FALSE(role(m, k));
  }
  for (std::string_view k : {"win_rate", "success_rate", "eval/success", "train/success_rate", "winrate"}) {
    INFO(k);
    CHECK(role(m, k) == Role::kSuccessRate);
  }
  // Lower-is-better or unrelated names are not quality.
  for (std::string_view k : {"wer", "error_rate", "mapping_time", "apple", "topology"}) {
    INFO(k);
    CHECK(family(m, k) != KeyFamily::kQuality);
  }
}

TEST_CASE("roles: throughput, lr, grad norm, KL, entropy", "[roles]") {
  KeyMatcher m;
  for (std::string_view k :
       {"samples_per_second", "train_samples_per_second", "tokens/s", "it/s", "samplesPerSec", "TokensPerSec", "speed",
        "time/fps", "throughput", "tok/s", "wps", "imgs/s", "ips", "avg_ips"}) {
    INFO(k);
    CHECK(family(m, k) == KeyFamily::kThroughput);
    CHECK(role(m, k) == Role::kThroughput);
  }
  for (std::string_view k : {"s/it", "train_runtime", "time/iter", "sec_per_step", "time/step_s", "time/sample_s"}) {
    INFO(k);
    CHECK(family(m, k) != KeyFamily::kThroughput);
  }
  // An evaluation's speed is of the throughput family but binds no role: it is not the training loop's.
  for (std::string_view k : {"eval_samples_per_second", "eval_steps_per_second", "val/tokens_per_sec"}) {
    INFO(k);
    CHECK(family(m, k) == KeyFamily::kThroughput);
    CHECK_FALSE(role(m, k).has_value());
  }
  // Time per iteration is inverse throughput.
  for (std::string_view k : {"elapsed time per iteration (ms)", "s/it", "time/iter", "sec_per_batch", "iter_time",
                             "step_time", "time/step_s"}) {
    INFO(k);
    CHECK(family(m, k) == KeyFamily::kStepTime);
  }
  // PaddlePaddle's "batch_cost" stays unjudged: its first print is the timer's start (6e-05 s, then 20.7 s: ppdet#1507)
  CHECK(family(m, "batch_cost") != KeyFamily::kStepTime);
  // An RL episode lasts longer as the agent survives longer: no fixed unit of work.
  for (std::string_view k : {"train_runtime", "eval_runtime", "elapsed time", "time", "time per episode", "took"}) {
    INFO(k);
    CHECK(family(m, k) != KeyFamily::kStepTime);
  }
  // A time unit over a step, also as the unit of a "speed" (Hand4Whole's
  // "speed: 0.72 s/itr"), and a bare unit ("(1.35s)" parsed as "s").
  // "time delta": the wall time between two prints a fixed number of steps apart.
  // What an epoch or a step "took" (nnU-Net's "This epoch took: 965.26 s"): a duration, never a time left.
  for (std::string_view k : {"speed (s/itr)", "speed s/itr", "s/iter", "sec/step", "ms/batch", "s", "sec", "ms",
                             "time delta", "time_delta", "This epoch took", "step took"}) {
    INFO(k);
    CHECK(family(m, k) == KeyFamily::kStepTime);
    CHECK_FALSE(role(m, k));
  }
  // Throughput with the unit spelled "sec": "samples/sec", "tokens/sec".
  for (std::string_view k : {"samples/sec", "tokens/sec", "img/sec"}) {
    INFO(k);
    CHECK(role(m, k) == Role::kThroughput);
  }
  CHECK(is_bare_time_key("s"));
  CHECK_FALSE(is_bare_time_key("s/it"));
  CHECK(family(m, "speed (it/s)") == KeyFamily::kThroughput);
  // A remaining-time estimate (it should fall as the run advances).
  for (std::string_view k : {"epoch_Time", "time_remaining", "eta_time", "time left"}) {
    INFO(k);
    CHECK(family(m, k) == KeyFamily::kEta);
  }
  for (std::string_view k : {"train_runtime", "elapsed time", "epoch", "time", "total_time", "epoch time per step"}) {
    INFO(k);
    CHECK(family(m, k) != KeyFamily::kEta);
  }
  for (std::string_view k : {"lr", "learning_rate", "lr-Adam", "train/lr", "lr0"}) {
    INFO(k);
    CHECK(family(m, k) == KeyFamily::kLr);
    CHECK_FALSE(role(m, k));
  }
  for (std::string_view k : {"grad_norm", "gnorm", "total_norm", "train/grad_norm", "grad-norm", "gradient_norm"}) {
    INFO(k);
    CHECK(role(m, k) == Role::kGradNorm);
  }
  CHECK(family(m, "param_norm") == KeyFamily::kNone);
  for (std::string_view k : {"approx_kl", "kl_div", "objective/kl", "kl", "policy/approxkl_avg", "train/approx_kl"}) {
    INFO(k);
    CHECK(role(m, k) == Role::kKl);
  }
  CHECK(family(m, "objective/kl_coef") == KeyFamily::kKl);
  CHECK_FALSE(role(m, "objective/kl_coef"));  // a coefficient, not a divergence
  CHECK_FALSE(role(m, "target_kl"));
  for (std::string_view k : {"entropy", "objective/entropy", "policy/entropy_avg"}) {
    INFO(k);
    CHECK(role(m, k) == Role::kEntropy);
  }
  CHECK(family(m, "cross_entropy") == KeyFamily::kLoss);
  CHECK(role(m, "cross_entropy") == Role::kLoss);
}

TEST_CASE("roles: reward and reward components", "[roles]") {
  KeyMatcher m;
  for (std::string_view k :
       {"reward", "rollout/ep_rew_mean", "episode_return", "train/episode_reward", "objective/rlhf_reward",
        "rewards/mean", "eval/mean_reward", "MeanRew", "Reward moyen (100 ep)", "AverageEpRet", "EpRet"}) {
    INFO(k);
    CHECK(role(m, k) == Role::kReward);
  }
  // Beside one episode's reward the mean over episodes is preferred: the first is the second's noise (r22's
  // REINFORCE CartPole notebook: Reward 9 after a mean of 18.8, its Mean Reward rising to 99).
  REQUIRE(m.match("Mean Reward"));
  REQUIRE(m.match("Reward"));
  CHECK(m.match("Mean Reward")->priority < m.match("Reward")->priority);
  // verl logs the task's score beside the rewards the policy is trained on, which add the KL penalty in the reward
  // (r41: an on-policy distillation whose score falls -0.68 -> -1.0 while critic/rewards/mean rises -13.6 -> -1.3 as
  // the policy stops answering): the score is the reward.
  REQUIRE(m.match("critic/score/mean"));
  REQUIRE(m.match("critic/rewards/mean"));
  CHECK(m.match("critic/score/mean")->role == Role::kReward);
  CHECK(m.match("critic/score/mean")->priority < m.match("critic/rewards/mean")->priority);
  for (std::string_view k : {"rewards/accuracy_reward/mean", "rewards/correctness_reward_func/mean",
                             "rewards/accuracy_reward_func", "rewards/exact_match_reward"}) {
    INFO(k);
    CHECK(role(m, k) == Role::kRewardAccuracy);
  }
  for (std::string_view k : {"rewards/format_reward/mean", "reward_std", "frac_reward_zero_std", "rewards/chosen",
                             "rewards/margins", "reward_variance"}) {
    INFO(k);
    CHECK(family(m, k) == KeyFamily::kReward);
    CHECK(role(m, k) != Role::kReward);
    CHECK(role(m, k) != Role::kRewardAccuracy);
  }
}

TEST_CASE("roles: an accuracy cut short ('valid_ac', 'val_accu') beside a split token", "[roles]") {
  KeyMatcher m;
  for (std::string_view k : {"valid_ac", "val_ac", "Val Accu", "test_accur"}) {
    INFO(k);
    CHECK(role(m, k) == Role::kValAccuracy);
  }
  CHECK(family(m, "train_ac") == KeyFamily::kQuality);
  CHECK(family(m, "ac") == KeyFamily::kNone);  // alone it names nothing known
  CHECK(normalize_key("valid_ac") == "val_accuracy");
}

TEST_CASE("roles: ranking, image and correlation scores rise, error rates do not", "[roles]") {
  KeyMatcher m;
  for (std::string_view k : {"NDCG@10", "HR@10", "recall@20", "MRR", "val_psnr", "eval_matthews_correlation",
                             "eval_pearson", "val_prec", "rerank R@1", "R@5"}) {
    INFO(k);
    CHECK(role(m, k) == Role::kValAccuracy);
  }
  for (std::string_view k : {"Prec@1", "prec@5", "psnr", "ssim", "kappa"}) {
    INFO(k);
    CHECK(family(m, k) == KeyFamily::kQuality);
  }
  // Lower is better: a falling error rate must never read as a quality drop.
  for (std::string_view k : {"top1_err", "val_error", "wer", "val_wer", "train_err", "error_rate", "val_cer"}) {
    INFO(k);
    CHECK(family(m, k) != KeyFamily::kQuality);
    CHECK_FALSE(role(m, k));
  }
}

TEST_CASE("roles: unknown and odd keys never crash and bind nothing", "[roles]") {
  KeyMatcher m;
  for (std::string_view k : {"", "///", "epoch", "step", "global_step", "memory_allocated", "foo", "@@", "a.b.c",
                             "\xff\xfe", "completions/mean_length", "clip_ratio/low_mean"}) {
    INFO(k);
    CHECK_FALSE(role(m, k));
  }
  CHECK(family(m, "epoch") == KeyFamily::kNone);
  // The cache answers the same as a fresh lookup.
  CHECK(role(m, "Loss/train") == Role::kLoss);
  CHECK(role(m, "Loss/train") == Role::kLoss);
}
