// Parsing of fault specs (KIND:SERVICE[,key=value...]) and of simulation durations.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string>

#include "ddbg/sim.h"
#include "util/time_parse.h"

namespace ddbg {
namespace {

struct KindName {
  FaultKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {
    {FaultKind::kLatency, "latency"},
    {FaultKind::kError, "error"},
    {FaultKind::kCascade, "cascade"},
    {FaultKind::kSlowInstance, "slow-instance"},
    {FaultKind::kInconsistentState, "inconsistent-state"},
    {FaultKind::kVersionGap, "version-gap"},
    {FaultKind::kRetryStorm, "retry-storm"},
    {FaultKind::kBadDeploy, "bad-deploy"},
};
constexpr const char* kAllKinds =
    "latency, error, cascade, slow-instance, inconsistent-state, version-gap, retry-storm, "
    "bad-deploy";
constexpr const char* kAllKeys = "start, duration, magnitude, instance, version, error_rate, count";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(*out);
}

bool ParseUint(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool IsServiceChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// Whether `key` applies to faults of `kind`; start, duration and magnitude apply to all.
bool KeyApplies(std::string_view key, FaultKind kind) {
  if (key == "instance") return kind == FaultKind::kSlowInstance;
  if (key == "version" || key == "error_rate") return kind == FaultKind::kBadDeploy;
  if (key == "count") {
    return kind == FaultKind::kVersionGap || kind == FaultKind::kInconsistentState;
  }
  return true;
}

}  // namespace

const char* FaultKindName(FaultKind kind) {
  for (const KindName& k : kKindNames) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

bool ParseFaultKindName(std::string_view name, FaultKind* out) {
  for (const KindName& k : kKindNames) {
    if (name == k.name) {
      *out = k.kind;
      return true;
    }
  }
  return false;
}

Result<int64_t> ParseSimDuration(std::string_view text) {
  std::string_view s = Trim(text);
  int64_t total = 0;
  std::string_view unit;
  if (!ParseDurationText(s, &total, &unit)) {
    if (!unit.empty()) {
      return Status::InvalidArgument(fmt::format(
          "bad duration '{}': unknown unit '{}' (use ns, us, ms, s, m, h or d)", text, unit));
    }
    return Status::InvalidArgument(fmt::format(
        "bad duration '{}': expected a number and a unit such as 90s, 20m, 1h30m or 500ms", text));
  }
  if (total <= 0) return Status::InvalidArgument(fmt::format("duration '{}' must be > 0", text));
  return total;
}

Result<FaultSpec> ParseFaultSpec(std::string_view text) {
  FaultSpec spec;
  spec.text = std::string(text);
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(fmt::format("fault '{}': {}", text, why));
  };
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return bad("expected KIND:SERVICE[,key=value...], e.g. latency:payment,start=20m");
  }
  std::string_view kind = Trim(text.substr(0, colon));
  if (!ParseFaultKindName(kind, &spec.kind)) {
    return bad(fmt::format("unknown kind '{}' (kinds: {})", kind, kAllKinds));
  }
  std::string_view rest = text.substr(colon + 1);
  size_t comma = rest.find(',');
  std::string_view service = Trim(rest.substr(0, comma));
  if (service.empty()) return bad("missing service name after ':'");
  for (char c : service) {
    if (!IsServiceChar(c)) return bad(fmt::format("bad service name '{}'", service));
  }
  spec.service = std::string(service);
  while (comma != std::string_view::npos) {
    rest = rest.substr(comma + 1);
    comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    if (item.empty()) return bad("empty key=value item");
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return bad(fmt::format("expected key=value, got '{}'", item));
    }
    std::string_view key = Trim(item.substr(0, eq));
    std::string_view value = Trim(item.substr(eq + 1));
    if (value.empty()) return bad(fmt::format("empty value for '{}'", key));
    if (key != "start" && key != "duration" && key != "magnitude" && key != "instance" &&
        key != "version" && key != "error_rate" && key != "count") {
      return bad(fmt::format("unknown key '{}' (keys: {})", key, kAllKeys));
    }
    if (!KeyApplies(key, spec.kind)) {
      return bad(fmt::format("key '{}' does not apply to {} faults", key, kind));
    }
    if (key == "start") {
      int64_t ns = 0;
      if (value.find('T') != std::string_view::npos || value.find('-') != std::string_view::npos) {
        if (!ParseRfc3339(value, &ns)) {
          return bad(
              fmt::format("bad start '{}': expected an offset such as 20m or an RFC 3339 "
                          "time such as 2025-01-15T10:20:00Z",
                          value));
        }
        spec.start_is_absolute = true;
      } else if (value == "0") {
        ns = 0;
      } else {
        Result<int64_t> d = ParseSimDuration(value);
        if (!d.ok()) return bad(fmt::format("bad start: {}", d.status().message()));
        ns = *d;
      }
      spec.has_start = true;
      spec.start_ns = ns;
    } else if (key == "duration") {
      Result<int64_t> d = ParseSimDuration(value);
      if (!d.ok()) return bad(d.status().message());
      spec.duration_ns = *d;
    } else if (key == "magnitude") {
      std::string_view v = value;
      if (!v.empty() && (v.back() == 'x' || v.back() == 'X')) v.remove_suffix(1);
      if (!ParseDouble(v, &spec.magnitude) || spec.magnitude <= 0) {
        return bad(fmt::format("magnitude must be a number > 0, got '{}'", value));
      }
      bool is_rate = spec.kind == FaultKind::kError || spec.kind == FaultKind::kCascade ||
                     spec.kind == FaultKind::kRetryStorm;
      if (is_rate && spec.magnitude > 1) {
        return bad(
            fmt::format("magnitude of a {} fault is a rate in (0, 1], got '{}'", kind, value));
      }
    } else if (key == "error_rate") {
      if (!ParseDouble(value, &spec.error_rate) || spec.error_rate < 0 || spec.error_rate > 1) {
        return bad(fmt::format("error_rate must be in [0, 1], got '{}'", value));
      }
    } else if (key == "count") {
      uint64_t n = 0;
      if (!ParseUint(value, &n) || n == 0 || n > 1000000) {
        return bad(fmt::format("count must be an integer in 1..1000000, got '{}'", value));
      }
      spec.count = static_cast<uint32_t>(n);
    } else if (key == "instance") {
      spec.instance = std::string(value);
    } else if (key == "version") {
      spec.version = std::string(value);
    }
  }
  return spec;
}

}  // namespace ddbg
