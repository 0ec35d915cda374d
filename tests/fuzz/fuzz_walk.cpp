// Fuzz target: the reference walk on arbitrary page-table images and addresses. Any 64-bit PTE
// values must give a translation or an architectural fault: never a crash, never an endless
// walk, never more references than a 5-level 2-D walk can make.
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

#include "pt/walk.h"

using namespace agilemmu;

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
  pt::Walk w;
  w.start(fmt, roots, req);
  int steps = 0;
  while (w.needs_read()) {
    if (++steps > pt::kMaxRefs) __builtin_trap();  // an endless or over-long walk
    if (w.next_ref().addr & 7) __builtin_trap();   // entries are 8-byte aligned
    w.feed(mem.read64(w.next_ref().addr));
  }
  const pt::WalkResult& r = w.result();
  if (!w.done() || r.nrefs != steps) __builtin_trap();
  if (r.ok) {
    if (r.tr.hpa >> 52) __builtin_trap();  // outputs come from 52-bit address fields
  } else {
    if (r.fault.stage == pt::Stage::None || r.fault.kind == pt::FaultKind::None) __builtin_trap();
    if (r.fault.level > 5) __builtin_trap();
  }
  return 0;
}
