// Private to the Mmu: the approximately-timed side of the cpu socket. A request that can be
// answered at once (a TLB hit whose data the DMI grant serves: nothing on its path can wait) is
// served in nb_transport_fw and completed on its return path when it is for now and the socket has
// nothing else in progress. Other BEGIN_REQs go into a PEQ; a method takes due requests. One that
// can be answered at once is ended, served and put in a response PEQ by the method itself,
// without a thread. Any other goes to a queue and wakes one idle worker thread,
// which ends the request (END_REQ: the queue's bound is the initiator's backpressure), has it
// served (walks wait()), and sends BEGIN_RESP once the socket's previous response has ended. A
// second method sends the responses of the first kind under the same rule.
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
  // What the front end asks of the Mmu.
  struct Server {
    // Translates and performs one request, spending its time with wait(); `scratch`: the
    // worker's own extension for a request that has none. (A worker thread.)
    std::function<void(tlm::tlm_generic_payload&, MmuExtension& scratch, sc_core::sc_time& delay)> serve;
    // The request's extension (or `scratch` filled in) when it can be answered at once, nullptr
    // (nothing done, nothing counted) when it cannot.
    std::function<MmuExtension*(tlm::tlm_generic_payload&, MmuExtension& scratch)> at_once;
    // Serves a request at_once() accepted, its time accumulated in `delay` (a method: no wait()).
    std::function<void(tlm::tlm_generic_payload&, MmuExtension& x, sc_core::sc_time& delay)> serve_at_once;
  };
  // Spawns its processes in the current module (call during elaboration): `workers` threads.
  AtFrontEnd(const sc_core::sc_object& owner, tlm::tlm_target_socket<>& cpu, unsigned workers, Server server);

  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_core::sc_time& d);

 private:
  struct Worker {
    sc_core::sc_event wake;
    MmuExtension scratch;  // the context of a request without an MmuExtension
  };
  void dispatch_method();
  void respond_method();
  void worker_thread(Worker* me);
  void wake_idle_workers();
  // BEGIN_RESP, the socket's previous response having ended. The initiator ends this one on the
  // return path (TLM_UPDATED with END_RESP, or TLM_COMPLETED), or with END_RESP on the forward
  // path after TLM_ACCEPTED (which clears resp_busy_, even from inside this call).
  void begin_response(tlm::tlm_generic_payload& t);
  const sc_core::sc_time& now() const { return owner_.simcontext()->time_stamp(); }

  const sc_core::sc_object& owner_;
  tlm::tlm_target_socket<>& cpu_;
  Server server_;
  PeqWithGet<tlm::tlm_generic_payload> req_peq_{"req_peq"};
  Fifo<tlm::tlm_generic_payload*> pending_;
  MmuExtension scratch_;  // the dispatch method's, for requests answered at once
  // Responses of requests answered at once: due at their time, then sent in order.
  PeqWithGet<tlm::tlm_generic_payload> resp_peq_{"resp_peq"};
  Fifo<tlm::tlm_generic_payload*> ready_;
  // Idle workers wait on their own event, so a request wakes one worker instead of every idle
  // one (each of which would take a thread switch only to find the queue empty again).
  std::deque<Worker> workers_;  // deque: events do not move
  std::vector<Worker*> idle_;
  sc_core::sc_event end_resp_event_;
  bool resp_busy_ = false;         // a BEGIN_RESP is waiting for its END_RESP (TLM_ACCEPTED, not yet ended)
  sc_core::sc_time resp_free_at_;  // the last response ended at this time (its END_RESP's annotation)
};

}  // namespace agilemmu::mmu
