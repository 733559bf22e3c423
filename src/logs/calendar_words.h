// English month and weekday abbreviations as they appear in log timestamps ("Sat Jun 25"),
// shared by header detection and message tokenizing. Internal to src/logs.
#pragma once

#include <array>
#include <string_view>

namespace ddbg::logs {

inline constexpr std::array<std::string_view, 12> kMonthNames = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
inline constexpr std::array<std::string_view, 7> kWeekdayNames = {"Mon", "Tue", "Wed", "Thu",
                                                                  "Fri", "Sat", "Sun"};

inline bool IsMonthName(std::string_view t) {
  if (t.size() != 3) return false;
  for (std::string_view m : kMonthNames) {
    if (t == m) return true;
  }
  return false;
}

inline bool IsWeekdayName(std::string_view t) {
  if (t.size() != 3) return false;
  for (std::string_view d : kWeekdayNames) {
    if (t == d) return true;
  }
  return false;
}

}  // namespace ddbg::logs
