#include "server/wal.h"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "store/embedded/file_io.h"

namespace ddbg::server {
namespace {

// Record: u32 body length, u8 type, u64 lsn, u64 XXH64 of the 13 bytes before it and the
// body, then the body.
constexpr size_t kHeaderBytes = 4 + 1 + 8 + 8;
constexpr uint32_t kMaxBodyBytes = 1u << 30;

void PutU32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }
void PutU64(char* p, uint64_t v) { std::memcpy(p, &v, 8); }
uint32_t GetU32(const char* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
uint64_t GetU64(const char* p) { uint64_t v; std::memcpy(&v, p, 8); return v; }

uint64_t RecordChecksum(const char* header13, std::string_view body) {
  XXH64_state_t* st = XXH64_createState();
  XXH64_reset(st, 0);
  XXH64_update(st, header13, 13);
  XXH64_update(st, body.data(), body.size());
  uint64_t h = XXH64_digest(st);
  XXH64_freeState(st);
  return h;
}

void EncodeRecord(uint64_t lsn, WalRecordType type, std::string_view body, std::string* out) {
  char h[kHeaderBytes];
  PutU32(h, static_cast<uint32_t>(body.size()));
  h[4] = static_cast<char>(type);
  PutU64(h + 5, lsn);
  PutU64(h + 13, RecordChecksum(h, body));
  out->append(h, kHeaderBytes);
  out->append(body);
}

std::string FileNameFor(uint64_t first_lsn) {
  char name[48];
  std::snprintf(name, sizeof(name), "wal-%020llu.log", static_cast<unsigned long long>(first_lsn));
  return name;
}

bool ParseFileName(const std::string& name, uint64_t* first_lsn) {
  if (name.size() != 28 || name.rfind("wal-", 0) != 0 || name.substr(24) != ".log") return false;
  uint64_t v = 0;
  for (size_t i = 4; i < 24; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *first_lsn = v;
  return true;
}

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

}  // namespace

bool IsValidWalRecordType(uint8_t t) { return t >= 1 && t <= 4; }

Wal::Wal(std::string dir, uint64_t max_file_bytes)
    : dir_(std::move(dir)), max_file_bytes_(max_file_bytes) {}

Result<std::unique_ptr<Wal>> Wal::Open(const std::string& dir, uint64_t max_file_bytes) {
  DDBG_RETURN_IF_ERROR(store::CreateDirectories(dir));
  std::unique_ptr<Wal> wal(new Wal(dir, max_file_bytes));
  std::vector<std::string> names;
  DDBG_RETURN_IF_ERROR(store::ListDirectory(dir, &names));
  for (const std::string& n : names) {
    WalFile f;
    if (!ParseFileName(n, &f.first_lsn)) continue;
    f.path = store::JoinPath(dir, n);
    wal->files_.push_back(f);
  }
  std::sort(wal->files_.begin(), wal->files_.end(),
            [](const WalFile& a, const WalFile& b) { return a.first_lsn < b.first_lsn; });
  return wal;
}

Wal::~Wal() { Close(); }

Status Wal::Replay(uint64_t after, const ReplayFn& fn) {
  uint64_t max_lsn = after;
  for (WalFile& f : files_) {
    std::string bytes;
    DDBG_RETURN_IF_ERROR(store::ReadWholeFile(f.path, &bytes));
    size_t pos = 0;
    while (pos + kHeaderBytes <= bytes.size()) {
      const char* h = bytes.data() + pos;
      uint32_t len = GetU32(h);
      uint8_t type = static_cast<uint8_t>(h[4]);
      uint64_t lsn = GetU64(h + 5);
      if (len > kMaxBodyBytes || pos + kHeaderBytes + len > bytes.size() ||
          !IsValidWalRecordType(type)) {
        break;
      }
      std::string_view body(h + kHeaderBytes, len);
      if (GetU64(h + 13) != RecordChecksum(h, body) || lsn <= f.last_lsn) break;
      if (lsn > after) DDBG_RETURN_IF_ERROR(fn(lsn, static_cast<WalRecordType>(type), body));
      f.last_lsn = lsn;
      max_lsn = std::max(max_lsn, lsn);
      pos += kHeaderBytes + len;
    }
    if (pos < bytes.size() && ::truncate(f.path.c_str(), static_cast<off_t>(pos)) != 0) {
      return Errno(f.path + ": cannot cut the torn tail");
    }
    f.bytes = pos;
    stats_.bytes += pos;
  }
  stats_.files = files_.size();
  next_lsn_ = max_lsn + 1;
  durable_lsn_ = max_lsn;
  writer_ = std::thread([this] { WriterLoop(); });
  return Status::Ok();
}

Result<uint64_t> Wal::Append(WalRecordType type, std::string_view body) {
  std::unique_lock<std::mutex> l(mu_);
  if (!failed_.ok()) return failed_;
  if (closing_ || !writer_.joinable()) return Status::Internal("WAL is not open for appends");
  uint64_t lsn = next_lsn_++;
  if (pending_.empty()) pending_first_lsn_ = lsn;
  EncodeRecord(lsn, type, body, &pending_);
  work_cv_.notify_one();
  durable_cv_.wait(l, [&] { return durable_lsn_ >= lsn || !failed_.ok(); });
  if (durable_lsn_ >= lsn) return lsn;
  return failed_;
}

void Wal::WriterLoop() {
  std::string batch;
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    work_cv_.wait(l, [&] { return !pending_.empty() || closing_; });
    if (pending_.empty()) return;
    batch.swap(pending_);
    pending_.clear();
    uint64_t first = pending_first_lsn_;
    uint64_t last = next_lsn_ - 1;
    l.unlock();
    Status st = WriteAndSync(batch, first, last);
    l.lock();
    if (st.ok()) {
      durable_lsn_ = last;
      stats_.appended_bytes += batch.size();
      ++stats_.syncs;
    } else {
      failed_ = st;
    }
    batch.clear();
    durable_cv_.notify_all();
    if (!failed_.ok()) return;
  }
}

Status Wal::OpenFileFor(uint64_t first_lsn) {
  if (fd_ >= 0) ::close(fd_);
  WalFile f;
  f.first_lsn = first_lsn;
  f.path = store::JoinPath(dir_, FileNameFor(first_lsn));
  fd_ = ::open(f.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return Errno(f.path);
  DDBG_RETURN_IF_ERROR(store::SyncDirectory(dir_));
  std::lock_guard<std::mutex> l(mu_);
  files_.push_back(f);
  ++stats_.files;
  return Status::Ok();
}

Status Wal::WriteAndSync(const std::string& bytes, uint64_t first_lsn, uint64_t last_lsn) {
  bool rotate = fd_ < 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    rotate = rotate || files_.back().bytes >= max_file_bytes_;
  }
  if (rotate) DDBG_RETURN_IF_ERROR(OpenFileFor(first_lsn));
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("WAL write");
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fdatasync(fd_) != 0) return Errno("WAL fdatasync");
  std::lock_guard<std::mutex> l(mu_);
  files_.back().bytes += bytes.size();
  files_.back().last_lsn = last_lsn;
  stats_.bytes += bytes.size();
  return Status::Ok();
}

void Wal::ReleaseUpTo(uint64_t lsn) {
  std::vector<std::string> doomed;
  {
    std::lock_guard<std::mutex> l(mu_);
    // Never the file being written (the last one): it may still receive records.
    while (files_.size() > 1 && files_.front().last_lsn <= lsn) {
      doomed.push_back(files_.front().path);
      stats_.bytes -= files_.front().bytes;
      --stats_.files;
      files_.pop_front();
    }
  }
  for (const std::string& p : doomed) ::unlink(p.c_str());
}

void Wal::Close() {
  {
    std::lock_guard<std::mutex> l(mu_);
    closing_ = true;
  }
  work_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

WalStats Wal::Stats() const {
  std::lock_guard<std::mutex> l(mu_);
  return stats_;
}

}  // namespace ddbg::server
