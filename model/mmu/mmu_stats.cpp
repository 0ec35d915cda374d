#include <agilemmu/mmu/mmu_stats.h>

namespace agilemmu::mmu {

const char* to_string(WalkerState s) {
  static const char* names[] = {"idle", "tlb_lookup", "cache_lookup", "first_dim_read", "nested_read", "done", "fault"};
  return static_cast<size_t>(s) < size_t(WalkerState::kCount) ? names[size_t(s)] : "?";
}

const char* to_string(InvalidationKind k) {
  static const char* names[] = {"page", "range", "asid", "vmid", "walk_caches", "nested", "all"};
  return static_cast<size_t>(k) < size_t(InvalidationKind::kCount) ? names[size_t(k)] : "?";
}

uint64_t Histogram::percentile(double p) const {
  if (!n_) return 0;
  const uint64_t need = static_cast<uint64_t>(p * double(n_) + 0.999999);
  uint64_t seen = 0;
  for (size_t v = 0; v < counts_.size(); ++v)
    if ((seen += counts_[v]) >= need) return v == counts_.size() - 1 ? max_ : v;
  return max_;
}

}  // namespace agilemmu::mmu
