// JsonValue: a small mutable JSON document (null, bool, number, string, array, object with
// members in insertion order) for the analyses that build and change JSON: event-sourced
// state (merge-patch folds, Lua reducers), structural diffs, consistency checks. Numbers are
// doubles, printed in shortest round-trip form (integers without a fraction).
// Thread-safety: a plain value; no shared state.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ddbg/status.h"

namespace ddbg {

class JsonValue {
 public:
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
  using Member = std::pair<std::string, JsonValue>;

  JsonValue() = default;
  static JsonValue Bool(bool b);
  static JsonValue Number(double d);
  static JsonValue String(std::string s);
  static JsonValue Array();
  static JsonValue Object();
  // Parses JSON text; InvalidArgument (with simdjson's reason) when it is not valid JSON.
  static Result<JsonValue> Parse(std::string_view text);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_object() const { return kind_ == Kind::kObject; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool as_bool() const { return bool_; }
  double as_number() const { return number_; }
  const std::string& as_string() const { return string_; }
  const std::vector<JsonValue>& items() const { return items_; }
  std::vector<JsonValue>& items() { return items_; }
  const std::vector<Member>& members() const { return members_; }
  std::vector<Member>& members() { return members_; }

  // Object access: nullptr when absent or when this is not an object.
  const JsonValue* Find(std::string_view key) const;
  JsonValue* Find(std::string_view key);
  // Sets (or replaces) a member; turns a non-object into an empty object first.
  void Set(std::string_view key, JsonValue value);
  bool Erase(std::string_view key);
  void Push(JsonValue value) { items_.push_back(std::move(value)); }

  // A value at a dotted path with optional indexes: "items[0].sku", "payload.total".
  const JsonValue* AtPath(std::string_view path) const;

  std::string ToJson() const;
  void AppendJson(std::string& out) const;
  // Strings as they are, everything else as JSON: for tables and messages.
  std::string ToText() const;

  friend bool operator==(const JsonValue& a, const JsonValue& b);

 private:
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<JsonValue> items_;
  std::vector<Member> members_;
};

// RFC 7386 JSON merge patch: objects merge recursively, null removes a member, anything
// else (arrays included) replaces. A non-object patch replaces the whole target.
void MergePatch(JsonValue* target, const JsonValue& patch);

// One difference between two documents, at a path ("" is the root, "items[2].qty").
struct JsonChange {
  enum class Kind : uint8_t { kAdded, kRemoved, kChanged };
  Kind kind = Kind::kChanged;
  std::string path;
  JsonValue before;  // null for kAdded
  JsonValue after;   // null for kRemoved
};
const char* JsonChangeKindName(JsonChange::Kind kind);  // "added", "removed", "changed"

// The structural diff of two documents: objects member by member (in a's order, then b's
// new members), arrays index by index, scalars by value.
std::vector<JsonChange> DiffJson(const JsonValue& a, const JsonValue& b);

}  // namespace ddbg
