#include "sim/output_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace ddbg::sim {

OutputFile::~OutputFile() {
  if (file_ != nullptr) std::fclose(file_);
}

Status OutputFile::Open(const std::string& path, size_t flush_bytes) {
  path_ = path;
  flush_bytes_ = flush_bytes;
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) {
    error_ = Status::IOError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
    return error_;
  }
  buffer_.reserve(flush_bytes + flush_bytes / 4);
  return Status::Ok();
}

void OutputFile::WriteOut() {
  if (buffer_.empty()) return;
  if (error_.ok() && file_ != nullptr) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
      error_ = Status::IOError(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
    }
  }
  bytes_ += buffer_.size();
  buffer_.clear();
}

Status OutputFile::Close() {
  WriteOut();
  if (file_ != nullptr) {
    if (std::fclose(file_) != 0 && error_.ok()) {
      error_ = Status::IOError(fmt::format("{}: close failed: {}", path_, std::strerror(errno)));
    }
    file_ = nullptr;
  }
  return error_;
}

}  // namespace ddbg::sim
