#include "config/config.h"

namespace agilemmu::config {

namespace {

bool parse_perms(const std::string& s, pt::Perms& p) {
  p = {false, false, false};
  for (char c : s) {
    if (c == 'r' || c == '-') continue;
    else if (c == 'w') p.write = true;
    else if (c == 'x') p.exec = true;
    else if (c == 'u') p.user = true;
    else return false;
  }
  return true;
}

pt::PageSize page_size(Section& s, const std::string& key, pt::PageSize def) {
  pt::PageSize ps = def;
  if (!s.has(key)) return def;
  const std::string v = s.str(key, "");
  if (!pt::parse_page_size(v, ps)) s.fail(key, "page size must be 4K, 2M or 1G, got '" + v + "'");
  return ps;
}

Config from_value(const Value& root, const std::string& name) {
  Config c;
  c.source = name;
  Section top(&root, "", name);
  c.seed = top.u64("seed", 1);

  Section f = top.sub("format");
  c.format.levels = static_cast<unsigned>(f.u64("levels", 4, 4, 5));
  c.format.nested_levels = static_cast<unsigned>(f.u64("nested_levels", c.format.levels, 4, 5));
  c.format.maxphyaddr = static_cast<unsigned>(f.u64("maxphyaddr", 52, 32, 52));
  c.format.selector_bit = static_cast<unsigned>(f.u64("selector_bit", 52, 0, 63));
  if (!pt::selector_bit_allowed(c.format.selector_bit))
    f.fail("selector_bit", "must be a software-available PTE bit (9-11 or 52-58)");
  c.format.nx_enabled = f.boolean("nx", true);
  f.finish();

  Section m = top.sub("mmu");
  const std::string mode = m.choice("mode", "agile", {"native", "nested", "shadow", "agile"});
  pt::parse_mode(mode, c.mode);
  m.finish();

  Section ag = top.sub("agile");
  c.agile_policy = ag.choice("policy", "static", {"static", "dynamic"}) == "dynamic" ? vmm::Policy::Dynamic
                                                                                  : vmm::Policy::Static;
  c.agile_nested_level = static_cast<unsigned>(ag.u64("nested_level", 0, 0, c.format.levels));
  c.dynamic.interval = ag.u64("interval", c.dynamic.interval, 1);
  c.dynamic.threshold = static_cast<unsigned>(ag.u64("threshold", c.dynamic.threshold, 1, 1u << 20));
  c.dynamic.window = static_cast<unsigned>(ag.u64("window", c.dynamic.window, 1, 1u << 20));
  ag.finish();

  Section vm = top.sub("vmm");
  c.costs.pt_write_trap = vm.u64("pt_write_trap", c.costs.pt_write_trap);
  c.costs.shadow_fault_trap = vm.u64("shadow_fault_trap", c.costs.shadow_fault_trap);
  c.costs.root_change_trap = vm.u64("root_change_trap", c.costs.root_change_trap);
  c.costs.nested_change = vm.u64("nested_change", c.costs.nested_change);
  c.costs.shadow_resync = vm.u64("shadow_resync", c.costs.shadow_resync);
  c.costs.guest_fault = vm.u64("guest_fault", c.costs.guest_fault);
  c.costs.switch_to_nested = vm.u64("switch_to_nested", c.costs.switch_to_nested);
  c.costs.switch_to_shadow = vm.u64("switch_to_shadow", c.costs.switch_to_shadow);
  c.root_cache = vm.boolean("root_cache", false);
  vm.finish();

  Section host = top.sub("host");
  c.layout.host_base = host.u64("base", c.layout.host_base);
  c.layout.host_size = host.u64("memory", c.layout.host_size, 1ull << 20);
  if (c.layout.host_base & 0xfff) host.fail("base", "must be 4 KiB aligned");
  host.finish();

  Section g = top.sub("guest");
  c.layout.guest_base = g.u64("base", c.layout.guest_base);
  c.layout.guest_size = g.u64("memory", c.layout.guest_size, 1ull << 20);
  if (c.layout.guest_base & 0xfff) g.fail("base", "must be 4 KiB aligned");
  c.layout.host_page = page_size(g, "host_page_size", pt::PageSize::k4K);
  for (Section& r : g.list("regions")) {
    Region reg;
    reg.name = r.str("name", "region" + std::to_string(c.regions.size()));
    reg.kind = r.choice("kind", "data", {"code", "heap", "stack", "mmap", "data"});
    reg.base = r.u64("base", 0);
    reg.size = r.u64("size", 0, 1);
    reg.page_size = page_size(r, "page_size", pt::PageSize::k4K);
    const std::string perms = r.str("perms", reg.kind == "code" ? "rxu" : "rwu");
    if (!parse_perms(perms, reg.perms)) r.fail("perms", "letters r, w, x, u only, got '" + perms + "'");
    reg.paging = r.choice("paging", "shadow", {"shadow", "nested"}) == "nested" ? Paging::Nested : Paging::Shadow;
    reg.nested_level = static_cast<unsigned>(r.u64("nested_level", c.agile_nested_level, 0, c.format.levels));
    reg.populate = r.boolean("populate", true);
    const uint64_t pb = pt::page_bytes(reg.page_size);
    if (reg.base % pb) r.fail("base", "must be aligned to the region's page size");
    if (reg.size % pb) r.fail("size", "must be a multiple of the region's page size");
    if (!c.format.canonical(reg.base) || !c.format.canonical(reg.base + reg.size - 1))
      r.fail("base", "region is not in the canonical " + std::to_string(c.format.va_bits()) + "-bit address space");
    for (const auto& o : c.regions)
      if (reg.base < o.base + o.size && o.base < reg.base + reg.size) r.fail("base", "overlaps region '" + o.name + "'");
    r.finish();
    c.regions.push_back(reg);
  }
  g.finish();
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
  return R"(# Embedded default: agile paging, stable code + a heap switched to nested at level 3.
seed: 1
mmu:
  mode: agile
guest:
  memory: 1G
  regions:
    - {name: code, kind: code, base: 0x400000, size: 2M, perms: rxu, paging: shadow}
    - {name: heap, kind: heap, base: 0x10000000, size: 16M, perms: rwu, paging: nested}
    - {name: stack, kind: stack, base: 0x7fff00000000, size: 1M, perms: rwu, paging: shadow}
)";
}

void populate(const Config& cfg, vmm::AddressSpace& as) {
  for (const auto& r : cfg.regions) {
    if (!r.populate) continue;
    const uint64_t pb = pt::page_bytes(r.page_size);
    for (uint64_t off = 0; off < r.size; off += pb) as.guest_map(r.base + off, r.page_size, r.perms);
  }
  as.build_all();
  // The dynamic policy starts every process all shadow-style (claim 12).
  if (cfg.mode != pt::Mode::Agile || cfg.agile_policy == vmm::Policy::Dynamic) return;
  for (const auto& r : cfg.regions)
    if (r.paging == Paging::Nested) as.make_range_nested(r.base, r.size, r.nested_level);
}

}  // namespace agilemmu::config
