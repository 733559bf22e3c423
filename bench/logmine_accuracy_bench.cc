// Loghub accuracy of the template miner: Grouping and Parsing Accuracy per Loghub-2k system,
// mined from the Content column and from the raw lines, against the original and the
// corrected labels. Usage: logmine_accuracy_bench [LOGHUB2K_DIR]
#include <fmt/format.h>

#include "logs/loghub_accuracy.h"

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : "../shared/data/loghub2k";
  auto result = ddbg::logs::EvaluateLoghub(dir);
  if (!result.ok()) {
    fmt::print(stderr, "{}\n", result.status().ToString());
    return 1;
  }
  fmt::print("{:<10} | {:>6} {:>6} {:>6} {:>6} | {:>6} {:>6} {:>6} {:>6}\n", "system",
             "GA", "PA", "GA-c", "PA-c", "rawGA", "rawPA", "rGA-c", "rPA-c");
  double sum[8] = {};
  for (const auto& s : *result) {
    double v[8] = {s.content.grouping, s.content.parsing, s.content_corrected.grouping,
                   s.content_corrected.parsing, s.raw.grouping, s.raw.parsing,
                   s.raw_corrected.grouping, s.raw_corrected.parsing};
    fmt::print("{:<10} |", s.system);
    for (int i = 0; i < 8; ++i) {
      sum[i] += v[i];
      fmt::print(" {:>6.3f}{}", v[i], i == 3 ? " |" : "");
    }
    fmt::print("\n");
  }
  fmt::print("{:<10} |", "average");
  for (int i = 0; i < 8; ++i) {
    fmt::print(" {:>6.3f}{}", sum[i] / result->size(), i == 3 ? " |" : "");
  }
  fmt::print("\n");
  return 0;
}
