#include "store/embedded/manifest.h"

#include <xxhash.h>

#include "store/embedded/file_io.h"

namespace ddbg::store {
namespace {

void PutString(std::string_view s, std::string* out) {
  PutVarint64(s.size(), out);
  out->append(s);
}

void PutU64(uint64_t v, std::string* out) {
  char buf[8];
  PutFixed64(buf, v);
  out->append(buf, 8);
}

// A cursor over the manifest bytes that remembers the first failure.
class Cursor {
 public:
  explicit Cursor(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  uint64_t U64() {
    if (!ok_ || in_.size() < 8) return Fail();
    uint64_t v = GetFixed64(in_.data());
    in_.remove_prefix(8);
    return v;
  }
  uint64_t Varint() {
    uint64_t v = 0;
    if (!ok_ || !GetVarint64(&in_, &v)) return Fail();
    return v;
  }
  uint8_t Byte() {
    if (!ok_ || in_.empty()) return static_cast<uint8_t>(Fail());
    uint8_t b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return b;
  }
  std::string String() {
    uint64_t n = Varint();
    if (!ok_ || n > in_.size()) return Fail(), std::string();
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  bool AtEnd() const { return in_.empty(); }

 private:
  uint64_t Fail() {
    ok_ = false;
    return 0;
  }
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace

std::string EncodeManifest(const Manifest& m) {
  std::string out(kManifestMagic);
  char v[8] = {};
  PutFixed32(v, kManifestFormatVersion);
  out.append(v, 8);
  PutU64(m.generation, &out);
  PutU64(m.next_seq, &out);
  PutVarint64(m.segments.size(), &out);
  for (const SegmentEntry& e : m.segments) {
    PutVarint64(e.seq, &out);
    out.push_back(static_cast<char>(e.signal));
    PutVarint64(e.rows, &out);
    PutU64(static_cast<uint64_t>(e.min_time_ns), &out);
    PutU64(static_cast<uint64_t>(e.max_time_ns), &out);
    PutVarint64(e.file_bytes, &out);
    PutVarint64(e.services.size(), &out);
    for (const std::string& s : e.services) PutString(s, &out);
  }
  PutVarint64(m.marks.size(), &out);
  for (const auto& [name, value] : m.marks) {
    PutString(name, &out);
    PutVarint64(value, &out);
  }
  PutU64(XXH64(out.data(), out.size(), 0), &out);
  return out;
}

Status DecodeManifest(std::string_view bytes, const std::string& name, Manifest* m) {
  auto bad = [&name](const std::string& why) { return Status::Corruption(name + ": " + why); };
  if (bytes.size() < kManifestMagic.size() + 8 + 16 + 8) return bad("truncated manifest");
  if (bytes.substr(0, kManifestMagic.size()) != kManifestMagic) return bad("bad manifest magic");
  std::string_view body = bytes.substr(0, bytes.size() - 8);
  if (GetFixed64(bytes.data() + body.size()) != XXH64(body.data(), body.size(), 0)) {
    return bad("manifest checksum mismatch");
  }
  uint32_t version = GetFixed32(bytes.data() + kManifestMagic.size());
  if (version != 1 && version != kManifestFormatVersion) {
    return Status::Unsupported(name + ": manifest format version " + std::to_string(version) +
                               " (this build reads " + std::to_string(kManifestFormatVersion) +
                               ")");
  }
  Cursor c(body.substr(kManifestMagic.size() + 8));
  Manifest out;
  out.generation = c.U64();
  out.next_seq = c.U64();
  uint64_t n = c.Varint();
  if (!c.ok() || n > body.size()) return bad("bad segment count");
  out.segments.reserve(n);
  for (uint64_t i = 0; i < n && c.ok(); ++i) {
    SegmentEntry e;
    e.seq = c.Varint();
    uint8_t signal = c.Byte();
    if (c.ok() && !IsValidSignal(signal)) return bad("unknown signal in segment entry");
    e.signal = static_cast<Signal>(signal);
    e.rows = c.Varint();
    e.min_time_ns = static_cast<int64_t>(c.U64());
    e.max_time_ns = static_cast<int64_t>(c.U64());
    e.file_bytes = c.Varint();
    uint64_t services = c.Varint();
    if (!c.ok() || services > body.size()) return bad("bad service count");
    e.services.reserve(services);
    for (uint64_t s = 0; s < services && c.ok(); ++s) e.services.push_back(c.String());
    out.segments.push_back(std::move(e));
  }
  uint64_t marks = version >= 2 ? c.Varint() : 0;
  if (!c.ok() || marks > body.size()) return bad("bad mark count");
  for (uint64_t i = 0; i < marks && c.ok(); ++i) {
    std::string name = c.String();
    out.marks[name] = c.Varint();
  }
  if (!c.ok() || !c.AtEnd()) return bad("malformed manifest body");
  *m = std::move(out);
  return Status::Ok();
}

Status LoadManifest(const std::string& dir, Manifest* m, uint64_t* file_bytes) {
  std::string path = JoinPath(dir, kManifestName);
  std::string bytes;
  Status st = ReadWholeFile(path, &bytes);
  if (st.code() == StatusCode::kNotFound) {
    *m = Manifest();
    *file_bytes = 0;
    return Status::Ok();
  }
  DDBG_RETURN_IF_ERROR(st);
  *file_bytes = bytes.size();
  return DecodeManifest(bytes, path, m);
}

Status PublishManifest(const std::string& dir, const Manifest& m, uint64_t* file_bytes) {
  std::string bytes = EncodeManifest(m);
  *file_bytes = bytes.size();
  return WriteFileAtomically(dir, std::string(kManifestName), bytes);
}

}  // namespace ddbg::store
