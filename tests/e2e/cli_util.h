// Helpers shared by the end-to-end tests: run the built ddbg binary, read its output.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace ddbg_e2e {

struct CmdResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

// Runs a shell command line (stderr joined to stdout).
inline CmdResult Shell(const std::string& line) {
  std::string cmd = line + " 2>&1";
  CmdResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline CmdResult Ddbg(const std::string& args) { return Shell(std::string(DDBG_BINARY) + " " + args); }

// A fresh, empty directory under the temp dir, unique to this process.
inline std::string TempDir(const std::string& name) {
  namespace fs = std::filesystem;
  fs::path p = fs::temp_directory_path() / ("ddbg-e2e-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

// Extracts an integer field from a flat JSON object such as `ddbg stats --format json`.
inline int64_t JsonInt(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return -1;
  return std::stoll(json.substr(at + key.size() + 3));
}

// `ddbg simulate --out DIR/in SIM_ARGS`, then `ddbg ingest -q --data DIR/data DIR/in`; true
// when both succeed.
inline bool SimulateAndIngest(const std::string& dir, const std::string& sim_args) {
  return Ddbg("simulate --out " + dir + "/in " + sim_args).exit_code == 0 &&
         Ddbg("ingest -q --data " + dir + "/data " + dir + "/in").exit_code == 0;
}

}  // namespace ddbg_e2e
