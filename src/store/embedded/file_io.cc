#include "store/embedded/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace ddbg::store {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string msg = path + ": " + what + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(std::move(msg));
  return Status::IOError(std::move(msg));
}

int OpenRetry(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// Reads up to n bytes at offset into buf; returns bytes read or -1.
ssize_t PreadFull(int fd, char* buf, size_t n, uint64_t offset) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, buf + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  return static_cast<ssize_t>(done);
}

std::atomic<uint64_t> g_temp_counter{0};

}  // namespace

std::string JoinPath(const std::string& dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string p = dir;
  if (p.back() != '/') p.push_back('/');
  p.append(name);
  return p;
}

// Opens `path` for reading and gives its size; the caller closes *fd.
Status OpenWithSize(const std::string& path, int* fd, size_t* size) {
  *fd = OpenRetry(path.c_str(), O_RDONLY);
  if (*fd < 0) return ErrnoStatus("open", path, errno);
  struct stat st;
  if (::fstat(*fd, &st) != 0) {
    int err = errno;
    ::close(*fd);
    return ErrnoStatus("stat", path, err);
  }
  *size = static_cast<size_t>(st.st_size);
  return Status::Ok();
}

Status ReadWholeFile(const std::string& path, std::string* out) {
  out->clear();
  int fd = -1;
  size_t size = 0;
  DDBG_RETURN_IF_ERROR(OpenWithSize(path, &fd, &size));
  out->resize(size);
  ssize_t n = PreadFull(fd, out->data(), out->size(), 0);
  int err = errno;
  ::close(fd);
  if (n < 0) return ErrnoStatus("read", path, err);
  out->resize(static_cast<size_t>(n));
  return Status::Ok();
}

MappedFile::~MappedFile() {
  if (size_ > 0) ::munmap(const_cast<char*>(data_), size_);
}

Status MappedFile::Open(const std::string& path) {
  int fd = -1;
  size_t size = 0;
  DDBG_RETURN_IF_ERROR(OpenWithSize(path, &fd, &size));
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("mmap", path, err);
    }
    data_ = static_cast<const char*>(p);
    size_ = size;
  }
  ::close(fd);
  return Status::Ok();
}

Status ReadFileRange(const std::string& path, uint64_t offset, size_t n, std::string* out) {
  out->clear();
  int fd = OpenRetry(path.c_str(), O_RDONLY);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  out->resize(n);
  ssize_t got = PreadFull(fd, out->data(), n, offset);
  int err = errno;
  ::close(fd);
  if (got < 0) return ErrnoStatus("read", path, err);
  out->resize(static_cast<size_t>(got));
  return Status::Ok();
}

Result<uint64_t> FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
  return static_cast<uint64_t>(st.st_size);
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Status CreateDirectories(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("empty directory name");
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    partial = dir.substr(0, pos);
    if (partial.empty() || partial == "/") continue;
    if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus("mkdir", partial, errno);
    }
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return ErrnoStatus("stat", dir, errno);
  if (!S_ISDIR(st.st_mode)) return Status::IOError(dir + ": not a directory");
  return Status::Ok();
}

Status SyncDirectory(const std::string& dir) {
  int fd = OpenRetry(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return ErrnoStatus("open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync directory", dir, err);
  return Status::Ok();
}

Status ListDirectory(const std::string& dir, std::vector<std::string>* names) {
  names->clear();
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus("opendir", dir, errno);
  while (struct dirent* e = ::readdir(d)) {
    std::string_view n(e->d_name);
    if (n == "." || n == "..") continue;
    names->emplace_back(n);
  }
  ::closedir(d);
  return Status::Ok();
}

Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path, errno);
  return Status::Ok();
}

Status RenameFile(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("rename to " + to, from, errno);
  return Status::Ok();
}

WritableFile::~WritableFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status WritableFile::Create(const std::string& path) {
  path_ = path;
  size_ = 0;
  fd_ = OpenRetry(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd_ < 0) return ErrnoStatus("create", path, errno);
  return Status::Ok();
}

Status WritableFile::Append(std::string_view data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t w = ::write(fd_, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path_, errno);
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  size_ += data.size();
  return Status::Ok();
}

Status WritableFile::Sync() {
  if (::fsync(fd_) != 0) return ErrnoStatus("fsync", path_, errno);
  return Status::Ok();
}

Status WritableFile::Close() {
  if (fd_ < 0) return Status::Ok();
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return ErrnoStatus("close", path_, errno);
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& dir, const std::string& name, std::string_view data) {
  std::string tmp = JoinPath(dir, name + ".tmp-" + std::to_string(::getpid()) + "-" +
                                      std::to_string(g_temp_counter.fetch_add(1)));
  WritableFile f;
  Status st = f.Create(tmp);
  if (st.ok()) st = f.Append(data);
  if (st.ok()) st = f.Sync();
  if (st.ok()) st = f.Close();
  if (st.ok()) st = RenameFile(tmp, JoinPath(dir, name));
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return SyncDirectory(dir);
}

FileLock::~FileLock() { Unlock(); }

Status FileLock::Lock(const std::string& path) {
  Unlock();
  fd_ = OpenRetry(path.c_str(), O_RDWR | O_CREAT, 0644);
  if (fd_ < 0) return ErrnoStatus("open lock file", path, errno);
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd_);
    fd_ = -1;
    return ErrnoStatus("flock", path, err);
  }
  return Status::Ok();
}

void FileLock::Unlock() {
  if (fd_ < 0) return;
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace ddbg::store
