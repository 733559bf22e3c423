// Load generator for `ddbg serve` on the same machine: starts a server in-process on
// loopback, then C client threads POST pre-encoded OTLP/HTTP protobuf requests of S spans
// over keep-alive connections for D seconds (each acknowledged = durable in the WAL; every
// request carries new trace ids), while one more thread times GET /api/traces/{id} of
// traces acknowledged earlier. Prints acknowledged spans/s, 429s, trace
// lookup p50/p99 and the process's peak RSS.
// Usage: serve_ingest_bench [seconds=10] [connections=8] [spans_per_request=1000]
//                           [cache_mb=1024] [spans_per_second=0: as fast as acknowledged]
// With a rate, request n is not sent before start + n × spans / rate (an offered load, as
// from remote exporters), so lookups can be timed at a given ingest rate.
#include <httplib.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ddbg/server.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace {

namespace otel = opentelemetry::proto;

std::string Id(uint64_t hi, uint64_t lo, int bytes) {
  std::string out;
  for (int i = bytes == 16 ? 0 : 8; i < 16; ++i) {
    uint64_t v = i < 8 ? hi : lo;
    out.push_back(static_cast<char>(v >> (56 - 8 * (i % 8))));
  }
  return out;
}

// One request: `spans` spans in traces of 10, 5 services, 4 attributes each.
std::string MakeRequest(uint64_t seed, int spans) {
  otel::collector::trace::v1::ExportTraceServiceRequest req;
  std::mt19937_64 rng(seed);
  int64_t t0 = 1764000000000000000LL + static_cast<int64_t>(seed) * 1000000;
  for (int svc = 0; svc < 5; ++svc) {
    auto* rs = req.add_resource_spans();
    auto* a = rs->mutable_resource()->add_attributes();
    a->set_key("service.name");
    a->mutable_value()->set_string_value("service-" + std::to_string(svc));
    auto* ss = rs->add_scope_spans();
    ss->mutable_scope()->set_name("bench");
    for (int i = svc; i < spans; i += 5) {
      auto* s = ss->add_spans();
      s->set_trace_id(Id(seed, static_cast<uint64_t>(i / 10) + 1, 16));
      s->set_span_id(Id(0, rng(), 8));
      s->set_name("op-" + std::to_string(i % 20));
      s->set_kind(otel::trace::v1::Span::SPAN_KIND_SERVER);
      s->set_start_time_unix_nano(t0 + i * 1000);
      s->set_end_time_unix_nano(t0 + i * 1000 + static_cast<int64_t>(rng() % 50000000));
      for (const char* key : {"http.method", "http.route", "user.id", "net.peer.name"}) {
        auto* attr = s->add_attributes();
        attr->set_key(key);
        attr->mutable_value()->set_string_value(std::string(key) + "-" + std::to_string(rng() % 100));
      }
      auto* code = s->add_attributes();
      code->set_key("http.status_code");
      code->mutable_value()->set_int_value(200);
    }
  }
  return req.SerializeAsString();
}

// A pre-encoded request whose trace ids are rewritten before each send, so every request
// carries new traces (as real clients do) without encoding it again: the offsets of the
// high 8 bytes of every span's trace_id (field 1: tag 0x0a, length 16).
struct RequestTemplate {
  std::string bytes;
  std::vector<size_t> trace_hi;

  RequestTemplate(uint64_t seed, int spans) : bytes(MakeRequest(seed, spans)) {
    std::string marker = "\x0a\x10" + Id(seed, 0, 16).substr(0, 8);
    for (size_t at = bytes.find(marker); at != std::string::npos; at = bytes.find(marker, at + 1)) {
      trace_hi.push_back(at + 2);
    }
  }
  // The request with trace ids (number, 1..spans/10).
  void Stamp(uint64_t number, std::string* out) const {
    *out = bytes;
    std::string hi = Id(number, 0, 16).substr(0, 8);
    for (size_t at : trace_hi) out->replace(at, 8, hi);
  }
};

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 10;
  int connections = argc > 2 ? std::atoi(argv[2]) : 8;
  int spans = argc > 3 ? std::atoi(argv[3]) : 1000;
  uint64_t cache_mb = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1024;
  double rate = argc > 5 ? std::atof(argv[5]) : 0;
  std::string dir = "/tmp/ddbg-serve-bench-" + std::to_string(::getpid());
  ddbg::ServerOptions o;
  o.data_dir = dir;
  o.otlp_http_port = 0;
  o.otlp_grpc_port = -1;
  o.http_port = 0;
  o.http_threads = connections + 4;
  o.cache_bytes = cache_mb << 20;
  auto server = ddbg::Server::Start(o);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    return 1;
  }
  int otlp_port = (*server)->ports().otlp_http;
  int http_port = (*server)->ports().http;
  std::vector<RequestTemplate> templates;
  for (int i = 0; i < 64; ++i) templates.emplace_back(i + 1, spans);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> acked{0}, busy{0}, failed{0};
  // Request numbers (the high half of their trace ids) start at kFirst; `done` is the
  // number of requests acknowledged so far, for the lookup thread to pick from.
  constexpr uint64_t kFirst = 1000;
  std::atomic<uint64_t> next{kFirst}, done{0};
  std::vector<std::thread> clients;
  auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < connections; ++c) {
    clients.emplace_back([&] {
      httplib::Client cli("127.0.0.1", otlp_port);
      cli.set_keep_alive(true);
      std::string body;
      while (!stop.load()) {
        uint64_t n = next++;
        if (rate > 0) {
          std::this_thread::sleep_until(start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                    std::chrono::duration<double>((n - kFirst) * spans / rate)));
          if (stop.load()) break;
        }
        templates[n % templates.size()].Stamp(n, &body);
        auto res = cli.Post("/v1/traces", body, "application/x-protobuf");
        if (res && res->status == 200) {
          acked += spans;
          ++done;
        } else if (res && res->status == 429) {
          busy++;
        } else {
          failed++;
        }
      }
    });
  }
  std::vector<double> lookups;
  uint64_t missing = 0;
  std::thread reader([&] {
    httplib::Client cli("127.0.0.1", http_port);
    cli.set_keep_alive(true);
    std::mt19937_64 rng(7);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    while (!stop.load()) {
      // A trace of a request acknowledged some time ago (all of the last 2,000 requests are
      // candidates, i.e. sealed segments and the head alike).
      uint64_t acked_requests = done.load() > 4u * connections ? done.load() - 2u * connections : 0;
      if (acked_requests == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      uint64_t back = rng() % std::min<uint64_t>(acked_requests, 2000);
      std::string id = Id(kFirst + acked_requests - 1 - back, rng() % static_cast<uint64_t>(spans / 10) + 1, 16);
      char hex[33];
      for (int i = 0; i < 16; ++i) std::snprintf(hex + 2 * i, 3, "%02x", static_cast<unsigned char>(id[i]));
      auto t0 = std::chrono::steady_clock::now();
      auto res = cli.Get(std::string("/api/traces/") + hex);
      std::chrono::duration<double, std::milli> d = std::chrono::steady_clock::now() - t0;
      if (res && res->status == 200) lookups.push_back(d.count());
      else missing++;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : clients) t.join();
  reader.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  (*server)->Stop();
  std::sort(lookups.begin(), lookups.end());
  auto pct = [&](double p) { return lookups.empty() ? 0.0 : lookups[static_cast<size_t>(p * (lookups.size() - 1))]; };
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  std::printf("connections %d, %d spans/request, %.1f s: %.0f spans/s acknowledged-durable "
              "(%llu spans), %llu x 429, %llu failed\n",
              connections, spans, elapsed, acked.load() / elapsed,
              static_cast<unsigned long long>(acked.load()),
              static_cast<unsigned long long>(busy.load()),
              static_cast<unsigned long long>(failed.load()));
  std::printf("GET /api/traces/{id} while ingesting: %zu lookups (%llu not found), p50 %.2f ms, p99 %.2f ms\n",
              lookups.size(), static_cast<unsigned long long>(missing), pct(0.5), pct(0.99));
  std::printf("peak RSS %.0f MB (server and load generator in one process)\n", ru.ru_maxrss / 1024.0);
  std::filesystem::remove_all(dir);
  return 0;
}
