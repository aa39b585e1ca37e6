#include "lsp/server.hpp"

#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "lsp/detail/document.hpp"
#include "lsp/detail/features.hpp"
#include "lsp/transport.hpp"
#include "privflow/version.hpp"

namespace privflow::lsp {

using detail::AnalysisResult;
using detail::Document;
using detail::json;

namespace {

// JSON-RPC 2.0 and LSP 3.17 error codes.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
constexpr int kServerNotInitialized = -32002;

// An error with the JSON-RPC code it is answered with.
struct RpcError {
  int code;
  std::string message;
};

json server_capabilities() {
  return {{"positionEncoding", "utf-16"},
          {"textDocumentSync", {{"openClose", true}, {"change", 1}}},  // full text on every change
          {"hoverProvider", true},
          {"definitionProvider", true},
          {"referencesProvider", true},
          {"documentSymbolProvider", true},
          {"completionProvider", {{"triggerCharacters", {".", "(", "="}}}},
          {"documentFormattingProvider", true},
          {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}}};
}

// A document's text after one change of `textDocument/didChange`: the whole text, or a range
// replaced (the incremental form, accepted although full sync is what the server asks for).
std::string apply_change(const std::string& text, const json& change) {
  std::string replacement = change.at("text").get<std::string>();
  if (!change.contains("range")) return replacement;
  LineIndex lines(text);
  std::size_t begin = lines.offset(detail::position_from_json(change.at("range").at("start")));
  std::size_t end = lines.offset(detail::position_from_json(change.at("range").at("end")));
  if (end < begin) throw RpcError{kInvalidParams, "a change's range ends before it starts"};
  return text.substr(0, begin) + replacement + text.substr(end);
}

}  // namespace

struct Server::Impl {
  Writer writer;
  ServerOptions options;

  // The documents and their analyses, shared with the analysis thread.
  struct State {
    std::shared_ptr<const Document> document;
    std::shared_ptr<const AnalysisResult> result;  // only ever for document's version
  };
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::map<std::string, State> documents;
  std::map<std::string, std::shared_ptr<const Document>> pending;  // newest version to analyse
  bool stopping = false;
  bool analysing = false;
  std::thread worker;

  bool initialized = false;
  bool shutdown = false;

  Impl(std::ostream& out, ServerOptions options_in) : writer(out), options(options_in) {
    worker = std::thread([this] { analyse_loop(); });
  }
  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    worker.join();
  }

  void send(const json& message) { writer.write(message.dump(-1, ' ', false, json::error_handler_t::replace)); }
  void respond(const json& id, json result) { send({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}); }
  void respond_error(const json& id, int code, const std::string& message) {
    send({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
  }
  void notify(const std::string& method, json params) {
    send({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
  }

  // Called with `mutex` held, so that a publication for one version never overtakes another's.
  void publish_locked(const State& state) {
    notify("textDocument/publishDiagnostics", {{"uri", state.document->uri},
                                               {"version", state.document->version},
                                               {"diagnostics", detail::diagnostics_json(*state.document, state.result.get())}});
  }

  // ---- the analysis thread ----

  std::shared_ptr<AnalysisResult> analyse(const Document& document) const {
    auto result = std::make_shared<AnalysisResult>();
    result->version = document.version;
    result->graph = document.graph;
    analyzer::Options analysis_options;
    analysis_options.accountant = options.accountant;
    analysis_options.solver_timeout_ms = options.solver_timeout_ms;
    analysis_options.time_budget_ms = options.time_budget_ms;
    try {
      result->analysis = analyzer::analyze(*document.graph, analysis_options);
      for (const auto& adversary : document.graph->adversaries)
        result->adversary_views.push_back(analyzer::leakage_map(
            *document.graph, analyzer::fixed_coalition(*document.graph, adversary.coalition), analysis_options));
    } catch (const std::exception& e) {
      result->failure = e.what();
    } catch (...) {
      result->failure = "unknown exception";
    }
    return result;
  }

  void analyse_loop() {
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      wake.wait(lock, [this] { return stopping || !pending.empty(); });
      if (stopping) return;
      auto job = pending.begin()->second;
      pending.erase(pending.begin());
      analysing = true;
      lock.unlock();
      auto result = analyse(*job);
      lock.lock();
      analysing = false;
      auto it = documents.find(job->uri);
      // Only the document as it is now: an edit since makes this result stale.
      if (it == documents.end() || it->second.document != job) continue;
      it->second.result = result;
      publish_locked(it->second);
      notify("privflow/analysed",
             {{"uri", job->uri}, {"version", job->version},
              {"exitCode", result->failure.empty() ? result->analysis.exit_code() : 4}});
    }
  }

  // ---- documents ----

  void open(const std::string& uri, std::int64_t version, std::string text) {
    auto document = std::make_shared<const Document>(uri, version, std::move(text));
    std::lock_guard<std::mutex> lock(mutex);
    State& state = documents[uri];
    state = {document, nullptr};
    publish_locked(state);
    if (document->graph) pending[uri] = document;
    else pending.erase(uri);
    wake.notify_all();
  }

  void change(const json& params) {
    const std::string uri = params.at("textDocument").at("uri").get<std::string>();
    std::string text;
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = documents.find(uri);
      if (it == documents.end()) throw RpcError{kInvalidParams, "the document is not open"};
      text = it->second.document->text();
    }
    for (const auto& change : params.at("contentChanges")) text = apply_change(text, change);
    open(uri, params.at("textDocument").at("version").get<std::int64_t>(), std::move(text));
  }

  void close(const std::string& uri) {
    std::lock_guard<std::mutex> lock(mutex);
    documents.erase(uri);
    pending.erase(uri);
    notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", json::array()}});
  }

  // The document and, when it is for the same version, its analysis.
  std::pair<std::shared_ptr<const Document>, std::shared_ptr<const AnalysisResult>> lookup(const json& params) const {
    const std::string uri = params.at("textDocument").at("uri").get<std::string>();
    std::lock_guard<std::mutex> lock(mutex);
    auto it = documents.find(uri);
    if (it == documents.end()) throw RpcError{kInvalidParams, "the document is not open: " + uri};
    return {it->second.document, it->second.result};
  }

  // ---- messages ----

  json request(const std::string& method, const json& params) {
    if (method == "initialize") {
      initialized = true;
      return {{"capabilities", server_capabilities()}, {"serverInfo", {{"name", "privflow"}, {"version", kVersion}}}};
    }
    if (method == "shutdown") {
      shutdown = true;
      return nullptr;
    }
    static const std::set<std::string> document_methods = {
        "textDocument/hover",          "textDocument/definition", "textDocument/references",
        "textDocument/documentSymbol", "textDocument/completion", "textDocument/formatting",
        "textDocument/codeAction"};
    if (!document_methods.count(method)) throw RpcError{kMethodNotFound, "unknown method: " + method};
    auto [document, result] = lookup(params);
    auto position = [&] { return detail::position_from_json(params.at("position")); };
    if (method == "textDocument/hover") return detail::hover(*document, result.get(), position());
    if (method == "textDocument/definition") return detail::definition(*document, position());
    if (method == "textDocument/references") {
      bool declaration = params.contains("context") && params["context"].value("includeDeclaration", false);
      return detail::references(*document, position(), declaration);
    }
    if (method == "textDocument/documentSymbol") return detail::document_symbols(*document);
    if (method == "textDocument/completion") return detail::completion(*document, position());
    if (method == "textDocument/formatting") return detail::formatting(*document);
    return detail::code_actions(*document, {detail::position_from_json(params.at("range").at("start")),
                                            detail::position_from_json(params.at("range").at("end"))});
  }

  void notification(const std::string& method, const json& params) {
    if (!initialized) return;  // LSP: notifications before initialize are dropped
    if (method == "textDocument/didOpen") {
      const json& item = params.at("textDocument");
      open(item.at("uri").get<std::string>(), item.at("version").get<std::int64_t>(), item.at("text").get<std::string>());
    } else if (method == "textDocument/didChange") {
      change(params);
    } else if (method == "textDocument/didClose") {
      close(params.at("textDocument").at("uri").get<std::string>());
    }
  }

  std::optional<int> handle(const std::string& body) {
    json message;
    try {
      message = json::parse(body);
    } catch (const json::parse_error& e) {
      respond_error(nullptr, kParseError, std::string("the message is not JSON: ") + e.what());
      return std::nullopt;
    }
    const bool has_id = message.is_object() && message.contains("id");
    const json id = has_id ? message["id"] : json(nullptr);
    if (!message.is_object() || !message.contains("method") || !message["method"].is_string()) {
      if (!(has_id && (message.contains("result") || message.contains("error"))))  // not a reply to us
        respond_error(id, kInvalidRequest, "not a JSON-RPC request or notification");
      return std::nullopt;
    }
    const std::string method = message["method"].get<std::string>();
    if (method == "exit") return shutdown ? 0 : 1;
    const json params = message.contains("params") ? message["params"] : json::object();
    try {
      if (!has_id) {
        notification(method, params);
      } else if (shutdown) {
        respond_error(id, kInvalidRequest, "the server is shutting down");
      } else if (!initialized && method != "initialize") {
        respond_error(id, kServerNotInitialized, "the server is not initialized");
      } else {
        respond(id, request(method, params));
      }
    } catch (const RpcError& e) {
      if (has_id) respond_error(id, e.code, e.message);
    } catch (const json::exception& e) {
      if (has_id) respond_error(id, kInvalidParams, std::string("invalid params: ") + e.what());
    } catch (const std::invalid_argument& e) {
      if (has_id) respond_error(id, kInvalidParams, std::string("invalid params: ") + e.what());
    } catch (const std::exception& e) {
      if (has_id) respond_error(id, kInternalError, std::string("internal error: ") + e.what());
    }
    return std::nullopt;
  }
};

Server::Server(std::ostream& out, ServerOptions options) : impl_(std::make_unique<Impl>(out, options)) {}

Server::~Server() = default;

int Server::run(std::istream& in) {
  while (true) {
    Incoming incoming = read_message(in);
    if (incoming.kind == Incoming::Kind::kEnd) return impl_->shutdown ? 0 : 1;
    if (incoming.kind == Incoming::Kind::kBadHeader) {
      impl_->respond_error(nullptr, kParseError, "bad message header: " + incoming.problem);
      continue;
    }
    if (auto code = impl_->handle(incoming.body)) return *code;
  }
}

std::optional<int> Server::handle(const std::string& body) { return impl_->handle(body); }

bool Server::busy() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->analysing || !impl_->pending.empty();
}

}  // namespace privflow::lsp
