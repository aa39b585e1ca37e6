#pragma once
// Leakage diagrams: a flow::Graph drawn as Graphviz DOT, coloured by what an observer learns.
//
// The library knows nothing about the analyzer: the analysis reaches it through `Overlay`,
// plain data keyed by the graph's indices, which the caller fills (cli/cmd_diagram.cpp).
// Everything here is deterministic: the same graph and overlay give the same DOT bytes,
// whatever order the spec declared things in (every list is emitted sorted by name).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/rational.hpp"
#include "flow/graph.hpp"

namespace privflow::viz {

/// What the chosen observer learns through one element of the diagram (a data set, an
/// artifact, a flow, or an agent on its own).
struct Leak {
  enum class Status {
    kUnknown,  ///< not analysed: drawn in neutral black
    kPrivate,  ///< bounded: `epsilon` is an UPPER bound on the privacy loss carried
    kExposed,  ///< a deterministic path from the target record: the loss is unbounded
    kHolds,    ///< the observer holds the data itself
  };
  Status status = Status::kUnknown;
  /// kPrivate only: an upper bound on ε (at Overlay::delta). It is binned for colour by
  /// exact comparison and printed rounded UP, so a figure is never shown lower than given.
  Rational epsilon;
};

/// The coalition an `--adversary` (or a requirement's target) names.
struct CoalitionView {
  std::string name;                          ///< adversary name, or a description of an inline one
  std::map<flow::Id, std::uint64_t> members; ///< agent -> number of its instances in the coalition
  std::string note;                          ///< e.g. "+ any 16 of {…}: the worst choice, from the analysis"
  std::uint64_t distance = 0;                ///< `at distance >= D`: members of a topology's population D hops or more from the target
  std::map<flow::Id, std::uint64_t> chosen;  ///< agent -> K of an `any K of {…}` choice among its instances (drawn on its topology)
  /// True when the analysis filled the view sets below; only then is anything faded.
  bool view_known = false;
  std::set<flow::Id> view_data, view_artifacts, view_flows;  ///< what the coalition observes
};

/// The derivation of one requirement's verdict: only these elements stay in the diagram.
struct Derivation {
  std::set<flow::Id> data, artifacts, flows;
  flow::Id binding_release = flow::kNone;  ///< the release (artifact) that binds the verdict
  /// Release (artifact) -> its share of the composed ε, in [0, 1]; shown as a percentage
  /// rounded UP (the binding release is never understated).
  std::map<flow::Id, Rational> shares;
  std::optional<Rational> composed_epsilon;  ///< an UPPER bound on the composed ε
  std::string verdict;                       ///< one line, e.g. "violated: epsilon 41.7 > 2.0"
};

/// Everything the analysis adds to the drawing. Default-constructed: a plain structural diagram.
struct Overlay {
  std::string title;     ///< first title line; empty: "<pipeline> — <pipeline title>"
  std::string observer;  ///< whom the colours are for, e.g. "coalition insider"
  std::optional<Rational> delta;  ///< the δ at which every ε is stated (legend)
  // ε carried for the observer, keyed by index into Graph::data / artifacts / flows / agents.
  // Missing keys are kUnknown, except a flow without an entry, which is drawn with its
  // artifact's entry (an upper bound: a channel only removes information). For agents: what
  // that agent learns on its own (the leakage matrix row).
  std::map<flow::Id, Leak> data, artifacts, flows, agents;
  std::optional<CoalitionView> coalition;  ///< highlighted members; fading when view_known
  flow::Id requirement = flow::kNone;      ///< `--requirement`: the diagram shows its derivation
  /// The derivation from the analysis. Absent with a requirement set: every element that
  /// depends on the requirement's data is kept (a superset of any derivation), with a note.
  std::optional<Derivation> derivation;
  std::vector<std::string> notes;  ///< extra lines under the title
  /// A line under each release (by artifact index): its error, e.g. "error ±11.99 at 95 %".
  std::map<flow::Id, std::string> errors;
};

/// The part of an overlay that needs no analysis: the title, the coalition's fixed members
/// (of `adversary`, or of the requirement's target), the requirement. Ids may be kNone.
Overlay structural_overlay(const flow::Graph& graph, flow::Id adversary, flow::Id requirement);

/// A requirement as one readable line (flow::requirement_text):
/// "outsider_budget: dp(patients) against outsider ≤ epsilon 2".
std::string describe_requirement(const flow::Graph& graph, const flow::Requirement& requirement);

/// Index of the requirement called `name` (as written, or `line<N>`), or kNone.
flow::Id find_requirement(const flow::Graph& graph, const std::string& name);

/// The diagram as DOT text (no layout), deterministic and independent of declaration order.
std::string to_dot(const flow::Graph& graph, const Overlay& overlay);

enum class Format { kDot, kSvg, kPng, kPdf };

/// "dot"/"gv", "svg", "png", "pdf" (case-sensitive), else nullopt.
std::optional<Format> format_from_name(std::string_view name);
/// The format a file name's extension asks for (`out.svg`), else nullopt.
std::optional<Format> format_from_path(std::string_view path);
/// "dot", "svg", "png" or "pdf".
const char* format_name(Format format);

namespace detail {
/// Greedy line wrapping for labels: breaks at spaces, and after `_ - . / ,` inside long
/// identifiers; cuts a piece longer than `width` characters (UTF-8 aware). At least one line.
std::vector<std::string> wrap_text(std::string_view text, std::size_t width);
}  // namespace detail

/// Lays out `dot` with Graphviz's dot engine in-process and renders it. kDot returns the
/// text unchanged. On failure returns false and sets `error` to Graphviz's message.
/// Serialised internally: Graphviz is not thread-safe; one context serves the process.
bool render(const std::string& dot, Format format, std::string& bytes, std::string& error);

}  // namespace privflow::viz
