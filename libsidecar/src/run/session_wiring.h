// The outputs for people that a session adds beside its records (issue 20):
// Slack and webhook notification sinks (flags and the playbook's
// sinks.slack / sinks.webhook) and the Prometheus /metrics exporter
// (--prometheus ADDR:PORT), kept apart from the run and watch loops, which
// call them with one line each.
#pragma once

#include <memory>
#include <string>

#include "sidecar/config.h"
#include "sidecar/pipeline.h"
#include "sidecar/session.h"
#include "sidecar/sinks.h"
#include "sidecar/status.h"

namespace sidecar::detail {

struct SessionCore;

// Adds the Slack sink when --slack-url-env/--slack-url-file or the playbook's
// sinks.slack names where its URL is, and the webhook sink likewise
// (--webhook-url-env/--webhook-url-file, sinks.webhook url_env/url_file).
// Errors: the playbook's (kInvalidArgument, located) and the secret's
// (kNotFound when the named variable is unset or the file missing, ...):
// asking for a notification that cannot be sent fails before the run starts.
Status add_notify_sinks(const SessionOptions& o, const Value& playbook, const std::string& run_id, SinkSet& sinks);

// The exporter of a session and what it counts from the sinks' side.
class PrometheusWiring;

// --prometheus: binds the exporter (a notice names the address and port) and
// adds the sink that counts alerts and open incidents for it to `sinks`.
// Also made (without a server) for SessionOptions::progress.
// nullptr when o.prometheus and o.progress are empty. Errors: kInvalidArgument (bad
// address), kUnavailable (cannot bind).
Result<std::shared_ptr<PrometheusWiring>> start_prometheus(const SessionOptions& o, const std::string& run_id,
                                                           SinkSet& sinks, SessionReporter& rep);

// Hands the exporter and SessionOptions::progress the session's current
// state (does nothing without either).
// Cheap: a few copies and a pointer swap; call it once per tick.
void update_prometheus(const SessionCore& core);

}  // namespace sidecar::detail
