// The server's write-ahead log: every accepted OTLP request body is appended here and made
// durable (fdatasync) before the request is acknowledged. Appends from many threads are
// group-committed: one writer thread writes everything queued since its last sync with one
// write and one fdatasync, then wakes every appender it covered. Records carry increasing
// sequence numbers (LSNs); files wal-<first lsn>.log are rotated at a size limit and deleted
// once the store holds everything in them (see docs/http-api.md, "Durability").
// Thread-safety: Append from any number of threads; Replay before the first Append.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ddbg/status.h"

namespace ddbg::server {

// What a record holds: an OTLP export request body, decompressed, in one encoding.
enum class WalRecordType : uint8_t {
  kTracesProto = 1,
  kTracesJson = 2,
  kLogsProto = 3,
  kLogsJson = 4,
};
bool IsValidWalRecordType(uint8_t t);

struct WalStats {
  uint64_t bytes = 0;          // bytes in the WAL files now
  uint64_t files = 0;
  uint64_t appended_bytes = 0;  // since start
  uint64_t syncs = 0;           // fdatasync calls since start (group commits)
};

class Wal {
 public:
  // Opens (creating) the WAL directory. Nothing is written until Append.
  static Result<std::unique_ptr<Wal>> Open(const std::string& dir, uint64_t max_file_bytes);
  ~Wal();

  using ReplayFn = std::function<Status(uint64_t lsn, WalRecordType type, std::string_view body)>;
  // Calls `fn` for every intact record with lsn > `after`, in order. A torn tail (a record
  // cut short by a crash, or failing its checksum) ends its file: the file is truncated
  // there, since nothing after it was ever acknowledged. Sets the next LSN to hand out.
  Status Replay(uint64_t after, const ReplayFn& fn);

  // Appends one record and returns its LSN once it is durable, or the write error.
  Result<uint64_t> Append(WalRecordType type, std::string_view body);

  // Deletes files whose records all have lsn <= `lsn` (they are in the store).
  void ReleaseUpTo(uint64_t lsn);
  // Flushes, syncs and stops the writer thread. Further appends fail.
  void Close();
  WalStats Stats() const;

 private:
  explicit Wal(std::string dir, uint64_t max_file_bytes);
  void WriterLoop();
  Status WriteAndSync(const std::string& bytes, uint64_t first_lsn, uint64_t last_lsn);
  Status OpenFileFor(uint64_t first_lsn);

  struct WalFile {
    uint64_t first_lsn = 0;
    uint64_t last_lsn = 0;  // 0 when empty
    uint64_t bytes = 0;
    std::string path;
  };

  const std::string dir_;
  const uint64_t max_file_bytes_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;     // the writer waits for records
  std::condition_variable durable_cv_;  // appenders wait for their sync
  std::string pending_;                 // encoded records not yet written
  uint64_t pending_first_lsn_ = 0;
  uint64_t next_lsn_ = 1;
  uint64_t durable_lsn_ = 0;
  Status failed_;  // sticky write error: the WAL refuses further appends
  bool closing_ = false;
  std::deque<WalFile> files_;  // guarded by mu_; the last one is being written
  int fd_ = -1;                // only the writer thread touches it after Open
  WalStats stats_;
  std::thread writer_;
};

}  // namespace ddbg::server
