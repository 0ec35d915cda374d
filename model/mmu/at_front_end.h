// Private to the Mmu: the approximately-timed side of the cpu socket. BEGIN_REQ goes into a PEQ;
// a method moves due requests to a queue and wakes one idle worker thread per request; the
// worker ends the request (END_REQ: the queue's bound is the initiator's backpressure), has it
// served, and sends BEGIN_RESP once the socket's previous response has ended.
#pragma once
#include <deque>
#include <functional>
#include <systemc>
#include <tlm>
#include <vector>

#include <agilemmu/mmu/mmu_ext.h>

#include "queues.h"

namespace agilemmu::mmu {

class AtFrontEnd {
 public:
  // Translates and performs one request, spending its time with wait(); `scratch`: the worker's
  // own extension for a request that has none.
  using Serve = std::function<void(tlm::tlm_generic_payload&, MmuExtension& scratch, sc_core::sc_time& delay)>;
  // Spawns its processes in the current module (call during elaboration): `workers` threads.
  AtFrontEnd(const sc_core::sc_object& owner, tlm::tlm_target_socket<>& cpu, unsigned workers, Serve serve);

  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_core::sc_time& d);

 private:
  struct Worker {
    sc_core::sc_event wake;
    MmuExtension scratch;  // the context of a request without an MmuExtension
  };
  void dispatch_method();
  void worker_thread(Worker* me);
  void wake_idle_workers();
  const sc_core::sc_time& now() const { return owner_.simcontext()->time_stamp(); }

  const sc_core::sc_object& owner_;
  tlm::tlm_target_socket<>& cpu_;
  Serve serve_;
  PeqWithGet<tlm::tlm_generic_payload> req_peq_{"req_peq"};
  Fifo<tlm::tlm_generic_payload*> pending_;
  // Idle workers wait on their own event, so a request wakes one worker instead of every idle
  // one (each of which would take a thread switch only to find the queue empty again).
  std::deque<Worker> workers_;  // deque: events do not move
  std::vector<Worker*> idle_;
  sc_core::sc_event end_resp_event_;
  bool resp_busy_ = false;         // a BEGIN_RESP is waiting for its END_RESP (TLM_ACCEPTED, not yet ended)
  sc_core::sc_time resp_free_at_;  // the last response ended at this time (its END_RESP's annotation)
};

}  // namespace agilemmu::mmu
