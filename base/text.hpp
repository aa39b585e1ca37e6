#pragma once
// Small text helpers shared by every layer: suggestions and safe terminal output.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace privflow {

/// Damerau distance (optimal string alignment): insert, delete, substitute, and swap two
/// adjacent characters, each costing 1, so that "agnet" is one edit from "agent".
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `name` if it is close enough to be a plausible typo
/// (distance <= max(1, len/3)); ties go to the first in sorted order (deterministic).
std::optional<std::string> closest_match(std::string_view name, const std::vector<std::string>& candidates);

/// Text safe to print on a terminal: control characters (ESC, CR, ...) and bytes that are
/// not UTF-8 become `\xNN`; C1 controls (U+0080..U+009F, e.g. the one-character CSI) and
/// bidirectional controls (U+202A..U+202E, U+2066..U+2069: "Trojan Source") become `\u{NNNN}`.
std::string printable(std::string_view text);

/// The same, but newlines and tabs are kept: for whole outputs written to a terminal.
std::string printable_lines(std::string_view text);

/// The text with every byte that is not part of well-formed UTF-8 replaced by U+FFFD: for
/// documents that declare UTF-8 (HTML, Markdown), which a spec's bytes must not make invalid.
std::string valid_utf8(std::string_view text);

/// Joins with a separator.
std::string join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace privflow
