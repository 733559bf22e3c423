// JsonValue: parsing through simdjson's DOM, printing, object access and paths.
#include "ddbg/json_value.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>

#include "util/json_writer.h"

namespace ddbg {
namespace {

JsonValue FromElement(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      JsonValue obj = JsonValue::Object();
      simdjson::dom::object members = e.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair kv : members) {
        obj.Set(kv.key, FromElement(kv.value));
      }
      return obj;
    }
    case element_type::ARRAY: {
      JsonValue arr = JsonValue::Array();
      simdjson::dom::array items = e.get_array().value_unsafe();
      for (simdjson::dom::element item : items) {
        arr.Push(FromElement(item));
      }
      return arr;
    }
    case element_type::STRING:
      return JsonValue::String(std::string(e.get_string().value_unsafe()));
    case element_type::INT64:
      return JsonValue::Number(static_cast<double>(e.get_int64().value_unsafe()));
    case element_type::UINT64:
      return JsonValue::Number(static_cast<double>(e.get_uint64().value_unsafe()));
    case element_type::DOUBLE:
      return JsonValue::Number(e.get_double().value_unsafe());
    case element_type::BOOL:
      return JsonValue::Bool(e.get_bool().value_unsafe());
    default:
      return JsonValue();
  }
}

void AppendNumber(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[32];
  if (d == std::trunc(d) && std::fabs(d) < 9007199254740992.0) {
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(d));
    out.append(buf, r.ptr);
    return;
  }
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, r.ptr);
}

// Splits the next path step: a member name, or an index after '['.
bool NextStep(std::string_view& path, std::string_view* key, long* index) {
  *index = -1;
  if (path.empty()) return false;
  if (path.front() == '.') path.remove_prefix(1);
  if (!path.empty() && path.front() == '[') {
    size_t close = path.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view digits = path.substr(1, close - 1);
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), *index);
    if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) return false;
    path.remove_prefix(close + 1);
    return true;
  }
  size_t end = path.find_first_of(".[");
  *key = path.substr(0, end);
  path.remove_prefix(end == std::string_view::npos ? path.size() : end);
  return !key->empty();
}

void Diff(const JsonValue& a, const JsonValue& b, const std::string& path,
          std::vector<JsonChange>* out) {
  auto child = [&](std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  };
  if (a.is_object() && b.is_object()) {
    for (const auto& [k, v] : a.members()) {
      const JsonValue* w = b.Find(k);
      if (w == nullptr) {
        out->push_back({JsonChange::Kind::kRemoved, child(k), v, JsonValue()});
      } else {
        Diff(v, *w, child(k), out);
      }
    }
    for (const auto& [k, w] : b.members()) {
      if (a.Find(k) == nullptr) {
        out->push_back({JsonChange::Kind::kAdded, child(k), JsonValue(), w});
      }
    }
    return;
  }
  if (a.is_array() && b.is_array()) {
    size_t n = std::max(a.items().size(), b.items().size());
    for (size_t i = 0; i < n; ++i) {
      std::string p = path + "[" + std::to_string(i) + "]";
      if (i >= b.items().size()) {
        out->push_back({JsonChange::Kind::kRemoved, p, a.items()[i], JsonValue()});
      } else if (i >= a.items().size()) {
        out->push_back({JsonChange::Kind::kAdded, p, JsonValue(), b.items()[i]});
      } else {
        Diff(a.items()[i], b.items()[i], p, out);
      }
    }
    return;
  }
  if (!(a == b)) out->push_back({JsonChange::Kind::kChanged, path, a, b});
}

}  // namespace

JsonValue JsonValue::Bool(bool b) {
  JsonValue v;
  v.kind_ = Kind::kBool;
  v.bool_ = b;
  return v;
}
JsonValue JsonValue::Number(double d) {
  JsonValue v;
  v.kind_ = Kind::kNumber;
  v.number_ = d;
  return v;
}
JsonValue JsonValue::String(std::string s) {
  JsonValue v;
  v.kind_ = Kind::kString;
  v.string_ = std::move(s);
  return v;
}
JsonValue JsonValue::Array() {
  JsonValue v;
  v.kind_ = Kind::kArray;
  return v;
}
JsonValue JsonValue::Object() {
  JsonValue v;
  v.kind_ = Kind::kObject;
  return v;
}

Result<JsonValue> JsonValue::Parse(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  simdjson::error_code err = parser.parse(padded).get(root);
  if (err) return Status::InvalidArgument(simdjson::error_message(err));
  return FromElement(root);
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  if (kind_ != Kind::kObject) return nullptr;
  for (const Member& m : members_) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

JsonValue* JsonValue::Find(std::string_view key) {
  return const_cast<JsonValue*>(static_cast<const JsonValue*>(this)->Find(key));
}

void JsonValue::Set(std::string_view key, JsonValue value) {
  if (kind_ != Kind::kObject) *this = Object();
  if (JsonValue* existing = Find(key)) {
    *existing = std::move(value);
    return;
  }
  members_.emplace_back(std::string(key), std::move(value));
}

bool JsonValue::Erase(std::string_view key) {
  for (auto it = members_.begin(); it != members_.end(); ++it) {
    if (it->first == key) {
      members_.erase(it);
      return true;
    }
  }
  return false;
}

const JsonValue* JsonValue::AtPath(std::string_view path) const {
  const JsonValue* v = this;
  std::string_view key;
  long index = -1;
  while (v != nullptr && !path.empty()) {
    if (!NextStep(path, &key, &index)) return nullptr;
    if (index >= 0) {
      if (!v->is_array() || static_cast<size_t>(index) >= v->items_.size()) return nullptr;
      v = &v->items_[index];
    } else {
      v = v->Find(key);
    }
  }
  return v;
}

void JsonValue::AppendJson(std::string& out) const {
  switch (kind_) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
      out += bool_ ? "true" : "false";
      return;
    case Kind::kNumber:
      AppendNumber(out, number_);
      return;
    case Kind::kString:
      AppendJsonString(out, string_);
      return;
    case Kind::kArray:
      out.push_back('[');
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i > 0) out.push_back(',');
        items_[i].AppendJson(out);
      }
      out.push_back(']');
      return;
    case Kind::kObject:
      out.push_back('{');
      for (size_t i = 0; i < members_.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendJsonString(out, members_[i].first);
        out.push_back(':');
        members_[i].second.AppendJson(out);
      }
      out.push_back('}');
      return;
  }
}

std::string JsonValue::ToJson() const {
  std::string out;
  AppendJson(out);
  return out;
}

std::string JsonValue::ToText() const { return kind_ == Kind::kString ? string_ : ToJson(); }

bool operator==(const JsonValue& a, const JsonValue& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case JsonValue::Kind::kNull:
      return true;
    case JsonValue::Kind::kBool:
      return a.bool_ == b.bool_;
    case JsonValue::Kind::kNumber:
      return a.number_ == b.number_;
    case JsonValue::Kind::kString:
      return a.string_ == b.string_;
    case JsonValue::Kind::kArray:
      return a.items_ == b.items_;
    case JsonValue::Kind::kObject:
      if (a.members_.size() != b.members_.size()) return false;
      for (const auto& [k, v] : a.members_) {
        const JsonValue* w = b.Find(k);
        if (w == nullptr || !(v == *w)) return false;
      }
      return true;
  }
  return false;
}

void MergePatch(JsonValue* target, const JsonValue& patch) {
  if (!patch.is_object()) {
    *target = patch;
    return;
  }
  if (!target->is_object()) *target = JsonValue::Object();
  for (const auto& [key, value] : patch.members()) {
    if (value.is_null()) {
      target->Erase(key);
    } else if (JsonValue* existing = target->Find(key)) {
      MergePatch(existing, value);
    } else {
      JsonValue fresh;
      MergePatch(&fresh, value);
      target->Set(key, std::move(fresh));
    }
  }
}

const char* JsonChangeKindName(JsonChange::Kind kind) {
  switch (kind) {
    case JsonChange::Kind::kAdded:
      return "added";
    case JsonChange::Kind::kRemoved:
      return "removed";
    case JsonChange::Kind::kChanged:
      return "changed";
  }
  return "changed";
}

std::vector<JsonChange> DiffJson(const JsonValue& a, const JsonValue& b) {
  std::vector<JsonChange> out;
  Diff(a, b, "", &out);
  return out;
}

}  // namespace ddbg
