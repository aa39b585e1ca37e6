#pragma once
// Random SMALL valid specs from a seed, for the metamorphic property audit
// (tests/audit/property_test.cpp). A spec is kept as a model (data, agents, computations,
// sends, requirements) so that tests can mutate it (add a coalition member, a release, a
// send, split a `times`), rename every name and reorder its statements, then render it.
//
// Every spec this file generates is meant to load: the tests fail (never skip) when one
// does not. Populations are 2..6 instances and mechanisms are cheap (few DP-SGD steps), so
// hundreds of specs analyse in seconds without fix suggestions.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace privflow::test {

struct FieldSpec {
  enum class Type { kEnum, kBool, kInt };
  std::string name;
  Type type = Type::kEnum;
  std::vector<std::string> values;  // enum values
  int lo = 0, hi = 0;               // int range
  std::vector<std::string> prior;   // exact fractions, one per value ("" list: uniform)
  std::string given;                // the parent enum field's name ("" none)
  std::vector<std::vector<std::string>> table;  // one distribution per parent value
  std::string category;

  std::size_t size() const {
    switch (type) {
      case Type::kEnum: return values.size();
      case Type::kBool: return 2;
      case Type::kInt: return static_cast<std::size_t>(hi - lo + 1);
    }
    return 0;
  }
  /// The i-th value as written in a spec.
  std::string value_text(std::size_t i) const {
    switch (type) {
      case Type::kEnum: return values[i];
      case Type::kBool: return i ? "true" : "false";
      case Type::kInt: return std::to_string(lo + static_cast<int>(i));
    }
    return "";
  }
  /// The value as a number inside `map` expressions (bool 0/1, int itself, enum index).
  long numeric(std::size_t i) const { return type == Type::kInt ? lo + static_cast<long>(i) : static_cast<long>(i); }
};

struct DataSpec {
  std::string name;
  std::uint64_t rows = 1;
  std::string neighbouring;  // "" (default add_remove), add_remove, replace
  std::string category;
  std::vector<FieldSpec> fields;

  const FieldSpec* field(const std::string& n) const {
    for (const auto& f : fields)
      if (f.name == n) return &f;
    return nullptr;
  }
};

struct AgentSpec {
  std::string name;
  std::uint64_t count = 0;  // 0: a single agent; else a population of `count`
  std::string trust;
  std::string region;
  std::vector<std::pair<std::string, bool>> holds;  // data, by partition

  bool population() const { return count > 0; }
  std::uint64_t instances() const { return count ? count : 1; }
  bool may_collude() const { return trust == "curious" || trust == "malicious"; }
};

struct ComputeSpec {
  std::string name, at, kind;
  std::vector<std::string> inputs;  // positional arguments as written (data, D.f, artifact, expression)
  std::vector<std::pair<std::string, std::string>> params;
  bool release = false;  // a private mechanism

  std::string param(const std::string& key) const {
    for (const auto& p : params)
      if (p.first == key) return p.second;
    return "";
  }
  void set_param(const std::string& key, const std::string& value) {
    for (auto& p : params)
      if (p.first == key) {
        p.second = value;
        return;
      }
    params.emplace_back(key, value);
  }
};

struct SendSpec {
  std::string artifact, from, to;  // from "" : from where it is computed
  std::string channel;             // "" plain, or as written: encrypted, secure_aggregation(...), shuffler(by: S)
};

struct MemberSpec {
  std::string agent;
  std::uint64_t count = 0;  // 0: the single agent, else `count of agent`
};

struct TargetSpec {
  std::vector<MemberSpec> fixed;
  std::uint64_t k = 0;  // any k of candidates (0: none)
  std::vector<std::string> candidates;
};

struct RequirementSpec {
  std::string name;
  std::string measure;  // "dp(d0)", "posterior(d0.f0 = a)", … ; "" for forbid
  TargetSpec target;
  std::string bound;    // "epsilon 1", "1/2", "1 bits"
  std::string forbid;   // "c0 from r0 to r1 unless epsilon <= 1": a forbid rule
};

struct RandomSpec {
  std::uint64_t seed = 0;
  std::vector<std::string> regions;
  std::vector<std::pair<std::string, bool>> categories;  // name, special
  std::string settings;                                  // "" or "settings { ... }"
  std::vector<DataSpec> data;
  std::vector<AgentSpec> agents;
  std::vector<ComputeSpec> computes;
  std::vector<SendSpec> sends;
  std::vector<RequirementSpec> requirements;

  AgentSpec* agent(const std::string& n) {
    for (auto& a : agents)
      if (a.name == n) return &a;
    return nullptr;
  }
  const AgentSpec* agent(const std::string& n) const {
    for (const auto& a : agents)
      if (a.name == n) return &a;
    return nullptr;
  }
  const ComputeSpec* compute(const std::string& n) const {
    for (const auto& c : computes)
      if (c.name == n) return &c;
    return nullptr;
  }
  /// Does agent `a` hold artifact `x` (computed at it or sent to it)?
  bool holds_artifact(const std::string& a, const std::string& x) const {
    const ComputeSpec* c = compute(x);
    if (c && c->at == a) return true;
    for (const auto& s : sends)
      if (s.artifact == x && s.to == a) return true;
    return false;
  }
  /// The statements, one string each, in the canonical order.
  std::vector<std::string> statements() const;
  /// The spec text (statements one per line).
  std::string text() const {
    std::string out;
    for (const auto& s : statements()) out += s + "\n";
    return out;
  }
  /// Every name the spec declares or uses: regions, categories, data, fields, enum values,
  /// agents, artifacts, requirement names (what a renaming may change).
  std::set<std::string> names() const;
};

// ---------------------------------------------------------------------------------------

inline std::string render_target(const TargetSpec& t) {
  auto member = [](const MemberSpec& m) { return m.count ? std::to_string(m.count) + " of " + m.agent : m.agent; };
  std::string fixed;
  for (std::size_t i = 0; i < t.fixed.size(); ++i) fixed += (i ? ", " : "") + member(t.fixed[i]);
  std::string choice;
  if (t.k) {
    choice = "any " + std::to_string(t.k) + " of {";
    for (std::size_t i = 0; i < t.candidates.size(); ++i) choice += (i ? ", " : "") + t.candidates[i];
    choice += "}";
  }
  if (choice.empty()) return "{" + fixed + "}";
  if (fixed.empty()) return choice;
  return "{" + fixed + "} + " + choice;
}

inline std::vector<std::string> RandomSpec::statements() const {
  std::vector<std::string> out;
  if (!settings.empty()) out.push_back(settings);
  for (const auto& r : regions) out.push_back("region " + r);
  for (const auto& c : categories) out.push_back("category " + c.first + (c.second ? " special" : ""));
  for (const auto& d : data) {
    std::ostringstream s;
    s << "data " << d.name << " { rows: " << d.rows;
    if (!d.neighbouring.empty()) s << " neighbouring: " << d.neighbouring;
    if (!d.category.empty()) s << " category: " << d.category;
    for (const auto& f : d.fields) {
      s << " field " << f.name << ": ";
      switch (f.type) {
        case FieldSpec::Type::kEnum: {
          s << "{";
          for (std::size_t i = 0; i < f.values.size(); ++i) s << (i ? ", " : "") << f.values[i];
          s << "}";
          break;
        }
        case FieldSpec::Type::kBool: s << "bool"; break;
        case FieldSpec::Type::kInt: s << "int[" << f.lo << ", " << f.hi << "]"; break;
      }
      auto dist = [&](const std::vector<std::string>& p) {
        std::string t = "{";
        for (std::size_t i = 0; i < p.size(); ++i) t += (i ? ", " : "") + p[i];
        return t + "}";
      };
      if (!f.given.empty()) {
        const FieldSpec* parent = d.field(f.given);
        s << " given " << f.given << " {";
        for (std::size_t i = 0; i < f.table.size(); ++i) s << (i ? ", " : "") << parent->value_text(i) << ": " << dist(f.table[i]);
        s << "}";
      } else if (!f.prior.empty()) {
        s << " prior " << dist(f.prior);
      }
      if (!f.category.empty()) s << " category " << f.category;
    }
    s << " }";
    out.push_back(s.str());
  }
  for (const auto& a : agents) {
    std::ostringstream s;
    s << "agent " << a.name;
    if (a.count) s << "[" << a.count << "]";
    s << " { trust: " << a.trust;
    if (!a.region.empty()) s << ", region: " << a.region;
    if (a.holds.size() == 1) {
      s << ", holds: " << a.holds[0].first << (a.holds[0].second ? " by partition" : "");
    } else if (!a.holds.empty()) {
      s << ", holds: {";
      for (std::size_t i = 0; i < a.holds.size(); ++i)
        s << (i ? ", " : "") << a.holds[i].first << (a.holds[i].second ? " by partition" : "");
      s << "}";
    }
    s << " }";
    out.push_back(s.str());
  }
  for (const auto& c : computes) {
    std::string s = "compute " + c.name + " at " + c.at + " = " + c.kind + "(";
    bool first = true;
    for (const auto& in : c.inputs) {
      s += (first ? "" : ", ") + in;
      first = false;
    }
    for (const auto& p : c.params) {
      s += (first ? "" : ", ") + p.first + ": " + p.second;
      first = false;
    }
    out.push_back(s + ")");
  }
  for (const auto& f : sends)
    out.push_back("send " + f.artifact + (f.from.empty() ? "" : " from " + f.from) + " to " + f.to +
                  (f.channel.empty() ? "" : " via " + f.channel));
  for (const auto& r : requirements) {
    if (!r.forbid.empty()) {
      out.push_back("forbid " + r.name + ": " + r.forbid);
      continue;
    }
    out.push_back("require " + r.name + ": " + r.measure + " against " + render_target(r.target) + " <= " + r.bound);
  }
  return out;
}

inline std::set<std::string> RandomSpec::names() const {
  std::set<std::string> n(regions.begin(), regions.end());
  for (const auto& c : categories) n.insert(c.first);
  for (const auto& d : data) {
    n.insert(d.name);
    for (const auto& f : d.fields) {
      n.insert(f.name);
      for (const auto& v : f.values) n.insert(v);
    }
  }
  for (const auto& a : agents) n.insert(a.name);
  for (const auto& c : computes) n.insert(c.name);
  for (const auto& r : requirements) n.insert(r.name);
  return n;
}

/// `text` with every identifier in `rename` replaced (numbers such as 1e-5 are kept whole).
inline std::string rename_identifiers(const std::string& text, const std::map<std::string, std::string>& rename) {
  std::string out;
  std::size_t i = 0;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (i < text.size()) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t j = i;
      while (j < text.size() && (word(text[j]) || text[j] == '.')) ++j;
      out.append(text, i, j - i);
      i = j;
    } else if (word(c)) {
      std::size_t j = i;
      while (j < text.size() && word(text[j])) ++j;
      std::string w = text.substr(i, j - i);
      auto it = rename.find(w);
      out += it == rename.end() ? w : it->second;
      i = j;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Generation.

class SpecRng {
 public:
  explicit SpecRng(std::uint64_t seed) : rng_(seed) {}
  int pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }
  bool chance(int percent) { return pick(100) < percent; }
  template <class T>
  const T& one(const std::vector<T>& v) { return v[static_cast<std::size_t>(pick(static_cast<int>(v.size())))]; }
  std::mt19937_64& engine() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

/// A random exact distribution over n values (denominator 10, 12 or 20; every entry > 0).
inline std::vector<std::string> random_distribution(SpecRng& r, std::size_t n) {
  const int dens[] = {10, 12, 20};
  const int den = dens[r.pick(3)];
  std::vector<int> w(n, 1);
  for (int left = den - static_cast<int>(n); left > 0; --left) ++w[static_cast<std::size_t>(r.pick(static_cast<int>(n)))];
  std::vector<std::string> out;
  for (int x : w) out.push_back(std::to_string(x) + "/" + std::to_string(den));
  return out;
}

/// A data set with 1..max_fields fields of small finite types, with priors and sometimes a `given`.
inline DataSpec random_data(SpecRng& r, const std::string& name, std::uint64_t rows, int max_fields,
                            const std::vector<std::string>& categories) {
  DataSpec d;
  d.name = name;
  d.rows = rows;
  const int n = 1 + r.pick(max_fields);
  static const std::vector<std::string> neighbouring = {"", "add_remove", "replace"};
  d.neighbouring = r.one(neighbouring);
  if (!categories.empty() && r.chance(50)) d.category = r.one(categories);
  for (int i = 0; i < n; ++i) {
    FieldSpec f;
    f.name = name + "f" + std::to_string(i);
    switch (r.pick(3)) {
      case 0: {
        f.type = FieldSpec::Type::kEnum;
        const int k = 2 + r.pick(2);
        for (int v = 0; v < k; ++v) f.values.push_back(f.name + "v" + std::to_string(v));
        break;
      }
      case 1: f.type = FieldSpec::Type::kBool; break;
      default:
        f.type = FieldSpec::Type::kInt;
        f.lo = r.pick(2);
        f.hi = f.lo + 1 + r.pick(2);
        break;
    }
    // A `given` on an earlier enum field, else a prior (or none: uniform).
    const FieldSpec* parent = nullptr;
    for (const auto& g : d.fields)
      if (g.type == FieldSpec::Type::kEnum) parent = &g;
    if (parent && r.chance(40)) {
      f.given = parent->name;
      for (std::size_t v = 0; v < parent->size(); ++v) f.table.push_back(random_distribution(r, f.size()));
    } else if (r.chance(70)) {
      f.prior = random_distribution(r, f.size());
    }
    if (!categories.empty() && r.chance(15)) f.category = r.one(categories);
    d.fields.push_back(f);
  }
  return d;
}

/// A `map` expression over the fields of `d`, and its value as a function of the record's
/// value indices (in field order).
struct MapExpr {
  std::string text;
  std::function<long(const std::vector<std::size_t>&)> eval;
};

inline MapExpr random_map_expr(SpecRng& r, const DataSpec& d) {
  const std::size_t fi = static_cast<std::size_t>(r.pick(static_cast<int>(d.fields.size())));
  const FieldSpec& f = d.fields[fi];
  MapExpr m;
  switch (f.type) {
    case FieldSpec::Type::kInt: {
      const FieldSpec fc = f;
      switch (r.pick(5)) {
        case 0: m.text = f.name + " + 1"; m.eval = [fi, fc](const auto& x) { return fc.numeric(x[fi]) + 1; }; break;
        case 1: m.text = f.name + " / 2"; m.eval = [fi, fc](const auto& x) { return fc.numeric(x[fi]) / 2; }; break;
        case 2: m.text = f.name + " % 2"; m.eval = [fi, fc](const auto& x) { return fc.numeric(x[fi]) % 2; }; break;
        case 3: {
          const int t = fc.lo + 1;
          m.text = "if " + f.name + " < " + std::to_string(t) + " then 0 else 1";
          m.eval = [fi, fc, t](const auto& x) { return fc.numeric(x[fi]) < t ? 0L : 1L; };
          break;
        }
        default: m.text = f.name + " * 2 - 1"; m.eval = [fi, fc](const auto& x) { return fc.numeric(x[fi]) * 2 - 1; }; break;
      }
      break;
    }
    case FieldSpec::Type::kEnum: {
      const std::size_t v = static_cast<std::size_t>(r.pick(static_cast<int>(f.size())));
      if (r.chance(25)) {
        // Injective: every value to its own number.
        m.text = "";
        for (std::size_t i = 0; i + 1 < f.size(); ++i) m.text += "if " + f.name + " = " + f.values[i] + " then " + std::to_string(10 + i) + " else ";
        m.text += std::to_string(10 + f.size() - 1);
        m.eval = [fi](const auto& x) { return 10L + static_cast<long>(x[fi]); };
      } else if (r.chance(50)) {
        m.text = f.name + " = " + f.values[v];
        m.eval = [fi, v](const auto& x) { return x[fi] == v ? 1L : 0L; };
      } else {
        m.text = "if " + f.name + " != " + f.values[v] + " then 3 else 5";
        m.eval = [fi, v](const auto& x) { return x[fi] != v ? 3L : 5L; };
      }
      break;
    }
    case FieldSpec::Type::kBool:
      if (r.chance(50)) {
        m.text = "not " + f.name;
        m.eval = [fi](const auto& x) { return x[fi] ? 0L : 1L; };
      } else {
        m.text = "if " + f.name + " then 7 else 2";
        m.eval = [fi](const auto& x) { return x[fi] ? 7L : 2L; };
      }
      break;
  }
  return m;
}

inline std::string random_keep(SpecRng& r) {
  static const std::vector<std::string> keeps = {"3/5", "2/3", "3/4", "4/5", "9/10"};
  return r.one(keeps);
}

/// A random requirement measure over data `d` (dp, posterior, advantage, leakage,
/// reidentification, membership, reconstruction) and a bound for it.
inline std::pair<std::string, std::string> random_measure(SpecRng& r, const DataSpec& d) {
  const FieldSpec& f = d.fields[static_cast<std::size_t>(r.pick(static_cast<int>(d.fields.size())))];
  switch (r.pick(7)) {
    case 0: return {"dp(" + d.name + ")", "epsilon " + std::to_string(1 + r.pick(4)) + "/2"};
    case 1:
      return {"posterior(" + d.name + "." + f.name + " = " + f.value_text(static_cast<std::size_t>(r.pick(static_cast<int>(f.size())))) + ")",
              std::to_string(1 + r.pick(9)) + "/10"};
    case 2: return {"advantage(" + d.name + ")", std::to_string(1 + r.pick(9)) + "/10"};
    case 3: return {"leakage(" + d.name + "." + f.name + ")", std::to_string(1 + r.pick(4)) + "/4 bits"};
    case 5: return {"membership(" + d.name + ") at fpr 1/" + std::to_string(10 + 90 * r.pick(3)), std::to_string(1 + r.pick(9)) + "/10"};
    case 6: return {"reconstruction(" + d.name + "." + f.name + ")", std::to_string(1 + r.pick(9)) + "/10"};
    default: {
      std::string fs;
      for (const auto& g : d.fields)
        if (fs.empty() || r.chance(60)) fs += (fs.empty() ? "" : ", ") + g.name;
      return {"reidentification(" + d.name + " by {" + fs + "})", std::to_string(1 + r.pick(9)) + "/10"};
    }
  }
}

/// A random private mechanism or deterministic computation over `input` (a data name, or an
/// artifact when `artifact`), computed at `at` (a population when `population`).
inline ComputeSpec random_compute(SpecRng& r, const std::string& name, const std::string& at, bool population,
                                  const DataSpec& d, const std::string& input, bool artifact) {
  ComputeSpec c;
  c.name = name;
  c.at = at;
  auto times = [&]() {
    if (r.chance(30)) c.params.emplace_back("times", std::to_string(2 + r.pick(3)));
  };
  std::vector<std::string> kinds = {"laplace", "geometric", "gaussian", "exponential", "declared", "count", "train",
                                    "pseudonymize"};
  if (artifact) {
    kinds.push_back("aggregate");
    kinds.push_back("aggregate");
  } else {
    for (const char* k : {"map", "select", "sum", "mean", "histogram", "randomized_response", "randomized_response",
                          "dpsgd"})
      kinds.push_back(k);
  }
  c.kind = r.one(kinds);
  const FieldSpec* numeric = nullptr;
  for (const auto& f : d.fields)
    if (f.type != FieldSpec::Type::kEnum) numeric = &f;
  if ((c.kind == "sum" || c.kind == "mean") && !numeric) c.kind = "histogram";
  const FieldSpec& f = d.fields[static_cast<std::size_t>(r.pick(static_cast<int>(d.fields.size())))];
  if (c.kind == "map") {
    c.inputs = {input, random_map_expr(r, d).text};
  } else if (c.kind == "select") {
    c.inputs = {input};
    for (const auto& g : d.fields)
      if (c.inputs.size() == 1 || r.chance(50)) c.inputs.push_back(g.name);
  } else if (c.kind == "sum" || c.kind == "mean") {
    c.inputs = {input + "." + numeric->name};
  } else if (c.kind == "histogram" || c.kind == "randomized_response") {
    c.inputs = {input + "." + f.name};
  } else {
    c.inputs = {input};
    // Sometimes a field as input of a mechanism (D.f)
    if (!artifact && r.chance(20) && c.kind != "count" && c.kind != "aggregate" && c.kind != "dpsgd")
      c.inputs = {input + "." + f.name};
  }
  c.release = true;
  if (c.kind == "laplace") {
    if (r.chance(70)) c.params.emplace_back("epsilon", std::to_string(1 + r.pick(4)) + "/4");
    else c.params.emplace_back("scale", std::to_string(1 + r.pick(4)));
    if (r.chance(20)) c.params.emplace_back("sensitivity", "2");
    times();
  } else if (c.kind == "geometric" || c.kind == "exponential") {
    c.params.emplace_back("epsilon", std::to_string(1 + r.pick(4)) + "/4");
    times();
  } else if (c.kind == "gaussian") {
    c.params.emplace_back("sigma", std::to_string(2 + r.pick(5)));
    if (population && r.chance(40)) c.params.emplace_back("distributed", "true");
    times();
  } else if (c.kind == "declared") {
    if (r.chance(70)) {
      c.params.emplace_back("epsilon", std::to_string(1 + r.pick(4)) + "/4");
      if (r.chance(30)) c.params.emplace_back("delta", "1e-7");
    } else {
      c.params.emplace_back("rho", std::to_string(1 + r.pick(4)) + "/20");
    }
    times();
  } else if (c.kind == "randomized_response") {
    if (r.chance(75)) c.params.emplace_back("keep", random_keep(r));
    else c.params.emplace_back("epsilon", std::to_string(1 + r.pick(3)) + "/2");
    times();
  } else if (c.kind == "dpsgd") {
    c.params.emplace_back("noise_multiplier", std::to_string(1 + r.pick(3)));
    c.params.emplace_back("sampling_rate", "1/10");
    c.params.emplace_back("steps", std::to_string(2 + r.pick(6)));
    if (population && r.chance(40)) c.params.emplace_back("distributed", "true");
  } else {
    c.release = false;
  }
  return c;
}

/// A random spec: a data set (sometimes two) held by a population or a single agent, a
/// chain of computations 1–3 deep (sometimes a second branch) through random channels to
/// a server, an analyst, a shuffler and a second population, and requirements of every
/// measure against fixed and `any K of` coalitions, and forbid rules.
inline RandomSpec random_spec(std::uint64_t seed) {
  SpecRng r(seed);
  RandomSpec s;
  s.seed = seed;
  s.regions = {"r0", "r1"};
  s.categories = {{"c0", r.chance(50)}, {"c1", false}};
  const std::vector<std::string> cats = {"c0", "c1"};
  if (r.chance(20)) s.settings = "settings { delta: 1e-6 }";
  static const std::vector<std::string> all_trust = {"trusted", "honest", "curious", "malicious"};

  // The holder of d0: a population (by partition, or whole: replicas) or a single agent.
  AgentSpec p;
  p.name = "p";
  const bool single_holder = r.chance(20);
  p.count = single_holder ? 0 : 2 + static_cast<std::uint64_t>(r.pick(5));
  const int tp = r.pick(10);
  p.trust = tp < 2 ? "honest" : tp < 3 ? "trusted" : tp < 8 ? "curious" : "malicious";
  p.region = r.one(s.regions);
  const bool partition = p.count && r.chance(80);
  p.holds.emplace_back("d0", partition);
  std::uint64_t rows = partition && r.chance(50) ? p.count : static_cast<std::uint64_t>(r.one(std::vector<int>{10, 100, 1000}));
  s.data.push_back(random_data(r, "d0", rows, 3, cats));

  AgentSpec server{"s", 0, r.chance(40) ? "malicious" : r.chance(80) ? "curious" : r.one(all_trust), r.one(s.regions), {}};
  AgentSpec analyst{"a", 0, r.chance(80) ? "curious" : "honest", r.one(s.regions), {}};
  AgentSpec shuf{"u", 0, r.chance(85) ? "curious" : "trusted", r.one(s.regions), {}};
  AgentSpec q{"q", 2 + static_cast<std::uint64_t>(r.pick(2)), r.chance(85) ? "curious" : "honest", r.one(s.regions), {}};
  if (r.chance(35)) {
    // A second data set, held whole by a single agent.
    s.data.push_back(random_data(r, "d1", static_cast<std::uint64_t>(r.one(std::vector<int>{5, 50})), 2, cats));
    AgentSpec h{"h", 0, r.chance(50) ? "curious" : "honest", r.one(s.regions), {{"d1", false}}};
    s.agents.push_back(h);
  }
  s.agents.insert(s.agents.begin(), p);
  s.agents.push_back(server);
  s.agents.push_back(analyst);
  s.agents.push_back(shuf);
  s.agents.push_back(q);
  if (r.chance(15)) s.agent("a")->holds.emplace_back("d0", false);  // a second holder, maybe across a border

  int next = 0;
  auto fresh = [&]() { return "x" + std::to_string(next++); };
  auto channel_from = [&](const AgentSpec& from) -> std::string {
    if (!from.population()) return r.chance(50) ? "" : "encrypted";
    switch (r.pick(5)) {
      case 0: return "";
      case 1: return "encrypted";
      case 2: {
        const std::uint64_t th = 1 + static_cast<std::uint64_t>(r.pick(static_cast<int>(from.count)));
        if (r.chance(50)) return "secure_aggregation(threshold: " + std::to_string(th) + ")";
        const std::uint64_t mc = th + static_cast<std::uint64_t>(r.pick(static_cast<int>(from.count - th + 1)));
        return "secure_aggregation(threshold: " + std::to_string(th) + ", min_clients: " + std::to_string(mc) + ")";
      }
      default: return "shuffler(by: u)";
    }
  };
  // A chain from data `dname` held at `holder`.
  auto chain = [&](const std::string& holder, const DataSpec& d) {
    const AgentSpec* at = s.agent(holder);
    ComputeSpec c = random_compute(r, fresh(), holder, at->population(), d, d.name, false);
    s.computes.push_back(c);
    std::string current = c.name;
    std::string where = holder;
    const int depth = 1 + r.pick(3);
    std::vector<std::string> sinks = {"s", "a", "q"};
    for (int step = 1; step <= depth; ++step) {
      std::string to = r.one(sinks);
      if (to == where) to = where == "s" ? "a" : "s";
      const AgentSpec* from = s.agent(where);
      s.sends.push_back({current, step == 1 ? "" : "", to, channel_from(*from)});
      if (step == depth) break;
      const AgentSpec* dest = s.agent(to);
      ComputeSpec n = random_compute(r, fresh(), to, dest->population(), d, current, true);
      s.computes.push_back(n);
      current = n.name;
      where = to;
    }
  };
  chain("p", s.data[0]);
  if (r.chance(50)) chain("p", s.data[0]);
  if (s.data.size() > 1) chain("h", s.data[1]);

  // Requirements.
  std::vector<const AgentSpec*> named, colluders;
  for (const auto& a : s.agents) {
    if (a.trust == "trusted") continue;
    named.push_back(&a);
    if (a.may_collude()) colluders.push_back(&a);
  }
  auto member = [&](const AgentSpec& a) {
    MemberSpec m{a.name, 0};
    if (a.population()) m.count = 1 + static_cast<std::uint64_t>(r.pick(static_cast<int>(a.count)));
    return m;
  };
  const int nreq = 2 + r.pick(4);
  for (int i = 0; i < nreq; ++i) {
    RequirementSpec q_;
    q_.name = "req" + std::to_string(i);
    const DataSpec& d = s.data[static_cast<std::size_t>(r.pick(static_cast<int>(s.data.size())))];
    std::tie(q_.measure, q_.bound) = random_measure(r, d);
    // A target: fixed members and/or any K of colluders.
    std::vector<const AgentSpec*> pool = named;
    std::shuffle(pool.begin(), pool.end(), r.engine());
    const int nfixed = r.pick(3);
    std::set<std::string> used;
    for (int j = 0; j < nfixed && j < static_cast<int>(pool.size()); ++j) {
      q_.target.fixed.push_back(member(*pool[static_cast<std::size_t>(j)]));
      used.insert(pool[static_cast<std::size_t>(j)]->name);
    }
    if (q_.target.fixed.empty() || r.chance(35)) {
      std::uint64_t capacity = 0;
      for (const auto* a : colluders) {
        if (used.count(a->name) || !r.chance(75)) continue;
        q_.target.candidates.push_back(a->name);
        capacity += a->instances();
      }
      if (capacity > 0) q_.target.k = 1 + r.engine()() % std::min<std::uint64_t>(capacity, 4);
      else q_.target.candidates.clear();
    }
    if (q_.target.fixed.empty() && !q_.target.k) q_.target.fixed.push_back(member(*named.front()));
    s.requirements.push_back(q_);
  }
  if (r.chance(50)) {
    RequirementSpec f;
    f.name = "req" + std::to_string(nreq);
    f.forbid = r.one(cats) + " from " + r.one(s.regions) + " to " + r.one(s.regions);
    if (r.chance(50)) f.forbid += " unless epsilon <= " + std::to_string(1 + r.pick(6)) + "/2";
    s.requirements.push_back(f);
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// Finite exact channels: what the posterior/leakage/re-identification oracle can recompute.

/// What an observer sees of the target record in a spec made of finite channels only.
struct ExactChannel {
  enum class Kind { kRR, kSelect, kMap } kind = Kind::kRR;
  std::size_t field = 0;                // RR
  std::string keep;                     // RR, exact fraction
  std::uint64_t copies = 1;             // RR: times × replicas
  std::vector<std::size_t> selected;    // select
  MapExpr map;                          // map
};

struct ExactSpec {
  RandomSpec spec;
  std::vector<ExactChannel> seen;  // what {o} sees of the target record
};

/// A data set d of 1–3 small fields; a population p (by partition with rows = instances, or
/// replicas holding d whole) computes 1–3 finite channels (RR with keep, select, map) and
/// sends them to the observer o (some also to a bystander b, outside the coalition).
/// Requirements: every posterior(d.f = v), every leakage(d.f), reidentification by all fields.
inline ExactSpec random_exact_spec(std::uint64_t seed) {
  SpecRng r(seed);
  ExactSpec e;
  RandomSpec& s = e.spec;
  s.seed = seed;
  const bool replicas = r.chance(35);
  AgentSpec p;
  p.name = "p";
  p.count = replicas ? 1 + static_cast<std::uint64_t>(r.pick(4)) : 2 + static_cast<std::uint64_t>(r.pick(3));
  p.trust = r.chance(50) ? "honest" : "trusted";
  p.holds.emplace_back("d", !replicas);
  const std::uint64_t rows = replicas ? 2 + static_cast<std::uint64_t>(r.pick(4)) : p.count;
  DataSpec d = random_data(r, "d", rows, 3, {});
  d.name = "d";
  s.data.push_back(d);
  s.agents.push_back(p);
  s.agents.push_back({"o", 0, "curious", "", {}});
  s.agents.push_back({"b", 0, "curious", "", {}});
  const int n = 1 + r.pick(3);
  std::uint64_t rr_copies = 0;
  for (int i = 0; i < n; ++i) {
    ComputeSpec c;
    c.name = "x" + std::to_string(i);
    c.at = "p";
    ExactChannel ch;
    const int kind = r.pick(3);
    const std::uint64_t replicated = replicas ? p.count : 1;  // reports of the target's record per application
    if (kind == 0 && rr_copies + replicated <= 4) {
      ch.kind = ExactChannel::Kind::kRR;
      ch.field = static_cast<std::size_t>(r.pick(static_cast<int>(d.fields.size())));
      ch.keep = random_keep(r);
      std::uint64_t times = 1;
      if (rr_copies + 2 * replicated <= 4 && r.chance(40)) times = 2;
      ch.copies = times * replicated;
      rr_copies += ch.copies;
      c.kind = "randomized_response";
      c.inputs = {"d." + d.fields[ch.field].name};
      c.params.emplace_back("keep", ch.keep);
      if (times > 1) c.params.emplace_back("times", std::to_string(times));
      c.release = true;
    } else if (kind == 1) {
      ch.kind = ExactChannel::Kind::kSelect;
      c.kind = "select";
      c.inputs = {"d"};
      for (std::size_t f = 0; f < d.fields.size(); ++f)
        if (ch.selected.empty() ? (f + 1 == d.fields.size() || r.chance(50)) : r.chance(30)) {
          ch.selected.push_back(f);
          c.inputs.push_back(d.fields[f].name);
        }
    } else {
      ch.kind = ExactChannel::Kind::kMap;
      ch.map = random_map_expr(r, d);
      c.kind = "map";
      c.inputs = {"d", ch.map.text};
    }
    s.computes.push_back(c);
    const bool to_observer = r.chance(85);
    if (to_observer) {
      s.sends.push_back({c.name, "", "o", r.chance(50) ? "" : "encrypted"});
      e.seen.push_back(ch);
    }
    if (!to_observer || r.chance(30)) s.sends.push_back({c.name, "", "b", ""});
  }
  int i = 0;
  for (std::size_t f = 0; f < d.fields.size(); ++f) {
    for (std::size_t v = 0; v < d.fields[f].size(); ++v) {
      RequirementSpec q;
      q.name = "post" + std::to_string(i++);
      q.measure = "posterior(d." + d.fields[f].name + " = " + d.fields[f].value_text(v) + ")";
      q.target.fixed = {{"o", 0}};
      q.bound = "1/2";
      s.requirements.push_back(q);
    }
    RequirementSpec l;
    l.name = "leak" + std::to_string(f);
    l.measure = "leakage(d." + d.fields[f].name + ")";
    l.target.fixed = {{"o", 0}};
    l.bound = "1/2 bits";
    s.requirements.push_back(l);
  }
  RequirementSpec re;
  re.name = "reid";
  std::string fs;
  for (const auto& f : d.fields) fs += (fs.empty() ? "" : ", ") + f.name;
  re.measure = "reidentification(d by {" + fs + "})";
  re.target.fixed = {{"o", 0}};
  re.bound = "1/2";
  s.requirements.push_back(re);
  return e;
}

}  // namespace privflow::test
