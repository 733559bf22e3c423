// Named blobs of the embedded store: one file "blob-<name>" per blob in the store
// directory, replaced atomically (temp file, fsync, rename) while holding the LOCK.
#include <fmt/format.h>

#include "store/embedded/embedded_store.h"
#include "store/embedded/file_io.h"

namespace ddbg {

Result<std::string> Store::ReadBlob(const std::string& name) {
  return Status::Unsupported("this store keeps no named blobs");
}

Status Store::UpdateBlob(const std::string& name, const std::function<Status(std::string*)>& fn) {
  return Status::Unsupported("this store keeps no named blobs");
}

namespace store {
namespace {

Status CheckBlobName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  }
  return ok ? Status::Ok()
            : Status::InvalidArgument(fmt::format("blob name '{}' is not [a-z0-9_-]+", name));
}

std::string BlobFileName(const std::string& name) { return "blob-" + name; }

}  // namespace

Result<std::string> EmbeddedStore::ReadBlob(const std::string& name) {
  DDBG_RETURN_IF_ERROR(CheckBlobName(name));
  std::string path = JoinPath(dir_, BlobFileName(name));
  std::string data;
  if (!PathExists(path)) return data;
  DDBG_RETURN_IF_ERROR(ReadWholeFile(path, &data));
  return data;
}

Status EmbeddedStore::UpdateBlob(const std::string& name,
                                 const std::function<Status(std::string*)>& fn) {
  DDBG_RETURN_IF_ERROR(CheckBlobName(name));
  if (options_.read_only) return Status::InvalidArgument(dir_ + ": store opened read-only");
  std::lock_guard guard(append_mu_);
  FileLock lock;
  DDBG_RETURN_IF_ERROR(lock.Lock(JoinPath(dir_, kLockName)));
  Result<std::string> current = ReadBlob(name);
  if (!current.ok()) return current.status();
  DDBG_RETURN_IF_ERROR(fn(&*current));
  return WriteFileAtomically(dir_, BlobFileName(name), *current);
}

}  // namespace store
}  // namespace ddbg
