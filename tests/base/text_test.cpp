#include <catch2/catch.hpp>

#include "base/text.hpp"

TEST_CASE("edit distance and suggestions", "[base][text]") {
  CHECK(privflow::edit_distance("sever", "server") == 1);
  CHECK(privflow::edit_distance("", "abc") == 3);
  CHECK(privflow::closest_match("sever", {"analyst", "server", "hospital"}) == std::optional<std::string>("server"));
  CHECK_FALSE(privflow::closest_match("zzz", {"analyst", "server"}));
}

TEST_CASE("terminal escapes are never echoed raw", "[base][text]") {
  CHECK(privflow::printable("a\x1b[31mb") == "a\\x1b[31mb");
  CHECK(privflow::printable("plain") == "plain");
}
