// Private to the Mmu: functional reads of the tables as they are now, through the walk ports'
// debug transport (no time, no A/D writes), and the translation-coherence checker built on them.
#pragma once
#include <cstdint>
#include <systemc>
#include <tlm>

#include <agilemmu/mmu/mmu_ext.h>
#include <agilemmu/mmu/mmu_stats.h>
#include <agilemmu/pt/walk.h>

#include "roots.h"

namespace agilemmu::mmu {

// What one translation delivered.
struct Outcome {
  // Where a delivered translation came from (the coherence checker names it).
  enum class Source : uint8_t { L1Tlb, L2Tlb, Walk };
  bool ok = false;
  bool tlb_hit = false;
  Source source = Source::Walk;
  bool merged = false;                    // waited for a walk of the same page in flight, then looked again
  pt::PageSize size = pt::PageSize::k4K;  // of the page that translated (ok only)
  uint64_t hpa = 0;
  pt::Fault fault;
  sc_core::sc_time end;  // simulated time the translation finished (now() + delay)
};

class TableProbe {
 public:
  TableProbe(const sc_core::sc_object& owner, tlm::tlm_initiator_socket<>& compound,
             tlm::tlm_initiator_socket<>& nested, const pt::Format& fmt, const RootTable& roots, MmuStats& st)
      : owner_(owner), compound_(compound), nested_(nested), fmt_(fmt), roots_(roots), st_(st) {}

  // One entry through its port's transport_dbg; false when the target does not serve it.
  bool debug_read(const pt::MemRef& r, uint64_t& v);
  // A functional walk (no time, no A/D writes) of the tables as they are now; nullptr when the
  // walk ports have no transport_dbg.
  const pt::WalkResult* fresh_walk(const Context& c, const pt::WalkRequest& req);
  // A walk that saw the tables change gives what a walk now would give.
  bool still_current(const Context& c, const pt::WalkRequest& req, const pt::WalkResult& r);
  // mmu.check: the delivered outcome against a fresh uncached walk of the tables as they are now;
  // a difference is an SC_REPORT_ERROR naming both.
  void check(const Context& c, const MmuExtension& x, const pt::WalkRequest& req, const Outcome& o);

 private:
  const sc_core::sc_object& owner_;
  tlm::tlm_initiator_socket<>& compound_;
  tlm::tlm_initiator_socket<>& nested_;
  const pt::Format& fmt_;
  const RootTable& roots_;
  MmuStats& st_;
  pt::Walk probe_;  // reused: no per-walk construction of the result and its reference list
};

}  // namespace agilemmu::mmu
