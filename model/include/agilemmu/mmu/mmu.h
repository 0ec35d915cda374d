// The MMU as a SystemC module: TLBs, walk caches and walkers between a CPU and memory.
//
//   cpu            target socket: gVA (guest) or hVA (host) requests with an MmuExtension
//   data           initiator: the translated access, address = hPA
//   compound_port  initiator: walk reads of compound, shadow, guest and native tables
//   nested_port    initiator: walk reads of the nested table
//
// The walk itself is pt::Walk (the one implementation of the semantics); this module adds the
// structures around it and the time each step takes. Timing `lt`: b_transport with temporal
// decoupling (the CPU's quantum keeper). Timing `at`: the base protocol, N walkers whose reads
// overlap in memory. How it is built inside: docs/mmu-internals.md.
#pragma once
#include <functional>
#include <memory>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <agilemmu/mmu/mmu_config.h>
#include <agilemmu/mmu/mmu_ext.h>
#include <agilemmu/mmu/mmu_stats.h>
#include <agilemmu/mmu/tlb.h>
#include <agilemmu/mmu/walk_caches.h>
#include <agilemmu/pt/walk.h>

namespace agilemmu::mmu {

class Mmu : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Mmu> cpu;
  tlm_utils::simple_initiator_socket<Mmu> data;
  tlm_utils::simple_initiator_socket<Mmu> compound_port;
  tlm_utils::simple_initiator_socket<Mmu> nested_port;

  SC_HAS_PROCESS(Mmu);
  Mmu(sc_core::sc_module_name name, const MmuConfig& cfg, const pt::Format& fmt);
  ~Mmu() override;

  // Root registers of one address space. Host (hVA) spaces use only hroot.
  void set_roots(const Context& c, const pt::Roots& r);

  // Invalidation, as the hypervisor and guest OS request it (x86 names in brackets). Each drops
  // every cached thing derived from what changed, in every TLB level and page size, and counts
  // itself in the statistics (invalidations_by_kind). A walk in flight across an invalidation
  // is walked again: what it read before may be stale.
  void invalidate_page(const Context& c, uint64_t va);                   // [INVLPG]: TLBs + PWC entries on va's path
  void invalidate_range(uint16_t vmid, uint64_t va, uint64_t bytes);     // every ASID of a VM
  void invalidate_range(const Context& c, uint64_t va, uint64_t bytes);  // one ASID [INVLPG]
  void invalidate_asid(uint16_t vmid, uint16_t asid);                    // [INVPCID single-context]
  void invalidate_vmid(uint16_t vmid);                                   // [INVVPID/INVEPT single-context]
  void invalidate_walk_caches(uint16_t vmid);                            // compound/shadow/guest structure changed
  void invalidate_nested(uint16_t vmid);  // nested table changed: nested TLB + nested PWC
  void invalidate_all();                  // [INVEPT/INVVPID all-context]
  // The tables changed in a way that needs no invalidation (a new mapping: nothing cached it).
  // Walks in flight check their result against the tables before they deliver it.
  void tables_changed();

  // Requests without an MmuExtension get cfg.default_context; a platform may map its own
  // side-band data (an initiator id, a stream id) to a context here.
  std::function<void(const tlm::tlm_generic_payload&, MmuExtension&)> context_hook;

  const MmuStats& stats() const;
  const MmuConfig& config() const;
  // The TLBs and walk caches, for their counters (their geometry is config()'s).
  const Tlb& l1i_tlb() const;
  const Tlb& l1d_tlb() const;
  const Tlb& l2_tlb() const;
  const WalkCacheSet& walk_caches() const;

  // Observable state for waveforms: walks in flight, the latest walker state, TLB hit. Written
  // only after trace_signals(true): a signal write per request would dominate the LT hot path.
  void trace_signals(bool on);
  // Several AT worker threads update them, even in one delta cycle: the last write shows.
  sc_core::sc_signal<uint32_t, sc_core::SC_UNCHECKED_WRITERS> outstanding_walks{"outstanding_walks"};
  sc_core::sc_signal<uint32_t, sc_core::SC_UNCHECKED_WRITERS> walker_state{"walker_state"};
  sc_core::sc_signal<bool, sc_core::SC_UNCHECKED_WRITERS> last_tlb_hit{"last_tlb_hit"};

 private:
  // The machinery (TLB lookup, walker pool, AT front end, coherence checker, data path) lives in
  // the library's private Impl: this header is the contract, not the design.
  class Impl;
  std::unique_ptr<Impl> impl_;

  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_core::sc_time& d);
  // A debugger's access: translated functionally (no TLB, no statistics, no A/D writes) and
  // forwarded to `data`. 0 bytes when the address does not translate.
  unsigned transport_dbg(tlm::tlm_generic_payload& t);
  // DMI through the MMU is refused: a granted pointer would bypass translation, permission
  // checks and statistics, and every invalidation would have to revoke it.
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi);
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
  // The walk ports' backward path: answers to walks sent with nb_transport_fw.
  tlm::tlm_sync_enum walk_port_bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_core::sc_time& d);
};

}  // namespace agilemmu::mmu
