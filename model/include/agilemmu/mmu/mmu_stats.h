// Statistics the Mmu gathers (`agilemmu run` writes them, with the TLB and walk-cache counters, as "mmu").
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include <agilemmu/mmu/set_assoc.h>
#include <agilemmu/pt/walk.h>

namespace agilemmu::mmu {

// Walker FSM states, as the waveform and the RTL comparison name them.
enum class WalkerState : uint8_t { Idle, TlbLookup, CacheLookup, FirstDimRead, NestedRead, Done, Fault, kCount };
const char* to_string(WalkerState);

// Invalidation requests by kind (Mmu::invalidate_*), in the statistics' order.
enum class InvalidationKind : uint8_t { Page, Range, Asid, Vmid, WalkCaches, Nested, All, kCount };
const char* to_string(InvalidationKind);

class Histogram {
 public:
  explicit Histogram(size_t buckets = 1 << 16) : counts_(buckets + 1, 0) {}
  void add(uint64_t v) {
    ++counts_[v < counts_.size() - 1 ? v : counts_.size() - 1];
    ++n_;
    sum_ += v;
    if (v > max_) max_ = v;
  }
  uint64_t count() const { return n_; }
  double mean() const { return n_ ? double(sum_) / n_ : 0.0; }
  uint64_t max() const { return max_; }
  uint64_t percentile(double p) const;  // smallest v with at least p of the samples <= v
  const std::vector<uint64_t>& counts() const { return counts_; }

 private:
  std::vector<uint64_t> counts_;
  uint64_t n_ = 0, sum_ = 0, max_ = 0;
};

// Every counter of the Mmu, declared once: the field, its key under "mmu" in the statistics, its
// unit and aggregation over sweep points (stats::Unit, stats::Agg) and its description. MmuStats'
// fields and the registry entries (mmu_stats_group.cpp) are both generated from these lists.
//
// Plain counters: X(field, key, unit, aggregation, description).
#define AGILEMMU_MMU_COUNTERS(X)                                                                                    \
  X(requests, "translations", Count, Sum,                                                                           \
    "translations: one per page an access touches (an access that crosses into the next page is translated twice; " \
    "a faulting request the CPU retries is translated again)")                                                      \
  X(guest_requests, "guest_translations", Count, Sum, "translations of guest (gVA) requests")                       \
  X(host_requests, "host_translations", Count, Sum, "translations of host (hVA) requests")                          \
  X(tlb_hits, "tlb_hits", Count, Sum, "translations that hit the L1 or L2 TLB")                                     \
  X(page_crossings, "page_crossings", Count, Sum,                                                                   \
    "accesses that crossed into the next page (each one translation more)")                                         \
  X(walks, "walker.walks", Count, Sum, "page walks started")                                                        \
  X(coalesced, "walker.coalesced", Count, Sum, "misses that waited for an in-flight walk of the same page")         \
  X(ad_writes, "walker.ad_writes", Count, Sum,                                                                      \
    "A/D read-modify-writes the walks made (included in walk_refs and the per-port counts)")                        \
  X(walk_restarts, "walker.restarts", Count, Sum,                                                                   \
    "walks done again because the tables changed while they were in flight (an invalidation, new roots or a new "   \
    "mapping; AT, or memories that wait) and their result no longer held")                                          \
  X(walker_busy_cycles, "walker.busy_cycles", Cycles, Sum, "walker-busy cycles summed over walks")                  \
  X(faults, "faults", Count, Sum, "faults returned")                                                                \
  X(invalidations, "invalidations", Count, Sum, "invalidation requests received")                                   \
  X(dmi_accesses, "dmi_accesses", Count, Sum, "data accesses served by DMI")                                        \
  X(dmi_invalidations, "dmi_invalidations", Count, Sum,                                                             \
    "invalidate_direct_mem_ptr calls from the data target (a revoked DMI grant is not used again)")                 \
  X(checked, "checked_translations", Count, Sum, "translations the coherence checker compared (mmu.check), 0 when off")

// Arrays of counters: X(field, elements, index, key, unit, aggregation, description); `index`
// (an expression giving the stats::Index) names the members, one key <key>.<member> each.
#define AGILEMMU_MMU_ARRAY_COUNTERS(X)                                                                                \
  X(faults_by_stage, pt::kStages, stage_index(), "faults_by_stage", Count, Sum,                                       \
    "faults returned, by the stage that faulted (none: a non-canonical address, #GP)")                                \
  X(switch_level, 2 + pt::kMaxLevels, switch_index(), "walker.switched_to_nested", Count, Sum,                        \
    "agile and nested walks by where they switched to the nested dimension: stayed shadow-style, started nested at "  \
    "a gPA croot, or switched at compound level k")                                                                   \
  X(state_visits, size_t(WalkerState::kCount), stats::enum_index<WalkerState>("state"), "walker.state_visits", Count, \
    Sum, "visits of each walker FSM state")                                                                           \
  X(invalidations_by_kind, size_t(InvalidationKind::kCount), stats::enum_index<InvalidationKind>("kind"),             \
    "invalidations_by_kind", Count, Sum,                                                                              \
    "invalidations by kind: page (INVLPG: one page of one address space, its TLB entries in every level and page "    \
    "size and the PWC entries on its path), range (a gVA range in every address space of a VM), asid (INVPCID "       \
    "single-context), vmid (INVVPID/INVEPT single-context), walk_caches (the first-dimension PWC of a VM), nested "   \
    "(nested TLB and nested PWC of a VM), all (all-context)")

struct MmuStats {
#define AGILEMMU_FIELD(field, key, unit, agg, desc) uint64_t field = 0;
  AGILEMMU_MMU_COUNTERS(AGILEMMU_FIELD)
#undef AGILEMMU_FIELD
// NOLINTNEXTLINE(bugprone-macro-parentheses): `field` is the member's name, not an expression
#define AGILEMMU_FIELD(field, n, index, key, unit, agg, desc) std::array<uint64_t, (n)> field{};
  AGILEMMU_MMU_ARRAY_COUNTERS(AGILEMMU_FIELD)
#undef AGILEMMU_FIELD
  // Not plain counters; each is declared for the registry in mmu_stats_group.cpp (the per-port
  // references keep their keys walker.refs_<port>_port).
  std::array<uint64_t, pt::kPorts> refs_by_port{};
  Histogram refs_per_walk{pt::kMaxRefs};
  Histogram walk_cycles;
  // Times, summed over requests, reported by the run as cycles (translate_cycles, data_cycles...).
  double translate_ns = 0;          // TLB lookups + walks, summed over requests
  double translate_exposed_ns = 0;  // time with at least one translation in progress
  double data_ns = 0;               // the data accesses after translation
  // Order-independent digest of every request's outcome (va -> hPA or fault): equal digests
  // mean equal translations, whatever order AT completed them in.
  uint64_t translation_digest = 0;

  uint64_t walk_refs() const { return refs_by_port[0] + refs_by_port[1]; }
};

}  // namespace agilemmu::mmu
