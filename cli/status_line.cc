// StatusLine (status_line.h).
#include "status_line.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sidecar::cli {
namespace {

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Inf" : "-Inf";
  char buf[32];
  double a = std::fabs(v);
  std::snprintf(buf, sizeof buf, (a != 0 && (a >= 1e5 || a < 1e-3)) ? "%.3g" : "%.4g", v);
  return buf;
}

// Display width: counts UTF-8 code points (every character we print is one column).
std::size_t columns(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string cut(const std::string& s, std::size_t width) {
  if (columns(s) <= width) return s;
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80) {
      if (n + 1 >= width) break;
      ++n;
    }
    out += s[i];
  }
  return out + "…";
}

}  // namespace

StatusLine::StatusLine(int fd, bool force, double min_interval_s) : fd_(fd), min_interval_s_(min_interval_s) {
  const char* term = std::getenv("TERM");
  bool dumb = term != nullptr && std::strcmp(term, "dumb") == 0;
  active_ = force || (::isatty(fd) == 1 && !dumb);
  const char* no_color = std::getenv("NO_COLOR");
  color_ = active_ && !dumb && (no_color == nullptr || *no_color == '\0');
}

StatusLine::~StatusLine() { clear(); }

std::string StatusLine::render(const Fields& f, std::size_t width, bool color) {
  std::string s;
  auto sep = [&] {
    if (!s.empty()) s += " · ";
  };
  if (f.step) s += "step " + std::to_string(*f.step);
  if (f.loss) {
    sep();
    s += "loss " + number(*f.loss);
  }
  if (f.rate) {
    sep();
    s += number(*f.rate) + " rows/s";
  }
  sep();
  std::string inc;
  if (f.open_incidents == 0) {
    inc = "no open incidents";
  } else {
    inc = std::to_string(f.open_incidents) + " open incident" + (f.open_incidents == 1 ? "" : "s");
    if (!f.worst_severity.empty()) inc += " (" + f.worst_severity + ")";
  }
  std::string plain = "sidecar: " + s + inc;
  if (width > 0) plain = cut(plain, width);
  if (!color || f.open_incidents == 0) return plain;
  // Colour only the incident part, when it survived the cut.
  std::size_t at = plain.rfind(inc);
  if (at == std::string::npos) return plain;
  const char* code = f.worst_severity == "critical" ? "\x1b[31m" : "\x1b[33m";
  return plain.substr(0, at) + code + inc + "\x1b[0m" + plain.substr(at + inc.size());
}

std::size_t StatusLine::width() const {
  winsize ws{};
  if (::ioctl(fd_, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

void StatusLine::write_all(const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd_, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a status line is never worth blocking or failing for
    off += static_cast<std::size_t>(n);
  }
}

bool StatusLine::update(const Fields& fields, double now) {
  if (!active_ || now - last_paint_ < min_interval_s_) return false;
  last_paint_ = now;
  std::size_t w = width();
  std::string text = render(fields, w > 1 ? w - 1 : w, color_);  // the last column would wrap on some terminals
  write_all("\r" + text + "\x1b[K");
  shown_ = true;
  ++frame_;
  return true;
}

void StatusLine::clear() {
  if (!active_ || !shown_) return;
  write_all("\r\x1b[K");
  shown_ = false;
  last_paint_ = -1e300;  // the next update repaints at once
}

}  // namespace sidecar::cli
