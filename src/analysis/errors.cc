// Errors: per trace, descend from the outermost failing span through the earliest failing
// child, then through children that ran until their parent gave up (timeouts); aggregate
// origins, cascades, retries, timeout clusters and error groups in the same pass.
#include "ddbg/errors.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <unordered_map>

#include "analysis/trace_children.h"
#include "util/time_format.h"

namespace ddbg {
namespace {

// Parts joined with `sep`, built by appending (one buffer, no temporaries).
std::string JoinKey(std::initializer_list<std::string_view> parts, std::string_view sep) {
  std::string key;
  bool first = true;
  for (std::string_view p : parts) {
    if (!first) key.append(sep);
    key.append(p);
    first = false;
  }
  return key;
}

ErrorSpan MakeErrorSpan(const SpanTable& t, uint32_t row) {
  ErrorSpan e;
  e.row = row;
  e.span_id = t.span_id[row];
  e.service = std::string(t.str(t.service[row]));
  e.operation = std::string(t.str(t.name[row]));
  e.instance = std::string(t.str(t.instance[row]));
  e.type = std::string(t.str(t.error_type[row]));
  e.message = std::string(t.str(t.error_message[row]));
  e.start_ns = t.start_ns[row];
  e.end_ns = t.end_ns[row];
  e.error = t.is_error(row);
  return e;
}

// A child that ran (almost) until its parent ended and took most of its time: the parent
// gave up waiting on it.
int64_t BudgetChild(const SpanTable& t, const TraceChildren& ch, uint32_t local) {
  uint32_t row = ch.base() + local;
  int64_t dur = t.duration_ns(row);
  int64_t tol = std::max<int64_t>(dur / 100, 1000000);
  for (const uint32_t* c = ch.begin(local); c != ch.end(local); ++c) {
    uint32_t r = ch.base() + *c;
    if (t.end_ns[r] >= t.end_ns[row] - tol && t.duration_ns(r) * 10 >= dur * 9) return *c;
  }
  return -1;
}

// The service a span called: for a CLIENT span, the service of its first child in another
// service; else (or when the callee is not instrumented) the span's own service.
StrId CalleeService(const SpanTable& t, const TraceChildren& ch, uint32_t local) {
  uint32_t row = ch.base() + local;
  if (t.kind[row] == SpanKind::kClient) {
    for (const uint32_t* c = ch.begin(local); c != ch.end(local); ++c) {
      if (t.service[ch.base() + *c] != t.service[row]) return t.service[ch.base() + *c];
    }
  }
  return t.service[row];
}

bool IsDigitOrHexRun(std::string_view s) {
  bool digit = false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) digit = true;
    else if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != ':') return false;
  }
  return digit;
}

struct CountAcc {
  ErrorCount c;
  void Add(int64_t time, bool origin, TraceId trace, size_t examples) {
    if (c.errors == 0 || time < c.first_ns) c.first_ns = time;
    if (c.errors == 0 || time > c.last_ns) c.last_ns = time;
    ++c.errors;
    c.origins += origin;
    if (c.examples.size() < examples &&
        std::find(c.examples.begin(), c.examples.end(), trace) == c.examples.end()) {
      c.examples.push_back(trace);
    }
  }
};

std::vector<ErrorCount> Sorted(std::map<std::string, CountAcc>& m) {
  std::vector<ErrorCount> out;
  for (auto& [key, acc] : m) {
    acc.c.key = key;
    out.push_back(std::move(acc.c));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.errors > b.errors; });
  return out;
}

}  // namespace

std::string MessageTemplate(std::string_view m) {
  std::string out;
  size_t i = 0;
  while (i < m.size()) {
    char c = m[i];
    if (c == '"' || c == '\'') {
      size_t j = m.find(c, i + 1);
      if (j != std::string_view::npos) {
        out += "<*>";
        i = j + 1;
        continue;
      }
    }
    if (std::isalnum(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < m.size() && (std::isalnum(static_cast<unsigned char>(m[j])) || m[j] == '-' ||
                              m[j] == '.' || m[j] == ':' || m[j] == '_')) {
        ++j;
      }
      std::string_view word = m.substr(i, j - i);
      while (!word.empty() && (word.back() == '.' || word.back() == ':')) word.remove_suffix(1);
      j = i + word.size();
      if (word.empty()) j = i + 1;
      if (!word.empty() && IsDigitOrHexRun(word)) {
        out += "<*>";
      } else {
        out.append(m.substr(i, j - i));
      }
      i = j;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

std::vector<ErrorSpan> TraceErrors::Cascade() const {
  std::vector<ErrorSpan> out;
  out.push_back(origin);
  out.insert(out.end(), propagated.begin(), propagated.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.end_ns < b.end_ns; });
  return out;
}

namespace {

// Whether the first failing caller in another service than the origin's gave up before
// the origin's service had failed (its last failing span there ended). A margin of 1% of
// the caller's duration (at least 1ms) absorbs clock skew between the two services.
bool CallerTimedOut(const TraceErrors& te) {
  int64_t origin_end = te.origin.end_ns;
  for (const ErrorSpan& e : te.propagated) {
    if (e.service == te.origin.service) {
      origin_end = std::max(origin_end, e.end_ns);
      continue;
    }
    int64_t margin = std::max<int64_t>((e.end_ns - e.start_ns) / 100, 1000000);
    return e.end_ns + margin < origin_end;
  }
  return false;
}

TraceErrors TraceErrorsWith(const SpanTable& t, size_t tr, const TraceChildren& ch,
                            bool* has_errors) {
  TraceErrors te;
  te.trace_id = t.trace_id[tr];
  const uint32_t base = ch.base();
  // The outermost failing span: the root when it failed, else the earliest failing span
  // with no failing ancestor.
  int64_t start = -1;
  for (uint32_t i = 0; i < ch.size(); ++i) {
    if (!t.is_error(base + i)) continue;
    bool top = true;
    for (int32_t p = ch.parent(i); p >= 0; p = ch.parent(p)) {
      if (t.is_error(base + p)) {
        top = false;
        break;
      }
    }
    if (!top) continue;
    auto rank = [&](uint32_t k) {  // roots first, then the earliest
      return std::make_pair(ch.parent(k) < 0 ? 0 : 1, t.start_ns[base + k]);
    };
    if (start < 0 || rank(i) < rank(static_cast<uint32_t>(start))) start = i;
  }
  *has_errors = start >= 0;
  if (start < 0) return te;
  te.root_failed = ch.parent(start) < 0;
  uint32_t cur = static_cast<uint32_t>(start);
  std::vector<uint32_t> chain{cur};
  while (true) {
    int64_t next = -1;
    for (const uint32_t* c = ch.begin(cur); c != ch.end(cur); ++c) {
      if (t.is_error(base + *c)) {
        next = *c;  // children are in start order: the earliest failure
        break;
      }
    }
    if (next < 0) next = BudgetChild(t, ch, cur);
    if (next < 0) break;
    cur = static_cast<uint32_t>(next);
    chain.push_back(cur);
  }
  te.origin = MakeErrorSpan(t, base + cur);
  te.origin_is_timeout = !te.origin.error;
  std::vector<uint8_t> in_chain(ch.size(), 0);
  for (uint32_t i : chain) in_chain[i] = 1;
  for (size_t k = chain.size() - 1; k-- > 0;) {
    if (t.is_error(base + chain[k])) te.propagated.push_back(MakeErrorSpan(t, base + chain[k]));
  }
  for (uint32_t i = 0; i < ch.size(); ++i) {
    if (!in_chain[i] && t.is_error(base + i)) te.other.push_back(MakeErrorSpan(t, base + i));
  }
  return te;
}

}  // namespace

TraceErrors AnalyzeTraceErrors(const SpanTable& t, size_t tr, bool* has_errors) {
  TraceChildren ch;
  ch.Build(t, tr);
  return TraceErrorsWith(t, tr, ch, has_errors);
}

ErrorAnalysis AnalyzeErrors(const SpanTable& t, const ErrorOptions& opt) {
  ErrorAnalysis out;
  out.traces = t.traces();
  std::map<std::string, CountAcc> origins, groups, windows, services, instances;
  std::map<std::vector<std::string>, CascadePattern> cascades;
  std::map<std::tuple<StrId, StrId, StrId, StrId>, RetryPattern> retries;
  std::unordered_map<uint64_t, std::vector<std::pair<int64_t, uint32_t>>> failing_durations;
  TraceChildren ch;
  for (size_t tr = 0; tr < t.traces(); ++tr) {
    ch.Build(t, tr);
    bool has = false;
    TraceErrors te = TraceErrorsWith(t, tr, ch, &has);
    if (!has) continue;
    ++out.traces_with_errors;
    out.failing_traces += te.root_failed;
    TraceId id = t.trace_id[tr];
    origins[JoinKey({te.origin.service, te.origin.operation}, " / ")].Add(te.origin.start_ns, true, id, opt.examples);
    std::vector<std::string> path{te.origin.service};
    for (const ErrorSpan& e : te.propagated) {
      if (path.back() != e.service) path.push_back(e.service);
    }
    CascadePattern& cp = cascades[path];
    if (cp.traces++ == 0) cp.example = id;
    cp.callers_timed_out += CallerTimedOut(te);
    for (uint32_t i = 0; i < ch.size(); ++i) {
      uint32_t r = ch.base() + i;
      if (!t.is_error(r)) continue;
      ++out.error_spans;
      bool origin = r == te.origin.row;
      std::string svc(t.str(t.service[r]));
      std::string type(t.str(t.error_type[r]));
      std::string tmpl = MessageTemplate(t.str(t.error_message[r]));
      CountAcc& g = groups[JoinKey({svc, type, tmpl}, "\x1f")];
      g.c.service = svc;
      g.c.type = type;
      g.c.template_text = tmpl;
      g.Add(t.start_ns[r], origin, id, opt.examples);
      int64_t w = t.start_ns[r] - (t.start_ns[r] % opt.window_ns + opt.window_ns) % opt.window_ns;
      windows[FormatRfc3339(w, 0)].Add(t.start_ns[r], origin, id, opt.examples);
      services[svc].Add(t.start_ns[r], origin, id, opt.examples);
      instances[JoinKey({svc, t.str(t.instance[r])}, " / ")].Add(t.start_ns[r], origin, id, opt.examples);
      failing_durations[(static_cast<uint64_t>(t.service[r]) << 32) | t.name[r]].emplace_back(
          t.duration_ns(r), static_cast<uint32_t>(tr));
    }
    // Retries: consecutive same-operation siblings after a failed attempt.
    for (uint32_t i = 0; i < ch.size(); ++i) {
      const uint32_t* c = ch.begin(i);
      uint32_t n = ch.count(i);
      for (uint32_t k = 0; k < n;) {
        uint32_t r0 = ch.base() + c[k];
        uint32_t j = k + 1;
        uint32_t retried = 0;
        bool failed_before = t.is_error(r0);
        while (j < n && t.service[ch.base() + c[j]] == t.service[r0] &&
               t.name[ch.base() + c[j]] == t.name[r0]) {
          if (failed_before) ++retried;
          failed_before = t.is_error(ch.base() + c[j]);
          ++j;
        }
        if (retried > 0) {
          uint32_t pr = ch.base() + i;
          RetryPattern& rp = retries[{t.service[pr], t.name[pr], t.service[r0], t.name[r0]}];
          if (rp.traces == 0) rp.target_service = std::string(t.str(CalleeService(t, ch, c[k])));
          ++rp.traces;
          rp.retries += retried;
          rp.max_attempts = std::max(rp.max_attempts, j - k);
          if (rp.examples.size() < opt.examples) rp.examples.push_back(id);
        }
        k = j;
      }
    }
    if (te.root_failed && out.per_trace.size() < opt.max_traces) out.per_trace.push_back(std::move(te));
  }
  out.origins = Sorted(origins);
  out.groups = Sorted(groups);
  out.by_window = Sorted(windows);
  std::sort(out.by_window.begin(), out.by_window.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
  out.by_service = Sorted(services);
  out.by_instance = Sorted(instances);
  for (auto& [path, cp] : cascades) {
    cp.services = path;
    out.cascades.push_back(std::move(cp));
  }
  std::stable_sort(out.cascades.begin(), out.cascades.end(),
                   [](const auto& a, const auto& b) { return a.traces > b.traces; });
  for (auto& [key, rp] : retries) {
    rp.parent_service = std::string(t.str(std::get<0>(key)));
    rp.parent_operation = std::string(t.str(std::get<1>(key)));
    rp.service = std::string(t.str(std::get<2>(key)));
    rp.operation = std::string(t.str(std::get<3>(key)));
    out.retries.push_back(std::move(rp));
  }
  std::stable_sort(out.retries.begin(), out.retries.end(),
                   [](const auto& a, const auto& b) { return a.retries > b.retries; });
  // Timeout clusters: failing durations piling up within ±2% of one value.
  for (auto& [key, durs] : failing_durations) {
    if (durs.size() < 5) continue;
    std::sort(durs.begin(), durs.end());
    size_t best_lo = 0, best_n = 0;
    for (size_t lo = 0, hi = 0; lo < durs.size(); ++lo) {
      while (hi < durs.size() && durs[hi].first <= durs[lo].first + durs[lo].first / 25) ++hi;
      if (hi - lo > best_n) {
        best_n = hi - lo;
        best_lo = lo;
      }
    }
    if (best_n < 5 || best_n * 10 < durs.size() * 3) continue;
    TimeoutCluster tc;
    tc.service = std::string(t.str(static_cast<StrId>(key >> 32)));
    tc.operation = std::string(t.str(static_cast<StrId>(key & 0xffffffffu)));
    tc.value_ns = durs[best_lo + best_n / 2].first;
    tc.count = best_n;
    tc.errors = durs.size();
    for (size_t k = best_lo; k < best_lo + best_n && tc.examples.size() < opt.examples; ++k) {
      TraceId id = t.trace_id[durs[k].second];
      if (std::find(tc.examples.begin(), tc.examples.end(), id) == tc.examples.end()) tc.examples.push_back(id);
    }
    out.timeouts.push_back(std::move(tc));
  }
  std::sort(out.timeouts.begin(), out.timeouts.end(),
            [](const auto& a, const auto& b) { return a.count > b.count; });
  return out;
}

}  // namespace ddbg
