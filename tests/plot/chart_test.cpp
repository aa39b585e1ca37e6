// The chart writer alone (plot/chart.hpp): what a reader relies on is checked on the SVG text.
#include <catch2/catch.hpp>

#include <clocale>
#include <cstdint>
#include <locale>
#include <string>

#include "plot/chart.hpp"

using namespace privflow;

namespace {

plot::Chart sample() {
  plot::Chart c;
  c.title = "Privacy against error";
  c.subtitle = "a sample & its <gaps>";
  c.x_label = "error";
  c.x_from_zero = true;
  plot::Panel& p = c.panels.emplace_back();  // filled in place (gcc 12 warns on a copy of a fresh one)
  p.title = "budget";
  p.y_label = "ε";
  p.bound = 2;
  p.bound_label = "≤ 2";
  p.points = {{0.5, 20.0, plot::Gap::kNone, false}, {1.0, 4.0, plot::Gap::kNone, false},      {2.0, 1.5, plot::Gap::kNone, true},
              {3.0, std::nullopt, plot::Gap::kUnbounded, false}, {4.0, 0.5, plot::Gap::kNone, true},
              {5.0, std::nullopt, plot::Gap::kUndecided, false}, {6.0, 0.25, plot::Gap::kNone, true}};
  c.lines = {{plot::LineKind::kCurrent, 2.0, "current"}, {plot::LineKind::kTuned, 1.5, "tune"}};
  c.feasible = {{2.0, 2.0}, {4.0, 6.0}};
  c.notes = {"a note"};
  return c;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

}  // namespace

TEST_CASE("nice ticks are 1, 2 or 5 times a power of ten, written exactly", "[plot]") {
  auto t = plot::nice_ticks(0, 0.0078, 6);
  CHECK(t.labels == std::vector<std::string>{"0", "0.002", "0.004", "0.006", "0.008"});
  CHECK(t.lo == 0);
  CHECK(t.hi == Approx(0.008));
  t = plot::nice_ticks(0, 12, 6);
  CHECK(t.labels == std::vector<std::string>{"0", "2", "4", "6", "8", "10", "12"});
  t = plot::nice_ticks(0.3, 8, 6);
  CHECK(t.labels == std::vector<std::string>{"0", "2", "4", "6", "8"});
  t = plot::nice_ticks(0, 3e-7, 4);
  CHECK(t.labels == std::vector<std::string>{"0", "1e-7", "2e-7", "3e-7"});
  t = plot::nice_ticks(0, 25000000, 5);
  CHECK(t.labels.back() == "2.5e7");
  t = plot::nice_ticks(5, 5, 4);  // one value: an axis around it
  CHECK(t.lo <= 5);
  CHECK(t.hi >= 5);
  CHECK(t.labels.size() >= 2);
}

TEST_CASE("log ticks: 1, 2, 5 per decade over up to 3 decades, else powers of ten", "[plot]") {
  auto t = plot::log_ticks(2, 200, 6);
  CHECK(t.log);
  CHECK(t.labels == std::vector<std::string>{"2", "5", "10", "20", "50", "100", "200"});
  CHECK(t.lo == 2);  // the axis spans the data
  CHECK(t.hi == 200);
  t = plot::log_ticks(1e-6, 100, 6);  // 8 decades: every second power of ten
  CHECK(t.labels == std::vector<std::string>{"1e-6", "0.0001", "0.01", "1", "100"});
  t = plot::log_ticks(3, 4, 6);  // no tick inside: the whole decade around it
  CHECK(t.labels == std::vector<std::string>{"1", "2", "5", "10"});
  CHECK(t.lo == 1);
  CHECK(t.hi == 10);
}

TEST_CASE("a logarithmic x axis places 1, 10 and 100 at equal distances", "[plot]") {
  plot::Chart chart;
  chart.x_log = true;
  plot::Panel panel;
  for (double x : {1.0, 10.0, 100.0}) panel.points.push_back({x, 1.0, plot::Gap::kNone, true});
  chart.panels.push_back(panel);
  const std::string svg = plot::to_svg(chart);
  std::vector<double> cx;  // the markers' centres, in drawing order
  for (auto at = svg.find("<circle cx=\""); at != std::string::npos; at = svg.find("<circle cx=\"", at + 1))
    cx.push_back(std::stod(svg.substr(at + 12)));
  REQUIRE(cx.size() >= 3);
  const std::vector<double> last(cx.end() - 3, cx.end());
  CHECK(last[1] - last[0] == Approx(last[2] - last[1]).margin(0.02));
  CHECK(last[1] > last[0]);
}

TEST_CASE("coordinates have at most two decimals and no locale", "[plot]") {
  CHECK(plot::coordinate(12.5) == "12.5");
  CHECK(plot::coordinate(3) == "3");
  CHECK(plot::coordinate(0.004) == "0");
  CHECK(plot::coordinate(-0.001) == "0");
  CHECK(plot::coordinate(1234.567) == "1234.57");
}

TEST_CASE("the SVG shows gaps, never joins across them, and cuts far values", "[plot]") {
  const std::string svg = plot::to_svg(sample());
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK(svg.find("a sample &amp; its &lt;gaps&gt;") != std::string::npos);
  CHECK(count(svg, ">∞</text>") == 1);
  CHECK(count(svg, ">?</text>") == 1);
  // Five finite points in three runs cut by the two gaps: 20 (cut), 4, 1.5 | 0.5 | 0.25.
  CHECK(count(svg, "<polyline") == 1);  // only the first run has two points
  CHECK(count(svg, "<circle") == 5);    // 20 is above the axis (4 × the bound): a triangle
  CHECK(count(svg, "<path d=\"M") == 1);
  CHECK(svg.find("▲: a value above its panel&#39;s axis") != std::string::npos);
  CHECK(svg.find(">≤ 2</text>") != std::string::npos);
  CHECK(svg.find("<clipPath id=\"chart-clip0\">") != std::string::npos);
  CHECK(svg.find("clip-path=\"url(#chart-clip0)\"") != std::string::npos);
  plot::Chart other = sample();
  other.id = "second";  // two charts on one page: their ids differ
  CHECK(plot::to_svg(other).find("<clipPath id=\"second-clip0\">") != std::string::npos);
  const auto size = plot::svg_size(svg);
  REQUIRE(size);
  CHECK(size->first == 760);
  CHECK(size->second > 300);
}

TEST_CASE("the SVG is the same bytes under a German locale", "[plot]") {
  const std::string plain = plot::to_svg(sample());
  if (!std::setlocale(LC_ALL, "de_DE.UTF-8")) {
    WARN("de_DE.UTF-8 is not installed (scripts/setup generates it)");
    return;
  }
  std::locale previous = std::locale::global(std::locale("de_DE.UTF-8"));
  const std::string german = plot::to_svg(sample());
  std::setlocale(LC_ALL, "C");
  std::locale::global(previous);
  CHECK(german == plain);
}

TEST_CASE("the PNG is a PNG of twice the SVG's size", "[plot]") {
  const std::string svg = plot::to_svg(sample());
  std::string png, error;
  REQUIRE(plot::render_png(svg, 2, png, error));
  REQUIRE(png.size() > 24);
  CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  CHECK(png.compare(12, 4, "IHDR") == 0);
  const auto size = plot::svg_size(svg);
  REQUIRE(size);
  CHECK(big_endian(png, 16) == static_cast<std::uint32_t>(2 * size->first));
  CHECK(big_endian(png, 20) == static_cast<std::uint32_t>(2 * size->second));
  std::string again;
  REQUIRE(plot::render_png(svg, 2, again, error));
  CHECK(again == png);
  CHECK_FALSE(plot::render_png("not svg", 2, png, error));
  CHECK_FALSE(error.empty());
}
