// A literal prefilter for a log rule set: from each rule's regex, RE2's FilteredRE2 derives
// the literal strings ("atoms", lowercase) a matching text must contain; the prefilter keeps
// for each rule a minimal set of them such that every match contains at least one, and
// rejects an ASCII message that contains none of any rule. Rejected messages match no rule,
// so the regex set runs only on the few messages left (the prefilter never changes which
// rules match). Messages with non-ASCII bytes always pass (Unicode case folding is left to
// RE2), and so does every message when some rule yields no literal.
// Thread-safety: immutable after Build; MayMatch may be called from any thread.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ddbg::logs {

class RulePrefilter {
 public:
  // `regexes` must each compile with RE2.
  static RulePrefilter Build(const std::vector<std::string>& regexes);
  // False only when no regex of the set can match `message`.
  bool MayMatch(std::string_view message) const;
  // The literals one of which every match of some rule contains (empty when disabled).
  const std::vector<std::string>& literals() const { return literals_; }
  bool enabled() const { return enabled_; }

 private:
  struct Probe {
    uint32_t literal;
    uint32_t offset;  // of the probed trigram within the literal
  };
  void Index(std::string literal);
  bool Verify(std::string_view message, size_t at, uint32_t hash) const;

  bool enabled_ = false;
  size_t stride_ = 1;  // positions probed: every stride_-th (literals are >= stride_ + 2 long)
  std::vector<std::string> literals_;
  std::bitset<1 << 16> trigrams_;                      // hashes of the probed trigrams
  std::vector<std::pair<uint32_t, Probe>> probes_;  // by trigram hash, sorted
};

}  // namespace ddbg::logs
