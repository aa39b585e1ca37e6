// The leakage diagram as DOT text. Written by hand rather than through cgraph's agwrite:
// cgraph orders subgraphs by the addresses of their interned names, while this writer sorts
// every cluster, node and edge by name, so the bytes depend on the spec's content only.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "base/rational.hpp"
#include "base/text.hpp"
#include "flow/describe.hpp"
#include "flow/param_expr.hpp"
#include "viz/diagram.hpp"

namespace privflow::viz {
namespace {

using flow::Id;
using flow::kNone;

// ---------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------

constexpr std::size_t kWrapNode = 22;   // characters per line in node and edge labels
constexpr std::size_t kWrapTitle = 90;  // in the title and cluster labels

// Invalid UTF-8 (a spec may hold any bytes in a string) becomes U+FFFD, so that Graphviz and
// the SVG it writes always see well-formed text.
std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size() && !(len == 2 && c < 0xC2);
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len == 3) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);  // overlong, surrogates
    }
    if (ok && len == 4) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90) && c <= 0xF4;
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

// Escapes text for a DOT quoted string whose value is an escString (labels): backslashes are
// doubled so that `\N`, `\G`, `\l` in user text stay literal; control characters become spaces.
std::string dot_escape(std::string_view raw) {
  const std::string s = valid_utf8(raw);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (u < 0x20 || u == 0x7f) out += ' ';
    else out += c;
  }
  return out;
}

std::string quote(std::string_view s) { return "\"" + dot_escape(s) + "\""; }

std::string html_escape(std::string_view raw) {
  const std::string s = valid_utf8(raw);
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else if (u < 0x20 || u == 0x7f) out += ' ';
    else out += c;
  }
  return out;
}

// Characters as a reader counts them (UTF-8 continuation bytes do not count).
std::size_t width_of(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

// The first `width` characters of s, in bytes (never splitting a UTF-8 sequence).
std::size_t prefix_bytes(std::string_view s, std::size_t width) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == width) return i;
      ++chars;
    }
  }
  return s.size();
}

// Greedy wrapping at spaces, and after `_ - . / ,` inside long identifiers; a piece longer
// than a line is cut. Returns at least one line.
std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  struct Piece {
    std::string text;
    bool new_word;
  };
  std::vector<Piece> pieces;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(i, end - i);
    bool first = true;
    std::size_t start = 0;
    for (std::size_t k = 0; k < word.size(); ++k) {
      char c = word[k];
      const bool letter_next = k + 1 < word.size() && std::isalpha(static_cast<unsigned char>(word[k + 1]));
      if ((c == '_' || c == '-' || c == '/' || c == ',' || (c == '.' && letter_next)) && k + 1 < word.size()) {
        pieces.push_back({std::string(word.substr(start, k + 1 - start)), first});
        first = false;
        start = k + 1;
      }
    }
    if (start < word.size()) pieces.push_back({std::string(word.substr(start)), first});
    i = end;
  }
  std::vector<std::string> lines;
  std::string line;
  for (auto& p : pieces) {
    std::string add = (p.new_word && !line.empty() ? " " : "") + p.text;
    if (!line.empty() && width_of(line) + width_of(add) > width) {
      lines.push_back(line);
      line.clear();
      add = p.text;
    }
    line += add;
    while (width_of(line) > width) {
      std::size_t cut = prefix_bytes(line, width);
      lines.push_back(line.substr(0, cut));
      line.erase(0, cut);
    }
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

void append_wrapped(std::vector<std::string>& lines, std::string_view text, std::size_t width) {
  for (auto& l : wrap(text, width)) lines.push_back(std::move(l));
}

// Lines joined with DOT's centred line break.
std::string label_of(const std::vector<std::string>& lines) {
  std::string out = "\"";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i) out += "\\n";
    out += dot_escape(lines[i]);
  }
  return out + "\"";
}

// Lines each ending in DOT's left-justified break (cluster labels).
std::string left_label_of(const std::vector<std::string>& lines) {
  std::string out = "\"";
  for (const auto& l : lines) out += dot_escape(l) + "\\l";
  return out + "\"";
}

// ---------------------------------------------------------------------------------------
// Colour
// ---------------------------------------------------------------------------------------

struct Bin {
  long num, den;  // upper end of the bin (inclusive)
  const char* strong;
  const char* pale;
  const char* text;
};
// Upper ends chosen so that common budgets (0.1, 0.5, 1, 2, 4, 8) fall on a boundary. Strong
// colours are dark enough for edges and text on white; pale ones fill nodes.
constexpr Bin kBins[] = {
    {1, 10, "#1b7837", "#d9f0d3", "\xce\xb5 \xe2\x89\xa4 0.1"},
    {1, 2, "#5aae61", "#e7f5e4", "0.1 < \xce\xb5 \xe2\x89\xa4 0.5"},
    {1, 1, "#8c8c1a", "#f4f4cf", "0.5 < \xce\xb5 \xe2\x89\xa4 1"},
    {2, 1, "#d97b0f", "#fee0b6", "1 < \xce\xb5 \xe2\x89\xa4 2"},
    {4, 1, "#d6604d", "#fddbc7", "2 < \xce\xb5 \xe2\x89\xa4 4"},
    {8, 1, "#b2182b", "#f4c6c6", "4 < \xce\xb5 \xe2\x89\xa4 8"},
};
constexpr Bin kOverBin = {0, 1, "#67001f", "#e8b5c3", "\xce\xb5 > 8"};
constexpr const char* kExposedColor = "#ff1a1a";
constexpr const char* kExposedFill = "#ffd9d9";
constexpr const char* kHoldsColor = "#7f7f7f";
constexpr const char* kHoldsFill = "#e6e6e6";
constexpr const char* kNeutralColor = "#333333";
constexpr const char* kFadedColor = "#cfcfcf";
constexpr const char* kFadedFill = "#f7f7f7";
constexpr const char* kFadedFont = "#a8a8a8";
constexpr const char* kCoalitionColor = "#6a3d9a";
constexpr const char* kCoalitionFill = "#f1ebf8";

const Bin& bin_of(const Rational& epsilon) {
  for (const auto& b : kBins)
    if (epsilon <= make_rational(b.num, b.den)) return b;
  return kOverBin;
}

struct Look {
  std::string color = kNeutralColor, fill = "#ffffff", font = "#000000";
  std::string penwidth = "1";
  bool bold = false;
  std::string note;  // the leak as text ("ε ≤ 0.25", "EXPOSED", …); empty when unknown
};

std::string epsilon_text(const Rational& epsilon) {
  return "\xce\xb5 \xe2\x89\xa4 " + format_up(epsilon, 3);
}

Look look_of(const Leak* leak, bool faded) {
  Look look;
  if (leak) {
    switch (leak->status) {
      case Leak::Status::kUnknown: break;
      case Leak::Status::kPrivate: {
        const Bin& b = bin_of(leak->epsilon);
        look.color = b.strong;
        look.fill = b.pale;
        look.penwidth = leak->epsilon > 2 ? "2" : "1.5";
        look.note = epsilon_text(leak->epsilon);
        break;
      }
      case Leak::Status::kExposed:
        look.color = kExposedColor;
        look.fill = kExposedFill;
        look.penwidth = "3";
        look.bold = true;
        look.note = "EXPOSED";
        break;
      case Leak::Status::kHolds:
        look.color = kHoldsColor;
        look.fill = kHoldsFill;
        look.note = "holds the data";
        break;
    }
  }
  if (faded) {
    look.color = kFadedColor;
    look.fill = kFadedFill;
    look.font = kFadedFont;
    look.penwidth = "1";
    look.bold = false;
  }
  return look;
}

const Leak* find_leak(const std::map<Id, Leak>& leaks, Id id) {
  auto it = leaks.find(id);
  return it == leaks.end() ? nullptr : &it->second;
}

bool any_leak(const Overlay& o) {
  for (const auto* m : {&o.data, &o.artifacts, &o.flows, &o.agents})
    for (const auto& [id, leak] : *m)
      if (leak.status != Leak::Status::kUnknown) return true;
  return false;
}

// ---------------------------------------------------------------------------------------
// The diagram as sorted nodes, clusters and edges
// ---------------------------------------------------------------------------------------

using Attrs = std::vector<std::pair<std::string, std::string>>;  // key, already-quoted value

std::string attrs_text(const Attrs& attrs) {
  std::string out;
  for (const auto& [k, v] : attrs) {
    if (!out.empty()) out += ", ";
    out += k + "=" + v;
  }
  return out;
}

struct NodeOut {
  std::string id;
  Attrs attrs;
  bool faded = false;
};

struct EdgeOut {
  std::string tail, head;
  Attrs attrs;
  bool operator<(const EdgeOut& o) const {
    return std::tie(tail, head, attrs) < std::tie(o.tail, o.head, o.attrs);
  }
};

void add_look(Attrs& a, const Look& look, bool node) {
  a.emplace_back("color", quote(look.color));
  if (node) a.emplace_back("fillcolor", quote(look.fill));
  if (node && look.font != "#000000") a.emplace_back("fontcolor", quote(look.font));
  if (look.penwidth != "1") a.emplace_back("penwidth", quote(look.penwidth));
}

std::string channel_text(const flow::Graph& g, const flow::Channel& c) {
  switch (c.kind) {
    case flow::Channel::Kind::kPlain: return "plain";
    case flow::Channel::Kind::kEncrypted: return "encrypted";
    case flow::Channel::Kind::kSecureAggregation: {
      std::string t = "secure aggregation, threshold " + std::to_string(c.threshold);
      if (c.min_clients != 0 && c.min_clients != c.threshold)
        t += ", min " + std::to_string(c.min_clients) + " clients";
      return t;
    }
    case flow::Channel::Kind::kShuffler:
      return "shuffler " + (c.shuffler < g.agents.size() ? g.agents[c.shuffler].name : std::string("?"));
    case flow::Channel::Kind::kNetworkShuffle: return "network shuffle, " + std::to_string(c.walk_steps) + " steps";
  }
  return "plain";
}

// 1000000 -> "1,000,000": counts readable at a glance.
std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// "hospital[1..20]": every instance of a population, as every output writes instances.
std::string instances(const flow::Agent& a) {
  return a.population ? a.name + "[1.." + grouped(a.count) + "]" : a.name;
}

std::string line_suffix(const flow::Span& span) {
  return span.line ? " (line " + std::to_string(span.line) + ")" : std::string();
}

class Writer {
 public:
  Writer(const flow::Graph& g, const Overlay& o) : g_(g), o_(o) {}

  std::string run() {
    group_alike_agents();
    select_elements();
    group_alike_releases();
    for (auto it = flows_shown_.begin(); it != flows_shown_.end();)  // a group is drawn once
      it = hidden_.count(g_.flows[*it].to) || hidden_releases_.count(g_.flows[*it].artifact) ? flows_shown_.erase(it)
                                                                                              : std::next(it);
    build_nodes();
    build_edges();
    return emit();
  }

 private:
  const flow::Graph& g_;
  const Overlay& o_;
  bool slice_ = false;  // only a requirement's derivation (or its data's dependents) is drawn
  std::set<Id> data_shown_, artifacts_shown_, flows_shown_;
  std::vector<std::string> title_notes_;

  std::map<Id, std::vector<NodeOut>> agent_nodes_;  // by agent id; sorted by node id at emit
  std::vector<NodeOut> top_nodes_;
  std::vector<EdgeOut> edges_;
  std::set<std::string> emitted_;        // ids of every node drawn
  std::set<std::string> faded_nodes_;    // ids of nodes drawn faded
  std::map<std::pair<Id, Id>, std::string> data_node_;                  // (data, agent) -> id
  std::map<Id, std::string> loose_data_node_;                           // data held by nobody
  std::map<std::pair<Id, Id>, std::vector<std::string>> received_node_;  // (artifact, agent)
  std::map<Id, std::string> flow_node_;                                  // flow -> received id

  // Summaries of large diagrams: agents drawn as one frame for their group.
  std::set<Id> hidden_;                                // drawn through their group's first agent
  std::map<Id, std::pair<std::size_t, Id>> groups_;    // first agent -> (size, last agent)
  std::set<Id> hidden_releases_;                       // drawn through their group's first release
  std::map<Id, std::vector<Id>> release_groups_;       // first release -> members, sorted by name

  bool fading() const { return o_.coalition && o_.coalition->view_known; }
  bool faded_data(Id d) const { return fading() && !o_.coalition->view_data.count(d); }
  bool faded_artifact(Id x) const { return fading() && !o_.coalition->view_artifacts.count(x); }
  bool faded_flow(Id f) const { return fading() && !o_.coalition->view_flows.count(f); }

  const std::string& agent_name(Id a) const {
    static const std::string unknown = "?";
    return a < g_.agents.size() ? g_.agents[a].name : unknown;
  }

  // Flows the analysis left out take their artifact's entry: an upper bound, since a
  // channel (secure sum, shuffling) only removes information.
  const Leak* flow_leak(Id f) const {
    if (const Leak* l = find_leak(o_.flows, f)) return l;
    return f < g_.flows.size() ? find_leak(o_.artifacts, g_.flows[f].artifact) : nullptr;
  }

  // --- summaries of thousands of agents ----------------------------------------------

  // Agents that only receive, each drawn, made a 3,000-agent diagram take a minute and 2 GB
  // in Graphviz. Past kMaxAgentsDrawn agents, those that hold nothing, compute, send or relay
  // nothing, are named by no coalition, and receive the same things (artifact, sender,
  // channel) with the same trust, region, count and colours are drawn as one frame.
  static constexpr std::size_t kMaxAgentsDrawn = 100;

  std::set<Id> busy_agents() const {
    std::set<Id> busy;
    for (const auto& x : g_.artifacts) busy.insert(x.at);
    for (const auto& f : g_.flows) {
      busy.insert(f.from);
      busy.insert(f.channel.shuffler);
    }
    auto add_coalition = [&busy](const flow::Coalition& c) {
      for (const auto& m : c.fixed) busy.insert(m.agent);
      busy.insert(c.candidates.begin(), c.candidates.end());
    };
    for (const auto& a : g_.adversaries) add_coalition(a.coalition);
    for (const auto& r : g_.requirements) add_coalition(r.coalition);
    if (o_.coalition)
      for (const auto& [a, n] : o_.coalition->members) busy.insert(a);
    for (Id a = 0; a < g_.agents.size(); ++a)
      if (!g_.agents[a].holds.empty()) busy.insert(a);
    return busy;
  }

  static std::string leak_key(const Leak* leak) {
    if (!leak) return "-";
    return std::to_string(static_cast<int>(leak->status)) + ":" + format_exact(leak->epsilon);
  }

  // What makes two receiving agents look the same in the diagram.
  std::map<Id, std::string> receiver_keys() const {
    std::map<Id, std::vector<std::string>> received;
    for (Id f = 0; f < g_.flows.size(); ++f) {
      const auto& fl = g_.flows[f];
      const auto& c = fl.channel;
      received[fl.to].push_back(std::to_string(fl.artifact) + "/" + std::to_string(fl.from) + "/" +
                                std::to_string(static_cast<int>(c.kind)) + "/" + std::to_string(c.threshold) + "/" +
                                std::to_string(c.min_clients) + "/" + leak_key(flow_leak(f)));
    }
    std::map<Id, std::string> keys;
    for (Id a = 0; a < g_.agents.size(); ++a) {
      const auto& agent = g_.agents[a];
      auto& items = received[a];
      std::sort(items.begin(), items.end());
      keys[a] = std::to_string(static_cast<int>(agent.trust)) + "|" + std::to_string(agent.region) + "|" +
                std::to_string(agent.count) + "|" + (agent.population ? "p" : "") + "|" +
                leak_key(find_leak(o_.agents, a)) + "|" + join(items, ";");
    }
    return keys;
  }

  void group_alike_agents() {
    if (g_.agents.size() <= kMaxAgentsDrawn) return;
    const std::set<Id> busy = busy_agents();
    const std::map<Id, std::string> keys = receiver_keys();
    std::map<std::string, std::vector<Id>> groups;
    for (Id a = 0; a < g_.agents.size(); ++a)
      if (!busy.count(a)) groups[keys.at(a)].push_back(a);
    std::size_t merged = 0;
    for (auto& [key, members] : groups) {
      if (members.size() < 2) continue;
      std::sort(members.begin(), members.end(), [&](Id x, Id y) { return g_.agents[x].name < g_.agents[y].name; });
      groups_[members.front()] = {members.size(), members.back()};
      hidden_.insert(members.begin() + 1, members.end());
      merged += members.size();
    }
    if (merged > 0)
      title_notes_.push_back("summary: " + grouped(merged) + " of the " + grouped(g_.agents.size()) +
                             " agents receive the same as others and are drawn as " + grouped(groups_.size()) +
                             (groups_.size() == 1 ? " frame" : " frames"));
  }

  // Releases alike (likes_leaning's 210 randomized responses, one per field) made a diagram
  // 30,000 pixels tall. Past kMaxReleasesDrawn shown artifacts, releases whose names differ only
  // in trailing digits, at the same agent, with the same mechanism and parameters, reading the
  // same data (any field), read by nothing, sent the same way to the same agents and coloured
  // alike are drawn as one node.
  static constexpr std::size_t kMaxReleasesDrawn = 40;
  static constexpr std::size_t kMinReleaseGroup = 3;

  // What makes two releases look the same in the diagram; empty: never grouped.
  /// A list parameter by its values: `[1, 1/2, 3/8, 5/16]`, the first 8 and the count of the rest.
  std::string list_text(const std::vector<flow::ParamValue>& list) const {
    std::string text = "[";
    for (std::size_t i = 0; i < list.size() && i < 8; ++i) text += (i ? ", " : "") + format_exact(g_.value(list[i]));
    if (list.size() > 8) text += ", ... " + std::to_string(list.size() - 8) + " more";
    return text + "]";
  }

  std::string release_key(Id x, const std::set<Id>& read) const {
    const auto& art = g_.artifacts[x];
    if (!flow::is_private(art.kind) || read.count(x)) return "";
    if (slice_ && o_.derivation && (o_.derivation->binding_release == x || o_.derivation->shares.count(x))) return "";
    // Names that differ only in their trailing digits (rr_c00, rr_c01): a group reads as a range.
    const std::string stem = art.name.substr(0, art.name.find_last_not_of("0123456789") + 1);
    std::string key = stem + "|" + std::to_string(art.at) + "|" + flow::kind_name(art.kind) + "|" + (art.distributed ? "d" : "") +
                      (art.tree_completion ? "t" : "") + std::to_string(static_cast<int>(art.batching)) + "|" +
                      leak_key(find_leak(o_.artifacts, x)) + (faded_artifact(x) ? "|faded|" : "|");
    for (const auto& [name, value] : art.params) key += flow::param_name(name) + std::string("=") + format_exact(g_.value(value)) + ",";
    for (const auto& [name, list] : art.lists) key += flow::param_name(name) + std::string("=") + list_text(list) + ",";
    for (const auto& in : art.inputs)
      key += "|in" + std::to_string(static_cast<int>(in.kind)) + ":" + std::to_string(in.data) + ":" +
             (in.kind == flow::Input::Kind::kArtifact ? std::to_string(in.artifact) : "");
    if (auto err = o_.errors.find(x); err != o_.errors.end()) key += "|" + err->second;
    std::vector<std::string> sends;
    for (Id f : flows_shown_) {
      const auto& fl = g_.flows[f];
      if (fl.artifact != x) continue;
      sends.push_back(std::to_string(fl.from) + ">" + std::to_string(fl.to) + ":" +
                      std::to_string(static_cast<int>(fl.channel.kind)) + "/" + std::to_string(fl.channel.threshold) +
                      "/" + std::to_string(fl.channel.min_clients) + "/" + std::to_string(fl.channel.shuffler) + "/" +
                      leak_key(flow_leak(f)) + (faded_flow(f) ? "/faded" : ""));
    }
    std::sort(sends.begin(), sends.end());
    return key + "|" + join(sends, ";");
  }

  void group_alike_releases() {
    if (artifacts_shown_.size() <= kMaxReleasesDrawn) return;
    std::set<Id> read;  // artifacts some computation reads: their edges differ
    for (const auto& art : g_.artifacts)
      for (const auto& in : art.inputs)
        if (in.kind == flow::Input::Kind::kArtifact) read.insert(in.artifact);
    std::map<std::string, std::vector<Id>> alike;
    for (Id x : artifacts_shown_)
      if (x < g_.artifacts.size())
        if (std::string key = release_key(x, read); !key.empty()) alike[key].push_back(x);
    std::size_t merged = 0;
    for (auto& [key, members] : alike) {
      if (members.size() < kMinReleaseGroup) continue;
      std::sort(members.begin(), members.end(),
                [&](Id a, Id b) { return g_.artifacts[a].name < g_.artifacts[b].name; });
      hidden_releases_.insert(members.begin() + 1, members.end());
      merged += members.size();
      release_groups_[members.front()] = std::move(members);
    }
    for (Id x : hidden_releases_) artifacts_shown_.erase(x);
    if (merged > 0)
      title_notes_.push_back("summary: " + grouped(merged) + " releases alike (same agent, mechanism, parameters, "
                             "data, receivers and figures) are drawn as " + grouped(release_groups_.size()) +
                             (release_groups_.size() == 1 ? " node" : " nodes"));
  }

  // A release's name in the diagram: its group's first and last names when it stands for one.
  std::string release_name(Id x) const {
    auto it = release_groups_.find(x);
    if (it == release_groups_.end()) return g_.artifacts[x].name;
    return g_.artifacts[x].name + " \xe2\x80\xa6 " + g_.artifacts[it->second.back()].name + " (" +
           grouped(it->second.size()) + " alike)";
  }

  // The field an input edge reads: for a group, the first and last members' fields.
  std::string field_label(Id x, std::size_t input) const {
    auto field_of = [&](Id a) -> std::string {
      const auto& in = g_.artifacts[a].inputs[input];
      return in.field < g_.data[in.data].fields.size() ? g_.data[in.data].fields[in.field].name : "?";
    };
    auto it = release_groups_.find(x);
    if (it == release_groups_.end()) return "." + field_of(x);
    return "." + field_of(x) + " \xe2\x80\xa6 ." + field_of(it->second.back());
  }

  // --- what is drawn -------------------------------------------------------------------

  void select_elements() {
    const bool requirement = o_.requirement < g_.requirements.size();
    if (requirement && o_.derivation) {
      slice_ = true;
      data_shown_ = o_.derivation->data;
      artifacts_shown_ = o_.derivation->artifacts;
      flows_shown_ = o_.derivation->flows;
      return;
    }
    if (requirement) {
      slice_ = true;
      const auto& r = g_.requirements[o_.requirement];
      std::vector<std::string> names;
      if (r.measure == flow::Measure::kForbid) {
        std::string cat = r.category < g_.categories.size() ? g_.categories[r.category].name : "";
        for (Id d = 0; d < g_.data.size(); ++d) {
          bool match = !cat.empty() && g_.data[d].category == cat;
          for (const auto& f : g_.data[d].fields) match = match || (!cat.empty() && f.category == cat);
          if (match) data_shown_.insert(d);
        }
      } else if (r.data < g_.data.size()) {
        data_shown_.insert(r.data);
      } else if (r.measure == flow::Measure::kError && r.artifact < g_.artifacts.size()) {
        // A utility requirement: the data its release reads.
        for (const auto& in : g_.artifacts[r.artifact].inputs)
          if (in.data < g_.data.size()) data_shown_.insert(in.data);
      }
      for (Id d : data_shown_) names.push_back(g_.data[d].name);
      std::sort(names.begin(), names.end());
      // Every artifact that depends on the data: a superset of any derivation.
      bool changed = true;
      while (changed) {
        changed = false;
        for (Id x = 0; x < g_.artifacts.size(); ++x) {
          if (artifacts_shown_.count(x)) continue;
          for (const auto& in : g_.artifacts[x].inputs) {
            bool dep = in.kind == flow::Input::Kind::kArtifact ? artifacts_shown_.count(in.artifact) > 0
                                                                : data_shown_.count(in.data) > 0;
            if (dep) {
              artifacts_shown_.insert(x);
              changed = true;
              break;
            }
          }
        }
      }
      for (Id f = 0; f < g_.flows.size(); ++f)
        if (artifacts_shown_.count(g_.flows[f].artifact)) flows_shown_.insert(f);
      title_notes_.push_back("no derivation from the analysis: showing everything that depends on " +
                             (names.empty() ? std::string("its data") : join(names, ", ")));
      return;
    }
    for (Id d = 0; d < g_.data.size(); ++d) data_shown_.insert(d);
    for (Id x = 0; x < g_.artifacts.size(); ++x) artifacts_shown_.insert(x);
    for (Id f = 0; f < g_.flows.size(); ++f) flows_shown_.insert(f);
  }

  // --- nodes ---------------------------------------------------------------------------

  // A population's communication graph, drawn as one annotated node in its frame (a ring of
  // 10^6 members is one node): the topology, the coalition's members on it and the target.
  void add_topology_nodes() {
    for (Id a = 0; a < g_.agents.size(); ++a) {
      const flow::Agent& agent = g_.agents[a];
      if (!agent.topology || hidden_.count(a)) continue;
      bool used = false;
      for (const auto& x : g_.artifacts) used = used || (x.at == a && flow::is_network_protocol(x.kind));
      if (!used) continue;
      std::vector<std::string> lines;
      append_wrapped(lines, flow::topology_text(*agent.topology, agent.count), kWrapNode);
      const std::uint64_t members = colluders_on(a);
      if (members > 0) {
        append_wrapped(lines, "\xe2\x97\x86 " + colluders_text(a, members) + ", placed at worst around the target",
                       kWrapNode);
        append_wrapped(lines, "\xe2\x97\x8b target: an honest member", kWrapNode);
      } else {
        append_wrapped(lines, "members exchange messages along its edges", kWrapNode);
      }
      NodeOut n{"topology:" + agent.name, {}, fading() && members == 0};
      n.attrs.emplace_back("shape", quote("doublecircle"));
      n.attrs.emplace_back("style", quote("dashed"));
      n.attrs.emplace_back("color", quote(members > 0 ? kCoalitionColor : "#555555"));
      n.attrs.emplace_back("label", label_of(lines));
      n.attrs.emplace_back("tooltip", quote("topology of " + agent.name + line_suffix(agent.topology->span)));
      place(a, std::move(n));
    }
  }

  /// Instances of a population in the coalition: its fixed members, or the K of a choice among
  /// its instances (the worst placement is the analysis's; the node says how many may be there).
  std::uint64_t colluders_on(Id agent) const {
    if (!o_.coalition) return 0;
    if (auto it = o_.coalition->members.find(agent); it != o_.coalition->members.end() && it->second > 0) return it->second;
    auto chosen = o_.coalition->chosen.find(agent);
    return chosen == o_.coalition->chosen.end() ? 0 : std::min(chosen->second, g_.agents[agent].count);
  }

  /// "2 colluders at distance ≥ 3" (`at distance >= 3`), "any 2 colluders" for a choice.
  std::string colluders_text(Id agent, std::uint64_t members) const {
    const bool fixed = o_.coalition->members.count(agent) && o_.coalition->members.at(agent) > 0;
    std::string out = (fixed ? "" : "any ") + grouped(members) + (members == 1 ? " colluder" : " colluders");
    if (o_.coalition->distance > 1)
      out += " at distance \xe2\x89\xa5 " + std::to_string(o_.coalition->distance) + " from the target";
    return out;
  }

  void place(Id agent, NodeOut node) {
    emitted_.insert(node.id);
    if (node.faded) faded_nodes_.insert(node.id);
    if (agent < g_.agents.size()) agent_nodes_[agent].push_back(std::move(node));
    else top_nodes_.push_back(std::move(node));
  }

  std::vector<std::string> data_label(const flow::Data& d, const flow::Holding* h, const Look& look) {
    std::vector<std::string> lines;
    append_wrapped(lines, d.name, kWrapNode);
    if (!d.title.empty()) append_wrapped(lines, d.title, kWrapNode);
    std::string facts;
    if (d.rows) facts = grouped(d.rows) + " rows";
    if (!d.category.empty()) facts += (facts.empty() ? "" : ", ") + d.category;
    if (!facts.empty()) lines.push_back(facts);
    if (h && h->partitioned) lines.push_back("by partition");
    if (!look.note.empty()) lines.push_back(look.note);
    return lines;
  }

  void build_nodes() {
    // Data: one cylinder per holder (each holds its copy or partition).
    std::set<Id> held;
    for (Id a = 0; a < g_.agents.size(); ++a) {
      for (const auto& h : g_.agents[a].holds) {
        if (h.data >= g_.data.size() || !data_shown_.count(h.data)) continue;
        if (data_node_.count({h.data, a})) continue;
        held.insert(h.data);
        const auto& d = g_.data[h.data];
        bool faded = faded_data(h.data);
        Look look = look_of(find_leak(o_.data, h.data), faded);
        NodeOut n{"data:" + d.name + "@" + g_.agents[a].name, {}, faded};
        n.attrs.emplace_back("shape", quote("cylinder"));
        n.attrs.emplace_back("label", label_of(data_label(d, &h, look)));
        add_look(n.attrs, look, true);
        n.attrs.emplace_back("tooltip", quote("data " + d.name + " held by " + g_.agents[a].name + line_suffix(d.span)));
        data_node_[{h.data, a}] = n.id;
        place(a, std::move(n));
      }
    }
    for (Id d : data_shown_) {
      if (held.count(d) || d >= g_.data.size()) continue;
      bool faded = faded_data(d);
      Look look = look_of(find_leak(o_.data, d), faded);
      NodeOut n{"data:" + g_.data[d].name, {}, faded};
      n.attrs.emplace_back("shape", quote("cylinder"));
      auto lines = data_label(g_.data[d], nullptr, look);
      lines.push_back("(held by no agent)");
      n.attrs.emplace_back("label", label_of(lines));
      add_look(n.attrs, look, true);
      loose_data_node_[d] = n.id;
      place(kNone, std::move(n));
    }

    // Artifacts: hexagons for releases, boxes for deterministic computations.
    for (Id x : artifacts_shown_) {
      if (x >= g_.artifacts.size()) continue;
      const auto& art = g_.artifacts[x];
      // The binding release is the point of a derivation: never faded, even unobserved.
      const bool binding_release = slice_ && o_.derivation && o_.derivation->binding_release == x;
      bool faded = faded_artifact(x) && !binding_release;
      Look look = look_of(find_leak(o_.artifacts, x), faded);
      const bool release = flow::is_private(art.kind);
      std::vector<std::string> lines;
      append_wrapped(lines, release_name(x), kWrapNode);
      std::string kind = flow::kind_name(art.kind);
      if (art.kind == flow::ComputeKind::kSelect && !art.inputs.empty()) {
        std::vector<std::string> fields;
        Id d = art.inputs[0].data;
        for (Id f : art.selected)
          if (d < g_.data.size() && f < g_.data[d].fields.size()) fields.push_back(g_.data[d].fields[f].name);
        if (!fields.empty()) kind += " " + join(fields, ", ");
      }
      if (art.distributed) kind += ", distributed";
      if (art.tree_completion) kind += ", tree completion";
      if (art.batching != flow::Batching::kPoisson) kind += std::string(", ") + flow::batching_name(art.batching) + " batches";
      append_wrapped(lines, kind, kWrapNode);
      // A release's parameters as written (a param shows its current value).
      if (release) {
        for (const auto& [name, value] : art.params) {
          std::string text = flow::param_name(name) + std::string(": ");
          if (value.param < g_.params.size()) text += g_.params[value.param].name + " = ";
          if (value.expr) text += flow::expr_text(*value.expr, g_.params) + " = ";
          text += format_exact(g_.value(value));
          append_wrapped(lines, text, kWrapNode + 8);
        }
        for (const auto& [name, list] : art.lists)
          append_wrapped(lines, flow::param_name(name) + std::string(": ") + list_text(list), kWrapNode + 8);
      }
      if (!look.note.empty()) lines.push_back(look.note);
      // The release's error, as the analysis worded it (issue #22).
      if (auto err = o_.errors.find(x); err != o_.errors.end()) append_wrapped(lines, err->second, kWrapNode + 8);
      bool binding = false;
      if (slice_ && o_.derivation) {
        auto it = o_.derivation->shares.find(x);
        binding = o_.derivation->binding_release == x;
        if (it != o_.derivation->shares.end()) {
          Rational pct = it->second * 100;
          lines.push_back(std::string(binding ? "BINDING: " : "share ") + format_up(pct, 3) + "% of composed \xce\xb5");
        } else if (binding) {
          lines.push_back("BINDING release");
        }
      }
      NodeOut n{"artifact:" + art.name, {}, faded};
      n.attrs.emplace_back("shape", quote(release ? "hexagon" : "box"));
      n.attrs.emplace_back("label", label_of(lines));
      add_look(n.attrs, look, true);
      if (binding) {
        n.attrs.emplace_back("peripheries", quote("2"));
        if (look.penwidth == "1" || look.penwidth == "1.5") n.attrs.emplace_back("penwidth", quote("2.5"));
      }
      if (look.bold) n.attrs.emplace_back("style", quote("filled,bold"));
      n.attrs.emplace_back("tooltip", quote(release_name(x) + ": " + (release ? "release by " : "deterministic ") +
                                            flow::kind_name(art.kind) + " at " + agent_name(art.at) +
                                            line_suffix(art.span)));
      place(art.at, std::move(n));
    }

    add_topology_nodes();

    // What receivers get: one dashed box per flow, in the receiver's cluster.
    std::map<std::string, int> used;
    for (Id f : flows_shown_) {
      if (f >= g_.flows.size()) continue;
      const auto& fl = g_.flows[f];
      if (fl.artifact >= g_.artifacts.size() || fl.to >= g_.agents.size()) continue;
      const auto& art = g_.artifacts[fl.artifact];
      std::string id = "received:" + art.name + "@" + agent_name(fl.to) + "<-" + agent_name(fl.from);
      if (int k = used[id]++; k > 0) id += "#" + std::to_string(k + 1);
      bool faded = faded_flow(f);
      Look look = look_of(flow_leak(f), faded);
      std::vector<std::string> lines;
      const flow::Agent* sender = fl.from < g_.agents.size() ? &g_.agents[fl.from] : nullptr;
      bool many = sender && sender->population;
      switch (fl.channel.kind) {
        case flow::Channel::Kind::kSecureAggregation:
          append_wrapped(lines, "\xce\xa3 " + release_name(fl.artifact), kWrapNode);
          lines.push_back(many ? "sum of " + instances(*sender) : "secure sum");
          break;
        case flow::Channel::Kind::kShuffler:
          append_wrapped(lines, release_name(fl.artifact), kWrapNode);
          lines.push_back(many ? "shuffled, from " + instances(*sender) : "shuffled");
          break;
        case flow::Channel::Kind::kNetworkShuffle:
          append_wrapped(lines, release_name(fl.artifact), kWrapNode);
          append_wrapped(lines, "walked " + grouped(fl.channel.walk_steps) + " steps among " +
                                    (many ? instances(*sender) : std::string("the senders")), kWrapNode);
          break;
        default:
          append_wrapped(lines, release_name(fl.artifact), kWrapNode);
          if (many) append_wrapped(lines, "each of " + instances(*sender), kWrapNode);
          break;
      }
      if (!look.note.empty()) lines.push_back(look.note);
      NodeOut n{id, {}, faded};
      n.attrs.emplace_back("shape", quote("box"));
      n.attrs.emplace_back("style", quote(look.bold ? "filled,rounded,dashed,bold" : "filled,rounded,dashed"));
      n.attrs.emplace_back("label", label_of(lines));
      add_look(n.attrs, look, true);
      n.attrs.emplace_back("tooltip", quote(agent_name(fl.to) + " receives " + release_name(fl.artifact) + " from " +
                                            agent_name(fl.from) + " (" + channel_text(g_, fl.channel) + ")" +
                                            line_suffix(fl.span)));
      received_node_[{fl.artifact, fl.to}].push_back(id);
      flow_node_[f] = id;
      place(fl.to, std::move(n));

      // A shuffler's messages pass through its agent: a relay node in the shuffler's cluster.
      if (fl.channel.kind == flow::Channel::Kind::kShuffler && fl.channel.shuffler < g_.agents.size()) {
        NodeOut r{"shuffle:" + id, {}, faded};
        r.attrs.emplace_back("shape", quote("box"));
        r.attrs.emplace_back("style", quote("filled,dotted"));
        std::vector<std::string> rl{"shuffle"};
        append_wrapped(rl, release_name(fl.artifact), kWrapNode);
        r.attrs.emplace_back("label", label_of(rl));
        add_look(r.attrs, look_of(nullptr, faded), true);
        place(fl.channel.shuffler, std::move(r));
      }
    }
    for (auto& [key, ids] : received_node_) std::sort(ids.begin(), ids.end());

    // Agents with nothing to draw still show their frame (full diagram only).
    if (!slice_) {
      for (Id a = 0; a < g_.agents.size(); ++a) {
        if (agent_nodes_.count(a) || hidden_.count(a)) continue;
        NodeOut n{"agent:" + g_.agents[a].name, {}, false};
        n.attrs.emplace_back("shape", quote("plaintext"));
        n.attrs.emplace_back("style", quote(""));
        n.attrs.emplace_back("label", label_of({"(computes and", "receives nothing)"}));
        n.attrs.emplace_back("fontcolor", quote("#808080"));
        place(a, std::move(n));
      }
    }
  }

  // --- edges ---------------------------------------------------------------------------

  void add_edge(const std::string& tail, const std::string& head, const Look& look, std::vector<std::string> label,
                bool flow_edge, bool dashed = false) {
    if (!emitted_.count(tail) || !emitted_.count(head)) return;
    EdgeOut e{tail, head, {}};
    add_look(e.attrs, look, false);
    if (look.penwidth == "1" && flow_edge) e.attrs.emplace_back("penwidth", quote("1.3"));
    std::string style;
    if (look.bold) style = "bold";
    if (dashed) style += style.empty() ? "dashed" : ",dashed";
    if (!style.empty()) e.attrs.emplace_back("style", quote(style));
    if (!label.empty()) {
      e.attrs.emplace_back("label", label_of(label));
      e.attrs.emplace_back("fontcolor", quote(look.font != "#000000" ? look.font : look.color));
    }
    edges_.push_back(std::move(e));
  }

  void build_edges() {
    // Inputs of each computation, inside its agent.
    for (Id x : artifacts_shown_) {
      if (x >= g_.artifacts.size()) continue;
      const auto& art = g_.artifacts[x];
      const std::string head = "artifact:" + art.name;
      for (const auto& in : art.inputs) {
        std::vector<std::string> tails;
        const Leak* leak = nullptr;
        bool faded = false;
        std::vector<std::string> label;
        if (in.kind == flow::Input::Kind::kArtifact) {
          if (in.artifact >= g_.artifacts.size()) continue;
          if (g_.artifacts[in.artifact].at == art.at) {
            tails.push_back("artifact:" + g_.artifacts[in.artifact].name);
            leak = find_leak(o_.artifacts, in.artifact);
            faded = faded_artifact(in.artifact);
            add_input_edges(tails, head, look_of(leak, faded), label);
          } else {
            // Received copies: each with its flow's look.
            for (Id f = 0; f < g_.flows.size(); ++f) {
              const auto& fl = g_.flows[f];
              if (fl.artifact != in.artifact || fl.to != art.at || !flow_node_.count(f)) continue;
              add_input_edges({flow_node_[f]}, head, look_of(flow_leak(f), faded_flow(f)), label);
            }
          }
          continue;
        }
        if (in.data >= g_.data.size()) continue;
        auto it = data_node_.find({in.data, art.at});
        if (it != data_node_.end()) tails.push_back(it->second);
        else if (loose_data_node_.count(in.data)) tails.push_back(loose_data_node_[in.data]);
        if (in.kind == flow::Input::Kind::kField && in.field < g_.data[in.data].fields.size())
          label.push_back(field_label(x, static_cast<std::size_t>(&in - art.inputs.data())));
        // Data read by a computation whose output is exposed: that edge is on the exposed path.
        const Leak* data_leak = find_leak(o_.data, in.data);
        const Leak* head_leak = find_leak(o_.artifacts, x);
        if (head_leak && head_leak->status == Leak::Status::kExposed && !flow::is_private(art.kind) &&
            (!data_leak || data_leak->status == Leak::Status::kUnknown))
          data_leak = head_leak;
        add_input_edges(tails, head, look_of(data_leak, faded_data(in.data)), label);
      }
    }
    // Flows between agents.
    for (Id f : flows_shown_) {
      if (!flow_node_.count(f)) continue;
      const auto& fl = g_.flows[f];
      const auto& art = g_.artifacts[fl.artifact];
      std::string tail = "artifact:" + art.name;
      if (fl.from != art.at) {
        auto it = received_node_.find({fl.artifact, fl.from});
        if (it != received_node_.end() && !it->second.empty()) tail = it->second.front();
      }
      Look look = look_of(flow_leak(f), faded_flow(f));
      std::vector<std::string> label;
      append_wrapped(label, release_name(fl.artifact), kWrapNode);
      if (fl.channel.kind == flow::Channel::Kind::kShuffler) {
        std::string relay = "shuffle:" + flow_node_[f];
        label.push_back("to shuffler");
        add_edge(tail, relay, look, label, true);
        std::vector<std::string> second{"shuffled"};
        if (!look.note.empty()) second.push_back(look.note);
        add_edge(relay, flow_node_[f], look, second, true);
        continue;
      }
      append_wrapped(label, channel_text(g_, fl.channel), kWrapNode);
      if (!look.note.empty()) label.push_back(look.note);
      add_edge(tail, flow_node_[f], look, label, true,
               fl.channel.kind == flow::Channel::Kind::kSecureAggregation);
    }
    std::sort(edges_.begin(), edges_.end());
    edges_.erase(std::unique(edges_.begin(), edges_.end(),
                             [](const EdgeOut& a, const EdgeOut& b) { return a.tail == b.tail && a.head == b.head && a.attrs == b.attrs; }),
                 edges_.end());
  }

  void add_input_edges(const std::vector<std::string>& tails, const std::string& head, const Look& look,
                       const std::vector<std::string>& label) {
    for (const auto& t : tails) add_edge(t, head, look, label, false);
  }

  // --- output --------------------------------------------------------------------------

  std::vector<std::string> title_lines() const {
    std::vector<std::string> lines;
    std::string title = o_.title;
    if (title.empty()) {
      title = g_.pipeline.empty() ? std::string("privflow diagram") : g_.pipeline;
      if (!g_.title.empty()) title += " \xe2\x80\x94 " + g_.title;
    }
    append_wrapped(lines, title, kWrapTitle);
    if (o_.requirement < g_.requirements.size())
      append_wrapped(lines, "requirement " + describe_requirement(g_, g_.requirements[o_.requirement]), kWrapTitle);
    if (slice_ && o_.derivation) {
      std::string v = o_.derivation->verdict;
      if (o_.derivation->composed_epsilon)
        v += (v.empty() ? "" : "; ") + std::string("composed ") + epsilon_text(*o_.derivation->composed_epsilon);
      if (!v.empty()) append_wrapped(lines, v, kWrapTitle);
    }
    if (any_leak(o_)) {
      std::string obs = "colour: \xce\xb5 carried for " + (o_.observer.empty() ? std::string("the observer") : o_.observer);
      if (o_.delta) obs += ", at \xce\xb4 = " + flow::delta_text(*o_.delta);
      append_wrapped(lines, obs, kWrapTitle);
    } else {
      lines.push_back("no leakage analysis: structure only");
    }
    if (o_.coalition && (!o_.coalition->note.empty() || !o_.coalition->view_known)) {
      std::string c = "coalition " + o_.coalition->name;
      if (!o_.coalition->note.empty()) c += " " + o_.coalition->note;
      if (!o_.coalition->view_known) c += " (its view is not computed: nothing is faded)";
      append_wrapped(lines, c, kWrapTitle);
    }
    for (const auto& n : title_notes_) append_wrapped(lines, n, kWrapTitle);
    for (const auto& n : o_.notes) append_wrapped(lines, n, kWrapTitle);
    return lines;
  }

  // The graph's label: the title lines, the colour scale as a bar of swatches, and a key to
  // the shapes. One HTML label above the drawing keeps the legend out of the layout.
  std::string heading() const {
    std::ostringstream t;
    auto swatch = [&](const std::string& fill, const std::string& border, const std::string& text, bool bold = false) {
      t << "<td bgcolor=\"" << fill << "\" color=\"" << border << "\">" << (bold ? "<b>" : "")
        << html_escape(text) << (bold ? "</b>" : "") << "</td>";
    };
    auto lines = title_lines();
    t << "<<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"2\">";
    for (std::size_t i = 0; i < lines.size(); ++i) {
      t << "<tr><td align=\"left\">";
      if (i == 0) t << "<font point-size=\"15\"><b>" << html_escape(lines[i]) << "</b></font>";
      else t << html_escape(lines[i]);
      t << "</td></tr>";
    }
    const bool leaks = any_leak(o_);
    const bool faded = o_.coalition && o_.coalition->view_known;
    if (leaks || o_.coalition) {
      t << "<tr><td align=\"left\"><table border=\"0\" cellborder=\"1\" cellspacing=\"3\" cellpadding=\"3\"><tr>";
      if (leaks) {
        t << "<td border=\"0\">" << html_escape("\xce\xb5 carried:") << "</td>";
        for (const auto& b : kBins) swatch(b.pale, b.strong, b.text);
        swatch(kOverBin.pale, kOverBin.strong, kOverBin.text);
        swatch(kExposedFill, kExposedColor, "exposed", true);
        swatch(kHoldsFill, kHoldsColor, "holds the data");
      }
      if (o_.coalition) swatch(kCoalitionFill, kCoalitionColor, "coalition member");
      if (faded) swatch(kFadedFill, kFadedColor, "outside its view");
      t << "</tr></table></td></tr>";
    }
    std::string key =
        "cylinder: data at its holder \xc2\xb7 hexagon: release (private mechanism) \xc2\xb7 box: deterministic "
        "computation \xc2\xb7 dashed box: what a receiver gets \xc2\xb7 dashed frame: region (trust boundary) "
        "\xc2\xb7 frame: agent (\xc3\x97 n: a population)";
    if (slice_ && o_.derivation && o_.derivation->binding_release != kNone) key += " \xc2\xb7 double border: binding release";
    for (const auto& l : wrap(key, 120))
      t << "<tr><td align=\"left\"><font point-size=\"9\" color=\"#555555\">" << html_escape(l) << "</font></td></tr>";
    t << "</table>>";
    return t.str();
  }

  void emit_nodes(std::ostringstream& out, std::vector<NodeOut> nodes, const std::string& indent) const {
    std::sort(nodes.begin(), nodes.end(), [](const NodeOut& a, const NodeOut& b) { return a.id < b.id; });
    for (const auto& n : nodes) out << indent << quote(n.id) << " [" << attrs_text(n.attrs) << "];\n";
  }

  void emit_agent(std::ostringstream& out, Id a, const std::string& indent) const {
    const auto& agent = g_.agents[a];
    std::vector<std::string> lines;
    std::string head = agent.name;
    if (agent.population) head += " \xc3\x97 " + grouped(agent.count);
    if (auto group = groups_.find(a); group != groups_.end())
      head += " \xe2\x80\xa6 " + g_.agents[group->second.second].name + " (" + grouped(group->second.first) +
              " agents alike)";
    append_wrapped(lines, head, kWrapTitle);
    if (!agent.title.empty()) append_wrapped(lines, agent.title, 40);
    static const char* kTrust[] = {"trusted", "honest", "curious", "malicious"};
    lines.push_back(std::string("trust: ") + kTrust[static_cast<int>(agent.trust)]);
    const std::uint64_t* members = nullptr;
    if (o_.coalition) {
      auto it = o_.coalition->members.find(a);
      if (it != o_.coalition->members.end() && it->second > 0) members = &it->second;
    }
    if (members) {
      std::string m = "\xe2\x97\x86 in coalition " + o_.coalition->name;
      if (agent.population) m += ": " + grouped(*members) + " of " + grouped(agent.count);
      append_wrapped(lines, m, 40);
    }
    Look look = look_of(find_leak(o_.agents, a), false);
    if (!look.note.empty()) lines.push_back("on its own: " + look.note);
    // A non-member frame fades when none of its nodes is in the coalition's view.
    bool faded = false;
    if (fading() && !members) {
      faded = true;
      auto it = agent_nodes_.find(a);
      if (it != agent_nodes_.end())
        for (const auto& n : it->second)
          if (!n.faded) faded = false;
    }
    Attrs attrs;
    attrs.emplace_back("label", left_label_of(lines));
    if (members) {
      attrs.emplace_back("style", quote("rounded,filled"));
      attrs.emplace_back("fillcolor", quote(kCoalitionFill));
      attrs.emplace_back("color", quote(kCoalitionColor));
      attrs.emplace_back("penwidth", quote("3"));
      attrs.emplace_back("fontcolor", quote(kCoalitionColor));
    } else {
      attrs.emplace_back("style", quote("rounded"));
      attrs.emplace_back("color", quote(faded ? kFadedColor : (look.note.empty() ? "#555555" : look.color)));
      if (faded) attrs.emplace_back("fontcolor", quote(kFadedFont));
      else if (!look.note.empty()) attrs.emplace_back("penwidth", quote("2"));
    }
    out << indent << "subgraph " << quote("cluster_agent:" + agent.name) << " {\n";
    out << indent << "  graph [" << attrs_text(attrs) << "];\n";
    auto it = agent_nodes_.find(a);
    if (it != agent_nodes_.end()) emit_nodes(out, it->second, indent + "  ");
    out << indent << "}\n";
  }

  std::string emit() const {
    std::ostringstream out;
    std::string name = g_.pipeline.empty() ? std::string("privflow") : g_.pipeline;
    out << "// privflow leakage diagram (deterministic: sorted by name)\n";
    out << "digraph " << quote(name) << " {\n";
    out << "  graph [rankdir=\"LR\", newrank=\"true\", compound=\"true\", charset=\"UTF-8\", "
           "fontname=\"DejaVu Sans\", fontsize=\"11\", nodesep=\"0.25\", ranksep=\"0.5\", pad=\"0.2\", "
           "labelloc=\"t\", labeljust=\"l\", label="
        << heading() << "];\n";
    out << "  node [fontname=\"DejaVu Sans\", fontsize=\"10\", style=\"filled\", fillcolor=\"#ffffff\", "
           "color=\"#333333\", margin=\"0.1,0.05\"];\n";
    out << "  edge [fontname=\"DejaVu Sans\", fontsize=\"9\", color=\"#333333\", arrowsize=\"0.7\"];\n";

    // Agents sorted by name, grouped by region (regions sorted by name); regionless last.
    auto shown = [&](Id a) { return agent_nodes_.count(a) > 0; };
    std::vector<Id> agents;
    for (Id a = 0; a < g_.agents.size(); ++a)
      if (shown(a)) agents.push_back(a);
    std::sort(agents.begin(), agents.end(), [&](Id x, Id y) { return g_.agents[x].name < g_.agents[y].name; });
    std::vector<Id> regions;
    for (Id r = 0; r < g_.regions.size(); ++r) regions.push_back(r);
    std::sort(regions.begin(), regions.end(), [&](Id x, Id y) { return g_.regions[x].name < g_.regions[y].name; });
    for (Id r : regions) {
      std::vector<Id> inside;
      for (Id a : agents)
        if (g_.agents[a].region == r) inside.push_back(a);
      if (inside.empty() && slice_) continue;
      out << "  subgraph " << quote("cluster_region:" + g_.regions[r].name) << " {\n";
      out << "    graph [label=" << left_label_of({"region " + g_.regions[r].name + " \xe2\x80\x94 trust boundary"})
          << ", style=\"dashed,rounded\", color=\"#666666\", fontcolor=\"#444444\", fontsize=\"12\", "
             "penwidth=\"1.5\", margin=\"14\"];\n";
      if (inside.empty())
        out << "    " << quote("region:" + g_.regions[r].name)
            << " [shape=\"plaintext\", style=\"\", label=\"(no agents)\", fontcolor=\"#808080\"];\n";
      for (Id a : inside) emit_agent(out, a, "    ");
      out << "  }\n";
    }
    for (Id a : agents)
      if (g_.agents[a].region >= g_.regions.size()) emit_agent(out, a, "  ");
    emit_nodes(out, top_nodes_, "  ");
    for (const auto& e : edges_)
      out << "  " << quote(e.tail) << " -> " << quote(e.head) << " [" << attrs_text(e.attrs) << "];\n";
    out << "}\n";
    return out.str();
  }
};

}  // namespace

std::vector<std::string> detail::wrap_text(std::string_view text, std::size_t width) {
  return wrap(text, width == 0 ? 1 : width);
}

std::string to_dot(const flow::Graph& graph, const Overlay& overlay) { return Writer(graph, overlay).run(); }

}  // namespace privflow::viz
