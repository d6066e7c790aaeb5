// A live one-line status for `sidecar-cli run` on a terminal:
//   ⠿ step 1200 · loss 0.5234 · 41.2 rows/s · 1 open incident (critical)
// repainted in place ("\r" + text + erase-to-end-of-line), at most every
// min_interval_s, cut to the terminal's width. It writes straight to the
// terminal (stderr), never to run.log, and is inert when that stream is not a
// TTY or TERM is "dumb". Before printing a normal line, call clear(); the
// next update() repaints.
//
//   sidecar::cli::StatusLine status(STDERR_FILENO);
//   status.update({.step = 1200, .loss = 0.52, .rate = 41.2, .open_incidents = 1}, now);
//   status.clear();  std::fputs("WARN ...\n", stderr);
//
// Not thread-safe: one owner (the run loop's reporter).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace sidecar::cli {

class StatusLine {
 public:
  struct Fields {
    std::optional<std::int64_t> step;
    std::optional<double> loss;
    std::optional<double> rate;  // rows per second
    std::size_t open_incidents = 0;
    std::string worst_severity;  // of the open incidents: "critical", "warning", ... ("" = none)
  };

  // Active when `fd` is a TTY and TERM is not "dumb" (force: active regardless, for tests).
  explicit StatusLine(int fd, bool force = false, double min_interval_s = 0.25);
  ~StatusLine();  // clears the line
  StatusLine(const StatusLine&) = delete;
  StatusLine& operator=(const StatusLine&) = delete;

  bool active() const { return active_; }
  // Repaints when active and min_interval_s passed since the last paint
  // (`now`: monotonic seconds). Returns whether it painted.
  bool update(const Fields& fields, double now);
  // Erases the line (when one is shown).
  void clear();

  // The text for a width (pure; no escape codes except colour when `color`).
  static std::string render(const Fields& fields, std::size_t width, bool color);

 private:
  std::size_t width() const;
  void write_all(const std::string& s);

  int fd_;
  bool active_;
  bool color_;
  double min_interval_s_;
  double last_paint_ = -1e300;
  bool shown_ = false;
  unsigned frame_ = 0;
};

}  // namespace sidecar::cli
