// `agilemmu walk CONFIG --va ADDR`: one translation through the reference walk, with its ordered
// memory references. Architects use it to see a walk; the tests use it to check reference counts.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "config/config.h"
#include "pt/walk.h"
#include "vmm/address_space.h"

namespace agilemmu::cli {

namespace {
std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}
}  // namespace

uint64_t parse_address(const std::string& opt, const std::string& text) {
  uint64_t v;
  if (!config::parse_u64(text, v)) throw UsageError(opt + ": '" + text + "' is not an address (e.g. 0x400000)");
  return v;
}

int walk_cmd(int argc, char** argv) {
  Args a(argc, argv, 2);
  std::string cfg_path;
  std::vector<std::string> sets;
  pt::WalkRequest req;
  bool have_va = false, json = false, host = false;
  while (!a.done()) {
    const std::string o = a.next();
    if (o == "--va") req.va = parse_address(o, a.value(o)), have_va = true;
    else if (o == "--access") {
      const std::string v = a.value(o);
      if (!pt::parse_access(v, req.access)) throw UsageError("--access must be read, write or fetch");
    } else if (o == "--user") req.user = true;
    else if (o == "--supervisor") req.user = false;
    else if (o == "--host") host = true;
    else if (o == "--set") sets.push_back(a.value(o));
    else if (o == "--json") json = true;
    else if (!o.empty() && o[0] == '-') throw UsageError("walk: unknown option " + o);
    else if (cfg_path.empty()) cfg_path = o;
    else throw UsageError("walk: more than one config file given");
  }
  if (!have_va) throw UsageError("walk: --va ADDR is required");
  const config::Config cfg = cfg_path.empty() ? config::load_text(config::default_config_yaml(), "<default>", sets)
                                              : config::load(cfg_path, sets);
  pt::PhysMem mem;
  vmm::AddressSpace as(mem, cfg.format, cfg.layout);
  config::populate(cfg, as);
  req.mode = host ? pt::Mode::Native : cfg.mode;
  const pt::WalkResult r = pt::walk(mem, cfg.format, as.roots(), req);

  unsigned per_port[2] = {0, 0};
  for (unsigned i = 0; i < r.nrefs; ++i) ++per_port[static_cast<unsigned>(r.refs[i].port)];
  if (json) {
    nlohmann::json j;
    j["mode"] = pt::to_string(req.mode);
    j["va"] = hex(req.va);
    j["access"] = pt::to_string(req.access);
    j["user"] = req.user;
    j["levels"] = cfg.format.levels;
    if (r.ok) {
      j["hpa"] = hex(r.tr.hpa);
      j["page_size"] = pt::to_string(r.tr.size);
      j["perms"] = pt::to_string(r.tr.perms);
      j["fault"] = nullptr;
    } else {
      j["hpa"] = nullptr;
      j["page_size"] = nullptr;
      j["fault"] = {{"stage", pt::to_string(r.fault.stage)},
                    {"kind", pt::to_string(r.fault.kind)},
                    {"level", r.fault.level},
                    {"addr", hex(r.fault.addr)},
                    {"error_code", hex(r.fault.error_code)}};
    }
    j["switch_level"] = r.switch_level;
    j["refs"] = nlohmann::json::array();
    for (unsigned i = 0; i < r.nrefs; ++i)
      j["refs"].push_back({{"addr", hex(r.refs[i].addr)},
                           {"port", pt::to_string(r.refs[i].port)},
                           {"table", pt::to_string(r.refs[i].table)},
                           {"level", r.refs[i].level}});
    j["nrefs"] = r.nrefs;
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("mode %s  va %s  %s %s  (%u-level)\n", pt::to_string(req.mode), hex(req.va).c_str(),
                req.user ? "user" : "supervisor", pt::to_string(req.access), cfg.format.levels);
    std::printf("  #  port      table     level  entry address\n");
    for (unsigned i = 0; i < r.nrefs; ++i)
      std::printf(" %2u  %-8s  %-8s  %5u  %s\n", i + 1, pt::to_string(r.refs[i].port), pt::to_string(r.refs[i].table),
                  r.refs[i].level, hex(r.refs[i].addr).c_str());
    if (r.ok)
      std::printf("-> hpa %s  page %s  perms %s", hex(r.tr.hpa).c_str(), pt::to_string(r.tr.size),
                  pt::to_string(r.tr.perms).c_str());
    else
      std::printf("-> FAULT stage %s  %s  level %u  addr %s  error code %s", pt::to_string(r.fault.stage),
                  pt::to_string(r.fault.kind), r.fault.level, hex(r.fault.addr).c_str(), hex(r.fault.error_code).c_str());
    if (r.switch_level > 0) std::printf("  switched to nested at level %d", r.switch_level);
    std::printf("\n%u references (compound port %u, nested port %u)\n", r.nrefs, per_port[0], per_port[1]);
  }
  return r.ok ? kExitOk : kExitFail;
}

}  // namespace agilemmu::cli
