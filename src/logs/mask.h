// Masking of log message tokens, the hot path of template mining: a message is split on
// whitespace and each token hashed in its masked form (variables as "<*>"). A constant token
// is hashed in place; only a token with a variable part is rewritten, into a reusable
// buffer. Internal to src/logs. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ddbg::logs {

// Splits a message into tokens: whitespace-separated words, except that a date written over
// several words ("Sat Jun 25 04:02:17 2005", "Jun 25 04:02:17") and a size with its unit
// ("16.0 MB", "512 KiB") make one token, which masks to one "<*>". Every consumer of message
// tokens (masking, parameter extraction) goes through it, so their positions agree.
class MessageTokenizer {
 public:
  explicit MessageTokenizer(std::string_view message) : s_(message) {}
  // The next token, or false at the end.
  bool Next(std::string_view* token);

 private:
  std::string_view Word(size_t* pos) const;
  size_t DateRunEnd(std::string_view first, size_t after) const;
  size_t UnitRunEnd(std::string_view first, size_t after) const;
  std::string_view s_;
  size_t pos_ = 0;
};

// The hash of the masked token "<*>".
uint64_t WildcardHash();

// Appends the hash of each masked token of `message` to `hashes`. `scratch` is a reusable
// buffer. Returns the number of tokens appended.
size_t MaskHashes(std::string_view message, std::vector<uint64_t>* hashes, std::string* scratch);

// The hash of a masked token's text, consistent with MaskHashes.
uint64_t TokenHash(std::string_view masked_token);

// The masked form of one token: `token` itself when it is constant, else a view of
// `scratch` holding it with its variable part replaced by "<*>".
std::string_view MaskToken(std::string_view token, std::string* scratch);

// The template token covering two different masked tokens: their common prefix up to and
// including its last delimiter ("=:([{<'\"/@,"), "<*>", and their common suffix from a
// delimiter on: "user=root"/"user=bob" -> "user=<*>", "(a.b)"/"()" -> "(<*>)", and "<*>"
// when they share nothing. Equal tokens give the token itself.
std::string GeneralizeToken(std::string_view a, std::string_view b);

}  // namespace ddbg::logs
