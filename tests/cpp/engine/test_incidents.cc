// The incident book: one failure, one incident; at most two notifications;
// resolved once.
#include <catch2/catch.hpp>
#include <string>

#include "sidecar/incidents.h"

using namespace sidecar;

namespace {

Decision dec(std::string syndrome, Severity sev, std::optional<std::int64_t> step, std::string subject = "loss") {
  Decision d;
  d.syndrome = syndrome;
  d.severity = sev;
  d.step = step;
  d.signature = "rulebased/" + syndrome + "/" + subject;
  return d;
}

}  // namespace

TEST_CASE("incidents: spike -> grad explosion -> NaN -> traceback is one incident, two notifications", "[incidents]") {
  IncidentBook book;
  auto a = book.add(dec("loss_spike", Severity::kWarning, 100), 1.0);
  CHECK(a.notify == IncidentBook::Notify::kOpened);
  auto b = book.add(dec("grad_norm_explosion", Severity::kWarning, 102, "grad_norm"), 2.0);
  CHECK(b.notify == IncidentBook::Notify::kNone);
  auto c = book.add(dec("nan_loss", Severity::kCritical, 105), 3.0);
  CHECK(c.notify == IncidentBook::Notify::kEscalated);
  auto e = book.add(dec("nan_loss", Severity::kCritical, 105, "eval_loss"), 3.0);  // eval NaN with train NaN
  CHECK(e.notify == IncidentBook::Notify::kNone);
  Decision tb = dec("traceback", Severity::kWarning, std::nullopt, "");
  tb.signature = "logwatch/traceback";
  auto t = book.add(tb, 4.0, /*event=*/true);
  CHECK(t.notify == IncidentBook::Notify::kNone);
  Decision crash = dec("cuda_error", Severity::kCritical, 106, "");
  crash.signature = "logwatch/cuda_error";
  CHECK(book.add(crash, 5.0, true).notify == IncidentBook::Notify::kNone);  // already critical
  CHECK(a.incident_id == b.incident_id);
  CHECK(a.incident_id == c.incident_id);
  CHECK(a.incident_id == e.incident_id);
  CHECK(a.incident_id == t.incident_id);
  REQUIRE(book.incidents().size() == 1);
  const Incident& inc = book.incidents().front();
  CHECK(inc.title == "loss_spike");
  CHECK(inc.severity == Severity::kCritical);
  CHECK(inc.notifications == 2);
  CHECK(*inc.first_step == 100);
  CHECK(*inc.last_step == 106);
  CHECK(inc.timeline.size() == 6);
  CHECK(inc.syndromes ==
        std::vector<std::string>{"loss_spike", "grad_norm_explosion", "nan_loss", "traceback", "cuda_error"});
}

TEST_CASE("incidents: resolve once, when every condition has resolved", "[incidents]") {
  IncidentBook book;
  auto a = book.add(dec("loss_spike", Severity::kWarning, 10), 1.0);
  book.add(dec("grad_norm_explosion", Severity::kWarning, 11, "grad_norm"), 1.0);
  CHECK_FALSE(book.resolve("rulebased/loss_spike/loss", 2.0));
  CHECK_FALSE(book.resolve("rulebased/loss_spike/loss", 2.0));  // twice: nothing
  auto r = book.resolve("rulebased/grad_norm_explosion/grad_norm", 3.0);
  REQUIRE(r);
  CHECK(*r == a.incident_id);
  CHECK_FALSE(book.resolve("rulebased/grad_norm_explosion/grad_norm", 3.0));
  CHECK(book.open_count() == 0);
  CHECK_FALSE(book.resolve("rulebased/unknown/x", 3.0));
  // The same condition again after resolution: a new incident that notifies.
  auto again = book.add(dec("loss_spike", Severity::kWarning, 12), 4.0);
  CHECK(again.notify == IncidentBook::Notify::kOpened);
  CHECK(again.incident_id != a.incident_id);
}

TEST_CASE("incidents: far-apart decisions are separate incidents, a re-raised condition never re-notifies",
          "[incidents]") {
  IncidentBook book({.step_window = 50});
  auto a = book.add(dec("loss_spike", Severity::kWarning, 100), 1.0);
  auto b = book.add(dec("validation_drop", Severity::kWarning, 5000, "val_acc"), 2.0);
  CHECK(b.notify == IncidentBook::Notify::kOpened);
  CHECK(a.incident_id != b.incident_id);
  // The spike condition re-raised after the dedupe TTL (step 6000): it stays in its incident, silent.
  auto a2 = book.add(dec("loss_spike", Severity::kWarning, 6000), 500.0);
  CHECK(a2.incident_id == a.incident_id);
  CHECK(a2.notify == IncidentBook::Notify::kNone);
  // Without steps, the time window decides.
  IncidentBook t({.time_window_s = 60});
  auto x = t.add(dec("stall", Severity::kWarning, std::nullopt, "metrics"), 0.0);
  auto y = t.add(dec("nccl_timeout", Severity::kCritical, std::nullopt, "nccl"), 30.0);
  auto z = t.add(dec("gpu_busy", Severity::kWarning, std::nullopt, "gpu"), 1000.0);
  CHECK(x.incident_id == y.incident_id);
  CHECK(y.notify == IncidentBook::Notify::kEscalated);
  CHECK(z.incident_id != x.incident_id);
}

TEST_CASE("incidents: at most max_notifications, bounded memory", "[incidents]") {
  IncidentBook one({.max_notifications = 1});
  one.add(dec("loss_spike", Severity::kWarning, 1), 0.0);
  CHECK(one.add(dec("nan_loss", Severity::kCritical, 2), 0.0).notify == IncidentBook::Notify::kNone);
  IncidentBook book({.step_window = 0, .max_timeline = 8, .max_incidents = 8});
  for (int i = 0; i < 1000; ++i) {
    auto p = book.add(dec("loss_spike", Severity::kWarning, i * 10, "k" + std::to_string(i % 50)), i);
    CHECK_FALSE(p.incident_id.empty());
  }
  CHECK(book.incidents().size() <= 8);
  IncidentBook busy({.max_timeline = 8});
  for (int i = 0; i < 1000; ++i) busy.add(dec("loss_spike", Severity::kWarning, i), i);
  REQUIRE(busy.incidents().size() == 1);
  CHECK(busy.incidents().front().timeline.size() <= 8);
  CHECK(busy.incidents().front().events == 1000);
  CHECK(busy.incidents().front().timeline.front().step == 0);   // the first events stay
  CHECK(busy.incidents().front().timeline.back().step == 999);  // and the latest
}

TEST_CASE("incidents: a condition that keeps coming back notifies for its first max_recurrences episodes",
          "[incidents]") {
  IncidentBook book({.step_window = 10});
  const std::string sig = "rulebased/grad_norm_explosion/grad_norm";
  std::vector<IncidentBook::Placement> ps;
  for (int i = 0; i < 6; ++i) {
    ps.push_back(book.add(dec("grad_norm_explosion", Severity::kWarning, i * 1000, "grad_norm"), i));
    CHECK(book.resolve(sig, i + 0.5));
  }
  for (int i = 0; i < 6; ++i) {
    INFO("episode " << i + 1);
    CHECK(ps[i].recurrence == i + 1);
    CHECK(ps[i].notify == (i < 3 ? IncidentBook::Notify::kOpened : IncidentBook::Notify::kNone));
    CHECK(ps[i].quiet_recurrence == (i >= 3));
  }
  CHECK(book.incidents().size() == 6);  // every episode stays an incident of its own, on the record
  // more severe than any episode that was told: told
  auto worse = book.add(dec("grad_norm_explosion", Severity::kCritical, 7000, "grad_norm"), 7.0);
  CHECK(worse.notify == IncidentBook::Notify::kOpened);
  CHECK_FALSE(worse.quiet_recurrence);
  CHECK(book.resolve(sig, 7.5));
  auto again = book.add(dec("grad_norm_explosion", Severity::kCritical, 8000, "grad_norm"), 8.0);
  CHECK(again.notify == IncidentBook::Notify::kNone);
  // another condition joining that quiet incident at critical is news: it escalates
  auto nan = book.add(dec("nan_loss", Severity::kCritical, 8002), 8.1);
  CHECK(nan.incident_id == again.incident_id);
  CHECK(nan.notify == IncidentBook::Notify::kEscalated);
  // other conditions count their own episodes
  IncidentBook two({.step_window = 10, .max_recurrences = 1});
  CHECK(two.add(dec("loss_spike", Severity::kWarning, 0), 0.0).notify == IncidentBook::Notify::kOpened);
  two.resolve("rulebased/loss_spike/loss", 0.5);
  CHECK(two.add(dec("loss_spike", Severity::kWarning, 1000), 1.0).notify == IncidentBook::Notify::kNone);
  CHECK(two.add(dec("quality_drop", Severity::kWarning, 5000, "acc"), 2.0).notify == IncidentBook::Notify::kOpened);
}

TEST_CASE("incidents: the conditions whose recurrences are counted are bounded", "[incidents]") {
  IncidentBook book({.step_window = 0, .max_recurrences = 1, .max_conditions = 4});
  // 100 conditions, each once: all told (a forgotten condition counts afresh)
  for (int i = 0; i < 100; ++i)
    CHECK(book.add(dec("loss_spike", Severity::kWarning, i * 10, "k" + std::to_string(i)), i).notify ==
          IncidentBook::Notify::kOpened);
  // the latest ones are remembered: a second episode of the newest is quiet
  book.resolve("rulebased/loss_spike/k99", 100.0);
  CHECK(book.add(dec("loss_spike", Severity::kWarning, 5000, "k99"), 101.0).notify == IncidentBook::Notify::kNone);
}
