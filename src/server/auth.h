// Bearer-token authentication of `ddbg serve`: with a token configured, every HTTP endpoint
// but /healthz and /readyz, and every gRPC call, needs `Authorization: Bearer <token>`.
// The comparison takes the same time whatever the mismatch. Thread-safety: plain functions.
#pragma once

#include <string>
#include <string_view>

namespace httplib {
class Server;
}

namespace ddbg::server {

class Metrics;

// True when `header` (the Authorization value) carries `token`.
bool BearerTokenMatches(std::string_view header, const std::string& token);
// Installs the check as the server's pre-routing handler (answers 401 itself).
void InstallBearerAuth(httplib::Server& http, const std::string& token, Metrics& metrics);

}  // namespace ddbg::server
