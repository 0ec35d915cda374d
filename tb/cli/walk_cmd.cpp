// `agilemmu walk CONFIG --va ADDR`: one translation through the reference walk, with its ordered
// memory references. Architects use it to see a walk; the tests use it to check reference counts.
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include <agilemmu/pt/print.h>
#include <agilemmu/pt/walk.h>
#include <agilemmu/vmm/address_space.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "config/config.h"

namespace agilemmu::cli {

namespace {
using pt::hex;

nlohmann::json walk_json(const pt::WalkResult& r, pt::Isa isa) {
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
    if (isa == pt::Isa::RiscV) j["fault"]["cause"] = pt::rv::cause_name(r.fault.error_code);
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
    if (m.write) {
      x["old"] = hex(m.old);
      x["new"] = hex(m.data);
    }
    j["refs"].push_back(x);
  }
  j["nrefs"] = r.nrefs;
  j["nreads"] = r.nreads();
  j["nwrites"] = r.nwrites;
  return j;
}

void print_walk(const pt::WalkResult& r, pt::Isa isa, unsigned n, unsigned repeat) {
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
  else
    std::printf("-> FAULT %s", pt::describe(r.fault, isa).c_str());
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

namespace {
struct WalkOptions {
  std::string cfg_path;
  std::vector<std::string> sets;
  pt::WalkRequest req;
  bool json = false, host = false;
  unsigned repeat = 1;
  std::string process;  // a multi-process config: whose address space (default: the first)
};

WalkOptions parse_walk_options(int argc, char** argv) {
  Args a(argc, argv, 2);
  WalkOptions w;
  bool have_va = false;
  while (!a.done()) {
    const std::string o = a.next();
    if (o == "--va") {
      w.req.va = parse_address(o, a.value(o));
      have_va = true;
    } else if (o == "--access") {
      if (!pt::parse_access(a.value(o), w.req.access)) throw UsageError("--access must be read, write or fetch");
    } else if (o == "--user" || o == "--supervisor") {
      w.req.user = o == "--user";
    } else if (o == "--sum") {  // RISC-V status bits (ignored for x86-64)
      w.req.sum = true;
    } else if (o == "--mxr") {
      w.req.mxr = true;
    } else if (o == "--host") {
      w.host = true;
    } else if (o == "--set") {
      w.sets.push_back(a.value(o));
    } else if (o == "--process") {
      w.process = a.value(o);
    } else if (o == "--json") {
      w.json = true;
    } else if (o == "--repeat") {
      uint64_t n = 0;
      if (!config::parse_u64(a.value(o), n) || n < 1 || n > 16)
        throw UsageError("--repeat must be a number from 1 to 16");
      w.repeat = static_cast<unsigned>(n);
    } else if (!o.empty() && o[0] == '-') {
      throw UsageError("walk: unknown option " + o);
    } else if (w.cfg_path.empty()) {
      w.cfg_path = o;
    } else {
      throw UsageError("walk: more than one config file given");
    }
  }
  if (!have_va) throw UsageError("walk: --va ADDR is required");
  return w;
}

void print_walks_json(const WalkOptions& w, const config::Config& cfg, const nlohmann::json& walks) {
  nlohmann::json j;
  j["mode"] = pt::to_string(w.req.mode);
  j["va"] = hex(w.req.va);
  j["access"] = pt::to_string(w.req.access);
  j["user"] = w.req.user;
  j["levels"] = cfg.format.levels;
  j["nested_ad"] = cfg.format.nested_ad;
  j.update(walks.back());  // the last walk's result at the top level
  if (w.repeat > 1) j["walks"] = walks;
  std::cout << j.dump(2) << "\n";
}
}  // namespace

int walk_cmd(int argc, char** argv) {
  WalkOptions w = parse_walk_options(argc, argv);
  const config::Config cfg = w.cfg_path.empty() ? config::load_text(config::default_config_yaml(), "<default>", w.sets)
                                                : config::load(w.cfg_path, w.sets);
  pt::PhysMem mem;
  vmm::Vm vm(mem, cfg.format, cfg.layout);
  // One address space, or every process of workload.processes populated in order as `run` builds
  // them (they share the VM's frame allocators, so the addresses are the ones a run starts with).
  const auto& procs = cfg.workload.processes;
  std::vector<std::unique_ptr<vmm::AddressSpace>> spaces;
  size_t pick = procs.empty() || w.process.empty() ? 0 : procs.size();
  for (size_t i = 0; i < std::max<size_t>(1, procs.size()); ++i) {
    spaces.push_back(std::make_unique<vmm::AddressSpace>(vm));
    try {
      config::populate(cfg, procs.empty() ? cfg.regions : procs[i].regions, *spaces.back());
    } catch (const vmm::MemoryExhausted& e) {
      throw config::ConfigError(config::memory_message(cfg, e) + " (populating the regions)");
    }
    if (!procs.empty() && procs[i].name == w.process) pick = i;
  }
  if (pick == spaces.size()) throw UsageError("walk: --process: no process called '" + w.process + "'");
  if (procs.empty() && !w.process.empty()) throw UsageError("walk: --process needs a config with workload.processes");
  vmm::AddressSpace& as = *spaces[pick];
  pt::WalkRequest& req = w.req;
  req.mode = w.host ? pt::Mode::Native : cfg.mode;
  // The walk writes A/D into the image: a repeated walk shows what the first one left behind.
  nlohmann::json walks = nlohmann::json::array();
  pt::WalkResult r;
  if (!w.json)
    std::printf("mode %s  va %s  %s %s  (%s, %u-level)\n", pt::to_string(req.mode), hex(req.va).c_str(),
                req.user ? "user" : "supervisor", pt::to_string(req.access), pt::to_string(cfg.format.isa),
                cfg.format.levels);
  for (unsigned n = 0; n < w.repeat; ++n) {
    r = pt::walk(mem, cfg.format, as.roots(), req);
    if (w.json)
      walks.push_back(walk_json(r, cfg.format.isa));
    else
      print_walk(r, cfg.format.isa, n, w.repeat);
  }
  if (w.json) print_walks_json(w, cfg, walks);
  return r.ok ? kExitOk : kExitFail;
}

}  // namespace agilemmu::cli
