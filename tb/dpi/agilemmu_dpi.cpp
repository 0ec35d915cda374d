// The DPI-C golden model (agilemmu_dpi.h): images, memory and the reference walk behind plain C
// functions, so a SystemVerilog testbench in any simulator can check a walker against pt::Walk.
#include <agilemmu/dpi/agilemmu_dpi.h>

#include <exception>
#include <initializer_list>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "agilemmu/pt/walk.h"
#include "agilemmu/pt/walk_timing.h"
#include "agilemmu/vmm/address_space.h"
#include "config/config.h"
#include "cosim/image_gen.h"

using namespace agilemmu;

namespace {

// One model: either a random co-simulation image or a guest built from a YAML config.
struct Model {
  pt::Format fmt;
  pt::Roots roots;
  std::unique_ptr<cosim::Image> image;  // seed models
  // config models
  std::unique_ptr<pt::PhysMem> mem;
  std::unique_ptr<vmm::AddressSpace> as;
  pt::Mode mode = pt::Mode::Native;
  std::vector<std::pair<uint64_t, uint64_t>> pages;  // (gVA page, bytes)
  std::mt19937_64 rng{1};
  pt::WalkResult last;

  pt::PhysMem& memory() const { return image ? image->mem() : *mem; }
};

std::vector<std::unique_ptr<Model>> g_models;
std::string g_error;

int fail(const std::string& what) {
  g_error = "agilemmu dpi: " + what;
  return -1;
}

Model* model(int h) {
  if (h < 0 || static_cast<size_t>(h) >= g_models.size() || !g_models[h]) {
    fail("no model with handle " + std::to_string(h));
    return nullptr;
  }
  return g_models[h].get();
}

// The model of a call that writes through output pointers: nullptr (and the error set) on a bad
// handle or a NULL pointer, naming the function.
Model* model(int h, const char* fn, std::initializer_list<const void*> outputs) {
  unsigned i = 0;
  for (const void* p : outputs) {
    ++i;
    if (!p) {
      fail(std::string(fn) + ": output pointer " + std::to_string(i) + " is NULL");
      return nullptr;
    }
  }
  return model(h);
}

// A request from DPI arguments: false (and the error set) when access or mode is outside its
// encoding, rather than walking an undefined enum value.
bool request(long long va, int access, int user, int mode, pt::WalkRequest& r) {
  if (access < 0 || access > static_cast<int>(pt::Access::Fetch)) {
    fail("access " + std::to_string(access) + " is not 0 (read), 1 (write) or 2 (fetch)");
    return false;
  }
  if (mode < 0 || mode > static_cast<int>(pt::Mode::Agile)) {
    fail("mode " + std::to_string(mode) + " is not 0 (native), 1 (nested), 2 (shadow) or 3 (agile)");
    return false;
  }
  r.va = static_cast<uint64_t>(va);
  r.access = static_cast<pt::Access>(access);
  r.user = user != 0;
  r.mode = static_cast<pt::Mode>(mode);
  return true;
}

int add(std::unique_ptr<Model> m) {
  g_models.push_back(std::move(m));
  return static_cast<int>(g_models.size() - 1);
}

}  // namespace

extern "C" {

int agilemmu_create_from_seed_image(int levels, int nested_levels, int maxphyaddr, int selector_bit, int nx,
                                    int nested_ad, long long seed, long long image) {
  if (image < 0) return fail("image " + std::to_string(image) + " is negative");
  auto m = std::make_unique<Model>();
  m->fmt.levels = static_cast<unsigned>(levels);
  m->fmt.nested_levels = static_cast<unsigned>(nested_levels);
  m->fmt.maxphyaddr = static_cast<unsigned>(maxphyaddr);
  m->fmt.selector_bit = static_cast<unsigned>(selector_bit);
  m->fmt.nx_enabled = nx != 0;
  m->fmt.nested_ad = nested_ad != 0;
  if (auto e = m->fmt.validate(); !e.empty()) return fail("bad format: " + e);
  m->image = std::make_unique<cosim::Image>(
      m->fmt, cosim::image_seed(static_cast<uint64_t>(seed), static_cast<uint64_t>(image)));
  m->roots = m->image->roots();
  return add(std::move(m));
}

int agilemmu_create_from_seed(int levels, int nested_levels, int maxphyaddr, int selector_bit, int nx, int nested_ad,
                              long long seed) {
  return agilemmu_create_from_seed_image(levels, nested_levels, maxphyaddr, selector_bit, nx, nested_ad, seed, 0);
}

int agilemmu_create_from_config(const char* yaml_path) {
  try {
    const config::Config cfg = config::load(yaml_path ? yaml_path : "");
    // The result layout (2-bit page size, {write, user, exec}, x86 error codes) is the x86-64
    // walker's: a RISC-V walk's 512 GiB pages, read permission and scause would not fit it.
    if (cfg.format.riscv()) return fail("format.isa: riscv: the DPI-C contract is x86-64's (docs/riscv.md)");
    auto m = std::make_unique<Model>();
    m->fmt = cfg.format;
    m->mode = cfg.mode;
    m->mem = std::make_unique<pt::PhysMem>();
    m->as = std::make_unique<vmm::AddressSpace>(*m->mem, cfg.format, cfg.layout);
    config::populate(cfg, *m->as);
    m->roots = m->as->roots();
    for (const auto& [va, map] : m->as->guest_mappings()) m->pages.push_back({va, pt::page_bytes(map.size)});
    m->rng.seed(cfg.seed);
    return add(std::move(m));
  } catch (const std::exception& e) {
    g_error = e.what();  // config errors name file, line and key themselves
    return -1;
  }
}

void agilemmu_destroy(int h) {
  if (model(h)) g_models[h].reset();
}

const char* agilemmu_last_error(void) { return g_error.c_str(); }

int agilemmu_format(int h, int* levels, int* nested_levels, int* maxphyaddr, int* selector_bit, int* nx,
                    int* nested_ad) {
  Model* m = model(h, "agilemmu_format", {levels, nested_levels, maxphyaddr, selector_bit, nx, nested_ad});
  if (!m) return -1;
  *levels = static_cast<int>(m->fmt.levels);
  *nested_levels = static_cast<int>(m->fmt.nested_levels);
  *maxphyaddr = static_cast<int>(m->fmt.maxphyaddr);
  *selector_bit = static_cast<int>(m->fmt.selector_bit);
  *nx = m->fmt.nx_enabled;
  *nested_ad = m->fmt.nested_ad;
  return 1;
}

int agilemmu_roots(int h, long long* hroot, long long* groot, long long* nroot, long long* sroot, long long* croot,
                   int* croot_is_gpa) {
  Model* m = model(h, "agilemmu_roots", {hroot, groot, nroot, sroot, croot, croot_is_gpa});
  if (!m) return -1;
  *hroot = static_cast<long long>(m->roots.hroot);
  *groot = static_cast<long long>(m->roots.groot);
  *nroot = static_cast<long long>(m->roots.nroot);
  *sroot = static_cast<long long>(m->roots.sroot);
  *croot = static_cast<long long>(m->roots.croot);
  *croot_is_gpa = m->roots.croot_is_gpa;
  return 1;
}

long long agilemmu_mem_read(int h, long long addr) {
  Model* m = model(h);
  return m ? static_cast<long long>(m->memory().read64(static_cast<uint64_t>(addr))) : 0;
}

void agilemmu_mem_write(int h, long long addr, long long data) {
  if (Model* m = model(h)) m->memory().write64(static_cast<uint64_t>(addr), static_cast<uint64_t>(data));
}

int agilemmu_next_request(int h, long long* va, int* access, int* user, int* mode) {
  Model* m = model(h, "agilemmu_next_request", {va, access, user, mode});
  if (!m) return -1;
  pt::WalkRequest r;
  if (m->image) {
    r = m->image->next_request();
  } else if (!m->pages.empty()) {
    const auto& [base, bytes] = m->pages[m->rng() % m->pages.size()];
    r.va = base + ((m->rng() % bytes) & ~7ull);
    r.access = static_cast<pt::Access>(m->rng() % 3);
    r.user = m->rng() & 1;
    r.mode = m->mode;
  } else {
    return fail("the config maps no pages");
  }
  *va = static_cast<long long>(r.va);
  *access = static_cast<int>(r.access);
  *user = r.user;
  *mode = static_cast<int>(r.mode);
  return 1;
}

int agilemmu_golden_walk(int h, long long va, int access, int user, int mode) {
  Model* m = model(h);
  pt::WalkRequest r;
  if (!m || !request(va, access, user, mode, r)) return -1;
  m->last = pt::probe(m->memory(), m->fmt, m->roots, r);
  return m->last.nrefs;
}

int agilemmu_golden_result(int h, int* ok, long long* hpa, long long* gpa, int* size, int* perms, int* switch_level,
                           int* fault_stage, int* fault_kind, int* fault_level, long long* fault_addr,
                           long long* fault_code) {
  Model* m =
      model(h, "agilemmu_golden_result",
            {ok, hpa, gpa, size, perms, switch_level, fault_stage, fault_kind, fault_level, fault_addr, fault_code});
  if (!m) return -1;
  const pt::WalkResult& w = m->last;
  // Only the fields of the outcome are valid; the others read 0 (not whatever the walk left).
  const pt::Translation tr = w.ok ? w.tr : pt::Translation{};
  const pt::Fault f = w.ok ? pt::Fault{} : w.fault;
  *ok = w.ok;
  *hpa = static_cast<long long>(tr.hpa);
  *gpa = static_cast<long long>(tr.gpa);
  *size = static_cast<int>(tr.size);
  *perms = w.ok ? (tr.perms.write << 2) | (tr.perms.user << 1) | int(tr.perms.exec) : 0;
  *switch_level = w.switch_level;
  *fault_stage = static_cast<int>(f.stage);
  *fault_kind = static_cast<int>(f.kind);
  *fault_level = f.level;
  *fault_addr = static_cast<long long>(f.addr);
  *fault_code = static_cast<long long>(f.error_code);
  return 1;
}

int agilemmu_golden_ref(int h, int i, long long* addr, int* port, int* table, int* level, int* write, long long* data) {
  Model* m = model(h, "agilemmu_golden_ref", {addr, port, table, level, write, data});
  if (!m) return -1;
  if (i < 0 || i >= m->last.nrefs) return 0;
  const pt::MemRef& r = m->last.refs[static_cast<size_t>(i)];
  *addr = static_cast<long long>(r.addr);
  *port = static_cast<int>(r.port);
  *table = static_cast<int>(r.table);
  *level = r.level;
  *write = r.write;
  *data = r.write ? static_cast<long long>(r.data) : 0;
  return 1;
}

long long agilemmu_golden_cycles(int h, long long latency_sum, long long stall_cycles) {
  const Model* m = model(h);
  if (!m) return -1;
  if (latency_sum < 0 || stall_cycles < 0) return fail("agilemmu_golden_cycles: negative latency or stall cycles");
  // The walker's contract is pt::WalkTiming's defaults (rtl/README.md, cycle contract).
  return static_cast<long long>(pt::WalkTiming{}.observed(m->last.nrefs, static_cast<uint64_t>(latency_sum),
                                                          static_cast<uint64_t>(stall_cycles)));
}

}  // extern "C"
