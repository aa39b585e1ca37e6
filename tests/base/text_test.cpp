#include <catch2/catch.hpp>

#include "base/markup.hpp"
#include "base/text.hpp"

TEST_CASE("edit distance and suggestions", "[base][text]") {
  CHECK(privflow::edit_distance("sever", "server") == 1);
  CHECK(privflow::edit_distance("", "abc") == 3);
  CHECK(privflow::closest_match("sever", {"analyst", "server", "hospital"}) == std::optional<std::string>("server"));
  CHECK_FALSE(privflow::closest_match("zzz", {"analyst", "server"}));
}

TEST_CASE("swapped letters are one edit: agnet is agent, sned is send", "[base][text]") {
  CHECK(privflow::edit_distance("agnet", "agent") == 1);
  CHECK(privflow::edit_distance("sned", "send") == 1);
  CHECK(privflow::edit_distance("ab", "ba") == 1);
  CHECK(privflow::edit_distance("abc", "ca") == 3);  // optimal string alignment: no edit twice
  CHECK(privflow::closest_match("agnet", {"adversary", "agent", "data"}) == std::optional<std::string>("agent"));
  CHECK(privflow::closest_match("sned", {"send", "settings"}) == std::optional<std::string>("send"));
}

TEST_CASE("invalid UTF-8 becomes U+FFFD, valid text is kept", "[base][text]") {
  CHECK(privflow::valid_utf8("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(privflow::valid_utf8("a\xff" "b") == "a\xEF\xBF\xBD" "b");
  CHECK(privflow::valid_utf8("\xc3") == "\xEF\xBF\xBD");            // cut sequence
  CHECK(privflow::valid_utf8("\xed\xa0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
}

TEST_CASE("terminal escapes are never echoed raw", "[base][text]") {
  CHECK(privflow::printable("a\x1b[31mb") == "a\\x1b[31mb");
  CHECK(privflow::printable("plain") == "plain");
}

TEST_CASE("markup escaping: entities for the five specials, U+FFFD for control characters", "[base][text]") {
  CHECK(privflow::markup_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  CHECK(privflow::markup_escape("line\nnext\tcol") == "line\nnext\tcol");  // layout whitespace kept
  CHECK(privflow::markup_escape("x\x1b[2Jy\x7f") == "x\xEF\xBF\xBD[2Jy\xEF\xBF\xBD");
  CHECK(privflow::markup_escape("caf\xc3\xa9") == "caf\xc3\xa9");
}
