// Budget allocation in `tune` (issue #22 item 3; docs/concepts.md, "Allocating a budget"):
// several params at once, minimising the weighted variance or the largest relative error of
// the releases their noise enters, under every selected requirement. Every param is moved in
// its "noise coordinate" n, larger n more private: n = v for noise (sigma, scale,
// noise_multiplier), n = 1/v for a budget (a pure epsilon) or a count (steps, epochs, times).
// Closed forms give a direction in n; the answer is always what a full analysis certifies.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "analyzer/detail/analyzer.hpp"
#include "analyzer/detail/error_model.hpp"
#include "analyzer/detail/tune_runner.hpp"
#include "analyzer/tune.hpp"
#include "base/rational.hpp"
#include "base/text.hpp"
#include "flow/catalogue.hpp"
#include "flow/param_expr.hpp"

namespace privflow::analyzer {
// A namespace of its own: the unity build puts this file beside search.cpp (its own `Search`).
namespace allocation {
namespace {

enum class Role { kNoise, kBudget, kCount };
enum class Family { kNone, kLaplace, kGaussian, kOther };

/// One tuned param.
struct Knob {
  flow::Id param = flow::kNone;
  std::string name;
  Role role = Role::kNoise;
  Family family = Family::kNone;  // of the releases it is the noise or budget of
  Rational lo, hi;                // the declared range (a whole count: its whole part)
  std::optional<Rational> cap;    // a utility requirement's limit on the private side
  bool in_objective = false;
  double a = 0;      // Σ w·variance = a·n² (its releases' error is proportional to n)
  double rel = 0;    // the largest relative error among its releases = rel·n
  double c = 0;      // privacy cost: Laplace Σ times·Δ / n (ε), Gaussian Σ times·Δ² / n² (μ²)
};

/// Which way the parameter `key` of `x` protects, for the params allocation may turn.
std::optional<Role> role_of(const flow::Artifact& x, flow::ParamKey key) {
  using K = flow::ParamKey;
  switch (key) {
    case K::kSigma: case K::kScale: case K::kNoiseMultiplier: return Role::kNoise;
    case K::kEpsilon: return flow::is_pure_epsilon_release(x) ? std::optional(Role::kBudget) : std::nullopt;
    case K::kSteps: case K::kEpochs: case K::kTimes: return flow::is_private(x.kind) ? std::optional(Role::kCount) : std::nullopt;
    default: return std::nullopt;
  }
}

/// The family whose closed form applies to the noise or budget `key` of `x`.
Family family_of(const flow::Artifact& x, flow::ParamKey key) {
  if (x.kind == flow::ComputeKind::kLaplace && !x.params.count(flow::ParamKey::kSamplingRate)) return Family::kLaplace;
  if (x.kind == flow::ComputeKind::kGaussian && key == flow::ParamKey::kSigma && !x.params.count(flow::ParamKey::kSamplingRate) &&
      !x.params.count(flow::ParamKey::kDistributed))
    return Family::kGaussian;
  return Family::kOther;
}

Family merge(Family a, Family b) { return a == Family::kNone ? b : (a == b ? a : Family::kOther); }

/// How each param is used: its role (nullopt: not one allocation turns, or two roles), and
/// whether it is inside an expression.
struct Uses {
  std::map<flow::Id, std::set<Role>> roles;
  std::set<flow::Id> unsupported;
  std::map<flow::Id, Family> family;
};

Uses uses_of(const flow::Graph& graph) {
  Uses u;
  for (const auto& x : graph.artifacts)
    for (const auto& [key, pv] : x.params) {
      if (pv.expr)
        for (flow::Id used : flow::params_in(*pv.expr)) u.unsupported.insert(used);
      if (pv.param == flow::kNone) continue;
      const auto role = role_of(x, key);
      if (!role) {
        u.unsupported.insert(pv.param);
        continue;
      }
      u.roles[pv.param].insert(*role);
      if (*role != Role::kCount) u.family[pv.param] = merge(u.family[pv.param], family_of(x, key));
    }
  return u;
}

bool whole(Role r) { return r == Role::kCount; }

/// The knob of param `p`, or the reason it cannot be one.
std::optional<Knob> make_knob(const flow::Graph& graph, const Uses& u, flow::Id p, std::string& why) {
  const flow::Param& param = graph.params[p];
  auto it = u.roles.find(p);
  if (it == u.roles.end() || u.unsupported.count(p) || it->second.size() != 1) {
    why = "param '" + param.name + "' is not only a noise (sigma, scale, noise_multiplier), a pure epsilon or a count (steps, epochs, times) written as the param itself";
    return std::nullopt;
  }
  if (!param.lo || !param.hi) {
    why = "param '" + param.name + "' has no range: declare it as `param " + param.name + " = v in [lo, hi]`";
    return std::nullopt;
  }
  Knob k;
  k.param = p;
  k.name = param.name;
  k.role = *it->second.begin();
  k.family = u.family.count(p) ? u.family.at(p) : Family::kOther;
  k.lo = *param.lo;
  k.hi = *param.hi;
  if (whole(k.role)) {
    mpz_class l, h;
    mpz_cdiv_q(l.get_mpz_t(), k.lo.get_num_mpz_t(), k.lo.get_den_mpz_t());
    mpz_fdiv_q(h.get_mpz_t(), k.hi.get_num_mpz_t(), k.hi.get_den_mpz_t());
    k.lo = Rational(l);
    k.hi = Rational(h);
  }
  if (k.lo <= 0 || k.lo > k.hi) {
    why = "param '" + param.name + "' has no positive value in its range";
    return std::nullopt;
  }
  return k;
}

bool collect_knobs(const flow::Graph& graph, const std::vector<std::string>& names, std::vector<Knob>& knobs, std::string& why) {
  const Uses u = uses_of(graph);
  if (names.empty()) {
    std::string ignored;
    for (flow::Id p = 0; p < graph.params.size(); ++p)
      if (auto k = make_knob(graph, u, p, ignored)) knobs.push_back(*k);
    if (knobs.empty()) why = "no param with a range is a noise, a pure epsilon or a count to allocate";
    return !knobs.empty();
  }
  for (const auto& n : names) {
    const flow::Id p = graph.find_param(n);
    if (p == flow::kNone) {
      why = "no param named '" + n + "'";
      return false;
    }
    if (std::any_of(knobs.begin(), knobs.end(), [&](const Knob& k) { return k.param == p; })) continue;
    auto k = make_knob(graph, u, p, why);
    if (!k) return false;
    knobs.push_back(*k);
  }
  return true;
}

// ---- values: the noise coordinate n, and the value printed and analysed ----------------

double n_of(const Knob& k, const Rational& v) { return k.role == Role::kNoise ? v.get_d() : 1 / v.get_d(); }

/// The value at noise coordinate n, rounded the safe way to 4 significant digits (noise up,
/// a budget down, a count down to a whole number), then kept in the range and the cap.
Rational value_at(const Knob& k, double n) {
  Rational v;
  // The value in the range first (a far scalar must not overflow the text), then rounded.
  const double x = std::clamp(k.role == Role::kNoise ? n : 1 / n, k.lo.get_d(), k.hi.get_d());
  if (!std::isfinite(n) || n <= 0) {
    v = k.role == Role::kNoise ? k.hi : k.lo;
  } else if (k.role == Role::kNoise) {
    v = *parse_number(format_up(Rational(x), 4), nullptr, NumberRange::kDouble);
  } else if (k.role == Role::kBudget) {
    v = *parse_number(format_down(Rational(x), 4), nullptr, NumberRange::kDouble);
  } else {
    v = Rational(std::floor(x));
  }
  v = std::clamp(v, k.lo, k.hi);
  if (k.cap) v = k.role == Role::kNoise ? std::min(v, *k.cap) : std::max(v, *k.cap);
  return v;
}

/// The most and least private values a knob may take.
Rational most_private(const Knob& k) {
  const Rational v = k.role == Role::kNoise ? k.hi : k.lo;
  return k.cap ? (k.role == Role::kNoise ? std::min(v, *k.cap) : std::max(v, *k.cap)) : v;
}
Rational least_private(const Knob& k) { return k.role == Role::kNoise ? k.lo : k.hi; }

using Point = std::vector<Rational>;  // one value per knob

flow::Graph with_values(const flow::Graph& graph, const std::vector<Knob>& knobs, const Point& v) {
  flow::Graph g = graph;
  for (std::size_t i = 0; i < knobs.size(); ++i) g.params[knobs[i].param].value = v[i];
  return g;
}

// ---- the objective ---------------------------------------------------------------------

/// A release the objective counts: a private mechanism whose noise or budget is a knob.
struct Term {
  flow::Id release = flow::kNone;
  std::size_t knob = 0;
  Rational weight = 1;
};

struct Objective {
  analyzer::Objective kind = analyzer::Objective::kVariance;
  std::vector<Term> terms;
  double beta = 0.05;

  /// The objective at `g` (upper bounds, rounded up), with each term's figure.
  double at(const flow::Graph& g, std::vector<double>* figures = nullptr) const {
    double total = 0;
    for (const auto& t : terms) {
      const ReleaseError e = detail::release_error(g, t.release, beta);
      double f = kind == analyzer::Objective::kVariance ? std::nextafter(e.sd * e.sd, HUGE_VAL) : e.relative.value_or(HUGE_VAL);
      if (figures) figures->push_back(f);
      total = kind == analyzer::Objective::kVariance ? std::nextafter(total + to_double_up(t.weight) * f, HUGE_VAL)
                                                     : std::max(total, f);
    }
    return total;
  }
};

/// The releases whose noise or budget is a knob, with their weights; false with `why` for a
/// weight naming no such release, or a release without the figure the objective needs.
bool build_objective(const flow::Graph& graph, std::vector<Knob>& knobs, const TuneOptions& options, Objective& obj,
                     std::string& why) {
  obj.kind = options.objective;
  obj.beta = detail::beta_of(graph.confidence_of());
  for (flow::Id x = 0; x < graph.artifacts.size(); ++x) {
    const auto& a = graph.artifacts[x];
    if (!flow::is_private(a.kind)) continue;
    for (const auto& entry : a.params) {
      const flow::Id used = entry.second.param;  // not a structured binding: lambdas capture it (clang 14 refuses a binding)
      auto it = std::find_if(knobs.begin(), knobs.end(), [&](const Knob& k) { return k.param == used; });
      if (used == flow::kNone || it == knobs.end() || it->role == Role::kCount) continue;
      const ReleaseError e = detail::release_error(graph, x, obj.beta);
      if (!e.modelled) continue;  // no error model: its knob is set after the objective's
      if (obj.kind == analyzer::Objective::kMaxRelativeError && !e.relative) {
        why = "release '" + a.name + "' has no relative error (its expected true value is not known): use --minimize variance";
        return false;
      }
      it->in_objective = true;
      obj.terms.push_back({x, static_cast<std::size_t>(it - knobs.begin()), 1});
    }
  }
  for (const auto& weight : options.weights) {
    const std::string& name = weight.first;
    const Rational& w = weight.second;
    auto it = std::find_if(obj.terms.begin(), obj.terms.end(), [&](const Term& t) { return graph.artifacts[t.release].name == name; });
    if (it == obj.terms.end()) {
      why = "--weight " + name + ": no release in the objective is named '" + name + "'";
      return false;
    }
    if (w <= 0) {
      why = "--weight " + name + ": a weight must be positive";
      return false;
    }
    it->weight = w;
  }
  if (obj.terms.empty()) why = "no tuned param is the noise or budget of a release with an error model: nothing to minimise";
  return !obj.terms.empty();
}

/// Each knob's objective and privacy coefficients at `ref` (every release's error is
/// proportional to its noise coordinate, exactly for Laplace, Gaussian and DP-SGD noise).
void coefficients(const flow::Graph& graph, const Objective& obj, std::vector<Knob>& knobs, const Point& ref) {
  const flow::Graph g = with_values(graph, knobs, ref);
  for (const auto& t : obj.terms) {
    Knob& k = knobs[t.knob];
    const double n = n_of(k, ref[t.knob]);
    const ReleaseError e = detail::release_error(g, t.release, obj.beta);
    k.a += t.weight.get_d() * e.sd * e.sd / (n * n);
    if (e.relative) k.rel = std::max(k.rel, *e.relative / n);
    const flow::Artifact& x = g.artifacts[t.release];
    const double times = static_cast<double>(g.times(x));
    const double sens = g.param(x, flow::ParamKey::kSensitivity).value_or(Rational(1)).get_d();
    const bool scale = x.params.count(flow::ParamKey::kScale) || x.params.count(flow::ParamKey::kSigma);
    if (k.family == Family::kLaplace) k.c += times * (scale ? sens : 1);
    if (k.family == Family::kGaussian) k.c += times * sens * sens;
  }
}

/// The direction in noise coordinates along which the scalar is bisected, and its name.
std::pair<std::vector<double>, std::string> direction(const std::vector<Knob>& knobs, const Objective& obj, const Point& ref) {
  std::vector<double> s(knobs.size(), 0);
  Family fam = Family::kNone;
  for (const auto& k : knobs)
    if (k.in_objective) fam = merge(fam, k.family);
  for (std::size_t i = 0; i < knobs.size(); ++i) {
    const Knob& k = knobs[i];
    if (!k.in_objective) continue;
    if (obj.kind == analyzer::Objective::kMaxRelativeError) {
      // Equal relative errors: n_i = t / rel_i (docs/concepts.md: optimal for requirements
      // monotone in every noise).
      s[i] = 1 / k.rel;
    } else if (fam == Family::kLaplace) {
      // min Σ a_i n_i² s.t. Σ c_i / n_i = ε (basic composition, Dwork & Roth 2014 Thm 3.16):
      // Lagrange 2 a_i n_i = λ c_i / n_i², so n_i ∝ (c_i / a_i)^(1/3).
      s[i] = std::cbrt(k.c / k.a);
    } else if (fam == Family::kGaussian) {
      // min Σ a_i n_i² s.t. Σ c_i / n_i² = μ² (Gaussian DP, Dong, Roth & Su 2019 Cor. 3.3):
      // Lagrange 2 a_i n_i = 2λ c_i / n_i³, so n_i ∝ (c_i / a_i)^(1/4).
      s[i] = std::sqrt(std::sqrt(k.c / k.a));
    } else {
      s[i] = n_of(k, ref[i]);  // no closed form: the spec's own proportions
    }
  }
  for (std::size_t i = 0; i < knobs.size(); ++i)
    if (knobs[i].in_objective && !(std::isfinite(s[i]) && s[i] > 0)) s[i] = n_of(knobs[i], ref[i]);  // a degenerate figure
  if (obj.kind == analyzer::Objective::kMaxRelativeError) return {s, "closed form: equal relative errors"};
  if (fam == Family::kLaplace) return {s, "closed form: Laplace under basic composition, n_i ∝ (c_i/w_i)^(1/3)"};
  if (fam == Family::kGaussian) return {s, "closed form: Gaussians under Gaussian DP, sigma_i ∝ (T_i·Δ_i²/w_i)^(1/4)"};
  return {s, "search: the spec's values scaled"};
}


// ---- the search ------------------------------------------------------------------------

/// Full analyses at points, each point once; a point holds when every selected requirement does.
struct Search {
  detail::Runner& run;
  const std::vector<Knob>& knobs;
  std::map<Point, bool> seen;

  bool holds(const Point& v) {
    if (auto it = seen.find(v); it != seen.end()) return it->second;
    std::vector<std::pair<flow::Id, Rational>> at;
    for (std::size_t i = 0; i < knobs.size(); ++i) at.emplace_back(knobs[i].param, v[i]);
    const Analysis a = run.at(at);  // undecided is not holding: never a value the analysis did not certify
    const bool ok = !run.out_of_time && run.all_hold(a);
    if (!run.out_of_time) seen.emplace(v, ok);
    return ok;
  }

  /// Lowers knob i of `cur` (a point that holds) toward n_floor, by bisection in log n, to the
  /// least private value that still holds. True when it moved.
  bool lower(Point& cur, std::size_t i, double n_floor) {
    const Knob& k = knobs[i];
    double good = n_of(k, cur[i]), bad = std::max(n_floor, n_of(k, least_private(k)));
    if (!(bad < good)) return false;
    Point trial = cur;
    trial[i] = value_at(k, bad);
    if (trial[i] == cur[i]) return false;
    if (holds(trial)) {
      cur = trial;
      return true;
    }
    const Rational start = cur[i];
    while (good / bad > 1 + 2e-4 && !run.out_of_time) {
      const double mid = std::sqrt(good * bad);
      trial[i] = value_at(k, mid);
      if (trial[i] == cur[i]) break;  // the 4-digit grid has no point between
      if (holds(trial)) {
        good = mid;
        cur = trial;
      } else {
        bad = mid;
      }
    }
    return cur[i] != start;
  }
};

/// The point along the direction at scalar t: objective knobs at n_i = t·s_i, the others at
/// their most private values (they are set last).
Point along(const std::vector<Knob>& knobs, const std::vector<double>& s, double t) {
  Point v;
  for (std::size_t i = 0; i < knobs.size(); ++i) v.push_back(knobs[i].in_objective ? value_at(knobs[i], t * s[i]) : most_private(knobs[i]));
  return v;
}

/// Bisects the scalar between the least private and the most private ends of the direction;
/// false (nothing holds even at the most private end) leaves `cur` there.
bool scale(Search& search, const std::vector<double>& s, Point& cur) {
  double t_lo = HUGE_VAL, t_hi = 0;
  for (std::size_t i = 0; i < search.knobs.size(); ++i) {
    if (!search.knobs[i].in_objective) continue;
    t_lo = std::min(t_lo, n_of(search.knobs[i], least_private(search.knobs[i])) / s[i]);
    t_hi = std::max(t_hi, n_of(search.knobs[i], most_private(search.knobs[i])) / s[i] * (1 + 1e-9));
  }
  cur = along(search.knobs, s, t_hi);
  if (!search.holds(cur)) return false;
  if (search.holds(along(search.knobs, s, t_lo))) {
    cur = along(search.knobs, s, t_lo);
    return true;
  }
  double good = t_hi, bad = t_lo;
  while (good / bad > 1 + 2e-4 && !search.run.out_of_time) {
    const double mid = std::sqrt(good * bad);
    const Point p = along(search.knobs, s, mid);
    if (p == cur || p == along(search.knobs, s, bad)) break;
    if (search.holds(p)) {
      good = mid;
      cur = p;
    } else {
      bad = mid;
    }
  }
  return true;
}

/// One trade: knob i more private by the factor f, knob j then lowered as far as that allows;
/// kept (in `cur`, `best`) when the objective falls.
bool try_trade(Search& search, const flow::Graph& graph, const Objective& obj, std::size_t i, std::size_t j, double f,
               Point& cur, double& best) {
  const auto& knobs = search.knobs;
  Point cand = cur;
  cand[i] = value_at(knobs[i], n_of(knobs[i], cur[i]) * f);
  if (cand[i] == cur[i] || !search.holds(cand)) return false;
  if (!search.lower(cand, j, n_of(knobs[j], cur[j]) / (f * f * f * f))) return false;
  const double value = obj.at(with_values(graph, knobs, cand));
  if (!(value < best * (1 - 1e-9))) return false;
  best = value;
  cur = cand;
  return true;
}

/// Pairs trade noise while the objective falls (a pattern search along the boundary): the
/// factor doubles (in log) after a kept trade and halves after a refused one, from 10 % down
/// to 1 %; rounds over the pairs until one keeps nothing. True when a trade was kept.
bool trade(Search& search, const flow::Graph& graph, const Objective& obj, Point& cur) {
  const auto& knobs = search.knobs;
  double best = obj.at(with_values(graph, knobs, cur));
  bool kept = false;
  for (int round = 0; round < 4; ++round) {
    bool this_round = false;
    for (std::size_t i = 0; i < knobs.size(); ++i)
      for (std::size_t j = 0; j < knobs.size(); ++j) {
        if (i == j || !knobs[i].in_objective || !knobs[j].in_objective) continue;
        for (double f = 1.1; f > 1.01 && !search.run.out_of_time;) {
          const bool ok = try_trade(search, graph, obj, i, j, f, cur, best);
          this_round |= ok;
          f = ok ? std::min(f * f, 4.0) : std::sqrt(f);
        }
      }
    kept |= this_round;
    if (!this_round) break;
  }
  return kept;
}

/// Each utility requirement on a release whose noise is one knob bounds that knob on the
/// private side (the error grows with the noise): the last value that meets it, by bisection of
/// the error model. False with `why` when it fails even at the knob's least private value.
bool utility_caps(const flow::Graph& graph, const detail::Runner& run, std::vector<Knob>& knobs, const Point& ref, std::string& why) {
  for (flow::Id r : run.selected) {
    const auto& req = graph.requirements[r];
    if (req.measure != flow::Measure::kError || req.artifact >= graph.artifacts.size()) continue;
    flow::Id src = req.artifact;
    if (graph.artifacts[src].kind == flow::ComputeKind::kAggregate) src = graph.artifacts[src].inputs[0].artifact;
    for (const auto& entry : graph.artifacts[src].params) {
      const flow::Id used = entry.second.param;
      auto it = std::find_if(knobs.begin(), knobs.end(), [&](const Knob& k) { return k.param == used && k.role != Role::kCount; });
      if (used == flow::kNone || it == knobs.end()) continue;
      Knob& k = *it;
      Point v = ref;
      const std::size_t i = static_cast<std::size_t>(it - knobs.begin());
      auto holds_at = [&](double n) {
        v[i] = value_at(k, n);
        return detail::Analyzer::utility_holds(req, with_values(graph, knobs, v));
      };
      double good = n_of(k, least_private(k)), bad = n_of(k, most_private(k));
      if (!holds_at(good)) {
        why = "requirement '" + req.name + "' (the error of " + graph.artifacts[req.artifact].name + ") fails even at " + k.name +
              " = " + format_exact(least_private(k)) + ", the least private end of its range";
        return false;
      }
      if (holds_at(bad)) continue;
      for (int step = 0; step < 60 && bad / good > 1 + 1e-6; ++step) {
        const double mid = std::sqrt(good * bad);
        (holds_at(mid) ? good : bad) = mid;
      }
      k.cap = value_at(k, good);
    }
  }
  return true;
}

const char* objective_words(analyzer::Objective o) {
  return o == analyzer::Objective::kVariance ? "weighted sum of variances" : "largest relative error";
}

/// Fills `res` from the final analysis at `cur`.
void finish(detail::Runner& run, const Search& search, const flow::Graph& graph, const Objective& obj, const Point& cur,
            TuneAllResult& res) {
  std::vector<std::pair<flow::Id, Rational>> at;
  for (std::size_t i = 0; i < search.knobs.size(); ++i) {
    at.emplace_back(search.knobs[i].param, cur[i]);
    res.values.emplace_back(search.knobs[i].name, cur[i]);
  }
  const Analysis fin = run.at(at);  // the certificate: the printed values, analysed again
  res.requirements = run.margins(fin);
  res.analyses = run.analyses;
  if (!run.all_hold(fin)) {
    if (run.stopped(res.outcome, res.message)) return;
    res.outcome = run.any_undecided(fin) ? TuneOutcome::kUndecided : TuneOutcome::kNone;
    res.message = "the final analysis does not confirm every requirement at the allocation";
    return;
  }
  std::vector<double> figures;
  res.objective = obj.at(with_values(graph, search.knobs, cur), &figures);
  for (std::size_t t = 0; t < obj.terms.size(); ++t)
    res.terms.push_back({graph.artifacts[obj.terms[t].release].name, obj.terms[t].weight, figures[t]});
  res.outcome = TuneOutcome::kFound;
  res.message = "the least " + std::string(objective_words(obj.kind)) +
                " found that meets every requirement, verified by a full analysis at the values printed";
}

/// No point holds even at the most private values `cur`: the margins there, and why.
void nothing_holds(detail::Runner& run, const std::vector<Knob>& knobs, const Point& cur, TuneAllResult& res) {
  std::vector<std::pair<flow::Id, Rational>> at;
  for (std::size_t i = 0; i < knobs.size(); ++i) {
    res.values.emplace_back(knobs[i].name, cur[i]);
    at.emplace_back(knobs[i].param, cur[i]);
  }
  const Analysis a = run.at(at);
  res.requirements = run.margins(a);
  res.analyses = run.analyses;
  if (run.stopped(res.outcome, res.message)) return;
  const bool undecided = run.any_undecided(a);
  std::vector<std::string> failing;
  for (const auto& m : res.requirements)
    if (m.status != Status::kHolds) failing.push_back(m.name);
  res.outcome = undecided ? TuneOutcome::kUndecided : TuneOutcome::kNone;
  res.message = (undecided ? "undecided at the most private values the ranges and the utility requirements allow: "
                           : "no values in the ranges meet every requirement: even the most private ones the utility "
                             "requirements allow fail ") +
                join(failing, ", ");
}

/// After the scalar: each param alone, trades between pairs (variance), the counts last. Returns
/// what it did, for the method.
std::string refine(Search& search, const flow::Graph& graph, const Objective& obj, Point& cur) {
  const auto& knobs = search.knobs;
  std::string did;
  bool moved = false;
  for (std::size_t i = 0; i < knobs.size(); ++i)
    if (knobs[i].in_objective) moved |= search.lower(cur, i, 0);
  if (moved) did += ", then refined param by param";
  // A closed form assumes one budget; other requirements (or no closed form at all) may leave a
  // better point along the boundary: pairs trade noise while the objective falls.
  if (obj.kind == analyzer::Objective::kVariance && trade(search, graph, obj, cur)) {
    did += ", then pairs traded noise while the objective fell";
    for (std::size_t i = 0; i < knobs.size(); ++i)
      if (knobs[i].in_objective) search.lower(cur, i, 0);
  }
  for (std::size_t i = 0; i < knobs.size(); ++i) {
    if (knobs[i].in_objective) continue;
    search.lower(cur, i, 0);
    did += "; " + knobs[i].name + " is not in the objective: set last, to its least private value that still meets every requirement";
  }
  return did;
}

}  // namespace

TuneAllResult solve(const flow::Graph& graph, const std::vector<std::string>& names, const TuneOptions& options) {
  TuneAllResult res;
  TuneOptions quiet = options;
  quiet.analysis.suggest_fixes = false;  // a point that fails needs no fix: only whether it holds
  detail::Runner run(graph, quiet);
  if (!detail::select_requirements(graph, options, run.selected, res.message)) return res;
  if (run.selected.empty()) {
    res.message = "the spec has no requirement to meet";
    return res;
  }
  std::vector<Knob> knobs;
  Objective obj;
  if (!collect_knobs(graph, names, knobs, res.message) || !build_objective(graph, knobs, options, obj, res.message)) return res;
  Point ref;
  for (const auto& k : knobs) ref.push_back(std::clamp(graph.params[k.param].value, k.lo, k.hi));
  if (!utility_caps(graph, run, knobs, ref, res.message)) {
    res.outcome = TuneOutcome::kNone;
    return res;
  }
  coefficients(graph, obj, knobs, ref);
  auto [s, method] = direction(knobs, obj, ref);
  Search search{run, knobs, {}};
  Point cur;
  const bool found = scale(search, s, cur);
  if (run.stopped(res.outcome, res.message)) {
    res.analyses = run.analyses;
    return res;
  }
  if (!found) {
    nothing_holds(run, knobs, cur, res);
    return res;
  }
  res.method = method + ", scaled by bisection against the full analysis" + refine(search, graph, obj, cur);
  finish(run, search, graph, obj, cur, res);
  return res;
}

}  // namespace allocation

TuneAllResult allocate(const flow::Graph& graph, const std::vector<std::string>& names, const TuneOptions& options) {
  return allocation::solve(graph, names, options);
}

}  // namespace privflow::analyzer
