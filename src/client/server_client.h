// The HTTP client of a running `ddbg serve`: what `ddbg <command> --server URL` talks
// through. It sends GET requests to the query API with the bearer token, and turns every
// failure into a Status whose message says what happened and what to do: connection
// refused (is `ddbg serve` running?), timeouts, 401/403 (the token), 404, 4xx with the
// server's own message, 5xx. Thread-safety: one client per thread.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ddbg/status.h"

namespace httplib {
class Client;
}

namespace ddbg::client {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct ServerClientOptions {
  std::string url;           // http://host:port[/prefix]; "host:port" means http://
  std::string token;         // bearer token; empty: none
  double timeout_s = 60;     // connect, read and write timeout
};

class ServerClient {
 public:
  // Checks the URL (InvalidArgument when it is not http://host[:port][/prefix]).
  static Result<std::unique_ptr<ServerClient>> Open(const ServerClientOptions& options);
  ~ServerClient();

  // GET `path` (under the URL's prefix) with `params`; the body of a 2xx answer. A 404
  // gives NotFound with the server's message.
  Result<std::string> Get(const std::string& path, const QueryParams& params = {});
  const std::string& url() const { return url_; }

 private:
  ServerClient(std::string url, std::string prefix, double timeout_s,
               std::unique_ptr<httplib::Client> http);
  std::string url_;     // as shown in messages: scheme://host:port
  std::string prefix_;  // "" or "/prefix"
  double timeout_s_;
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace ddbg::client
