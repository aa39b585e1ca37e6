#pragma once
// Escaping for the markup privflow writes (HTML reports, SVG charts).
#include <string>
#include <string_view>

namespace privflow {

/// Text as XML/HTML character data or a quoted attribute value: & < > " ' become entities,
/// and control characters (other than newline and tab) become U+FFFD, so a hostile name can
/// neither end an element nor break the layout.
std::string markup_escape(std::string_view text);

}  // namespace privflow
