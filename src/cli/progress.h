// ProgressLine: a single status line on stderr, redrawn in place, shown only when stderr is
// a terminal (never in pipes, files or CI logs). Redraws are throttled to 10 per second.
// Thread-safety: one thread.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace ddbg::cli {

class ProgressLine {
 public:
  explicit ProgressLine(bool wanted) : enabled_(wanted && isatty(STDERR_FILENO)) {}
  ~ProgressLine() { Clear(); }

  void Update(const std::string& text) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (shown_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    std::string line = text.size() > 110 ? text.substr(0, 107) + "..." : text;
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    shown_ = true;
  }

  void Clear() {
    if (!shown_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    shown_ = false;
  }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace ddbg::cli
