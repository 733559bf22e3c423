#include "store/embedded/dict_split.h"

#include <cstdint>

#include "store/embedded/segment_columns.h"

namespace ddbg::store {
namespace {

// A column visitor (segment_columns.h) that flags every string a structure column uses.
class StructureMarker {
 public:
  explicit StructureMarker(std::vector<uint8_t>* marks) : marks_(*marks) {}

  void Dict(uint32_t, const char*, const StringDict&) {}
  void DictValues(uint32_t, const char*, const StringDict&) {}
  template <typename T>
  void Raw(uint32_t, const char*, const std::vector<T>&) {}
  template <typename T>
  void Varint(uint32_t, const char*, const std::vector<T>&) {}
  template <typename T>
  void Delta(uint32_t, const char*, const std::vector<T>&) {}
  void Offsets(uint32_t, const char*, const std::vector<uint32_t>&) {}
  void Diff(uint32_t, const char*, const std::vector<int64_t>&, const std::vector<int64_t>&) {}

  void Strs(uint32_t column, const char*, const std::vector<StrId>& ids) {
    if (InValueDict(column)) return;
    for (StrId id : ids) marks_[id] = 1;
  }
  void AttrValues(uint32_t column, const char*, const std::vector<uint64_t>& values,
                  const std::vector<AttrType>& types) {
    if (InValueDict(column)) return;
    for (size_t i = 0; i < values.size(); ++i) {
      if (IsStringAttr(types[i])) marks_[values[i]] = 1;
    }
  }

 private:
  std::vector<uint8_t>& marks_;
};

template <typename Batch>
DictSplit Split(const Batch& batch) {
  const size_t n = batch.dict.size();
  std::vector<uint8_t> in_structure(n, 0);
  StructureMarker marker(&in_structure);
  VisitColumns(marker, batch);
  DictSplit split;
  split.new_id.assign(n, kEmptyStr);
  for (StrId id = 1; id < n; ++id) {
    if (!in_structure[id]) continue;
    split.structure.push_back(id);
    split.new_id[id] = static_cast<StrId>(split.structure.size());
  }
  StrId next = static_cast<StrId>(split.structure.size() + 1);
  split.values.reserve(n - next);
  for (StrId id = 1; id < n; ++id) {
    if (in_structure[id]) continue;
    split.values.push_back(id);
    split.new_id[id] = next++;
  }
  return split;
}

}  // namespace

DictSplit SplitDict(const SpanBatch& batch) { return Split(batch); }
DictSplit SplitDict(const LogBatch& batch) { return Split(batch); }

}  // namespace ddbg::store
