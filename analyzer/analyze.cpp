// The analysis's driver: each requirement's verdict (against its fixed coalition, or the worst
// coalition a search finds), the leakage matrix and the findings (docs/language.md, "How the
// analysis works" and "Findings beyond requirements").
#include <algorithm>

#include "analyzer/detail/analyzer.hpp"
#include "analyzer/detail/error_model.hpp"
#include "analyzer/detail/findings.hpp"
#include "analyzer/wording.hpp"
#include "analyzer/search.hpp"
#include "solver/map_count.hpp"

namespace privflow::analyzer {
namespace detail {

Analysis Analyzer::run() {
  Analysis a;
  for (const auto& r : graph_.requirements) {
    Verdict v;
    if (out_of_time()) {
      // Never `holds` for what was not analysed.
      v.status = Status::kUndecided;
      v.reason = "not analysed: the time budget of " + std::to_string(options_.time_budget_ms) + " ms was spent";
      v.bound = r.bound;
      if (r.measure != flow::Measure::kForbid) {
        v.delta = delta_of(r);
        if (r.adversary != flow::kNone) v.adversary = graph_.adversaries[r.adversary].name;
        else v.coalition = fixed_part(r.coalition);
      }
      v.explanation.add(v.reason);
      finish(v, r);
      a.verdicts.push_back(std::move(v));
      continue;
    }
    if (r.measure == flow::Measure::kForbid) {
      v = forbid(r);
    } else if (r.measure == flow::Measure::kError) {
      v = utility(r);
    } else {
      const flow::Coalition& target =
          r.adversary != flow::kNone ? graph_.adversaries[r.adversary].coalition : r.coalition;
      Coalition base = fixed_part(target);
      if (target.choose == 0) {
        v = evaluate(r, base);
      } else {
        auto eval = [&](const Coalition& c) { return evaluate(r, c, false); };
        v = search_worst(graph_, target, base, eval, options_, r.data);
        if (v.status == Status::kViolated && search_fixes_ && !out_of_time()) {
          Verdict fixed = evaluate(r, v.coalition);
          v.fix = std::move(fixed.fix);
          v.fix_edit = std::move(fixed.fix_edit);
        }
      }
      if (r.adversary != flow::kNone) v.adversary = graph_.adversaries[r.adversary].name;
      v.explanation.children.insert(v.explanation.children.begin(),
                                    Derivation{"coalition: " + coalition_text(graph_, v), target.span.line, {}});
    }
    finish(v, r);
    a.verdicts.push_back(std::move(v));
  }

  add_leakage_matrix(a);
  a.findings = collect_findings(graph_);
  // "Division by zero is an error found by analysis" (docs/language.md, "Expressions"): any record reaching it.
  for (flow::Id x = 0; x < graph_.artifacts.size(); ++x) {
    if (graph_.artifacts[x].kind != flow::ComputeKind::kMap) continue;
    const solver::DivisionCheck mc = maps_.division(x);
    if (mc.status != solver::SolveStatus::kSat) continue;
    const auto& d = graph_.data[graph_.artifacts[x].inputs[0].data];
    std::vector<std::string> values;
    for (std::size_t j = 0; j < mc.read_fields.size() && j < mc.witness.size(); ++j) {
      const auto& f = d.fields[mc.read_fields[j]];
      std::string v = f.type == flow::FieldType::kInt ? std::to_string(mc.witness[j])
                                                       : f.value_name(static_cast<std::uint64_t>(mc.witness[j]));
      values.push_back(f.name + " = " + v);
    }
    a.findings.push_back(Finding{Severity::kError, mc.division.line ? mc.division : graph_.artifacts[x].span,
                                 "division by zero in map '" + graph_.artifacts[x].name + "' for a record with " + join(values, ", ")});
  }
  std::stable_sort(a.findings.begin(), a.findings.end(),
                   [](const Finding& l, const Finding& r) { return l.span.begin < r.span.begin; });
  a.assumptions = collect_assumptions(graph_);
  a.errors = release_errors(graph_);
  return a;
}

}  // namespace detail

Derivation& Derivation::add(std::string child_text, std::uint32_t child_line) {
  children.push_back(Derivation{std::move(child_text), child_line, {}});
  return children.back();
}

bool Coalition::empty() const {
  return std::all_of(taken.begin(), taken.end(), [](std::uint64_t t) { return t == 0; });
}

int Analysis::exit_code() const {
  for (const auto& f : findings)
    if (f.severity == Severity::kError) return 2;
  bool undecided = false;
  for (const auto& v : verdicts) {
    if (v.status == Status::kViolated) return 1;
    if (v.status == Status::kUndecided) undecided = true;
  }
  return undecided ? 3 : 0;
}

Analysis analyze(const flow::Graph& graph, const Options& options) { return detail::Analyzer(graph, options).run(); }

LeakageMap leakage_map(const flow::Graph& graph, const Coalition& observer, const Options& options) {
  return detail::Analyzer(graph, options).leakage_map(observer);
}

}  // namespace privflow::analyzer
