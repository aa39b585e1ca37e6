#include "lsp/detail/document.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <new>
#include <stdexcept>

#include "analyzer/wording.hpp"
#include "lang/check.hpp"
#include "lang/parser.hpp"

namespace privflow::lsp::detail {
namespace {

// The front end as lang::load_spec runs it, keeping the syntax tree for the names.
void read_spec(Document& document) {
  lang::Diagnostics diags(*document.source);
  const lang::Limits limits;
  try {
    lang::ast::Program program = lang::parse_program(*document.source, diags, limits);
    document.symbols.emplace(program);
    flow::Graph graph = lang::check_program(program, diags, limits);
    graph.file = document.source->path();
    if (!diags.has_errors()) document.graph = std::make_shared<const flow::Graph>(std::move(graph));
  } catch (const std::bad_alloc&) {
    diags.error(0, 0, "out of memory while reading the spec");
  } catch (const std::exception& e) {
    diags.error(0, 0, std::string("internal error in the front end: ") + e.what());
  }
  document.diagnostics = diags.all();
  std::stable_sort(document.diagnostics.begin(), document.diagnostics.end(),
                   [](const lang::Diagnostic& a, const lang::Diagnostic& b) { return a.span.begin < b.span.begin; });
}

int lsp_severity(lang::Severity severity) {
  switch (severity) {
    case lang::Severity::kError: return 1;
    case lang::Severity::kWarning: return 2;
    case lang::Severity::kNote: return 3;
  }
  return 1;
}

int lsp_severity(analyzer::Severity severity) {
  switch (severity) {
    case analyzer::Severity::kError: return 1;
    case analyzer::Severity::kWarning: return 2;
    case analyzer::Severity::kNote: return 3;
  }
  return 1;
}

json diagnostic(Range range, int severity, const std::string& message) {
  return {{"range", to_json(range)}, {"severity", severity}, {"source", "privflow"}, {"message", message}};
}

json front_end_diagnostic(const Document& document, const lang::Diagnostic& d) {
  json result = diagnostic(document.range(d.span.begin, d.span.end), lsp_severity(d.severity), d.message);
  json related = json::array();
  for (const auto& note : d.notes)
    related.push_back({{"location", {{"uri", document.uri}, {"range", to_json(document.range(note.span.begin, note.span.end))}}},
                       {"message", note.message}});
  if (!related.empty()) result["relatedInformation"] = related;
  return result;
}

// A verdict as `privflow check` words it: `violated: dp(answers) against pollster: epsilon
// 1.792 > 1.5`, with its fix when one is known.
json verdict_diagnostic(const Document& document, const flow::Graph& graph, const analyzer::Verdict& verdict) {
  const flow::Requirement& requirement = graph.requirements.at(verdict.requirement);
  int severity = verdict.status == analyzer::Status::kViolated    ? 1
                 : verdict.status == analyzer::Status::kUndecided ? 2
                                                                   : 3;
  std::string message = std::string(analyzer::status_name(verdict.status)) + ": " +
                        analyzer::headline(graph, requirement, verdict);
  if (requirement.named) message += " [" + requirement.name + "]";
  if (verdict.status == analyzer::Status::kUndecided && !verdict.reason.empty()) message += "\n" + verdict.reason;
  if (!verdict.fix.empty()) message += "\nfix: " + verdict.fix;
  json result = diagnostic(document.range(requirement.span.begin, requirement.span.end), severity, message);
  result["code"] = analyzer::status_name(verdict.status);
  return result;
}

}  // namespace

Document::Document(std::string uri_in, std::int64_t version_in, std::string text)
    : uri(std::move(uri_in)),
      version(version_in),
      source(std::make_unique<lang::SourceFile>(path_of_uri(uri), std::move(text))),
      lines(source->text()) {
  read_spec(*this);
}

json to_json(const Position& position) { return {{"line", position.line}, {"character", position.character}}; }

json to_json(const Range& range) { return {{"start", to_json(range.start)}, {"end", to_json(range.end)}}; }

Position position_from_json(const json& value) {
  auto number = [&](const char* key) -> std::uint32_t {
    const json& v = value.at(key);
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0) throw std::invalid_argument(std::string(key) + " is not a position");
    return static_cast<std::uint32_t>(std::min<std::int64_t>(v.get<std::int64_t>(), 0xFFFFFFFF));
  };
  return {number("line"), number("character")};
}

std::string path_of_uri(const std::string& uri) {
  const std::string scheme = "file://";
  if (uri.rfind(scheme, 0) != 0) return uri;
  std::string path;
  for (std::size_t i = scheme.size(); i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size() && std::isxdigit(static_cast<unsigned char>(uri[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(uri[i + 2]))) {
      path.push_back(static_cast<char>(std::stoi(uri.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      path.push_back(uri[i]);
    }
  }
  return path;
}

json diagnostics_json(const Document& document, const AnalysisResult* result) {
  json items = json::array();
  std::size_t total = 0;
  auto push = [&](json item) {
    if (++total <= kMaxDiagnostics) items.push_back(std::move(item));
  };
  for (const auto& d : document.diagnostics) push(front_end_diagnostic(document, d));
  if (result && result->version == document.version && result->graph) {
    if (!result->failure.empty()) push(diagnostic({}, 1, "privflow: internal error: " + result->failure));
    for (const auto& finding : result->analysis.findings)
      push(diagnostic(document.range(finding.span.begin, finding.span.end), lsp_severity(finding.severity),
                      finding.message));
    for (const auto& verdict : result->analysis.verdicts) push(verdict_diagnostic(document, *result->graph, verdict));
  }
  if (total > kMaxDiagnostics)
    items.push_back(diagnostic({}, 2, std::to_string(total - kMaxDiagnostics) + " more messages are not shown"));
  return items;
}

}  // namespace privflow::lsp::detail
