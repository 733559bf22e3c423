// StringDict interns strings (any bytes, not only UTF-8) and gives each distinct string a
// dense 32-bit id, starting with kEmptyStr = 0 for "". Strings live in an arena owned by the
// dictionary, so string_views returned by Get() stay valid until Clear() or destruction.
// Thread-safety: none; one writer, or many readers of a dictionary no longer written.
#pragma once

#include <cstdint>
#include <memory>
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
  StringDict(StringDict&&) noexcept = default;
  StringDict& operator=(StringDict&&) noexcept = default;
  ~StringDict();

  // Returns the id of `s`, adding it if new.
  StrId Intern(std::string_view s);
  // Returns the id of `s` or -1 when absent. Does not add.
  int64_t Find(std::string_view s) const;
  std::string_view Get(StrId id) const { return strings_[id]; }
  size_t size() const { return strings_.size(); }
  // Total bytes of all distinct strings.
  size_t bytes() const { return bytes_; }
  void Clear();

 private:
  std::string_view Store(std::string_view s);
  void Grow();

  std::vector<std::string_view> strings_;
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_used_ = 0;
  size_t chunk_size_ = 0;
  size_t bytes_ = 0;
  // Open addressing: slot holds id+1 (0 = empty); hashes_ caches each string's hash.
  std::vector<uint32_t> slots_;
  std::vector<uint64_t> hashes_;
};

}  // namespace ddbg
