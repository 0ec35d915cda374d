// sc_spawn and sc_bind (each walker's method is a spawned process).
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "walker_pool.h"

#include <cmath>

namespace agilemmu::mmu {

using sc_core::sc_time;

WalkerPool::WalkerPool(const Shared& s) : s_(s) {
  const WalkCacheSet& c = s.caches;
  use_caches_ = c.pwc_enabled() || c.ntlb_enabled() || c.npwc_enabled();
  pwc_cost_ = uint64_t(c.pwc_latency()) * c.pwc_enabled();
  ntlb_cost_ = uint64_t(c.ntlb_latency()) * c.ntlb_enabled();
  npwc_cost_ = uint64_t(c.npwc_latency()) * c.npwc_enabled();
  for (uint32_t i = 0; i < s.cfg.walkers; ++i) walkers_.emplace_back(s.caches, s.epoch);
  for (Walker& w : walkers_) {
    sc_core::sc_spawn_options o;
    o.spawn_method();
    o.set_sensitivity(&w.kick);
    o.dont_initialize();
    sc_core::sc_spawn([this, &w] { advance(w); }, sc_core::sc_gen_unique_name("walker"), &o);
  }
}

Walker* WalkerPool::claim(const Context& c, uint64_t va, uint32_t tag, bool sync) {
  if (sync) {
    Walker* same = nullptr;
    for (auto& w : walkers_)
      if (w.active && w.page == pt::page_number(va) && w.ctx == c) same = &w;
    if (same) {
      ++s_.st.coalesced;
      ++waiters_;
      sc_core::wait(same->done);
      --waiters_;
      return nullptr;
    }
  }
  // Every walker busy: only when walks wait (AT workers, or b_transport callers whose memory
  // calls wait()); the caller is a thread, so it can wait for a walker too.
  while (busy_ == s_.cfg.walkers) {
    ++waiters_;
    sc_core::wait(walker_free_);
    --waiters_;
  }
  Walker* slot = nullptr;
  for (auto& w : walkers_)
    if (!w.active) slot = &w;
  slot->active = true;
  slot->ctx = c;
  slot->page = pt::page_number(va);
  slot->walk_access.tag = tag;
  ++busy_;
  s_.obs.outstanding(busy_);
  return slot;
}

const pt::WalkResult& WalkerPool::walk(Walker& w, const Context& c, const pt::WalkRequest& req, sc_time& delay,
                                       bool sync) {
  const pt::WalkResult* r = &run(w, c, req, delay, sync);
  while (w.caches.stale() && !s_.tables.still_current(c, req, *r)) {
    ++s_.st.walk_restarts;
    r = &run(w, c, req, delay, sync);
  }
  return *r;
}

void WalkerPool::release(Walker& w) {
  w.active = false;
  --busy_;
  s_.obs.outstanding(busy_);
  if (waiters_) {  // (a notification nobody waits for still costs the kernel time)
    w.done.notify();
    walker_free_.notify();
  }
}

uint64_t WalkerPool::locked_update(const pt::MemRef& r) {
  // A locked read-modify-write sets the walk's bits in the entry as it is at the moment of the
  // write. The walk read it some time ago (AT, or a memory that waits): another walker may have
  // set A or D meanwhile (kept), or software may have rewritten the entry (then the walk is
  // stale and will be checked; writing its old value back would undo the change).
  uint64_t cur;
  if (!s_.tables.debug_read(r, cur)) return r.data;  // no way to look: the walk's value
  const uint64_t ad = s_.fmt.a_bit() | s_.fmt.d_bit();
  if ((cur ^ r.old) & ~ad) return cur;  // rewritten: leave it alone
  return cur | (r.data & ~r.old);
}

void WalkerPool::prepare(Walker& w, const pt::MemRef& r) {
  tlm::tlm_generic_payload& p = w.pte;
  p.set_address(r.addr);
  p.set_command(r.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  w.pte_data = r.write ? locked_update(r) : 0;
  w.walk_access.table = r.table;
  w.walk_access.level = r.level;
  w.walk_access.nb_transport = false;  // the target's to say
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  p.set_dmi_allowed(false);
}

uint64_t WalkerPool::answer(Walker& w, const pt::MemRef& r) {
  ++s_.st.refs_by_port[size_t(r.port)];
  s_.st.ad_writes += r.write;
  if (w.pte.is_response_error()) {
    // The memory could not serve the entry: treat it as not present so the walk faults
    // architecturally instead of the simulation stopping.
    SC_REPORT_WARNING(s_.owner.name(), r.write ? "page-table A/D write returned an error response"
                                               : "page-table read returned an error response; reading it as 0");
    return 0;
  }
  return w.pte_data;
}

uint64_t WalkerPool::access_pte(Walker& w, const pt::MemRef& r, sc_time& delay) {
  prepare(w, r);
  port(r.port)->b_transport(w.pte, delay);
  if (w.walk_access.nb_transport) nb_port_[size_t(r.port)] = true;
  return answer(w, r);
}

uint64_t WalkerPool::fresh_lookups(Walker& f) const {
  if (!use_caches_) return 0;
  const pt::Walk& w = f.walk;
  const uint64_t spent = w.pwc_lookups() * pwc_cost_ + w.ntlb_lookups() * ntlb_cost_ + w.npwc_lookups() * npwc_cost_;
  const uint64_t fresh = spent - f.charged;
  f.charged = spent;
  return fresh;
}

bool WalkerPool::event_driven(const pt::WalkRequest& req) const {
  const bool nested = req.mode == pt::Mode::Nested || req.mode == pt::Mode::Agile;
  return nb_port_[size_t(pt::Port::Compound)] && (!nested || nb_port_[size_t(pt::Port::Nested)]);
}

void WalkerPool::advance(Walker& f) {
  pt::Walk& w = f.walk;
  for (;;) {
    const pt::MemRef& ref = w.next_ref();
    const size_t p = size_t(ref.port);
    if (f.step == Walker::Step::Issue) {
      if (open_request_[p]) return sc_core::next_trigger(port_free_[p]);
      s_.obs.state(ref.port == pt::Port::Nested ? WalkerState::NestedRead : WalkerState::FirstDimRead);
      prepare(f, ref);
      tlm::tlm_phase ph = tlm::BEGIN_REQ;
      sc_time d = sc_core::SC_ZERO_TIME;
      open_request_[p] = &f;
      const tlm::tlm_sync_enum r = port(ref.port)->nb_transport_fw(f.pte, ph, d);
      f.step = Walker::Step::Feed;
      if (r == tlm::TLM_ACCEPTED || (r == tlm::TLM_UPDATED && ph == tlm::END_REQ)) {
        if (r == tlm::TLM_UPDATED) open_request_[p] = nullptr, port_free_[p].notify();
        return sc_core::next_trigger(f.response);  // BEGIN_RESP comes on the backward path
      }
      open_request_[p] = nullptr;
      port_free_[p].notify();
      if (r == tlm::TLM_UPDATED) {  // BEGIN_RESP on the return path: end it
        tlm::tlm_phase e = tlm::END_RESP;
        sc_time z = d;
        port(ref.port)->nb_transport_fw(f.pte, e, z);
      }
      if (d != sc_core::SC_ZERO_TIME) return sc_core::next_trigger(d);  // the entry arrives then
    }
    // Feed: the entry has arrived.
    w.feed(answer(f, ref));
    f.cycles = s_.cfg.walk.step_cycles + fresh_lookups(f);
    if (!w.needs_mem()) {
      f.finished.notify();  // the walk's thread resumes now; it spends f.cycles itself
      return;
    }
    f.step = Walker::Step::Issue;
    if (f.cycles) {
      const sc_time t = s_.clock.cycles(f.cycles);
      f.cycles = 0;
      return sc_core::next_trigger(t);
    }
  }
}

tlm::tlm_sync_enum WalkerPool::nb_transport_bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time& d) {
  Walker* f = nullptr;
  for (Walker& w : walkers_)
    if (&w.pte == &t) f = &w;
  if (!f || (ph != tlm::END_REQ && ph != tlm::BEGIN_RESP)) {
    SC_REPORT_ERROR(s_.owner.name(), "unexpected transaction or phase on a walk port's backward path");
    return tlm::TLM_COMPLETED;
  }
  const size_t p = size_t(f->walk.next_ref().port);
  if (open_request_[p] == f) {  // END_REQ, or BEGIN_RESP that implies it
    open_request_[p] = nullptr;
    port_free_[p].notify();
  }
  if (ph == tlm::END_REQ) return tlm::TLM_ACCEPTED;
  f->response.notify(d);      // the entry arrives at the annotated time
  return tlm::TLM_COMPLETED;  // and the response ends with it
}

const pt::WalkResult& WalkerPool::run(Walker& f, const Context& c, const pt::WalkRequest& req, sc_time& delay,
                                      bool sync) {
  const sc_time t0 = now() + delay;
  pt::Walk& w = f.walk;
  f.caches.begin(c);
  s_.obs.state(WalkerState::CacheLookup);
  w.start(s_.fmt, s_.roots.of(c), req, use_caches_ ? &f.caches : nullptr);
  // Each cache consultation costs its structure's latency: charged as the walk makes them.
  f.charged = 0;
  uint64_t cycles = s_.cfg.walk.start_cycles + fresh_lookups(f);
  if (sync && w.needs_mem() && event_driven(req)) {
    // Event-driven: the walker's method makes the references at the times this loop below would
    // have; this thread waits for the walk's end once.
    delay += s_.clock.cycles(cycles);
    elapse(delay, sync);
    f.step = Walker::Step::Issue;
    f.kick.notify();
    sc_core::wait(f.finished);
    cycles = f.cycles;
  }
  while (w.needs_mem()) {
    delay += s_.clock.cycles(cycles);
    cycles = 0;
    elapse(delay, sync);
    const pt::MemRef ref = w.next_ref();
    s_.obs.state(ref.port == pt::Port::Nested ? WalkerState::NestedRead : WalkerState::FirstDimRead);
    const uint64_t v = access_pte(f, ref, delay);
    elapse(delay, sync);
    w.feed(v);
    cycles += s_.cfg.walk.step_cycles + fresh_lookups(f);
  }
  delay += s_.clock.cycles(cycles);
  const pt::WalkResult& r = w.result();
  s_.obs.state(r.ok ? WalkerState::Done : WalkerState::Fault);
  const uint64_t walk_cycles = static_cast<uint64_t>(std::llround((now() + delay - t0) / s_.clock.period()));
  ++s_.st.walks;
  s_.st.refs_per_walk.add(r.nrefs);
  s_.st.walk_cycles.add(walk_cycles);
  s_.st.walker_busy_cycles += walk_cycles;
  ++s_.st.switch_level[r.switch_level < 0 ? 0 : 1 + r.switch_level];
  s_.obs.state(WalkerState::Idle);
  return r;
}

}  // namespace agilemmu::mmu
