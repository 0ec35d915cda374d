// One guest process's address space as the guest OS and the hypervisor see it: the guest table
// (gVA->gPA), the VM's nested table (gPA->hPA, shared with the VM's other processes: vmm::Vm),
// and the tables derived from them — the shadow table (gVA->hPA), the compound table of agile
// paging, and a native table (the same process run without virtualization: hVA = gVA onto the
// same host frames, for comparison).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <agilemmu/pt/format.h>
#include <agilemmu/pt/phys_mem.h>
#include <agilemmu/pt/walk.h>
#include <agilemmu/vmm/frame_alloc.h>
#include <agilemmu/vmm/radix_table.h>
#include <agilemmu/vmm/vm.h>

namespace agilemmu::vmm {

class AddressSpace {
 public:
  // A process of `vm` (which must outlive it).
  explicit AddressSpace(Vm& vm);
  // The only process of a VM of its own (the VM's memory, format and layout).
  AddressSpace(pt::PhysMem& mem, const pt::Format& fmt, const Layout& layout = {});
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;
  ~AddressSpace();

  // --- guest OS -------------------------------------------------------------------------------
  // Maps gVA -> a freshly allocated gPA page (backed by the hypervisor). Returns the gPA.
  // `dirty`: the guest maps it with A and D set (Linux does on a write fault), else both clear.
  // With no free guest frame of a huge page's size, the guest maps its range with pages of the
  // next smaller size instead (each falling back again if need be), as Linux falls back from a
  // transparent huge page; each such page counts in huge_fallbacks(), and the gPA returned is
  // that of the first piece. Throws MemoryExhausted when not even a 4 KiB frame is left.
  uint64_t guest_map(uint64_t gva, pt::PageSize size, pt::Perms perms, bool dirty = false);
  // No guest mapping covers any byte of [gva, gva + bytes).
  bool guest_range_unmapped(uint64_t gva, uint64_t bytes) const;
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
  // contents are copied. Returns the new gPA; the old gPA page is freed. A huge page with no free
  // frame of its size is split into smaller fresh pages as guest_map falls back.
  uint64_t guest_remap(uint64_t gva);
  // Huge pages this process's guest OS mapped with smaller pages for want of a free frame.
  uint64_t huge_fallbacks() const { return huge_fallbacks_; }
  // Called for every guest page-table entry write: (gva, level, gPA of the node written, old, new).
  std::function<void(uint64_t, unsigned, uint64_t, uint64_t, uint64_t)> on_guest_pt_write;

  // The process ends: guest_reset, then every table of its own (guest, shadow, native,
  // compound) is released with its root, its frames back to the VM's allocators. The address
  // space must not be used afterwards (only destroyed).
  void teardown();
  bool torn_down() const { return torn_down_; }

  // --- hypervisor (the VM's nested side) -------------------------------------------------------
  void back_gpa(uint64_t gpa) { vm_.back_gpa(gpa); }  // make sure the host page holding `gpa` exists
  void nested_map(uint64_t gpa, uint64_t hpa, pt::PageSize size, pt::Perms perms) {
    vm_.nested_map(gpa, hpa, size, perms);
  }
  // Moves the host page backing `gpa` to a new host frame (Vm::host_migrate: every process
  // mapping a gPA on it is brought up to date). Returns this process's guest pages whose
  // translations moved, as (gVA base, bytes): with a host page larger than the guest's, every
  // guest page of this process on it.
  std::vector<std::pair<uint64_t, uint64_t>> host_migrate(uint64_t gpa);
  // Vm::host_migrate moved the host page behind [gpa_lo, gpa_hi): resyncs this process's guest
  // pages on it and returns them.
  std::vector<std::pair<uint64_t, uint64_t>> host_moved(uint64_t gpa_lo, uint64_t gpa_hi);

  // Dirty-bit emulation: a shadow-style leaf (shadow table, shadow-style compound leaf, and a
  // compound leaf that copies the guest's) is writable only once the guest leaf has D, so the
  // first write traps to the hypervisor, which sets the guest's D (hardware sets D in the entry
  // it walked, never in the guest's). Native and nested tables need no emulation.
  uint64_t shadow_leaf(uint64_t va, uint64_t hpa, pt::PageSize s, const pt::Perms& p) const;
  // Brings the shadow, native and compound tables up to date with the guest and nested mappings
  // for gVAs in [lo, hi) — what the hypervisor does after a trapped guest page-table write.
  void resync(uint64_t lo, uint64_t hi);
  // gVA pages whose gPA lies in [gpa_lo, gpa_hi).
  std::vector<uint64_t> gvas_of(uint64_t gpa_lo, uint64_t gpa_hi) const;

  // Rebuilds the derived tables from the guest and nested mappings.
  void build_shadow();
  void build_native();
  void build_compound();
  // All three, the guest and nested records read once.
  void build_all();

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
  const MappingRecords& guest_mappings() const { return guest_; }
  const MappingRecords& nested_mappings() const { return vm_.nested_mappings(); }
  // Software translation from the mapping records (independent of the page-table bytes).
  bool guest_translate(uint64_t gva, uint64_t& gpa, pt::Perms& perms, pt::PageSize& size) const;
  bool host_translate(uint64_t gpa, uint64_t& hpa, pt::Perms& perms, pt::PageSize& size) const {
    return vm_.host_translate(gpa, hpa, perms, size);
  }
  // gVA -> hPA through both records; size is min(guest, nested); perms are combined.
  bool translate(uint64_t gva, uint64_t& hpa, pt::Perms& perms, pt::PageSize& size) const;
  RadixTable& guest_table() { return *gpt_; }
  RadixTable& nested_table() { return vm_.nested_table(); }
  RadixTable& shadow_table() { return *spt_; }
  RadixTable& compound_table() { return *cpt_; }
  FrameAllocator& guest_frames() { return vm_.guest_frames(); }
  FrameAllocator& host_frames() { return vm_.host_frames(); }
  Vm& vm() { return vm_; }
  const Vm& vm() const { return vm_; }

 private:
  void init();  // builds the empty tables and attaches to the VM
  // Calls fn(va, hpa, size, perms) for every shadow-sized piece of guest memory in [lo, hi).
  template <class Fn>
  void for_each_piece(uint64_t lo, uint64_t hi, Fn&& fn) const;
  // Every piece of guest memory, with its shadow-style leaf (the write bit kept only where the
  // guest's entry is dirty): what the derived tables are built from.
  struct Piece {
    uint64_t va, hpa;
    pt::PageSize size;
    pt::Perms perms;
    uint64_t shadow;
  };
  std::vector<Piece> pieces() const;
  // A fresh shadow, native or compound table filled from `ps` (the compound one without its
  // nested-style entries).
  void fill_shadow(const std::vector<Piece>& ps);
  void fill_native(const std::vector<Piece>& ps);
  void fill_compound(const std::vector<Piece>& ps);
  bool covered_by_point(uint64_t va, unsigned max_level) const;
  // Removes the guest mapping at `base` from the records, the guest table and the reverse map;
  // returns it (its frame is the caller's to free or reuse).
  Mapping drop_guest_mapping(uint64_t base);
  void fill_compound(uint64_t lo, uint64_t hi);
  void clear_leaves(RadixTable& t, uint64_t lo, uint64_t hi, bool skip_points);
  // A nested-style compound entry: the guest's entry with the selector bit (dirty-bit emulated
  // where it is a leaf).
  uint64_t compound_copy(unsigned level, uint64_t v) const;
  // A fresh guest frame of `size` (backed by the hypervisor), or nothing when a huge one is not
  // free; throws MemoryExhausted for a 4 KiB one.
  std::optional<uint64_t> fresh_frame(pt::PageSize size);
  // Maps [gva, gva + bytes of `size`) with fresh pages of the next smaller size (guest_map).
  uint64_t map_smaller(uint64_t gva, pt::PageSize size, pt::Perms perms, bool dirty);
  // Copies guest memory [from_gpa, +bytes) to [to_gpa, +bytes), 4 KiB frame by frame.
  void copy_guest(uint64_t from_gpa, uint64_t to_gpa, uint64_t bytes);

  std::unique_ptr<Vm> owned_;  // the VM of a stand-alone address space (first: destroyed last)
  Vm& vm_;
  pt::PhysMem& mem_;
  pt::Format fmt_;
  MappingRecords guest_;             // gVA page base -> mapping
  ChunkedMap<uint64_t, true> rmap_;  // gPA page base -> gVA page base (reverse map)
  std::unique_ptr<RadixTable> gpt_, spt_, hpt_, cpt_;
  std::set<std::pair<unsigned, uint64_t>> points_;  // (level, va >> shift(level))
  bool full_nested_ = false;
  bool torn_down_ = false;
  uint64_t huge_fallbacks_ = 0;
};

}  // namespace agilemmu::vmm
