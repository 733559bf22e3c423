// ScanEventsShared: one column scan of the events handed to several consumers, so analyses
// that each need every event (integrity, consistency, the report's digest) decode the
// segments once between them.
#include "ddbg/events.h"

namespace ddbg {

Status ScanEventsShared(Store& store, const ScanFilter& filter, int threads,
                        const std::vector<EventScanConsumer*>& consumers) {
  if (consumers.empty()) return Status::Ok();
  EventColumnScan scan;
  scan.columns = 0;
  for (const EventScanConsumer* c : consumers) scan.columns |= c->columns();
  scan.threads = threads;
  return store.ScanEventColumns(filter, scan, [&](EventColumns& segment) {
    for (EventScanConsumer* c : consumers) DDBG_RETURN_IF_ERROR(c->Consume(segment));
    return Status::Ok();
  });
}

}  // namespace ddbg
