#pragma once
// A small well-formedness check of the markup privflow writes (fuzz_writers): every tag is
// closed in order, attribute values are quoted, entities are known or numeric, and the text is
// valid UTF-8. HTML void elements need no end tag; comments, <!DOCTYPE>, <?xml ?> and CDATA-free
// <style> bodies are skipped. Returns an empty string when well formed, else what is wrong.
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.hpp"

namespace privflow::fuzz {

inline bool is_void_element(std::string_view name) {
  for (std::string_view v : {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})
    if (name == v) return true;
  return false;
}

/// The entity at text[i] ('&'): "&amp;", "&#39;", "&#x2014;"; false when it is not one.
inline bool valid_entity(std::string_view text, std::size_t i) {
  std::size_t end = text.find(';', i);
  if (end == std::string_view::npos || end - i > 10) return false;
  std::string_view body = text.substr(i + 1, end - i - 1);
  if (body.empty()) return false;
  if (body[0] == '#') return body.size() > 1;
  for (std::string_view known : {"amp", "lt", "gt", "quot", "apos", "nbsp"})
    if (body == known) return true;
  return false;
}

/// Checks the attributes inside a start tag [from, to): name="value" or name='value'.
inline std::string check_attributes(std::string_view tag) {
  std::size_t i = 0;
  while (i < tag.size()) {
    while (i < tag.size() && std::isspace(static_cast<unsigned char>(tag[i]))) ++i;
    if (i >= tag.size() || tag[i] == '/') break;
    std::size_t name = i;
    while (i < tag.size() && tag[i] != '=' && !std::isspace(static_cast<unsigned char>(tag[i]))) ++i;
    if (i == name) return "an empty attribute name";
    if (i >= tag.size() || tag[i] != '=') continue;  // a boolean attribute (HTML)
    ++i;
    if (i >= tag.size() || (tag[i] != '"' && tag[i] != '\'')) return "an unquoted attribute value";
    char quote = tag[i];
    std::size_t close = tag.find(quote, i + 1);
    if (close == std::string_view::npos) return "an unterminated attribute value";
    if (tag.substr(i + 1, close - i - 1).find('<') != std::string_view::npos) return "'<' in an attribute value";
    i = close + 1;
  }
  return {};
}

inline std::string check_markup(std::string_view text, bool html) {
  if (valid_utf8(text) != text) return "invalid UTF-8";
  std::vector<std::string> open;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      if (!valid_entity(text, i)) return "a bare '&' at byte " + std::to_string(i);
      continue;
    }
    if (text[i] == '>') return "a bare '>' at byte " + std::to_string(i);
    if (text[i] != '<') continue;
    if (text.substr(i, 4) == "<!--") {
      std::size_t end = text.find("-->", i + 4);
      if (end == std::string_view::npos) return "an unterminated comment";
      i = end + 2;
      continue;
    }
    std::size_t end = text.find('>', i);
    if (end == std::string_view::npos) return "an unterminated tag";
    std::string_view tag = text.substr(i + 1, end - i - 1);
    i = end;
    if (tag.empty()) return "an empty tag";
    if (tag[0] == '!' || tag[0] == '?') continue;  // <!DOCTYPE html>, <?xml ... ?>
    bool closing = tag[0] == '/';
    if (closing) tag.remove_prefix(1);
    bool self_closing = !tag.empty() && tag.back() == '/';
    std::size_t name_end = 0;
    while (name_end < tag.size() && !std::isspace(static_cast<unsigned char>(tag[name_end])) && tag[name_end] != '/')
      ++name_end;
    std::string name(tag.substr(0, name_end));
    if (name.empty()) return "a tag without a name";
    if (closing) {
      if (open.empty() || open.back() != name) return "</" + name + "> does not close <" + (open.empty() ? "" : open.back()) + ">";
      open.pop_back();
      continue;
    }
    if (auto why = check_attributes(tag.substr(name_end)); !why.empty()) return why + " in <" + name + ">";
    if (self_closing || (html && is_void_element(name))) continue;
    if (html && (name == "style" || name == "script")) {  // raw text up to its end tag
      std::size_t close = text.find("</" + name + ">", i);
      if (close == std::string_view::npos) return "<" + name + "> is not closed";
      i = close - 1;
    }
    open.push_back(name);
  }
  if (!open.empty()) return "<" + open.back() + "> is not closed";
  return {};
}

}  // namespace privflow::fuzz
