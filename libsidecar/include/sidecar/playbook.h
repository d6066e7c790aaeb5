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
#include "sidecar/log_scan.h"
#include "sidecar/roles.h"
#include "sidecar/status.h"

namespace sidecar {

// Options of every metric detector (playbook section `detectors:`).
struct DetectorOptions {
  NanLossOptions nan_loss;
  HighLossOptions high_loss;
  LossSpikeOptions loss_spike;
  GradNormOptions grad_norm;
  StallOptions stall;
  ValAccDropOptions val_acc_drop;
  ValLossRegressionOptions val_loss_regression;
  RewardDropOptions reward_drop;
  RewardHackingOptions reward_hacking;
  KlExplosionOptions kl_explosion;
  EntropyOptions entropy;
  ThroughputRegressionOptions throughput_regression;
  QualityBehindOptions quality_behind;
  NonFiniteOptions nonfinite;
  LossDivergenceOptions loss_divergence;
  FrozenLossOptions frozen_loss;
  ThroughputCollapseOptions throughput_collapse;
  RankProgressOptions rank_progress;
};

struct Playbook {
  DetectorOptions detectors;  // detectors:
  ProfileOptions profile;     // profile: {pin, hints, extra_hints, switch_margin}
  RoleAliases roles;          // roles: {<role>: {aliases: [...], extra: [...]}}
  DedupeOptions dedupe;       // dedupe: {ttl_s, clear_ticks, ...}
  SnapshotOptions snapshot;   // snapshot: {heartbeat_s, ...}
  HistoryOptions history;     // history: {path, max_rows, min_samples, masks, extra_masks}
  LogOptions logs;            // syndromes: + logs: (read by read_log_options, log_scan.h)
  GpuOptions gpu;             // gpu: (read by read_gpu_options, gpu.h)
  Value tree;                 // the effective merged tree (for `playbook show` and other readers)
};

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

// Renders a tree as YAML (for `sidecar-cli playbook show`).
std::string playbook_to_yaml(const Value& tree);

}  // namespace sidecar
