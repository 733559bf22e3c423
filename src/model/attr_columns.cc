#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "ddbg/model.h"

namespace ddbg {

void AttrColumns::AddDouble(StrId k, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  Add(k, AttrType::kDouble, bits);
}

double AttrColumns::DoubleAt(size_t i) const {
  double d;
  std::memcpy(&d, &value[i], sizeof(d));
  return d;
}

void AttrColumns::Truncate(size_t n) {
  key.resize(n);
  type.resize(n);
  value.resize(n);
}

std::string AttrColumns::ValueText(const StringDict& dict, size_t i) const {
  switch (type[i]) {
    case AttrType::kInt: return fmt::format("{}", IntAt(i));
    case AttrType::kDouble: {
      double d = DoubleAt(i);
      if (std::isfinite(d)) return fmt::format("{}", d);
      return std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity");
    }
    case AttrType::kBool: return value[i] ? "true" : "false";
    case AttrType::kEmpty: return "";
    default: return std::string(dict.Get(static_cast<StrId>(value[i])));
  }
}

void ResourceTable::Clear() {
  service.clear();
  attr_off = Offsets();
  attrs.Clear();
}

void ScopeTable::Clear() {
  name.clear();
  version.clear();
  attr_off = Offsets();
  attrs.Clear();
}

}  // namespace ddbg
