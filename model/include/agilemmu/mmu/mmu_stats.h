// Statistics the Mmu gathers (`agilemmu run` writes them, with the TLB and walk-cache counters, as "mmu").
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include <agilemmu/mmu/set_assoc.h>
#include <agilemmu/pt/walk.h>

namespace agilemmu::mmu {

// Walker FSM states: counted in state_visits and traced on the waveform (walker_state). The RTL
// co-simulation compares results, references and cycles, not these states.
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

struct MmuStats {
  // Translations (one per page an access touches: an access that crosses into the next page is
  // translated twice), split by origin; tlb_hits counts translations too.
  uint64_t requests = 0, guest_requests = 0, host_requests = 0, tlb_hits = 0;
  uint64_t page_crossings = 0;  // accesses that crossed into the next page (each one more translation)
  uint64_t faults = 0;
  std::array<uint64_t, pt::kStages> faults_by_stage{};
  uint64_t walks = 0, coalesced = 0;
  std::array<uint64_t, pt::kPorts> refs_by_port{};
  Histogram refs_per_walk{pt::kMaxRefs};
  Histogram walk_cycles;
  // Agile/nested walks by where they switched: [0] stayed shadow-style, [1] croot was a gPA,
  // [1 + k] switched at compound level k.
  std::array<uint64_t, 2 + pt::kMaxLevels> switch_level{};
  std::array<uint64_t, size_t(WalkerState::kCount)> state_visits{};
  uint64_t walker_busy_cycles = 0;  // summed over walkers
  double translate_ns = 0;          // TLB lookups + walks, summed over requests
  double translate_exposed_ns = 0;  // time with at least one translation in progress
  double data_ns = 0;               // the data accesses after translation
  uint64_t dmi_accesses = 0;
  uint64_t dmi_invalidations = 0;  // invalidate_direct_mem_ptr calls from the data target
  uint64_t invalidations = 0;
  std::array<uint64_t, size_t(InvalidationKind::kCount)> invalidations_by_kind{};
  uint64_t ad_writes = 0;      // A/D read-modify-writes the walks made (also in refs_by_port)
  uint64_t walk_restarts = 0;  // walks done again: the tables changed while they ran (an invalidation, new roots, new
                               // mappings) and their result no longer held
  uint64_t checked = 0;        // translations the coherence checker compared (mmu.check)
  // Order-independent digest of every request's outcome (va -> hPA or fault): equal digests
  // mean equal translations, whatever order AT completed them in.
  uint64_t translation_digest = 0;

  uint64_t walk_refs() const { return refs_by_port[0] + refs_by_port[1]; }
};

}  // namespace agilemmu::mmu
