// The software side of the model: a guest OS that maps, unmaps and remaps pages, and a
// hypervisor that keeps the shadow and compound tables in sync, charges a VMM trap for every
// guest page-table write it has to intercept, and — for agile paging — decides per region
// whether the compound table is shadow-style or nested-style (FIG. 9, FIG. 10, claims 7-12).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <agilemmu/config_issue.h>
#include <agilemmu/pt/walk.h>
#include <agilemmu/vmm/address_space.h>

namespace agilemmu::vmm {

// Static: regions keep the paging style the config gives them. Dynamic: the patent's FIG. 9/10
// policy (changes to existing translations count). Isca: the ISCA 2016 agile-paging mechanism
// (every trapped write to a page-table page counts, new entries too). docs/model.md compares them.
enum class Policy : uint8_t { Static, Dynamic, Isca };
const char* to_string(Policy);

enum class TrapKind : uint8_t { PtWrite, ShadowFault, RootChange, NestedChange, DirtyBit, kCount };
const char* to_string(TrapKind);

// Cycles, charged to the CPU that caused them. Where each default comes from (a published
// measurement, or our estimate): configs/README.md, "Where the VMM costs come from".
struct VmmCosts {
  uint64_t pt_write_trap = 3000;      // guest writes a write-protected (shadowed) page-table page
  uint64_t shadow_fault_trap = 2500;  // guest page fault seen first by the VMM (hidden fault)
  uint64_t root_change_trap = 2500;   // guest changes its root (context switch) under shadowing
  uint64_t nested_change = 1000;      // hypervisor changes the nested table (migration, sharing)
  uint64_t dirty_bit_trap = 3000;     // first write to a clean page under a shadow-style leaf
  uint64_t shadow_resync = 1000;      // ...and must then rewrite shadow-style entries derived from it
  uint64_t guest_fault = 2000;        // the guest OS's own page-fault handler (paid natively too)
  uint64_t switch_to_nested = 3000;   // agile: turn a compound entry nested-style
  uint64_t switch_to_shadow = 5000;   // agile: rebuild a subtree shadow-style
  // Our bound, not a measurement: 2^32 cycles (4 s at 1 GHz) is far beyond any trap, and keeps
  // the cycle totals of long runs from wrapping.
  static constexpr uint64_t kMaxCycles = 1ull << 32;
  ConfigIssue validate() const;  // fields named as above
};

struct DynamicPolicy {
  uint64_t interval = 1000000;  // cycles between FIG. 10 scans
  unsigned threshold = 2;       // writes to one guest page-table page within an interval -> nested
  unsigned window = 2;          // intervals without writes under a nested-style entry -> shadow
  // An entry that went back to shadow and was made nested again waits twice as long before its
  // next return, up to `backoff` doublings (0: always `window`): a region written once per some
  // period longer than the window stops paying two switches per period.
  unsigned backoff = 10;
  bool start_nested = false;  // agile.start: nested -- the process starts fully nested (short-lived)
  static constexpr unsigned kMaxCount = 1u << 20;
  static constexpr unsigned kMaxBackoff = 20;  // window << backoff is at most 2^40 intervals
  // interval >= 1 (0 would never end a scan), threshold and window in [1, kMaxCount], backoff in
  // [0, kMaxBackoff].
  ConfigIssue validate() const;
};

// What the MMU must drop after a change (TLB entries, walk caches).
struct Invalidation {
  enum Kind : uint8_t { Page, WalkCaches, Nested, All, Asid } kind = All;
  uint64_t va = 0;    // Page: the gVA page
  uint64_t size = 0;  // Page: its size in bytes
  uint16_t asid = 0;  // Page: the process whose page it is, as INVLPG drops only the current
                      // PCID's (0: every process of the VM); Asid: the process whose translations all go
};

// The Vmm's plain counters, declared once: X(field, key under "vmm", unit, aggregation,
// description, when). A counter with a `when` is written only when nonzero (so that runs that never
// meet it keep their exact outputs) and `when` says so. VmmStats' fields, operator+= and the
// registry entries (vmm_stats_group.cpp) all come from this list, in its order.
#define AGILEMMU_VMM_COUNTERS(X)                                                                                       \
  X(guest_pt_writes, "guest_pt_writes", Count, Sum, "entries the guest wrote in its own page tables", "")              \
  X(demand_faults, "demand_faults", Count, Sum, "pages the guest OS mapped on first touch", "")                        \
  X(remaps, "remaps", Count, Sum, "remap events applied (same gVA, new gPA)", "")                                      \
  X(unmaps, "unmaps", Count, Sum, "unmap events applied", "")                                                          \
  X(protects, "protects", Count, Sum,                                                                                  \
    "pages whose protection a trace's mprotect changed, or that MADV_FREE made clean", "")                             \
  X(moves, "moves", Count, Sum, "pages a trace's mremap moved to a new gVA (same gPA)", "")                            \
  X(exits, "exits", Count, Sum,                                                                                        \
    "process exits: a trace's exit or exec, or the end of a process of workload.processes (its tables torn down)", "") \
  X(host_migrations, "host_migrations", Count, Sum, "host pages the hypervisor moved", "")                             \
  X(context_switches, "context_switches", Count, Sum,                                                                  \
    "guest root changes: the scheduler's, and context_switch_rate's (another process and back)", "")                   \
  X(root_cache_hits, "root_cache_hits", Count, Sum, "root changes served by the shadow-root cache", "")                \
  X(spurious_faults, "spurious_faults", Count, Sum,                                                                    \
    "faults on a page another fault in flight had already mapped or made writable: retried at no cost", "")            \
  X(intervals, "intervals", Count, Sum, "dynamic-policy scan intervals", "")                                           \
  X(huge_fallbacks, "huge_fallbacks", Count, Sum,                                                                      \
    "huge guest pages the guest OS mapped with smaller pages because no free guest frame of their size was left "      \
    "(as Linux falls back from a transparent huge page)",                                                              \
    "only when a huge page fell back")                                                                                 \
  X(switch_cycles, "switch_cycles", Cycles, Sum, "agile switching and shadow-resync work", "")

struct VmmStats {
#define AGILEMMU_FIELD(field, key, unit, agg, desc, when) uint64_t field = 0;
  AGILEMMU_VMM_COUNTERS(AGILEMMU_FIELD)
#undef AGILEMMU_FIELD
  // Not plain counters; each is declared for the registry in vmm_stats_group.cpp, except
  // guest_os_cycles, which the run reports beside the VMM's cycles (tb/sys/run_stats.cpp).
  std::array<uint64_t, size_t(TrapKind::kCount)> traps{};
  std::array<uint64_t, size_t(TrapKind::kCount)> trap_cycles{};
  uint64_t guest_os_cycles = 0;                          // guest OS work that native execution pays too
  std::array<uint64_t, pt::kMaxLevels + 1> to_nested{};  // compound entries made nested-style, by level (0: croot)
  std::array<uint64_t, pt::kMaxLevels + 1> to_shadow{};  // nested-style entries made shadow-style again, by level
  uint64_t traps_total() const;
  uint64_t trap_cycles_total() const;
  uint64_t vmm_cycles() const { return trap_cycles_total() + switch_cycles; }
  VmmStats& operator+=(const VmmStats& o);
};

// One hypervisor for one VM. Its processes (AddressSpaces of one vmm::Vm) each have their own
// policy state and statistics; the guest OS operations act for the process select() names (the
// one whose request or event is being handled), and stats() sums every process.
class Vmm {
 public:
  // `as` is process 0, with ASID 1. Throws InvalidConfig when costs or dyn do not validate().
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
  // Process exit or exec: the address space and its tables go (AddressSpace::guest_reset). The
  // MMU drops everything (one process) or the process's ASID (several).
  void exit_process();
  // The hypervisor moves the host page behind gva's gPA; every process with a page on it is
  // brought up to date and its pages invalidated.
  bool host_migrate(uint64_t gva);
  void context_switch();  // the guest changes its root (another process and back)

  // --- several processes (workload.processes) ---
  // Adds a process of the same VM (as.vm()); returns its index. Its tables must be populated.
  size_t add_process(AddressSpace& as, uint16_t asid);
  // The process the following guest OS operations act for (no cost: whose fault or event it is).
  void select(size_t p) { cur_ = p; }
  size_t selected() const { return cur_; }
  // The scheduler's context switch to process p: the guest writes p's root. Under a shadow-style
  // root (shadow paging, agile unless p is fully nested) the write traps so the hypervisor can
  // load the matching shadow root, unless the guest-root -> shadow-root cache answers.
  void switch_to(size_t p);
  // Process p ended (its trace or accesses are done, or it exited): the guest tears its address
  // space down (exit_process, unless it already exited), then every table of its own is freed
  // (AddressSpace::teardown) and the MMU drops its ASID. p takes no more operations, and its
  // AddressSpace may be destroyed.
  void end_process(size_t p);
  size_t processes() const { return procs_.size(); }
  bool ended(size_t p) const { return procs_[p]->ended; }
  uint16_t asid(size_t p) const { return procs_[p]->asid; }
  const VmmStats& process_stats(size_t p) const { return procs_[p]->st; }
  // Nested-style switch points of the processes still running (agile).
  uint64_t nested_points() const;
  // Runs the FIG. 10 scan for every interval boundary passed by `now` (dynamic policy).
  void tick(uint64_t now_cycles);

  // Cycles accrued since the last call (VMM traps + switches + guest OS work).
  uint64_t take_cycles();
  // Every process's statistics summed (the VM-wide view).
  const VmmStats& stats() const;
  // Zeroes every process's statistics (a trace window's prologue is not part of its statistics).
  void reset_stats();
  pt::Mode mode() const { return mode_; }
  Policy policy() const { return policy_; }

 private:
  struct Process {
    AddressSpace* as = nullptr;
    uint16_t asid = 0;
    bool exited = false, ended = false;
    VmmStats st;
    // Dynamic policy state.
    std::map<std::pair<unsigned, uint64_t>, unsigned> writes;   // (level, node gPA) -> writes this interval
    std::map<std::pair<unsigned, uint64_t>, uint64_t> idle;     // nested point -> idle intervals
    std::map<std::pair<unsigned, uint64_t>, unsigned> returns;  // entry -> times it went back to shadow
    std::set<uint64_t> host_moved;                              // gVA pages whose host page moved this interval
  };
  Process& running() { return *procs_[cur_]; }     // the process the guest runs now
  uint16_t asid_of(const AddressSpace& as) const;  // 0 for an address space not added here
  AddressSpace& as() { return *procs_[cur_]->as; }
  const AddressSpace& as() const { return *procs_[cur_]->as; }
  void on_pt_write(size_t p, uint64_t gva, unsigned level, uint64_t node_gpa, uint64_t old, uint64_t v);
  bool shadowed(uint64_t gva, unsigned level) const;
  void trap(TrapKind k, uint64_t cycles);
  void make_nested(uint64_t gva, unsigned level);
  void scan();
  bool dirty_below(uint64_t va, unsigned level);
  void send(const Invalidation& inv) const;
  void sync_page(uint64_t gva);
  void charge_guest_fault();
  // A change to the mapped guest page holding gva: counts it, runs change(page, gpa), brings the
  // derived tables up to date and invalidates the page in the MMU. False if gva is unmapped.
  template <class Change>
  bool change_page(uint64_t gva, uint64_t VmmStats::*counter, Change&& change);

  pt::Mode mode_;
  Policy policy_;
  VmmCosts costs_;
  DynamicPolicy dyn_;
  bool root_cache_;
  std::vector<std::unique_ptr<Process>> procs_;
  size_t cur_ = 0;
  uint64_t intervals_ = 0;
  mutable VmmStats total_;  // stats()'s sum
  uint64_t pending_cycles_ = 0;
  uint64_t next_interval_;
  bool in_op_ = false;  // inside a guest operation: page-table writes are accounted
  // Sets in_op_ for one guest operation and clears it however the operation ends (an exception
  // such as MemoryExhausted must not leave later page-table writes accounted as the guest's).
  struct GuestOp {
    bool& flag;
    explicit GuestOp(bool& f) : flag(f) { flag = true; }
    ~GuestOp() { flag = false; }
    GuestOp(const GuestOp&) = delete;
    GuestOp& operator=(const GuestOp&) = delete;
  };
  bool cleared_dirty_ = false;  // this interval's scans cleared a nested D bit
};

}  // namespace agilemmu::vmm
