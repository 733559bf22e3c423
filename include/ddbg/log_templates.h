// Log templates in the store: each ingested log record carries the id of its template
// (LogBatch::template_id, 0 = not mined) and the values at the template's variables
// (LogBatch::params); the template table itself is the store blob "log_templates".
// A TemplateSession mines batches on the way into the store and merges its templates into
// the table before each batch is appended, so that concurrent ingests agree on ids.
// Thread-safety: a session is used by one thread.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "ddbg/logmine.h"
#include "ddbg/store.h"

namespace ddbg::logs {

inline constexpr char kTemplatesBlob[] = "log_templates";

// The table as text: a first line "ddbg-templates 1", then one line per template
// "<id>\t<count>\t<template text>".
std::string FormatTemplateTable(const std::vector<TemplateInfo>& templates);
Result<std::vector<TemplateInfo>> ParseTemplateTable(std::string_view text);

// The stored templates, by id (index 0 unused; missing ids have id 0).
Result<std::vector<TemplateInfo>> LoadTemplates(Store& store);

// The text mined for a log record: its body without the line header.
std::string_view MinedText(const LogBatch& batch, size_t row);

// A miner holding the stored templates under their ids, for readers that meet records
// stored without a template id: `miner.Add(MinedText(b, i))` then gives the id the stored
// table would have given.
Result<TemplateMiner> RestoredMiner(Store& store, const MinerOptions& options = {.threads = 1});

class TemplateSession {
 public:
  // Restores the stored templates into a miner.
  static Result<TemplateSession> Open(Store& store, const MinerOptions& options = {});

  // Sets template_id and params of every record of `batch`, merging new templates into the
  // stored table (ids already in the table are kept).
  Status MineBatch(LogBatch* batch);

 private:
  explicit TemplateSession(Store& store, const MinerOptions& options)
      : store_(&store), miner_(options) {}
  Status Publish();

  Store* store_;
  TemplateMiner miner_;
  uint32_t restored_ = 0;
  std::unordered_map<uint32_t, uint32_t> stored_id_;  // miner id -> table id
  std::unordered_map<uint32_t, uint64_t> unpublished_count_;  // miner id -> new records
};

}  // namespace ddbg::logs
