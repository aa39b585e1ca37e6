// Semantic checks and lowering: ast::Program -> flow::Graph.
//
// Two phases: first every declaration gets its index (names may be used before they are
// declared), then each statement is checked and lowered. Lookups go through hash maps,
// never through Graph::find_* (linear), so that a million statements stay linear.
#include "lang/check.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "base/text.hpp"

namespace privflow::lang {
namespace {

using flow::Id;
using flow::kNone;

enum class DeclKind { kRegion, kCategory, kParam, kData, kAgent, kArtifact, kAdversary, kRequirement };

const char* kind_word(DeclKind k) {
  switch (k) {
    case DeclKind::kRegion: return "region";
    case DeclKind::kCategory: return "category";
    case DeclKind::kParam: return "param";
    case DeclKind::kData: return "data";
    case DeclKind::kAgent: return "agent";
    case DeclKind::kArtifact: return "artifact";
    case DeclKind::kAdversary: return "adversary";
    case DeclKind::kRequirement: return "requirement";
  }
  return "?";
}
std::string with_article(DeclKind k) {
  switch (k) {
    case DeclKind::kData: return "data";
    case DeclKind::kAgent:
    case DeclKind::kArtifact:
    case DeclKind::kAdversary: return std::string("an ") + kind_word(k);
    default: return std::string("a ") + kind_word(k);
  }
}

struct Decl {
  DeclKind kind;
  Id index;
  std::uint32_t begin, end;
};

std::string q(const std::string& s) { return "'" + s + "'"; }

// A number literal may be thousands of digits long: messages show its start only.
std::string literal(const std::string& text) { return text.size() <= 40 ? text : text.substr(0, 30) + "..."; }

// The catalogue of docs/language.md ("The catalogue of computations").
struct KindInfo {
  flow::ComputeKind kind;
  const char* name;
  std::vector<std::string> params;
};
const std::vector<KindInfo>& catalogue() {
  using K = flow::ComputeKind;
  static const std::vector<KindInfo> kinds = {
      {K::kLaplace, "laplace", {"epsilon", "scale", "sensitivity", "times"}},
      {K::kGeometric, "geometric", {"epsilon", "sensitivity", "times"}},
      {K::kGaussian, "gaussian", {"sigma", "sensitivity", "times", "distributed"}},
      {K::kRandomizedResponse, "randomized_response", {"epsilon", "keep", "times"}},
      {K::kExponential, "exponential", {"epsilon", "times"}},
      {K::kDpsgd, "dpsgd", {"noise_multiplier", "sampling_rate", "batch_size", "steps", "epochs", "distributed"}},
      {K::kDeclared, "declared", {"epsilon", "delta", "rho", "times"}},
      {K::kMap, "map", {}},
      {K::kSelect, "select", {}},
      {K::kCount, "count", {}},
      {K::kSum, "sum", {}},
      {K::kMean, "mean", {}},
      {K::kHistogram, "histogram", {}},
      {K::kAggregate, "aggregate", {}},
      {K::kTrain, "train", {}},
      {K::kPseudonymize, "pseudonymize", {}},
  };
  return kinds;
}

std::string type_name(const flow::Expr& e, const flow::Data& d) {
  switch (e.type) {
    case flow::Expr::Type::kInt: return "int";
    case flow::Expr::Type::kBool: return "bool";
    case flow::Expr::Type::kEnum:
      return e.field < d.fields.size() ? "a value of " + q(d.fields[e.field].name) : "an enum value";
  }
  return "?";
}

class Checker {
 public:
  Checker(const ast::Program& p, Diagnostics& d, const Limits& l) : p_(p), d_(d), limits_(l) {
    broken_.insert(p.broken_names.begin(), p.broken_names.end());
  }

  flow::Graph run() {
    declare_all();
    check_pipeline();
    check_settings();
    check_params();
    for (std::size_t i = 0; i < p_.data.size(); ++i) check_data(p_.data[i], g_.data[i]);
    for (std::size_t i = 0; i < p_.agents.size(); ++i) check_agent(p_.agents[i], g_.agents[i]);
    // Artifacts: kinds and inputs first, then who holds what, then the holdings checks.
    for (std::size_t i = 0; i < p_.computes.size(); ++i) check_compute(p_.computes[i], g_.artifacts[i]);
    for (const auto& s : p_.sends) check_send(s);
    compute_holdings();
    for (std::size_t i = 0; i < p_.computes.size(); ++i) check_inputs_held(p_.computes[i], g_.artifacts[i], i);
    for (std::size_t i = 0; i < p_.sends.size(); ++i) check_sender_holds(p_.sends[i], i);
    check_cycles();
    for (std::size_t i = 0; i < p_.adversaries.size(); ++i) {
      g_.adversaries[i].coalition = lower_coalition(p_.adversaries[i].coalition);
    }
    for (const auto& r : p_.requires_) check_require(r);
    for (const auto& f : p_.forbids) check_forbid(f);
    // Requirements and forbid rules in source order.
    std::stable_sort(g_.requirements.begin(), g_.requirements.end(),
                     [](const flow::Requirement& a, const flow::Requirement& b) { return a.span.begin < b.span.begin; });
    return std::move(g_);
  }

 private:
  const ast::Program& p_;
  Diagnostics& d_;
  const Limits& limits_;
  flow::Graph g_;
  std::unordered_map<std::string, Decl> names_;
  std::unordered_set<std::string> broken_;
  std::map<DeclKind, std::vector<std::string>> by_kind_;
  // Holdings: (agent << 32 | artifact) pairs; where each artifact is sent.
  std::unordered_set<std::uint64_t> holds_artifact_;
  std::vector<std::vector<Id>> sent_to_;  // per artifact
  std::vector<bool> send_ok_;             // per send: lowered to a flow
  std::vector<Id> send_flow_;             // per send: index of its flow

  // ------------------------------------------------------------------------- helpers

  flow::Span span(const ast::Node& n) const { return d_.span(n.begin, n.end); }
  flow::Span span(std::uint32_t b, std::uint32_t e) const { return d_.span(b, e); }
  Diagnostic& error(const ast::Node& n, std::string message) { return d_.error(n.begin, n.end, std::move(message)); }
  Diagnostic& warning(const ast::Node& n, std::string message) {
    return d_.warning(n.begin, n.end, std::move(message));
  }

  static std::string suggest(const std::string& name, const std::vector<std::string>& candidates) {
    if (auto m = closest_match(name, candidates)) return "; did you mean " + q(*m) + "?";
    return "";
  }
  /// A suggestion, else the short list of what is allowed.
  static std::string suggest_or_list(const std::string& name, const std::vector<std::string>& values) {
    std::string s = suggest(name, values);
    if (!s.empty() || values.empty() || values.size() > 12) return s;
    return " (its values are " + join(values, ", ") + ")";
  }

  void declare(const ast::Ident& name, DeclKind kind, Id index) {
    auto [it, inserted] = names_.try_emplace(name.name, Decl{kind, index, name.begin, name.end});
    if (!inserted) {
      auto& e = error(name, q(name.name) + " is already declared as " + with_article(it->second.kind));
      d_.note(e, span(it->second.begin, it->second.end), "the first declaration of " + q(name.name) + " is here");
      return;
    }
    by_kind_[kind].push_back(name.name);
  }

  /// The index of a declared name of kind `kind`, or kNone after reporting why not.
  Id resolve(const ast::Ident& name, DeclKind kind) { return resolve_any(name, {kind}); }

  Id resolve_any(const ast::Ident& name, std::initializer_list<DeclKind> kinds) {
    auto it = names_.find(name.name);
    DeclKind want = *kinds.begin();
    if (it != names_.end()) {
      for (DeclKind k : kinds)
        if (it->second.kind == k) return it->second.index;
      auto& e = error(name, q(name.name) + " is " + with_article(it->second.kind) + ", not " + with_article(want));
      d_.note(e, span(it->second.begin, it->second.end), q(name.name) + " is declared here");
      return kNone;
    }
    if (broken_.count(name.name)) return kNone;
    // The kind asked for first: an undeclared adversary is offered an adversary's name
    // before an agent's.
    std::string suggestion;
    for (DeclKind k : kinds)
      if (suggestion.empty()) suggestion = suggest(name.name, by_kind_[k]);
    error(name, std::string(kind_word(want)) + " " + q(name.name) + " is not declared" + suggestion);
    return kNone;
  }

  bool number(const ast::Number& n, Rational& out) {
    NumberError why = NumberError::kNone;
    auto v = parse_number(n.text, &why);
    if (v) {
      out = *v;
      return true;
    }
    std::string shown = q(literal(n.text));
    switch (why) {
      case NumberError::kTooLarge: error(n, "number " + shown + " is too large (numbers must be below 1e301)"); break;
      case NumberError::kTooSmall:
        error(n, "number " + shown + " is too small (numbers other than 0 must be at least 1e-301)");
        break;
      case NumberError::kTooManyDigits:
        error(n, "number " + shown + " has more than " + std::to_string(kMaxNumberDigits) + " digits");
        break;
      case NumberError::kZeroDenominator: error(n, "number " + shown + " divides by zero"); break;
      default: error(n, "invalid number " + shown); break;
    }
    return false;
  }

  static bool is_integer(const Rational& r) { return r.get_den() == 1; }

  /// An integer in [lo, hi] (hi 0 means no upper limit but max_population).
  std::optional<std::uint64_t> count(const ast::Number& n, const std::string& what, std::uint64_t lo,
                                     std::uint64_t hi) {
    Rational r;
    if (!number(n, r)) return std::nullopt;
    if (!is_integer(r)) {
      error(n, what + " must be a whole number, not " + q(literal(n.text)));
      return std::nullopt;
    }
    if (r < Rational(mpz_class(std::to_string(lo)))) {
      error(n, what + " must be at least " + std::to_string(lo) + ", not " + literal(n.text));
      return std::nullopt;
    }
    if (r > Rational(mpz_class(std::to_string(hi)))) {
      error(n, what + " must be at most " + std::to_string(hi) + ", not " + literal(n.text));
      return std::nullopt;
    }
    return std::stoull(r.get_num().get_str());
  }

  // ------------------------------------------------------------------------- declarations

  void declare_all() {
    for (std::size_t i = 0; i < p_.regions.size(); ++i) {
      declare(p_.regions[i].name, DeclKind::kRegion, static_cast<Id>(i));
      g_.regions.push_back({p_.regions[i].name.name, span(p_.regions[i])});
    }
    for (std::size_t i = 0; i < p_.categories.size(); ++i) {
      const auto& c = p_.categories[i];
      declare(c.name, DeclKind::kCategory, static_cast<Id>(i));
      g_.categories.push_back({c.name.name, c.special, span(c)});
    }
    for (std::size_t i = 0; i < p_.params.size(); ++i) {
      declare(p_.params[i].name, DeclKind::kParam, static_cast<Id>(i));
      flow::Param param;
      param.name = p_.params[i].name.name;
      param.span = span(p_.params[i]);
      g_.params.push_back(std::move(param));
    }
    for (std::size_t i = 0; i < p_.data.size(); ++i) {
      declare(p_.data[i].name, DeclKind::kData, static_cast<Id>(i));
      flow::Data data;
      data.name = p_.data[i].name.name;
      data.title = p_.data[i].title ? p_.data[i].title->text : "";
      data.span = span(p_.data[i]);
      g_.data.push_back(std::move(data));
    }
    for (std::size_t i = 0; i < p_.agents.size(); ++i) {
      declare(p_.agents[i].name, DeclKind::kAgent, static_cast<Id>(i));
      flow::Agent agent;
      agent.name = p_.agents[i].name.name;
      agent.title = p_.agents[i].title ? p_.agents[i].title->text : "";
      agent.span = span(p_.agents[i]);
      g_.agents.push_back(std::move(agent));
    }
    for (std::size_t i = 0; i < p_.computes.size(); ++i) {
      declare(p_.computes[i].name, DeclKind::kArtifact, static_cast<Id>(i));
      flow::Artifact a;
      a.name = p_.computes[i].name.name;
      a.span = span(p_.computes[i]);
      g_.artifacts.push_back(std::move(a));
    }
    for (std::size_t i = 0; i < p_.adversaries.size(); ++i) {
      declare(p_.adversaries[i].name, DeclKind::kAdversary, static_cast<Id>(i));
      g_.adversaries.push_back({p_.adversaries[i].name.name, {}, span(p_.adversaries[i])});
    }
    // Requirement names share the namespace; their indices are assigned in check order.
    Id r = 0;
    for (const auto& req : p_.requires_)
      if (req.name) declare(*req.name, DeclKind::kRequirement, r++);
    for (const auto& f : p_.forbids)
      if (f.name) declare(*f.name, DeclKind::kRequirement, r++);
  }

  // ------------------------------------------------------------------------- pipeline, settings, params

  void check_pipeline() {
    if (p_.pipelines.empty()) return;
    const auto& first = p_.pipelines.front();
    g_.pipeline = first.name.name;
    g_.title = first.title ? first.title->text : "";
    g_.pipeline_span = span(first);
    for (std::size_t i = 1; i < p_.pipelines.size(); ++i) {
      auto& e = error(p_.pipelines[i], "a spec has at most one pipeline statement");
      d_.note(e, span(first), "the first pipeline statement is here");
    }
  }

  void check_settings() {
    for (std::size_t i = 0; i < p_.settings.size(); ++i) {
      const auto& s = p_.settings[i];
      if (i > 0) {
        auto& e = error(s, "a spec has at most one settings statement");
        d_.note(e, span(p_.settings.front()), "the first settings statement is here");
        continue;
      }
      g_.settings.span = span(s);
      std::set<std::string> seen;
      for (const auto& prop : s.props) {
        const std::string& key = prop.key.name;
        if (!seen.insert(key).second) {
          error(prop.key, "setting " + q(key) + " is given twice");
          continue;
        }
        if (key == "delta") {
          Rational v;
          if (prop.value.kind != ast::Value::Kind::kNumber) {
            error(prop.value, "delta must be a number");
          } else if (number(prop.value.number, v)) {
            if (v <= 0 || v >= 1)
              error(prop.value, "delta must be greater than 0 and less than 1, not " + prop.value.number.text);
            else
              g_.settings.delta = v;
          }
        } else if (key == "accountant") {
          const std::string& w = prop.value.ident.name;
          if (prop.value.kind != ast::Value::Kind::kIdent || (w != "rdp" && w != "pld" && w != "auto")) {
            std::string text = prop.value.kind == ast::Value::Kind::kIdent ? w : "";
            error(prop.value, "accountant must be rdp, pld or auto" +
                                  (text.empty() ? std::string() : suggest(text, {"rdp", "pld", "auto"})));
          } else {
            g_.settings.accountant = w == "rdp"   ? flow::AccountantKind::kRdp
                                     : w == "pld" ? flow::AccountantKind::kPld
                                                  : flow::AccountantKind::kAuto;
          }
        } else {
          error(prop.key, "unknown setting " + q(key) + suggest(key, {"delta", "accountant"}) +
                              (closest_match(key, {"delta", "accountant"}) ? "" : " (settings are delta and accountant)"));
        }
      }
    }
  }

  void check_params() {
    for (std::size_t i = 0; i < p_.params.size(); ++i) {
      const auto& ap = p_.params[i];
      flow::Param& fp = g_.params[i];
      bool ok = number(ap.value, fp.value);
      if (ap.lo && ap.hi) {
        Rational lo, hi;
        if (number(*ap.lo, lo) && number(*ap.hi, hi)) {
          fp.lo = lo;
          fp.hi = hi;
          if (lo > hi) {
            error(*ap.lo, "the range of param " + q(ap.name.name) + " is empty: " + ap.lo->text + " > " + ap.hi->text);
          } else if (ok && (fp.value < lo || fp.value > hi)) {
            error(ap.value, "param " + q(ap.name.name) + " = " + ap.value.text + " is outside its own range [" +
                                ap.lo->text + ", " + ap.hi->text + "]");
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------------- data

  /// Reads a distribution over `n` values: entries in [0, 1], exactly n of them, sum 1.
  bool read_dist(const ast::Dist& dist, std::uint64_t n, const std::string& what, std::vector<Rational>& out) {
    bool ok = true;
    Rational sum = 0;
    for (const auto& num : dist.values) {
      Rational v;
      if (!number(num, v)) {
        ok = false;
        continue;
      }
      if (v < 0 || v > 1) {
        error(num, "probability " + num.text + " in " + what + " is outside [0, 1]");
        ok = false;
      }
      sum += v;
      out.push_back(v);
    }
    if (!ok) return false;
    if (dist.values.size() != n) {
      error(dist, what + " has " + std::to_string(dist.values.size()) + (dist.values.size() == 1 ? " entry" : " entries") +
                      " but the field has " + std::to_string(n) + (n == 1 ? " value" : " values"));
      return false;
    }
    if (sum != 1) {
      error(dist, what + " sums to " + format_exact(sum) + ", not exactly 1");
      return false;
    }
    return true;
  }

  void check_data(const ast::Data& ad, flow::Data& fd) {
    bool seen_rows = false, seen_category = false, seen_neighbouring = false;
    std::unordered_map<std::string, std::size_t> field_pos;  // name -> index into fd.fields
    std::vector<const ast::Field*> fields;
    for (const auto& item : ad.items) {
      switch (item.kind) {
        case ast::DataItem::Kind::kRows:
          if (seen_rows) {
            error(item, "rows of " + q(fd.name) + " are given twice");
            break;
          }
          seen_rows = true;
          if (auto n = count(item.rows, "rows", 1, limits_.max_population)) fd.rows = *n;
          break;
        case ast::DataItem::Kind::kCategory: {
          if (seen_category) {
            error(item, "the category of " + q(fd.name) + " is given twice");
            break;
          }
          seen_category = true;
          if (resolve(item.ident, DeclKind::kCategory) != kNone) fd.category = item.ident.name;
          break;
        }
        case ast::DataItem::Kind::kNeighbouring:
          if (seen_neighbouring) {
            error(item, "neighbouring of " + q(fd.name) + " is given twice");
            break;
          }
          seen_neighbouring = true;
          if (item.ident.name == "add_remove")
            fd.neighbouring = flow::Neighbouring::kAddRemove;
          else if (item.ident.name == "replace")
            fd.neighbouring = flow::Neighbouring::kReplace;
          else
            error(item.ident, "neighbouring must be add_remove or replace" +
                                  suggest(item.ident.name, {"add_remove", "replace"}));
          break;
        case ast::DataItem::Kind::kField: {
          const ast::Field& af = item.field;
          auto [it, inserted] = field_pos.try_emplace(af.name.name, fd.fields.size());
          if (!inserted) {
            auto& e = error(af.name, "field " + q(af.name.name) + " of " + q(fd.name) + " is declared twice");
            d_.note(e, fd.fields[it->second].span, "the first declaration is here");
            break;
          }
          fd.fields.push_back(lower_field_type(af));
          fd.fields.back().span = span(item);  // from the `field` keyword
          fields.push_back(&af);
          break;
        }
      }
    }
    // Priors and `given`, now that every field of the data is known.
    for (std::size_t i = 0; i < fields.size(); ++i) lower_prior(*fields[i], fd, static_cast<Id>(i));
    check_given_cycles(fields, fd);
  }

  flow::Field lower_field_type(const ast::Field& af) {
    flow::Field f;
    f.name = af.name.name;
    f.span = span(af);
    switch (af.type.kind) {
      case ast::Type::Kind::kEnum: {
        f.type = flow::FieldType::kEnum;
        std::unordered_set<std::string> seen;
        for (const auto& v : af.type.values) {
          if (!seen.insert(v.name).second) error(v, "value " + q(v.name) + " is listed twice in field " + q(f.name));
          f.values.push_back(v.name);
        }
        break;
      }
      case ast::Type::Kind::kBool:
        f.type = flow::FieldType::kBool;
        f.values = {"false", "true"};
        break;
      case ast::Type::Kind::kInt: {
        f.type = flow::FieldType::kInt;
        Rational lo, hi;
        const bool lo_ok = number(af.type.lo, lo), hi_ok = number(af.type.hi, hi);  // both report
        bool ok = lo_ok && hi_ok;
        if (!ok) break;
        Rational limit(mpz_class(std::to_string(limits_.max_int)));
        for (auto [v, n] : {std::pair{&lo, &af.type.lo}, std::pair{&hi, &af.type.hi}}) {
          if (!is_integer(*v)) {
            error(*n, "int bounds must be whole numbers, not " + q(n->text));
            ok = false;
          } else if (*v > limit || *v < -limit) {
            error(*n, "int bound " + n->text + " is outside [-" + std::to_string(limits_.max_int) + ", " +
                          std::to_string(limits_.max_int) + "]");
            ok = false;
          }
        }
        if (!ok) break;
        if (lo > hi) {
          error(af.type, "int range of " + q(f.name) + " is empty: " + af.type.lo.text + " > " + af.type.hi.text);
          break;
        }
        f.lo = std::stoll(lo.get_num().get_str());
        f.hi = std::stoll(hi.get_num().get_str());
        break;
      }
    }
    if (af.category && resolve(*af.category, DeclKind::kCategory) != kNone) f.category = af.category->name;
    return f;
  }

  void lower_prior(const ast::Field& af, flow::Data& fd, Id index) {
    flow::Field& f = fd.fields[index];
    std::uint64_t n = f.domain_size();
    if (af.prior_kind == ast::Field::Prior::kNone) return;
    if (n > limits_.max_domain) {
      error(af.type, "field " + q(f.name) + " has " + std::to_string(n) + " values: too many for a prior (at most " +
                         std::to_string(limits_.max_domain) + ")");
      return;
    }
    if (af.prior_kind == ast::Field::Prior::kPrior) {
      std::vector<Rational> row;
      if (read_dist(af.prior, n, "the prior of " + q(f.name), row)) f.prior.push_back(std::move(row));
      return;
    }
    // given PARENT { value: dist, ... }
    Id parent = fd.field_index(af.parent.name);
    if (parent == kNone) {
      std::vector<std::string> names;
      for (const auto& other : fd.fields) names.push_back(other.name);
      error(af.parent, q(af.parent.name) + " is not a field of " + q(fd.name) + suggest(af.parent.name, names));
      return;
    }
    const flow::Field& pf = fd.fields[parent];
    if (pf.type == flow::FieldType::kInt) {
      error(af.parent, "field " + q(f.name) + " is given " + q(pf.name) +
                           ", which is not enumerated (given needs an enum or bool field)");
      return;
    }
    f.parent = parent;
    std::vector<std::vector<Rational>> rows(pf.values.size());
    std::vector<const ast::GivenRow*> seen(pf.values.size(), nullptr);
    bool ok = true;
    for (const auto& row : af.given) {
      auto it = std::find(pf.values.begin(), pf.values.end(), row.value.name);
      if (it == pf.values.end()) {
        error(row.value, q(row.value.name) + " is not a value of " + q(pf.name) + suggest_or_list(row.value.name, pf.values));
        ok = false;
        continue;
      }
      std::size_t k = static_cast<std::size_t>(it - pf.values.begin());
      if (seen[k]) {
        auto& e = error(row.value, "value " + q(row.value.name) + " of " + q(pf.name) + " has two rows");
        d_.note(e, span(*seen[k]), "the first row is here");
        ok = false;
        continue;
      }
      seen[k] = &row;
      if (!read_dist(row.dist, n, "the row " + q(row.value.name) + " of " + q(f.name), rows[k])) ok = false;
    }
    std::vector<std::string> missing;
    for (std::size_t k = 0; k < seen.size(); ++k)
      if (!seen[k]) missing.push_back(q(pf.values[k]));
    if (!missing.empty()) {
      error(af, "field " + q(f.name) + " is given " + q(pf.name) + " but has no row for " +
                    (missing.size() == 1 ? "value " : "values ") + join(missing, ", "));
      ok = false;
    }
    if (ok) f.prior = std::move(rows);
  }

  void check_given_cycles(const std::vector<const ast::Field*>& fields, flow::Data& fd) {
    // Each field has at most one parent: follow the chain from each field.
    std::vector<int> state(fd.fields.size(), 0);  // 0 new, 1 on the current chain, 2 done
    for (std::size_t s = 0; s < fd.fields.size(); ++s) {
      std::vector<Id> chain;
      Id v = static_cast<Id>(s);
      while (v != kNone && state[v] == 0) {
        state[v] = 1;
        chain.push_back(v);
        v = fd.fields[v].parent;
      }
      if (v != kNone && state[v] == 1) {
        auto start = std::find(chain.begin(), chain.end(), v);
        std::vector<std::string> loop;
        for (auto it = start; it != chain.end(); ++it) loop.push_back(fd.fields[*it].name);
        loop.push_back(fd.fields[v].name);
        error(fields[v]->parent, "fields of " + q(fd.name) + " depend on each other through 'given': " +
                                     join(loop, " \u2192 "));
        for (auto it = start; it != chain.end(); ++it) fd.fields[*it].parent = kNone;
      }
      for (Id c : chain) state[c] = 2;
    }
  }

  // ------------------------------------------------------------------------- agents

  void check_agent(const ast::Agent& aa, flow::Agent& fa) {
    if (aa.count) {
      fa.population = true;
      if (auto n = count(*aa.count, "the population of " + q(fa.name), 1, limits_.max_population)) fa.count = *n;
    }
    std::set<std::string> seen;
    bool has_trust = false;
    static const std::vector<std::string> keys = {"trust", "region", "holds"};
    static const std::vector<std::string> levels = {"trusted", "honest", "curious", "malicious"};
    for (const auto& prop : aa.props) {
      const std::string& key = prop.key.name;
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        error(prop.key, "unknown agent property " + q(key) +
                            (closest_match(key, keys) ? suggest(key, keys) : " (agent properties are trust, region and holds)"));
        continue;
      }
      if (!seen.insert(key).second) {
        error(prop.key, "property " + q(key) + " of agent " + q(fa.name) + " is given twice");
        continue;
      }
      const ast::Value& v = prop.value;
      if (key == "trust") {
        has_trust = true;
        auto it = v.kind == ast::Value::Kind::kIdent ? std::find(levels.begin(), levels.end(), v.ident.name) : levels.end();
        if (it == levels.end()) {
          error(v, "trust must be trusted, honest, curious or malicious" +
                       (v.kind == ast::Value::Kind::kIdent ? suggest(v.ident.name, levels) : std::string()));
          continue;
        }
        fa.trust = static_cast<flow::Trust>(it - levels.begin());
      } else if (key == "region") {
        if (v.kind != ast::Value::Kind::kIdent) {
          error(v, "region must be the name of a region");
          continue;
        }
        fa.region = resolve(v.ident, DeclKind::kRegion);
      } else {  // holds
        std::vector<const ast::Value*> items;
        if (v.kind == ast::Value::Kind::kList)
          for (const auto& item : v.items) items.push_back(&item);
        else
          items.push_back(&v);
        std::set<Id> held;
        for (const ast::Value* item : items) {
          if (item->kind != ast::Value::Kind::kIdent && item->kind != ast::Value::Kind::kHolding) {
            error(*item, "holds lists data: 'D', 'D by partition' or '{D1, D2 by partition}'");
            continue;
          }
          Id d = resolve(item->ident, DeclKind::kData);
          if (d == kNone) continue;
          if (!held.insert(d).second) {
            error(*item, "agent " + q(fa.name) + " holds " + q(item->ident.name) + " twice");
            continue;
          }
          fa.holds.push_back({d, item->kind == ast::Value::Kind::kHolding, span(*item)});
        }
      }
    }
    if (!has_trust)
      error(aa.name, "agent " + q(fa.name) + " has no trust level (add 'trust: trusted|honest|curious|malicious')");
  }

  // ------------------------------------------------------------------------- computations

  const KindInfo* kind_info(const std::string& name) {
    for (const auto& k : catalogue())
      if (name == k.name) return &k;
    return nullptr;
  }

  /// A parameter value: a number or a param name.
  std::optional<flow::ParamValue> param_value(const ast::Arg& a) {
    flow::ParamValue pv;
    pv.span = span(a.value);
    if (a.value.kind == ast::Value::Kind::kNumber) {
      if (!number(a.value.number, pv.literal)) return std::nullopt;
      return pv;
    }
    pv.param = resolve(a.value.ident, DeclKind::kParam);
    if (pv.param == kNone) return std::nullopt;
    pv.literal = g_.params[pv.param].value;
    return pv;
  }

  /// Checks the range of a mechanism parameter; `k` is the number of values of the input
  /// of randomized response (0 when unknown).
  void check_param_range(const std::string& name, const Rational& v, const ast::Arg& a, std::uint64_t k) {
    std::string shown = a.value.kind == ast::Value::Kind::kNumber ? a.value.number.text
                                                                   : a.value.ident.name + " = " + format_exact(v);
    auto bad = [&](const std::string& why) { error(a.value, name + " " + why + ", not " + shown); };
    if (name == "epsilon" || name == "scale" || name == "sigma" || name == "sensitivity" || name == "noise_multiplier" ||
        name == "rho" || name == "epochs") {
      if (v <= 0) bad("must be positive");
    } else if (name == "times" || name == "steps" || name == "batch_size") {
      if (!is_integer(v) || v < 1) bad("must be a whole number of at least 1");
    } else if (name == "sampling_rate") {
      if (v <= 0 || v > 1) bad("must be in (0, 1]");
    } else if (name == "delta") {
      if (v < 0 || v >= 1) bad("must be in [0, 1)");
    } else if (name == "keep") {
      if (v < 0 || v > 1) {
        bad("is a probability and must be in [0, 1]");
      } else if (k > 0 && v * Rational(mpz_class(std::to_string(k))) <= 1) {
        error(a.value, "keep " + shown + " is at most 1/" + std::to_string(k) + " for " + std::to_string(k) +
                           " values: the report would not depend on the true value (keep must exceed 1/k)");
      }
    }
  }

  void check_compute(const ast::Compute& c, flow::Artifact& art) {
    art.at = resolve(c.at, DeclKind::kAgent);
    const KindInfo* info = kind_info(c.kind.name);
    if (!info) {
      std::vector<std::string> names;
      for (const auto& k : catalogue()) names.push_back(k.name);
      error(c.kind, "unknown computation kind " + q(c.kind.name) + suggest(c.kind.name, names));
      return;
    }
    art.kind = info->kind;
    using K = flow::ComputeKind;
    // Positional arguments are inputs; named ones are parameters.
    std::vector<const ast::Arg*> positional, named;
    for (const auto& a : c.args) (a.kind == ast::Arg::Kind::kNamed ? named : positional).push_back(&a);

    auto want_inputs = [&](std::size_t lo, std::size_t hi, const char* shape) {
      if (positional.size() < lo || positional.size() > hi) {
        error(c.kind, std::string(info->name) + " takes " + shape + ", not " + std::to_string(positional.size()) +
                          (positional.size() == 1 ? " input" : " inputs"));
        return false;
      }
      return true;
    };
    auto input_of = [&](const ast::Arg& a, bool allow_data, bool allow_field, bool allow_artifact,
                        const char* expected) -> std::optional<flow::Input> {
      flow::Input in;
      in.span = span(a);
      if (a.kind == ast::Arg::Kind::kField) {
        if (!allow_field) {
          error(a, std::string(info->name) + " takes " + expected + ", not a field");
          return std::nullopt;
        }
        in.kind = flow::Input::Kind::kField;
        in.data = resolve(a.key, DeclKind::kData);
        if (in.data == kNone) return std::nullopt;
        in.field = field_of(in.data, a.field);
        if (in.field == kNone) return std::nullopt;
        return in;
      }
      if (a.kind != ast::Arg::Kind::kExpr || a.expr.op != ast::Expr::Op::kIdent) {
        error(a, std::string(info->name) + " takes " + expected + " here");
        return std::nullopt;
      }
      const ast::Ident& name = a.expr.ident;
      auto it = names_.find(name.name);
      if (it != names_.end() && it->second.kind == DeclKind::kData && allow_data) {
        in.kind = flow::Input::Kind::kData;
        in.data = it->second.index;
        return in;
      }
      if (it != names_.end() && it->second.kind == DeclKind::kArtifact && allow_artifact) {
        in.kind = flow::Input::Kind::kArtifact;
        in.artifact = it->second.index;
        return in;
      }
      if (it != names_.end()) {
        error(name, std::string(info->name) + " takes " + expected + "; " + q(name.name) + " is " +
                        with_article(it->second.kind));
        return std::nullopt;
      }
      if (broken_.count(name.name)) return std::nullopt;
      std::vector<std::string> candidates;
      if (allow_data) candidates = by_kind_[DeclKind::kData];
      if (allow_artifact) {
        auto& v = by_kind_[DeclKind::kArtifact];
        candidates.insert(candidates.end(), v.begin(), v.end());
      }
      error(name, q(name.name) + " is not declared" + suggest(name.name, candidates));
      return std::nullopt;
    };
    auto add = [&](std::optional<flow::Input> in) {
      if (in) art.inputs.push_back(*in);
    };

    switch (info->kind) {
      case K::kMap: {
        if (!want_inputs(2, 2, "a data and an expression: map(D, expr)")) break;
        auto in = input_of(*positional[0], true, false, false, "a data");
        if (!in) break;
        art.inputs.push_back(*in);
        const ast::Arg& e = *positional[1];
        if (e.kind != ast::Arg::Kind::kExpr) {
          error(e, "the second input of map is an expression over the fields of " + q(g_.data[in->data].name));
          break;
        }
        art.expr = check_expr(e.expr, in->data, kNone);
        break;
      }
      case K::kSelect: {
        if (!want_inputs(2, SIZE_MAX, "a data and its fields: select(D, f1, f2, ...)")) break;
        auto in = input_of(*positional[0], true, false, false, "a data");
        if (!in) break;
        art.inputs.push_back(*in);
        std::set<Id> seen;
        for (std::size_t i = 1; i < positional.size(); ++i) {
          const ast::Arg& a = *positional[i];
          if (a.kind != ast::Arg::Kind::kExpr || a.expr.op != ast::Expr::Op::kIdent) {
            error(a, "select lists field names of " + q(g_.data[in->data].name));
            continue;
          }
          Id f = field_of(in->data, a.expr.ident);
          if (f == kNone) continue;
          if (!seen.insert(f).second) {
            error(a, "field " + q(a.expr.ident.name) + " is selected twice");
            continue;
          }
          art.selected.push_back(f);
        }
        break;
      }
      case K::kCount:
        if (want_inputs(1, 1, "one input")) add(input_of(*positional[0], true, false, true, "a data or an artifact"));
        break;
      case K::kSum:
      case K::kMean:
      case K::kHistogram:
        if (want_inputs(1, 1, "one field: D.field")) {
          auto in = input_of(*positional[0], false, true, false, "a field D.field");
          if (in && info->kind != K::kHistogram && g_.data[in->data].fields[in->field].type == flow::FieldType::kEnum) {
            error(*positional[0], std::string(info->name) + " needs a numeric field; " + q(positional[0]->field.name) +
                                      " is enumerated");
            in.reset();
          }
          add(in);
        }
        break;
      case K::kAggregate:
        if (want_inputs(1, 1, "one artifact")) add(input_of(*positional[0], false, false, true, "an artifact"));
        break;
      case K::kTrain:
      case K::kPseudonymize:
        if (want_inputs(1, SIZE_MAX, "at least one input"))
          for (const auto* a : positional) add(input_of(*a, true, true, true, "data, fields or artifacts"));
        break;
      case K::kRandomizedResponse:
        if (want_inputs(1, 1, "one input D.field of a finite type")) {
          const ast::Arg& a = *positional[0];
          if (a.kind != ast::Arg::Kind::kField) {
            error(a, "randomized_response needs a field D.field of a finite type (enum, bool or int) as input, not " +
                         std::string(a.kind == ast::Arg::Kind::kExpr && a.expr.op == ast::Expr::Op::kIdent
                                         ? q(a.expr.ident.name)
                                         : "an expression"));
            break;
          }
          add(input_of(a, false, true, false, "a field"));
        }
        break;
      default:  // the other private mechanisms
        if (want_inputs(1, SIZE_MAX, "at least one input"))
          for (const auto* a : positional) add(input_of(*a, true, true, true, "data, fields or artifacts"));
        break;
    }

    // Named parameters.
    std::uint64_t k = 0;
    if (info->kind == K::kRandomizedResponse && art.inputs.size() == 1 && art.inputs[0].kind == flow::Input::Kind::kField)
      k = g_.data[art.inputs[0].data].fields[art.inputs[0].field].domain_size();
    bool unknown_parameter = false;
    for (const auto* a : named) {
      const std::string& key = a->key.name;
      if (std::find(info->params.begin(), info->params.end(), key) == info->params.end()) {
        unknown_parameter = true;
        if (info->params.empty()) {
          error(a->key, std::string(info->name) + " takes no parameters");
        } else {
          std::string list = join(info->params, ", ");
          std::string s = suggest(key, info->params);
          error(a->key, "unknown parameter " + q(key) + " of " + info->name +
                            (s.empty() ? " (it takes " + list + ")" : s));
        }
        continue;
      }
      if (art.params.count(key) || (key == "distributed" && seen_distributed_.count(&art))) {
        error(a->key, "parameter " + q(key) + " is given twice");
        continue;
      }
      if (key == "distributed") {
        seen_distributed_.insert(&art);
        if (a->value.kind != ast::Value::Kind::kIdent || (a->value.ident.name != "true" && a->value.ident.name != "false")) {
          error(a->value, "distributed must be true or false");
          continue;
        }
        art.distributed = a->value.ident.name == "true";
        continue;
      }
      auto pv = param_value(*a);
      if (!pv) {
        unknown_parameter = true;  // reported; do not also say that it is missing
        continue;
      }
      check_param_range(key, pv->literal, *a, k);
      art.params.emplace(key, *pv);
    }
    seen_distributed_.erase(&art);
    // Required parameters.
    auto has = [&](const char* n) { return art.params.count(n) > 0; };
    auto need_one = [&](const char* a, const char* b) {
      if (!has(a) && (!b || !has(b)) && !unknown_parameter)  // a misspelt one was reported
        error(c.kind, std::string(info->name) + " needs " + q(a) + (b ? std::string(" or ") + q(b) : std::string()));
      else if (b && has(a) && has(b))
        error(art.params.at(b).span.begin < art.params.at(a).span.begin ? *named_arg(c, a) : *named_arg(c, b),
              std::string(info->name) + " takes " + q(a) + " or " + q(b) + ", not both");
    };
    switch (info->kind) {
      case K::kLaplace: need_one("epsilon", "scale"); break;
      case K::kGeometric:
      case K::kExponential: need_one("epsilon", nullptr); break;
      case K::kGaussian: need_one("sigma", nullptr); break;
      case K::kRandomizedResponse: need_one("epsilon", "keep"); break;
      case K::kDpsgd:
        need_one("noise_multiplier", nullptr);
        need_one("sampling_rate", "batch_size");
        need_one("steps", "epochs");
        break;
      case K::kDeclared:
        need_one("epsilon", "rho");
        if (has("delta") && has("rho")) error(*named_arg(c, "delta"), "declared takes 'delta' only with 'epsilon'");
        break;
      default: break;
    }
  }
  std::set<const flow::Artifact*> seen_distributed_;

  static const ast::Arg* named_arg(const ast::Compute& c, const std::string& key) {
    for (const auto& a : c.args)
      if (a.kind == ast::Arg::Kind::kNamed && a.key.name == key) return &a;
    return &c.args.front();
  }

  Id field_of(Id data, const ast::Ident& name) {
    const flow::Data& d = g_.data[data];
    Id f = d.field_index(name.name);
    if (f == kNone) {
      std::vector<std::string> names;
      for (const auto& x : d.fields) names.push_back(x.name);
      error(name, q(name.name) + " is not a field of " + q(d.name) + suggest(name.name, names));
    }
    return f;
  }

  // ------------------------------------------------------------------------- map expressions

  static flow::Expr leaf(flow::Expr::Op op, flow::Expr::Type t, std::int64_t v, Id field, flow::Span s) {
    flow::Expr e;
    e.op = op;
    e.type = t;
    e.value = v;
    e.field = field;
    e.span = s;
    return e;
  }

  bool is_bare_value(const ast::Expr& e, Id data) const {
    if (e.op != ast::Expr::Op::kIdent) return false;
    const std::string& n = e.ident.name;
    return n != "true" && n != "false" && g_.data[data].field_index(n) == kNone;
  }

  std::optional<flow::Expr> check_expr(const ast::Expr& e, Id data, Id hint) {
    using AO = ast::Expr::Op;
    using FO = flow::Expr::Op;
    using T = flow::Expr::Type;
    const flow::Data& d = g_.data[data];
    flow::Span s = span(e);
    switch (e.op) {
      case AO::kInt: {
        std::string digits;
        for (char ch : e.number.text)
          if (ch != '_') digits.push_back(ch);
        if (digits.size() > 13 || std::stoll(digits) > limits_.max_int) {
          error(e, "integer " + literal(e.number.text) + " is too large (at most " + std::to_string(limits_.max_int) + ")");
          return std::nullopt;
        }
        return leaf(FO::kInt, T::kInt, std::stoll(digits), kNone, s);
      }
      case AO::kIdent: {
        const std::string& n = e.ident.name;
        Id f = d.field_index(n);
        if (f != kNone) {
          const flow::Field& fld = d.fields[f];
          T t = fld.type == flow::FieldType::kInt ? T::kInt : fld.type == flow::FieldType::kBool ? T::kBool : T::kEnum;
          return leaf(FO::kField, t, 0, f, s);
        }
        if (n == "true" || n == "false") return leaf(FO::kBool, T::kBool, n == "true", kNone, s);
        if (hint != kNone) {
          const auto& vals = d.fields[hint].values;
          auto it = std::find(vals.begin(), vals.end(), n);
          if (it != vals.end()) return leaf(FO::kEnum, T::kEnum, it - vals.begin(), hint, s);
          error(e, q(n) + " is not a value of " + q(d.fields[hint].name) + suggest_or_list(n, vals));
          return std::nullopt;
        }
        std::vector<Id> owners;
        std::int64_t index = 0;
        for (Id i = 0; i < d.fields.size(); ++i) {
          if (d.fields[i].type != flow::FieldType::kEnum) continue;
          auto it = std::find(d.fields[i].values.begin(), d.fields[i].values.end(), n);
          if (it != d.fields[i].values.end()) {
            owners.push_back(i);
            index = it - d.fields[i].values.begin();
          }
        }
        if (owners.size() == 1) return leaf(FO::kEnum, T::kEnum, index, owners[0], s);
        if (owners.size() > 1) {
          error(e, "value " + q(n) + " belongs to several fields of " + q(d.name) + ": compare it with one of them");
          return std::nullopt;
        }
        std::vector<std::string> candidates;
        for (const auto& fld : d.fields) {
          candidates.push_back(fld.name);
          if (fld.type == flow::FieldType::kEnum) candidates.insert(candidates.end(), fld.values.begin(), fld.values.end());
        }
        error(e, q(n) + " is neither a field of " + q(d.name) + " nor a value of one of its fields" + suggest(n, candidates));
        return std::nullopt;
      }
      case AO::kNeg:
      case AO::kNot: {
        auto c = check_expr(e.children[0], data, kNone);
        if (!c) return std::nullopt;
        T want = e.op == AO::kNeg ? T::kInt : T::kBool;
        if (c->type != want) {
          error(e.children[0], std::string(e.op == AO::kNeg ? "unary '-'" : "'not'") + " needs " +
                                   (want == T::kInt ? "an int" : "a bool") + ", not " + type_name(*c, d));
          return std::nullopt;
        }
        flow::Expr r = leaf(e.op == AO::kNeg ? FO::kNeg : FO::kNot, want, 0, kNone, s);
        r.children.push_back(std::move(*c));
        return r;
      }
      case AO::kIf: {
        auto c = check_expr(e.children[0], data, kNone);
        // Branches: resolve a bare value against the other branch's enum.
        const ast::Expr& a = e.children[1];
        const ast::Expr& b = e.children[2];
        std::optional<flow::Expr> x, y;
        if (is_bare_value(a, data) && !is_bare_value(b, data)) {
          y = check_expr(b, data, kNone);
          x = check_expr(a, data, y && y->type == T::kEnum ? y->field : kNone);
        } else {
          x = check_expr(a, data, kNone);
          y = check_expr(b, data, x && x->type == T::kEnum ? x->field : kNone);
        }
        if (!c || !x || !y) return std::nullopt;
        if (c->type != T::kBool) {
          error(e.children[0], "the condition of 'if' must be a bool, not " + type_name(*c, d));
          return std::nullopt;
        }
        if (x->type != y->type || (x->type == T::kEnum && x->field != y->field)) {
          error(e, "the branches of 'if' have different types: " + type_name(*x, d) + " and " + type_name(*y, d));
          return std::nullopt;
        }
        flow::Expr r = leaf(FO::kIf, x->type, 0, x->type == T::kEnum ? x->field : kNone, s);
        r.children.push_back(std::move(*c));
        r.children.push_back(std::move(*x));
        r.children.push_back(std::move(*y));
        return r;
      }
      default: break;
    }
    // Binary operators.
    const ast::Expr& a = e.children[0];
    const ast::Expr& b = e.children[1];
    std::optional<flow::Expr> x, y;
    bool comparison = e.op == AO::kEq || e.op == AO::kNe;
    if (comparison && is_bare_value(a, data) && !is_bare_value(b, data)) {
      y = check_expr(b, data, kNone);
      x = check_expr(a, data, y && y->type == T::kEnum ? y->field : kNone);
    } else {
      x = check_expr(a, data, kNone);
      y = check_expr(b, data, comparison && x && x->type == T::kEnum ? x->field : kNone);
    }
    if (!x || !y) return std::nullopt;
    FO op{};
    T operand{}, result{};
    const char* symbol = "?";
    switch (e.op) {
      case AO::kAdd: op = FO::kAdd; operand = result = T::kInt; symbol = "+"; break;
      case AO::kSub: op = FO::kSub; operand = result = T::kInt; symbol = "-"; break;
      case AO::kMul: op = FO::kMul; operand = result = T::kInt; symbol = "*"; break;
      case AO::kDiv: op = FO::kDiv; operand = result = T::kInt; symbol = "/"; break;
      case AO::kMod: op = FO::kMod; operand = result = T::kInt; symbol = "%"; break;
      case AO::kLt: op = FO::kLt; operand = T::kInt; result = T::kBool; symbol = "<"; break;
      case AO::kLe: op = FO::kLe; operand = T::kInt; result = T::kBool; symbol = "<="; break;
      case AO::kGt: op = FO::kGt; operand = T::kInt; result = T::kBool; symbol = ">"; break;
      case AO::kGe: op = FO::kGe; operand = T::kInt; result = T::kBool; symbol = ">="; break;
      case AO::kAnd: op = FO::kAnd; operand = result = T::kBool; symbol = "and"; break;
      case AO::kOr: op = FO::kOr; operand = result = T::kBool; symbol = "or"; break;
      case AO::kEq: op = FO::kEq; result = T::kBool; symbol = "="; break;
      case AO::kNe: op = FO::kNe; result = T::kBool; symbol = "!="; break;
      default: return std::nullopt;
    }
    if (comparison) {
      if (x->type != y->type || (x->type == T::kEnum && x->field != y->field)) {
        error(e, "cannot compare " + type_name(*x, d) + " with " + type_name(*y, d));
        return std::nullopt;
      }
    } else if (x->type != operand || y->type != operand) {
      const flow::Expr& bad = x->type != operand ? *x : *y;
      error(x->type != operand ? a : b, std::string("'") + symbol + "' needs " + (operand == T::kInt ? "ints" : "bools") +
                                            ", not " + type_name(bad, d));
      return std::nullopt;
    }
    flow::Expr r = leaf(op, result, 0, kNone, s);
    r.children.push_back(std::move(*x));
    r.children.push_back(std::move(*y));
    return r;
  }

  // ------------------------------------------------------------------------- sends and holdings

  void check_send(const ast::Send& s) {
    send_ok_.push_back(false);
    send_flow_.push_back(kNone);
    flow::Flow f;
    f.span = span(s);
    f.artifact = resolve(s.artifact, DeclKind::kArtifact);
    f.to = resolve(s.to, DeclKind::kAgent);
    if (s.from) f.from = resolve(*s.from, DeclKind::kAgent);
    else if (f.artifact != kNone) f.from = g_.artifacts[f.artifact].at;
    bool ok = f.artifact != kNone && f.to != kNone && f.from != kNone;
    if (ok && f.from == f.to) {
      error(s.to, "agent " + q(g_.agents[f.to].name) + " sends " + q(s.artifact.name) + " to itself");
      ok = false;
    }
    // The channel.
    f.channel.span = s.channel ? span(*s.channel) : f.span;
    std::string channel = s.channel ? s.channel->name : "plain";
    static const std::vector<std::string> channels = {"plain", "encrypted", "secure_aggregation", "shuffler"};
    auto it = std::find(channels.begin(), channels.end(), channel);
    if (it == channels.end()) {
      error(*s.channel, "unknown channel " + q(channel) + suggest(channel, channels) +
                            (closest_match(channel, channels) ? "" : " (channels are plain, encrypted, secure_aggregation and shuffler)"));
      return;
    }
    if (s.channel) f.channel.span = d_.span(s.channel->begin, s.has_channel_args ? s.channel_args.back().end + 1 : s.channel->end);
    f.channel.kind = static_cast<flow::Channel::Kind>(it - channels.begin());
    std::vector<std::string> allowed;
    if (f.channel.kind == flow::Channel::Kind::kSecureAggregation) allowed = {"threshold", "min_clients"};
    if (f.channel.kind == flow::Channel::Kind::kShuffler) allowed = {"by"};
    std::map<std::string, const ast::Arg*> args;
    for (const auto& a : s.channel_args) {
      if (a.kind != ast::Arg::Kind::kNamed) {
        error(a, channel + " takes named arguments" + (allowed.empty() ? std::string(": none") : " (" + join(allowed, ", ") + ")"));
        ok = false;
        continue;
      }
      if (std::find(allowed.begin(), allowed.end(), a.key.name) == allowed.end()) {
        error(a.key, allowed.empty() ? channel + " takes no arguments"
                                     : "unknown parameter " + q(a.key.name) + " of " + channel + suggest(a.key.name, allowed));
        ok = false;
        continue;
      }
      if (!args.emplace(a.key.name, &a).second) {
        error(a.key, "parameter " + q(a.key.name) + " is given twice");
        ok = false;
      }
    }
    bool needs_population =
        f.channel.kind == flow::Channel::Kind::kSecureAggregation || f.channel.kind == flow::Channel::Kind::kShuffler;
    std::uint64_t senders = f.from != kNone ? g_.agents[f.from].count : 0;
    if (needs_population && f.from != kNone && !g_.agents[f.from].population) {
      error(*s.channel, channel + " needs a population of senders; " + q(g_.agents[f.from].name) +
                            " is a single agent (declare it as 'agent " + g_.agents[f.from].name + "[n]')");
      ok = false;
    }
    auto whole = [&](const ast::Arg& a, const std::string& what, std::uint64_t max) -> std::optional<std::uint64_t> {
      if (a.value.kind == ast::Value::Kind::kNumber) return count(a.value.number, what, 1, max);
      Id p = resolve(a.value.ident, DeclKind::kParam);
      if (p == kNone) return std::nullopt;
      const Rational& v = g_.params[p].value;
      if (!is_integer(v) || v < 1 || v > Rational(mpz_class(std::to_string(max)))) {
        error(a.value, what + " must be a whole number in [1, " + std::to_string(max) + "], not " + format_exact(v));
        return std::nullopt;
      }
      return std::stoull(v.get_num().get_str());
    };
    if (f.channel.kind == flow::Channel::Kind::kSecureAggregation) {
      std::uint64_t max = senders ? senders : limits_.max_population;
      if (!args.count("threshold")) {
        error(*s.channel, "secure_aggregation needs 'threshold' (the number of senders it needs to open a sum)");
        ok = false;
      } else if (auto t = whole(*args["threshold"], "threshold", max)) {
        f.channel.threshold = *t;
        f.channel.min_clients = *t;
      } else {
        ok = false;
      }
      if (args.count("min_clients")) {
        if (auto m = whole(*args["min_clients"], "min_clients", max)) f.channel.min_clients = *m;
        else ok = false;
      }
    } else if (f.channel.kind == flow::Channel::Kind::kShuffler) {
      if (!args.count("by")) {
        error(*s.channel, "shuffler needs 'by: S', the agent that shuffles");
        ok = false;
      } else {
        const ast::Arg& a = *args["by"];
        if (a.value.kind != ast::Value::Kind::kIdent) {
          error(a.value, "'by' names the shuffling agent");
          ok = false;
        } else {
          f.channel.shuffler = resolve(a.value.ident, DeclKind::kAgent);
          ok = ok && f.channel.shuffler != kNone;
        }
      }
    }
    if (!ok) return;
    send_ok_.back() = true;
    send_flow_.back() = static_cast<Id>(g_.flows.size());
    g_.flows.push_back(f);
  }

  static std::uint64_t key(Id agent, Id artifact) { return (std::uint64_t{agent} << 32) | artifact; }

  void compute_holdings() {
    sent_to_.assign(g_.artifacts.size(), {});
    for (Id i = 0; i < g_.artifacts.size(); ++i)
      if (g_.artifacts[i].at != kNone) holds_artifact_.insert(key(g_.artifacts[i].at, i));
    for (const auto& f : g_.flows) {
      holds_artifact_.insert(key(f.to, f.artifact));
      sent_to_[f.artifact].push_back(f.to);
    }
  }

  bool holds_data(Id agent, Id data) const {
    for (const auto& h : g_.agents[agent].holds)
      if (h.data == data) return true;
    return false;
  }

  /// "held by hospital, server" / "computed at hospital and sent to server".
  std::string where_artifact(Id art) const {
    const flow::Artifact& a = g_.artifacts[art];
    std::string s = a.at != kNone ? "is computed at " + q(g_.agents[a.at].name) : "is computed nowhere";
    if (!sent_to_[art].empty()) {
      std::vector<std::string> to;
      for (Id t : sent_to_[art]) to.push_back(q(g_.agents[t].name));
      s += " and sent to " + join(to, ", ");
    }
    return s;
  }
  std::string where_data(Id data) const {
    std::vector<std::string> by;
    for (const auto& a : g_.agents)
      for (const auto& h : a.holds)
        if (h.data == data) by.push_back(q(a.name));
    if (by.empty()) return "no agent holds " + q(g_.data[data].name);
    return q(g_.data[data].name) + " is held by " + join(by, ", ");
  }

  void check_inputs_held(const ast::Compute& c, const flow::Artifact& art, std::size_t index) {
    if (art.at == kNone) return;
    const std::string& agent = g_.agents[art.at].name;
    for (const auto& in : art.inputs) {
      if (in.kind == flow::Input::Kind::kArtifact) {
        if (in.artifact == index) continue;  // reported as a cycle
        if (!holds_artifact_.count(key(art.at, in.artifact))) {
          auto& e = d_.error(in.span, "agent " + q(agent) + " computes " + q(art.name) + " from " +
                                          q(g_.artifacts[in.artifact].name) + ", which it does not hold");
          d_.note(e, g_.artifacts[in.artifact].span,
                  q(g_.artifacts[in.artifact].name) + " " + where_artifact(in.artifact) + " (send it to " + q(agent) + " first)");
        }
      } else if (!holds_data(art.at, in.data)) {
        auto& e = d_.error(in.span, "agent " + q(agent) + " computes " + q(art.name) + " from " +
                                        q(g_.data[in.data].name) + ", which it does not hold");
        d_.note(e, g_.data[in.data].span, where_data(in.data));
      }
    }
  }

  void check_sender_holds(const ast::Send& s, std::size_t index) {
    if (!send_ok_[index] || !s.from) return;
    const flow::Flow& f = g_.flows[send_flow_[index]];
    if (!holds_artifact_.count(key(f.from, f.artifact))) {
      auto& e = error(*s.from, "agent " + q(g_.agents[f.from].name) + " sends " + q(g_.artifacts[f.artifact].name) +
                                   ", which it does not hold");
      d_.note(e, g_.artifacts[f.artifact].span, q(g_.artifacts[f.artifact].name) + " " + where_artifact(f.artifact));
    }
  }

  /// Artifacts computed from each other in a loop (iterative DFS: no recursion on input size).
  void check_cycles() {
    std::size_t n = g_.artifacts.size();
    std::vector<int> color(n, 0);
    for (Id s = 0; s < n; ++s) {
      if (color[s]) continue;
      std::vector<std::pair<Id, std::size_t>> stack{{s, 0}};
      color[s] = 1;
      while (!stack.empty()) {
        auto& [v, next] = stack.back();
        const auto& inputs = g_.artifacts[v].inputs;
        if (next >= inputs.size()) {
          color[v] = 2;
          stack.pop_back();
          continue;
        }
        const flow::Input& in = inputs[next++];
        if (in.kind != flow::Input::Kind::kArtifact) continue;
        Id w = in.artifact;
        if (color[w] == 0) {
          color[w] = 1;
          stack.push_back({w, 0});
        } else if (color[w] == 1) {
          // The loop: w … v on the stack, then w again. Data flows from inputs to results.
          std::vector<std::string> loop;
          auto it = std::find_if(stack.begin(), stack.end(), [&](auto& e) { return e.first == w; });
          for (auto j = stack.end(); j != it;) loop.push_back(g_.artifacts[(--j)->first].name);
          std::reverse(loop.begin(), loop.end());
          std::vector<std::string> flow_order(loop.rbegin(), loop.rend());
          flow_order.push_back(flow_order.front());
          d_.error(in.span, "computations form a cycle: " + join(flow_order, " \u2192 "));
        }
      }
    }
  }

  // ------------------------------------------------------------------------- coalitions

  flow::Coalition lower_coalition(const ast::Coalition& c) {
    flow::Coalition out;
    out.span = span(c);
    std::map<Id, std::uint64_t> taken;
    for (const auto& m : c.members) {
      flow::Member fm;
      fm.span = span(m);
      fm.agent = resolve(m.agent, DeclKind::kAgent);
      if (fm.agent == kNone) continue;
      const flow::Agent& a = g_.agents[fm.agent];
      if (!check_trust(a, m.agent, "a coalition")) continue;
      if (taken.count(fm.agent)) {
        error(m, "agent " + q(a.name) + " is named twice in this coalition");
        continue;
      }
      if (m.count) {
        auto k = count(*m.count, "the number of " + a.name + " instances", 1, limits_.max_population);
        if (!k) continue;
        if (*k > a.count) {
          error(*m.count, std::to_string(*k) + " of " + a.name + " exceeds its " + std::to_string(a.count) +
                              (a.count == 1 ? " instance" : " instances"));
          continue;
        }
        fm.count = *k;
        fm.all = false;
      } else {
        fm.count = a.count;
        fm.all = true;
      }
      taken[fm.agent] = fm.count;
      out.fixed.push_back(fm);
    }
    if (c.has_choice) {
      auto k = count(c.choose, "the number of agents to choose", 1, limits_.max_population);
      std::uint64_t available = 0;
      std::set<Id> seen;
      for (const auto& name : c.candidates) {
        Id id = resolve(name, DeclKind::kAgent);
        if (id == kNone) continue;
        const flow::Agent& a = g_.agents[id];
        if (!check_trust(a, name, "the agents an adversary may choose")) continue;
        if (!seen.insert(id).second) {
          error(name, "agent " + q(a.name) + " is listed twice");
          continue;
        }
        out.candidates.push_back(id);
        available += a.count - (taken.count(id) ? taken[id] : 0);
      }
      if (k) {
        out.choose = *k;
        if (*k > available && out.candidates.size() == seen.size())
          error(c.choose, "any " + std::to_string(*k) + " of these agents: only " + std::to_string(available) +
                              (available == 1 ? " instance is" : " instances are") + " left to choose from");
      }
    }
    return out;
  }

  bool check_trust(const flow::Agent& a, const ast::Ident& at, const std::string& where) {
    if (a.trust == flow::Trust::kTrusted) {
      auto& e = error(at, "agent " + q(a.name) + " is trusted: it never colludes and cannot be part of " + where);
      d_.note(e, a.span, q(a.name) + " is declared trusted here");
      return false;
    }
    if (a.trust == flow::Trust::kHonest)
      warning(at, "agent " + q(a.name) + " is honest but named in " + where + ": it is assumed to collude here");
    return true;
  }

  // ------------------------------------------------------------------------- requirements

  void check_require(const ast::Require& r) {
    flow::Requirement req;
    req.span = span(r);
    req.named = r.name.has_value();
    req.name = r.name ? r.name->name : "line" + std::to_string(req.span.line);
    using MK = ast::Measure::Kind;
    const ast::Measure& m = r.measure;
    switch (m.kind) {
      case MK::kDp: req.measure = flow::Measure::kDp; break;
      case MK::kPosterior: req.measure = flow::Measure::kPosterior; break;
      case MK::kAdvantage: req.measure = flow::Measure::kAdvantage; break;
      case MK::kLeakage: req.measure = flow::Measure::kLeakage; break;
      case MK::kReidentification: req.measure = flow::Measure::kReidentification; break;
    }
    req.data = resolve(m.data, DeclKind::kData);
    if (req.data != kNone) {
      if (m.kind == MK::kPosterior || m.kind == MK::kLeakage) {
        req.field = field_of(req.data, m.field);
        if (req.field != kNone && m.kind == MK::kPosterior) {
          const flow::Field& f = g_.data[req.data].fields[req.field];
          const std::string& v = m.value.name;
          if (f.type == flow::FieldType::kInt) {
            auto n = parse_number(v);
            if (!n || !is_integer(*n) || *n < f.lo || *n > f.hi)
              error(m.value, q(v) + " is not a value of " + q(f.name) + " (an int in [" + std::to_string(f.lo) + ", " +
                                 std::to_string(f.hi) + "])");
            else
              req.value = static_cast<std::uint64_t>(std::stoll(n->get_num().get_str()) - f.lo);
          } else {
            auto it = std::find(f.values.begin(), f.values.end(), v);
            if (it == f.values.end())
              error(m.value, q(v) + " is not a value of " + q(f.name) + suggest_or_list(v, f.values));
            else
              req.value = static_cast<std::uint64_t>(it - f.values.begin());
          }
        }
      }
      if (m.kind == MK::kReidentification) {
        std::set<Id> seen;
        for (const auto& fname : m.fields) {
          Id f = field_of(req.data, fname);
          if (f == kNone) continue;
          if (!seen.insert(f).second) {
            error(fname, "field " + q(fname.name) + " is listed twice");
            continue;
          }
          req.fields.push_back(f);
        }
      }
    }
    // Target.
    if (r.target_is_name) {
      auto it = names_.find(r.target_name.name);
      if (it != names_.end() && it->second.kind == DeclKind::kAgent) {
        // `against server`: the coalition of that one agent.
        const flow::Agent& a = g_.agents[it->second.index];
        if (check_trust(a, r.target_name, "a coalition")) {
          req.coalition.span = span(r.target_name);
          req.coalition.fixed.push_back({it->second.index, a.count, true, span(r.target_name)});
        }
      } else {
        req.adversary = resolve_any(r.target_name, {DeclKind::kAdversary, DeclKind::kAgent});
      }
    } else {
      req.coalition = lower_coalition(r.target);
    }
    // Bound.
    const ast::Bound& b = r.bound;
    req.bound_is_epsilon = b.epsilon;
    req.bound_in_bits = b.bits;
    if (number(b.value, req.bound)) {
      const char* measure = flow::measure_name(req.measure);
      if (b.epsilon && m.kind != MK::kDp) {
        error(b, std::string("a ") + measure + " bound is " +
                     (m.kind == MK::kLeakage ? "in bits" : "a probability") + ", not 'epsilon'");
      } else if (b.bits && m.kind != MK::kLeakage) {
        error(b, std::string("only leakage is measured in bits, not ") + measure);
      } else if (req.bound < 0) {
        error(b.value, std::string("the bound of ") + measure + " must not be negative");
      } else if ((m.kind == MK::kPosterior || m.kind == MK::kAdvantage || m.kind == MK::kReidentification) &&
                 req.bound > 1) {
        error(b.value, std::string("the bound of ") + measure + " is a probability: at most 1, not " + b.value.text);
      }
    }
    if (b.delta) {
      Rational dv;
      if (number(*b.delta, dv)) {
        if (dv < 0 || dv >= 1) error(*b.delta, "delta must be in [0, 1), not " + b.delta->text);
        else req.delta = dv;
      }
    }
    g_.requirements.push_back(std::move(req));
  }

  void check_forbid(const ast::Forbid& f) {
    flow::Requirement req;
    req.span = span(f);
    req.measure = flow::Measure::kForbid;
    req.named = f.name.has_value();
    req.name = f.name ? f.name->name : "line" + std::to_string(req.span.line);
    req.category = resolve(f.category, DeclKind::kCategory);
    req.from_region = resolve(f.from, DeclKind::kRegion);
    req.to_region = resolve(f.to, DeclKind::kRegion);
    if (f.has_unless) {
      Rational e;
      if (number(f.unless_epsilon, e)) {
        if (e < 0) error(f.unless_epsilon, "epsilon must not be negative");
        else req.unless_epsilon = e;
      }
      if (f.unless_delta) {
        Rational dv;
        if (number(*f.unless_delta, dv)) {
          if (dv < 0 || dv >= 1) error(*f.unless_delta, "delta must be in [0, 1), not " + f.unless_delta->text);
          else req.delta = dv;
        }
      }
    }
    g_.requirements.push_back(std::move(req));
  }
};

}  // namespace

flow::Graph check_program(const ast::Program& program, Diagnostics& diags, const Limits& limits) {
  return Checker(program, diags, limits).run();
}

}  // namespace privflow::lang
