#include "events/integrity_part.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>

#include "util/time_format.h"

namespace ddbg::events {
namespace {

constexpr uint32_t kUnseen = UINT32_MAX;
constexpr uint32_t kSkipped = UINT32_MAX - 1;

class PartBuilder {
 public:
  PartBuilder(const EventColumns& cols, const PartOptions& options, SegmentFacts& facts)
      : cols_(cols), options_(options), facts_(facts), stream_local_(cols.dict.size(), kUnseen) {}

  IntegrityPart Build() {
    part_.row_stream.reserve(cols_.rows);
    part_.version.reserve(cols_.rows);
    part_.time_ns.reserve(cols_.rows);
    part_.id_hash.reserve(cols_.rows);
    for (size_t i = 0; i < cols_.rows; ++i) {
      uint32_t local = Local(cols_.stream[i]);
      if (local == kSkipped) continue;
      AddRow(i, local);
    }
    return std::move(part_);
  }

 private:
  uint32_t Local(StrId stream) {
    uint32_t& local = stream_local_[stream];
    if (local != kUnseen) return local;
    std::string_view name = cols_.dict[stream];
    const std::vector<std::string>* wanted = options_.wanted;
    if (wanted != nullptr && !wanted->empty() &&
        !std::binary_search(wanted->begin(), wanted->end(), name)) {
      return local = kSkipped;
    }
    part_.streams.push_back(name);
    part_.stream_hashes.push_back(facts_.StreamHash(stream));
    return local = static_cast<uint32_t>(part_.streams.size() - 1);
  }

  void AddRow(size_t i, uint32_t local) {
    uint32_t row = static_cast<uint32_t>(part_.rows());
    part_.row_stream.push_back(local);
    part_.version.push_back(cols_.version[i]);
    int64_t t = cols_.time_ns[i];
    part_.time_ns.push_back(t);
    std::string_view id = cols_.dict[cols_.event_id[i]];
    part_.id_hash.push_back(id.empty() ? 0 : EventIdHash(id));
    if (!facts_.PayloadValid(cols_.payload[i])) {
      std::string_view text = cols_.dict[cols_.payload[i]];
      part_.issues.push_back({row, IntegrityIssueKind::kInvalidPayload,
                              fmt::format("payload is not valid JSON: {}{}", text.substr(0, 60),
                                          text.size() > 60 ? "…" : "")});
    }
    if (t > options_.future_after_ns) {
      part_.issues.push_back({row, IntegrityIssueKind::kFutureTimestamp,
                              fmt::format("timestamp {} is {} in the future", FormatRfc3339(t),
                                          FormatDuration(t - options_.future_after_ns))});
    } else if (t < options_.ancient_before_ns) {
      part_.issues.push_back({row, IntegrityIssueKind::kAncientTimestamp,
                              fmt::format("timestamp {} is more than 10 years old",
                                          FormatRfc3339(t))});
    }
  }

  const EventColumns& cols_;
  const PartOptions& options_;
  SegmentFacts& facts_;
  std::vector<uint32_t> stream_local_;  // dict id -> local stream, kUnseen, kSkipped
  IntegrityPart part_;
};

}  // namespace

uint64_t EventIdHash(std::string_view id) {
  uint64_t h = XXH3_64bits(id.data(), id.size());
  return h == 0 ? 1 : h;
}

IntegrityPart ExtractIntegrityPart(const EventColumns& cols, const PartOptions& options,
                                   SegmentFacts& facts) {
  return PartBuilder(cols, options, facts).Build();
}

}  // namespace ddbg::events
