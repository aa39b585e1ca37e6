// Unit tests of lsp/: LSP positions in UTF-16 code units against byte offsets, the base
// protocol's framing, and the names of a spec (declarations and references).
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "lang/diagnostics.hpp"
#include "lang/parser.hpp"
#include "lang/source.hpp"
#include "lsp/position.hpp"
#include "lsp/symbols.hpp"
#include "lsp/transport.hpp"

using privflow::lsp::LineIndex;
using privflow::lsp::Position;

TEST_CASE("positions count UTF-16 code units", "[lsp][position]") {
  // "é" is 2 bytes and 1 unit, "€" 3 bytes and 1 unit, "😀" (U+1F600) 4 bytes and 2 units.
  const std::string text = "ab\né€😀x\r\nlast";
  LineIndex lines(text);
  REQUIRE(lines.line_count() == 3);
  CHECK(lines.position(0) == Position{0, 0});
  CHECK(lines.position(2) == Position{0, 2});  // the newline itself
  CHECK(lines.position(3) == Position{1, 0});
  CHECK(lines.position(5) == Position{1, 1});   // after é
  CHECK(lines.position(8) == Position{1, 2});   // after €
  CHECK(lines.position(12) == Position{1, 4});  // after 😀: two units
  CHECK(lines.position(13) == Position{1, 5});  // after x
  CHECK(lines.position(15) == Position{2, 0});
  CHECK(lines.position(999) == Position{2, 4});  // clamped to the end
  // Offsets inside a character map to its start.
  CHECK(lines.position(4) == Position{1, 0});
  CHECK(lines.position(10) == Position{1, 2});

  CHECK(lines.offset({1, 0}) == 3);
  CHECK(lines.offset({1, 2}) == 8);
  CHECK(lines.offset({1, 3}) == 8);   // inside the surrogate pair: the character's start
  CHECK(lines.offset({1, 4}) == 12);
  CHECK(lines.offset({1, 5}) == 13);
  CHECK(lines.offset({1, 99}) == 13);  // past the line's end: before its "\r\n"
  CHECK(lines.offset({7, 0}) == text.size());
  // Round trip on every character boundary.
  for (std::size_t offset : {0u, 1u, 2u, 3u, 5u, 8u, 12u, 13u, 15u, 19u}) CHECK(lines.offset(lines.position(offset)) == offset);
}

TEST_CASE("malformed UTF-8 counts byte by byte", "[lsp][position]") {
  const std::string text = std::string("a\xF0\x9F") + "b";  // a 4-byte lead cut short
  LineIndex lines(text);
  CHECK(lines.position(4) == Position{0, 4});
  CHECK(lines.offset({0, 3}) == 3);
  CHECK(privflow::lsp::utf8_length(0x80) == 1);
}

TEST_CASE("an empty text and a final newline", "[lsp][position]") {
  LineIndex empty("");
  CHECK(empty.position(0) == Position{0, 0});
  CHECK(empty.offset({0, 5}) == 0);
  LineIndex one("x\n");
  CHECK(one.line_count() == 2);
  CHECK(one.position(2) == Position{1, 0});
}

TEST_CASE("messages are framed by Content-Length", "[lsp][transport]") {
  using Kind = privflow::lsp::Incoming::Kind;
  std::istringstream in("Content-Length: 2\r\n\r\n{}content-length:3\nContent-Type: x\n\n[1]X-Other: 1\r\n\r\n"
                        "Content-Length: 99999999999\r\n\r\nContent-Length: 10\r\n\r\nshort");
  auto first = privflow::lsp::read_message(in);
  CHECK(first.kind == Kind::kMessage);
  CHECK(first.body == "{}");
  auto second = privflow::lsp::read_message(in);
  CHECK(second.kind == Kind::kMessage);
  CHECK(second.body == "[1]");
  auto third = privflow::lsp::read_message(in);
  CHECK(third.kind == Kind::kBadHeader);
  CHECK(third.problem == "no Content-Length header");
  CHECK(privflow::lsp::read_message(in).kind == Kind::kBadHeader);  // too large
  CHECK(privflow::lsp::read_message(in).kind == Kind::kEnd);        // cut short

  std::ostringstream out;
  privflow::lsp::Writer writer(out);
  writer.write("{\"a\":1}");
  CHECK(out.str() == "Content-Length: 7\r\n\r\n{\"a\":1}");
}

TEST_CASE("names: declarations, references and fields in their data", "[lsp][symbols]") {
  const std::string text =
      "data d { rows: 10 field x: {a, b} }\n"
      "data e { rows: 10 field x: {a, b} }\n"
      "agent server { trust: curious }\n"
      "agent h { trust: honest, holds: d }\n"
      "compute c at h = laplace(d.x, epsilon: 1)\n"
      "send c to server\n"
      "require r: dp(d) against {server} <= epsilon 1\n";
  privflow::lang::SourceFile source("t.pflow", text);
  privflow::lang::Diagnostics diags(source);
  auto program = privflow::lang::parse_program(source, diags);
  REQUIRE_FALSE(diags.has_errors());
  privflow::lsp::SymbolIndex index(program);
  using privflow::lsp::SymbolKind;

  auto at = [&](const std::string& needle, std::size_t nth = 1, std::size_t shift = 0) {
    std::size_t offset = std::string::npos;
    for (std::size_t i = 0; i < nth; ++i) offset = text.find(needle, offset + 1);
    REQUIRE(offset != std::string::npos);
    auto found = index.at(static_cast<std::uint32_t>(offset + shift));
    REQUIRE(found);
    return *found;
  };
  auto server = at("server", 2);  // `send c to server`
  CHECK(server.kind == SymbolKind::kAgent);
  CHECK_FALSE(server.declaration);
  auto declaration = index.declaration_of(server);
  REQUIRE(declaration);
  CHECK(declaration->begin == text.find("server"));
  CHECK(index.references_of(server).size() == 3);
  // `d.x` is d's field, not e's.
  auto field = at("d.x", 1, 2);
  CHECK(field.kind == SymbolKind::kField);
  CHECK(field.scope == "d");
  CHECK(index.declaration_of(field)->begin == text.find("x"));
  CHECK(index.references_of(field).size() == 2);
  CHECK(at("laplace").kind == SymbolKind::kMechanism);
  CHECK_FALSE(index.declaration_of(at("laplace")));
  CHECK(at("epsilon:").kind == SymbolKind::kParameter);
  CHECK(at("epsilon:").scope == "laplace");
  CHECK(at("r:").kind == SymbolKind::kRequirement);
  // A cursor just after a name still finds it.
  CHECK(index.at(static_cast<std::uint32_t>(text.find("c at") + 1))->name == "c");
  CHECK(index.declarations().size() == 8);  // d, x, e, x, server, h, c, r
}
