// A set-associative array with LRU, tree pseudo-LRU or random replacement. Every MMU structure
// (L1/L2 TLBs, page-walk caches, nested TLB) is one of these with its own entry type, so
// geometry, replacement and counters behave the same everywhere (as gem5's SMMUv3 caches do).
// Plain C++, no allocation after construction.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <agilemmu/config_issue.h>
#include <agilemmu/pt/zeroed_array.h>

namespace agilemmu::mmu {

enum class Replacement : uint8_t { LRU, PLRU, Random };
const char* to_string(Replacement);
bool parse_replacement(const std::string&, Replacement&);

struct CacheGeometry {
  uint32_t entries = 0;  // 0 disables the structure: every lookup misses, nothing is counted
  uint32_t ways = 1;
  uint32_t latency = 1;  // cycles per lookup
  Replacement replacement = Replacement::LRU;
  static constexpr uint32_t kMaxEntries = 1u << 24, kMaxWays = 64, kMaxLatency = 1u << 20;
  // The first field out of range ("entries", "ways", "latency", "replacement"), or none.
  ConfigIssue validate() const;
  uint32_t sets() const { return entries ? entries / ways : 0; }
};

struct CacheCounters {
  uint64_t hits = 0, misses = 0, evictions = 0, invalidations = 0;
  uint64_t lookups() const { return hits + misses; }
};

template <class Entry>
class SetAssoc {
 public:
  SetAssoc() = default;
  SetAssoc(const CacheGeometry& g, uint64_t seed) { configure(g, seed); }
  void configure(const CacheGeometry& g, uint64_t seed) {
    geo_ = g;
    set_mask_ = g.sets() ? g.sets() - 1 : 0;
    rng_ = seed | 1;
    // Zeroed memory from calloc is an array of invalid slots (valid is the zero byte; an invalid
    // slot's stamp and entry are written before they are read). The OS maps calloc's large blocks
    // to zero pages on first touch, so a 22 MiB LLC costs nothing at set-up until its lines fill:
    // filling it slot by slot was most of a default run's set-up.
    n_ = g.entries;
    entries_ = pt::zeroed_array<Slot>(n_);
    plru_.assign(g.sets() ? g.sets() : 0, 0);
  }
  bool enabled() const { return geo_.entries != 0; }
  const CacheGeometry& geometry() const { return geo_; }
  CacheCounters& counters() { return c_; }
  const CacheCounters& counters() const { return c_; }

  // Finds a valid entry in the set selected by `index` for which match(entry) holds.
  // Updates replacement state; does not count (callers count one hit/miss per lookup).
  template <class Match>
  Entry* find(uint64_t index, Match&& match) {
    const uint32_t set = static_cast<uint32_t>(index & set_mask_);
    const int w = way_of(set, match);
    if (w < 0) return nullptr;
    touch(set, uint32_t(w));
    return &entries_[size_t(set) * geo_.ways + uint32_t(w)].e;
  }
  // find() without touching the replacement state: what a lookup would find.
  template <class Match>
  const Entry* peek(uint64_t index, Match&& match) const {
    const uint32_t set = static_cast<uint32_t>(index & set_mask_);
    const int w = way_of(set, match);
    return w < 0 ? nullptr : &entries_[size_t(set) * geo_.ways + uint32_t(w)].e;
  }

  // Inserts into the set of `index`, replacing an entry for which same(entry) holds, else an
  // invalid way, else the replacement victim (counted as an eviction).
  template <class Same>
  void insert(uint64_t index, const Entry& e, Same&& same) {
    Entry ignored;
    insert(index, e, same, ignored);
  }
  // The same; returns true when a valid entry was replaced and copies it to `evicted` (a
  // write-back cache writes a dirty victim back).
  template <class Same>
  bool insert(uint64_t index, const Entry& e, Same&& same, Entry& evicted) {
    if (!enabled()) return false;
    const uint32_t set = static_cast<uint32_t>(index & set_mask_);
    Slot* s = &entries_[size_t(set) * geo_.ways];
    // One pass: the first way holding the same entry, else the first invalid way.
    uint32_t way = geo_.ways, free = geo_.ways;
    for (uint32_t w = 0; w < geo_.ways; ++w) {
      if (!s[w].valid) {
        if (free == geo_.ways) free = w;
      } else if (same(s[w].e)) {
        way = w;
        break;
      }
    }
    if (way == geo_.ways) way = free;
    bool replaced = false;
    if (way == geo_.ways) {
      way = victim(set);
      ++c_.evictions;
      evicted = s[way].e;
      replaced = true;
    }
    s[way].valid = true;
    s[way].e = e;
    touch(set, way);
    return replaced;
  }

  template <class Pred>
  void invalidate_if(Pred&& pred) {
    for (size_t i = 0; i < n_; ++i)
      if (Slot& s = entries_[i]; s.valid && pred(s.e)) {
        s.valid = false;
        ++c_.invalidations;
      }
  }
  // invalidate_if over the one set `index` selects: an entry inserted with index i can only be
  // there, so a caller that knows the indices of what it drops need not scan every set.
  template <class Pred>
  void invalidate_set_if(uint64_t index, Pred&& pred) {
    if (!enabled()) return;
    Slot* s = &entries_[size_t(index & set_mask_) * geo_.ways];
    for (uint32_t w = 0; w < geo_.ways; ++w)
      if (s[w].valid && pred(s[w].e)) {
        s[w].valid = false;
        ++c_.invalidations;
      }
  }
  void invalidate_all() {
    invalidate_if([](const Entry&) { return true; });
  }
  size_t valid_count() const {
    size_t n = 0;
    for (size_t i = 0; i < n_; ++i) n += entries_[i].valid;
    return n;
  }

 private:
  struct Slot {
    bool valid = false;
    uint64_t stamp = 0;
    Entry e{};
  };
  // The way of `set` holding a valid entry that match() accepts, -1 if none.
  template <class Match>
  int way_of(uint32_t set, Match&& match) const {
    if (!enabled()) return -1;
    const Slot* s = &entries_[size_t(set) * geo_.ways];
    for (uint32_t w = 0; w < geo_.ways; ++w)
      if (s[w].valid && match(s[w].e)) return int(w);
    return -1;
  }
  void touch(uint32_t set, uint32_t way) {
    entries_[size_t(set) * geo_.ways + way].stamp = ++clock_;
    if (geo_.replacement == Replacement::PLRU && geo_.ways > 1) {
      // Tree PLRU: on the path from root to `way`, point every node away from it.
      uint32_t node = 1;
      for (uint32_t span = geo_.ways; span > 1; span /= 2) {
        const bool right = (way % span) >= span / 2;
        if (right)
          plru_[set] &= ~(1ull << node);
        else
          plru_[set] |= 1ull << node;
        node = node * 2 + (right ? 1 : 0);
      }
    }
  }
  uint32_t victim(uint32_t set) {
    const Slot* s = &entries_[size_t(set) * geo_.ways];
    switch (geo_.replacement) {
      case Replacement::Random: {
        rng_ ^= rng_ << 13, rng_ ^= rng_ >> 7, rng_ ^= rng_ << 17;  // xorshift64: deterministic
        return static_cast<uint32_t>(rng_ % geo_.ways);
      }
      case Replacement::PLRU: {
        if (geo_.ways == 1) return 0;
        uint32_t node = 1, way = 0;
        for (uint32_t span = geo_.ways; span > 1; span /= 2) {
          const bool right = (plru_[set] >> node) & 1;  // bit set: the right half is older
          if (right) way += span / 2;
          node = node * 2 + (right ? 1 : 0);
        }
        return way;
      }
      case Replacement::LRU:
      default: {
        uint32_t v = 0;
        for (uint32_t w = 1; w < geo_.ways; ++w)
          if (s[w].stamp < s[v].stamp) v = w;
        return v;
      }
    }
  }

  CacheGeometry geo_;
  uint32_t set_mask_ = 0;  // sets - 1 (sets is a power of two): no division per lookup
  pt::ZeroedArray<Slot> entries_;
  size_t n_ = 0;
  std::vector<uint64_t> plru_;  // per set: tree bits, node i at bit i (ways <= 64)
  uint64_t clock_ = 0, rng_ = 1;
  CacheCounters c_;
};

}  // namespace agilemmu::mmu
