// One guest process's address space as the guest OS and the hypervisor see it: the guest table
// (gVA->gPA), the nested table (gPA->hPA), and the tables derived from them — the shadow table
// (gVA->hPA), the compound table of agile paging, and a native table (the same process run
// without virtualization: hVA = gVA onto the same host frames, for comparison).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include <agilemmu/pt/format.h>
#include <agilemmu/pt/phys_mem.h>
#include <agilemmu/pt/walk.h>
#include <agilemmu/vmm/frame_alloc.h>
#include <agilemmu/vmm/radix_table.h>

namespace agilemmu::vmm {

struct Mapping {
  uint64_t out = 0;  // gPA for guest mappings, hPA for nested mappings
  pt::PageSize size = pt::PageSize::k4K;
  pt::Perms perms;
};

struct Layout {
  uint64_t guest_base = 1ull << 20;  // first gPA the guest frame allocator hands out
  uint64_t guest_size = 4ull << 30;  // guest-physical memory size
  uint64_t host_base = 1ull << 32;   // first hPA the host frame allocator hands out
  uint64_t host_size = 64ull << 30;
  pt::PageSize host_page = pt::PageSize::k4K;  // page size the hypervisor backs guest memory with
};

// Leaf flags for permissions `p`; NX only where the format has it (EFER.NXE), since bit 63 is
// reserved otherwise.
uint64_t leaf_flags(const pt::Perms& p, bool nx_enabled = true);

class AddressSpace {
 public:
  AddressSpace(pt::PhysMem& mem, const pt::Format& fmt, const Layout& layout = {});
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;

  // --- guest OS -------------------------------------------------------------------------------
  // Maps gVA -> a freshly allocated gPA page (backed by the hypervisor). Returns the gPA.
  // `dirty`: the guest maps it with A and D set (Linux does on a write fault), else both clear.
  uint64_t guest_map(uint64_t gva, pt::PageSize size, pt::Perms perms, bool dirty = false);
  void guest_map_at(uint64_t gva, uint64_t gpa, pt::PageSize size, pt::Perms perms, bool dirty = false);
  // The guest leaf's D bit for gva as it is in memory (hardware sets it in nested regions);
  // false if unmapped.
  bool guest_dirty(uint64_t gva) const;
  // The hypervisor sets the guest leaf's D for gva (dirty-bit emulation, after the first write
  // to a page whose shadow-style leaf it kept read-only). Not a guest page-table write.
  void set_guest_dirty(uint64_t gva);
  bool guest_unmap(uint64_t gva);
  // Rewrites the leaf of the mapped page holding gva with new permissions (mprotect), keeping
  // its gPA; `clean` also clears A and D (MADV_FREE). False if unmapped.
  bool guest_protect(uint64_t gva, pt::Perms perms, bool clean);
  // Moves the mapped page at `from` to the unmapped gVA `to`, same gPA, same A/D (mremap moves
  // page-table entries, not data). Both must be aligned to the page's size.
  bool guest_move(uint64_t from, uint64_t to);
  // The process's address space goes (exit, exec): the guest clears its top-level entries and
  // frees every table and page below; agile switch points go too (a new process starts
  // shadow-style). The derived tables are rebuilt (empty).
  void guest_reset();
  // Points a mapped gVA page at a fresh gPA page (copy-on-write, guest page migration); the
  // contents are copied. Returns the new gPA; the old gPA page is freed.
  uint64_t guest_remap(uint64_t gva);
  // Called for every guest page-table entry write: (gva, level, gPA of the node written, old, new).
  std::function<void(uint64_t, unsigned, uint64_t, uint64_t, uint64_t)> on_guest_pt_write;

  // --- hypervisor -----------------------------------------------------------------------------
  void back_gpa(uint64_t gpa);  // make sure the host page holding `gpa` exists
  void nested_map(uint64_t gpa, uint64_t hpa, pt::PageSize size, pt::Perms perms);
  // Moves the host page backing `gpa` to a new host frame (contents copied) and updates the
  // derived tables. Returns the guest pages whose translations moved, as (gVA base, bytes): with
  // a host page larger than the guest's, every guest page on it.
  std::vector<std::pair<uint64_t, uint64_t>> host_migrate(uint64_t gpa);

  // Dirty-bit emulation: a shadow-style leaf (shadow table, shadow-style compound leaf, and a
  // compound leaf that copies the guest's) is writable only once the guest leaf has D, so the
  // first write traps to the hypervisor, which sets the guest's D (hardware sets D in the entry
  // it walked, never in the guest's). Native and nested tables need no emulation.
  uint64_t shadow_leaf_flags(uint64_t va, const pt::Perms& p) const;
  // Brings the shadow, native and compound tables up to date with the guest and nested mappings
  // for gVAs in [lo, hi) — what the hypervisor does after a trapped guest page-table write.
  void resync(uint64_t lo, uint64_t hi);
  // gVA pages whose gPA lies in [gpa_lo, gpa_hi).
  std::vector<uint64_t> gvas_of(uint64_t gpa_lo, uint64_t gpa_hi) const;

  // Rebuilds the derived tables from the guest and nested mappings.
  void build_shadow();
  void build_native();
  void build_compound();
  void build_all() { build_shadow(), build_native(), build_compound(); }

  // --- agile paging: the compound table ------------------------------------------------------
  // Makes the compound entry covering `gva` at `level` nested-style: it becomes the guest's own
  // entry (a gPA) with the selector bit set, so everything below it is walked nested. Level 0
  // makes the whole table nested (croot becomes the guest root, a gPA). The level is clamped to
  // the guest leaf level; an entry already below a nested-style one is left alone.
  void set_compound_nested(uint64_t gva, unsigned level);
  // Turns a nested-style entry back into shadow-style, rebuilding its subtree from gPT and nPT.
  void set_compound_shadow(uint64_t gva, unsigned level);
  // The deepest compound level whose entries put every guest page-table page that maps the
  // range under nested control: the parent of the range's guest leaves (claims 13, 14).
  unsigned lowest_necessary_level(uint64_t va, uint64_t size) const;
  void make_range_nested(uint64_t va, uint64_t size, unsigned level = 0 /* 0: lowest necessary */);
  void make_range_shadow(uint64_t va, uint64_t size);
  // Nested-style switch points: (level, VA of the entry's range start).
  std::vector<std::pair<unsigned, uint64_t>> nested_points() const;
  bool fully_nested() const { return full_nested_; }
  // True when the guest table node holding the entry for `gva` at `level` is read by hardware
  // through the nested dimension in agile mode (a nested-style entry above it, or croot is a gPA):
  // writes there need no trap and no shadow update.
  bool guest_node_nested(uint64_t gva, unsigned level) const {
    return full_nested_ || (level > 1 && covered_by_point(gva, level - 1));
  }

  // --- queries --------------------------------------------------------------------------------
  pt::Roots roots() const;
  const pt::Format& format() const { return fmt_; }
  pt::PhysMem& mem() { return mem_; }
  const std::map<uint64_t, Mapping>& guest_mappings() const { return guest_; }
  const std::map<uint64_t, Mapping>& nested_mappings() const { return nested_; }
  // Software translation from the mapping records (independent of the page-table bytes).
  bool guest_translate(uint64_t gva, uint64_t& gpa, pt::Perms& perms, pt::PageSize& size) const;
  bool host_translate(uint64_t gpa, uint64_t& hpa, pt::Perms& perms, pt::PageSize& size) const;
  // gVA -> hPA through both records; size is min(guest, nested); perms are combined.
  bool translate(uint64_t gva, uint64_t& hpa, pt::Perms& perms, pt::PageSize& size) const;
  RadixTable& guest_table() { return *gpt_; }
  RadixTable& nested_table() { return *npt_; }
  RadixTable& shadow_table() { return *spt_; }
  RadixTable& compound_table() { return *cpt_; }
  FrameAllocator& guest_frames() { return galloc_; }
  FrameAllocator& host_frames() { return halloc_; }

 private:
  std::unique_ptr<RadixTable> host_table(uint64_t foreign_mask = 0);
  // Calls fn(va, hpa, size, perms) for every shadow-sized piece of guest memory in [lo, hi).
  template <class Fn>
  void for_each_piece(uint64_t lo, uint64_t hi, Fn&& fn) const;
  bool covered_by_point(uint64_t va, unsigned max_level) const;
  using NestedIt = std::map<uint64_t, Mapping>::const_iterator;
  // The nested mapping with the greatest gPA base <= gpa (whether it covers gpa or not), or end.
  // Every table edit translates node gPAs, and the builders walk guest memory in gPA order, so
  // this answers from a small cache of recent pages (trusted while no key has been inserted where
  // it could change them, else checked against the successor key: exactly what upper_bound would
  // find) and from the last answer or its successor, before searching the map. Valid because
  // nested_ only grows: its iterators never dangle.
  NestedIt nested_floor(uint64_t gpa) const;
  // The nested mapping covering gpa, or nullptr.
  const std::pair<const uint64_t, Mapping>* nested_covering(uint64_t gpa) const;
  // Removes the guest mapping at `base` from the records, the guest table and the reverse map;
  // returns it (its frame is the caller's to free or reuse).
  Mapping drop_guest_mapping(uint64_t base);
  void fill_compound(uint64_t lo, uint64_t hi);
  void clear_leaves(RadixTable& t, uint64_t lo, uint64_t hi, bool skip_points);
  // A nested-style compound entry: the guest's entry with the selector bit (dirty-bit emulated
  // where it is a leaf).
  uint64_t compound_copy(unsigned level, uint64_t v) const;

  pt::PhysMem& mem_;
  pt::Format fmt_;
  Layout layout_;
  FrameAllocator galloc_, halloc_;
  std::map<uint64_t, Mapping> guest_;       // gVA page base -> mapping
  std::map<uint64_t, Mapping> nested_;      // gPA page base -> mapping; entries are never erased
  std::multimap<uint64_t, uint64_t> rmap_;  // gPA page base -> gVA page base (reverse map)
  std::unique_ptr<RadixTable> npt_, gpt_, spt_, hpt_, cpt_;
  std::set<std::pair<unsigned, uint64_t>> points_;  // (level, va >> shift(level))
  bool full_nested_ = false;
  struct FloorSlot {
    uint64_t page = ~0ull;
    NestedIt it;
    uint64_t inserts = 0;   // nested_inserts_ when last checked
    bool was_last = false;  // `it` was the last key then
  };
  uint64_t nested_inserts_ = 0;  // keys inserted before an existing key
  static constexpr size_t kFloorSlots = 256;
  mutable std::array<FloorSlot, kFloorSlots> floor_cache_{};
  mutable NestedIt floor_last_ = nested_.end();
};

}  // namespace agilemmu::vmm
