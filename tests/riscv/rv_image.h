// A RISC-V machine image written entry by entry from the privileged spec's PTE layout,
// independently of pt::Walk and of the VMM: the RISC-V walk tests and the QEMU oracle build
// their tables with it.
#pragma once
#include <cstdint>

#include <agilemmu/pt/walk.h>

namespace agilemmu::test::rv_image {
namespace rv = pt::rv;

constexpr uint64_t kPtr = rv::V;  // a non-leaf entry: V only
constexpr uint64_t kRwx = rv::V | rv::R | rv::W | rv::X | rv::A | rv::D;

// A RISC-V machine image: host frames from a bump allocator, an optional guest whose memory is
// mapped into the G-stage 4 KiB page by page as the builder needs it.
struct Image {
  pt::PhysMem mem;
  pt::Format fmt;
  uint64_t next_host;                // host frames for the G-stage and native tables
  uint64_t next_guest = 0x10000000;  // gPAs of guest page-table frames
  uint64_t guest_to_host;            // a guest page-table frame's hPA is its gPA + this
  uint64_t nroot = 0;

  Image(unsigned levels, unsigned nested_levels, uint64_t host_base = 0x10000, uint64_t guest_to_host_ = 0x100000000ull)
      : next_host(host_base), guest_to_host(guest_to_host_) {
    fmt.isa = pt::Isa::RiscV;
    fmt.levels = levels;
    fmt.nested_levels = nested_levels;
    fmt.selector_bit = pt::kRvSelectorBit;
    nroot = host_frames(4);  // the G-stage root is 16 KiB, 16 KiB aligned
  }
  uint64_t host_frames(unsigned n) {
    next_host = (next_host + 0x1000ull * n - 1) & ~(0x1000ull * n - 1);
    const uint64_t a = next_host;
    next_host += 0x1000ull * n;
    return a;
  }
  // Entry address at `level` of a table of `lvls` levels for `addr`; creates pointer entries
  // on the way down. `to_host` turns a node address into the hPA where its bytes are.
  template <class ToHost, class NewNode>
  uint64_t entry(uint64_t root, unsigned lvls, uint64_t addr, unsigned level, bool x4, ToHost to_host,
                 NewNode new_node) {
    uint64_t node = root;
    for (unsigned l = 1;; ++l) {
      const uint64_t mask = x4 && l == 1 ? 0x7ff : 0x1ff;
      const uint64_t ea = to_host(node) + 8 * ((addr >> pt::Format::shift(lvls, l)) & mask);
      if (l == level) return ea;
      uint64_t e = mem.read64(ea);
      if (!(e & rv::V)) {
        e = rv::make_pte(new_node(), kPtr);
        mem.write64(ea, e);
      }
      node = ((e & rv::kPpnMask) >> rv::kPpnShift) << 12;
    }
  }
  // G-stage: gPA -> hPA leaf at `level` with `flags` (U is what G-stage leaves need).
  uint64_t g_entry(uint64_t gpa, unsigned level) {
    return entry(
        nroot, fmt.nested_levels, gpa, level, true, [](uint64_t a) { return a; }, [&] { return host_frames(1); });
  }
  void g_map(uint64_t gpa, uint64_t hpa, unsigned level, uint64_t flags) {
    mem.write64(g_entry(gpa, level), rv::make_pte(hpa, flags));
  }
  // A new guest page-table frame: a gPA, mapped in the G-stage at gPA + kGuestToHost.
  uint64_t guest_frame() {
    const uint64_t g = next_guest;
    next_guest += 0x1000;
    g_map(g, g + guest_to_host, fmt.nested_levels, kRwx | rv::U);
    return g;
  }
  uint64_t vs_entry(uint64_t groot, uint64_t va, unsigned level) {
    return entry(
        groot, fmt.levels, va, level, false, [&](uint64_t g) { return g + guest_to_host; },
        [&] { return guest_frame(); });
  }
  uint64_t native_entry(uint64_t root, uint64_t va, unsigned level) {
    return entry(
        root, fmt.levels, va, level, false, [](uint64_t a) { return a; }, [&] { return host_frames(1); });
  }
  pt::WalkResult walk(const pt::Roots& roots, pt::Mode m, uint64_t va, pt::Access acc = pt::Access::Read,
                      bool user = false, bool sum = false, bool mxr = false) {
    pt::WalkRequest r;
    r.va = va, r.mode = m, r.access = acc, r.user = user, r.sum = sum, r.mxr = mxr;
    return pt::walk(mem, fmt, roots, r);
  }
};

}  // namespace agilemmu::test::rv_image
