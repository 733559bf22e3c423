// Masking of log message tokens, the hot path of template mining: a message is split on
// whitespace and each token hashed in its masked form (variables as "<*>"), without
// allocating. Internal to src/logs. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ddbg::logs {

// The hash of the masked token "<*>".
uint64_t WildcardHash();

// Clears `hashes` and appends the hash of each masked token of `message`. `scratch` is a
// reusable buffer. Returns the number of tokens.
size_t MaskHashes(std::string_view message, std::vector<uint64_t>* hashes, std::string* scratch);

// The hash of a masked token's text, consistent with MaskHashes.
uint64_t TokenHash(std::string_view masked_token);

// Appends the masked form of one token to `out`.
void AppendMaskedToken(std::string_view token, std::string* out);

}  // namespace ddbg::logs
