// Mining + masking throughput: streams N lines (default 10M) built by cycling through the raw
// lines of the Loghub-2k samples with every digit replaced by a pseudo-random one (so no two
// repetitions are byte-identical), in chunks of 250k lines that reuse one buffer: each chunk is
// generated (not timed), its lines' headers set aside, and its messages mined by one miner
// that lives across chunks (ids are the same as for one call over all lines). Prints lines/s
// of each stage and peak RSS.
// Usage: logmine_throughput_bench [LOGHUB2K_DIR] [LINES] [THREADS]
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "ddbg/logmine.h"
#include "logs/loghub_accuracy.h"

namespace {

constexpr size_t kChunk = 250'000;

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// A fast deterministic digit source (xorshift), so that generation stays cheap.
class Digits {
 public:
  char Next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return static_cast<char>('0' + (state_ >> 32) % 10);
  }

 private:
  uint64_t state_ = 42;
};

// Fills `buffer` and `lines` with lines [first, first + count) of the stream.
void Generate(const std::vector<std::string>& samples, size_t first, size_t count, Digits* digits,
              std::string* buffer, std::vector<std::string_view>* lines) {
  buffer->clear();
  std::vector<size_t> ends;
  for (size_t i = first; i < first + count; ++i) {
    for (char c : samples[i % samples.size()]) {
      buffer->push_back(c >= '0' && c <= '9' ? digits->Next() : c);
    }
    ends.push_back(buffer->size());
  }
  lines->clear();
  size_t at = 0;
  for (size_t end : ends) {
    lines->emplace_back(buffer->data() + at, end - at);
    at = end;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : "../shared/data/loghub2k";
  size_t total = argc > 2 ? std::stoull(argv[2]) : 10'000'000;
  int threads = argc > 3 ? std::stoi(argv[3]) : 0;
  std::vector<std::string> samples;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (!e.is_directory()) continue;
    std::string s = e.path().filename().string();
    auto lines = ddbg::logs::ReadTextLines(e.path().string() + "/" + s + "_2k.log");
    if (lines.ok()) samples.insert(samples.end(), lines->begin(), lines->end());
  }
  if (samples.empty()) {
    fmt::print(stderr, "no samples under {}\n", dir);
    return 1;
  }
  ddbg::logs::TemplateMiner miner({.threads = threads});
  Digits digits;
  std::string buffer;
  std::vector<std::string_view> lines, messages;
  double header_s = 0, mine_s = 0, bytes = 0;
  uint64_t id_sum = 0;
  for (size_t first = 0; first < total; first += kChunk) {
    Generate(samples, first, std::min(kChunk, total - first), &digits, &buffer, &lines);
    bytes += buffer.size();
    auto t0 = Clock::now();
    messages.resize(lines.size());
    for (size_t i = 0; i < lines.size(); ++i) messages[i] = ddbg::logs::StripLogHeader(lines[i]);
    auto t1 = Clock::now();
    for (uint32_t id : miner.MineMessages(messages)) id_sum += id;
    auto t2 = Clock::now();
    header_s += Seconds(t0, t1);
    mine_s += Seconds(t1, t2);
  }
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  unsigned used = threads == 0 ? std::thread::hardware_concurrency() : threads;
  fmt::print("lines {}  bytes {:.1f} MB  templates {}  id checksum {}\n", total, bytes / 1e6,
             miner.size(), id_sum);
  fmt::print("header detection (1 thread): {:.2f}s  {:.0f} lines/s\n", header_s, total / header_s);
  fmt::print("masking + mining ({} threads): {:.2f}s  {:.0f} lines/s\n", used, mine_s,
             total / mine_s);
  fmt::print("header + masking + mining: {:.0f} lines/s\n", total / (header_s + mine_s));
  fmt::print("peak RSS {:.0f} MB (chunk buffer {:.0f} MB)\n", ru.ru_maxrss / 1024.0,
             buffer.capacity() / 1e6);
  return miner.size() == 0 ? 1 : 0;
}
