// A small SVG writer and axis helpers for the run report (report.h). Always
// produces well-formed markup: text and attribute values are escaped, invalid
// UTF-8 bytes become U+FFFD, non-finite coordinates are written as 0.
//
//   sidecar::detail::SvgWriter svg(960, 240);
//   svg.open("g", {{"class", "plot"}});
//   svg.leaf("line", {{"x1", "0"}, {"y1", "0"}, {"x2", "10"}, {"y2", "10"}}, "a hover text");
//   svg.close();
//   std::string markup = svg.finish();
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sidecar::detail {

// Escapes &, <, >, " and ' for XML text and attribute values; control
// characters (other than tab and newline) are dropped and invalid UTF-8
// bytes become U+FFFD.
std::string xml_escape(std::string_view text);

// A coordinate with at most one decimal ("12.5", "3", "-0.5"); non-finite -> "0".
std::string svg_coord(double v);

// A value for people: up to 4 significant digits, exponent form for very
// large or small magnitudes ("0.5234", "1.2e+30", "12345", "NaN", "Inf").
std::string format_value(double v);

struct AxisTick {
  double value = 0.0;
  std::string label;
};

// About `target` round ticks (1, 2, 5 x 10^k steps) covering [lo, hi].
std::vector<AxisTick> linear_ticks(double lo, double hi, int target = 5);
// Ticks at powers of ten within [lo, hi] (lo > 0); thinned to at most ~8.
std::vector<AxisTick> log_ticks(double lo, double hi);

class SvgWriter {
 public:
  using Attrs = std::initializer_list<std::pair<std::string_view, std::string>>;

  // <svg xmlns=… viewBox="0 0 width height" …extra attributes>
  SvgWriter(double width, double height, Attrs attrs = {});

  // <tag attrs> (closed by close()).
  SvgWriter& open(std::string_view tag, Attrs attrs = {});
  SvgWriter& close();
  // <tag attrs/>, or <tag attrs><title>title</title></tag> when title is not empty.
  SvgWriter& leaf(std::string_view tag, Attrs attrs, std::string_view title = "");
  // <text x y attrs>text</text>
  SvgWriter& text(double x, double y, std::string_view text, Attrs attrs = {});
  // <polyline points="x,y x,y …" attrs/>; nothing for fewer than 1 point.
  SvgWriter& polyline(const std::vector<std::pair<double, double>>& points, Attrs attrs);
  // Closes every open element and the <svg>; returns the markup.
  std::string finish();

  std::size_t open_depth() const { return stack_.size(); }

 private:
  void attrs(Attrs a);
  std::string out_;
  std::vector<std::string> stack_;
};

}  // namespace sidecar::detail
