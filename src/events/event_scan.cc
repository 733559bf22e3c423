// ScanEventsShared: one column scan of the events handed to several consumers, so analyses
// that each need every event (integrity, consistency, the report's digest) decode the
// segments once between them and share what they learn from them (SegmentFacts).
#include "ddbg/events.h"

namespace ddbg {

Status ScanEventsShared(Store& store, const ScanFilter& filter, int threads,
                        const std::vector<EventScanConsumer*>& consumers) {
  if (consumers.empty()) return Status::Ok();
  EventColumnScan scan;
  scan.columns = 0;
  for (const EventScanConsumer* c : consumers) scan.columns |= c->columns();
  scan.threads = threads;
  std::string key;
  for (const EventScanConsumer* c : consumers) {
    if (key.empty()) key = c->entity_key();
  }
  return store.ScanEventColumns(filter, scan, [&](EventColumns& segment) {
    SegmentFacts facts(segment, key);
    for (EventScanConsumer* c : consumers) DDBG_RETURN_IF_ERROR(c->Consume(segment, facts));
    return Status::Ok();
  });
}

}  // namespace ddbg
