// The SVG writer and axis helpers of the run report (detail/svg.h).
#include "sidecar/detail/svg.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "sidecar/core/detail/strings.h"

namespace sidecar::detail {
std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) {
    static constexpr CharEscape kXml[] = {
        {'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}};
    char c = text[i];
    if (std::string_view e = escape_of(c, kXml); !e.empty()) {
      out += e;
      ++i;
      continue;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20) {
      if (c == '\t' || c == '\n') out += c;
      ++i;
      continue;
    }
    if (u == 0x7F) {
      ++i;
      continue;
    }
    std::size_t n = u < 0x80 ? 1 : utf8_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

std::string svg_coord(double v) {
  if (!std::isfinite(v)) return "0";
  if (v > 1e7) v = 1e7;
  if (v < -1e7) v = -1e7;
  long tenths = std::lround(v * 10.0);
  std::string out = std::to_string(tenths / 10);
  if (tenths < 0 && tenths / 10 == 0) out = "-0";
  long frac = std::labs(tenths % 10);
  if (frac != 0) out += "." + std::to_string(frac);
  if (out == "-0") out = "0";
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Inf" : "-Inf";
  char buf[48];
  double a = std::fabs(v);
  if (a != 0.0 && (a >= 1e6 || a < 1e-3))
    std::snprintf(buf, sizeof buf, "%.3g", v);
  else if (a >= 1000)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::vector<AxisTick> linear_ticks(double lo, double hi, int target) {
  std::vector<AxisTick> out;
  if (!std::isfinite(lo) || !std::isfinite(hi) || target < 1) return out;
  if (hi < lo) std::swap(lo, hi);
  double span = hi - lo;
  if (span <= 0) {
    out.push_back({lo, format_value(lo)});
    return out;
  }
  double raw = span / target;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double norm = raw / mag;
  double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  double first = std::ceil(lo / step - 1e-9) * step;
  for (int i = 0; i < 50; ++i) {
    double v = first + i * step;
    if (v > hi + step * 1e-9) break;
    if (std::fabs(v) < step * 1e-9) v = 0.0;
    out.push_back({v, format_value(v)});
  }
  return out;
}

std::vector<AxisTick> log_ticks(double lo, double hi) {
  std::vector<AxisTick> out;
  if (!(lo > 0) || !std::isfinite(lo) || !std::isfinite(hi) || hi < lo) return out;
  int a = static_cast<int>(std::ceil(std::log10(lo) - 1e-9));
  int b = static_cast<int>(std::floor(std::log10(hi) + 1e-9));
  int every = 1;
  while ((b - a) / every + 1 > 8) ++every;
  for (int e = a; e <= b; e += every) {
    double v = std::pow(10.0, e);
    std::string label = (e >= -2 && e <= 4) ? format_value(v) : "1e" + std::to_string(e);
    out.push_back({v, label});
  }
  return out;
}

SvgWriter::SvgWriter(double width, double height, Attrs a) {
  out_ = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + svg_coord(width) + " " + svg_coord(height) + "\"";
  attrs(a);
  out_ += ">";
  stack_.push_back("svg");
}

void SvgWriter::attrs(Attrs a) {
  for (const auto& [k, v] : a) {
    out_ += ' ';
    out_ += k;
    out_ += "=\"";
    out_ += xml_escape(v);
    out_ += '"';
  }
}

SvgWriter& SvgWriter::open(std::string_view tag, Attrs a) {
  out_ += '<';
  out_ += tag;
  attrs(a);
  out_ += '>';
  stack_.emplace_back(tag);
  return *this;
}

SvgWriter& SvgWriter::close() {
  if (stack_.size() <= 1) return *this;  // the <svg> closes in finish()
  out_ += "</" + stack_.back() + ">";
  stack_.pop_back();
  return *this;
}

SvgWriter& SvgWriter::leaf(std::string_view tag, Attrs a, std::string_view title) {
  out_ += '<';
  out_ += tag;
  attrs(a);
  if (title.empty()) {
    out_ += "/>";
  } else {
    out_ += "><title>" + xml_escape(title) + "</title></";
    out_ += tag;
    out_ += '>';
  }
  return *this;
}

SvgWriter& SvgWriter::text(double x, double y, std::string_view t, Attrs a) {
  out_ += "<text x=\"" + svg_coord(x) + "\" y=\"" + svg_coord(y) + "\"";
  attrs(a);
  out_ += ">" + xml_escape(t) + "</text>";
  return *this;
}

SvgWriter& SvgWriter::polyline(const std::vector<std::pair<double, double>>& points, Attrs a) {
  if (points.empty()) return *this;
  out_ += "<polyline points=\"";
  bool first = true;
  for (const auto& [x, y] : points) {
    if (!first) out_ += ' ';
    first = false;
    out_ += svg_coord(x);
    out_ += ',';
    out_ += svg_coord(y);
  }
  out_ += '"';
  attrs(a);
  out_ += "/>";
  return *this;
}

std::string SvgWriter::finish() {
  while (stack_.size() > 1) close();
  if (!stack_.empty()) {
    out_ += "</svg>";
    stack_.clear();
  }
  return std::move(out_);
}

}  // namespace sidecar::detail
