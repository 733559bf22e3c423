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

}  // namespace ddbg::logs
