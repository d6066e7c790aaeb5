// The playbook: every tunable of sidecar as one typed struct, read from YAML.
//
// The default playbook (libsidecar/playbook/*.yaml) is embedded in the
// library; a user file is merged over it (mappings deep-merge, lists of named
// items merge by `name`). Reading is strict: a wrong type, an out-of-range
// value or an unknown key (or unknown top-level section) fails with
// "file:line:col: section.key: what" and a did-you-mean.
//
//   auto pb = sidecar::load_playbook("my_playbook.yaml");
//   if (!pb) { std::cerr << pb.status().message() << "\n"; return 2; }
//   pb->detectors.loss_spike.z = 6.0;   // the same struct the YAML fills
#pragma once

#include <string>
#include <vector>

#include "sidecar/config.h"
#include "sidecar/core/dedupe.h"
#include "sidecar/core/detectors/baseline.h"
#include "sidecar/core/detectors/grad_norm.h"
#include "sidecar/core/detectors/loss.h"
#include "sidecar/core/detectors/rank_progress.h"
#include "sidecar/core/detectors/rl.h"
#include "sidecar/core/detectors/stall.h"
#include "sidecar/core/detectors/supervised.h"
#include "sidecar/core/detectors/throughput.h"
#include "sidecar/core/profile.h"
#include "sidecar/core/snapshot.h"
#include "sidecar/gpu.h"
#include "sidecar/history.h"
#include "sidecar/judge.h"
#include "sidecar/log_scan.h"
#include "sidecar/notify.h"
#include "sidecar/operator.h"
#include "sidecar/roles.h"
#include "sidecar/sinks.h"
#include "sidecar/status.h"

namespace sidecar {

// Options of every metric detector (playbook section `detectors:`). Each
// member is named after the syndrome it raises (a detector raising two,
// `grad_norm_*` / `entropy_*`, after their common stem; `rank_progress`
// raises the `hang` the log rules also raise). Defaults, bounds and reasons:
// each option's row in its struct's list (SIDECAR_OPTIONS, option_table.h).
// One row per detector: its options struct, its key (the member), the key it
// had before issue 14 ("" when unchanged) and one line saying what it raises;
// DetectorOptions and for_each_detector are made from it.
#define SIDECAR_DETECTORS(X)                                                                                         \
  X(NanLossOptions, nan_loss, "", "NaN/Inf loss: critical at once")                                                  \
  X(HighLossOptions, high_loss, "", "after warm-up, most of the last window at or above a threshold, not improving") \
  X(LossSpikeOptions, loss_spike, "", "ceiling (10x max seen), robust z of log(loss), early ratio")                  \
  X(GradNormOptions, grad_norm, "", "grad_norm_nonfinite (critical when persistent) and grad_norm_explosion")        \
  X(StallOptions, stall, "", "no new metrics for factor x the run's median interval")                                \
  X(ValAccDropOptions, validation_drop, "val_acc_drop", "supervised: validation accuracy drops or collapses")        \
  X(ValLossRegressionOptions, validation_loss_regression, "val_loss_regression",                                     \
    "supervised: validation loss regresses from its best")                                                           \
  X(RewardDropOptions, reward_drop, "", "reinforcement learning: the reward drops or declines from its peak")        \
  X(RewardHackingOptions, reward_hacking_suspected, "reward_hacking",                                                \
    "reinforcement learning: reward up, success/accuracy down")                                                      \
  X(KlExplosionOptions, kl_explosion, "", "reinforcement learning: the KL explodes")                                 \
  X(EntropyOptions, entropy, "", "reinforcement learning: entropy_collapse and entropy_explosion")                   \
  X(ThroughputRegressionOptions, throughput_regression, "", "baseline: post-warm-up median vs earlier runs' median") \
  X(QualityBehindOptions, quality_behind, "", "baseline: best val accuracy vs earlier runs at the same step")        \
  X(NonFiniteOptions, nonfinite_metric, "nonfinite",                                                                 \
    "NaN/Inf in any key that was finite (loss-family keys: nan_loss, critical)")                                     \
  X(LossDivergenceOptions, loss_divergence, "", "the loss climbs back from its minimum, fast or slow")               \
  X(FrozenLossOptions, frozen_loss, "",                                                                              \
    "identical values, exactly 0.0 after a real loss, or flat at its initial level")                                 \
  X(ThroughputCollapseOptions, throughput_collapse, "", "within the run: vs its own early post-warm-up median")      \
  X(RankProgressOptions, rank_progress, "", "hang: the rank whose log stopped while the others went on")

struct DetectorOptions {
#define SIDECAR_DETECTOR_MEMBER(Options, key, old_key, what) Options key;
  SIDECAR_DETECTORS(SIDECAR_DETECTOR_MEMBER)
#undef SIDECAR_DETECTOR_MEMBER
};

// The detectors of `detectors:` in the order `playbook show` prints them:
// fn(key, old_key, options&, what) for each. `old_key` is the name before
// issue 14 (still read, with a notice; "" when unchanged); `what` is one line.
template <typename Detectors, typename Fn>
void for_each_detector(Detectors& d, Fn&& fn) {
#define SIDECAR_DETECTOR_CALL(Options, key, old_key, what) fn(#key, old_key, d.key, what);
  SIDECAR_DETECTORS(SIDECAR_DETECTOR_CALL)
#undef SIDECAR_DETECTOR_CALL
}

// Playbook `sinks:`: the options of each sink (where to send, the run id and
// the secrets come from the command line; the session reads them).
struct SinksOptions {
  ServerSinkOptions server;              // sinks.server (--server URL)
  AlertmanagerSinkOptions alertmanager;  // sinks.alertmanager (--alertmanager URL)
  SlackSinkOptions slack;                // sinks.slack (off until a variable or file names the URL)
  WebhookSinkOptions webhook;            // sinks.webhook (likewise)
};

// Reads `sinks:` (every sink's option table; a secret given as a value is a
// located error) into `out`, appending errors.
void read_sinks_options(const Value& playbook, SinksOptions* out, std::vector<Status>* errors);

struct Playbook {
  DetectorOptions detectors;  // detectors:
  ProfileOptions profile;     // profile: {pin, hints, extra_hints, switch_margin}
  // (roles .. judge: defaults in the structs' rows or OptionTables, as for detectors)
  RoleAliases roles;                 // roles: {<role>: {aliases: [...], extra: [...]}}
  DedupeOptions dedupe;              // dedupe: {ttl_s, clear_ticks, ...}
  SnapshotOptions snapshot;          // snapshot: {heartbeat_s, ...}
  HistoryOptions history;            // history: {path, max_rows, min_samples, masks, extra_masks}
  LogOptions logs;                   // syndromes: + logs: (read by read_log_options, log_scan.h)
  GpuOptions gpu;                    // gpu: (read by read_gpu_options, gpu.h)
  ActionTable actions;               // operator: (read by read_operator_options, operator.h)
  SinksOptions sinks;                // sinks: (read by read_sinks_options)
  JudgeOptions judge;                // judge: (read by read_judge_options, judge.h)
  Value tree;                        // the effective merged tree; its `detectors:` rendered from `detectors`
  std::vector<std::string> notices;  // one line each: deprecated keys read ("file:line:col: ...")
};

// The other sections whose options have an OptionTable, in the order
// `playbook show --format md` prints them: fn(key, options&, what) for each
// (a dotted key is a subsection: sinks.server is `server:` under `sinks:`).
// (profile: its table holds the scalar options; `pin` and the hint lists,
// operator's `actions` and `roles:` are read and shown by the playbook itself.)
template <typename PlaybookT, typename Fn>
void for_each_section(PlaybookT& pb, Fn&& fn) {
  fn("profile", pb.profile, "workload profile inference (pin, hints: see above)");
  fn("dedupe", pb.dedupe, "one alert per condition: re-notification, resolution, folding");
  fn("snapshot", pb.snapshot, "monitor_note / monitor_tags / monitoring snapshots");
  fn("history", pb.history, "run history and baselines (extra_masks extends masks)");
  fn("logs", pb.logs, "the log scanner's limits");
  fn("gpu", pb.gpu, "GPU preflight: when a GPU is busy, how long to wait, what happens unanswered");
  fn("operator", pb.actions, "what an answer does (`actions`: choice text -> stop or continue, merged by key)");
  fn("sinks.server", pb.sinks.server, "the research-agent server (--server URL, --run-id, token from the environment)");
  fn("sinks.alertmanager", pb.sinks.alertmanager, "a Prometheus Alertmanager (--alertmanager URL)");
  fn("sinks.slack", pb.sinks.slack, "a Slack incoming webhook: one message per incident (docs/notifications.md)");
  fn("sinks.webhook", pb.sinks.webhook, "a generic JSON webhook: the alert record, event and incident");
  fn("judge", pb.judge, "the LLM judge: a soft fallback, asked only when the rules found nothing");
}

// Reads the engine's sections of a merged tree into `out` (keeping defaults
// for absent keys), appending located errors.
void read_engine_options(const Value& tree, Playbook* out, std::vector<Status>* errors);

// Reads every section of a merged tree (engine, logs, gpu, ...) and reports
// unknown top-level sections. Errors: kInvalidArgument (all problems, one per line).
Result<Playbook> playbook_from_tree(Value tree);

// The default playbook merged with the user's file (empty path: default
// only), typed. Errors: kNotFound / kPermissionDenied / kIoError for the file,
// kParseError for bad YAML, kInvalidArgument for bad values or unknown keys.
Result<Playbook> load_playbook(const std::string& user_path);

// The typed default playbook (no user file); never fails in a correct build.
const Playbook& default_playbook();

// `detectors:` as a tree, from the structs via their option tables (what
// `playbook show` prints).
Value detectors_tree(const DetectorOptions& d);

// The option tables of `detectors:` as Markdown (`playbook show --format md`,
// the tables of docs/playbook.md): per detector a `key | default | bounds |
// why` table, defaults taken from `d`.
std::string detectors_markdown(const DetectorOptions& d);

// The sections the option structs hold (detectors, profile, roles, dedupe,
// snapshot, history, logs, gpu, operator, sinks, judge) as a tree: what `playbook show` prints for
// them (the embedded YAML restates none of their defaults).
Value options_tree(const Playbook& pb);

// Every option table as Markdown (`playbook show --format md`, the tables of
// docs/playbook.md): detectors_markdown, then one table per for_each_section
// section, each under a "#### `name`" heading.
std::string options_markdown(const Playbook& pb);

// Renders a tree as YAML (for `sidecar-cli playbook show`).
std::string playbook_to_yaml(const Value& tree);

}  // namespace sidecar
