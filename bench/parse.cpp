// Front-end throughput: generated specs of 1k … 1M statements, timed through parse, then
// check + lowering. Prints a table; growth must be linear (the µs/statement column flat).
#include <time.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "lang/check.hpp"
#include "lang/diagnostics.hpp"
#include "lang/parser.hpp"
#include "lang/source.hpp"

namespace {

/// `n` statements (a multiple of 10): blocks of every statement kind, all valid.
std::string generate(std::size_t n) {
  std::string s;
  s.reserve(n * 56);
  for (std::size_t i = 0; i < n / 10; ++i) {
    std::string k = std::to_string(i);
    s += "region r" + k + "\n";
    s += "category c" + k + " special\n";
    s += "data d" + k + " { rows: 1000 category: c" + k +
         " field f: {a, b, c} prior {1/2, 1/4, 1/4} field g: int[0, 99] }\n";
    s += "agent p" + k + "[100] { trust: curious, region: r" + k + ", holds: d" + k + " by partition }\n";
    s += "agent s" + k + " { trust: malicious, region: r" + k + " }\n";
    s += "compute x" + k + " at p" + k + " = laplace(d" + k + ", epsilon: 0.5, times: 2)\n";
    s += "compute m" + k + " at p" + k + " = map(d" + k + ", if f = a then g * 2 else g + 1)\n";
    s += "send x" + k + " to s" + k + " via secure_aggregation(threshold: 10)\n";
    s += "adversary v" + k + " = {s" + k + ", 5 of p" + k + "}\n";
    s += "require q" + k + ": dp(d" + k + ") against v" + k + " <= epsilon 1\n";
  }
  return s;
}

/// Processor time of this process in ms (the machine is shared: wall time would measure
/// the other jobs too; the wall-clock total is printed beside it).
double cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}
double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  // An optional argument caps the largest size (e.g. `parse 100000`).
  std::size_t cap = argc > 1 ? std::stoul(argv[1]) : 1'000'000u;
  using namespace privflow::lang;
  std::printf("%11s %8s %10s %15s %10s %8s %9s %10s %7s\n", "statements", "MB", "parse ms", "check+lower ms",
              "total ms", "MB/s", "us/stmt", "wall ms", "errors");
  std::printf("(parse, check+lower, total, MB/s and us/stmt are processor time)\n");
  for (std::size_t n : {1'000u, 10'000u, 100'000u, 1'000'000u}) {
    if (n > cap) break;
    SourceFile source("bench.pflow", generate(n));
    Diagnostics diags(source);
    auto wall = std::chrono::steady_clock::now();
    double c0 = cpu_ms();
    ast::Program program = parse_program(source, diags);
    double c1 = cpu_ms();
    privflow::flow::Graph graph = check_program(program, diags);
    double c2 = cpu_ms();
    double wall_ms = ms_since(wall);
    double parse_ms = c1 - c0, check_ms = c2 - c1;
    double total = parse_ms + check_ms;
    double mb = static_cast<double>(source.text().size()) / 1e6;
    std::printf("%11zu %8.2f %10.1f %15.1f %10.1f %8.1f %9.2f %10.1f %7zu\n", program.statement_count, mb, parse_ms,
                check_ms, total, mb / (total / 1000.0), total * 1000.0 / static_cast<double>(program.statement_count),
                wall_ms, diags.error_count());
  }
  return 0;
}
