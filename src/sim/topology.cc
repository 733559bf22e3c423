// Builds the simulated system: keeps the named services a topology has, resolves the calls
// between them, grows generated services (svc-N) as subtrees under the named ones, and
// creates the instances (resources) of every service.
#include "sim/topology.h"

#include <algorithm>
#include <functional>
#include <string_view>

#include "ddbg/sim.h"
#include "sim/blueprint.h"
#include "sim/json_out.h"
#include "sim/rng.h"

namespace ddbg::sim {
namespace {

constexpr uint64_t kTopologySeed = 0x70B0106E5EEDULL;
constexpr char kPodAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";

std::string PodToken(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(kPodAlphabet[rng.Below(sizeof(kPodAlphabet) - 1)]);
  return s;
}

uint64_t HashText(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

std::string NodeName(int i) {
  return "ip-10-0-" + std::to_string(1 + i % 3) + "-" + std::to_string(11 + (i * 37) % 230) +
         ".eu-west-1.compute.internal";
}

const char* SdkVersion(const std::string& language) {
  if (language == "java") return "1.32.0";
  if (language == "go") return "1.21.0";
  if (language == "python") return "1.22.0";
  if (language == "nodejs") return "1.18.1";
  return "0.21.0";
}

void AddResourceAttr(std::string& out, std::string_view key, std::string_view value) {
  if (out.back() != '[') out.push_back(',');
  out += "{\"key\":\"";
  out += key;
  out += "\",\"value\":{\"stringValue\":";
  AppendJsonString(out, value);
  out += "}}";
}

void RenderResource(const Service& svc, Resource* r) {
  std::string& out = r->json;
  out = "{\"attributes\":[";
  AddResourceAttr(out, "service.name", svc.name);
  AddResourceAttr(out, "service.namespace", "shop");
  AddResourceAttr(out, "service.version", r->version);
  AddResourceAttr(out, "service.instance.id", r->instance_id);
  AddResourceAttr(out, "host.name", r->host);
  AddResourceAttr(out, "k8s.namespace.name", "shop");
  AddResourceAttr(out, "k8s.deployment.name", r->deployment);
  AddResourceAttr(out, "k8s.pod.name", r->pod);
  AddResourceAttr(out, "k8s.node.name", r->host);
  AddResourceAttr(out, "deployment.environment", "production");
  AddResourceAttr(out, "cloud.region", "eu-west-1");
  AddResourceAttr(out, "telemetry.sdk.name", "opentelemetry");
  AddResourceAttr(out, "telemetry.sdk.language", svc.language);
  AddResourceAttr(out, "telemetry.sdk.version", SdkVersion(svc.language));
  out += "]}";
}

// Creates `count` instances of `service` at `version` and returns their resource indices.
std::vector<uint32_t> MakeInstances(Topology* t, int service, const std::string& version, int count,
                                    int node_count, Rng& rng) {
  const Service& svc = t->services[service];
  std::string replicaset = PodToken(rng, 10);
  std::vector<uint32_t> out;
  for (int i = 0; i < count; ++i) {
    Resource r;
    r.service = service;
    r.version = version;
    r.deployment = svc.name;
    r.pod = svc.name + "-" + replicaset + "-" + PodToken(rng, 5);
    r.instance_id = r.pod;
    r.host = NodeName(static_cast<int>(rng.Below(node_count)));
    RenderResource(svc, &r);
    out.push_back(static_cast<uint32_t>(t->resources.size()));
    t->resources.push_back(std::move(r));
  }
  return out;
}

int FindOp(const Service& s, std::string_view key) {
  for (size_t i = 0; i < s.ops.size(); ++i) {
    if (s.ops[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

// Resolves "service/Key" call targets and topic names; steps calling absent services are
// dropped, or kept as in-process stand-ins when the callee would have written events.
void ResolveSteps(Topology* t, const std::vector<Service>& blueprints) {
  for (Service& svc : t->services) {
    for (Operation& op : svc.ops) {
      std::vector<Step> kept;
      std::vector<int> new_index(op.steps.size(), -1);
      for (size_t i = 0; i < op.steps.size(); ++i) {
        Step s = op.steps[i];
        if (s.kind == StepKind::kCall && s.service < 0) {
          size_t slash = s.target.find('/');
          std::string callee = s.target.substr(0, slash);
          std::string key = s.target.substr(slash + 1);
          int idx = t->FindService(callee);
          if (idx >= 0) {
            s.service = idx;
            s.op = FindOp(t->services[idx], key);
          } else {
            const Operation* bop = nullptr;
            for (const Service& b : blueprints) {
              if (b.name == callee) bop = &b.ops[FindOp(b, key)];
            }
            // Only the checkout flow keeps stand-ins: its callers own the order workflow.
            // Other flows (trading) simply do not happen without their service.
            if (bop == nullptr || bop->effect == Effect::kNone ||
                bop->effect == Effect::kTradeExecute) {
              continue;
            }
            s.kind = StepKind::kLocal;
            s.effect = bop->effect;
            s.name = key;
            s.median_ms = bop->self_median_ms + 2.0;
            s.sigma = 0.5;
            s.error_prob = bop->error_prob;
          }
        } else if (s.kind == StepKind::kPublish) {
          for (size_t k = 0; k < t->topics.size(); ++k) {
            if (t->topics[k].name == s.target) s.topic = static_cast<int>(k);
          }
        }
        new_index[i] = static_cast<int>(kept.size());
        kept.push_back(std::move(s));
      }
      for (Step& s : kept) {
        if (s.requires_ok >= 0) s.requires_ok = new_index[s.requires_ok];
      }
      op.steps = std::move(kept);
    }
  }
}

const char* const kNouns[] = {"accounts", "sessions", "quotes",  "assets",   "positions",
                              "balances", "rates",    "limits",  "profiles", "tokens",
                              "vaults",   "pools",    "claims",  "invoices", "receipts",
                              "tickets",  "jobs",     "reports", "alerts",   "rules"};
const char* const kLanguages[] = {"go", "java", "python", "nodejs", "rust"};

std::string Capitalize(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

Service MakeGenerated(int index, Rng& rng) {
  Service s;
  s.name = "svc-" + std::to_string(index);
  s.language = kLanguages[rng.Below(5)];
  s.protocol = rng.Chance(0.5) ? Protocol::kGrpc : Protocol::kHttp;
  s.sink = static_cast<LogSink>(index % 3);
  s.old_semconv = rng.Chance(0.4);
  s.version = "1." + std::to_string(rng.Below(20)) + "." + std::to_string(rng.Below(10));
  s.port = s.protocol == Protocol::kGrpc ? 50051 : 8080;
  std::string noun = kNouns[index % (sizeof(kNouns) / sizeof(kNouns[0]))];
  std::string singular = noun.substr(0, noun.size() - 1);
  if (s.protocol == Protocol::kGrpc) {
    s.rpc_service = "svc" + std::to_string(index) + "." + Capitalize(singular) + "Service";
  }
  s.error_type = s.language == "java"     ? "java.lang.IllegalStateException"
                 : s.language == "python" ? "RuntimeError"
                 : s.language == "nodejs" ? "Error"
                                          : "*errors.errorString";
  s.error_message = noun + " store returned an inconsistent row";
  int op_count = 2 + static_cast<int>(rng.Below(2));
  const char* http_methods[] = {"GET", "POST", "GET"};
  const char* rpc_verbs[] = {"Get", "Update", "List"};
  std::string db = "svc" + std::to_string(index);
  for (int i = 0; i < op_count; ++i) {
    Operation op;
    if (s.protocol == Protocol::kGrpc) {
      op.key = std::string(rpc_verbs[i]) + Capitalize(i == 2 ? noun : singular);
      op.method = op.key;
      op.route = s.rpc_service;
      op.name = s.rpc_service + "/" + op.key;
    } else {
      op.method = http_methods[i];
      op.route = "/v1/" + noun + (i == 0 ? "/{id}" : "");
      op.key = op.method + op.route;
      op.name = op.method + " " + op.route;
    }
    op.self_median_ms = 0.5 + rng.Uniform() * 4.0;
    op.log_action = singular + (i == 1 ? " updated" : " served");
    if (rng.Chance(0.6)) {
      op.steps.push_back(Step{});
      Step& r = op.steps.back();
      r.kind = StepKind::kDb;
      r.system = "redis";
      r.name = "GET";
      r.db_op = "GET";
      r.statement = "GET " + singular + ":?";
      r.db_name = "0";
      r.address = "redis-cache";
      r.port = 6379;
      r.median_ms = 0.3;
      r.sigma = 0.4;
    }
    if (rng.Chance(0.6)) {
      op.steps.push_back(Step{});
      Step& p = op.steps.back();
      p.kind = StepKind::kDb;
      p.system = "postgresql";
      bool write = i == 1;
      p.db_op = write ? "UPDATE" : "SELECT";
      p.name = p.db_op + " " + noun;
      p.statement = write ? "UPDATE " + noun + " SET data = $1, updated_at = now() WHERE id = $2"
                          : "SELECT id, data FROM " + noun + " WHERE id = $1";
      p.db_name = db;
      p.address = db + "-db";
      p.port = 5432;
      p.median_ms = 1.0 + rng.Uniform() * 3.0;
      p.sigma = 0.5;
      p.probability = write ? 1.0f : 0.5f;
    }
    s.ops.push_back(std::move(op));
  }
  return s;
}

// Attaches the generated services: each hangs under a named service that already calls
// others, or under an earlier generated service, and may call named leaf services.
void GrowGenerated(Topology* t, int named_count, int total, Rng& rng) {
  std::vector<int> named_parents;
  std::vector<int> named_leaves;
  for (int i = 1; i < named_count; ++i) {
    bool calls = false;
    for (const Operation& op : t->services[i].ops) {
      for (const Step& s : op.steps)
        calls |= s.kind == StepKind::kCall || s.kind == StepKind::kPublish;
    }
    (calls ? named_parents : named_leaves).push_back(i);
  }
  for (int k = named_count; k < total; ++k) {
    t->services.push_back(MakeGenerated(k, rng));
    int parent;
    if (k == named_count || named_parents.empty() || rng.Chance(0.5)) {
      parent = named_parents.empty() ? 0 : named_parents[rng.Below(named_parents.size())];
    } else {
      parent = named_count + static_cast<int>(rng.Below(k - named_count));
    }
    Service& p = t->services[parent];
    Operation& pop = p.ops[rng.Below(p.ops.size())];
    Step call;
    call.kind = StepKind::kCall;
    call.service = k;
    call.op = static_cast<int>(rng.Below(t->services[k].ops.size()));
    call.probability = 0.6f;
    call.optional = rng.Chance(0.3);
    call.parallel = !pop.steps.empty() && rng.Chance(0.3);
    call.max_attempts = 2;
    call.timeout_ms = 1000;
    pop.steps.push_back(call);
    Service& self = t->services[k];
    if (!named_leaves.empty()) {
      for (Operation& op : self.ops) {
        if (!rng.Chance(0.25)) continue;
        int leaf = named_leaves[rng.Below(named_leaves.size())];
        Step c;
        c.kind = StepKind::kCall;
        c.service = leaf;
        c.op = static_cast<int>(rng.Below(t->services[leaf].ops.size()));
        if (t->services[leaf].ops[c.op].consumer ||
            t->services[leaf].ops[c.op].effect != Effect::kNone) {
          continue;
        }
        c.max_attempts = 2;
        c.timeout_ms = 800;
        op.steps.push_back(c);
      }
    }
  }
}

double Nominal(Topology* t, int service, int op_index, std::vector<std::vector<double>>* memo) {
  double& m = (*memo)[service][op_index];
  if (m >= 0) return m;
  Operation& op = t->services[service].ops[op_index];
  double total = op.self_median_ms;
  double group = 0;
  for (const Step& s : op.steps) {
    double d;
    if (s.kind == StepKind::kCall) {
      d = Nominal(t, s.service, s.op, memo) + 1.0;
    } else {
      d = s.median_ms;
    }
    d *= s.probability;
    if (s.when == StepWhen::kIfFailed) d = 0;
    if (s.parallel) {
      group = std::max(group, d);
    } else {
      total += group;
      group = d;
    }
  }
  total += group;
  op.nominal_ms = total;
  m = total;
  return total;
}

}  // namespace

int Topology::FindService(const std::string& name) const {
  for (size_t i = 0; i < services.size(); ++i) {
    if (services[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string NextMinorVersion(const std::string& version) {
  size_t dot = version.find('.');
  if (dot == std::string::npos) return version + ".1";
  size_t dot2 = version.find('.', dot + 1);
  std::string minor =
      version.substr(dot + 1, dot2 == std::string::npos ? std::string::npos : dot2 - dot - 1);
  int m = 0;
  for (char c : minor) {
    if (c < '0' || c > '9') return version + "-next";
    m = m * 10 + (c - '0');
  }
  return version.substr(0, dot) + "." + std::to_string(m + 1) + ".0";
}

Topology BuildTopology(int service_count) {
  Topology t;
  const std::vector<Service>& blueprints = NamedServiceBlueprints();
  int named = std::min<int>(service_count, static_cast<int>(blueprints.size()));
  for (int i = 0; i < named; ++i) t.services.push_back(blueprints[i]);
  for (const TopicBlueprint& tb : NamedTopicBlueprints()) {
    Topic topic;
    topic.name = tb.name;
    for (const std::string& c : tb.consumers) {
      size_t slash = c.find('/');
      int s = t.FindService(c.substr(0, slash));
      if (s >= 0) topic.consumers.emplace_back(s, FindOp(t.services[s], c.substr(slash + 1)));
    }
    t.topics.push_back(std::move(topic));
  }
  ResolveSteps(&t, blueprints);
  Rng rng(kTopologySeed);
  GrowGenerated(&t, named, service_count, rng);

  for (Service& svc : t.services) {
    for (const Operation& op : svc.ops) {
      svc.owns_streams |= op.effect != Effect::kNone;
      for (const Step& s : op.steps) svc.owns_streams |= s.effect != Effect::kNone;
    }
  }
  // Entry operations that reach no other service (their callees are absent) are left out
  // of the traffic, unless none would remain.
  auto reaches = [&](const Operation& op) {
    for (const Step& s : op.steps) {
      if (s.kind == StepKind::kCall) return true;
    }
    return false;
  };
  bool any_reaches = false;
  for (const Operation& op : t.services[0].ops) any_reaches |= op.weight > 0 && reaches(op);
  int cumulative = 0;
  for (size_t i = 0; i < t.services[0].ops.size(); ++i) {
    const Operation& op = t.services[0].ops[i];
    if (op.weight <= 0 || (any_reaches && !reaches(op))) continue;
    cumulative += t.services[0].ops[i].weight;
    t.entry_ops.push_back(static_cast<int>(i));
    t.entry_cumulative.push_back(cumulative);
  }
  int nodes = std::max(4, std::min(40, service_count / 3 + 3));
  for (size_t i = 0; i < t.services.size(); ++i) {
    int count = i < 3 ? 3 : (static_cast<int>(i) < named ? 2 : 1 + static_cast<int>(rng.Below(3)));
    Rng instance_rng(MixSeed(kTopologySeed, i));
    t.services[i].instances =
        MakeInstances(&t, static_cast<int>(i), t.services[i].version, count, nodes, instance_rng);
  }
  std::vector<std::vector<double>> memo(t.services.size());
  for (size_t i = 0; i < t.services.size(); ++i) memo[i].assign(t.services[i].ops.size(), -1.0);
  for (size_t i = 0; i < t.services.size(); ++i) {
    for (size_t j = 0; j < t.services[i].ops.size(); ++j) {
      Nominal(&t, static_cast<int>(i), static_cast<int>(j), &memo);
    }
  }
  return t;
}

void AddDeployedVersion(Topology* t, int service, const std::string& version) {
  Rng rng(MixSeed(HashText(version), static_cast<uint64_t>(service) + 17));
  int count = static_cast<int>(t->services[service].instances.size());
  int nodes = std::max(4, std::min(40, static_cast<int>(t->services.size()) / 3 + 3));
  t->services[service].new_instances = MakeInstances(t, service, version, count, nodes, rng);
}

}  // namespace ddbg::sim

namespace ddbg {

std::vector<std::string> SimServiceNames(int count) {
  std::vector<std::string> names;
  const std::vector<sim::Service>& blueprints = sim::NamedServiceBlueprints();
  for (int i = 0; i < count; ++i) {
    names.push_back(i < static_cast<int>(blueprints.size()) ? blueprints[i].name
                                                            : "svc-" + std::to_string(i));
  }
  return names;
}

}  // namespace ddbg
