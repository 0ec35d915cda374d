// The traffic-generator CPU: pulls requests from a Source and issues them to the MMU's cpu
// socket with an MmuExtension. OS/hypervisor events and page faults are handed to hooks (the
// software model), whose cycles stall this CPU. `lt`: b_transport with a quantum keeper, one
// request at a time. `at`: base-protocol nb_transport with up to `outstanding` requests.
#pragma once
#include <cmath>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <vector>

#include <agilemmu/mmu/mmu_ext.h>
#include <agilemmu/pt/hash.h>

#include "config/sys_config.h"
#include "sys/workload.h"

namespace agilemmu::sys {

struct TrafficGenConfig {
  bool at = false;
  double clock_ns = 1.0;
  uint32_t outstanding = 1;   // at: requests in flight
  uint32_t think_cycles = 0;  // CPU work between two requests
  double quantum_ns = 1000;   // lt: temporal-decoupling quantum
  uint16_t asid = 1, vmid = 1;
  bool tag_asid = false;  // each request carries its item's ASID (a multi-process workload), not `asid`
  mmu::Origin origin = mmu::Origin::Guest;
  uint64_t tick_every = 1024;  // accesses between calls of the tick hook
  CoreModel core;
};

struct TrafficGenHooks {
  // An OS/hypervisor event; returns the cycles it costs this CPU.
  std::function<uint64_t(const WorkloadOp&)> event;
  // A translation fault; returns the cycles spent and whether to retry the access.
  std::function<uint64_t(const WorkloadOp&, const pt::Fault&, bool& retry)> fault;
  // Periodic: the current time in cycles; returns cycles the CPU is stalled.
  std::function<uint64_t(uint64_t now_cycles)> tick;
  // Progress: accesses completed so far.
  std::function<void(uint64_t done)> progress;
};

struct TrafficGenStats {
  uint64_t accesses = 0, fetches = 0, reads = 0, writes = 0;
  uint64_t events = 0, faults_handled = 0, hard_faults = 0;
  uint64_t stall_cycles = 0;  // charged by hooks (VMM and guest OS work)
  uint64_t think_cycles = 0;
  uint64_t latency_cycles = 0;  // sum of request latencies seen at the socket
  // The core model (zero when it is off): instruction cycles (fetches x base_cpi), stalls on
  // fetches, data misses that had to wait for a free miss slot, TLB misses; overlapped accesses.
  uint64_t core_base_cycles = 0, core_fetch_stall_cycles = 0, core_mlp_stall_cycles = 0, core_tlb_stall_cycles = 0;
  uint64_t core_overlapped = 0, core_misses = 0;
  sc_core::sc_time end;
};

class TrafficGen : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<TrafficGen> socket;
  SC_HAS_PROCESS(TrafficGen);
  TrafficGen(sc_core::sc_module_name name, Source& src, const TrafficGenConfig& cfg, TrafficGenHooks hooks);
  const TrafficGenStats& stats() const { return st_; }
  // Stops issuing after the current request (Ctrl-C); the run then ends normally.
  void stop() { stop_ = true; }
  // Why a malformed trace record ended the run (bad input), or empty. Kept as text, not thrown:
  // an exception leaving the SystemC kernel (or thrown again after it, on a stack ASan has lost
  // track of across the coroutine switches) leaves stale stack poison behind under ASan.
  const std::string& error() const { return error_; }

 private:
  // The longest access a trace record can carry; each request moves all its bytes, so an access
  // that crosses a page is translated per page (one access, two translations).
  static constexpr uint32_t kMaxAccess = 255;
  struct Slot {
    tlm::tlm_generic_payload p;
    mmu::MmuExtension ext;
    unsigned char buf[kMaxAccess] = {};  // the access's bytes (values are not modelled)
    WorkloadOp item;
    int attempts = 0;
    sc_core::sc_time issued;
    bool busy = false;
    Slot() = default;
    Slot(const Slot&) = delete;
    ~Slot() { p.clear_extension(&ext); }  // the extension is a member: the payload must not free it
  };
  // A faulting request goes to the software model at most this many times; a fault that is still
  // there after the model's repairs is a hard fault (nothing it can map).
  static constexpr int kMaxFaultRepairs = 2;
  // hooks_.progress is called every this many accesses (a power of two: a mask test per access).
  static constexpr uint64_t kProgressEvery = 4096;

  void lt_thread();
  // LT with the core model: the time the CPU spends on a request issued at `at` (absolute) that
  // took `latency`.
  sc_core::sc_time core_charge(const Slot& s, const WorkloadOp& it, const sc_core::sc_time& at,
                               const sc_core::sc_time& latency);
  // LT: one access through the MMU (faults repaired), counted; returns its last attempt's latency.
  sc_core::sc_time lt_access(Slot& s, const WorkloadOp& it, tlm_utils::tlm_quantumkeeper& qk);
  // LT: the coalesced fetches of a repeat record (WorkloadOp::Repeat).
  void lt_repeat(Slot& s, const WorkloadOp& rep, tlm_utils::tlm_quantumkeeper& qk);
  void at_thread();
  void prepare(Slot& s, const WorkloadOp& it) const;
  void count(const WorkloadOp& it);
  // The source's next item; false at its end, or when it throws (kept in error_, run stopped).
  bool next_item(WorkloadOp& it);
  // Cycles the software model spends on a memory-map or OS event (CPU stalled).
  uint64_t event_cycles(const WorkloadOp& it);
  // Cycles the software model spends on a faulting request; `retry`: it repaired the fault.
  // (`it`: the request; LT does not copy it into the slot.)
  uint64_t fault_cycles(Slot& s, const WorkloadOp& it, bool& retry);
  // AT: sends a request (base protocol: one BEGIN_REQ open at a time).
  void at_issue(Slot& s);
  // AT: a response came back; false when the request was sent again (a repaired fault).
  bool at_complete(Slot& s);
  // AT: completes every request in flight (a context switch serializes, as a root write does).
  void at_drain();
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_core::sc_time& d);
  uint64_t cycles(sc_core::sc_time t) const { return static_cast<uint64_t>(std::llround(t / clk_)); }
  // cycles(t) for a request latency, from a small cache of recent ones: LT requests mostly take
  // one of a few latencies, and the division sat on every access's path.
  uint64_t latency_cycles(const sc_core::sc_time& t) {
    const uint64_t v = t.value();
    LatencySlot& s = latency_cache_[(v * pt::kGoldenGamma) >> 61];
    if (s.ticks != v) s = {v, cycles(t)};
    return s.cycles;
  }
  struct LatencySlot {
    uint64_t ticks = ~0ull, cycles = 0;
  };
  LatencySlot latency_cache_[8];
  std::deque<sc_core::sc_time> misses_;  // core model: end times of the data misses in flight

  Source& src_;
  TrafficGenConfig cfg_;
  TrafficGenHooks hooks_;
  sc_core::sc_time clk_;
  TrafficGenStats st_;
  std::deque<Slot> slots_;  // deque: slots never move
  std::deque<Slot*> done_;
  // Requests the MMU completed on the return path of BEGIN_REQ, by the time their responses are
  // due (the annotation): they join done_ then.
  struct Completing {
    sc_core::sc_time at;
    Slot* slot;
  };
  std::vector<Completing> completing_;
  void collect_completed();
  // Waits for a response (or a completion falling due) unless one is there already.
  void wait_response();
  sc_core::sc_event end_req_, resp_;
  bool req_open_ = false;   // BEGIN_REQ sent, END_REQ not yet seen
  unsigned in_flight_ = 0;  // AT: requests sent and not yet completed
  bool stop_ = false;
  std::string error_;
  // Repeat records: LT charges a measured TLB-hit fetch latency, re-measured every so often.
  static constexpr uint64_t kRemeasureEvery = 4096;
  uint64_t repeat_records_ = 0;
  sc_core::sc_time repeat_latency_;
  uint64_t repeat_left_ = 0;  // AT: fetches of a repeat record still to issue
  WorkloadOp repeat_;
};

}  // namespace agilemmu::sys
