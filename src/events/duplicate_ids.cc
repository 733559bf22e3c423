#include "events/duplicate_ids.h"

#include <algorithm>
#include <thread>

namespace ddbg::events {
namespace {

constexpr int kPartitionBits = 8;
constexpr size_t kPartitions = size_t{1} << kPartitionBits;

struct Entry {
  uint64_t hash;
  uint64_t seq;
};

size_t PartitionOf(uint64_t h) { return static_cast<size_t>(h >> (64 - kPartitionBits)); }

// Entries of one partition in seq order; appends the duplicates to *out.
void FindInPartition(const Entry* begin, const Entry* end, std::vector<DuplicateId>* out) {
  size_t n = static_cast<size_t>(end - begin);
  size_t slots = 16;
  while (slots < n * 2) slots *= 2;
  std::vector<Entry> table(slots, Entry{0, 0});
  size_t mask = slots - 1;
  for (const Entry* e = begin; e != end; ++e) {
    for (size_t i = e->hash & mask;; i = (i + 1) & mask) {
      if (table[i].hash == 0) {
        table[i] = *e;
        break;
      }
      if (table[i].hash == e->hash) {
        out->push_back({e->seq, table[i].seq});
        break;
      }
    }
  }
}

}  // namespace

std::vector<DuplicateId> FindDuplicateIds(const std::vector<const std::vector<uint64_t>*>& lists) {
  std::vector<size_t> start(kPartitions + 1, 0);
  for (const auto* l : lists) {
    for (uint64_t h : *l) {
      if (h != 0) ++start[PartitionOf(h) + 1];
    }
  }
  for (size_t p = 0; p < kPartitions; ++p) start[p + 1] += start[p];
  std::vector<Entry> entries(start.back());
  std::vector<size_t> fill(start.begin(), start.end() - 1);
  uint64_t seq = 0;
  for (const auto* l : lists) {
    for (uint64_t h : *l) {
      if (h != 0) entries[fill[PartitionOf(h)]++] = Entry{h, seq};
      ++seq;
    }
  }
  // Two halves of the partitions on two threads.
  std::vector<DuplicateId> found[2];
  auto run = [&](int half) {
    for (size_t p = half; p < kPartitions; p += 2) {
      FindInPartition(entries.data() + start[p], entries.data() + start[p + 1], &found[half]);
    }
  };
  std::thread helper(run, 1);
  run(0);
  helper.join();
  found[0].insert(found[0].end(), found[1].begin(), found[1].end());
  std::sort(found[0].begin(), found[0].end(),
            [](const DuplicateId& a, const DuplicateId& b) { return a.seq < b.seq; });
  return std::move(found[0]);
}

}  // namespace ddbg::events
