#pragma once
// `privflow lsp`: a language server for .pflow specs (Language Server Protocol 3.17,
// JSON-RPC 2.0 over standard input and output, docs/privflow.1 "lsp"). The front end runs on
// each change and its messages are published at once; the analysis runs on a background thread
// with the library's time budget (analyzer::Options::time_budget_ms), one at a time, always on
// the newest version: a result for an older version is dropped, never published as current.
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>

#include "flow/graph.hpp"

namespace privflow::lsp {

struct ServerOptions {
  /// Wall-clock budget of one analysis in milliseconds (0: none); what it does not reach is
  /// `undecided`, as with `privflow check --timeout`.
  unsigned time_budget_ms = 30000;
  unsigned solver_timeout_ms = 10000;
  std::optional<flow::AccountantKind> accountant;  // nullopt: the spec's
};

class Server {
 public:
  Server(std::ostream& out, ServerOptions options = {});
  ~Server();  // waits for a running analysis to end
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Serves `in` until the `exit` notification or the end of input. Returns the exit status
  /// the protocol asks for: 0 after `shutdown`, else 1.
  int run(std::istream& in);
  /// Handles one message's content. Returns the exit status once `exit` was received.
  std::optional<int> handle(const std::string& body);
  /// True while an analysis runs (the caller may then end the process without waiting).
  bool busy() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace privflow::lsp
