// StringDict interns strings (any bytes, not only UTF-8) and gives each distinct string a
// dense 32-bit id, starting with kEmptyStr = 0 for "". Strings live in an arena owned by the
// dictionary, so string_views returned by Get() stay valid until Clear() or destruction.
// Strings may also be appended without hashing (AppendUnindexed, what a segment reader does:
// its ids are given by position); the lookup table is then built the first time Find() or
// Intern() needs it, so a reader that only calls Get() never pays for hashing.
// Thread-safety: one writer, or many readers of a dictionary no longer written (Find() may
// build the lookup table; concurrent readers are serialised for that).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace ddbg {

using StrId = uint32_t;
inline constexpr StrId kEmptyStr = 0;

class StringDict {
 public:
  StringDict();
  StringDict(const StringDict& other);
  StringDict& operator=(const StringDict& other);
  StringDict(StringDict&& other) noexcept;
  StringDict& operator=(StringDict&& other) noexcept;
  ~StringDict();

  // Returns the id of `s`, adding it if new.
  StrId Intern(std::string_view s);
  // Returns the id of `s` or -1 when absent. Does not add.
  int64_t Find(std::string_view s) const;
  // Adds `s` under the next id without looking it up: the caller guarantees it is not
  // already present (a dictionary read back from storage). Returns its id.
  StrId AppendUnindexed(std::string_view s);
  std::string_view Get(StrId id) const { return strings_[id]; }
  size_t size() const { return strings_.size(); }
  // Total bytes of all distinct strings.
  size_t bytes() const { return bytes_; }
  void Clear();

 private:
  std::string_view Store(std::string_view s);
  void Grow();
  // Makes the lookup table cover every string (hashing those appended unindexed).
  void IndexAll() const;
  void IndexRange(size_t end) const;  // hashes strings_[indexed_, end); caller synchronises

  std::vector<std::string_view> strings_;
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_used_ = 0;
  size_t chunk_size_ = 0;
  size_t bytes_ = 0;
  // Open addressing: slot holds id+1 (0 = empty); hashes_ caches each string's hash.
  // strings_[0, indexed_) are in the table; the rest were appended unindexed.
  mutable std::vector<uint32_t> slots_;
  mutable std::vector<uint64_t> hashes_;
  mutable std::atomic<size_t> indexed_{0};
  mutable std::mutex index_mu_;
};

}  // namespace ddbg
