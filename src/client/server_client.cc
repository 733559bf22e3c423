#include "client/server_client.h"

#include <fmt/format.h>
#include <httplib.h>
#include <simdjson.h>

#include <charconv>

namespace ddbg::client {
namespace {

// The "msg" of a Jaeger-style error answer ({"errors":[{"code","msg"}]}), else the body's
// first line (at most 200 bytes).
std::string ServerMessage(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view msg;
  if (parser.parse(body).get(root) == simdjson::SUCCESS &&
      root["errors"].at(0)["msg"].get(msg) == simdjson::SUCCESS) {
    return std::string(msg);
  }
  std::string line = body.substr(0, body.find('\n'));
  return line.size() > 200 ? line.substr(0, 200) + "…" : line;
}

Status HttpStatusError(const std::string& url, int status, const std::string& body) {
  std::string msg = ServerMessage(body);
  std::string where = url + " answered " + std::to_string(status);
  if (status == 401 || status == 403) {
    return Status::InvalidArgument(
        where + (status == 401 ? " (unauthorized)" : " (forbidden)") +
        ": give the server's bearer token with --token-file FILE or the DDBG_TOKEN "
        "environment variable");
  }
  if (status == 404) return Status::NotFound(msg.empty() ? where : msg);
  if (status == 400 && !msg.empty()) {
    // The server's message is a Status text ("invalid argument: 1:7: expected …"): shown as
    // the same command shows it over a local store.
    constexpr std::string_view kPrefix = "invalid argument: ";
    return Status::InvalidArgument(msg.rfind(kPrefix, 0) == 0 ? msg.substr(kPrefix.size()) : msg);
  }
  if (status >= 400 && status < 500) {
    return Status::InvalidArgument(where + (msg.empty() ? "" : ": " + msg));
  }
  return Status::IOError(where + " (server error)" + (msg.empty() ? "" : ": " + msg));
}

Status TransportError(const std::string& url, httplib::Error err, double timeout_s) {
  switch (err) {
    case httplib::Error::Connection:
      return Status::IOError("cannot connect to " + url +
                             ": connection refused or host unreachable (is `ddbg serve` running "
                             "there? or use --data DIR to read a store directly)");
    case httplib::Error::ConnectionTimeout:
      return Status::IOError("cannot connect to " + url + ": no answer within " +
                             fmt::format("{:g}", timeout_s) + " s");
    case httplib::Error::Read:
      return Status::IOError("no complete answer from " + url + " within " +
                             fmt::format("{:g}", timeout_s) +
                             " s (timed out or the connection was closed; see --server-timeout)");
    default:
      return Status::IOError("request to " + url + " failed: " + httplib::to_string(err));
  }
}

}  // namespace

Result<std::unique_ptr<ServerClient>> ServerClient::Open(const ServerClientOptions& options) {
  std::string rest = options.url;
  if (rest.rfind("https://", 0) == 0) {
    return Status::Unsupported(options.url + ": https is not supported; use http:// (ddbg serve "
                               "speaks plain HTTP, put a TLS proxy in front of it)");
  }
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  if (rest.find("://") != std::string::npos || rest.empty()) {
    return Status::InvalidArgument("--server must be http://HOST:PORT, got '" + options.url + "'");
  }
  size_t slash = rest.find('/');
  std::string host_port = rest.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : rest.substr(slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::string host = host_port;
  int port = 80;
  size_t colon = host_port.rfind(':');
  if (colon != std::string::npos && host_port.find(']', colon) == std::string::npos) {
    host = host_port.substr(0, colon);
    std::string p = host_port.substr(colon + 1);
    auto r = std::from_chars(p.data(), p.data() + p.size(), port);
    if (r.ec != std::errc() || r.ptr != p.data() + p.size() || port <= 0 || port > 65535) {
      return Status::InvalidArgument("--server: bad port in '" + options.url + "'");
    }
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return Status::InvalidArgument("--server: no host in '" + options.url + "'");
  auto http = std::make_unique<httplib::Client>(host, port);
  auto usecs = static_cast<time_t>(options.timeout_s * 1e6);
  http->set_connection_timeout(usecs / 1000000, usecs % 1000000);
  http->set_read_timeout(usecs / 1000000, usecs % 1000000);
  http->set_write_timeout(usecs / 1000000, usecs % 1000000);
  if (!options.token.empty()) http->set_bearer_token_auth(options.token);
  std::string shown = "http://" + host_port;
  return std::unique_ptr<ServerClient>(new ServerClient(shown, prefix, options.timeout_s, std::move(http)));
}

ServerClient::ServerClient(std::string url, std::string prefix, double timeout_s,
                           std::unique_ptr<httplib::Client> http)
    : url_(std::move(url)), prefix_(std::move(prefix)), timeout_s_(timeout_s), http_(std::move(http)) {}

ServerClient::~ServerClient() = default;

Result<std::string> ServerClient::Get(const std::string& path, const QueryParams& params) {
  httplib::Params p(params.begin(), params.end());
  httplib::Result res = http_->Get(prefix_ + path, p, httplib::Headers{});
  if (!res) return TransportError(url_, res.error(), timeout_s_);
  if (res->status < 200 || res->status >= 300) return HttpStatusError(url_, res->status, res->body);
  return std::move(res->body);
}

}  // namespace ddbg::client
