// sc_spawn and sc_bind (the workers and the dispatch method are spawned processes).
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "at_front_end.h"

namespace agilemmu::mmu {

using namespace sc_core;

AtFrontEnd::AtFrontEnd(const sc_object& owner, tlm::tlm_target_socket<>& cpu, unsigned workers, Serve serve)
    : owner_(owner), cpu_(cpu), serve_(std::move(serve)) {
  sc_spawn_options method;
  method.spawn_method();  // a method: no thread switch per request
  method.set_sensitivity(&req_peq_.get_event());
  method.dont_initialize();
  sc_spawn(sc_bind(&AtFrontEnd::dispatch_method, this), "dispatch_method", &method);
  idle_.reserve(workers);
  for (unsigned i = 0; i < workers; ++i) {
    workers_.emplace_back();
    sc_spawn(sc_bind(&AtFrontEnd::worker_thread, this, &workers_.back()), sc_gen_unique_name("worker"));
  }
}

tlm::tlm_sync_enum AtFrontEnd::nb_transport_fw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time& d) {
  if (ph == tlm::BEGIN_REQ) {
    req_peq_.notify(t, d);  // END_REQ follows when a worker takes it: the queue bound is backpressure
    return tlm::TLM_ACCEPTED;
  }
  if (ph == tlm::END_RESP) {
    resp_busy_ = false;
    resp_free_at_ = now() + d;  // END_RESP takes effect at its annotated time
    end_resp_event_.notify();
    return tlm::TLM_COMPLETED;
  }
  SC_REPORT_ERROR(owner_.name(), "unexpected phase on the cpu socket");
  return tlm::TLM_COMPLETED;
}

void AtFrontEnd::dispatch_method() {
  while (tlm::tlm_generic_payload* t = req_peq_.get_next_transaction()) pending_.push_back(t);
  wake_idle_workers();
}

// Wakes one idle worker per queued request, most recently idle first. This is the schedule one
// event shared by all idle workers gave (SystemC resumes an event's waiters last-waiter first,
// one after the other in this evaluation phase): the workers it woke beyond the queued requests
// found the queue empty and waited again without touching any state.
void AtFrontEnd::wake_idle_workers() {
  for (size_t n = pending_.size(); n && !idle_.empty(); --n) {
    Worker* w = idle_.back();
    idle_.pop_back();
    w->wake.notify();
  }
}

void AtFrontEnd::worker_thread(Worker* me) {
  for (;;) {
    while (pending_.empty()) {
      idle_.push_back(me);
      wait(me->wake);
    }
    tlm::tlm_generic_payload* t = pending_.front();
    pending_.pop_front();
    wake_idle_workers();  // more work for the other workers
    tlm::tlm_phase ph = tlm::END_REQ;
    sc_time d = SC_ZERO_TIME;
    cpu_->nb_transport_bw(*t, ph, d);
    sc_time delay = SC_ZERO_TIME;
    serve_(*t, me->scratch, delay);
    if (delay != SC_ZERO_TIME) wait(delay);
    // Base protocol: one response in progress on the socket, until END_RESP at its annotated time.
    for (;;) {
      if (resp_busy_)
        wait(end_resp_event_);
      else if (resp_free_at_ > now())
        wait(resp_free_at_ - now());
      else
        break;
    }
    ph = tlm::BEGIN_RESP;
    d = SC_ZERO_TIME;
    // The initiator ends the response on the return path (TLM_UPDATED with END_RESP, or
    // TLM_COMPLETED), or with END_RESP on the forward path after TLM_ACCEPTED (which clears
    // resp_busy_, even from inside this call).
    resp_busy_ = true;
    if (cpu_->nb_transport_bw(*t, ph, d) != tlm::TLM_ACCEPTED) {
      resp_busy_ = false;
      resp_free_at_ = now() + d;
    }
  }
}

}  // namespace agilemmu::mmu
