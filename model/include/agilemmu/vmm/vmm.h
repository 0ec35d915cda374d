// The software side of the model: a guest OS that maps, unmaps and remaps pages, and a
// hypervisor that keeps the shadow and compound tables in sync, charges a VMM trap for every
// guest page-table write it has to intercept, and — for agile paging — decides per region
// whether the compound table is shadow-style or nested-style (FIG. 9, FIG. 10, claims 7-12).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include <agilemmu/pt/walk.h>
#include <agilemmu/vmm/address_space.h>

namespace agilemmu::vmm {

// Static: regions keep the paging style the config gives them. Dynamic: the patent's FIG. 9/10
// policy (changes to existing translations count). Isca: the ISCA 2016 agile-paging mechanism
// (every trapped write to a page-table page counts, new entries too). README compares them.
enum class Policy : uint8_t { Static, Dynamic, Isca };
const char* to_string(Policy);

enum class TrapKind : uint8_t { PtWrite, ShadowFault, RootChange, NestedChange, DirtyBit, kCount };
const char* to_string(TrapKind);

// Cycles, charged to the CPU that caused them.
struct VmmCosts {
  uint64_t pt_write_trap = 2000;      // guest writes a write-protected (shadowed) page-table page
  uint64_t shadow_fault_trap = 2500;  // guest page fault seen first by the VMM (hidden fault)
  uint64_t root_change_trap = 1500;   // guest changes its root (context switch) under shadowing
  uint64_t nested_change = 1000;      // hypervisor changes the nested table (migration, sharing)
  uint64_t dirty_bit_trap = 2000;     // first write to a clean page under a shadow-style leaf
  uint64_t shadow_resync = 1000;      // ...and must then rewrite shadow-style entries derived from it
  uint64_t guest_fault = 1000;        // the guest OS's own page-fault handler (paid natively too)
  uint64_t switch_to_nested = 3000;   // agile: turn a compound entry nested-style
  uint64_t switch_to_shadow = 5000;   // agile: rebuild a subtree shadow-style
};

struct DynamicPolicy {
  uint64_t interval = 1000000;  // cycles between FIG. 10 scans
  unsigned threshold = 2;       // writes to one guest page-table page within an interval -> nested
  unsigned window = 2;          // intervals without writes under a nested-style entry -> shadow
  bool start_nested = false;    // agile.start: nested -- the process starts fully nested (short-lived)
};

// What the MMU must drop after a change (TLB entries, walk caches).
struct Invalidation {
  enum Kind : uint8_t { Page, WalkCaches, Nested, All } kind = All;
  uint64_t va = 0;    // Page: the gVA page
  uint64_t size = 0;  // Page: its size in bytes
};

struct VmmStats {
  uint64_t guest_pt_writes = 0;  // entries the guest wrote in its own page tables
  std::array<uint64_t, size_t(TrapKind::kCount)> traps{};
  std::array<uint64_t, size_t(TrapKind::kCount)> trap_cycles{};
  uint64_t guest_os_cycles = 0;                          // guest OS work that native execution pays too
  std::array<uint64_t, pt::kMaxLevels + 1> to_nested{};  // compound entries made nested-style, by level (0: croot)
  std::array<uint64_t, pt::kMaxLevels + 1> to_shadow{};  // nested-style entries made shadow-style again, by level
  uint64_t switch_cycles = 0;
  uint64_t demand_faults = 0, unmaps = 0, remaps = 0, host_migrations = 0, context_switches = 0;
  uint64_t protects = 0, moves = 0, exits = 0;  // trace memory-map events (mprotect/MADV_FREE, mremap, exit)
  uint64_t root_cache_hits = 0;
  uint64_t spurious_faults = 0;  // faults on a page another fault had already handled (AT)
  uint64_t invalidations = 0;
  uint64_t intervals = 0;
  uint64_t traps_total() const;
  uint64_t trap_cycles_total() const;
  uint64_t vmm_cycles() const { return trap_cycles_total() + switch_cycles; }
};

class Vmm {
 public:
  Vmm(AddressSpace& as, pt::Mode mode, Policy policy, const VmmCosts& costs = {}, const DynamicPolicy& dyn = {},
      bool root_cache = false);
  Vmm(const Vmm&) = delete;
  Vmm& operator=(const Vmm&) = delete;
  ~Vmm();

  std::function<void(const Invalidation&)> invalidate;

  // --- guest OS operations (the traffic generator's events and demand paging) ---
  // First touch of an unmapped gVA: the guest maps a fresh page, dirty when the touch was a
  // write (as Linux maps anonymous memory on a write fault), clean otherwise. A page mapped in
  // the meantime (several requests in flight faulted on it) is left as it is.
  void demand_fault(uint64_t gva, pt::PageSize size, pt::Perms perms, bool write = false);
  // A write faulted on a shadow-style leaf that is read-only only because the guest's page is
  // still clean (dirty-bit emulation): the VMM sets the guest's D, makes the leaf writable and
  // lets the write retry. False when the fault is not that (a real protection fault).
  bool dirty_bit_trap(uint64_t gva);
  bool unmap(uint64_t gva);
  bool remap(uint64_t gva);  // same gVA, new gPA (copy-on-write, guest page migration)
  // The program's own memory-map calls, page by page (sys/mm_replay.h splits the ranges):
  // mprotect rewrites the leaf with new permissions (`clean`: MADV_FREE clears A/D instead);
  // false if unmapped or nothing would change.
  bool protect(uint64_t gva, pt::Perms perms, bool clean = false);
  // mremap moves a mapped page to an unmapped gVA (same gPA); false if `from` is unmapped.
  bool move(uint64_t from, uint64_t to);
  // Process exit or exec: the address space and its tables go (AddressSpace::guest_reset).
  void exit_process();
  bool host_migrate(uint64_t gva);  // hypervisor moves the host page behind gva's gPA
  void context_switch();            // the guest changes its root (another process and back)
  // Runs the FIG. 10 scan for every interval boundary passed by `now` (dynamic policy).
  void tick(uint64_t now_cycles);

  // Cycles accrued since the last call (VMM traps + switches + guest OS work).
  uint64_t take_cycles();
  const VmmStats& stats() const { return st_; }
  pt::Mode mode() const { return mode_; }
  Policy policy() const { return policy_; }

 private:
  void on_pt_write(uint64_t gva, unsigned level, uint64_t node_gpa, uint64_t old, uint64_t v);
  bool shadowed(uint64_t gva, unsigned level) const;
  void trap(TrapKind k, uint64_t cycles);
  void make_nested(uint64_t gva, unsigned level);
  void scan();
  bool dirty_below(uint64_t va, unsigned level);
  void send(const Invalidation& inv);
  void sync_page(uint64_t gva);
  void charge_guest_fault();
  // A change to the mapped guest page holding gva: counts it, runs change(page, gpa), brings the
  // derived tables up to date and invalidates the page in the MMU. False if gva is unmapped.
  template <class Change>
  bool change_page(uint64_t gva, uint64_t& counter, Change&& change);

  AddressSpace& as_;
  pt::Mode mode_;
  Policy policy_;
  VmmCosts costs_;
  DynamicPolicy dyn_;
  bool root_cache_;
  VmmStats st_;
  uint64_t pending_cycles_ = 0;
  uint64_t next_interval_;
  // Dynamic policy state.
  std::map<std::pair<unsigned, uint64_t>, unsigned> writes_;  // (level, node gPA) -> writes this interval
  std::map<std::pair<unsigned, uint64_t>, unsigned> idle_;    // nested point -> idle intervals
  std::set<uint64_t> host_moved_;                             // gVA pages whose host page moved this interval
  bool in_op_ = false;
  bool cleared_dirty_ =
      false;  // this scan cleared a nested D bit  // inside a guest operation: page-table writes are accounted
};

}  // namespace agilemmu::vmm
