#include "lsp/transport.hpp"

#include <cctype>
#include <istream>
#include <ostream>
#include <string_view>

namespace privflow::lsp {
namespace {

// Header lines are short; one that is not is not a header (bounded reading).
constexpr std::size_t kMaxHeaderLine = 1024;

bool read_line(std::istream& in, std::string& line) {
  line.clear();
  char c = 0;
  while (in.get(c)) {
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    }
    if (line.size() < kMaxHeaderLine) line.push_back(c);
  }
  return !line.empty();
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The value of Content-Length, or nullopt when it is not a whole number of at most kMaxMessageBytes.
std::optional<std::size_t> parse_length(std::string_view value) {
  if (value.empty() || value.size() > 12) return std::nullopt;
  std::size_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  if (n > kMaxMessageBytes) return std::nullopt;
  return n;
}

}  // namespace

Incoming read_message(std::istream& in) {
  std::string line;
  std::optional<std::size_t> length;
  bool saw_length = false, any_line = false;
  std::string problem;
  while (true) {
    if (!read_line(in, line)) return {};
    if (line.empty()) {
      if (!any_line) continue;  // stray blank lines between messages
      break;
    }
    any_line = true;
    auto colon = line.find(':');
    if (colon == std::string::npos) {
      problem = "a header line without ':'";
      continue;
    }
    if (equals_ignoring_case(trim(std::string_view(line).substr(0, colon)), "Content-Length")) {
      saw_length = true;
      length = parse_length(trim(std::string_view(line).substr(colon + 1)));
    }
  }
  if (!saw_length) return {Incoming::Kind::kBadHeader, "", problem.empty() ? "no Content-Length header" : problem};
  if (!length)
    return {Incoming::Kind::kBadHeader, "",
            "Content-Length is not a whole number of at most " + std::to_string(kMaxMessageBytes) + " bytes"};
  Incoming result{Incoming::Kind::kMessage, std::string(*length, '\0'), ""};
  in.read(result.body.data(), static_cast<std::streamsize>(*length));
  if (static_cast<std::size_t>(in.gcount()) != *length) return {};
  return result;
}

void Writer::write(const std::string& body) {
  std::lock_guard<std::mutex> lock(mutex_);
  *out_ << "Content-Length: " << body.size() << "\r\n\r\n" << body;
  out_->flush();
}

}  // namespace privflow::lsp
