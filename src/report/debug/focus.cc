// Steering the report by the words of the issue description. Words are matched by prefix on
// lowercased runs of letters, so "failing", "timeouts" and "dependencies" count; no model,
// no network. The table is documented in docs/debug-report.md.
#include <cctype>
#include <string>

#include "ddbg/debug_report.h"

namespace ddbg {
namespace {

struct SteeringWord {
  std::string_view prefix;
  Focus focus;
};

constexpr SteeringWord kSteeringWords[] = {
    {"timeout", Focus::kTiming},       {"slow", Focus::kTiming},
    {"latenc", Focus::kTiming},        {"lag", Focus::kTiming},
    {"delay", Focus::kTiming},         {"hang", Focus::kTiming},
    {"error", Focus::kCausation},      {"fail", Focus::kCausation},
    {"cascad", Focus::kCausation},     {"crash", Focus::kCausation},
    {"exception", Focus::kCausation},  {"retr", Focus::kCausation},
    {"inconsisten", Focus::kFlow},     {"state", Focus::kFlow},
    {"mismatch", Focus::kFlow},        {"wrong", Focus::kFlow},
    {"disagree", Focus::kFlow},        {"flow", Focus::kFlow},
    {"depend", Focus::kDependency},    {"topolog", Focus::kDependency},
    {"upstream", Focus::kDependency},  {"downstream", Focus::kDependency},
};

constexpr const char* kFocusNames[kFocusCount] = {"timing", "causation", "dependency", "flow"};

}  // namespace

const char* FocusName(Focus focus) { return kFocusNames[static_cast<size_t>(focus)]; }

bool ParseFocusName(std::string_view name, Focus* out) {
  for (size_t i = 0; i < kFocusCount; ++i) {
    if (name == kFocusNames[i]) {
      *out = static_cast<Focus>(i);
      return true;
    }
  }
  return false;
}

FocusSet FocusFromDescription(std::string_view description, std::vector<FocusWord>* matched) {
  FocusSet set;
  std::string word;
  auto flush = [&] {
    for (const SteeringWord& s : kSteeringWords) {
      if (word.size() >= s.prefix.size() && word.compare(0, s.prefix.size(), s.prefix) == 0) {
        set.add(s.focus);
        if (matched) matched->push_back({word, s.focus});
        break;
      }
    }
    word.clear();
  };
  for (char c : description) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      flush();
    }
  }
  flush();
  return set;
}

}  // namespace ddbg
