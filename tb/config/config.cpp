#include "config/config.h"

#include "config/input_file.h"
#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <limits>

namespace agilemmu::config {

namespace {

// The model's config structs check their own ranges (validate()); here a value only has to be a
// number that fits the field, and a rejected field is reported at the YAML key that set it.
uint32_t u32(Section& s, const std::string& key, uint32_t def) {
  return static_cast<uint32_t>(s.u64(key, def, 0, UINT32_MAX));
}
double number(Section& s, const std::string& key, double def) {
  return s.real(key, def, -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity());
}

// A member path of a validated struct whose YAML key under the section differs, by prefix.
struct KeyRename {
  const char* member;
  const char* key;
};

// Reports validate()'s issue as FILE:LINE: key 'section.key': message. The member path is renamed
// by the first matching prefix in `renames` (otherwise it is the key). A key the file does not
// give (a default that other keys made invalid) is reported at its nearest enclosing section.
[[noreturn]] void fail_issue(Section s, const ConfigIssue& issue, std::initializer_list<KeyRename> renames = {}) {
  std::string key = issue.field;
  for (const auto& r : renames)
    if (key.compare(0, std::strlen(r.member), r.member) == 0) {
      key = r.key + key.substr(std::strlen(r.member));
      break;
    }
  for (size_t dot; (dot = key.find('.')) != std::string::npos; key.erase(0, dot + 1)) s = s.sub(key.substr(0, dot));
  s.fail(key, issue.message);
}

bool parse_perms(const std::string& s, pt::Perms& p) {
  p = {false, false, false};
  for (char c : s) {
    if (c == 'r' || c == '-') continue;
    if (c == 'w')
      p.write = true;
    else if (c == 'x')
      p.exec = true;
    else if (c == 'u')
      p.user = true;
    else
      return false;
  }
  return true;
}

// A trace file or pipe, which need not exist yet (a FIFO made later); a directory or a device is
// refused here, where its key can be named.
std::string trace_path(Section& s) {
  std::string p = s.path_value("trace", "");
  const std::string special = p.empty() ? "" : special_file(p);
  if (!special.empty()) s.fail("trace", "'" + p + "' is a " + special + ", not a trace");
  return p;
}

pt::PageSize page_size(Section& s, const std::string& key, pt::PageSize def) {
  pt::PageSize ps = def;
  if (!s.has(key)) return def;
  const std::string v = s.str(key, "");
  if (!pt::parse_page_size(v, ps)) s.fail(key, "page size must be 4K, 2M or 1G, got '" + v + "'");
  return ps;
}

// Checked by the owner's validate() (MmuConfig, or the page-table cache's below).
mmu::CacheGeometry geometry(Section& s, mmu::CacheGeometry g) {
  g.entries = u32(s, "entries", g.entries);
  g.ways = u32(s, "ways", g.ways);
  g.latency = u32(s, "latency", g.latency);
  const std::string r = s.choice("replacement", mmu::to_string(g.replacement), {"lru", "plru", "random"});
  mmu::parse_replacement(r, g.replacement);
  return g;
}

mmu::TlbConfig tlb(Section s, mmu::TlbConfig t) {
  const bool has_sizes = s.has("page_sizes");
  const auto sizes = s.strings("page_sizes");
  if (has_sizes) {
    t.page_sizes = 0;
    for (const auto& v : sizes) {
      pt::PageSize ps;
      if (!pt::parse_page_size(v, ps)) s.fail("page_sizes", "page sizes are 4K, 2M and 1G, got '" + v + "'");
      t.page_sizes |= 1u << static_cast<unsigned>(ps);
    }
  }
  t.geo = geometry(s, t.geo);
  s.finish();
  return t;
}

mmu::CacheGeometry cache(Section s, mmu::CacheGeometry g) {
  g = geometry(s, g);
  s.finish();
  return g;
}

void read_mmu(Section m, Config& c) {
  const std::string mode = m.choice("mode", "agile", {"native", "nested", "shadow", "agile"});
  pt::parse_mode(mode, c.mode);
  auto& x = c.mmu;
  x.mode = c.mode;
  x.timing = m.choice("timing", "lt", {"lt", "at"}) == "at" ? mmu::Timing::AT : mmu::Timing::LT;
  x.clock_ns = number(m, "clock_ns", x.clock_ns);
  x.walkers = u32(m, "walkers", x.walkers);
  x.queue = u32(m, "queue", x.queue);
  x.quantum_ns = number(m, "quantum_ns", x.quantum_ns);
  x.walk.start_cycles = u32(m, "walk_start_cycles", x.walk.start_cycles);
  x.walk.step_cycles = u32(m, "walk_step_cycles", x.walk.step_cycles);
  x.split_l1 = m.boolean("split_l1", x.split_l1);
  x.l1i = tlb(m.sub("l1i"), x.l1i);
  x.l1d = tlb(m.sub("l1d"), x.l1d);
  x.l2 = tlb(m.sub("l2tlb"), x.l2);
  x.pwc = cache(m.sub("pwc"), x.pwc);
  x.npwc = cache(m.sub("npwc"), x.npwc);
  x.ntlb = cache(m.sub("ntlb"), x.ntlb);
  x.check = m.boolean("check", x.check);
  Section dc = m.sub("default_context");
  x.default_context.asid = static_cast<uint16_t>(dc.u64("asid", x.default_context.asid, 0, 0xffff));
  x.default_context.vmid = static_cast<uint16_t>(dc.u64("vmid", x.default_context.vmid, 0, 0xffff));
  x.default_context.host = dc.choice("origin", "guest", {"guest", "host"}) == "host";
  x.default_context.user = dc.boolean("user", x.default_context.user);
  x.default_context.sum = dc.boolean("sum", x.default_context.sum);
  dc.finish();
  m.finish();
  if (auto e = x.validate())
    fail_issue(m, e,
               {{"walk.start_cycles", "walk_start_cycles"},
                {"walk.step_cycles", "walk_step_cycles"},
                {"l1i.geo.", "l1i."},
                {"l1d.geo.", "l1d."},
                {"l2.geo.", "l2tlb."},
                {"l2.", "l2tlb."}});
}

void read_dram(Section d, sys::DramConfig& x) {
  x.channels = static_cast<uint32_t>(d.u64("channels", x.channels, 1, 64));
  x.banks = static_cast<uint32_t>(d.u64("banks", x.banks, 1, 1024));
  x.row_bytes = static_cast<uint32_t>(d.u64("row_bytes", x.row_bytes, 64, 1u << 20));
  x.open_page = d.choice("policy", x.open_page ? "open" : "closed", {"open", "closed"}) == "open";
  x.xor_banks = d.choice("mapping", x.xor_banks ? "xor" : "linear", {"linear", "xor"}) == "xor";
  x.tRCD_ns = d.real("tRCD_ns", x.tRCD_ns, 0, 1e6);
  x.tCL_ns = d.real("tCL_ns", x.tCL_ns, 0, 1e6);
  x.tRP_ns = d.real("tRP_ns", x.tRP_ns, 0, 1e6);
  x.tBURST_ns = d.real("tBURST_ns", x.tBURST_ns, 0, 1e6);
  x.write_ns = d.real("write_ns", x.write_ns, 0, 1e6);
  x.dmi = d.boolean("dmi", x.dmi);
  x.store_data = d.boolean("store_data", x.store_data);
  if (auto e = x.validate(); !e.empty()) d.fail(e.substr(0, e.find(' ')), e);
  d.finish();
}

// format: the ISA's entry encoding and the table depths (docs/riscv.md for RISC-V).
void read_format(Section f, pt::Format& fmt) {
  const std::string isa = f.choice("isa", "x86-64", {"x86-64", "riscv"});
  pt::parse_isa(isa, fmt.isa);
  if (fmt.riscv()) {
    // Sv39/Sv48/Sv57 and the G-stage SvNNx4; A/D by the walk (Svadu) or by page fault (Svade).
    // The x86 keys have no RISC-V meaning: PPN bits above the platform's physical address width
    // raise access faults (PMP/PMA), not page faults; there is no NX; G-stage A/D are architectural.
    for (const char* k : {"maxphyaddr", "nx", "nested_ad"})
      if (f.has(k)) f.fail(k, "is an x86-64 key; format.isa is riscv (docs/riscv.md)");
    fmt.levels = static_cast<unsigned>(f.u64("levels", 4, 3, 5));
    fmt.nested_levels = static_cast<unsigned>(f.u64("nested_levels", fmt.levels, 3, 5));
    fmt.selector_bit = static_cast<unsigned>(f.u64("selector_bit", pt::kRvSelectorBit, 0, 63));
    if (!pt::rv_selector_bit_allowed(fmt.selector_bit))
      f.fail("selector_bit", "must be an RSW bit of a RISC-V PTE (8 or 9)");
    fmt.ad_hw = f.choice("ad", "hardware", {"hardware", "fault"}) == "hardware";
    fmt.nested_ad = true;
    fmt.nx_enabled = true;
    fmt.maxphyaddr = 56;  // 44-bit PPNs (for the area model's frame-number widths)
  } else {
    if (f.has("ad")) f.fail("ad", "is a RISC-V key (Svadu/Svade); x86-64 walks always set A/D");
    fmt.levels = static_cast<unsigned>(f.u64("levels", 4, 4, 5));
    fmt.nested_levels = static_cast<unsigned>(f.u64("nested_levels", fmt.levels, 4, 5));
    fmt.maxphyaddr = static_cast<unsigned>(f.u64("maxphyaddr", 52, 32, 52));
    fmt.selector_bit = static_cast<unsigned>(f.u64("selector_bit", 52, 0, 63));
    if (!pt::selector_bit_allowed(fmt.selector_bit))
      f.fail("selector_bit", "must be a software-available PTE bit (9-11 or 52-58)");
    fmt.nx_enabled = f.boolean("nx", true);
    fmt.nested_ad = f.boolean("nested_ad", true);
  }
  f.finish();
}

void read_ptcache(Section pc, Config& c) {
  c.ptcache.geo.entries = u32(pc, "lines", 0);
  c.ptcache.geo = geometry(pc, c.ptcache.geo);
  if (auto e = c.ptcache.geo.validate()) fail_issue(pc, e, {{"entries", "lines"}});
  pc.ignore("entries");
  if (pc.has("entries")) pc.fail("entries", "the page-table cache is sized in `lines`");
  c.ptcache.line_bytes = static_cast<uint32_t>(pc.u64("line_bytes", 64, 8, 4096));
  if (c.ptcache.line_bytes & (c.ptcache.line_bytes - 1)) pc.fail("line_bytes", "must be a power of two");
  c.ptcache.clock_ns = c.mmu.clock_ns;
  pc.finish();
}

// caches: the hierarchy between the Mmu and the DRAM (sys/mem_hierarchy.h).
void read_caches(Section cs, Config& c) {
  auto& h = c.caches;
  h.clock_ns = c.mmu.clock_ns;
  h.line_bytes = static_cast<uint32_t>(cs.u64("line_bytes", h.line_bytes, 8, 4096));
  if (h.line_bytes & (h.line_bytes - 1)) cs.fail("line_bytes", "must be a power of two");
  const std::string entry = cs.choice("walk_entry", sys::to_string(h.walk_entry), {"l1d", "l2", "llc"});
  h.walk_entry = entry == "l1d"  ? sys::CacheLevelId::L1D
                 : entry == "l2" ? sys::CacheLevelId::L2
                                 : sys::CacheLevelId::LLC;
  for (size_t i = 0; i < sys::kCacheLevels; ++i) {
    Section l = cs.sub(sys::to_string(sys::CacheLevelId(i)));
    auto& x = h.level[i];
    // (the default sizes are in lines of the default line size)
    const uint64_t bytes = l.u64("size", uint64_t(x.geo.entries) * sys::HierarchyConfig{}.line_bytes, 0, 1ull << 32);
    if (bytes % h.line_bytes) l.fail("size", "must be a multiple of caches.line_bytes");
    x.geo.entries = static_cast<uint32_t>(bytes / h.line_bytes);
    x.geo = geometry(l, x.geo);
    l.ignore("entries");
    if (l.has("entries")) l.fail("entries", "a cache level is sized in bytes: `size`");
    if (!l.boolean("enabled", true)) x.geo.entries = 0;
    x.mshrs = static_cast<uint32_t>(l.u64("mshrs", x.mshrs, 1, 1024));
    if (auto e = x.geo.validate()) fail_issue(l, e, {{"entries", "size"}});
    l.finish();
  }
  cs.finish();
}

// core: the CPU's timing model (sys::CoreModel).
void read_core(Section s, sys::CoreModel& c) {
  c.enabled = s.boolean("enabled", c.enabled);
  c.base_cpi = s.real("base_cpi", c.base_cpi, 0.01, 100);
  c.mlp = static_cast<uint32_t>(s.u64("mlp", c.mlp, 1, 1024));
  c.overlap_cycles = static_cast<uint32_t>(s.u64("overlap_cycles", c.overlap_cycles, 0, 1u << 20));
  s.finish();
}

// workload's own keys; `processes` is read after agile.* (its regions take agile.nested_level).
void read_workload(Section& w, Workload& wl) {
  wl.accesses = w.u64("accesses", wl.accesses, 0);
  wl.access_size = static_cast<uint32_t>(w.u64("access_size", 8, 1, 64));
  wl.outstanding = static_cast<uint32_t>(w.u64("outstanding", 1, 1, 1024));
  wl.think_cycles = static_cast<uint32_t>(w.u64("think_cycles", 0, 0, 1u << 20));
  wl.context_switch_rate = w.real("context_switch_rate", 0, 0, 1000);
  wl.trace = trace_path(w);
  wl.trace_limit = w.u64("trace_limit", 0);
  wl.demand_anywhere = w.boolean("demand_anywhere", true);
  wl.time_slice = w.u64("time_slice", wl.time_slice, 1);
}

void read_agile(Section ag, Config& c) {
  // The recommended agile configuration is the default (docs/model.md, "The recommended agile
  // configuration"): the ISCA 2016 policy, processes starting shadow-style (claim 12); the patent's
  // FIG. 9 count (dynamic), the static placement and a nested start are one key away.
  const std::string policy = ag.choice("policy", "isca", {"static", "dynamic", "isca"});
  c.agile_policy = policy == "dynamic" ? vmm::Policy::Dynamic
                   : policy == "isca"  ? vmm::Policy::Isca
                                       : vmm::Policy::Static;
  c.agile_nested_level = static_cast<unsigned>(ag.u64("nested_level", 0, 0, c.format.levels));
  c.dynamic.interval = ag.u64("interval", c.dynamic.interval);
  c.dynamic.threshold = u32(ag, "threshold", c.dynamic.threshold);
  c.dynamic.window = u32(ag, "window", c.dynamic.window);
  c.dynamic.backoff = u32(ag, "backoff", c.dynamic.backoff);
  c.dynamic.start_nested = ag.choice("start", "shadow", {"shadow", "nested"}) == "nested";
  if (auto e = c.dynamic.validate()) fail_issue(ag, e);
  if (c.dynamic.start_nested && c.agile_policy == vmm::Policy::Static)
    ag.fail("start", "applies to the dynamic and isca policies (the static one takes each region's paging)");
  ag.finish();
}

void read_vmm(Section vm, Config& c) {
  c.costs.pt_write_trap = vm.u64("pt_write_trap", c.costs.pt_write_trap);
  c.costs.shadow_fault_trap = vm.u64("shadow_fault_trap", c.costs.shadow_fault_trap);
  c.costs.root_change_trap = vm.u64("root_change_trap", c.costs.root_change_trap);
  c.costs.nested_change = vm.u64("nested_change", c.costs.nested_change);
  c.costs.dirty_bit_trap = vm.u64("dirty_bit_trap", c.costs.dirty_bit_trap);
  c.costs.shadow_resync = vm.u64("shadow_resync", c.costs.shadow_resync);
  c.costs.guest_fault = vm.u64("guest_fault", c.costs.guest_fault);
  c.costs.switch_to_nested = vm.u64("switch_to_nested", c.costs.switch_to_nested);
  c.costs.switch_to_shadow = vm.u64("switch_to_shadow", c.costs.switch_to_shadow);
  c.root_cache = vm.boolean("root_cache", false);
  vm.finish();
  if (auto e = c.costs.validate()) fail_issue(vm, e);  // the members are the keys
}

void read_host(Section host, vmm::Layout& layout) {
  layout.host_base = host.u64("base", layout.host_base);
  layout.host_size = host.u64("memory", layout.host_size, 1ull << 20);
  if (layout.host_base & 0xfff) host.fail("base", "must be 4 KiB aligned");
  host.finish();
}

// One entry of guest.regions (or a process's regions); it must not overlap `others`.
Region read_region(Section& r, const Config& c, const std::vector<Region>& others) {
  Region reg;
  reg.name = r.str("name", "region" + std::to_string(others.size()));
  reg.kind = r.choice("kind", "data", {"code", "heap", "stack", "mmap", "data"});
  reg.base = r.u64("base", 0);
  reg.size = r.u64("size", 0, 1);
  reg.page_size = page_size(r, "page_size", pt::PageSize::k4K);
  const std::string perms = r.str("perms", reg.kind == "code" ? "rxu" : "rwu");
  if (!parse_perms(perms, reg.perms)) r.fail("perms", "letters r, w, x, u only, got '" + perms + "'");
  reg.paging = r.choice("paging", "shadow", {"shadow", "nested"}) == "nested" ? Paging::Nested : Paging::Shadow;
  reg.nested_level = static_cast<unsigned>(r.u64("nested_level", c.agile_nested_level, 0, c.format.levels));
  reg.populate = r.boolean("populate", true);
  auto& t = reg.traffic;
  const std::string pat = r.choice("pattern", "uniform", {"sequential", "strided", "uniform", "zipf", "pointer_chase"});
  sys::parse_pattern(pat, t.pattern);
  t.stride = r.u64("stride", 64, 1);
  t.skew = r.real("skew", 0.99, 0, 10);
  t.weight = r.real("weight", 1, 0, 1e9);
  t.write_fraction = r.real("write_fraction", 0.3, 0, 1);
  t.remap_rate = r.real("remap_rate", 0, 0, 1000);
  t.unmap_rate = r.real("unmap_rate", 0, 0, 1000);
  t.host_migrate_rate = r.real("host_migrate_rate", 0, 0, 1000);
  const uint64_t pb = pt::page_bytes(reg.page_size);
  if (reg.base % pb) r.fail("base", "must be aligned to the region's page size");
  if (reg.size % pb) r.fail("size", "must be a multiple of the region's page size");
  // Inclusive ends: base + size may be 2^64 for a region at the very top, and must not wrap past it.
  const uint64_t last = reg.base + (reg.size - 1);
  if (last < reg.base) r.fail("size", "region runs past the end of the 64-bit address space");
  if (!c.format.canonical(reg.base) || !c.format.canonical(last) || (reg.base >> 63) != (last >> 63))
    r.fail("base", "region is not in the canonical " + std::to_string(c.format.va_bits()) + "-bit address space");
  for (const auto& o : others)
    if (reg.base <= o.base + (o.size - 1) && o.base <= last) r.fail("base", "overlaps region '" + o.name + "'");
  r.finish();
  return reg;
}

void read_guest(Section g, Config& c) {
  c.layout.guest_base = g.u64("base", c.layout.guest_base);
  c.layout.guest_size = g.u64("memory", c.layout.guest_size, 1ull << 20);
  if (c.layout.guest_base & 0xfff) g.fail("base", "must be 4 KiB aligned");
  c.layout.host_page = page_size(g, "host_page_size", pt::PageSize::k4K);
  for (Section& r : g.list("regions")) c.regions.push_back(read_region(r, c, c.regions));
  g.finish();
}

// workload.processes: each a trace or a set of regions of its own (separate address spaces, so
// regions of different processes may overlap).
void read_processes(Section& w, Config& c) {
  if (!w.has("processes")) return;
  auto list = w.list("processes");
  if (list.empty()) w.fail("processes", "must list at least one process (or leave the key out)");
  if (list.size() > 4095) w.fail("processes", "at most 4095 processes (ASIDs 1 to 4095)");
  if (!c.regions.empty()) w.fail("processes", "give each process its regions; guest.regions must then be empty");
  if (!c.workload.trace.empty()) w.fail("processes", "give each process its trace; workload.trace must then be empty");
  for (Section& ps : list) {
    Process p;
    p.name = ps.str("name", "process" + std::to_string(c.workload.processes.size()));
    for (const auto& o : c.workload.processes)
      if (o.name == p.name) ps.fail("name", "two processes are called '" + p.name + "'");
    p.trace = trace_path(ps);
    p.trace_limit = ps.u64("trace_limit", 0);
    p.accesses = ps.u64("accesses", c.workload.accesses);
    for (Section& r : ps.list("regions")) p.regions.push_back(read_region(r, c, p.regions));
    if (p.trace.empty() == p.regions.empty())
      ps.fail(p.trace.empty() ? "regions" : "trace", "a process has either a trace or regions (one of them)");
    if (!p.trace.empty() && ps.has("accesses")) ps.fail("accesses", "a trace process runs its trace (trace_limit)");
    ps.finish();
    c.workload.processes.push_back(std::move(p));
  }
}

Config from_value(const Value& root, const std::string& name) {
  Config c;
  c.source = name;
  Section top(&root, "", name);
  c.seed = top.u64("seed", 1);

  read_format(top.sub("format"), c.format);
  read_mmu(top.sub("mmu"), c);
  c.mmu.seed = c.seed;
  read_dram(top.sub("dram"), c.dram);
  read_ptcache(top.sub("ptcache"), c);
  read_caches(top.sub("caches"), c);
  read_core(top.sub("core"), c.core);
  Section workload = top.sub("workload");
  read_workload(workload, c.workload);
  read_agile(top.sub("agile"), c);
  read_vmm(top.sub("vmm"), c);
  read_host(top.sub("host"), c.layout);
  read_guest(top.sub("guest"), c);
  read_processes(workload, c);
  workload.finish();
  top.finish();
  return c;
}

}  // namespace

Config load(const std::string& path, const std::vector<std::string>& sets) {
  Value v = load_file(path);
  for (const auto& s : sets) apply_set(v, s);
  return from_value(v, path);
}

Config load_text(const std::string& yaml, const std::string& name, const std::vector<std::string>& sets) {
  Value v = load_string(yaml, name);
  for (const auto& s : sets) apply_set(v, s);
  return from_value(v, name);
}

const char* default_config_yaml() {
  return R"(# Embedded default: agile paging in the recommended configuration (agile.policy isca,
# agile.start shadow: the defaults), stable code, a heap and a stack.
seed: 1
mmu:
  mode: agile
guest:
  memory: 1G
  regions:
    - {name: code, kind: code, base: 0x400000, size: 2M, perms: rxu}
    - {name: heap, kind: heap, base: 0x10000000, size: 16M, perms: rwu}
    - {name: stack, kind: stack, base: 0x7fff00000000, size: 1M, perms: rwu}
)";
}

sys::WorkloadConfig Config::synthetic(const std::vector<Region>& regs, uint64_t accesses, uint64_t seed_) const {
  sys::WorkloadConfig w;
  w.accesses = accesses;
  w.access_size = workload.access_size;
  w.context_switch_rate = workload.context_switch_rate;
  w.seed = seed_;
  for (const auto& r : regs) {
    sys::RegionTraffic t = r.traffic;
    t.name = r.name;
    t.base = r.base;
    t.size = r.size;
    t.page_bytes = pt::page_bytes(r.page_size);
    t.code = r.kind == "code";
    w.regions.push_back(t);
  }
  return w;
}

std::string memory_message(const Config& cfg, const vmm::MemoryExhausted& e) {
  const bool guest = e.memory() == vmm::kGuestPhysical;
  const uint64_t bytes = guest ? cfg.layout.guest_size : cfg.layout.host_size;
  return std::string("key '") + (guest ? "guest.memory" : "host.memory") + "' (" + std::to_string(bytes >> 20) +
         " MiB) is too small for this run: " + e.what();
}

void populate(const Config& cfg, vmm::AddressSpace& as) { populate(cfg, cfg.regions, as); }

void populate(const Config& cfg, const std::vector<Region>& regions, vmm::AddressSpace& as) {
  for (const auto& r : regions) {
    if (!r.populate) continue;
    const uint64_t pb = pt::page_bytes(r.page_size);
    // Populated as MAP_POPULATE does: writable pages are touched for write, so they start dirty.
    for (uint64_t off = 0; off < r.size; off += pb) as.guest_map(r.base + off, r.page_size, r.perms, r.perms.write);
  }
  as.build_all();
  if (cfg.mode != pt::Mode::Agile) return;
  // The dynamic policies start every process all shadow-style (claim 12), or all nested with
  // agile.start: nested (a short-lived process: nothing to shadow before it ends).
  if (cfg.agile_policy != vmm::Policy::Static) {
    if (cfg.dynamic.start_nested) as.set_compound_nested(0, 0);
    return;
  }
  // A nested-style entry below the level of the region's leaves is its leaf (set_compound_nested
  // clamps so for mapped pages): clamped here too, or an unpopulated 1 GiB-page region at the 4 KiB
  // level would get one switch point per 4 KiB (2^18 per GiB, each a scan of the others).
  for (const auto& r : regions)
    if (r.paging == Paging::Nested)
      as.make_range_nested(r.base, r.size,
                           std::min(r.nested_level, pt::Format::level_of(cfg.format.levels, r.page_size)));
}

}  // namespace agilemmu::config
