// Escaping of telemetry text for HTML/SVG, Markdown and the terminal: exact outputs for
// hostile input, control characters and invalid UTF-8.
#include "util/escape.h"

#include <gtest/gtest.h>

namespace ddbg {
namespace {

TEST(Escape, HtmlEscapesMarkupQuotesAndAmpersands) {
  EXPECT_EQ(HtmlEscape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("\"><img src=x onerror='a'>&"),
            "&quot;&gt;&lt;img src=x onerror=&#39;a&#39;&gt;&amp;");
}

TEST(Escape, HtmlReplacesControlCharactersAndInvalidUtf8) {
  EXPECT_EQ(HtmlEscape(std::string("a\x1b[31mb\x00" "c", 9)), "a\xEF\xBF\xBD[31mb\xEF\xBF\xBD" "c");
  EXPECT_EQ(HtmlEscape("x\xff\xc0\x80y"), "x\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDy");
  EXPECT_EQ(HtmlEscape("tab\tnew\nline µs ✓"), "tab\tnew\nline µs ✓");
}

TEST(Escape, MarkdownEscapesPunctuationAndHtml) {
  EXPECT_EQ(MarkdownEscape("a|b *c* _d_ [e](f) `g` <h>\nnext"),
            "a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\`g\\` &lt;h&gt; next");
}

TEST(Escape, TerminalSafeDropsEscapeSequences) {
  EXPECT_EQ(TerminalSafe("red \x1b[31mtext\x1b]0;title\x07 end\r\n"), "red ?[31mtext?]0;title? end  ");
  EXPECT_EQ(TerminalSafe("ok \xc2\x9b c1 \xff"), "ok ? c1 ?");
}

}  // namespace
}  // namespace ddbg
