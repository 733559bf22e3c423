// Runs a set of independent jobs (encoding or decoding the columns of one segment) on a
// few threads: the calling thread plus up to threads-1 helpers started for the call.
// Jobs are taken in order from a shared counter, so put the largest first.
// Thread-safety: `fn` is called concurrently with different job indexes; `worker`
// (0..threads-1) lets it use per-thread scratch state without locking.
#pragma once

#include <cstddef>
#include <functional>

namespace ddbg::store {

// min(hardware threads, 4), at least 1.
int DefaultWorkerCount();

void RunJobs(size_t jobs, int threads, const std::function<void(size_t job, int worker)>& fn);

}  // namespace ddbg::store
