#include <agilemmu/mmu/set_assoc.h>

namespace agilemmu::mmu {

const char* to_string(Replacement r) {
  switch (r) {
    case Replacement::LRU:
      return "lru";
    case Replacement::PLRU:
      return "plru";
    case Replacement::Random:
      return "random";
  }
  return "?";
}

bool parse_replacement(const std::string& s, Replacement& r) {
  for (Replacement c : {Replacement::LRU, Replacement::PLRU, Replacement::Random})
    if (s == to_string(c)) {
      r = c;
      return true;
    }
  return false;
}

std::string CacheGeometry::validate() const {
  if (entries == 0) return {};
  if (ways == 0) return "ways must be >= 1";
  if (ways > 64) return "ways must be <= 64";
  if (entries % ways) return "entries must be a multiple of ways";
  const uint32_t s = entries / ways;
  if (s & (s - 1)) return "entries / ways (the number of sets) must be a power of two";
  if (replacement == Replacement::PLRU && (ways & (ways - 1))) return "plru needs a power-of-two number of ways";
  return {};
}

}  // namespace agilemmu::mmu
