// Seeded random page-table images for the co-simulation: guest, nested, shadow, native and
// compound tables built by vmm::AddressSpace (all page sizes in both dimensions, nested-style
// switch points at random levels), then random PTEs corrupted in place. Entries start with A/D
// clear, except some given A or A|D; some nested leaves mapping guest page-table pages or data
// pages lose RW or US or get NX. Also draws the walk requests: mapped, unmapped, corrupted,
// near-miss and non-canonical addresses (some just past the canonical boundary) in all modes.
#pragma once
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include <agilemmu/pt/hash.h>
#include <agilemmu/pt/phys_mem.h>
#include <agilemmu/pt/walk.h>
#include <agilemmu/vmm/address_space.h>

namespace agilemmu::cosim {

struct ImageStats {
  unsigned mappings = 0, nested_points = 0, corruptions = 0;
  unsigned ad_preset = 0;          // entries whose A (or A and D) the image starts with
  unsigned nested_restricted = 0;  // nested leaves given RW=0, US=0 or NX
  bool fully_nested = false;
};

// The seed of image `index` (0, 1, ...) of a run seeded `seed`: `agilemmu cosim --seed` and the
// DPI-C library's agilemmu_create_from_seed_image both use it, so one seed means one sequence of
// images (and of requests) in both.
inline uint64_t image_seed(uint64_t seed, uint64_t index) { return pt::mix64(seed * pt::kGoldenGamma + index + 1); }

// Directed knobs for coverage closure (scripts/coverage-report). The defaults make the images
// every seed has always made; Directed() makes the rare cases frequent.
struct ImageKnobs {
  // Percent of images whose hypervisor backs guest memory with 1 GiB pages: nested 1G leaves then
  // map the guest page tables (nested faults at the 1G level while translating a table pointer).
  unsigned host_1g_pct = 0;
  // Percent of guest pages that start dirty: their shadow and compound leaves are writable with D
  // clear, so a write sets D there (clean pages keep those leaves read-only, shadow paging's
  // dirty tracking).
  unsigned dirty_pct = 0;
  // Percent of corruptions placed on any entry of a path (near the roots too) instead of the
  // entries few walks share.
  unsigned corrupt_any_pct = 5;
  unsigned extra_corruptions = 0;  // added to the 4..19 corrupted entries per image
  // Percent of corruptions that set a reserved bit (PS where it is reserved or large-page low
  // bits, an address bit above MAXPHYADDR), else any of the nine kinds alike.
  unsigned reserved_pct = 0;
  unsigned fully_nested_pct = 10;  // percent of images whose croot is the guest root (a gPA)
  // Percent of mapped pages whose walk finds D clear in the nested leaves mapping its guest
  // page-table pages (as after a hypervisor's dirty-log pass; the guest's own table writes set
  // it), so a guest entry's A/D write first sets D there, for every nested page size.
  unsigned table_d_clear_pct = 0;
  static ImageKnobs directed() { return {25, 30, 35, 12, 40, 30, 30}; }
};

class Image {
 public:
  // Same (fmt, seed, knobs) -> same bytes, same roots, same request sequence.
  Image(const pt::Format& fmt, uint64_t seed, const ImageKnobs& knobs = {});
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  // Walks write A/D into the image (the co-simulation performs the RTL's writes here).
  pt::PhysMem& mem() { return mem_; }
  const pt::PhysMem& mem() const { return mem_; }
  const pt::Roots& roots() const { return roots_; }
  const ImageStats& stats() const { return stats_; }
  pt::WalkRequest next_request();

 private:
  uint64_t rnd(uint64_t n) { return rng_() % n; }
  bool chance(unsigned percent) { return rnd(100) < percent; }
  uint64_t random_va(pt::PageSize align);
  uint64_t canonical(uint64_t va) const;
  void add_mappings(unsigned n);
  uint64_t own_backing(pt::PageSize size);
  void add_switch_points(unsigned n);
  void corrupt(unsigned n);
  void preset_ad(unsigned n);
  void restrict_nested(unsigned n);
  void writable_compound_leaves();
  void clear_table_d();

  pt::Format fmt_;
  ImageKnobs knobs_;
  std::mt19937_64 rng_;
  pt::PhysMem mem_;
  std::unique_ptr<vmm::AddressSpace> as_;
  pt::Roots roots_;
  pt::PageSize host_page_ = pt::PageSize::k4K;
  uint64_t own_gpa_ = 8ull << 30;    // above the guest frame allocator's 4 GiB
  uint64_t own_hpa_ = 128ull << 30;  // above the host frame allocator's 64 GiB
  ImageStats stats_;
  std::vector<std::pair<uint64_t, uint64_t>> mapped_;  // (gVA, bytes)
  std::vector<uint64_t> corrupted_;                    // gVAs whose walk touches a corrupted entry
  std::vector<uint64_t> dirty_;                        // gVAs of pages made dirty (ImageKnobs::dirty_pct)
};

}  // namespace agilemmu::cosim
