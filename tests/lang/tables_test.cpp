// `prior from "FILE"` and `given PARENT from "FILE"` (lang/tables.cpp): tables read from CSV
// files beside the spec, the same rationals as when written inline, and the path rules of
// docs/limits.md ("What a spec may read"), each refused with a located error.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "lang_test_util.hpp"

namespace privflow::lang {

namespace {

namespace fs = std::filesystem;

/// A fresh folder with a spec and its files; removed at the end of the scope.
struct Folder {
  fs::path root;
  Folder() {
    std::string tmpl = (fs::temp_directory_path() / "privflow-tables-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    root = tmpl;
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    fs::create_directories((root / name).parent_path());
    std::ofstream(root / name, std::ios::binary) << text;
  }
  testing::Loaded load(const std::string& spec) const {
    write("spec.pflow", spec);
    return testing::load(spec, (root / "spec.pflow").string());
  }
};

const char* const kPriors = "# generated\nfield,value,probability\ntrait,a,1/2\ntrait,b,1/4\n trait , c , 0.25 \n";
const char* const kLikes =
    "field,given,value,probability\r\nlike,a,yes,0.9\r\nlike,a,no,0.1\r\nlike,b,yes,1/2\r\nlike,b,no,1/2\r\n"
    "like,c,no,0.8\r\nlike,c,yes,0.2\r\n";

std::string spec_with(const std::string& prior, const std::string& given) {
  return "pipeline t\ndata d {\n  rows: 1000\n  field trait: {a, b, c} " + prior + "\n  field like: {no, yes} " + given +
         "\n}\nagent o { trust: trusted, holds: d }\n";
}

}  // namespace

TEST_CASE("tables from CSV files give the same rationals as tables written inline", "[lang][tables]") {
  Folder folder;
  folder.write("tables/priors.csv", kPriors);
  folder.write("tables/likes.csv", kLikes);
  auto from_files = folder.load(spec_with("prior from \"tables/priors.csv\"", "given trait from \"tables/likes.csv\""));
  INFO(from_files.rendered);
  REQUIRE(from_files.graph);
  auto inline_spec = testing::load(spec_with("prior {1/2, 1/4, 1/4}",
                                             "given trait {a: {1/10, 9/10}, b: {1/2, 1/2}, c: {4/5, 1/5}}"));
  REQUIRE(inline_spec.graph);
  const auto& a = from_files.graph->data.at(0).fields;
  const auto& b = inline_spec.graph->data.at(0).fields;
  REQUIRE(a.size() == 2);
  CHECK(a[0].prior == b[0].prior);
  CHECK(a[1].prior == b[1].prior);
  CHECK(a[1].parent == b[1].parent);
  CHECK(a[1].prior.at(2) == std::vector<Rational>{Rational(4, 5), Rational(1, 5)});
}

TEST_CASE("a bad row is an error naming the file, its row and its column", "[lang][tables]") {
  Folder folder;
  folder.write("priors.csv", "field,value,probability\ntrait,a,1/2\ntrait,b,1/4\ntrait,c,0.3\n");
  folder.write("likes.csv",
               "field,given,value,probability\nlike,a,yes,0.9\nlike,a,nope,0.1\nlike,b,yes,1/2\nlike,b,yes,1/2\n"
               "like,z,yes,0.2\nlike,c,no,1.5\n");
  auto l = folder.load(spec_with("prior from \"priors.csv\"", "given trait from \"likes.csv\""));
  CHECK_FALSE(l.graph);
  const std::vector<std::string> want = {
      "4:37: in 'priors.csv', the probabilities of 'trait' (rows 2 to 4) sum to 1.05, not 1",
      "5:42: in 'likes.csv', row 6, column 6: 'z' is not a value of 'trait'; did you mean 'a'?",
      "5:42: in 'likes.csv', row 3, column 8: 'nope' is not a value of 'like' (its values are no, yes)",
      "5:42: in 'likes.csv', row 5, column 8: a second row for 'like' = 'yes' given 'trait' = 'b' (the first is row 4)",
      "5:42: in 'likes.csv', row 7, column 11: '1.5' is not a probability (a number from 0 to 1)",
  };
  CHECK(l.errors == want);
}

TEST_CASE("tables are read only inside the spec's folder", "[lang][tables]") {
  Folder folder;
  folder.write("inside/spec_dir/keep.txt", "");
  folder.write("outside.csv", kPriors);
  folder.write("inside/ok.csv", kPriors);
  fs::create_symlink(folder.root / "outside.csv", folder.root / "inside" / "link.csv");
  fs::create_directory_symlink(folder.root, folder.root / "inside" / "up");
  const fs::path spec_path = folder.root / "inside" / "spec.pflow";
  auto load = [&](const std::string& file) {
    const std::string spec = "pipeline t\ndata d { rows: 10 field trait: {a, b, c} prior from \"" + file + "\" }\n";
    std::ofstream(spec_path) << spec;
    return testing::load(spec, spec_path.string());
  };
  CHECK(load("ok.csv").errors.empty());
  CHECK(load("./ok.csv").errors.empty());
  struct Case {
    std::string file, why;
  };
  for (const Case& c : {Case{"../outside.csv", "'..' is not allowed"}, Case{"sub/../../outside.csv", "'..' is not allowed"},
                        Case{(folder.root / "outside.csv").string(), "not by an absolute path"},
                        Case{"link.csv", "symbolic link that leads out"}, Case{"up/outside.csv", "symbolic link that leads out"},
                        Case{"missing.csv", "no such file"}, Case{"spec_dir", "not a regular file"}, Case{"", "empty"}}) {
    auto l = load(c.file);
    INFO(c.file << ": " << l.rendered);
    REQUIRE(l.errors.size() == 1);
    CHECK(l.errors[0].find("cannot read table") != std::string::npos);
    CHECK(l.errors[0].find(c.why) != std::string::npos);
  }
  // A spec without a file (standard input) has no folder.
  auto l = testing::load("pipeline t\ndata d { rows: 10 field trait: {a, b, c} prior from \"ok.csv\" }\n", "<stdin>");
  REQUIRE(l.errors.size() == 1);
  CHECK(l.errors[0].find("standard input") != std::string::npos);
}

TEST_CASE("a table file of the wrong form or without the field's rows is refused", "[lang][tables]") {
  Folder folder;
  folder.write("likes.csv", kLikes);
  folder.write("priors.csv", kPriors);
  folder.write("noheader.csv", "trait,a,1\n");
  folder.write("quoted.csv", "field,value,probability\n\"trait\",a,1\n");
  folder.write("short.csv", "field,value,probability\ntrait,a\n");
  folder.write("missing.csv", "field,given,value,probability\nlike,a,yes,1\nlike,a,no,0\nlike,b,yes,1\n");
  struct Case {
    std::string prior, given, why;
  };
  for (const Case& c : {Case{"prior from \"likes.csv\"", "given trait from \"likes.csv\"", "a prior needs"},
                        Case{"prior from \"noheader.csv\"", "", "the header must be"},
                        Case{"prior from \"quoted.csv\"", "", "row 2, column 1: quoted cells"},
                        Case{"prior from \"short.csv\"", "", "row 2: 2 cells where the header has 3"},
                        Case{"prior from \"priors.csv\"", "given trait from \"missing.csv\"", "no row gives 'like' = 'no' given 'trait' = 'b'"},
                        Case{"prior from \"priors.csv\"", "given trait from \"priors.csv\"", "a given table needs"}}) {
    auto l = folder.load(spec_with(c.prior, c.given));
    INFO(l.rendered);
    CHECK_FALSE(l.graph);
    REQUIRE_FALSE(l.errors.empty());
    CHECK(l.errors[0].find(c.why) != std::string::npos);
  }
}

}  // namespace privflow::lang
