#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "ddbg/decode.h"

namespace ddbg {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Gzip(const std::string& in) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// A zstd frame whose header does not record the content size (as streaming writers make).
std::string ZstdStreamed(const std::string& in) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  std::string out(ZSTD_compressBound(in.size()) + 64, '\0');
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  ZSTD_inBuffer i{in.data(), in.size(), 0};
  ZSTD_compressStream2(cctx, &o, &i, ZSTD_e_continue);
  ZSTD_inBuffer none{nullptr, 0, 0};
  while (ZSTD_compressStream2(cctx, &o, &none, ZSTD_e_end) != 0) {
  }
  ZSTD_freeCCtx(cctx);
  out.resize(o.pos);
  return out;
}

std::string Zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3));
  return out;
}

std::string Sample(size_t lines) {
  std::string s;
  for (size_t i = 0; i < lines; ++i) {
    s += "2024-05-01T12:00:00Z INFO request " + std::to_string(i * 7919 % 100003) + " done\n";
  }
  return s;
}

TEST(Decompress, ReturnsPlainDataUnchanged) {
  std::string plain = "{\"resourceSpans\":[]}";
  Result<std::string> r = MaybeDecompress(plain);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, plain);
  std::string almost("\x1f not gzip", 10);
  ASSERT_TRUE(MaybeDecompress(almost).ok());
  EXPECT_EQ(*MaybeDecompress(almost), almost);
  EXPECT_EQ(*MaybeDecompress(""), "");
}

TEST(Decompress, GunzipsOneOrManyMembers) {
  std::string a = Sample(20000);
  std::string b = "second member\n";
  Result<std::string> one = MaybeDecompress(Gzip(a));
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(*one, a);
  // The size hint of a multi-member stream is the last member's: the buffer must grow.
  Result<std::string> two = MaybeDecompress(Gzip(a) + Gzip(b) + Gzip(""));
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(*two, a + b);
  Result<std::string> padded = MaybeDecompress(Gzip(b) + std::string(8, '\0'));
  ASSERT_TRUE(padded.ok());
  EXPECT_EQ(*padded, b);
}

TEST(Decompress, TruncatedGzipIsCorruption) {
  std::string a = Sample(5000);
  std::string gz = Gzip(a);
  for (size_t keep : {gz.size() - 1, gz.size() / 2, size_t{12}}) {
    SCOPED_TRACE(keep);
    Result<std::string> r = MaybeDecompress(gz.substr(0, keep));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_EQ(r.status().message().rfind("truncated gzip stream after ", 0), 0u)
        << r.status().message();
  }
}

TEST(Decompress, DamagedGzipIsCorruption) {
  std::string gz = Gzip(Sample(1000));
  gz[gz.size() / 2] ^= 0x55;
  gz[gz.size() / 2 + 1] ^= 0x55;
  Result<std::string> r = MaybeDecompress(gz);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  Result<std::string> trailing = MaybeDecompress(Gzip("x") + "garbage");
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.status().code(), StatusCode::kCorruption);
}

TEST(Decompress, UnzstdsFramesWithAndWithoutContentSize) {
  std::string a = Sample(20000);
  std::string streamed = ZstdStreamed(a);
  ASSERT_EQ(ZSTD_getFrameContentSize(streamed.data(), streamed.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  Result<std::string> r1 = MaybeDecompress(streamed);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(*r1, a);
  Result<std::string> r2 = MaybeDecompress(Zstd(a) + ZstdStreamed("tail\n"));
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(*r2, a + "tail\n");
}

TEST(Decompress, TruncatedZstdIsCorruption) {
  std::string z = ZstdStreamed(Sample(5000));
  for (size_t keep : {z.size() - 1, z.size() / 2, size_t{6}}) {
    SCOPED_TRACE(keep);
    Result<std::string> r = MaybeDecompress(z.substr(0, keep));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find("zstd"), std::string::npos) << r.status().message();
  }
  Result<std::string> r = MaybeDecompress(z.substr(0, z.size() - 1));
  EXPECT_EQ(r.status().message().rfind("truncated zstd stream after ", 0), 0u);
}

TEST(Decompress, ReadsTheCapturedGzipBodyAsItsPlainTwin) {
  const std::string dir = std::string(DDBG_SHARED_DATA) + "/otlp-captured/proto-gzip-shared-skew/";
  for (const char* name : {"0001-traces.pb", "0002-logs.pb"}) {
    SCOPED_TRACE(name);
    Result<std::string> gz = ReadFileDecompressed(dir + name + ".gz");
    ASSERT_TRUE(gz.ok()) << gz.status().ToString();
    std::string plain = ReadAll(dir + name);
    ASSERT_FALSE(plain.empty());
    EXPECT_EQ(*gz, plain);
    Result<std::string> direct = ReadFileDecompressed(dir + name);
    ASSERT_TRUE(direct.ok());
    EXPECT_EQ(*direct, plain);
  }
}

TEST(Decompress, ReportsMissingFilesAndDirectories) {
  Result<std::string> missing = ReadFileDecompressed("/nonexistent/ddbg/file.log");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/nonexistent/ddbg/file.log"), std::string::npos);
  Result<std::string> dir = ReadFileDecompressed(DDBG_FIXTURES);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ddbg
