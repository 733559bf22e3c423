#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "ddbg/ingest.h"
#include "ddbg/log_templates.h"
#include "ingest/pieces.h"

namespace ddbg {
namespace {

namespace fs = std::filesystem;

// Hands decoded batches from the decoding thread to a thread that appends them to the
// store, so parsing and compression overlap on two cores. At most kDepth batches wait.
class BatchWriter {
 public:
  explicit BatchWriter(Store& store) : store_(store), thread_([this] { Run(); }) {}
  ~BatchWriter() { Close(); }

  Status Push(SpanBatch& spans, LogBatch& logs, EventBatch& events) {
    Item item;
    std::swap(item.spans, spans);
    std::swap(item.logs, logs);
    std::swap(item.events, events);
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return queue_.size() < kDepth || !error_.ok(); });
    if (!error_.ok()) return error_;
    queue_.push_back(std::move(item));
    ready_.notify_one();
    return Status::Ok();
  }

  // Waits until everything pushed is written; returns the first store error.
  Status Close() {
    {
      std::unique_lock lock(mu_);
      if (closed_) return error_;
      closed_ = true;
      ready_.notify_one();
    }
    thread_.join();
    return error_;
  }

 private:
  static constexpr size_t kDepth = 2;
  struct Item {
    SpanBatch spans;
    LogBatch logs;
    EventBatch events;
  };

  void Run() {
    for (;;) {
      Item item;
      {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [&] { return !queue_.empty() || closed_; });
        if (queue_.empty()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      Status st = Write(item);
      std::unique_lock lock(mu_);
      if (!st.ok() && error_.ok()) error_ = st;
      space_.notify_one();
    }
  }

  Status Write(const Item& item) {
    if (!item.spans.empty()) DDBG_RETURN_IF_ERROR(store_.AppendSpans(item.spans));
    if (!item.logs.empty()) DDBG_RETURN_IF_ERROR(store_.AppendLogs(item.logs));
    if (!item.events.empty()) DDBG_RETURN_IF_ERROR(store_.AppendEvents(item.events));
    return Status::Ok();
  }

  Store& store_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::condition_variable space_;
  std::deque<Item> queue_;
  bool closed_ = false;
  Status error_;
  std::thread thread_;
};

bool IsHidden(const fs::path& p) {
  std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// Decoding threads for one large line-oriented file: one per core, the store's writer
// thread overlapping with them.
size_t DecodeThreads() {
  unsigned n = std::thread::hardware_concurrency();
  return std::clamp<size_t>(n, 1, 8);
}

struct PieceResult {
  Status status;  // the decoder's verdict on the piece
  Status finish;  // the last flush to the store
  DecodeStats stats;
};

// Adds up the pieces of one file, rejections in input order. A piece that could not be read
// at all while others could (a stretch of garbage in a large file) becomes a rejection; the
// file fails only when no piece could be read.
Status MergePieces(const std::string& path, std::vector<PieceResult> results, DecodeStats* out) {
  size_t failed = 0;
  for (PieceResult& r : results) {
    out->spans += r.stats.spans;
    out->logs += r.stats.logs;
    out->events += r.stats.events;
    out->warnings += r.stats.warnings;
    out->rejected += r.stats.rejected;
    out->rejections_dropped += r.stats.rejections_dropped;
    for (Rejection& rej : r.stats.rejections) {
      if (out->rejections.size() < DecodeStats::kMaxKeptRejections) {
        out->rejections.push_back(std::move(rej));
      } else {
        ++out->rejections_dropped;
      }
    }
    if (!r.status.ok()) ++failed;
  }
  if (failed == results.size()) return results.front().status;
  for (const PieceResult& r : results) {
    if (r.status.ok()) continue;
    ++out->rejected;
    out->rejections.push_back(Rejection{path, 0, 0, std::string(r.status.message())});
  }
  return Status::Ok();
}

}  // namespace

int IngestReport::ExitCode() const {
  uint64_t accepted = spans + logs + events;
  bool all_clean = rejected == 0 && unreadable_files == 0;
  if (all_clean) return 0;
  bool any_read = accepted > 0 ||
                  std::any_of(files.begin(), files.end(),
                              [](const FileReport& f) { return f.status.ok() && !f.skipped; });
  return any_read ? 2 : 1;
}

Result<std::vector<std::string>> ExpandInputPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) return Status::NotFound(fmt::format("{}: no such file or directory", p));
    if (!fs::is_directory(st)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec);
    if (ec) return Status::IOError(fmt::format("{}: {}", p, ec.message()));
    for (auto end = fs::recursive_directory_iterator(); it != end; it.increment(ec)) {
      if (ec) return Status::IOError(fmt::format("{}: {}", p, ec.message()));
      if (IsHidden(it->path())) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file()) found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

Result<IngestReport> Ingest(const std::vector<std::string>& paths, Store& store,
                            const IngestOptions& options) {
  Result<std::vector<std::string>> files = ExpandInputPaths(paths);
  if (!files.ok()) return files.status();
  IngestReport report;
  std::optional<logs::TemplateSession> templates;
  if (options.mine_log_templates) {
    Result<logs::TemplateSession> session = logs::TemplateSession::Open(store);
    if (session.ok()) {
      templates.emplace(std::move(*session));
    } else if (session.status().code() != StatusCode::kUnsupported) {
      return session.status();
    }
  }
  BatchWriter writer(store);
  IngestProgress progress;
  progress.file_count = files->size();
  auto notify = [&] {
    if (options.on_progress) options.on_progress(progress);
  };

  for (size_t fi = 0; fi < files->size(); ++fi) {
    const std::string& path = (*files)[fi];
    FileReport fr;
    fr.path = path;
    progress.file_index = fi;
    progress.path = path;
    notify();

    Result<InputFile> input = InputFile::Open(path);
    if (!input.ok()) {
      fr.status = input.status();
      report.files.push_back(std::move(fr));
      ++report.unreadable_files;
      continue;
    }
    std::string_view data = input->bytes();
    fr.bytes = data.size();
    report.bytes += fr.bytes;
    fr.format = options.format;
    if (fr.format == Format::kAuto) {
      std::string_view head = data.substr(0, 64 << 10);
      fr.format = DetectFormat(path, head);
    }
    if (data.empty()) {
      fr.status = Status::InvalidArgument(fmt::format("{}: empty file", path));
    } else if (fr.format == Format::kAuto) {
      fr.status = Status::InvalidArgument(
          fmt::format("{}: unrecognised format (use --format to force one)", path));
    } else if (fr.format == Format::kGroundTruth) {
      fr.skipped = true;
    }
    if (!fr.status.ok()) {
      ++report.unreadable_files;
      report.files.push_back(std::move(fr));
      continue;
    }
    if (fr.skipped) {
      report.files.push_back(std::move(fr));
      continue;
    }

    Status store_error;
    std::mutex progress_mu;
    auto flush = [&](SpanBatch& s, LogBatch& l, EventBatch& e) -> Status {
      {
        // Decoding threads share the progress counters and the template session.
        std::lock_guard lock(progress_mu);
        progress.spans += s.size();
        progress.logs += l.size();
        progress.events += e.size();
        if (templates && !l.empty()) {
          Status mined = templates->MineBatch(&l);
          if (!mined.ok()) {
            if (store_error.ok()) store_error = mined;
            return mined;
          }
        }
      }
      Status st = writer.Push(s, l, e);
      std::lock_guard lock(progress_mu);
      if (!st.ok() && store_error.ok()) store_error = st;
      notify();
      return st;
    };
    std::vector<InputPiece> pieces = SplitInput(fr.format, data, DecodeThreads());
    std::vector<PieceResult> results(pieces.size());
    auto decode_piece = [&](size_t i) {
      DecodeContext ctx(path, flush, options.flush_bytes);
      ctx.SetPosition(pieces[i].first_line, pieces[i].first_offset);
      results[i].status = DecodeBuffer(fr.format, pieces[i].bytes, ctx);
      results[i].finish = ctx.Finish();
      results[i].stats = std::move(ctx.stats);
    };
    std::vector<std::thread> threads;
    for (size_t i = 1; i < pieces.size(); ++i) threads.emplace_back(decode_piece, i);
    decode_piece(0);
    for (std::thread& t : threads) t.join();
    if (!store_error.ok()) return store_error;
    for (const PieceResult& r : results) DDBG_RETURN_IF_ERROR(r.finish);
    fr.status = MergePieces(path, std::move(results), &fr.stats);
    const Status& st = fr.status;
    report.spans += fr.stats.spans;
    report.logs += fr.stats.logs;
    report.events += fr.stats.events;
    report.rejected += fr.stats.rejected;
    if (!st.ok()) ++report.unreadable_files;
    report.files.push_back(std::move(fr));
  }
  DDBG_RETURN_IF_ERROR(writer.Close());
  return report;
}

}  // namespace ddbg
