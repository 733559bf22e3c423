// Log template mining, in the Drain family and written for ddbg: each message is split on
// whitespace, variable tokens (numbers, hex, ids, IPs, paths, URLs, UUIDs, durations, the
// value of key=value…) are masked by shape with no per-source settings, and the masked
// sequence joins the most similar template among those of its length and first token, or
// starts a new one (templates differing by one plain word merge only once three words were
// seen there). One pass, online; MineMessages() spreads the work over threads and
// gives the same ids as one thread. A TemplateMiner is not synchronised: one writer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ddbg::logs {

// The one configuration used for every log source.
struct MinerOptions {
  // A message joins a template when at least this share of its tokens equal the template's
  // tokens at the same positions (positions where the template has "<*>" and the message a
  // constant are left out of the share).
  double similarity = 0.75;
  // Worker threads for MineMessages (0: hardware concurrency).
  int threads = 0;
};

// The part of a raw log line after its header (timestamp, level, host, pid, component…),
// found by shape with no per-source format string. The whole line when no header is seen.
std::string_view StripLogHeader(std::string_view line);

// Splits `message` into whitespace tokens and appends each token's masked form to `out`:
// the token itself when constant, otherwise with its variable part replaced by "<*>"
// ("uid=0" -> "uid=<*>", "[10.0.0.1]" -> "[<*>]", "/var/log/x" -> "<*>").
void MaskMessage(std::string_view message, std::vector<std::string>* out);

struct TemplateInfo {
  uint32_t id = 0;  // 1-based, in order of first appearance
  std::string text;  // tokens joined by one space, variables as "<*>"
  uint64_t count = 0;
};

class TemplateMiner {
 public:
  explicit TemplateMiner(const MinerOptions& options = {});
  ~TemplateMiner();
  TemplateMiner(TemplateMiner&&) noexcept;
  TemplateMiner& operator=(TemplateMiner&&) noexcept;

  // Mines one message (content without its header); returns its template id.
  uint32_t Add(std::string_view message);
  // Mines `messages` in order, spread over options.threads threads; ids[i] is the template
  // of messages[i]. The result does not depend on the number of threads.
  std::vector<uint32_t> MineMessages(const std::vector<std::string_view>& messages);
  // Restores a template mined earlier (from the store) under its id, so that new messages of
  // that shape get the same id. Ids must be added in increasing order before any Add().
  void Restore(uint32_t id, std::string_view text, uint64_t count);

  // Templates can merge later (a position that held a few plain words turns out to hold
  // many): an id then stands for the template that absorbed it. CanonicalId gives that
  // template's id (the id itself when not merged); Template(id) describes it.
  uint32_t CanonicalId(uint32_t id) const;

  size_t size() const;  // ids handed out, merged ones included
  TemplateInfo Template(uint32_t id) const;
  std::vector<TemplateInfo> Templates() const;  // one per template, merged ids left out

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The values of `message` at the template's "<*>" positions, in order ("uid=<*>" against
// "uid=0" gives "0"). Empty when the message does not fit the template's shape.
std::vector<std::string_view> ExtractParams(std::string_view template_text,
                                            std::string_view message);

}  // namespace ddbg::logs
