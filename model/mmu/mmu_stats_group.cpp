#include <agilemmu/mmu/mmu_stats_group.h>

#include <cstdio>
#include <stdexcept>

namespace agilemmu::mmu {

using stats::Agg, stats::Unit, stats::Value, stats::value_of;

const stats::Group<CacheView>& cache_stats_group() {
  static const stats::Group<CacheView> g = [] {
    stats::Group<CacheView> g;
    g.add({"entries", Unit::Entries, Agg::None, "configured entries (0: the structure is off)"},
          [](const CacheView& v) { return value_of(v.g.entries); });
    g.add({"ways", Unit::Count, Agg::None, "configured ways"}, [](const CacheView& v) { return value_of(v.g.ways); });
    g.add({"latency", Unit::Cycles, Agg::None, "configured lookup latency"},
          [](const CacheView& v) { return value_of(v.g.latency); });
    g.add({"hits", Unit::Count, Agg::Sum, "lookups that hit"}, [](const CacheView& v) { return value_of(v.c.hits); });
    g.add({"misses", Unit::Count, Agg::Sum, "lookups that missed"},
          [](const CacheView& v) { return value_of(v.c.misses); });
    g.add({"evictions", Unit::Count, Agg::Sum, "valid entries replaced by a fill"},
          [](const CacheView& v) { return value_of(v.c.evictions); });
    g.add({"lookups", Unit::Count, Agg::Sum, "hits + misses"},
          [](const CacheView& v) { return value_of(v.c.lookups()); });
    g.add({"invalidations", Unit::Count, Agg::Sum, "entries dropped by invalidations"},
          [](const CacheView& v) { return value_of(v.c.invalidations); });
    g.add({"hit_rate", Unit::Ratio, Agg::Mean, "hits / lookups (0 without lookups)"},
          [](const CacheView& v) { return Value(v.c.lookups() ? double(v.c.hits) / v.c.lookups() : 0.0); });
    return g;
  }();
  return g;
}

namespace {
// Where agile and nested walks switched to the nested dimension: MmuStats::switch_level's members.
stats::Index switch_index() {
  stats::Index ix{"switch", {"stayed_shadow", "croot_gpa"}, false};
  for (unsigned l = 1; l <= pt::kMaxLevels; ++l) ix.names.push_back("level_" + std::to_string(l));
  return ix;
}

// The pt::Stage a fault names (none: a non-canonical address).
stats::Index stage_index() {
  stats::Index ix{"stage", {}, false};
  for (size_t s = 0; s < pt::kStages; ++s) ix.names.emplace_back(pt::to_string(static_cast<pt::Stage>(s)));
  return ix;
}

// An array's index names every element of its field, no more.
stats::Index checked_size(stats::Index ix, size_t n) {
  if (ix.names.size() != n) throw std::logic_error("statistics index '" + ix.label + "' does not fit its array");
  return ix;
}

std::string hex16(uint64_t v) {
  char s[20];
  std::snprintf(s, sizeof s, "%016llx", static_cast<unsigned long long>(v));
  return s;
}
}  // namespace

const stats::Group<MmuStats>& mmu_counters_group() {
  static const stats::Group<MmuStats> g = [] {
    stats::Group<MmuStats> g;
    // The counters' own declarations (mmu_stats.h).
#define AGILEMMU_COUNTER(field, key, unit, agg, desc) g.add({key, Unit::unit, Agg::agg, desc}, &MmuStats::field);
    AGILEMMU_MMU_COUNTERS(AGILEMMU_COUNTER)
#undef AGILEMMU_COUNTER
#define AGILEMMU_COUNTER(field, n, index, key, unit, agg, desc)          \
  g.add_array({key, Unit::unit, Agg::agg, desc}, checked_size(index, n), \
              [](const MmuStats& s, size_t i) { return value_of(s.field[i]); });
    AGILEMMU_MMU_ARRAY_COUNTERS(AGILEMMU_COUNTER)
#undef AGILEMMU_COUNTER
    // What is not a plain counter.
    for (size_t p = 0; p < pt::kPorts; ++p) {
      const std::string port = pt::to_string(static_cast<pt::Port>(p));
      g.add({"walker.refs_" + port + "_port", Unit::Count, Agg::Sum,
             "walk references (reads and A/D writes) on the " + port + "_port"},
            [p](const MmuStats& s) { return value_of(s.refs_by_port[p]); });
    }
    g.add({"walker.refs_per_walk_mean", Unit::Count, Agg::Mean, "references per walk, mean"},
          [](const MmuStats& s) { return Value(s.refs_per_walk.mean()); });
    g.add_array({"walker.refs_per_walk_histogram", Unit::Count, Agg::Sum, "walks that made <refs> references",
                 "only buckets with walks"},
                stats::numbered("refs", pt::kMaxRefs + 1, true), [](const MmuStats& s, size_t i) -> Value {
                  const auto& c = s.refs_per_walk.counts();
                  return i < c.size() && c[i] ? value_of(c[i]) : Value(stats::Absent{});
                });
    g.add({"walker.latency_mean", Unit::Cycles, Agg::Mean, "walk latency from start to result, mean"},
          [](const MmuStats& s) { return Value(s.walk_cycles.mean()); });
    g.add({"walker.latency_p50", Unit::Cycles, Agg::Mean, "walk latency, median"},
          [](const MmuStats& s) { return value_of(s.walk_cycles.percentile(0.50)); });
    g.add({"walker.latency_p99", Unit::Cycles, Agg::Max, "walk latency, 99th percentile"},
          [](const MmuStats& s) { return value_of(s.walk_cycles.percentile(0.99)); });
    g.add({"walker.latency_max", Unit::Cycles, Agg::Max, "walk latency, maximum"},
          [](const MmuStats& s) { return value_of(s.walk_cycles.max()); });
    g.add({"translation_digest", Unit::Hash, Agg::None,
           "order-independent hash of every request's outcome: equal digests = equal translations"},
          [](const MmuStats& s) { return Value(hex16(s.translation_digest)); });
    return g;
  }();
  return g;
}

const stats::Group<Mmu>& mmu_stats_group() {
  static const stats::Group<Mmu> g = [] {
    stats::Group<Mmu> g;
    const stats::Index caches{"structure", {"l1i_tlb", "l1d_tlb", "l2_tlb", "pwc", "npwc", "ntlb"}, false};
    g.nest_each("", caches, cache_stats_group(), [](const Mmu& m, size_t i) {
      const MmuConfig& c = m.config();
      const WalkCacheSet& w = m.walk_caches();
      switch (i) {
        case 0:
          return CacheView{m.l1i_tlb().counters(), c.l1i.geo};
        case 1:
          return CacheView{m.l1d_tlb().counters(), c.l1d.geo};
        case 2:
          return CacheView{m.l2_tlb().counters(), c.l2.geo};
        case 3:
          return CacheView{w.pwc_counters(), c.pwc};
        case 4:
          return CacheView{w.npwc_counters(), c.npwc};
        default:
          return CacheView{w.ntlb_counters(), c.ntlb};
      }
    });
    g.nest("", mmu_counters_group(), [](const Mmu& m) -> const MmuStats& { return m.stats(); });
    return g;
  }();
  return g;
}

}  // namespace agilemmu::mmu
