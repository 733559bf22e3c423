#include <limits>

#include "ddbg/model.h"

namespace ddbg {
namespace {
// Shared by both copiers: re-interns a string id of `src` into `dst` through a memo.
StrId MapStr(const StringDict& src, StringDict& dst, IdMemo& memo, StrId id) {
  return memo.Get(id, [&] { return dst.Intern(src.Get(id)); });
}

bool IsStringValued(AttrType t) {
  return t == AttrType::kString || t == AttrType::kBytes || t == AttrType::kArray ||
         t == AttrType::kKvList;
}

template <typename Copier>
void CopyAttrRange(Copier& c, const AttrColumns& from, uint32_t begin, uint32_t end,
                   AttrColumns* to) {
  for (uint32_t a = begin; a < end; ++a) {
    uint64_t v = from.value[a];
    if (IsStringValued(from.type[a])) v = c(static_cast<StrId>(v));
    to->Add(c(from.key[a]), from.type[a], v);
  }
}

template <typename Batch, typename Copier>
uint32_t CopyResource(const Batch& src, Batch* dst, Copier& str, uint32_t r) {
  CopyAttrRange(str, src.resources.attrs, src.resources.attr_off.begin(r),
                src.resources.attr_off.end(r), &dst->resources.attrs);
  return dst->CommitResource(str(src.resources.service[r]));
}

template <typename Batch, typename Copier>
uint32_t CopyScope(const Batch& src, Batch* dst, Copier& str, uint32_t s) {
  CopyAttrRange(str, src.scopes.attrs, src.scopes.attr_off.begin(s), src.scopes.attr_off.end(s),
                &dst->scopes.attrs);
  return dst->CommitScope(str(src.scopes.name[s]), str(src.scopes.version[s]));
}
}  // namespace

void IdMemo::Densify() {
  dense_.assign(universe_, kNone);
  for (const auto& [from, to] : sparse_) dense_[from] = to;
  sparse_ = {};
}

SpanRowCopier::SpanRowCopier(const SpanBatch& src, SpanBatch* dst)
    : src_(src),
      dst_(dst),
      str_map_(src.dict.size()),
      resource_map_(src.resources.size()),
      scope_map_(src.scopes.size()) {}

StrId SpanRowCopier::Str(StrId id) { return MapStr(src_.dict, dst_->dict, str_map_, id); }

void SpanRowCopier::CopyAttrs(const AttrColumns& from, uint32_t begin, uint32_t end,
                              AttrColumns* to) {
  auto str = [this](StrId id) { return Str(id); };
  CopyAttrRange(str, from, begin, end, to);
}

void SpanRowCopier::Copy(size_t i) {
  auto str = [this](StrId id) { return Str(id); };
  SpanRow r = src_.Row(i);
  if (r.resource < src_.resources.size()) {
    r.resource = resource_map_.Get(r.resource, [&] { return CopyResource(src_, dst_, str, r.resource); });
  }
  if (r.scope < src_.scopes.size()) {
    r.scope = scope_map_.Get(r.scope, [&] { return CopyScope(src_, dst_, str, r.scope); });
  }
  r.name = Str(r.name);
  r.status_message = Str(r.status_message);
  r.trace_state = Str(r.trace_state);
  CopyAttrs(src_.attrs, src_.attr_off.begin(i), src_.attr_off.end(i), &dst_->attrs);
  for (uint32_t e = src_.event_off.begin(i); e < src_.event_off.end(i); ++e) {
    CopyAttrs(src_.event_attrs, src_.event_attr_off.begin(e), src_.event_attr_off.end(e),
              &dst_->event_attrs);
    dst_->CommitEvent(src_.event_time_ns[e], Str(src_.event_name[e]));
  }
  for (uint32_t l = src_.link_off.begin(i); l < src_.link_off.end(i); ++l) {
    CopyAttrs(src_.link_attrs, src_.link_attr_off.begin(l), src_.link_attr_off.end(l),
              &dst_->link_attrs);
    dst_->CommitLink(src_.link_trace_id[l], src_.link_span_id[l], Str(src_.link_trace_state[l]));
  }
  dst_->CommitSpan(r);
}

LogRowCopier::LogRowCopier(const LogBatch& src, LogBatch* dst)
    : src_(src),
      dst_(dst),
      str_map_(src.dict.size()),
      resource_map_(src.resources.size()),
      scope_map_(src.scopes.size()) {}

StrId LogRowCopier::Str(StrId id) { return MapStr(src_.dict, dst_->dict, str_map_, id); }

void LogRowCopier::CopyAttrs(const AttrColumns& from, uint32_t begin, uint32_t end,
                             AttrColumns* to) {
  auto str = [this](StrId id) { return Str(id); };
  CopyAttrRange(str, from, begin, end, to);
}

void LogRowCopier::Copy(size_t i) {
  auto str = [this](StrId id) { return Str(id); };
  LogRow r = src_.Row(i);
  if (r.resource < src_.resources.size()) {
    r.resource = resource_map_.Get(r.resource, [&] { return CopyResource(src_, dst_, str, r.resource); });
  }
  if (r.scope < src_.scopes.size()) {
    r.scope = scope_map_.Get(r.scope, [&] { return CopyScope(src_, dst_, str, r.scope); });
  }
  r.severity_text = Str(r.severity_text);
  r.body = Str(r.body);
  r.event_name = Str(r.event_name);
  CopyAttrs(src_.attrs, src_.attr_off.begin(i), src_.attr_off.end(i), &dst_->attrs);
  dst_->CommitLog(r);
  // CommitLog opened an empty parameter range and template 0; carry the mined ones over.
  size_t row = dst_->size() - 1;
  dst_->template_id[row] = src_.template_id[i];
  dst_->param_off.Truncate(row);
  for (uint32_t p = src_.param_off.begin(i); p < src_.param_off.end(i); ++p) {
    dst_->params.push_back(Str(src_.params[p]));
  }
  dst_->param_off.Close(dst_->params.size());
}

}  // namespace ddbg
