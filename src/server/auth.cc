#include "server/auth.h"

#include <httplib.h>

#include "server/metrics.h"

namespace ddbg::server {

bool BearerTokenMatches(std::string_view header, const std::string& token) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (!header.starts_with(kPrefix)) return false;
  std::string_view given = header.substr(kPrefix.size());
  unsigned diff = given.size() == token.size() ? 0 : 1;
  for (size_t i = 0; i < token.size(); ++i) {
    diff |= static_cast<unsigned char>(token[i]) ^
            static_cast<unsigned char>(i < given.size() ? given[i] : 0);
  }
  return diff == 0;
}

void InstallBearerAuth(httplib::Server& http, const std::string& token, Metrics& metrics) {
  if (token.empty()) return;
  http.set_pre_routing_handler([token, &metrics](const httplib::Request& req,
                                                 httplib::Response& res) {
    if (req.path == "/healthz" || req.path == "/readyz") return httplib::Server::HandlerResponse::Unhandled;
    if (BearerTokenMatches(req.get_header_value("Authorization"), token)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    metrics.RecordRejectedRequest("unauthorized");
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer");
    res.set_content("{\"code\":16,\"message\":\"missing or wrong bearer token\"}\n",
                    "application/json");
    return httplib::Server::HandlerResponse::Handled;
  });
}

}  // namespace ddbg::server
