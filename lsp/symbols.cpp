#include "lsp/symbols.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace privflow::lsp {

const char* symbol_kind_word(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::kPipeline: return "pipeline";
    case SymbolKind::kRegion: return "region";
    case SymbolKind::kCategory: return "category";
    case SymbolKind::kParam: return "param";
    case SymbolKind::kData: return "data";
    case SymbolKind::kField: return "field";
    case SymbolKind::kAgent: return "agent";
    case SymbolKind::kArtifact: return "artifact";
    case SymbolKind::kAdversary: return "adversary";
    case SymbolKind::kRequirement: return "requirement";
    case SymbolKind::kMechanism: return "computation";
    case SymbolKind::kParameter: return "parameter";
  }
  return "name";
}

namespace {

namespace ast = lang::ast;

// Walks the tree twice: declarations first (names may be used before they are declared,
// docs/language.md), then references, each resolved by name as the checker does
// (lang/check_names.cpp): one namespace for the top-level names, fields within their data.
class Builder {
 public:
  explicit Builder(const ast::Program& program) : program_(program) {}

  std::vector<Occurrence> build() {
    declare_all();
    refer_all();
    std::stable_sort(items_.begin(), items_.end(), [](const Occurrence& a, const Occurrence& b) {
      return a.begin < b.begin;
    });
    return std::move(items_);
  }

 private:
  void declare(const ast::Ident& name, SymbolKind kind, const ast::Node& statement, std::string scope = {}) {
    if (name.name.empty()) return;
    items_.push_back({name.name, kind, scope, name.begin, name.end, true, statement.begin, statement.end});
    if (kind == SymbolKind::kField) fields_.insert({scope, name.name});
    else top_.try_emplace(name.name, kind);
  }

  void declare_all() {
    for (const auto& s : program_.pipelines) declare(s.name, SymbolKind::kPipeline, s);
    for (const auto& s : program_.regions) declare(s.name, SymbolKind::kRegion, s);
    for (const auto& s : program_.categories) declare(s.name, SymbolKind::kCategory, s);
    for (const auto& s : program_.params) declare(s.name, SymbolKind::kParam, s);
    for (const auto& s : program_.data) {
      declare(s.name, SymbolKind::kData, s);
      for (const auto& item : s.items)
        if (item.kind == ast::DataItem::Kind::kField) declare(item.field.name, SymbolKind::kField, item, s.name.name);
    }
    for (const auto& s : program_.agents) declare(s.name, SymbolKind::kAgent, s);
    for (const auto& s : program_.computes) declare(s.name, SymbolKind::kArtifact, s);
    for (const auto& s : program_.adversaries) declare(s.name, SymbolKind::kAdversary, s);
    for (const auto& s : program_.requires_)
      if (s.name) declare(*s.name, SymbolKind::kRequirement, s);
    for (const auto& s : program_.forbids)
      if (s.name) declare(*s.name, SymbolKind::kRequirement, s);
  }

  void add(const ast::Ident& name, SymbolKind kind, std::string scope = {}) {
    if (name.name.empty() || name.end <= name.begin) return;
    items_.push_back({name.name, kind, std::move(scope), name.begin, name.end, false, 0, 0});
  }
  // A name the grammar says is of `hint`'s kind: its declaration's kind when there is one (a
  // wrong kind is the checker's error), else the hint.
  void refer(const ast::Ident& name, SymbolKind hint) {
    auto it = top_.find(name.name);
    add(name, it != top_.end() ? it->second : hint);
  }
  // A name that may be anything (a property's value, an expression's leaf): only a declared one.
  void refer_if_declared(const ast::Ident& name, const std::string& data_scope = {}) {
    if (!data_scope.empty() && fields_.count({data_scope, name.name})) return add(name, SymbolKind::kField, data_scope);
    if (auto it = top_.find(name.name); it != top_.end()) add(name, it->second);
  }
  void field(const ast::Ident& name, const std::string& data) { add(name, SymbolKind::kField, data); }

  void value(const ast::Value& v) {
    switch (v.kind) {
      case ast::Value::Kind::kIdent: refer_if_declared(v.ident); break;
      case ast::Value::Kind::kHolding: refer(v.ident, SymbolKind::kData); break;
      case ast::Value::Kind::kList:
      case ast::Value::Kind::kArray:
        for (const auto& item : v.items) value(item);
        break;
      case ast::Value::Kind::kArith: arith(v.arith); break;
      default: break;
    }
  }
  void arith(const ast::Arith& a) {
    if (a.op == ast::Arith::Op::kName) refer(a.ident, SymbolKind::kParam);
    for (const auto& child : a.children) arith(child);
  }
  void expr(const ast::Expr& e, const std::string& data_scope) {
    if (e.op == ast::Expr::Op::kIdent) refer_if_declared(e.ident, data_scope);
    for (const auto& child : e.children) expr(child, data_scope);
  }
  void coalition(const ast::Coalition& c) {
    for (const auto& member : c.members) refer(member.agent, SymbolKind::kAgent);
    for (const auto& candidate : c.candidates) refer(candidate, SymbolKind::kAgent);
  }

  void compute(const ast::Compute& c) {
    refer(c.at, SymbolKind::kAgent);
    add(c.kind, SymbolKind::kMechanism);
    // `map(D, expr)`, `select(D, f, …)`: names after the data are its fields.
    std::string scope;
    for (const auto& arg : c.args) {
      switch (arg.kind) {
        case ast::Arg::Kind::kNamed:
          add(arg.key, SymbolKind::kParameter, c.kind.name);
          value(arg.value);
          break;
        case ast::Arg::Kind::kField:
          refer(arg.key, SymbolKind::kData);
          field(arg.field, arg.key.name);
          break;
        case ast::Arg::Kind::kExpr:
          expr(arg.expr, scope);
          if (scope.empty() && arg.expr.op == ast::Expr::Op::kIdent) {
            auto it = top_.find(arg.expr.ident.name);
            if (it != top_.end() && it->second == SymbolKind::kData) scope = arg.expr.ident.name;
          }
          break;
      }
    }
  }

  void refer_all() {
    for (const auto& s : program_.settings)
      for (const auto& p : s.props) value(p.value);
    for (const auto& s : program_.data)
      for (const auto& item : s.items) {
        if (item.kind == ast::DataItem::Kind::kCategory) refer(item.ident, SymbolKind::kCategory);
        if (item.kind != ast::DataItem::Kind::kField) continue;
        if (item.field.prior_kind == ast::Field::Prior::kGiven) field(item.field.parent, s.name.name);
        if (item.field.category) refer(*item.field.category, SymbolKind::kCategory);
      }
    for (const auto& s : program_.agents)
      for (const auto& p : s.props) value(p.value);
    for (const auto& s : program_.computes) compute(s);
    for (const auto& s : program_.sends) {
      refer(s.artifact, SymbolKind::kArtifact);
      if (s.from) refer(*s.from, SymbolKind::kAgent);
      refer(s.to, SymbolKind::kAgent);
      for (const auto& arg : s.channel_args) {
        if (arg.kind != ast::Arg::Kind::kNamed) continue;
        add(arg.key, SymbolKind::kParameter, s.channel ? s.channel->name : "");
        value(arg.value);
      }
    }
    for (const auto& s : program_.adversaries) coalition(s.coalition);
    for (const auto& s : program_.requires_) {
      refer(s.measure.data, SymbolKind::kData);
      field(s.measure.field, s.measure.data.name);
      for (const auto& f : s.measure.fields) field(f, s.measure.data.name);
      if (s.target_is_name) refer(s.target_name, SymbolKind::kAdversary);
      else coalition(s.target);
    }
    for (const auto& s : program_.forbids) {
      refer(s.category, SymbolKind::kCategory);
      refer(s.from, SymbolKind::kRegion);
      refer(s.to, SymbolKind::kRegion);
    }
  }

  const ast::Program& program_;
  std::vector<Occurrence> items_;
  std::map<std::string, SymbolKind> top_;
  std::set<std::pair<std::string, std::string>> fields_;  // (data, field)
};

bool same_thing(const Occurrence& a, const Occurrence& b) {
  if (a.kind != b.kind || a.name != b.name) return false;
  return a.kind != SymbolKind::kField || a.scope == b.scope;
}

}  // namespace

SymbolIndex::SymbolIndex(const lang::ast::Program& program) : items_(Builder(program).build()) {}

std::optional<Occurrence> SymbolIndex::at(std::uint32_t offset) const {
  // The innermost (last starting) occurrence that covers the offset.
  std::optional<Occurrence> found;
  for (const auto& item : items_) {
    if (item.begin > offset) break;
    if (offset <= item.end) found = item;
  }
  return found;
}

std::optional<Occurrence> SymbolIndex::declaration_of(const Occurrence& occurrence) const {
  if (occurrence.kind == SymbolKind::kMechanism || occurrence.kind == SymbolKind::kParameter) return std::nullopt;
  for (const auto& item : items_)
    if (item.declaration && same_thing(item, occurrence)) return item;
  return std::nullopt;
}

std::vector<Occurrence> SymbolIndex::references_of(const Occurrence& occurrence) const {
  std::vector<Occurrence> result;
  if (occurrence.kind == SymbolKind::kMechanism || occurrence.kind == SymbolKind::kParameter) return result;
  for (const auto& item : items_)
    if (same_thing(item, occurrence)) result.push_back(item);
  return result;
}

std::vector<Occurrence> SymbolIndex::declarations() const {
  std::vector<Occurrence> result;
  for (const auto& item : items_)
    if (item.declaration) result.push_back(item);
  return result;
}

}  // namespace privflow::lsp
