#include <algorithm>
#include <cstring>

#include "mmu_impl.h"

namespace agilemmu::mmu {

using namespace sc_core;

bool Mmu::Impl::tlb_lookup(const Context& c, const MmuExtension& x, uint64_t va, Outcome& o, uint64_t& cycles) {
  Tlb& l1 = l1_for(x.access);
  // A hit whose cached permissions do not allow the access (or a write to an entry that is not
  // dirty) falls through to a walk, which re-checks the tables, sets D or raises the fault.
  if (l1.enabled()) {
    cycles += l1.latency();
    const TlbEntry* e = l1.find(c, va);
    if (e && serves(*e, x)) {
      o.hpa = e->hpa_base | (va & (pt::page_bytes(e->size) - 1));
      o.size = e->size;
      o.source = Outcome::Source::L1Tlb;
      return true;
    }
  }
  if (l2.enabled()) {
    cycles += l2.latency();
    const TlbEntry* e = l2.find(c, va);
    if (e && serves(*e, x)) {
      o.hpa = e->hpa_base | (va & (pt::page_bytes(e->size) - 1));
      o.size = e->size;
      o.source = Outcome::Source::L2Tlb;
      l1.insert(c, va, o.hpa, e->size, e->perms, e->dirty);
      return true;
    }
  }
  return false;
}

MmuExtension* Mmu::Impl::answerable_at_once(tlm::tlm_generic_payload& t, MmuExtension& scratch) {
  if (!dmi_read_ && !dmi_write_) return nullptr;
  const uint64_t va = t.get_address();
  if ((va & 0xfff) + t.get_data_length() > 0x1000) return nullptr;  // the next page may miss
  MmuExtension* x = extension_of(t, scratch);
  const Context c = context_of(*x);
  // What tlb_lookup() will find: the L1's entry if it serves the access, else the L2's.
  const TlbEntry* e = l1_for(x->access).peek(c, va);
  if (!e || !serves(*e, *x)) e = l2.peek(c, va);
  if (!e || !serves(*e, *x)) return nullptr;
  return dmi_serves(t, e->hpa_base | (va & (pt::page_bytes(e->size) - 1))) ? x : nullptr;
}

void Mmu::Impl::tlb_fill(const Context& c, pt::Access a, uint64_t va, const pt::Translation& t) {
  l2.insert(c, va, t.hpa, t.size, t.perms, t.dirty);
  l1_for(a).insert(c, va, t.hpa, t.size, t.perms, t.dirty);
}

Outcome Mmu::Impl::translate(const MmuExtension& x, uint64_t va, sc_time& delay, bool sync) {
  const Context c = context_of(x);
  const sc_time t0 = now() + delay;
  Outcome o;
  ++st.requests;
  ++(c.host ? st.host_requests : st.guest_requests);
  for (;;) {
    uint64_t cycles = 0;
    obs.state(WalkerState::TlbLookup);
    const bool hit = tlb_lookup(c, x, va, o, cycles);
    delay += clock.cycles(cycles);
    obs.tlb_hit(hit);
    if (hit) {  // (AT: the lookup time is waited for together with the data access)
      o.ok = o.tlb_hit = true;
      ++st.tlb_hits;
      break;
    }
    if (walk_on_miss(c, x, va, delay, sync, o)) break;
    o.merged = true;
  }
  o.end = now() + delay;
  if (cfg.check) tables.check(c, x, request_for(x, va), o);
  st.translate_ns += translate_ns_of_(o.end - t0);
  // Exposed translation time: the union of the requests' translation intervals (requests enter
  // in time order), what overlapping AT requests do not hide behind each other.
  if (o.end > translating_until_) {
    st.translate_exposed_ns += translate_exposed_ns_of_(o.end - std::max(t0, translating_until_));
    translating_until_ = o.end;
  }
  uint64_t h = (va * 0x9e3779b97f4a7c15ull) ^ (o.ok ? o.hpa : (0xfa17ull << 48) ^ o.fault.error_code ^ o.fault.level);
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 32;
  st.translation_digest += h;
  return o;
}

bool Mmu::Impl::walk_on_miss(const Context& c, const MmuExtension& x, uint64_t va, sc_time& delay, bool sync,
                             Outcome& o) {
  elapse(delay, sync);
  Walker* w = walkers.claim(c, va, x.tag, sync);
  if (!w) return false;
  const pt::WalkResult& r = walkers.walk(*w, c, request_for(x, va), delay, sync);
  if (r.ok) tlb_fill(c, x.access, va, r.tr);
  o.ok = r.ok;
  o.hpa = r.tr.hpa;
  o.size = r.tr.size;
  o.fault = r.fault;
  o.source = Outcome::Source::Walk;
  walkers.release(*w);
  if (!r.ok) {
    ++st.faults;
    ++st.faults_by_stage[size_t(r.fault.stage)];
  }
  return true;
}

void Mmu::Impl::access_data(tlm::tlm_generic_payload& t, uint64_t hpa, sc_time& delay, const sc_time& start) {
  if (dmi_serves(t, hpa)) {
    unsigned char* p = dmi_.get_dmi_ptr() + (hpa - dmi_.get_start_address());
    if (t.is_read())
      std::memcpy(t.get_data_ptr(), p, t.get_data_length());
    else
      std::memcpy(p, t.get_data_ptr(), t.get_data_length());
    delay += t.is_read() ? dmi_.get_read_latency() : dmi_.get_write_latency();
    t.set_response_status(tlm::TLM_OK_RESPONSE);
    ++st.dmi_accesses;
  } else {
    const uint64_t va = t.get_address();
    t.set_address(hpa);
    t.set_dmi_allowed(false);
    m.data->b_transport(t, delay);
    if (t.is_dmi_allowed()) {  // the target offers DMI: take it for the next accesses to this region
      dmi_.init();             // a fresh descriptor per request (IEEE 1666-2011 11.2.5)
      const bool granted = m.data->get_direct_mem_ptr(t, dmi_) && dmi_.get_dmi_ptr();
      dmi_read_ = granted && dmi_.is_read_allowed();
      dmi_write_ = granted && dmi_.is_write_allowed();
      // The hint is the data target's, for the hPA: the initiator cannot have DMI through the MMU.
      t.set_dmi_allowed(false);
    }
    t.set_address(va);  // the initiator sees its own address back
  }
  st.data_ns += data_ns_of_(now() + delay - start);
}

MmuExtension* Mmu::Impl::extension_of(tlm::tlm_generic_payload& t, MmuExtension& scratch) const {
  MmuExtension* x = nullptr;
  t.get_extension(x);
  if (x) return x;
  // A platform that does not know our extension: the configured default context, the access
  // from the command, then the platform's own mapping of its side-band data, if it set one.
  scratch = MmuExtension{};
  scratch.asid = cfg.default_context.asid;
  scratch.vmid = cfg.default_context.vmid;
  scratch.origin = cfg.default_context.host ? Origin::Host : Origin::Guest;
  scratch.user = cfg.default_context.user;
  scratch.sum = cfg.default_context.sum;
  scratch.access = t.is_write() ? pt::Access::Write : pt::Access::Read;
  if (m.context_hook) m.context_hook(t, scratch);
  return &scratch;
}

void Mmu::Impl::serve(tlm::tlm_generic_payload& t, MmuExtension& x, sc_time& delay, bool sync) {
  const uint64_t va = t.get_address();
  const Outcome o = translate(x, va, delay, sync);
  x.tlb_hit = o.tlb_hit;
  x.fault = o.fault;
  x.hpa = o.hpa;
  if (!o.ok) {
    t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  // Within its 4 KiB page (almost every access: one test on the hot path), else within the page
  // that translated it? A streaming access touches only its first streaming_width bytes.
  if ((va & 0xfff) + t.get_data_length() > 0x1000) {
    const uint64_t span = std::min(t.get_data_length(), t.get_streaming_width()), page = pt::page_bytes(o.size);
    if ((va & (page - 1)) + span > page) return serve_crossing(t, x, o, delay, sync);
  }
  access_data(t, o.hpa, delay, o.end);
}

void Mmu::Impl::serve_crossing(tlm::tlm_generic_payload& t, MmuExtension& x, const Outcome& first, sc_time& delay,
                               bool sync) {
  ++st.page_crossings;
  const uint64_t va = t.get_address();
  const uint64_t page = pt::page_bytes(first.size);
  const unsigned len = t.get_data_length();
  const unsigned head = static_cast<unsigned>(page - (va & (page - 1)));  // bytes on the first page
  unsigned char* const data = t.get_data_ptr();
  unsigned char* const be = t.get_byte_enable_ptr();
  const unsigned be_len = t.get_byte_enable_length();
  // Splitting a streaming access would reorder its beats; an access is split in two at most (a
  // CPU's accesses are far shorter than a page); a byte-enable pattern shorter than the access
  // must start on the second page where it left off on the first.
  if (t.get_streaming_width() < len || len - head > pt::page_bytes(pt::PageSize::k4K)) {
    t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  if (be && be_len < len && head % be_len) {
    t.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  // The second page translates (and is permission-checked, A/D-updated and checked) before any
  // byte moves: a fault there faults the whole access, as on x86, with nothing written.
  const Outcome second = translate(x, va + head, delay, sync);
  x.tlb_hit = first.tlb_hit && second.tlb_hit;
  if (!second.ok) {
    x.fault = second.fault;
    t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  t.set_data_length(head);
  t.set_streaming_width(head);
  if (be && be_len >= len) t.set_byte_enable_length(head);
  access_data(t, first.hpa, delay, second.end);
  if (t.is_response_ok()) {
    const sc_time start = now() + delay;
    t.set_address(va + head);
    t.set_data_ptr(data + head);
    t.set_data_length(len - head);
    t.set_streaming_width(len - head);
    if (be && be_len >= len) {
      t.set_byte_enable_ptr(be + head);
      t.set_byte_enable_length(be_len - head);
    }
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    access_data(t, second.hpa, delay, start);
  }
  t.set_address(va);
  t.set_data_ptr(data);
  t.set_data_length(len);
  t.set_streaming_width(len);
  t.set_byte_enable_ptr(be);
  t.set_byte_enable_length(be_len);
}

// The LT entry point, here beside serve() so that the compiler can inline the access path into it.
void Mmu::b_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
  MmuExtension scratch;
  MmuExtension* x = impl_->extension_of(t, scratch);
  if (impl_->cfg.timing == Timing::LT) return impl_->serve(t, *x, delay, false);
  // An `at` MMU called through b_transport: catch up with the caller's local time, then take
  // part in the timed contention for walkers and memory like any nb_transport request.
  if (delay != SC_ZERO_TIME) {
    wait(delay);
    delay = SC_ZERO_TIME;
  }
  impl_->serve(t, *x, delay, true);
  if (delay != SC_ZERO_TIME) {
    wait(delay);
    delay = SC_ZERO_TIME;
  }
}

}  // namespace agilemmu::mmu
