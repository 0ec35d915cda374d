// A guest for Mmu tests: pages in two regions (a heap and a far data area), so nested walks share
// some upper entries and not others, part of the heap nested-style (agile walks switch), and a
// fixed pseudo-random list of 8-byte-aligned addresses over both. Header-only, test code.
#pragma once
#include <cstdint>
#include <vector>

#include <agilemmu/vmm/address_space.h>

namespace agilemmu::testing {

struct TwoRegionImage {
  pt::PhysMem mem;
  pt::Format fmt;
  vmm::AddressSpace as{mem, fmt};
  std::vector<uint64_t> vas;
  TwoRegionImage() {
    for (unsigned i = 0; i < 48; ++i) as.guest_map(0x10000000 + 0x1000ull * i, pt::PageSize::k4K, {}, true);
    for (unsigned i = 0; i < 16; ++i) as.guest_map(0x7f0000000000 + 0x200000ull * i, pt::PageSize::k4K, {}, true);
    as.build_all();
    as.make_range_nested(0x10000000, 0x8000);  // agile mode: part of the heap nested-style
    uint64_t x = 12345;
    for (unsigned i = 0; i < 600; ++i) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      const unsigned k = static_cast<unsigned>(x >> 33) % 64;
      vas.push_back((k < 48 ? 0x10000000 + 0x1000ull * k : 0x7f0000000000 + 0x200000ull * (k - 48)) +
                    ((x >> 20) & 0xff8));
    }
  }
};

}  // namespace agilemmu::testing
