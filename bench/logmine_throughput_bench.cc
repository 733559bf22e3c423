// Mining + masking throughput: builds N lines (default 10M) by cycling through the raw lines
// of the Loghub-2k samples with every digit replaced by a pseudo-random one (so no two
// repetitions are byte-identical), sets aside each line's header, and mines them with the
// default configuration. Prints lines/s and peak RSS.
// Usage: logmine_throughput_bench [LOGHUB2K_DIR] [LINES] [THREADS]
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "ddbg/logmine.h"
#include "logs/loghub_accuracy.h"

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
  std::string buffer;
  std::vector<std::pair<size_t, size_t>> spans;
  std::mt19937_64 rng(42);
  for (size_t i = 0; i < total; ++i) {
    const std::string& s = samples[i % samples.size()];
    size_t at = buffer.size();
    for (char c : s) buffer += (c >= '0' && c <= '9') ? static_cast<char>('0' + rng() % 10) : c;
    spans.emplace_back(at, s.size());
  }
  std::vector<std::string_view> lines;
  lines.reserve(total);
  for (auto [at, n] : spans) lines.emplace_back(buffer.data() + at, n);

  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string_view> messages(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) messages[i] = ddbg::logs::StripLogHeader(lines[i]);
  auto t1 = std::chrono::steady_clock::now();
  ddbg::logs::TemplateMiner miner({.threads = threads});
  std::vector<uint32_t> ids = miner.MineMessages(messages);
  auto t2 = std::chrono::steady_clock::now();
  double header_s = std::chrono::duration<double>(t1 - t0).count();
  double mine_s = std::chrono::duration<double>(t2 - t1).count();
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  fmt::print("lines {}  bytes {:.1f} MB  templates {}\n", total, buffer.size() / 1e6, miner.size());
  fmt::print("header detection (1 thread): {:.2f}s  {:.0f} lines/s\n", header_s, total / header_s);
  fmt::print("masking + mining ({} threads): {:.2f}s  {:.0f} lines/s\n",
             threads == 0 ? std::thread::hardware_concurrency() : threads, mine_s, total / mine_s);
  fmt::print("peak RSS {:.0f} MB (input buffer {:.0f} MB)\n", ru.ru_maxrss / 1024.0, buffer.size() / 1e6);
  return ids.empty() ? 1 : 0;
}
