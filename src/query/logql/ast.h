// The LogQL syntax tree: a stream selector, a pipeline of line filters, parsers, label
// filters and line_format, and optionally a metric query around it (a range aggregation
// over [range], inside vector aggregations sum/avg/max/min/count by (...)).
// Thread-safety: immutable once parsed; RE2 matching is thread-safe.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ddbg::logql {

enum class MatchOp : uint8_t { kEq, kNe, kRe, kNre };

// A stream matcher `label op "value"`.
struct Matcher {
  std::string label;
  MatchOp op = MatchOp::kEq;
  std::string value;
  std::shared_ptr<const RE2> regex;  // kRe, kNre (anchored, as Loki's)
};

// A label filter after parsing: `label op value` with a string, number or duration.
struct LabelFilter {
  enum class Op : uint8_t { kEq, kNe, kRe, kNre, kGt, kGe, kLt, kLe };
  std::string label;
  Op op = Op::kEq;
  bool numeric = false;  // the value is a number or duration: compare numerically
  std::string text;      // string value
  double number = 0;     // numeric value (durations in seconds, as Loki)
  std::shared_ptr<const RE2> regex;
};

struct PipelineStage {
  enum class Kind : uint8_t {
    kLineContains, kLineNotContains, kLineRegex, kLineNotRegex,  // |= != |~ !~
    kJson, kLogfmt, kPattern, kLabelFilter, kLineFormat,
  };
  Kind kind = Kind::kLineContains;
  std::string text;                  // needle, pattern or template
  std::shared_ptr<const RE2> regex;  // kLineRegex, kLineNotRegex (unanchored)
  // kLabelFilter: disjunction of conjunctions (`a > 1 and b = "x" or c = "y"`).
  std::vector<std::vector<LabelFilter>> any_of;
  // kPattern: literal pieces and capture names alternate: literals[0] name[0] literals[1] …
  std::vector<std::string> literals;
  std::vector<std::string> captures;  // "_" captures nothing
};

struct LogExpr {
  std::vector<Matcher> selector;
  std::vector<PipelineStage> stages;
};

struct MetricExpr {
  enum class Kind : uint8_t { kRange, kVector };
  Kind kind = Kind::kRange;
  // kRange: count_over_time, rate, bytes_over_time, bytes_rate.
  std::string function;
  LogExpr log;
  int64_t range_ns = 0;
  // kVector: sum, avg, max, min, count over `inner`, grouped by / without labels.
  std::unique_ptr<MetricExpr> inner;
  std::vector<std::string> grouping;
  bool without = false;
  bool grouped = false;  // a by/without clause was given
};

struct Query {
  bool is_metric = false;
  LogExpr log;                          // when !is_metric
  std::unique_ptr<MetricExpr> metric;   // when is_metric
  // The log expression that feeds the metric (or the query itself).
  const LogExpr& Source() const;
};

}  // namespace ddbg::logql
