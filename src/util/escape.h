// Escaping of telemetry-supplied text (span names, services, messages, log bodies…) for each
// output the report writes: HTML and SVG (text and attribute values), Markdown, and the
// terminal. Every renderer goes through these; none writes a telemetry string raw.
// Invalid UTF-8 becomes U+FFFD everywhere; control characters never pass through.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace ddbg {

// For HTML and SVG text and for quoted attribute values: & < > " ' become entities, control
// characters other than tab and newline become U+FFFD.
void AppendHtmlEscaped(std::string& out, std::string_view s);
std::string HtmlEscape(std::string_view s);

// For one Markdown table cell or line: HTML-significant characters as entities, Markdown
// punctuation (\ ` * _ [ ] | # ~ !) backslash-escaped, line breaks as spaces.
std::string MarkdownEscape(std::string_view s);

// For a terminal: control characters (C0, DEL, C1 — so no escape sequence gets through)
// become '?', line breaks and tabs spaces, invalid UTF-8 '?'.
std::string TerminalSafe(std::string_view s);

}  // namespace ddbg
