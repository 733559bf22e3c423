// `ddbg ingest postgres://… --events-table T [--pg-map field=column,…]`: the PostgreSQL
// branch of the ingest command.
#pragma once

#include <memory>
#include <string>

#include "cli/commands.h"
#include "ddbg/store.h"

namespace ddbg::cli {

// The store both ingest branches write to; null (with the error printed, exit code 1) when
// it cannot be opened.
std::unique_ptr<Store> OpenIngestStore(const GlobalOptions& global);

void RunPostgresIngest(const std::string& url, const std::string& table, const std::string& map,
                       bool quiet, const GlobalOptions& global);

}  // namespace ddbg::cli
