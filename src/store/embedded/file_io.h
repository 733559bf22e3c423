// POSIX file operations the embedded store is built on: whole and ranged reads, durable
// writes (write + fsync), atomic publication (temp file + fsync + rename + fsync of the
// directory) and an advisory inter-process lock (flock on a LOCK file).
// Every failure comes back as a Status naming the path and the errno text.
// Thread-safety: free functions without shared state; a FileLock belongs to one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/status.h"

namespace ddbg::store {

// "dir/name", without doubling the separator.
std::string JoinPath(const std::string& dir, std::string_view name);

// Reads the whole file into *out.
Status ReadWholeFile(const std::string& path, std::string* out);

// A whole file mapped read-only (no copy: pages come straight from the page cache, and a
// reader that looks at some columns of a segment never touches the others). Only for
// files nobody truncates while they are mapped — the store's immutable segments.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();
  Status Open(const std::string& path);
  std::string_view view() const { return {data_, size_}; }
  size_t size() const { return size_; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};
// Reads up to `n` bytes at `offset`; *out holds fewer bytes when the file is shorter.
Status ReadFileRange(const std::string& path, uint64_t offset, size_t n, std::string* out);
Result<uint64_t> FileSize(const std::string& path);
bool PathExists(const std::string& path);
// mkdir -p.
Status CreateDirectories(const std::string& dir);
Status SyncDirectory(const std::string& dir);
// Names of the entries of `dir` (not "." and "..").
Status ListDirectory(const std::string& dir, std::vector<std::string>* names);
Status RemoveFile(const std::string& path);
Status RenameFile(const std::string& from, const std::string& to);

// A file being written: every Append goes to the end; Sync makes it durable.
class WritableFile {
 public:
  WritableFile() = default;
  WritableFile(const WritableFile&) = delete;
  WritableFile& operator=(const WritableFile&) = delete;
  ~WritableFile();

  // Creates `path`, failing if it exists.
  Status Create(const std::string& path);
  Status Append(std::string_view data);
  Status Sync();
  Status Close();
  uint64_t size() const { return size_; }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// Writes `data` to `path` so that a reader sees either the old file or the complete new one,
// and the new one survives a crash once this returns OK: write a temp file, fsync it,
// rename it over `path`, fsync the directory.
Status WriteFileAtomically(const std::string& dir, const std::string& name, std::string_view data);

// An exclusive flock(2) on `path` (created if missing), held until destruction. Blocks
// until the lock is free. flock locks belong to the open file description, so two
// FileLocks in one process exclude each other too.
class FileLock {
 public:
  FileLock() = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();
  Status Lock(const std::string& path);
  void Unlock();

 private:
  int fd_ = -1;
};

}  // namespace ddbg::store
