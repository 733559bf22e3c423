// The LogQL parser: text to a Query, or an error "L:C: expected …, found …".
// Thread-safety: pure function.
#pragma once

#include <string_view>

#include "ddbg/status.h"
#include "query/logql/ast.h"

namespace ddbg::logql {

Result<Query> ParseLogQL(std::string_view text);

}  // namespace ddbg::logql
