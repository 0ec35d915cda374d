// The integer hashing the model uses for seeds, digests and set indices: SplitMix64's constants
// (Steele, Lea and Flood, OOPSLA 2014). Not yet the only place: the Mmu's outcome digest
// (mmu.cpp), PhysMem's frame index and unit_cosim.cpp's seed mix still spell the constants out.
#pragma once
#include <cstdint>

namespace agilemmu::pt {

inline constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ull;  // 2^64 / golden ratio, odd
inline constexpr uint64_t kMixMultiplier = 0xbf58476d1ce4e5b9ull;

// Spreads a value over all 64 bits (xor-shift, multiply, xor-shift): reproducible seeds for
// images and walks of the co-simulation.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 31;
  x *= kMixMultiplier;
  return x ^ (x >> 29);
}

}  // namespace agilemmu::pt
