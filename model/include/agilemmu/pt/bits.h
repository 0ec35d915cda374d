// Small bit helpers shared by the model and the testbench.
#pragma once
#include <cstdint>

namespace agilemmu::pt {

// The bits needed to number v things: ceil(log2(v)), 0 for v <= 1 (an index field's width).
constexpr unsigned ceil_log2(uint64_t v) {
  unsigned b = 0;
  while (b < 64 && (uint64_t{1} << b) < v) ++b;
  return b;
}

}  // namespace agilemmu::pt
