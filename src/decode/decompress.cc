// Reading input files and transparently undoing gzip (any number of members) and zstd (any
// number of frames, with or without a content size), recognised by their magic bytes.
#include <fmt/format.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include "ddbg/decode.h"

namespace ddbg {
namespace {

constexpr size_t kMinChunk = 64 << 10;

bool IsGzip(std::string_view d) {
  return d.size() >= 2 && static_cast<uint8_t>(d[0]) == 0x1f && static_cast<uint8_t>(d[1]) == 0x8b;
}

bool IsZstd(std::string_view d) {
  return d.size() >= 4 && static_cast<uint8_t>(d[0]) == 0x28 &&
         static_cast<uint8_t>(d[1]) == 0xb5 && static_cast<uint8_t>(d[2]) == 0x2f &&
         static_cast<uint8_t>(d[3]) == 0xfd;
}

// Makes room after `used` once the output is full, growing geometrically (the first size is
// the expected output plus one byte, so an exact hint never grows).
void Grow(std::string* out, size_t used) {
  if (out->size() == used) out->resize(std::max(out->size() * 2, used + kMinChunk));
}

// The size hint of a gzip stream: ISIZE of the last member (exact for one member < 4 GiB),
// trusted only when it is not absurd for the compressed size.
size_t GzipSizeHint(std::string_view in) {
  if (in.size() < 18) return in.size() * 4;
  const auto* p = reinterpret_cast<const uint8_t*>(in.data() + in.size() - 4);
  size_t isize = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<size_t>(p[3]) << 24);
  if (isize < in.size() / 2 || isize / 1032 > in.size()) return in.size() * 4;
  return isize;
}

Result<std::string> Gunzip(std::string_view in) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return Status::Internal("inflateInit2 failed");
  std::string out;
  out.resize(GzipSizeHint(in) + 1);
  size_t used = 0;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  size_t in_left = in.size();
  Status error;
  bool member_done = false;
  while (true) {
    Grow(&out, used);
    // zlib counts in uInt; feed at most 1 GiB at a time.
    uInt in_chunk = static_cast<uInt>(std::min<size_t>(in_left, 1u << 30));
    uInt out_chunk = static_cast<uInt>(std::min<size_t>(out.size() - used, 1u << 30));
    zs.avail_in = in_chunk;
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    zs.avail_out = out_chunk;
    int rc = inflate(&zs, Z_NO_FLUSH);
    in_left -= in_chunk - zs.avail_in;
    used += out_chunk - zs.avail_out;
    if (rc == Z_STREAM_END) {
      member_done = true;
      // Another member may follow (concatenated gzip files); padding zeros are ignored.
      std::string_view rest(reinterpret_cast<const char*>(zs.next_in), in_left);
      if (IsGzip(rest)) {
        inflateReset(&zs);
        member_done = false;
        continue;
      }
      if (rest.find_first_not_of('\0') != std::string_view::npos) {
        error = Status::Corruption(
            fmt::format("unexpected {} bytes after the end of the gzip stream (after {} bytes)",
                        rest.size(), used));
      }
      break;
    }
    if (rc == Z_BUF_ERROR && in_left == 0) break;  // input ended inside a member
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      error = Status::Corruption(fmt::format("corrupt gzip stream after {} bytes: {}", used,
                                             zs.msg ? zs.msg : "inflate failed"));
      break;
    }
    if (in_left == 0 && zs.avail_out != 0) break;  // all input consumed, member unfinished
    if (rc == Z_BUF_ERROR && zs.avail_in == in_chunk && zs.avail_out == out_chunk) {
      break;  // no progress possible: treated as truncated
    }
  }
  inflateEnd(&zs);
  if (!error.ok()) return error;
  if (!member_done) {
    return Status::Corruption(fmt::format("truncated gzip stream after {} bytes", used));
  }
  out.resize(used);
  return out;
}

Result<std::string> Unzstd(std::string_view in) {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (dctx == nullptr) return Status::Internal("ZSTD_createDCtx failed");
  std::string out;
  unsigned long long content = ZSTD_getFrameContentSize(in.data(), in.size());
  size_t hint = in.size() * 4;
  if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != ZSTD_CONTENTSIZE_ERROR &&
      content / 4096 <= in.size()) {
    hint = static_cast<size_t>(content);
  }
  out.resize(hint + 1);
  size_t used = 0;
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t last = 0;
  Status error;
  while (true) {
    Grow(&out, used);
    ZSTD_outBuffer output{out.data() + used, out.size() - used, 0};
    last = ZSTD_decompressStream(dctx, &output, &input);
    used += output.pos;
    if (ZSTD_isError(last)) {
      error = Status::Corruption(
          fmt::format("corrupt zstd stream after {} bytes: {}", used, ZSTD_getErrorName(last)));
      break;
    }
    // Done when all input is consumed and the decoder holds nothing more to write.
    if (input.pos == input.size && output.pos < output.size) break;
  }
  ZSTD_freeDCtx(dctx);
  if (!error.ok()) return error;
  if (last != 0) {
    return Status::Corruption(fmt::format("truncated zstd stream after {} bytes", used));
  }
  out.resize(used);
  return out;
}

}  // namespace

Result<std::string> MaybeDecompress(std::string data) {
  if (IsGzip(data)) return Gunzip(data);
  if (IsZstd(data)) return Unzstd(data);
  return data;
}

Result<std::string> ReadFileDecompressed(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    int err = errno;
    std::string msg = fmt::format("{}: {}", path, std::strerror(err));
    if (err == ENOENT) return Status::NotFound(std::move(msg));
    return Status::IOError(std::move(msg));
  }
  std::string data;
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    std::fclose(f);
    return Status::InvalidArgument(fmt::format("{}: is a directory", path));
  }
  // One read of the known size; a file that grows meanwhile (or a pipe) is read to its end.
  size_t expected =
      (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) ? static_cast<size_t>(st.st_size) : 0;
  data.resize(expected);
  size_t got = expected > 0 ? std::fread(data.data(), 1, expected, f) : 0;
  data.resize(got);
  if (got == expected) {
    char buf[64 << 10];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) data.append(buf, n);
  }
  bool failed = std::ferror(f) != 0;
  int err = errno;
  std::fclose(f);
  if (failed) return Status::IOError(fmt::format("{}: read failed: {}", path, std::strerror(err)));
  Result<std::string> out = MaybeDecompress(std::move(data));
  if (!out.ok()) {
    return Status(out.status().code() == StatusCode::kCorruption
                      ? Status::Corruption(path + ": " + out.status().message())
                      : out.status());
  }
  return out;
}

InputFile::InputFile(InputFile&& other) noexcept { *this = std::move(other); }

InputFile& InputFile::operator=(InputFile&& other) noexcept {
  if (this != &other) {
    Release();
    map_ = std::exchange(other.map_, nullptr);
    map_size_ = std::exchange(other.map_size_, 0);
    owned_ = std::move(other.owned_);
  }
  return *this;
}

InputFile::~InputFile() { Release(); }

void InputFile::Release() {
  if (map_ != nullptr) munmap(const_cast<char*>(map_), map_size_);
  map_ = nullptr;
  map_size_ = 0;
}

Result<InputFile> InputFile::Open(const std::string& path) {
  InputFile in;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 4) {
    size_t size = static_cast<size_t>(st.st_size);
    void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      std::string_view head(static_cast<const char*>(p), size);
      if (!IsGzip(head) && !IsZstd(head)) {
        madvise(p, size, MADV_SEQUENTIAL);
        ::close(fd);
        in.map_ = static_cast<const char*>(p);
        in.map_size_ = size;
        return in;
      }
      munmap(p, size);
    }
  }
  if (fd >= 0) ::close(fd);
  Result<std::string> data = ReadFileDecompressed(path);
  if (!data.ok()) return data.status();
  in.owned_ = std::move(*data);
  return in;
}

}  // namespace ddbg
