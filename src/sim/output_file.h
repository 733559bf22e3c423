// A buffered output file of the simulator: text is appended to an in-memory buffer that is
// written out in large blocks; the first write error is kept and reported by Close().
// Counts records and bytes for the summary. Thread-safety: one owner thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "ddbg/status.h"

namespace ddbg::sim {

class OutputFile {
 public:
  OutputFile() = default;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();

  // Creates (truncates) the file; `flush_bytes` is the buffer size before a write.
  Status Open(const std::string& path, size_t flush_bytes = 4 << 20);
  bool is_open() const { return file_ != nullptr; }
  // The buffer to append to; call Commit() after appending whole records.
  std::string& buffer() { return buffer_; }
  void Commit(uint64_t records) {
    records_ += records;
    if (buffer_.size() >= flush_bytes_) WriteOut();
  }
  Status Close();

  const std::string& path() const { return path_; }
  uint64_t records() const { return records_; }
  uint64_t bytes() const { return bytes_; }

 private:
  void WriteOut();
  std::string path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  size_t flush_bytes_ = 4 << 20;
  uint64_t records_ = 0;
  uint64_t bytes_ = 0;
  Status error_;
};

}  // namespace ddbg::sim
