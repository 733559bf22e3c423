// The OTLP/HTTP receiver: POST /v1/traces and /v1/logs with protobuf or JSON bodies
// (gzip or deflate Content-Encoding, chunked or sized), answering as the OTLP
// specification says: 200 with an Export*ServiceResponse (partial_success when records were
// rejected), 400 for undecodable bodies, 413 past the size limit, 415 for other content
// types, 429 with Retry-After when the ingest queue is full.
#pragma once

namespace httplib {
class Server;
}

namespace ddbg::server {

struct ServerContext;

void AddOtlpHttpRoutes(httplib::Server& http, ServerContext& ctx);

}  // namespace ddbg::server
