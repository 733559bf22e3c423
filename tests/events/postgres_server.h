// A throwaway PostgreSQL 15 server for tests: initdb into a temporary directory, listening
// only on a unix socket in that directory, trust authentication. Run as the postgres user
// when the test runs as root (initdb refuses root). Stopped and removed on destruction.
#pragma once

#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace ddbg::testing {

class PostgresServer {
 public:
  static constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

  PostgresServer() {
    char tmpl[] = "/tmp/ddbg-pg-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return;
    dir_ = tmpl;
    std::string as = "";
    if (geteuid() == 0) {
      struct passwd* pw = getpwnam("postgres");
      if (pw == nullptr) {
        error_ = "running as root and there is no postgres user";
        return;
      }
      if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) return;
      as = "runuser -u postgres -- ";
    }
    std::string data = dir_ + "/data";
    std::string init = as + kBin + std::string("/initdb -D ") + data +
                       " -A trust -U postgres --no-sync >" + dir_ + "/initdb.log 2>&1";
    if (std::system(init.c_str()) != 0) {
      error_ = "initdb failed, see " + dir_ + "/initdb.log";
      return;
    }
    std::string start = as + kBin + std::string("/pg_ctl -D ") + data + " -w -l " + dir_ +
                        "/server.log -o \"-k " + dir_ +
                        " -c listen_addresses='' -F\" start >/dev/null 2>&1";
    if (std::system(start.c_str()) != 0) {
      error_ = "pg_ctl start failed, see " + dir_ + "/server.log";
      return;
    }
    as_ = as;
    running_ = true;
  }

  ~PostgresServer() {
    if (running_) {
      std::string stop = as_ + kBin + std::string("/pg_ctl -D ") + dir_ +
                         "/data -m immediate stop >/dev/null 2>&1";
      (void)std::system(stop.c_str());
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  bool running() const { return running_; }
  const std::string& error() const { return error_; }
  std::string url() const { return "postgresql://postgres@/postgres?host=" + dir_; }

  // Runs SQL; returns libpq's error message, empty on success.
  std::string Exec(const std::string& sql) const {
    PGconn* c = PQconnectdb(url().c_str());
    std::string err;
    if (PQstatus(c) != CONNECTION_OK) {
      err = PQerrorMessage(c);
    } else {
      PGresult* r = PQexec(c, sql.c_str());
      if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        err = PQerrorMessage(c);
      }
      PQclear(r);
    }
    PQfinish(c);
    return err;
  }

 private:
  std::string dir_;
  std::string as_;
  std::string error_;
  bool running_ = false;
};

}  // namespace ddbg::testing
