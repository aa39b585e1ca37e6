#pragma once
// The base protocol of LSP (3.17, "Base Protocol"): each message is a header part
// (`Content-Length: N`, optionally `Content-Type`, each line ending in "\r\n"), an empty line,
// and N bytes of JSON-RPC 2.0 content.
#include <cstddef>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>

namespace privflow::lsp {

/// A message body larger than this is refused (and skipped), so that a bad length cannot make
/// the server allocate without bound.
inline constexpr std::size_t kMaxMessageBytes = std::size_t{64} << 20;

struct Incoming {
  enum class Kind {
    kMessage,  // `body` holds the content
    kBadHeader,  // no Content-Length, or one that is not a number or is too large; skipped
    kEnd,  // end of input (or input cut inside a message)
  } kind = Kind::kEnd;
  std::string body;
  std::string problem;  // kBadHeader: what was wrong
};

/// Reads one message. Accepts "\n" as well as "\r\n" after a header line.
Incoming read_message(std::istream& in);

/// Writes whole messages from several threads: one at a time, flushed.
class Writer {
 public:
  explicit Writer(std::ostream& out) : out_(&out) {}
  void write(const std::string& body);

 private:
  std::mutex mutex_;
  std::ostream* out_;
};

}  // namespace privflow::lsp
