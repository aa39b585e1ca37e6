// `agent` statements (docs/language.md, "agent"): population, trust, region and holdings.
#include <algorithm>
#include <set>

#include "base/text.hpp"
#include "lang/detail/checker.hpp"

namespace privflow::lang::detail {
namespace {

/// `holds: D`, `holds: D by partition` or `holds: {D1, D2 by partition}`.
void lower_holdings(CheckContext& context, const ast::Value& value, flow::Agent& agent) {
  std::vector<const ast::Value*> items;
  if (value.kind == ast::Value::Kind::kList)
    for (const auto& item : value.items) items.push_back(&item);
  else
    items.push_back(&value);
  std::set<Id> held;
  for (const ast::Value* item : items) {
    if (item->kind != ast::Value::Kind::kIdent && item->kind != ast::Value::Kind::kHolding) {
      context.error(*item, "holds lists data: 'D', 'D by partition' or '{D1, D2 by partition}'");
      continue;
    }
    Id data = context.resolve(item->ident, DeclKind::kData);
    if (data == kNone) continue;
    if (!held.insert(data).second) {
      context.error(*item, "agent " + quoted(agent.name) + " holds " + quoted(item->ident.name) + " twice");
      continue;
    }
    agent.holds.push_back({data, item->kind == ast::Value::Kind::kHolding, context.span(*item)});
  }
}

}  // namespace

void check_agent(CheckContext& context, const ast::Agent& written, flow::Agent& agent) {
  if (written.count) {
    agent.population = true;
    if (auto n = context.whole_number(*written.count, "the population of " + quoted(agent.name), 1,
                                      context.limits.max_population))
      agent.count = *n;
  }
  std::set<std::string> seen;
  bool has_trust = false;
  static const std::vector<std::string> keys = {"trust", "region", "holds"};
  static const std::vector<std::string> levels = {"trusted", "honest", "curious", "malicious"};
  for (const auto& prop : written.props) {
    const std::string& key = prop.key.name;
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      context.error(prop.key, "unknown agent property " + quoted(key) +
                                  (closest_match(key, keys) ? suggest(key, keys)
                                                            : " (agent properties are trust, region and holds)"));
      continue;
    }
    if (!seen.insert(key).second) {
      context.error(prop.key, "property " + quoted(key) + " of agent " + quoted(agent.name) + " is given twice");
      continue;
    }
    const ast::Value& value = prop.value;
    if (key == "trust") {
      has_trust = true;
      auto it = value.kind == ast::Value::Kind::kIdent ? std::find(levels.begin(), levels.end(), value.ident.name)
                                                       : levels.end();
      if (it == levels.end()) {
        context.error(value, "trust must be trusted, honest, curious or malicious" +
                                 (value.kind == ast::Value::Kind::kIdent ? suggest(value.ident.name, levels)
                                                                         : std::string()));
        continue;
      }
      agent.trust = static_cast<flow::Trust>(it - levels.begin());
    } else if (key == "region") {
      if (value.kind != ast::Value::Kind::kIdent) {
        context.error(value, "region must be the name of a region");
        continue;
      }
      agent.region = context.resolve(value.ident, DeclKind::kRegion);
    } else {
      lower_holdings(context, value, agent);
    }
  }
  if (!has_trust)
    context.error(written.name, "agent " + quoted(agent.name) +
                                    " has no trust level (add 'trust: trusted|honest|curious|malicious')");
}

}  // namespace privflow::lang::detail
