// Assembles `ddbg serve`: live store, WAL replay, ingest pipeline, HTTP listeners (OTLP and
// query) and the gRPC receiver; and takes them down in the right order.
#include "ddbg/server.h"

#include <httplib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "server/auth.h"
#include "server/otlp_grpc.h"
#include "server/otlp_http.h"
#include "server/query_api.h"
#include "server/server_context.h"
#include "store/embedded/file_io.h"

namespace ddbg {
namespace server {
namespace {

constexpr uint64_t kWalFileBytes = 64ull << 20;
// OTLP request threads run at this nice level, so that when ingest saturates the CPU a
// query (a lookup from the Jaeger UI) is scheduled ahead of decoding the next batch.
constexpr int kIngestNice = 5;

// A pool whose threads lower their own scheduling priority (Linux priorities are per
// thread) before their first request.
class NicedThreadPool final : public httplib::ThreadPool {
 public:
  NicedThreadPool(size_t threads, int nice) : httplib::ThreadPool(threads), nice_(nice) {}
  void enqueue(std::function<void()> fn) override {
    httplib::ThreadPool::enqueue([fn = std::move(fn), nice = nice_] {
      thread_local bool lowered = false;
      if (!lowered) {
        ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice);
        lowered = true;
      }
      fn();
    });
  }

 private:
  int nice_;
};

class Listener {
 public:
  Listener(ServerContext& ctx, int threads, int nice = 0) {
    http_.new_task_queue = [threads, nice]() -> httplib::TaskQueue* {
      if (nice == 0) return new httplib::ThreadPool(threads);
      return new NicedThreadPool(threads, nice);
    };
    http_.set_payload_max_length(ctx.options.max_request_bytes);
    // Headers and body go out in separate writes: without TCP_NODELAY a small answer
    // waits for the client's delayed ACK (~40 ms) on a keep-alive connection.
    http_.set_tcp_nodelay(true);
    http_.set_keep_alive_max_count(1u << 30);
    http_.set_keep_alive_timeout(30);
    http_.set_read_timeout(30);
    InstallBearerAuth(http_, ctx.options.token, *ctx.metrics);
    AddOpsRoutes(http_, ctx);
  }
  httplib::Server& http() { return http_; }
  // Binds; returns the port.
  Result<int> Bind(const std::string& host, int port) {
    int bound = port == 0 ? http_.bind_to_any_port(host) : (http_.bind_to_port(host, port) ? port : -1);
    if (bound <= 0) {
      return Status::IOError("cannot listen on " + host + ":" + std::to_string(port));
    }
    thread_ = std::thread([this] { http_.listen_after_bind(); });
    // stop() is a no-op until the accept loop runs: wait for it, or a quick Stop() would hang.
    for (int waited = 0; !http_.is_running(); ++waited) {
      if (waited > 5000) return Status::Internal("HTTP listener did not start");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return bound;
  }
  void Stop() {
    http_.stop();
    if (thread_.joinable()) thread_.join();
  }
  ~Listener() { Stop(); }

 private:
  httplib::Server http_;
  std::thread thread_;
};

class LiveServer final : public Server {
 public:
  ServerPorts ports() const override { return ports_; }
  uint64_t replayed() const override { return replayed_; }
  Status Stop() override {
    if (stopped_) return Status::Ok();
    stopped_ = true;
    ctx_.ready = false;
    // No new requests; requests in flight finish (their WAL appends complete).
    if (grpc_) grpc_->Shutdown();
    if (otlp_) otlp_->Stop();
    if (query_) query_->Stop();
    Status st = pipeline_ ? pipeline_->Stop() : Status::Ok();
    if (wal_) wal_->Close();
    return st;
  }
  ~LiveServer() override { Stop(); }

  Status Init(const ServerOptions& options) {
    ctx_.options = options;
    auto store = LiveStore::Open(options.data_dir, options.cache_bytes, options.query_cache_bytes);
    if (!store.ok()) return store.status();
    store_ = std::move(store).value();
    auto wal = Wal::Open(store::JoinPath(options.data_dir, "wal"), kWalFileBytes);
    if (!wal.ok()) return wal.status();
    wal_ = std::move(wal).value();
    IngestLimits limits;
    limits.max_queue_bytes = options.max_queue_bytes;
    limits.max_head_bytes = options.max_head_bytes;
    pipeline_ = std::make_unique<IngestPipeline>(*store_, *wal_, metrics_, limits);
    operations_ = std::make_unique<OperationsIndex>(*store_);
    ctx_.store = store_.get();
    ctx_.operations = operations_.get();
    ctx_.pipeline = pipeline_.get();
    ctx_.metrics = &metrics_;
    auto replayed = pipeline_->Replay();
    if (!replayed.ok()) return replayed.status();
    replayed_ = *replayed;
    pipeline_->StartSealer();
    return StartListeners(options);
  }

 private:
  Status StartListeners(const ServerOptions& options) {
    if (options.otlp_http_port >= 0) {
      otlp_ = std::make_unique<Listener>(ctx_, options.http_threads, kIngestNice);
      AddOtlpHttpRoutes(otlp_->http(), ctx_);
      // The same port may also serve the query API.
      if (options.http_port == options.otlp_http_port && options.http_port > 0) {
        AddQueryRoutes(otlp_->http(), ctx_);
      }
      auto port = otlp_->Bind(options.listen, options.otlp_http_port);
      if (!port.ok()) return port.status();
      ports_.otlp_http = *port;
    }
    if (options.http_port >= 0 && options.http_port != ports_.otlp_http) {
      query_ = std::make_unique<Listener>(ctx_, 8);
      AddQueryRoutes(query_->http(), ctx_);
      auto port = query_->Bind(options.listen, options.http_port);
      if (!port.ok()) return port.status();
      ports_.http = *port;
    } else if (options.http_port >= 0) {
      ports_.http = ports_.otlp_http;
    }
    if (options.otlp_grpc_port >= 0) {
      auto grpc = OtlpGrpcReceiver::Start(ctx_, options.listen, options.otlp_grpc_port);
      if (!grpc.ok()) return grpc.status();
      grpc_ = std::move(grpc).value();
      ports_.otlp_grpc = grpc_->port();
    }
    ctx_.ready = true;
    return Status::Ok();
  }

  ServerContext ctx_;
  Metrics metrics_;
  std::unique_ptr<LiveStore> store_;
  std::unique_ptr<OperationsIndex> operations_;
  std::unique_ptr<Wal> wal_;
  std::unique_ptr<IngestPipeline> pipeline_;
  std::unique_ptr<Listener> otlp_;
  std::unique_ptr<Listener> query_;
  std::unique_ptr<OtlpGrpcReceiver> grpc_;
  ServerPorts ports_;
  uint64_t replayed_ = 0;
  bool stopped_ = false;
};

}  // namespace
}  // namespace server

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  auto s = std::make_unique<server::LiveServer>();
  Status st = s->Init(options);
  if (!st.ok()) {
    s->Stop();
    return st;
  }
  return std::unique_ptr<Server>(std::move(s));
}

Result<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(path + ": cannot read the token file");
  std::string line;
  std::getline(in, line);
  size_t b = line.find_first_not_of(" \t\r\n");
  size_t e = line.find_last_not_of(" \t\r\n");
  if (b == std::string::npos) return Status::InvalidArgument(path + ": the token file is empty");
  return line.substr(b, e - b + 1);
}

}  // namespace ddbg
