#include "store/embedded/job_runner.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace ddbg::store {

int DefaultWorkerCount() {
  unsigned hw = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(hw, 1u, 4u));
}

void RunJobs(size_t jobs, int threads, const std::function<void(size_t job, int worker)>& fn) {
  threads = std::max(1, std::min<int>(threads, static_cast<int>(jobs)));
  std::atomic<size_t> next{0};
  auto loop = [&](int worker) {
    for (size_t j = next.fetch_add(1); j < jobs; j = next.fetch_add(1)) fn(j, worker);
  };
  std::vector<std::thread> helpers;
  helpers.reserve(static_cast<size_t>(threads - 1));
  for (int w = 1; w < threads; ++w) {
    try {
      helpers.emplace_back(loop, w);
    } catch (const std::system_error&) {
      break;  // no more threads available: the ones running share the jobs
    }
  }
  loop(0);
  for (std::thread& t : helpers) t.join();
}

}  // namespace ddbg::store
