// `agilemmu walk CONFIG --va ADDR`: one translation through the reference walk, with its ordered
// memory references. Architects use it to see a walk; the tests use it to check reference counts.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include <agilemmu/pt/walk.h>
#include <agilemmu/vmm/address_space.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "config/config.h"

namespace agilemmu::cli {

namespace {
std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

nlohmann::json walk_json(const pt::WalkResult& r) {
  nlohmann::json j;
  if (r.ok) {
    j["hpa"] = hex(r.tr.hpa);
    j["page_size"] = pt::to_string(r.tr.size);
    j["perms"] = pt::to_string(r.tr.perms);
    j["dirty"] = r.tr.dirty;
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
  for (unsigned i = 0; i < r.nrefs; ++i) {
    const pt::MemRef& m = r.refs[i];
    nlohmann::json x = {{"addr", hex(m.addr)},
                        {"port", pt::to_string(m.port)},
                        {"table", pt::to_string(m.table)},
                        {"level", m.level},
                        {"write", m.write}};
    if (m.write) x["old"] = hex(m.old), x["new"] = hex(m.data);
    j["refs"].push_back(x);
  }
  j["nrefs"] = r.nrefs;
  j["nreads"] = r.nreads();
  j["nwrites"] = r.nwrites;
  return j;
}

void print_walk(const pt::WalkResult& r, unsigned n, unsigned repeat) {
  if (repeat > 1) std::printf("walk %u of %u\n", n + 1, repeat);
  std::printf("  #  op     port      table     level  entry address  (A/D write: value before -> after)\n");
  unsigned per_port[2] = {0, 0};
  for (unsigned i = 0; i < r.nrefs; ++i) {
    const pt::MemRef& m = r.refs[i];
    ++per_port[static_cast<unsigned>(m.port)];
    std::printf(" %2u  %-5s  %-8s  %-8s  %5u  %s", i + 1, m.write ? "write" : "read", pt::to_string(m.port),
                pt::to_string(m.table), m.level, hex(m.addr).c_str());
    if (m.write) std::printf("  %s -> %s", hex(m.old).c_str(), hex(m.data).c_str());
    std::printf("\n");
  }
  if (r.ok)
    std::printf("-> hpa %s  page %s  perms %s%s", hex(r.tr.hpa).c_str(), pt::to_string(r.tr.size),
                pt::to_string(r.tr.perms).c_str(), r.tr.dirty ? "  dirty" : "");
  else if (r.fault.stage == pt::Stage::None)
    std::printf("-> FAULT %s (#GP)  addr %s", pt::to_string(r.fault.kind), hex(r.fault.addr).c_str());
  else
    std::printf("-> FAULT stage %s  %s  level %u  addr %s  error code %s", pt::to_string(r.fault.stage),
                pt::to_string(r.fault.kind), r.fault.level, hex(r.fault.addr).c_str(), hex(r.fault.error_code).c_str());
  if (r.switch_level > 0) std::printf("  switched to nested at level %d", r.switch_level);
  std::printf("\n%u references: %u reads, %u A/D writes (compound port %u, nested port %u)\n", r.nrefs, r.nreads(),
              r.nwrites, per_port[0], per_port[1]);
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
  unsigned repeat = 1;
  while (!a.done()) {
    const std::string o = a.next();
    if (o == "--va")
      req.va = parse_address(o, a.value(o)), have_va = true;
    else if (o == "--access") {
      const std::string v = a.value(o);
      if (!pt::parse_access(v, req.access)) throw UsageError("--access must be read, write or fetch");
    } else if (o == "--user")
      req.user = true;
    else if (o == "--supervisor")
      req.user = false;
    else if (o == "--host")
      host = true;
    else if (o == "--set")
      sets.push_back(a.value(o));
    else if (o == "--json")
      json = true;
    else if (o == "--repeat") {
      const std::string v = a.value(o);
      uint64_t n = 0;
      if (!config::parse_u64(v, n) || n < 1 || n > 16) throw UsageError("--repeat must be a number from 1 to 16");
      repeat = static_cast<unsigned>(n);
    } else if (!o.empty() && o[0] == '-')
      throw UsageError("walk: unknown option " + o);
    else if (cfg_path.empty())
      cfg_path = o;
    else
      throw UsageError("walk: more than one config file given");
  }
  if (!have_va) throw UsageError("walk: --va ADDR is required");
  const config::Config cfg = cfg_path.empty() ? config::load_text(config::default_config_yaml(), "<default>", sets)
                                              : config::load(cfg_path, sets);
  pt::PhysMem mem;
  vmm::AddressSpace as(mem, cfg.format, cfg.layout);
  config::populate(cfg, as);
  req.mode = host ? pt::Mode::Native : cfg.mode;
  // The walk writes A/D into the image: a repeated walk shows what the first one left behind.
  nlohmann::json walks = nlohmann::json::array();
  pt::WalkResult r;
  if (!json)
    std::printf("mode %s  va %s  %s %s  (%u-level)\n", pt::to_string(req.mode), hex(req.va).c_str(),
                req.user ? "user" : "supervisor", pt::to_string(req.access), cfg.format.levels);
  for (unsigned n = 0; n < repeat; ++n) {
    r = pt::walk(mem, cfg.format, as.roots(), req);
    if (json)
      walks.push_back(walk_json(r));
    else
      print_walk(r, n, repeat);
  }
  if (json) {
    nlohmann::json j;
    j["mode"] = pt::to_string(req.mode);
    j["va"] = hex(req.va);
    j["access"] = pt::to_string(req.access);
    j["user"] = req.user;
    j["levels"] = cfg.format.levels;
    j["nested_ad"] = cfg.format.nested_ad;
    j.update(walks.back());  // the last walk's result at the top level
    if (repeat > 1) j["walks"] = walks;
    std::cout << j.dump(2) << "\n";
  }
  return r.ok ? kExitOk : kExitFail;
}

}  // namespace agilemmu::cli
