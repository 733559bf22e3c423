// `ddbg ingest postgres://… --events-table T [--pg-map field=column,…]`: the PostgreSQL
// branch of the ingest command.
#pragma once

#include <string>

#include "cli/commands.h"

namespace ddbg::cli {

void RunPostgresIngest(const std::string& url, const std::string& table, const std::string& map,
                       bool quiet, const GlobalOptions& global);

}  // namespace ddbg::cli
