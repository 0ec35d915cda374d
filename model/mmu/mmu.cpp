#include <agilemmu/mmu/mmu.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace agilemmu::mmu {

using namespace sc_core;

const char* to_string(WalkerState s) {
  static const char* names[] = {"idle", "tlb_lookup", "cache_lookup", "first_dim_read", "nested_read", "done", "fault"};
  return static_cast<size_t>(s) < size_t(WalkerState::kCount) ? names[size_t(s)] : "?";
}

const char* to_string(InvalidationKind k) {
  static const char* names[] = {"page", "range", "asid", "vmid", "walk_caches", "nested", "all"};
  return static_cast<size_t>(k) < size_t(InvalidationKind::kCount) ? names[size_t(k)] : "?";
}

uint64_t Histogram::percentile(double p) const {
  if (!n_) return 0;
  const uint64_t need = static_cast<uint64_t>(p * double(n_) + 0.999999);
  uint64_t seen = 0;
  for (size_t v = 0; v < counts_.size(); ++v)
    if ((seen += counts_[v]) >= need) return v == counts_.size() - 1 ? max_ : v;
  return max_;
}

namespace {
// The config, once it is known to be one the Mmu can run: checked before any member uses it.
const MmuConfig& valid(const MmuConfig& c, const char* name) {
  require_valid(std::string("Mmu '") + name + "'", c.validate());
  return c;
}
}  // namespace

Mmu::Mmu(sc_module_name name, const MmuConfig& cfg, const pt::Format& fmt)
    : sc_module(name),
      cpu("cpu"),
      data("data"),
      compound_port("compound_port"),
      nested_port("nested_port"),
      cfg_(valid(cfg, this->name())),
      fmt_(fmt),
      clk_(cfg_.clock_ns, SC_NS) {
  l1i_.configure(cfg.l1i.geo, cfg.l1i.page_sizes, cfg.seed * 11 + 1);
  l1d_.configure(cfg.l1d.geo, cfg.l1d.page_sizes, cfg.seed * 13 + 2);
  l2_.configure(cfg.l2.geo, cfg.l2.page_sizes, cfg.seed * 17 + 3);
  caches_.configure(fmt, cfg.pwc, cfg.npwc, cfg.ntlb, cfg.seed);
  if (caches_.pwc_enabled() || caches_.ntlb_enabled() || caches_.npwc_enabled()) walk_caches_ = &caches_;
  pwc_cost_ = uint64_t(caches_.pwc_latency()) * caches_.pwc_enabled();
  ntlb_cost_ = uint64_t(caches_.ntlb_latency()) * caches_.ntlb_enabled();
  npwc_cost_ = uint64_t(caches_.npwc_latency()) * caches_.npwc_enabled();
  cpu.register_b_transport(this, &Mmu::b_transport);
  cpu.register_nb_transport_fw(this, &Mmu::nb_transport_fw);
  cpu.register_transport_dbg(this, &Mmu::transport_dbg);
  cpu.register_get_direct_mem_ptr(this, &Mmu::get_direct_mem_ptr);
  data.register_invalidate_direct_mem_ptr(this, &Mmu::invalidate_direct_mem_ptr);
  for (uint32_t i = 0; i < cfg.walkers; ++i) inflight_.emplace_back(caches_, epoch_);
  // The nb_transport side exists in both timing modes: an AT initiator on an `lt` MMU is served
  // (approximately timed) instead of hanging.
  {
    SC_METHOD(dispatch_method);  // a method: no thread switch per request
    sensitive << req_peq_.get_event();
    dont_initialize();
    idle_.reserve(cfg.queue);
    for (uint32_t i = 0; i < cfg.queue; ++i) {
      workers_.emplace_back();
      sc_spawn(sc_bind(&Mmu::worker_thread, this, &workers_.back()), sc_gen_unique_name("worker"));
    }
  }
}

namespace {
uint32_t root_key(const Context& c) {
  return (c.host ? 1u << 31 : 0u) | (uint32_t(c.host ? 0 : c.vmid) << 16) | c.asid;
}
}  // namespace

void Mmu::set_roots(const Context& c, const pt::Roots& r) {
  pt::Roots& cur = roots_[root_key(c)];
  if (cur == r) return;
  cur = r;
  ++epoch_;  // a walk in flight started from the old roots
}

const pt::Roots& Mmu::roots_of(const Context& c) {
  auto it = roots_.find(root_key(c));
  if (it == roots_.end()) {
    SC_REPORT_ERROR(name(), ("no root registers for " + std::string(c.host ? "host" : "guest") + " asid " +
                             std::to_string(c.asid) + " vmid " + std::to_string(c.vmid))
                                .c_str());
    static const pt::Roots none;
    return none;
  }
  return it->second;
}

pt::Mode Mmu::mode_for(const MmuExtension& x) const {
  return x.origin == Origin::Host ? pt::Mode::Native : cfg_.mode;  // FIG. 8 block 102
}

pt::WalkRequest Mmu::request_for(const MmuExtension& x, uint64_t va) const {
  pt::WalkRequest req;
  req.va = va;
  req.access = x.access;
  req.user = x.user;
  req.mode = mode_for(x);
  return req;
}

void Mmu::set_state(WalkerState s) {
  ++st_.state_visits[size_t(s)];
  if (trace_signals_) walker_state.write(static_cast<uint32_t>(s));
}

bool Mmu::tlb_lookup(const Context& c, const MmuExtension& x, uint64_t va, Outcome& o, uint64_t& cycles) {
  Tlb& l1 = l1_for(x.access);
  // A hit whose cached permissions do not allow the access (or a write to an entry that is not
  // dirty) falls through to a walk, which re-checks the tables, sets D or raises the fault.
  if (l1.enabled()) {
    cycles += l1.latency();
    const TlbEntry* e = l1.find(c, va);
    if (e && serves(*e, x)) {
      o.hpa = e->hpa_base | (va & (pt::page_bytes(e->size) - 1));
      o.size = e->size;
      o.source = Source::L1Tlb;
      return true;
    }
  }
  if (l2_.enabled()) {
    cycles += l2_.latency();
    const TlbEntry* e = l2_.find(c, va);
    if (e && serves(*e, x)) {
      o.hpa = e->hpa_base | (va & (pt::page_bytes(e->size) - 1));
      o.size = e->size;
      o.source = Source::L2Tlb;
      l1.insert(c, va, o.hpa, e->size, e->perms, e->dirty);
      return true;
    }
  }
  return false;
}

void Mmu::tlb_fill(const Context& c, pt::Access a, uint64_t va, const pt::Translation& t) {
  l2_.insert(c, va, t.hpa, t.size, t.perms, t.dirty);
  l1_for(a).insert(c, va, t.hpa, t.size, t.perms, t.dirty);
}

uint64_t Mmu::locked_update(const pt::MemRef& r) {
  // A locked read-modify-write sets the walk's bits in the entry as it is at the moment of the
  // write. The walk read it some time ago (AT, or a memory that waits): another walker may have
  // set A or D meanwhile (kept), or software may have rewritten the entry (then the walk is
  // stale and will be checked; writing its old value back would undo the change).
  uint64_t cur;
  if (!debug_read(r, cur)) return r.data;  // no way to look: the walk's value
  constexpr uint64_t kAD = pt::pte::A | pt::pte::D;
  if ((cur ^ r.old) & ~kAD) return cur;  // rewritten: leave it alone
  return cur | (r.data & ~r.old);
}

uint64_t Mmu::access_pte(InFlight& f, const pt::MemRef& r, sc_time& delay) {
  tlm::tlm_generic_payload& p = f.pte;
  p.set_address(r.addr);
  p.set_command(r.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  f.pte_data = r.write ? locked_update(r) : 0;
  f.walk_access.table = r.table;
  f.walk_access.level = r.level;
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  p.set_dmi_allowed(false);
  (r.port == pt::Port::Compound ? compound_port : nested_port)->b_transport(p, delay);
  ++st_.refs_by_port[size_t(r.port)];
  st_.ad_writes += r.write;
  if (p.is_response_error()) {
    // The memory could not serve the entry: treat it as not present so the walk faults
    // architecturally instead of the simulation stopping.
    SC_REPORT_WARNING(name(), r.write ? "page-table A/D write returned an error response"
                                      : "page-table read returned an error response; reading it as 0");
    return 0;
  }
  return f.pte_data;
}

const pt::WalkResult& Mmu::run_walk(const Context& c, const pt::WalkRequest& req, InFlight& f, sc_time& delay,
                                    bool sync) {
  const sc_time t0 = now() + delay;
  pt::Walk& w = f.walk;
  f.caches.begin(c);
  set_state(WalkerState::CacheLookup);
  w.start(fmt_, roots_of(c), req, walk_caches_ ? &f.caches : nullptr);
  // Each cache consultation costs its structure's latency: charge the ones made since the last step.
  uint64_t charged = 0;
  auto lookups = [&]() -> uint64_t {
    if (!walk_caches_) return 0;
    const uint64_t spent = w.pwc_lookups() * pwc_cost_ + w.ntlb_lookups() * ntlb_cost_ + w.npwc_lookups() * npwc_cost_;
    const uint64_t fresh = spent - charged;
    charged = spent;
    return fresh;
  };
  uint64_t cycles = cfg_.walk.start_cycles + lookups();
  while (w.needs_mem()) {
    delay += cycles_time(cycles);
    cycles = 0;
    elapse(delay, sync);
    const pt::MemRef ref = w.next_ref();
    set_state(ref.port == pt::Port::Nested ? WalkerState::NestedRead : WalkerState::FirstDimRead);
    const uint64_t v = access_pte(f, ref, delay);
    elapse(delay, sync);
    w.feed(v);
    cycles += cfg_.walk.step_cycles + lookups();
  }
  delay += cycles_time(cycles);
  const pt::WalkResult& r = w.result();
  set_state(r.ok ? WalkerState::Done : WalkerState::Fault);
  const uint64_t walk_cycles = static_cast<uint64_t>(std::llround((now() + delay - t0) / clk_));
  ++st_.walks;
  st_.refs_per_walk.add(r.nrefs);
  st_.walk_cycles.add(walk_cycles);
  st_.walker_busy_cycles += walk_cycles;
  ++st_.switch_level[r.switch_level < 0 ? 0 : 1 + r.switch_level];
  set_state(WalkerState::Idle);
  return r;
}

Mmu::Outcome Mmu::translate(const MmuExtension& x, uint64_t va, sc_time& delay, bool sync) {
  const Context c = context_of(x);
  const sc_time t0 = now() + delay;
  Outcome o;
  ++st_.requests;
  ++(c.host ? st_.host_requests : st_.guest_requests);
  for (;;) {
    uint64_t cycles = 0;
    set_state(WalkerState::TlbLookup);
    const bool hit = tlb_lookup(c, x, va, o, cycles);
    delay += cycles_time(cycles);
    if (trace_signals_) last_tlb_hit.write(hit);
    if (hit) {  // (AT: the lookup time is waited for together with the data access)
      o.ok = o.tlb_hit = true;
      ++st_.tlb_hits;
      break;
    }
    if (walk_on_miss(c, x, va, delay, sync, o)) break;
    o.merged = true;
  }
  o.end = now() + delay;
  if (cfg_.check) check(c, x, va, o);
  st_.translate_ns += translate_ns_of_(o.end - t0);
  // Exposed translation time: the union of the requests' translation intervals (requests enter
  // in time order), what overlapping AT requests do not hide behind each other.
  if (o.end > translating_until_) {
    st_.translate_exposed_ns += translate_exposed_ns_of_(o.end - std::max(t0, translating_until_));
    translating_until_ = o.end;
  }
  uint64_t h = (va * 0x9e3779b97f4a7c15ull) ^ (o.ok ? o.hpa : (0xfa17ull << 48) ^ o.fault.error_code ^ o.fault.level);
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 32;
  st_.translation_digest += h;
  return o;
}

bool Mmu::walk_on_miss(const Context& c, const MmuExtension& x, uint64_t va, sc_time& delay, bool sync, Outcome& o) {
  elapse(delay, sync);
  if (sync) {
    // Coalescing: a walk in flight of the same 4 KiB page covers this address whatever page size
    // it finds; wait for it and look in the TLBs again (a larger page it fills serves there too).
    InFlight* same = nullptr;
    for (auto& f : inflight_)
      if (f.active && f.page == pt::page_number(va) && f.ctx == c) same = &f;
    if (same) {
      ++st_.coalesced;
      ++waiters_;
      wait(same->done);
      --waiters_;
      return false;
    }
  }
  // Every walker busy: only when walks wait (AT workers, or b_transport callers whose memory
  // calls wait()); the caller is a thread, so it can wait for a walker too.
  while (busy_walkers_ == cfg_.walkers) {
    ++waiters_;
    wait(walker_free_);
    --waiters_;
  }
  InFlight* slot = nullptr;
  for (auto& f : inflight_)
    if (!f.active) slot = &f;
  slot->active = true;
  slot->ctx = c;
  slot->page = pt::page_number(va);
  slot->walk_access.tag = x.tag;
  ++busy_walkers_;
  if (trace_signals_) outstanding_walks.write(busy_walkers_);
  const pt::WalkRequest req = request_for(x, va);
  const pt::WalkResult* r = &run_walk(c, req, *slot, delay, sync);
  // The tables changed while it walked (an invalidation, new roots, new mappings): if what it
  // read no longer gives its result, walk them again as they are now.
  while (slot->caches.stale() && !still_current(c, req, *r)) {
    ++st_.walk_restarts;
    r = &run_walk(c, req, *slot, delay, sync);
  }
  if (r->ok) tlb_fill(c, x.access, va, r->tr);
  o.ok = r->ok;
  o.hpa = r->tr.hpa;
  o.size = r->tr.size;
  o.fault = r->fault;
  o.source = Source::Walk;
  slot->active = false;
  --busy_walkers_;
  if (trace_signals_) outstanding_walks.write(busy_walkers_);
  if (waiters_) {  // (a notification nobody waits for still costs the kernel time)
    slot->done.notify();
    walker_free_.notify();
  }
  if (!r->ok) {
    ++st_.faults;
    ++st_.faults_by_stage[size_t(r->fault.stage)];
  }
  return true;
}

bool Mmu::debug_read(const pt::MemRef& r, uint64_t& v) {
  tlm::tlm_generic_payload p;
  v = 0;
  p.set_command(tlm::TLM_READ_COMMAND);
  p.set_address(r.addr);
  p.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
  p.set_data_length(8);
  p.set_streaming_width(8);
  return (r.port == pt::Port::Compound ? compound_port : nested_port)->transport_dbg(p) == 8;
}

const pt::WalkResult* Mmu::fresh_walk(const Context& c, const pt::WalkRequest& req) {
  bool served = true;
  probe_.start(fmt_, roots_of(c), req);
  const pt::WalkResult& f = pt::run_unperformed(probe_, [&](const pt::MemRef& r) {
    uint64_t v;
    served &= debug_read(r, v);
    return v;
  });
  return served ? &f : nullptr;
}

bool Mmu::still_current(const Context& c, const pt::WalkRequest& req, const pt::WalkResult& r) {
  const pt::WalkResult* f = fresh_walk(c, req);
  if (!f) return false;  // the walk ports have no transport_dbg: walk again to be sure
  if (f->ok != r.ok) return false;
  if (!r.ok) return f->fault == r.fault;
  return f->tr.hpa == r.tr.hpa && f->tr.size == r.tr.size && f->tr.perms == r.tr.perms && f->tr.dirty == r.tr.dirty;
}

namespace {
std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}
std::string describe(bool ok, uint64_t hpa, const pt::Fault& f) {
  if (ok) return "hpa " + hex(hpa);
  return std::string("fault ") + pt::to_string(f.stage) + " " + pt::to_string(f.kind) + " level " +
         std::to_string(f.level) + " addr " + hex(f.addr) + " code " + hex(f.error_code);
}
}  // namespace

void Mmu::check(const Context& c, const MmuExtension& x, uint64_t va, const Outcome& o) {
  const pt::WalkRequest req = request_for(x, va);
  const pt::WalkResult* fresh = fresh_walk(c, req);
  if (!fresh) {
    SC_REPORT_ERROR(name(),
                    "mmu.check reads the tables with transport_dbg, which the targets of the walk ports "
                    "do not serve (they returned fewer than 8 bytes)");
    return;
  }
  const pt::WalkResult& f = *fresh;
  ++st_.checked;
  const bool same = f.ok == o.ok && (f.ok ? f.tr.hpa == o.hpa : f.fault == o.fault);
  if (same) return;
  static const char* sources[] = {"L1 TLB", "L2 TLB", "walk"};
  const std::string msg = "translation-coherence check failed at " + sc_time_stamp().to_string() + ": " +
                          std::string(c.host ? "host" : "guest") + " asid " + std::to_string(c.asid) + " vmid " +
                          std::to_string(c.vmid) + " " + pt::to_string(x.access) + (x.user ? " user" : " supervisor") +
                          " va " + hex(va) + " mode " + pt::to_string(req.mode) + ": delivered " +
                          describe(o.ok, o.hpa, o.fault) + " (from the " + sources[size_t(o.source)] +
                          (o.merged ? ", after waiting for a walk of the same page" : "") + "), a fresh walk gives " +
                          describe(f.ok, f.tr.hpa, f.fault);
  SC_REPORT_ERROR(name(), msg.c_str());
}

void Mmu::access_data(tlm::tlm_generic_payload& t, uint64_t hpa, sc_time& delay, const sc_time& start) {
  if (dmi_serves(t, hpa)) {
    unsigned char* p = dmi_.get_dmi_ptr() + (hpa - dmi_.get_start_address());
    if (t.is_read())
      std::memcpy(t.get_data_ptr(), p, t.get_data_length());
    else
      std::memcpy(p, t.get_data_ptr(), t.get_data_length());
    delay += t.is_read() ? dmi_.get_read_latency() : dmi_.get_write_latency();
    t.set_response_status(tlm::TLM_OK_RESPONSE);
    ++st_.dmi_accesses;
  } else {
    const uint64_t va = t.get_address();
    t.set_address(hpa);
    t.set_dmi_allowed(false);
    data->b_transport(t, delay);
    if (t.is_dmi_allowed()) {  // the target offers DMI: take it for the next accesses to this region
      dmi_.init();             // a fresh descriptor per request (IEEE 1666-2011 11.2.5)
      const bool granted = data->get_direct_mem_ptr(t, dmi_) && dmi_.get_dmi_ptr();
      dmi_read_ = granted && dmi_.is_read_allowed();
      dmi_write_ = granted && dmi_.is_write_allowed();
      // The hint is the data target's, for the hPA: the initiator cannot have DMI through the MMU.
      t.set_dmi_allowed(false);
    }
    t.set_address(va);  // the initiator sees its own address back
  }
  st_.data_ns += data_ns_of_(now() + delay - start);
}

MmuExtension* Mmu::extension_of(tlm::tlm_generic_payload& t, MmuExtension& scratch) const {
  MmuExtension* x = nullptr;
  t.get_extension(x);
  if (x) return x;
  // A platform that does not know our extension: the configured default context, the access
  // from the command, then the platform's own mapping of its side-band data, if it set one.
  scratch = MmuExtension{};
  scratch.asid = cfg_.default_context.asid;
  scratch.vmid = cfg_.default_context.vmid;
  scratch.origin = cfg_.default_context.host ? Origin::Host : Origin::Guest;
  scratch.user = cfg_.default_context.user;
  scratch.access = t.is_write() ? pt::Access::Write : pt::Access::Read;
  if (context_hook) context_hook(t, scratch);
  return &scratch;
}

void Mmu::serve(tlm::tlm_generic_payload& t, MmuExtension& x, sc_time& delay, bool sync) {
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

void Mmu::serve_crossing(tlm::tlm_generic_payload& t, MmuExtension& x, const Outcome& first, sc_time& delay,
                         bool sync) {
  ++st_.page_crossings;
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

void Mmu::b_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
  MmuExtension scratch;
  MmuExtension* x = extension_of(t, scratch);
  if (cfg_.timing == Timing::LT) return serve(t, *x, delay, false);
  // An `at` MMU called through b_transport: catch up with the caller's local time, then take
  // part in the timed contention for walkers and memory like any nb_transport request.
  if (delay != SC_ZERO_TIME) {
    wait(delay);
    delay = SC_ZERO_TIME;
  }
  serve(t, *x, delay, true);
  if (delay != SC_ZERO_TIME) {
    wait(delay);
    delay = SC_ZERO_TIME;
  }
}

unsigned Mmu::transport_dbg(tlm::tlm_generic_payload& t) {
  MmuExtension scratch;
  const MmuExtension& x = *extension_of(t, scratch);
  const pt::WalkRequest req = request_for(x, t.get_address());
  const pt::WalkResult* r = fresh_walk(context_of(x), req);
  if (!r || !r->ok) return 0;
  // Up to the end of the translated page: the next page may map elsewhere.
  const uint64_t room = pt::page_bytes(r->tr.size) - (req.va & (pt::page_bytes(r->tr.size) - 1));
  const unsigned len = t.get_data_length();
  if (room < len) t.set_data_length(static_cast<unsigned>(room));
  t.set_address(r->tr.hpa);
  const unsigned n = data->transport_dbg(t);
  t.set_address(req.va);
  t.set_data_length(len);
  return n;
}

bool Mmu::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
  dmi.set_start_address(0);
  dmi.set_end_address(~sc_dt::uint64(0));
  dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
  return false;
}

tlm::tlm_sync_enum Mmu::nb_transport_fw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time& d) {
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
  SC_REPORT_ERROR(name(), "unexpected phase on the cpu socket");
  return tlm::TLM_COMPLETED;
}

void Mmu::dispatch_method() {
  while (tlm::tlm_generic_payload* t = req_peq_.get_next_transaction()) pending_.push_back(t);
  wake_idle_workers();
}

// Wakes one idle worker per queued request, most recently idle first. This is the schedule one
// event shared by all idle workers gave (SystemC resumes an event's waiters last-waiter first,
// one after the other in this evaluation phase): the workers it woke beyond the queued requests
// found the queue empty and waited again without touching any state.
void Mmu::wake_idle_workers() {
  for (size_t n = pending_.size(); n && !idle_.empty(); --n) {
    Worker* w = idle_.back();
    idle_.pop_back();
    w->wake.notify();
  }
}

void Mmu::worker_thread(Worker* me) {
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
    cpu->nb_transport_bw(*t, ph, d);
    sc_time delay = SC_ZERO_TIME;
    serve(*t, *extension_of(*t, me->scratch), delay, true);
    if (delay != SC_ZERO_TIME) wait(delay);
    // Base protocol: one BEGIN_RESP at a time on the socket.
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
    if (cpu->nb_transport_bw(*t, ph, d) != tlm::TLM_ACCEPTED) {
      resp_busy_ = false;
      resp_free_at_ = now() + d;
    }
  }
}

void Mmu::tables_changed() { ++epoch_; }

void Mmu::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  // The data target revoked DMI for [start, end]: stop using a grant that overlaps it.
  if (start <= dmi_.get_end_address() && end >= dmi_.get_start_address()) dmi_read_ = dmi_write_ = false;
  ++st_.dmi_invalidations;
}

void Mmu::invalidate_page(const Context& c, uint64_t va) {
  count_invalidation(InvalidationKind::Page);
  l1i_.invalidate_page(c, va);
  l1d_.invalidate_page(c, va);
  l2_.invalidate_page(c, va);
  caches_.invalidate_first_dim_range(c, va & ~0xfffull, 4096);
}
void Mmu::invalidate_range(uint16_t vmid, uint64_t va, uint64_t bytes) {
  count_invalidation(InvalidationKind::Range);
  l1i_.invalidate_range(vmid, va, bytes);
  l1d_.invalidate_range(vmid, va, bytes);
  l2_.invalidate_range(vmid, va, bytes);
  caches_.invalidate_first_dim_range(vmid, va, bytes);
}
void Mmu::invalidate_range(const Context& c, uint64_t va, uint64_t bytes) {
  count_invalidation(InvalidationKind::Range);
  l1i_.invalidate_range(c, va, bytes);
  l1d_.invalidate_range(c, va, bytes);
  l2_.invalidate_range(c, va, bytes);
  caches_.invalidate_first_dim_range(c, va, bytes);
}
void Mmu::invalidate_asid(uint16_t vmid, uint16_t asid) {
  count_invalidation(InvalidationKind::Asid);
  l1i_.invalidate_asid(vmid, asid);
  l1d_.invalidate_asid(vmid, asid);
  l2_.invalidate_asid(vmid, asid);
  caches_.invalidate_first_dim_asid(vmid, asid);
}
void Mmu::invalidate_vmid(uint16_t vmid) {
  count_invalidation(InvalidationKind::Vmid);
  l1i_.invalidate_vmid(vmid);
  l1d_.invalidate_vmid(vmid);
  l2_.invalidate_vmid(vmid);
  caches_.invalidate_first_dim(vmid);
  caches_.invalidate_nested(vmid);
}
void Mmu::invalidate_walk_caches(uint16_t vmid) {
  count_invalidation(InvalidationKind::WalkCaches);
  caches_.invalidate_first_dim(vmid);
}
void Mmu::invalidate_nested(uint16_t vmid) {
  count_invalidation(InvalidationKind::Nested);
  caches_.invalidate_nested(vmid);
}
void Mmu::invalidate_all() {
  count_invalidation(InvalidationKind::All);
  l1i_.invalidate_all();
  l1d_.invalidate_all();
  l2_.invalidate_all();
  caches_.invalidate_all();
}

}  // namespace agilemmu::mmu
