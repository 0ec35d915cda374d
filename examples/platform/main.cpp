// A foreign platform around the agilemmu MMU, built against the installed package alone
// (find_package(agilemmu) -> agilemmu::model). Its own CPU sends plain TLM-2.0 requests without
// an MmuExtension, so the MMU uses MmuConfig::default_context; its own memory waits inside
// b_transport. Two MMUs share one simulation: LT with one walker, AT with four. The guest's tables
// come from vmm::AddressSpace: read-only code (shadow-style), a heap whose leaf tables are
// nested-style, 2 MiB data pages and a stack.
//
// Every access is checked against the reference walk:
//  - each 8-byte slot the program reads holds a marker written at the hPA pt::probe gives for it
//    (pt::probe must agree with the address space's mapping records), so a read through the MMU
//    returns the marker only where the MMU translated as the reference walk does;
//  - writes use slots of their own; after the run each value must be at the hPA pt::walk gives;
//  - MmuConfig::check: the MMU compares each translation it delivers with a fresh walk;
//  - the LT and the AT MMU end with the same translation digest.
// Exit code 0 when everything agrees, 1 otherwise.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <map>
#include <string>
#include <systemc>
#include <vector>

#include <agilemmu/agilemmu.h>

#include "cpu.h"
#include "memory.h"

using namespace agilemmu;
using pt::PageSize;

namespace {

constexpr uint16_t kAsid = 5, kVmid = 2;  // the context the MMU gives requests without an extension
constexpr pt::Mode kMode = pt::Mode::Agile;

struct Region {
  const char* name;
  uint64_t base;
  unsigned pages;
  PageSize size;
  pt::Perms perms;  // {write, user, exec}
  bool nested;      // agile: the region's leaf tables are nested-style (the guest changes them freely)
};
const Region kRegions[] = {
    {"code", 0x400000, 160, PageSize::k4K, {false, true, true}, false},
    {"heap", 0x10000000, 256, PageSize::k4K, {true, true, false}, true},
    {"data", 0x7f0000000000, 8, PageSize::k2M, {true, true, false}, false},
    {"stack", 0x7ffff0000000 - 64 * 0x1000, 64, PageSize::k4K, {true, true, false}, false},
};

// Distinct for distinct addresses (an odd multiplier is a bijection mod 2^64).
uint64_t marker(uint64_t va) { return va * 0x9e3779b97f4a7c15ull ^ 0x5eed; }
uint64_t written(uint64_t va) { return ~marker(va); }

// The guest's memory and tables; each MMU gets its own (A/D bits and writes are its own).
struct Image {
  pt::PhysMem mem;
  pt::Format fmt;
  vmm::AddressSpace as{mem, fmt};
  Image() {
    for (const Region& r : kRegions)
      for (unsigned i = 0; i < r.pages; ++i)
        as.guest_map(r.base + i * pt::page_bytes(r.size), r.size, r.perms, /*dirty=*/true);
    as.build_all();
    for (const Region& r : kRegions)
      if (r.nested) as.make_range_nested(r.base, uint64_t(r.pages) * pt::page_bytes(r.size));
  }
  pt::WalkRequest request(const Access& a) const {
    pt::WalkRequest q;
    q.va = a.va, q.access = a.write ? pt::Access::Write : pt::Access::Read, q.user = true, q.mode = kMode;
    return q;
  }
};

// `n` accesses at random slots of random pages; a quarter are writes (to writable regions), which
// use odd slots so that no read's marker changes under it, in whatever order AT completes them.
std::vector<Access> make_program(size_t n) {
  std::vector<Access> p;
  uint64_t x = 2024;
  auto next = [&x] { return x = x * 6364136223846793005ull + 1442695040888963407ull, x >> 33; };
  while (p.size() < n) {
    const Region& r = kRegions[next() % (sizeof kRegions / sizeof kRegions[0])];
    Access a;
    a.write = r.perms.write && next() % 3 == 0;
    const uint64_t slots = pt::page_bytes(r.size) / 8;
    const uint64_t slot = (next() % (slots / 2)) * 2 + (a.write ? 1 : 0);
    a.va = r.base + (next() % r.pages) * pt::page_bytes(r.size) + slot * 8;
    if (a.write) a.data = written(a.va);
    p.push_back(a);
  }
  return p;
}

struct Mismatches {
  unsigned n = 0;
  void operator()(const std::string& what) {
    if (++n <= 10) std::fprintf(stderr, "MISMATCH %s\n", what.c_str());
  }
};

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

// Expected hPAs from the reference walk (without changing memory), cross-checked with the address
// space's mapping records; markers written there, write slots cleared.
std::map<uint64_t, uint64_t> prepare(Image& img, const std::vector<Access>& program, Mismatches& bad) {
  std::map<uint64_t, uint64_t> hpa_of;
  for (const Access& a : program) {
    const pt::WalkResult r = pt::probe(img.mem, img.fmt, img.as.roots(), img.request(a));
    uint64_t hpa = 0;
    pt::Perms perms;
    PageSize size;
    if (!r.ok || !img.as.translate(a.va, hpa, perms, size) || hpa != r.tr.hpa) {
      bad("probe " + hex(a.va) + ": walk " + (r.ok ? hex(r.tr.hpa) : "faults") + ", mapping " + hex(hpa));
      continue;
    }
    hpa_of[a.va] = hpa;
    img.mem.write64(hpa, a.write ? 0 : marker(a.va));
  }
  return hpa_of;
}

// One MMU with its own image, memory and CPU (named apart: two share the simulation).
struct Platform {
  Image img;
  Memory memory;
  mmu::Mmu mmu;
  Cpu cpu;
  std::map<uint64_t, uint64_t> hpa_of;
  Platform(const std::string& name, mmu::Timing timing, unsigned walkers, const std::vector<Access>& program,
           Mismatches& bad)
      : memory((name + "_memory").c_str(), img.mem),
        mmu((name + "_mmu").c_str(), config(timing, walkers), img.fmt),
        cpu((name + "_cpu").c_str()) {
    hpa_of = prepare(img, program, bad);
    cpu.program = program;
    cpu.at = timing == mmu::Timing::AT;
    cpu.debug_va = program.front().write ? program.back().va : program.front().va;
    cpu.socket.bind(mmu.cpu);
    mmu.data.bind(memory.socket);
    mmu.compound_port.bind(memory.socket);
    mmu.nested_port.bind(memory.socket);
    mmu.set_roots(mmu::Context{kAsid, kVmid, false}, img.as.roots());
  }
  static mmu::MmuConfig config(mmu::Timing timing, unsigned walkers) {
    mmu::MmuConfig c;
    c.mode = kMode;
    c.timing = timing;
    c.walkers = walkers;
    c.check = true;  // every delivered translation against a fresh walk of the tables
    c.default_context = {kAsid, kVmid, /*host=*/false, /*user=*/true};
    // Small TLBs and walk caches, so that most accesses walk.
    c.l1d.geo = {16, 4, 1, mmu::Replacement::LRU};
    c.l2.geo = {64, 8, 4, mmu::Replacement::LRU};
    c.pwc = {8, 2, 1, mmu::Replacement::LRU};
    c.npwc = {8, 2, 1, mmu::Replacement::LRU};
    c.ntlb = {16, 4, 1, mmu::Replacement::LRU};
    return c;
  }

  // Reads returned their marker, writes landed where pt::walk says the page is.
  void check(const char* name, Mismatches& bad) {
    for (const Access& a : cpu.program) {
      const std::string what = std::string(name) + (a.write ? " write " : " read ") + hex(a.va);
      if (a.status != tlm::TLM_OK_RESPONSE) {
        bad(what + ": response " + std::to_string(int(a.status)));
        continue;
      }
      if (!a.write) {
        if (a.data != marker(a.va)) bad(what + ": read " + hex(a.data) + ", marker " + hex(marker(a.va)));
        continue;
      }
      const pt::WalkResult r = pt::walk(img.mem, img.fmt, img.as.roots(), img.request(a));
      if (!r.ok || r.tr.hpa != hpa_of[a.va])
        bad(what + ": pt::walk after the run gives another page");
      else if (img.mem.read64(r.tr.hpa) != a.data)
        bad(what + ": " + hex(img.mem.read64(r.tr.hpa)) + " at its hPA");
    }
    const Access& d = cpu.program.front().write ? cpu.program.back() : cpu.program.front();
    if (cpu.debug_bytes != 8 || cpu.debug_data != (d.write ? d.data : marker(d.va)))
      bad(std::string(name) + " debug read " + hex(cpu.debug_va) + ": " + std::to_string(cpu.debug_bytes) + " bytes");
    const mmu::MmuStats& s = mmu.stats();
    if (s.requests != cpu.program.size() || s.checked != s.requests || s.faults)
      bad(std::string(name) + ": " + std::to_string(s.requests) + " requests, " + std::to_string(s.checked) +
          " checked, " + std::to_string(s.faults) + " faults");
    size_t writes = 0;
    for (const Access& a : cpu.program) writes += a.write;
    std::printf(
        "%s: %zu accesses (%zu writes), %llu walks (%llu A/D writes), %llu translations checked by the MMU, "
        "memory %llu reads %llu writes\n",
        name, cpu.program.size(), writes, static_cast<unsigned long long>(s.walks),
        static_cast<unsigned long long>(s.ad_writes), static_cast<unsigned long long>(s.checked),
        static_cast<unsigned long long>(memory.reads), static_cast<unsigned long long>(memory.writes));
  }
};

}  // namespace

int sc_main(int, char**) {
  std::printf("agilemmu %s, mode %s, default context asid %u vmid %u\n", AGILEMMU_VERSION, pt::to_string(kMode),
              unsigned(kAsid), unsigned(kVmid));
  const std::vector<Access> program = make_program(4000);
  Mismatches bad;
  Platform lt("lt", mmu::Timing::LT, 1, program, bad);
  Platform at("at", mmu::Timing::AT, 4, program, bad);
  unsigned pages = 0;
  for (const Region& r : kRegions) pages += r.pages;
  std::printf("guest: %u pages in %zu regions, heap nested-style at level %u\n", pages,
              sizeof kRegions / sizeof kRegions[0],
              lt.img.as.nested_points().empty() ? 0u : lt.img.as.nested_points()[0].first);
  try {
    sc_core::sc_start();
  } catch (const std::exception& e) {  // mmu.check reports a difference as an SC_REPORT_ERROR
    std::fprintf(stderr, "platform: %s\n", e.what());
    return 1;
  }
  lt.check("lt", bad);
  at.check("at", bad);
  if (lt.mmu.stats().translation_digest != at.mmu.stats().translation_digest)
    bad("LT and AT translation digests differ");
  std::printf("translation digest %016llx (LT and AT)\n",
              static_cast<unsigned long long>(lt.mmu.stats().translation_digest));
  // The same counters by name, as `agilemmu run --json` writes them under "mmu".
  size_t keys = 0;
  stats::visit(mmu::mmu_stats_group(), lt.mmu, [&](const std::string& name, const stats::Value& v) {
    keys += !std::holds_alternative<stats::Absent>(v);
    if (name == "walker.walks" && std::get<uint64_t>(v) != lt.mmu.stats().walks)
      bad("statistics registry: walker.walks is not Mmu::stats().walks");
  });
  std::printf("lt: %zu MMU statistics in the registry\n", keys);
  if (bad.n) {
    std::printf("platform: FAILED, %u mismatches\n", bad.n);
    return 1;
  }
  std::printf("platform: ok, every translation agrees with the reference walk\n");
  return 0;
}
