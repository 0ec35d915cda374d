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

ConfigIssue CacheGeometry::validate() const {
  if (replacement != Replacement::LRU && replacement != Replacement::PLRU && replacement != Replacement::Random)
    return {"replacement", "must be lru, plru or random"};
  if (auto e = check_range("latency", latency, 0u, kMaxLatency)) return e;
  if (auto e = check_range("entries", entries, 0u, kMaxEntries)) return e;
  if (entries == 0) return {};  // disabled: the other fields do not matter
  if (auto e = check_range("ways", ways, 1u, kMaxWays)) return e;
  if (entries % ways) return {"entries", "entries must be a multiple of ways"};
  const uint32_t s = entries / ways;
  if (s & (s - 1)) return {"entries", "entries / ways (the number of sets) must be a power of two"};
  if (replacement == Replacement::PLRU && (ways & (ways - 1)))
    return {"ways", "plru needs a power-of-two number of ways"};
  return {};
}

}  // namespace agilemmu::mmu
