#include "sys/traffic_gen.h"

#include <algorithm>
#include <tlm_utils/tlm_quantumkeeper.h>

namespace agilemmu::sys {

using namespace sc_core;

TrafficGen::TrafficGen(sc_module_name name, Source& src, const TrafficGenConfig& cfg, TrafficGenHooks hooks)
    : sc_module(name),
      socket("socket"),
      src_(src),
      cfg_(cfg),
      hooks_(std::move(hooks)),
      clk_(cfg.clock_ns, SC_NS),
      slots_(cfg.at ? std::max<uint32_t>(1, cfg.outstanding) : 1) {
  for (auto& s : slots_) {  // (constructed in place)
    s.p.set_data_ptr(s.buf);
    s.p.set_extension(&s.ext);  // owned by the slot; released before the payload dies
    s.p.set_byte_enable_ptr(nullptr);
    // The context is the same for every request: written once, not per access (the MMU reads
    // it back right away, and a fresh narrow store there stalls the wider load).
    s.ext.asid = cfg_.asid;
    s.ext.vmid = cfg_.vmid;
    s.ext.origin = cfg_.origin;
  }
  socket.register_nb_transport_bw(this, &TrafficGen::nb_transport_bw);
  if (cfg.at) {
    SC_THREAD(at_thread);
  } else {
    SC_THREAD(lt_thread);
  }
}

void TrafficGen::prepare(Slot& s, const WorkloadOp& it) const {
  if (cfg_.at) s.item = it;  // (lt keeps the item at hand; the copy would stall on its fresh stores)
  s.attempts = 0;
  const uint32_t n = it.size > kMaxAccess ? kMaxAccess : it.size < 1 ? 1 : it.size;
  s.p.set_address(it.va);
  s.p.set_command(it.access == pt::Access::Write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  s.p.set_data_length(n);
  s.p.set_streaming_width(n);
  s.p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  s.ext.access = it.access;
  s.ext.user = it.user;
  if (cfg_.tag_asid) s.ext.asid = it.asid;
}

void TrafficGen::count(const WorkloadOp& it) {
  ++st_.accesses;
  ++(it.access == pt::Access::Fetch ? st_.fetches : it.access == pt::Access::Write ? st_.writes : st_.reads);
  if (hooks_.progress && (st_.accesses & (kProgressEvery - 1)) == 0) hooks_.progress(st_.accesses);
}

bool TrafficGen::next_item(WorkloadOp& it) {
  try {
    return src_.next(it);
  } catch (const std::exception& e) {
    error_ = e.what();  // the run ends as at the end of the trace; the caller reports it
    stop_ = true;
    return false;
  }
}

uint64_t TrafficGen::event_cycles(const WorkloadOp& it) {
  ++st_.events;
  const uint64_t c = hooks_.event ? hooks_.event(it) : 0;
  st_.stall_cycles += c;
  return c;
}

uint64_t TrafficGen::fault_cycles(Slot& s, const WorkloadOp& it, bool& retry) {
  retry = false;
  const uint64_t c = hooks_.fault && ++s.attempts <= kMaxFaultRepairs ? hooks_.fault(it, s.ext.fault, retry) : 0;
  st_.stall_cycles += c;
  if (retry)
    ++st_.faults_handled;
  else
    ++st_.hard_faults;
  return c;
}

sc_time TrafficGen::lt_access(Slot& s, const WorkloadOp& it, tlm_utils::tlm_quantumkeeper& qk) {
  prepare(s, it);
  sc_time latency;
  for (;;) {
    sc_time d = qk.get_local_time();
    const sc_time before = d;
    s.p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(s.p, d);
    latency = d - before;
    st_.latency_cycles += latency_cycles(latency);
    qk.set(cfg_.core.enabled ? before + core_charge(s, it, sc_time_stamp() + before, latency) : d);
    if (s.p.get_response_status() != tlm::TLM_ADDRESS_ERROR_RESPONSE) break;
    bool retry = false;
    qk.inc(clk_ * double(fault_cycles(s, it, retry)));
    if (!retry) break;
  }
  count(it);
  if (cfg_.think_cycles) {
    st_.think_cycles += cfg_.think_cycles;
    qk.inc(clk_ * double(cfg_.think_cycles));
  }
  if (hooks_.tick && st_.accesses % cfg_.tick_every == 0) {
    const uint64_t c = hooks_.tick(cycles(sc_time_stamp() + qk.get_local_time()));
    st_.stall_cycles += c;
    qk.inc(clk_ * double(c));
  }
  if (qk.need_sync()) qk.sync();
  return latency;
}

sc_time TrafficGen::core_charge(const Slot& s, const WorkloadOp& it, const sc_time& at, const sc_time& latency) {
  const sc_time hidden = clk_ * double(cfg_.core.overlap_cycles);
  if (it.access == pt::Access::Fetch) {
    const sc_time base = clk_ * cfg_.core.base_cpi;
    const sc_time stall = latency > hidden ? latency - hidden : SC_ZERO_TIME;
    st_.core_base_cycles += cycles(base);
    st_.core_fetch_stall_cycles += cycles(stall);
    return base + stall;
  }
  if (!s.ext.tlb_hit) {
    st_.core_tlb_stall_cycles += cycles(latency);
    return latency;
  }
  if (latency <= hidden) {
    ++st_.core_overlapped;
    return SC_ZERO_TIME;
  }
  ++st_.core_misses;
  while (!misses_.empty() && misses_.front() <= at) misses_.pop_front();
  sc_time stall = SC_ZERO_TIME;
  if (misses_.size() >= cfg_.core.mlp) {  // every miss slot taken: wait for the oldest
    stall = misses_.front() - at;
    misses_.pop_front();
    st_.core_mlp_stall_cycles += cycles(stall);
  }
  // (kept in end order: a later miss may end before an earlier one)
  const sc_time end = at + stall + latency;
  misses_.insert(std::upper_bound(misses_.begin(), misses_.end(), end), end);
  return stall;
}

// The fetches a repeat record stands for hit the TLB on a page just fetched: each costs what such a
// fetch costs in a replay of the whole trace, measured on a real one every kRemeasureEvery records
// (the first at once), and is counted like it; nothing else is issued.
void TrafficGen::lt_repeat(Slot& s, const WorkloadOp& rep, tlm_utils::tlm_quantumkeeper& qk) {
  uint64_t n = rep.len;
  if (repeat_records_++ % kRemeasureEvery == 0) {
    WorkloadOp f;
    f.va = rep.va;
    f.size = 4;  // (the size of the repeated fetches is not recorded; at most one word moves anyway)
    f.access = pt::Access::Fetch;
    repeat_latency_ = lt_access(s, f, qk);
    if (--n == 0) return;
  }
  const uint64_t before = st_.accesses;
  st_.accesses += n;
  st_.fetches += n;
  st_.latency_cycles += n * latency_cycles(repeat_latency_);
  if (cfg_.core.enabled) {  // each an instruction whose fetch costs what the measured one did
    const sc_time hidden = clk_ * double(cfg_.core.overlap_cycles);
    const sc_time base = clk_ * cfg_.core.base_cpi;
    const sc_time stall = repeat_latency_ > hidden ? repeat_latency_ - hidden : SC_ZERO_TIME;
    st_.core_base_cycles += n * cycles(base);
    st_.core_fetch_stall_cycles += n * cycles(stall);
    qk.inc((base + stall) * double(n));
  } else {
    qk.inc(repeat_latency_ * double(n));
  }
  if (cfg_.think_cycles) {
    st_.think_cycles += n * cfg_.think_cycles;
    qk.inc(clk_ * double(n * cfg_.think_cycles));
  }
  if (hooks_.progress && (before / kProgressEvery != st_.accesses / kProgressEvery)) hooks_.progress(st_.accesses);
  if (hooks_.tick && before / cfg_.tick_every != st_.accesses / cfg_.tick_every) {
    const uint64_t c = hooks_.tick(cycles(sc_time_stamp() + qk.get_local_time()));
    st_.stall_cycles += c;
    qk.inc(clk_ * double(c));
  }
  if (qk.need_sync()) qk.sync();
}

void TrafficGen::lt_thread() {
  tlm_utils::tlm_quantumkeeper qk;
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(cfg_.quantum_ns, SC_NS));
  qk.reset();
  Slot& s = slots_[0];
  WorkloadOp it;
  while (!stop_ && next_item(it)) {
    if (it.kind == WorkloadOp::Access) {
      lt_access(s, it, qk);
    } else if (it.kind == WorkloadOp::Repeat) {
      lt_repeat(s, it, qk);
    } else {
      qk.inc(clk_ * double(event_cycles(it)));
    }
  }
  // The run ends when its last data miss has.
  if (!misses_.empty() && misses_.back() > sc_time_stamp() + qk.get_local_time())
    qk.set(misses_.back() - sc_time_stamp());
  qk.sync();
  st_.end = sc_time_stamp();
}

tlm::tlm_sync_enum TrafficGen::nb_transport_bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time&) {
  if (ph == tlm::END_REQ) {
    req_open_ = false;
    end_req_.notify();
    return tlm::TLM_ACCEPTED;
  }
  if (ph == tlm::BEGIN_RESP) {
    if (req_open_) {  // BEGIN_RESP implies END_REQ
      req_open_ = false;
      end_req_.notify();
    }
    for (auto& s : slots_)
      if (&s.p == &t) done_.push_back(&s);
    resp_.notify();
    return tlm::TLM_COMPLETED;
  }
  SC_REPORT_ERROR(name(), "unexpected phase on the backward path");
  return tlm::TLM_COMPLETED;
}

void TrafficGen::at_issue(Slot& s) {
  while (req_open_) wait(end_req_);  // base protocol: one open request at a time
  s.busy = true;
  s.issued = sc_time_stamp();
  s.p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  tlm::tlm_phase ph = tlm::BEGIN_REQ;
  sc_time d = SC_ZERO_TIME;
  req_open_ = true;
  ++in_flight_;
  const tlm::tlm_sync_enum r = socket->nb_transport_fw(s.p, ph, d);
  if (r == tlm::TLM_UPDATED && ph == tlm::END_REQ) req_open_ = false;
  if (r == tlm::TLM_COMPLETED) {  // completed on the return path: its response is due after d
    req_open_ = false;
    if (d == SC_ZERO_TIME) {
      done_.push_back(&s);
    } else {
      const sc_time at = sc_time_stamp() + d;
      completing_.insert(std::upper_bound(completing_.begin(), completing_.end(), at,
                                          [](const sc_time& a, const Completing& c) { return a < c.at; }),
                         Completing{at, &s});
      resp_.notify(d);
    }
  }
}

void TrafficGen::wait_response() {
  // (A completion that fell due while this thread waited for something else notified nobody.)
  collect_completed();
  if (done_.empty()) wait(resp_);
}

void TrafficGen::collect_completed() {
  size_t n = 0;
  while (n < completing_.size() && completing_[n].at <= sc_time_stamp()) done_.push_back(completing_[n++].slot);
  completing_.erase(completing_.begin(), completing_.begin() + static_cast<std::ptrdiff_t>(n));
  if (!completing_.empty()) resp_.notify(completing_.front().at - sc_time_stamp());
}

bool TrafficGen::at_complete(Slot& s) {
  --in_flight_;
  st_.latency_cycles += cycles(sc_time_stamp() - s.issued);
  if (s.p.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE) {  // to the software model, then again
    bool retry = false;
    const uint64_t c = fault_cycles(s, s.item, retry);
    if (c) wait(clk_ * double(c));
    if (retry) {
      at_issue(s);
      return false;
    }
  }
  count(s.item);
  s.busy = false;
  if (hooks_.tick && st_.accesses % cfg_.tick_every == 0) {
    const uint64_t c = hooks_.tick(cycles(sc_time_stamp()));
    st_.stall_cycles += c;
    if (c) wait(clk_ * double(c));
  }
  return true;
}

void TrafficGen::at_drain() {
  for (;;) {
    collect_completed();
    while (!done_.empty()) {
      Slot* s = done_.front();
      done_.pop_front();
      at_complete(*s);
    }
    if (!in_flight_) return;
    wait_response();
  }
}

void TrafficGen::at_thread() {
  WorkloadOp it;
  bool more = true;
  while (more || in_flight_) {
    collect_completed();
    while (!done_.empty()) {
      Slot* s = done_.front();
      done_.pop_front();
      at_complete(*s);
    }
    Slot* free = nullptr;
    for (auto& s : slots_)
      if (!s.busy) free = &s;
    if (more && !stop_ && free) {
      if (repeat_left_) {  // AT issues the fetches a repeat record stands for, one by one
        --repeat_left_;
        it = repeat_;
      } else if (!next_item(it)) {
        more = false;
        continue;
      }
      if (it.kind == WorkloadOp::Repeat) {
        repeat_left_ = it.len;
        repeat_ = WorkloadOp{};
        repeat_.va = it.va;
        repeat_.size = 4;
        repeat_.access = pt::Access::Fetch;
        continue;
      }
      if (it.kind != WorkloadOp::Access) {
        // Another process runs, or one ends: its requests in flight complete first, under its roots.
        if (it.kind == WorkloadOp::Switch || it.kind == WorkloadOp::End) at_drain();
        if (const uint64_t c = event_cycles(it)) wait(clk_ * double(c));
        continue;
      }
      prepare(*free, it);
      at_issue(*free);
      if (!cfg_.core.enabled)
        wait(clk_ * double(1 + cfg_.think_cycles));  // at most one new request per cycle
      else                                           // an instruction takes base_cpi; its data accesses issue with it
        wait(clk_ * ((it.access == pt::Access::Fetch ? cfg_.core.base_cpi : 0.0) + double(cfg_.think_cycles)));
      st_.think_cycles += cfg_.think_cycles;
      continue;
    }
    if (stop_) more = false;
    if (in_flight_) wait_response();
  }
  st_.end = sc_time_stamp();
}

}  // namespace agilemmu::sys
