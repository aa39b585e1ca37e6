// `send` statements and channels (docs/language.md, "send" and "Channels"), then what each
// agent holds: inputs a computation reads and artifacts a sender forwards must be held, and
// computations must not feed each other in a loop.
#include <algorithm>
#include <map>

#include "base/text.hpp"
#include "lang/detail/checker.hpp"

namespace privflow::lang::detail {
namespace {

using ChannelKind = flow::Channel::Kind;

/// The named arguments of a channel, each allowed and given once; false when one was not.
bool channel_arguments(CheckContext& context, const ast::Send& written, const std::string& channel,
                       const std::vector<std::string>& allowed, std::map<std::string, const ast::Arg*>& out) {
  bool valid = true;
  for (const auto& arg : written.channel_args) {
    if (arg.kind != ast::Arg::Kind::kNamed) {
      context.error(arg, channel + " takes named arguments" +
                             (allowed.empty() ? std::string(": none") : " (" + join(allowed, ", ") + ")"));
      valid = false;
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), arg.key.name) == allowed.end()) {
      context.error(arg.key, allowed.empty() ? channel + " takes no arguments"
                                             : "unknown parameter " + quoted(arg.key.name) + " of " + channel +
                                                   suggest(arg.key.name, allowed));
      valid = false;
      continue;
    }
    if (!out.emplace(arg.key.name, &arg).second) {
      context.error(arg.key, "parameter " + quoted(arg.key.name) + " is given twice");
      valid = false;
    }
  }
  return valid;
}

/// A whole number in [1, max], written as a number or a param.
std::optional<std::uint64_t> whole_argument(CheckContext& context, const ast::Arg& arg, const std::string& what,
                                            std::uint64_t max) {
  if (arg.value.kind == ast::Value::Kind::kNumber) return context.whole_number(arg.value.number, what, 1, max);
  if (arg.value.kind == ast::Value::Kind::kArray) {
    context.error(arg.value, what + " takes one number, not a list");
    return std::nullopt;
  }
  Rational value;
  if (arg.value.kind == ast::Value::Kind::kArith) {
    // A parameter expression (docs/language.md, "Parameter expressions"): a count is exact or refused.
    auto lowered = lower_param_expr(context, arg.value.arith);
    auto evaluated = lowered ? evaluate_param_expr(context, *lowered) : std::nullopt;
    if (!evaluated) return std::nullopt;
    if (!evaluated->exact()) {
      context.error(arg.value, what + " must be a whole number in [1, " + std::to_string(max) +
                                   "], not an irrational value");
      return std::nullopt;
    }
    value = evaluated->lo;
  } else {
    Id param = context.resolve(arg.value.ident, DeclKind::kParam);
    if (param == kNone) return std::nullopt;
    value = context.graph.params[param].value;
  }
  if (!is_integer(value) || value < 1 || value > Rational(mpz_class(std::to_string(max)))) {
    context.error(arg.value, what + " must be a whole number in [1, " + std::to_string(max) + "], not " +
                                 format_exact(value));
    return std::nullopt;
  }
  return std::stoull(value.get_num().get_str());
}

/// `secure_aggregation(threshold: t, [min_clients: m])`, at most `max` senders.
bool secure_aggregation(CheckContext& context, const ast::Send& written, std::map<std::string, const ast::Arg*>& args,
                        std::uint64_t max, flow::Channel& channel) {
  bool valid = true;
  if (!args.count("threshold")) {
    context.error(*written.channel, "secure_aggregation needs 'threshold' (the number of senders it needs to open a sum)");
    valid = false;
  } else if (auto threshold = whole_argument(context, *args["threshold"], "threshold", max)) {
    channel.threshold = *threshold;
    channel.min_clients = *threshold;
  } else {
    valid = false;
  }
  if (args.count("min_clients")) {
    if (auto min_clients = whole_argument(context, *args["min_clients"], "min_clients", max))
      channel.min_clients = *min_clients;
    else
      valid = false;
  }
  return valid;
}

/// `shuffler(by: S)`.
bool shuffler(CheckContext& context, const ast::Send& written, std::map<std::string, const ast::Arg*>& args,
              flow::Channel& channel) {
  if (!args.count("by")) {
    context.error(*written.channel, "shuffler needs 'by: S', the agent that shuffles");
    return false;
  }
  const ast::Arg& arg = *args["by"];
  if (arg.value.kind != ast::Value::Kind::kIdent) {
    context.error(arg.value, "'by' names the shuffling agent");
    return false;
  }
  channel.shuffler = context.resolve(arg.value.ident, DeclKind::kAgent);
  return channel.shuffler != kNone;
}

/// `network_shuffle(steps: T)`: from a population with a topology.
bool network_shuffle(CheckContext& context, const ast::Send& written, std::map<std::string, const ast::Arg*>& args,
                     const flow::Flow& lowered, flow::Channel& channel) {
  bool valid = true;
  if (!args.count("steps")) {
    context.error(*written.channel, "network_shuffle needs 'steps' (how many steps of its random walk each report takes)");
    valid = false;
  } else if (auto steps = whole_argument(context, *args["steps"], "steps", 1'000'000'000'000'000)) {
    channel.walk_steps = *steps;
  } else {
    valid = false;
  }
  if (lowered.from != kNone && context.graph.agents[lowered.from].population && !context.graph.agents[lowered.from].topology) {
    const auto& props = context.program.agents[lowered.from].props;
    if (std::none_of(props.begin(), props.end(), [](const ast::Prop& p) { return p.key.name == "topology"; })) {
      context.error(*written.channel, "network_shuffle passes the reports along the senders' topology: give " +
                                          quoted(context.graph.agents[lowered.from].name) + " one, e.g. 'topology: complete'");
      valid = false;
    }
  }
  return valid;
}

/// The channel of a send and its arguments; false when the send cannot become a flow. `valid`
/// says whether the rest of the send was.
bool lower_channel(CheckContext& context, const ast::Send& written, flow::Flow& lowered, bool valid) {
  flow::Channel& channel = lowered.channel;
  channel.span = written.channel ? context.span(*written.channel) : lowered.span;
  std::string name = written.channel ? written.channel->name : "plain";
  static const std::vector<std::string> channels = {"plain", "encrypted", "secure_aggregation", "shuffler", "network_shuffle"};
  auto it = std::find(channels.begin(), channels.end(), name);
  if (it == channels.end()) {
    context.error(*written.channel, "unknown channel " + quoted(name) + suggest(name, channels) +
                                        (closest_match(name, channels)
                                             ? ""
                                             : " (channels are plain, encrypted, secure_aggregation, shuffler and network_shuffle)"));
    return false;
  }
  if (written.channel)
    channel.span = context.diags.span(written.channel->begin, written.has_channel_args ? written.channel_args.back().end + 1
                                                                                       : written.channel->end);
  channel.kind = static_cast<ChannelKind>(it - channels.begin());
  std::vector<std::string> allowed;
  if (channel.kind == ChannelKind::kSecureAggregation) allowed = {"threshold", "min_clients"};
  if (channel.kind == ChannelKind::kShuffler) allowed = {"by"};
  if (channel.kind == ChannelKind::kNetworkShuffle) allowed = {"steps"};
  std::map<std::string, const ast::Arg*> args;
  if (!channel_arguments(context, written, name, allowed, args)) valid = false;
  const bool needs_population = channel.kind == ChannelKind::kSecureAggregation || channel.kind == ChannelKind::kShuffler ||
                                channel.kind == ChannelKind::kNetworkShuffle;
  const std::uint64_t senders = lowered.from != kNone ? context.graph.agents[lowered.from].count : 0;
  if (needs_population && lowered.from != kNone && !context.graph.agents[lowered.from].population) {
    const std::string& sender = context.graph.agents[lowered.from].name;
    context.error(*written.channel, name + " needs a population of senders; " + quoted(sender) +
                                        " is a single agent (declare it as 'agent " + sender + "[n]')");
    valid = false;
  }
  if (channel.kind == ChannelKind::kSecureAggregation) {
    if (!secure_aggregation(context, written, args, senders ? senders : context.limits.max_population, channel))
      valid = false;
  } else if (channel.kind == ChannelKind::kShuffler) {
    valid = shuffler(context, written, args, channel) && valid;
  } else if (channel.kind == ChannelKind::kNetworkShuffle) {
    valid = network_shuffle(context, written, args, lowered, channel) && valid;
  }
  return valid;
}

std::uint64_t holding_key(Id agent, Id artifact) { return (std::uint64_t{agent} << 32) | artifact; }

bool holds_data(const CheckContext& context, Id agent, Id data) {
  for (const auto& holding : context.graph.agents[agent].holds)
    if (holding.data == data) return true;
  return false;
}

/// "is computed at 'hospital' and sent to 'server'".
std::string where_artifact(const CheckContext& context, Id artifact) {
  const flow::Graph& graph = context.graph;
  const flow::Artifact& a = graph.artifacts[artifact];
  std::string text = a.at != kNone ? "is computed at " + quoted(graph.agents[a.at].name) : "is computed nowhere";
  if (!context.sent_to[artifact].empty()) {
    std::vector<std::string> receivers;
    for (Id to : context.sent_to[artifact]) receivers.push_back(quoted(graph.agents[to].name));
    text += " and sent to " + join(receivers, ", ");
  }
  return text;
}

/// "'patients' is held by 'hospital'".
std::string where_data(const CheckContext& context, Id data) {
  const flow::Graph& graph = context.graph;
  std::vector<std::string> holders;
  for (const auto& agent : graph.agents)
    for (const auto& holding : agent.holds)
      if (holding.data == data) holders.push_back(quoted(agent.name));
  if (holders.empty()) return "no agent holds " + quoted(graph.data[data].name);
  return quoted(graph.data[data].name) + " is held by " + join(holders, ", ");
}

}  // namespace

void check_send(CheckContext& context, const ast::Send& written) {
  context.send_lowered.push_back(false);
  context.send_flow.push_back(kNone);
  flow::Flow lowered;
  lowered.span = context.span(written);
  lowered.artifact = context.resolve(written.artifact, DeclKind::kArtifact);
  lowered.to = context.resolve(written.to, DeclKind::kAgent);
  if (written.from)
    lowered.from = context.resolve(*written.from, DeclKind::kAgent);
  else if (lowered.artifact != kNone)
    lowered.from = context.graph.artifacts[lowered.artifact].at;
  bool valid = lowered.artifact != kNone && lowered.to != kNone && lowered.from != kNone;
  if (valid && lowered.from == lowered.to) {
    context.error(written.to, "agent " + quoted(context.graph.agents[lowered.to].name) + " sends " +
                                  quoted(written.artifact.name) + " to itself");
    valid = false;
  }
  if (!lower_channel(context, written, lowered, valid)) return;
  context.send_lowered.back() = true;
  context.send_flow.back() = static_cast<Id>(context.graph.flows.size());
  context.graph.flows.push_back(lowered);
}

void compute_holdings(CheckContext& context) {
  const flow::Graph& graph = context.graph;
  context.sent_to.assign(graph.artifacts.size(), {});
  for (Id i = 0; i < graph.artifacts.size(); ++i)
    if (graph.artifacts[i].at != kNone) context.holds_artifact.insert(holding_key(graph.artifacts[i].at, i));
  for (const auto& flow : graph.flows) {
    context.holds_artifact.insert(holding_key(flow.to, flow.artifact));
    context.sent_to[flow.artifact].push_back(flow.to);
  }
}

void check_inputs_held(CheckContext& context, const flow::Artifact& artifact, std::size_t index) {
  if (artifact.at == kNone) return;
  const flow::Graph& graph = context.graph;
  const std::string& agent = graph.agents[artifact.at].name;
  for (const auto& input : artifact.inputs) {
    if (input.kind == flow::Input::Kind::kArtifact) {
      if (input.artifact == index) continue;  // reported as a cycle
      if (context.holds_artifact.count(holding_key(artifact.at, input.artifact))) continue;
      const flow::Artifact& source = graph.artifacts[input.artifact];
      auto& e = context.diags.error(input.span, "agent " + quoted(agent) + " computes " + quoted(artifact.name) +
                                                    " from " + quoted(source.name) + ", which it does not hold");
      context.diags.note(e, source.span, quoted(source.name) + " " + where_artifact(context, input.artifact) +
                                             " (send it to " + quoted(agent) + " first)");
    } else if (!holds_data(context, artifact.at, input.data)) {
      auto& e = context.diags.error(input.span, "agent " + quoted(agent) + " computes " + quoted(artifact.name) +
                                                    " from " + quoted(graph.data[input.data].name) +
                                                    ", which it does not hold");
      context.diags.note(e, graph.data[input.data].span, where_data(context, input.data));
    }
  }
}

void check_sender_holds(CheckContext& context, const ast::Send& written, std::size_t index) {
  if (!context.send_lowered[index] || !written.from) return;
  const flow::Graph& graph = context.graph;
  const flow::Flow& lowered = graph.flows[context.send_flow[index]];
  if (context.holds_artifact.count(holding_key(lowered.from, lowered.artifact))) return;
  const flow::Artifact& sent = graph.artifacts[lowered.artifact];
  auto& e = context.error(*written.from, "agent " + quoted(graph.agents[lowered.from].name) + " sends " +
                                             quoted(sent.name) + ", which it does not hold");
  context.diags.note(e, sent.span, quoted(sent.name) + " " + where_artifact(context, lowered.artifact));
}

void check_cycles(CheckContext& context) {
  // Iterative depth-first search: no recursion on the input's size.
  const flow::Graph& graph = context.graph;
  const std::size_t n = graph.artifacts.size();
  std::vector<int> color(n, 0);  // 0 new, 1 on the stack, 2 done
  for (Id start = 0; start < n; ++start) {
    if (color[start]) continue;
    std::vector<std::pair<Id, std::size_t>> stack{{start, 0}};
    color[start] = 1;
    while (!stack.empty()) {
      auto& [at, next] = stack.back();
      const auto& inputs = graph.artifacts[at].inputs;
      if (next >= inputs.size()) {
        color[at] = 2;
        stack.pop_back();
        continue;
      }
      const flow::Input& input = inputs[next++];
      if (input.kind != flow::Input::Kind::kArtifact) continue;
      Id to = input.artifact;
      if (color[to] == 0) {
        color[to] = 1;
        stack.push_back({to, 0});
      } else if (color[to] == 1) {
        // The loop: `to` … `at` on the stack, then `to` again. Data flows from inputs to results.
        std::vector<std::string> loop;
        auto it = std::find_if(stack.begin(), stack.end(), [&](auto& entry) { return entry.first == to; });
        for (auto j = stack.end(); j != it;) loop.push_back(graph.artifacts[(--j)->first].name);
        std::reverse(loop.begin(), loop.end());
        std::vector<std::string> flow_order(loop.rbegin(), loop.rend());
        flow_order.push_back(flow_order.front());
        context.diags.error(input.span, "computations form a cycle: " + join(flow_order, " \u2192 "));
      }
    }
  }
}

}  // namespace privflow::lang::detail
