// The VM-wide side of guest memory, shared by every process of a guest: the guest-physical and
// host-physical frame allocators, the nested table (gPA->hPA) with its records, and the PhysMem
// everything lives in. Each process's own tables are a vmm::AddressSpace attached to a Vm; a
// hypervisor action on the nested side (host_migrate) updates every attached process.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include <agilemmu/pt/format.h>
#include <agilemmu/pt/phys_mem.h>
#include <agilemmu/vmm/chunked_map.h>
#include <agilemmu/vmm/frame_alloc.h>
#include <agilemmu/vmm/radix_table.h>

namespace agilemmu::vmm {

class AddressSpace;

// The names of a VM's two frame allocators (MemoryExhausted::memory()).
inline constexpr const char* kGuestPhysical = "guest-physical";
inline constexpr const char* kHostPhysical = "host-physical";

struct Mapping {
  uint64_t out = 0;  // gPA for guest mappings, hPA for nested mappings
  pt::PageSize size = pt::PageSize::k4K;
  pt::Perms perms;
};

// Mapping records by page base (gVA for a guest's, gPA for the nested ones).
using MappingRecords = ChunkedMap<Mapping>;

struct Layout {
  uint64_t guest_base = 1ull << 20;  // first gPA the guest frame allocator hands out
  uint64_t guest_size = 4ull << 30;  // guest-physical memory size
  uint64_t host_base = 1ull << 32;   // first hPA the host frame allocator hands out
  uint64_t host_size = 64ull << 30;
  pt::PageSize host_page = pt::PageSize::k4K;  // page size the hypervisor backs guest memory with
};

class Vm {
 public:
  Vm(pt::PhysMem& mem, const pt::Format& fmt, const Layout& layout = {});
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  void back_gpa(uint64_t gpa);  // make sure the host page holding `gpa` exists
  void nested_map(uint64_t gpa, uint64_t hpa, pt::PageSize size, pt::Perms perms);
  bool host_translate(uint64_t gpa, uint64_t& hpa, pt::Perms& perms, pt::PageSize& size) const;
  // A guest page whose translation a host migration moved, in the process that maps it.
  struct Moved {
    AddressSpace* as;
    uint64_t va, bytes;  // gVA page base and size
  };
  // Moves the host page backing `gpa` to a new host frame (contents copied) and brings the
  // derived tables of every attached process that maps a gPA on it up to date. Returns those
  // guest pages: with a host page larger than the guest's, every guest page on it, of every process.
  std::vector<Moved> host_migrate(uint64_t gpa);

  // A fresh host-addressed table with the guest's depth (shadow, native, compound): its nodes
  // come from the host frame allocator.
  std::unique_ptr<RadixTable> host_table(uint64_t foreign_mask = 0);

  const pt::Format& format() const { return fmt_; }
  const Layout& layout() const { return layout_; }
  pt::PhysMem& mem() { return mem_; }
  const MappingRecords& nested_mappings() const { return nested_; }
  RadixTable& nested_table() { return *npt_; }
  FrameAllocator& guest_frames() { return galloc_; }
  FrameAllocator& host_frames() { return halloc_; }
  // The processes attached, in the order they were created.
  const std::vector<AddressSpace*>& spaces() const { return spaces_; }

 private:
  friend class AddressSpace;  // attaches and detaches itself
  void attach(AddressSpace* as) { spaces_.push_back(as); }
  void detach(AddressSpace* as);
  // nested_map without its bookkeeping, for a gPA nothing covered before (back_gpa).
  void record(uint64_t gpa, uint64_t hpa, pt::PageSize size, pt::Perms perms);
  std::unique_ptr<RadixTable> make_table(unsigned levels, uint64_t foreign_mask, bool nested = false);
  // The nested mapping covering gpa, or nullptr.
  const MappingRecords::value_type* nested_covering(uint64_t gpa) const;
  // The same through a small cache of recent answers (its base and mapping); false if none.
  // Walking a guest table translates its node addresses again and again, in no ascending order
  // (table frames are scattered), so the records' search was a quarter of a large region's set-up.
  bool covering(uint64_t gpa, uint64_t& base, Mapping& m) const;

  pt::PhysMem& mem_;
  pt::Format fmt_;
  Layout layout_;
  FrameAllocator galloc_, halloc_;
  MappingRecords nested_;  // gPA page base -> mapping; entries are never erased
  struct CoverSlot {
    uint64_t page = ~0ull;  // the 4 KiB gPA page answered for (~0: empty)
    uint64_t base = 0;      // the covering record's key
    Mapping m;
  };
  static constexpr size_t kCoverSlots = 64;
  mutable std::array<CoverSlot, kCoverSlots> cover_{};
  std::unique_ptr<RadixTable> npt_;
  std::vector<AddressSpace*> spaces_;
};

}  // namespace agilemmu::vmm
