// Recognising the header of a plain-text log line: its timestamp and level in the common
// layouts (ISO-8601, syslog, Apache error and access, log4j, Spark, HDFS, BGL, klog, logcat,
// time-of-day only, epoch, logfmt), and the service a log file belongs to. Internal to the decoders
// (text logs and format detection). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace ddbg {

struct LogLineHeader {
  int64_t time_ns = 0;
  // False for layouts that give only a time of day (`16:42:54.493 INFO …`): time_ns then
  // counts from 1970-01-01, as the date is unknown.
  bool has_date = true;
  uint8_t severity_number = 0;  // 0 when the line names no level
  std::string_view level;       // the level as written ("INFO", "notice"), empty if none
};

// Reads the timestamp at the start of `line` and the level among the header tokens after it.
// `year` is used for layouts without one (syslog `Jun 14 15:16:01`, klog, logcat). False when the
// line does not start with a recognised timestamp.
bool ParseLogLineHeader(std::string_view line, int year, LogLineHeader* out);

// The service a log file belongs to, from its name: directories and extensions (.log, .txt,
// .json, .jsonl, .gz, .zst, rotation numbers) are stripped ("logs/payment.log.1.gz" ->
// "payment"). "unknown_service" when nothing is left. The view points into `source` or a
// static string.
std::string_view ServiceFromSource(std::string_view source);

// The current year in UTC.
int CurrentUtcYear();

}  // namespace ddbg
