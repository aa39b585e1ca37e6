// `data` statements (docs/language.md, "data"): rows, category, neighbouring, fields with
// their types, priors and `given` tables.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "base/text.hpp"
#include "lang/detail/checker.hpp"

namespace privflow::lang::detail {
namespace {

/// Reads a distribution over `n` values: entries in [0, 1], exactly n of them, sum 1.
bool read_distribution(CheckContext& context, const ast::Dist& dist, std::uint64_t n, const std::string& what,
                       std::vector<Rational>& out) {
  bool valid = true;
  Rational sum = 0;
  for (const auto& entry : dist.values) {
    Rational value;
    if (!context.number(entry, value)) {
      valid = false;
      continue;
    }
    if (value < 0 || value > 1) {
      context.error(entry, "probability " + entry.text + " in " + what + " is outside [0, 1]");
      valid = false;
    }
    sum += value;
    out.push_back(value);
  }
  if (!valid) return false;
  if (dist.values.size() != n) {
    context.error(dist, what + " has " + std::to_string(dist.values.size()) +
                            (dist.values.size() == 1 ? " entry" : " entries") + " but the field has " +
                            std::to_string(n) + (n == 1 ? " value" : " values"));
    return false;
  }
  if (sum != 1) {
    context.error(dist, what + " sums to " + format_exact(sum) + ", not exactly 1");
    return false;
  }
  return true;
}

/// The bounds of `int[lo, hi]`, or false after reporting why they are none.
bool read_int_bounds(CheckContext& context, const ast::Field& written, flow::Field& field) {
  Rational lo, hi;
  const bool lo_valid = context.number(written.type.lo, lo), hi_valid = context.number(written.type.hi, hi);  // both report
  if (!lo_valid || !hi_valid) return false;
  const std::int64_t max_int = context.limits.max_int;
  Rational limit(mpz_class(std::to_string(max_int)));
  bool valid = true;
  for (auto [value, literal] : {std::pair{&lo, &written.type.lo}, std::pair{&hi, &written.type.hi}}) {
    if (!is_integer(*value)) {
      context.error(*literal, "int bounds must be whole numbers, not " + quoted(literal->text));
      valid = false;
    } else if (*value > limit || *value < -limit) {
      context.error(*literal, "int bound " + literal->text + " is outside [-" + std::to_string(max_int) + ", " +
                                  std::to_string(max_int) + "]");
      valid = false;
    }
  }
  if (!valid) return false;
  if (lo > hi) {
    context.error(written.type, "int range of " + quoted(field.name) + " is empty: " + written.type.lo.text + " > " +
                                    written.type.hi.text);
    return false;
  }
  field.lo = std::stoll(lo.get_num().get_str());
  field.hi = std::stoll(hi.get_num().get_str());
  return true;
}

flow::Field lower_field_type(CheckContext& context, const ast::Field& written) {
  flow::Field field;
  field.name = written.name.name;
  field.span = context.span(written);
  switch (written.type.kind) {
    case ast::Type::Kind::kEnum: {
      field.type = flow::FieldType::kEnum;
      std::unordered_set<std::string> seen;
      for (const auto& value : written.type.values) {
        if (!seen.insert(value.name).second)
          context.error(value, "value " + quoted(value.name) + " is listed twice in field " + quoted(field.name));
        field.values.push_back(value.name);
      }
      break;
    }
    case ast::Type::Kind::kBool:
      field.type = flow::FieldType::kBool;
      field.values = {"false", "true"};
      break;
    case ast::Type::Kind::kInt:
      field.type = flow::FieldType::kInt;
      read_int_bounds(context, written, field);
      break;
  }
  if (written.category && context.resolve(*written.category, DeclKind::kCategory) != kNone)
    field.category = written.category->name;
  return field;
}

/// `given PARENT { value: dist, ... }`: one row per value of the parent.
void lower_given(CheckContext& context, const ast::Field& written, flow::Data& data, flow::Field& field) {
  const std::uint64_t n = field.domain_size();
  Id parent = data.field_index(written.parent.name);
  if (parent == kNone) {
    std::vector<std::string> field_names;
    for (const auto& other : data.fields) field_names.push_back(other.name);
    context.error(written.parent, quoted(written.parent.name) + " is not a field of " + quoted(data.name) +
                                      suggest(written.parent.name, field_names));
    return;
  }
  const flow::Field& parent_field = data.fields[parent];
  if (parent_field.type == flow::FieldType::kInt) {
    context.error(written.parent, "field " + quoted(field.name) + " is given " + quoted(parent_field.name) +
                                      ", which is not enumerated (given needs an enum or bool field)");
    return;
  }
  field.parent = parent;
  if (written.table && written.given.empty()) return;  // the table file failed: lang/tables.cpp said why
  const auto& parent_values = parent_field.values;
  std::vector<std::vector<Rational>> rows(parent_values.size());
  std::vector<const ast::GivenRow*> seen(parent_values.size(), nullptr);
  bool valid = true;
  for (const auto& row : written.given) {
    auto it = std::find(parent_values.begin(), parent_values.end(), row.value.name);
    if (it == parent_values.end()) {
      context.error(row.value, quoted(row.value.name) + " is not a value of " + quoted(parent_field.name) +
                                   suggest_or_list(row.value.name, parent_values));
      valid = false;
      continue;
    }
    std::size_t k = static_cast<std::size_t>(it - parent_values.begin());
    if (seen[k]) {
      auto& e = context.error(row.value, "value " + quoted(row.value.name) + " of " + quoted(parent_field.name) +
                                             " has two rows");
      context.diags.note(e, context.span(*seen[k]), "the first row is here");
      valid = false;
      continue;
    }
    seen[k] = &row;
    if (!read_distribution(context, row.dist, n, "the row " + quoted(row.value.name) + " of " + quoted(field.name),
                           rows[k]))
      valid = false;
  }
  std::vector<std::string> missing;
  for (std::size_t k = 0; k < seen.size(); ++k)
    if (!seen[k]) missing.push_back(quoted(parent_values[k]));
  if (!missing.empty()) {
    context.error(written, "field " + quoted(field.name) + " is given " + quoted(parent_field.name) +
                               " but has no row for " + (missing.size() == 1 ? "value " : "values ") +
                               join(missing, ", "));
    valid = false;
  }
  if (valid) field.prior = std::move(rows);
}

void lower_prior(CheckContext& context, const ast::Field& written, flow::Data& data, Id index) {
  flow::Field& field = data.fields[index];
  const std::uint64_t n = field.domain_size();
  if (written.prior_kind == ast::Field::Prior::kNone) return;
  if (n > context.limits.max_domain) {
    context.error(written.type, "field " + quoted(field.name) + " has " + std::to_string(n) +
                                    " values: too many for a prior (at most " +
                                    std::to_string(context.limits.max_domain) + ")");
    return;
  }
  if (written.prior_kind == ast::Field::Prior::kPrior && written.table && written.prior.values.empty()) return;
  if (written.prior_kind == ast::Field::Prior::kPrior) {
    std::vector<Rational> row;
    if (read_distribution(context, written.prior, n, "the prior of " + quoted(field.name), row))
      field.prior.push_back(std::move(row));
    return;
  }
  lower_given(context, written, data, field);
}

void check_given_cycles(CheckContext& context, const std::vector<const ast::Field*>& fields, flow::Data& data) {
  // Each field has at most one parent: follow the chain from each field.
  std::vector<int> state(data.fields.size(), 0);  // 0 new, 1 on the current chain, 2 done
  for (std::size_t start_field = 0; start_field < data.fields.size(); ++start_field) {
    std::vector<Id> chain;
    Id at = static_cast<Id>(start_field);
    while (at != kNone && state[at] == 0) {
      state[at] = 1;
      chain.push_back(at);
      at = data.fields[at].parent;
    }
    if (at != kNone && state[at] == 1) {
      auto start = std::find(chain.begin(), chain.end(), at);
      std::vector<std::string> loop;
      for (auto it = start; it != chain.end(); ++it) loop.push_back(data.fields[*it].name);
      loop.push_back(data.fields[at].name);
      context.error(fields[at]->parent, "fields of " + quoted(data.name) + " depend on each other through 'given': " +
                                            join(loop, " \u2192 "));
      for (auto it = start; it != chain.end(); ++it) data.fields[*it].parent = kNone;
    }
    for (Id done : chain) state[done] = 2;
  }
}

}  // namespace

void check_data(CheckContext& context, const ast::Data& written, flow::Data& data) {
  bool seen_rows = false, seen_category = false, seen_neighbouring = false;
  std::unordered_map<std::string, std::size_t> field_position;  // name -> index into data.fields
  std::vector<const ast::Field*> fields;
  for (const auto& item : written.items) {
    switch (item.kind) {
      case ast::DataItem::Kind::kRows:
        if (seen_rows) {
          context.error(item, "rows of " + quoted(data.name) + " are given twice");
          break;
        }
        seen_rows = true;
        if (auto n = context.whole_number(item.rows, "rows", 1, context.limits.max_population)) data.rows = *n;
        break;
      case ast::DataItem::Kind::kCategory:
        if (seen_category) {
          context.error(item, "the category of " + quoted(data.name) + " is given twice");
          break;
        }
        seen_category = true;
        if (context.resolve(item.ident, DeclKind::kCategory) != kNone) data.category = item.ident.name;
        break;
      case ast::DataItem::Kind::kNeighbouring:
        if (seen_neighbouring) {
          context.error(item, "neighbouring of " + quoted(data.name) + " is given twice");
          break;
        }
        seen_neighbouring = true;
        if (item.ident.name == "add_remove")
          data.neighbouring = flow::Neighbouring::kAddRemove;
        else if (item.ident.name == "replace")
          data.neighbouring = flow::Neighbouring::kReplace;
        else
          context.error(item.ident, "neighbouring must be add_remove or replace" +
                                        suggest(item.ident.name, {"add_remove", "replace"}));
        break;
      case ast::DataItem::Kind::kField: {
        const ast::Field& field = item.field;
        auto [it, inserted] = field_position.try_emplace(field.name.name, data.fields.size());
        if (!inserted) {
          auto& e = context.error(field.name, "field " + quoted(field.name.name) + " of " + quoted(data.name) +
                                                  " is declared twice");
          context.diags.note(e, data.fields[it->second].span, "the first declaration is here");
          break;
        }
        data.fields.push_back(lower_field_type(context, field));
        data.fields.back().span = context.span(item);  // from the `field` keyword
        fields.push_back(&field);
        break;
      }
    }
  }
  // Priors and `given`, now that every field of the data is known.
  for (std::size_t i = 0; i < fields.size(); ++i) lower_prior(context, *fields[i], data, static_cast<Id>(i));
  check_given_cycles(context, fields, data);
}

}  // namespace privflow::lang::detail
