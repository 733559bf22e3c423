// Log patterns over a store: per template, how often it occurred, at which severities, when
// first and last, in which services, with an example line; and the difference between two
// time windows (templates new, vanished, or whose rate changed significantly).
// Records stored without a template id are mined on the fly against the stored table.
// Thread-safety: functions of their arguments; the store does its own locking.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ddbg/store.h"

namespace ddbg::logs {

struct PatternStats {
  uint32_t template_id = 0;
  std::string text;
  uint64_t count = 0;
  // Records per severity class: unset, trace, debug, info, warn, error, fatal.
  std::array<uint64_t, 7> by_severity{};
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
  std::string example;
  std::vector<std::string> services;  // sorted
};

// Templates of the records within `filter` (time and services), most frequent first.
Result<std::vector<PatternStats>> CollectPatterns(Store& store, const ScanFilter& filter);

enum class PatternChangeKind : uint8_t { kNew, kSpiking, kDropping, kVanished };
const char* PatternChangeName(PatternChangeKind kind);  // "new", "spiking", "dropping", "vanished"

struct PatternChange {
  PatternChangeKind kind;
  PatternStats baseline;  // count 0 when new
  PatternStats target;    // count 0 when vanished
  double baseline_rate = 0;  // per minute
  double target_rate = 0;
  double score = 0;  // |z| of the target count against the baseline rate (Poisson)
};

// Both windows must be bounded. A template is new when absent from the baseline, vanished
// when absent from the target although the baseline rate predicts at least 3 records,
// spiking/dropping when the rate changed at least 2x and |z| >= 3. Ranked: new (by count),
// spiking, dropping, vanished (by score).
Result<std::vector<PatternChange>> DiffPatterns(Store& store, const ScanFilter& baseline,
                                                const ScanFilter& target);

}  // namespace ddbg::logs
