#include "sim/messages.h"

#include "sim/json_out.h"

namespace ddbg::sim {
namespace {

template <size_t N>
const char* Pick(const char* const (&items)[N], Rng& rng) {
  return items[rng.Below(N)];
}

void AppendIp(std::string& out, Rng& rng) {
  out += "10.";
  AppendUint(out, rng.Below(4));
  out.push_back('.');
  AppendUint(out, rng.Below(256));
  out.push_back('.');
  AppendUint(out, 1 + rng.Below(254));
}

}  // namespace

bool Retryable(ErrClass cls) {
  return cls == ErrClass::kUnavailable || cls == ErrClass::kTimeout ||
         cls == ErrClass::kPoolExhausted;
}

int HttpStatus(ErrClass cls) {
  switch (cls) {
    case ErrClass::kNone:
      return 200;
    case ErrClass::kInternal:
      return 500;
    case ErrClass::kUnavailable:
      return 503;
    case ErrClass::kTimeout:
      return 504;
    case ErrClass::kDeclined:
      return 402;
    case ErrClass::kDatabase:
      return 500;
    case ErrClass::kPoolExhausted:
      return 503;
    case ErrClass::kDownstream:
      return 502;
    case ErrClass::kDownstreamTimeout:
      return 504;
  }
  return 500;
}

int GrpcStatus(ErrClass cls) {
  switch (cls) {
    case ErrClass::kNone:
      return 0;
    case ErrClass::kInternal:
      return 13;
    case ErrClass::kUnavailable:
      return 14;
    case ErrClass::kTimeout:
      return 4;
    case ErrClass::kDeclined:
      return 9;
    case ErrClass::kDatabase:
      return 13;
    case ErrClass::kPoolExhausted:
      return 8;
    case ErrClass::kDownstream:
      return 13;
    case ErrClass::kDownstreamTimeout:
      return 4;
  }
  return 2;
}

const char* GrpcStatusName(int code) {
  switch (code) {
    case 0:
      return "OK";
    case 2:
      return "UNKNOWN";
    case 4:
      return "DEADLINE_EXCEEDED";
    case 8:
      return "RESOURCE_EXHAUSTED";
    case 9:
      return "FAILED_PRECONDITION";
    case 13:
      return "INTERNAL";
    case 14:
      return "UNAVAILABLE";
  }
  return "UNKNOWN";
}

ErrorText BackgroundError(const std::string& language, Rng& rng) {
  static const ErrorText kJava[] = {
      {"java.lang.IllegalStateException", "request context already committed"},
      {"java.util.ConcurrentModificationException", "null"},
      {"java.lang.NumberFormatException", "For input string: \"NaN\""},
  };
  static const ErrorText kGo[] = {
      {"*errors.errorString", "invalid memory address or nil pointer dereference"},
      {"*json.SyntaxError", "invalid character '<' looking for beginning of value"},
      {"*errors.errorString", "context canceled"},
  };
  static const ErrorText kPython[] = {
      {"KeyError", "'customer_id'"},
      {"AttributeError", "'NoneType' object has no attribute 'get'"},
      {"ValueError", "invalid literal for int() with base 10: ''"},
  };
  static const ErrorText kNode[] = {
      {"TypeError", "Cannot read properties of undefined (reading 'id')"},
      {"RangeError", "Maximum call stack size exceeded"},
      {"SyntaxError", "Unexpected token < in JSON at position 0"},
  };
  static const ErrorText kRust[] = {
      {"serde_json::Error", "missing field `amount` at line 1 column 58"},
      {"anyhow::Error", "called `Option::unwrap()` on a `None` value"},
      {"std::io::Error", "Broken pipe (os error 32)"},
  };
  const ErrorText* table = language == "java"     ? kJava
                           : language == "go"     ? kGo
                           : language == "python" ? kPython
                           : language == "nodejs" ? kNode
                                                  : kRust;
  return table[rng.Below(3)];
}

const char* TransientMessage(Rng& rng) {
  static const char* const kMessages[] = {
      "upstream connect error or disconnect/reset before headers. reset reason: connection "
      "termination",
      "connection reset by peer",
      "no healthy upstream",
      "server is shutting down",
  };
  return Pick(kMessages, rng);
}

const char* DatabaseMessage(const std::string& system, Rng& rng) {
  if (system == "redis") {
    static const char* const kRedis[] = {"READONLY You can't write against a read only replica.",
                                         "LOADING Redis is loading the dataset in memory",
                                         "i/o timeout"};
    return Pick(kRedis, rng);
  }
  if (system == "postgresql") {
    static const char* const kPg[] = {
        "deadlock detected",
        "could not serialize access due to concurrent update",
        "canceling statement due to statement timeout",
        "terminating connection due to administrator command",
    };
    return Pick(kPg, rng);
  }
  if (system == "elasticsearch") return "es_rejected_execution_exception: rejected execution";
  if (system == "mongodb") return "connection pool for reviews-mongo:27017 was cleared";
  return "Code: 252. Too many partitions for single INSERT block";
}

const char* DatabaseExceptionType(const std::string& language) {
  if (language == "java") return "org.postgresql.util.PSQLException";
  if (language == "go") return "*pgconn.PgError";
  if (language == "python") return "psycopg2.errors.OperationalError";
  if (language == "nodejs") return "DatabaseError";
  return "sqlx::Error";
}

const char* PoolExceptionType(const std::string& language) {
  if (language == "java") return "java.sql.SQLTransientConnectionException";
  if (language == "go") return "*pgxpool.ErrAcquireTimeout";
  if (language == "python") return "sqlalchemy.exc.TimeoutError";
  if (language == "nodejs") return "TimeoutError";
  return "sqlx::Error::PoolTimedOut";
}

const char* DownstreamExceptionType(const std::string& language, Protocol protocol, bool timeout) {
  bool grpc = protocol == Protocol::kGrpc;
  if (language == "java") {
    if (grpc) return "io.grpc.StatusRuntimeException";
    return timeout ? "java.net.SocketTimeoutException"
                   : "org.springframework.web.client.HttpServerErrorException";
  }
  if (language == "go") {
    if (timeout) return "context.deadlineExceededError";
    return grpc ? "*status.Error" : "*url.Error";
  }
  if (language == "python") {
    if (grpc) return "grpc.RpcError";
    return timeout ? "requests.exceptions.ReadTimeout" : "requests.exceptions.HTTPError";
  }
  if (language == "nodejs") return timeout ? "TimeoutError" : "AxiosError";
  return grpc ? "tonic::Status" : "reqwest::Error";
}

const char* DeclineReason(Rng& rng) {
  static const char* const kReasons[] = {"card_expired", "insufficient_funds", "do_not_honor",
                                         "card_declined", "incorrect_cvc"};
  return Pick(kReasons, rng);
}

const char* UnavailableExceptionType(const std::string& language) {
  if (language == "java") return "org.springframework.web.server.ResponseStatusException";
  if (language == "go") return "*status.Error";
  if (language == "python") return "werkzeug.exceptions.ServiceUnavailable";
  if (language == "nodejs") return "ServiceUnavailableError";
  return "tonic::Status";
}

const char* DeclineExceptionType(const std::string& language) {
  if (language == "java") return "com.shop.payment.CardDeclinedException";
  if (language == "python") return "PaymentDeclined";
  return "PaymentDeclinedError";
}

void AppendStackTrace(std::string& out, const Service& service, const Operation& op,
                      std::string_view type, std::string_view message, Rng& rng) {
  const std::string& lang = service.language;
  int line = 40 + static_cast<int>(rng.Below(400));
  if (lang == "java") {
    out += type;
    out += ": ";
    out += message;
    out += "\n\tat com.shop.";
    out += service.name;
    out += '.';
    AppendCapitalized(out, op.key);
    out += "Handler.handle(";
    AppendCapitalized(out, op.key);
    out += "Handler.java:";
    AppendInt(out, line);
    out +=
        ")\n\tat com.shop.common.web.TracingFilter.doFilter(TracingFilter.java:58)\n\tat "
        "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)";
  } else if (lang == "python") {
    out += "Traceback (most recent call last):\n  File \"/app/";
    out += service.name;
    out += "/handlers.py\", line ";
    AppendInt(out, line);
    out += ", in handle\n    result = await self.process(request)\n";
    out += type;
    out += ": ";
    out += message;
  } else if (lang == "go") {
    out += "goroutine ";
    AppendInt(out, 100 + static_cast<int64_t>(rng.Below(9000)));
    out += " [running]:\nmain.(*Server).";
    AppendCapitalized(out, op.key);
    out += "(...)\n\t/app/";
    out += service.name;
    out += "/server.go:";
    AppendInt(out, line);
    out += "\nnet/http.HandlerFunc.ServeHTTP(...)\n\t/usr/local/go/src/net/http/server.go:2136";
  } else if (lang == "nodejs") {
    out += type;
    out += ": ";
    out += message;
    out += "\n    at handler (/app/";
    out += service.name;
    out += "/src/routes.js:";
    AppendInt(out, line);
    out += ":17)\n    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)";
  } else {
    out += "thread 'tokio-runtime-worker' panicked at src/";
    out += service.name;
    out += "/handler.rs:";
    AppendInt(out, line);
    out += ":9:\n";
    out += message;
  }
}

int AppendBackgroundLog(std::string& out, const Service& service, Rng& rng) {
  switch (rng.Below(9)) {
    case 0:
      out += "connection pool stats: active=";
      AppendUint(out, rng.Below(12));
      out += " idle=";
      AppendUint(out, 2 + rng.Below(8));
      out += " max=20";
      return 9;
    case 1:
      out += "health check from ";
      AppendIp(out, rng);
      out += " ok in ";
      AppendUint(out, 1 + rng.Below(4));
      out += "ms";
      return 5;
    case 2:
      if (service.language == "java") {
        out += "GC pause (G1 Evacuation Pause) ";
        AppendUint(out, 3 + rng.Below(40));
        out += "ms, heap ";
        AppendUint(out, 300 + rng.Below(600));
        out += "MB/1024MB";
      } else {
        out += "runtime stats: goroutines=";
        AppendUint(out, 40 + rng.Below(200));
        out += " rss=";
        AppendUint(out, 60 + rng.Below(200));
        out += "MB";
      }
      return 9;
    case 3:
      out += "cache hit ratio 0.";
      AppendUint(out, 80 + rng.Below(19));
      out += " over last ";
      AppendUint(out, 1000 * (1 + rng.Below(9)));
      out += " lookups";
      return 9;
    case 4:
      out += "kafka consumer group ";
      out += service.name;
      out += " rebalanced: ";
      AppendUint(out, 1 + rng.Below(12));
      out += " partitions assigned";
      return 9;
    case 5:
      out += "refreshed feature flags: ";
      AppendUint(out, 10 + rng.Below(40));
      out += " flags in ";
      AppendUint(out, 2 + rng.Below(30));
      out += "ms";
      return 5;
    case 6:
      out += "projection ";
      out += service.name;
      out += "-summary checkpoint at position ";
      AppendUint(out, 100000 + rng.Below(900000));
      out += ", lag ";
      AppendUint(out, rng.Below(900));
      out += "ms";
      return 9;
    case 7:
      out += "concurrency conflict on stream order-";
      AppendUint(out, 100000 + rng.Below(5000));
      out += ": expected version ";
      AppendUint(out, 1 + rng.Below(3));
      out += ", retrying command";
      return 13;
    default:
      out += "tls certificate for ";
      out += service.name;
      out += ".shop.svc expires in ";
      AppendUint(out, 20 + rng.Below(60));
      out += " days";
      return 9;
  }
}

}  // namespace ddbg::sim
