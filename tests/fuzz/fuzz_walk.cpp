// Fuzz target: the reference walk on arbitrary page-table images and addresses. Any 64-bit PTE
// values must give a translation or an architectural fault: never a crash, never an endless
// walk, never more references than a 5-level 2-D walk can make. Walk caches (page-walk cache,
// nested PWC, nested TLB) may only save references: the same walk cold and warm through them,
// and a walk of the neighbouring page after it, must give the uncached walk's result.
//
// Input: a 17-byte header, then 12-byte records that write PTEs into 16 physical frames.
//   [0] mode = b&3, levels = 4+(b>>2&1), nested_levels = 4+(b>>3&1), access = (b>>4&3)%3,
//       user = b>>6&1, nx disabled = b>>7
//   [1] maxphyaddr = 32 + b%21     [2] selector bit = {9,10,11,52..58}[b%10]
//   [3] croot is a gPA = b&1       [4..8] frames of hroot, groot, nroot, sroot, croot (b%16)
//   [9..16] virtual address (little endian)
//   records: frame (b%16), entry index (u16 %512), flags, value (u64); flags&1 replaces the
//   value's address field with frame (flags>>1)%16 so walks can chain through the image.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <agilemmu/mmu/walk_caches.h>
#include <agilemmu/pt/walk.h>

using namespace agilemmu;

namespace {

// Runs one walk to the end, checking the step machine's contract on the way.
pt::WalkResult run(const pt::PhysMem& mem, const pt::Format& fmt, const pt::Roots& roots, const pt::WalkRequest& req,
                   pt::WalkCaches* caches) {
  pt::Walk w;
  w.start(fmt, roots, req, caches);
  int steps = 0;
  while (w.needs_mem()) {
    if (++steps > pt::kMaxRefs) __builtin_trap();  // an endless or over-long walk
    const pt::MemRef& ref = w.next_ref();
    if (ref.addr & 7) __builtin_trap();  // entries are 8-byte aligned
    if (ref.write) {
      // A/D writes only set A or D in the entry the walk just read
      if ((ref.data & ~ref.old) & ~(pt::pte::A | pt::pte::D)) __builtin_trap();
      if (ref.data == ref.old) __builtin_trap();  // written only when a bit changes
      w.feed(0);                                  // (the image is not modified: every walk sees the input as it is)
    } else {
      w.feed(mem.read64(ref.addr));
    }
  }
  const pt::WalkResult& r = w.result();
  if (!w.done() || r.nrefs != steps) __builtin_trap();
  if (r.ok) {
    if (r.tr.hpa >> 52) __builtin_trap();  // outputs come from 52-bit address fields
  } else {
    if (r.fault.kind == pt::FaultKind::None) __builtin_trap();
    if ((r.fault.stage == pt::Stage::None) != (r.fault.kind == pt::FaultKind::NonCanonical))
      __builtin_trap();  // #GP has no stage
    if (r.fault.level > 5) __builtin_trap();
  }
  return r;
}

// What a walk decides: the translation or the fault, and where an agile walk switched.
bool same_outcome(const pt::WalkResult& a, const pt::WalkResult& b) {
  if (a.ok != b.ok || a.switch_level != b.switch_level) return false;
  if (!a.ok) return a.fault == b.fault;
  return a.tr.hpa == b.tr.hpa && a.tr.gpa == b.tr.gpa && a.tr.size == b.tr.size && a.tr.perms == b.tr.perms;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* d, size_t n) {
  if (n < 17) return 0;
  static const unsigned kSel[] = {9, 10, 11, 52, 53, 54, 55, 56, 57, 58};
  pt::Format fmt;
  pt::WalkRequest req;
  req.mode = static_cast<pt::Mode>(d[0] & 3);
  fmt.levels = 4 + (d[0] >> 2 & 1);
  fmt.nested_levels = 4 + (d[0] >> 3 & 1);
  req.access = static_cast<pt::Access>((d[0] >> 4 & 3) % 3);
  req.user = d[0] >> 6 & 1;
  fmt.nx_enabled = !(d[0] >> 7);
  fmt.maxphyaddr = 32 + d[1] % 21;
  fmt.selector_bit = kSel[d[2] % 10];
  if (!fmt.validate().empty()) __builtin_trap();
  pt::Roots roots;
  roots.croot_is_gpa = d[3] & 1;
  roots.hroot = uint64_t(d[4] % 16) << 12;
  roots.groot = uint64_t(d[5] % 16) << 12;
  roots.nroot = uint64_t(d[6] % 16) << 12;
  roots.sroot = uint64_t(d[7] % 16) << 12;
  roots.croot = uint64_t(d[8] % 16) << 12;
  std::memcpy(&req.va, d + 9, 8);
  pt::PhysMem mem;
  for (size_t i = 17; i + 12 <= n; i += 12) {
    uint16_t idx;
    uint64_t v;
    std::memcpy(&idx, d + i + 1, 2);
    std::memcpy(&v, d + i + 4, 8);
    const uint8_t flags = d[i + 3];
    if (flags & 1) v = (v & ~pt::Format::kAddrField) | (uint64_t((flags >> 1) % 16) << 12);
    mem.write64((uint64_t(d[i] % 16) << 12) + 8ull * (idx % 512), v);
  }
  const pt::WalkResult plain = run(mem, fmt, roots, req, nullptr);

  mmu::CacheGeometry g;
  g.entries = 16;
  g.ways = 4;
  mmu::WalkCacheSet caches;
  caches.configure(fmt, g, g, g, 1);
  for (int pass = 0; pass < 2; ++pass) {  // cold, then warm from the first pass's fills
    const pt::WalkResult r = run(mem, fmt, roots, req, &caches);
    if (!same_outcome(r, plain) || r.nrefs > plain.nrefs) __builtin_trap();
  }
  pt::WalkRequest next = req;  // shares every level but the leaf with the cached walk
  next.va ^= 0x1000;
  if (!same_outcome(run(mem, fmt, roots, next, &caches), run(mem, fmt, roots, next, nullptr))) __builtin_trap();
  return 0;
}
