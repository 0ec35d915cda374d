// sc_spawn and sc_bind (the workers and the dispatch method are spawned processes).
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "at_front_end.h"

namespace agilemmu::mmu {

using namespace sc_core;

AtFrontEnd::AtFrontEnd(const sc_object& owner, tlm::tlm_target_socket<>& cpu, unsigned workers, Server server)
    : owner_(owner), cpu_(cpu), server_(std::move(server)) {
  sc_spawn_options method;
  method.spawn_method();  // a method: no thread switch per request
  method.set_sensitivity(&req_peq_.get_event());
  method.dont_initialize();
  sc_spawn(sc_bind(&AtFrontEnd::dispatch_method, this), "dispatch_method", &method);
  sc_spawn_options respond;
  respond.spawn_method();
  respond.set_sensitivity(&resp_peq_.get_event());
  respond.dont_initialize();
  sc_spawn(sc_bind(&AtFrontEnd::respond_method, this), "respond_method", &respond);
  idle_.reserve(workers);
  for (unsigned i = 0; i < workers; ++i) {
    workers_.emplace_back();
    sc_spawn(sc_bind(&AtFrontEnd::worker_thread, this, &workers_.back()), sc_gen_unique_name("worker"));
  }
}

tlm::tlm_sync_enum AtFrontEnd::nb_transport_fw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time& d) {
  if (ph == tlm::BEGIN_REQ) {
    // A request for now, nothing before it still to be taken, no response in progress, and
    // nothing on its path that can wait: the whole transaction on the return path (TLM_COMPLETED,
    // the response due at the annotated time), in the initiator's own call.
    if (d == SC_ZERO_TIME && req_peq_.empty() && pending_.empty() && ready_.empty() && !resp_busy_ &&
        resp_free_at_ <= now())
      if (MmuExtension* x = server_.at_once(t, scratch_)) {
        server_.serve_at_once(t, *x, d);
        return tlm::TLM_COMPLETED;
      }
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
  while (tlm::tlm_generic_payload* t = req_peq_.get_next_transaction()) {
    // (Only behind an empty queue: requests are taken in the order they came.)
    MmuExtension* x = pending_.empty() ? server_.at_once(*t, scratch_) : nullptr;
    if (!x) {
      pending_.push_back(t);
      continue;
    }
    tlm::tlm_phase ph = tlm::END_REQ;
    sc_time d = SC_ZERO_TIME;
    cpu_->nb_transport_bw(*t, ph, d);
    sc_time delay = SC_ZERO_TIME;
    server_.serve_at_once(*t, *x, delay);
    resp_peq_.notify(*t, delay);
  }
  wake_idle_workers();
}

void AtFrontEnd::respond_method() {
  while (tlm::tlm_generic_payload* t = resp_peq_.get_next_transaction()) ready_.push_back(t);
  while (!ready_.empty()) {
    // (A worker may take the socket first: each sender checks before it sends.)
    if (resp_busy_) return next_trigger(end_resp_event_);
    if (resp_free_at_ > now()) return next_trigger(resp_free_at_ - now());
    tlm::tlm_generic_payload* t = ready_.front();
    ready_.pop_front();
    begin_response(*t);
  }
}

void AtFrontEnd::begin_response(tlm::tlm_generic_payload& t) {
  tlm::tlm_phase ph = tlm::BEGIN_RESP;
  sc_time d = SC_ZERO_TIME;
  resp_busy_ = true;
  if (cpu_->nb_transport_bw(t, ph, d) != tlm::TLM_ACCEPTED) {
    resp_busy_ = false;
    resp_free_at_ = now() + d;
  }
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
    server_.serve(*t, me->scratch, delay);
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
    begin_response(*t);
  }
}

}  // namespace agilemmu::mmu
