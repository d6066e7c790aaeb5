// Slack and webhook sinks for a session: the flags name where the secret is,
// the playbook's sinks.slack / sinks.webhook sections the rest (and may name
// the secret too). Secrets are read here, before the run starts, so a
// missing URL is an error the operator sees at once, not a silent sink.
#include <cstdlib>

#include "session_wiring.h"
#include "sidecar/notify.h"

namespace sidecar::detail {

namespace {

// A flag that names a secret replaces whatever the playbook named (the
// variable and the file together: read_secret lets a file win).
void override_secret(const std::string& flag_env, const std::string& flag_file, std::string* env, std::string* file) {
  if (flag_env.empty() && flag_file.empty()) return;
  *env = flag_env;
  *file = flag_file;
}

Status secret_error(std::string_view what, const Status& st) {
  return Status(st.code(), std::string(what) + ": " + st.message());
}

}  // namespace

Status add_notify_sinks(const SessionOptions& o, const Value& playbook, const std::string& run_id, SinkSet& sinks) {
  SlackSinkOptions slack;  // off unless the playbook or a flag names the URL's variable or file
  WebhookSinkOptions hook;
  std::vector<Status> errors;
  read_notify_sink_options(playbook, &slack, &hook, &errors);
  if (!errors.empty()) return join_errors(errors);

  override_secret(o.slack_url_env, o.slack_url_file, &slack.webhook_url_env, &slack.webhook_url_file);
  if (!slack.webhook_url_env.empty() || !slack.webhook_url_file.empty()) {
    auto url = read_secret(slack.webhook_url_env, slack.webhook_url_file);
    if (!url) return secret_error("Slack webhook URL", url.status());
    slack.webhook_url = *url;
    slack.run_id = run_id;
    sinks.add(make_slack_sink(std::move(slack)));
  }

  override_secret(o.webhook_url_env, o.webhook_url_file, &hook.url_env, &hook.url_file);
  if (!o.webhook_header_file.empty()) hook.header_file = o.webhook_header_file;
  if (!hook.url_env.empty() || !hook.url_file.empty()) {
    auto url = read_secret(hook.url_env, hook.url_file);
    if (!url) return secret_error("webhook URL", url.status());
    hook.url = *url;
    // Headers read now too (the sink would skip a bad one quietly).
    if (!hook.header_env.empty()) {
      auto h = read_secret(hook.header_env, "");
      if (!h) return secret_error("webhook header", h.status());
      if (h->find(':') == std::string::npos)
        return Status(StatusCode::kInvalidArgument,
                      "webhook header: $" + hook.header_env + " is not a 'Name: value' line");
      hook.headers.push_back(*h);
      hook.header_env.clear();
    }
    if (!hook.header_file.empty()) {
      auto hs = read_header_lines(hook.header_file);
      if (!hs) return secret_error("webhook header file", hs.status());
      for (auto& h : *hs) hook.headers.push_back(std::move(h));
      hook.header_file.clear();
    }
    hook.run_id = run_id;
    sinks.add(make_webhook_sink(std::move(hook)));
  } else if (!o.webhook_header_file.empty()) {
    return Status(StatusCode::kInvalidArgument, "--webhook-header-file needs --webhook-url-env or --webhook-url-file");
  }
  return Status::Ok();
}

}  // namespace sidecar::detail
