#include "cosim/unit_cosim.h"

#include <verilated.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <unordered_map>

#include <agilemmu/mmu/mmu.h>
#include <agilemmu/pt/format.h>

#include "cosim/coverage.h"
#include "cosim/image_gen.h"
#include "cosim/stimulus.h"
#include "walk_unit_configs.h"

namespace agilemmu::cosim::unit {
namespace {

std::unique_ptr<pt::PhysMem> model_mem_;  // the model side's final entries where either side wrote

uint64_t mix64(uint64_t x) {
  x ^= x >> 30, x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27, x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
uint64_t hash3(uint64_t a, uint64_t b, uint64_t c) { return mix64(mix64(mix64(a) ^ b) ^ c); }

// The traffic both sides see, as pure functions of (seed, cycle, address) plus the requests in
// flight: when a request is sent, which lane it has, when each memory reference is answered,
// when the PWC is flushed. Each side keeps its own instance; they agree as long as the sides do.
//
// The memory answers the references of the request in lane l only in cycles = 2l+3 (mod 2W+4)
// (at least `latency` + a drawn extra after acceptance), and requests arrive only in cycles = 0
// (mod 2W+4), at most W in flight, at most two per page. So no two walkers' responses (PWC
// fills, A/D writes, walk ends) and no request arrival share a cycle: the Mmu's order for
// simultaneous events, which the SystemC scheduler picks, never matters (rtl/README.md).
// Memory backpressure (mem_req_ready low in --mem-stall % of a port's cycles) delays acceptance
// but not the lanes of the responses; references of several walkers then meet at a port in
// one cycle, which the arbiter resolves (lowest walker first). Result backpressure (rsp_ready
// low in --rsp-stall % of the cycles) makes results wait and meet at the result channel.
class Traffic {
 public:
  Traffic(const Options& o, unsigned walkers, const std::vector<pt::WalkRequest>& reqs)
      : o_(o), w_(walkers), m_(2 * walkers + 4), reqs_(reqs), lane_(reqs.size(), 0), lane_busy_(walkers, false) {}
  unsigned period() const { return m_; }
  // At arrival cycle c: the id of the request to send, or -1.
  int64_t offer(uint64_t c) {
    if (next_ >= reqs_.size() || in_flight_ >= w_ || c % m_) return -1;
    if (hash3(o_.seed, c, 1) % 100 >= o_.load) return -1;
    const uint64_t key = page_key(reqs_[next_]);
    if (per_page_[key] >= 2) return -1;
    unsigned l = 0;
    while (lane_busy_[l]) ++l;
    lane_busy_[l] = true;
    lane_[next_] = l;
    ++per_page_[key];
    ++in_flight_;
    max_in_flight_ = std::max(max_in_flight_, in_flight_);
    return static_cast<int64_t>(next_++);
  }
  void completed(uint64_t id) {
    lane_busy_[lane_[id]] = false;
    --per_page_[page_key(reqs_[id])];
    --in_flight_;
  }
  uint64_t response_cycle(uint64_t id, uint64_t accept, uint64_t addr) const {
    const uint64_t h = hash3(o_.seed ^ 0x5eed, addr, accept);
    const unsigned p = h % 100;
    uint64_t extra = p < 55 ? 0 : p < 93 ? 1 + (h >> 8) % 6 : 10 + (h >> 8) % 40;
    uint64_t r = accept + o_.latency + extra;
    const uint64_t want = (2 * lane_[id] + 3) % m_;
    r += (want + m_ - r % m_) % m_;
    return r;
  }
  bool mem_ready(uint64_t c, unsigned port) const {
    return !o_.mem_stall || hash3(o_.seed ^ 0x3e3, c, 11 + port) % 100 >= o_.mem_stall;
  }
  bool rsp_ready(uint64_t c) const { return !o_.rsp_stall || hash3(o_.seed ^ 0x7e5, c, 13) % 100 >= o_.rsp_stall; }
  // Flush (Mmu::invalidate_all) at c + 0.5 ns; the RTL's pwc_flush at edge c + 1.
  bool flush_after(uint64_t c) const { return hash3(o_.seed ^ 0xf1u, c, 7) % 1000 < o_.flush_permille; }
  bool all_sent() const { return next_ >= reqs_.size(); }
  unsigned max_in_flight() const { return max_in_flight_; }

 private:
  static uint64_t page_key(const pt::WalkRequest& r) { return (r.va >> 12) << 1 | (r.mode == pt::Mode::Native); }
  const Options& o_;
  unsigned w_, m_;
  const std::vector<pt::WalkRequest>& reqs_;
  std::vector<unsigned> lane_;
  std::vector<bool> lane_busy_;
  std::unordered_map<uint64_t, unsigned> per_page_;
  size_t next_ = 0;
  unsigned in_flight_ = 0, max_in_flight_ = 0;
};

// The random images restrict permissions mostly near the leaves (entries few walks share). So
// that a PWC hit below a restricting entry matters (the cached permissions are those accumulated
// from the root), one in 512 requests (by seed) has RW or US cleared in the level-2
// first-dimension entry of its path, the same on both sides' images.
void restrict_upper(Image& img, const pt::Format& fmt, const std::vector<pt::WalkRequest>& reqs, uint64_t seed) {
  pt::Walk w;
  for (size_t i = 0; i < reqs.size(); ++i) {
    const uint64_t h = hash3(seed ^ 0xa11, i, 3);
    if (h % 512) continue;
    w.start(fmt, img.roots(), reqs[i]);
    const pt::WalkResult& r = pt::run_unperformed(w, [&](const pt::MemRef& m) { return img.mem().read64(m.addr); });
    for (unsigned k = 0; k < r.nrefs && k < pt::kMaxRefs; ++k) {
      const pt::MemRef& m = r.refs[k];
      if (m.write || m.level != 2 || m.table == pt::Table::Nested) continue;
      img.mem().write64(m.addr, img.mem().read64(m.addr) & ~((h >> 8) & 1 ? pt::pte::RW : pt::pte::US));
      break;
    }
  }
}

// The memory both sides share the rules of: a read returns the entry at the response cycle, a
// write ORs its A/D bits into the entry at the response cycle (a locked update).
void perform_write(pt::PhysMem& mem, uint64_t addr, uint64_t data) {
  mem.write64(addr, mem.read64(addr) | (data & (pt::pte::A | pt::pte::D)));
}

// ---------------- the model side: the SystemC Mmu ----------------
using namespace sc_core;

struct ModelBench : sc_module {
  tlm_utils::simple_initiator_socket<ModelBench> cpu{"cpu"};
  tlm_utils::simple_target_socket<ModelBench> compound{"compound"}, nested{"nested"}, data{"data"};

  ModelBench(sc_module_name n, const Options& o, unsigned walkers, bool pwc, const pt::Format& fmt, mmu::Mmu& m,
             Image& img, const std::vector<pt::WalkRequest>& reqs, SideResult& res)
      : sc_module(n),
        o_(o),
        w_(walkers),
        pwc_(pwc),
        fmt_(fmt),
        mmu_(m),
        img_(img),
        reqs_(reqs),
        res_(res),
        tr_(o, walkers, reqs),
        walker_of_(reqs.size(), -1),
        last_start_(walkers, 0),
        last_handshake_(walkers, 0),
        used_(walkers, false) {
    cpu.register_nb_transport_bw(this, &ModelBench::nb_bw);
    compound.register_b_transport(this, &ModelBench::b_compound);
    nested.register_b_transport(this, &ModelBench::b_nested);
    compound.register_transport_dbg(this, &ModelBench::dbg);
    nested.register_transport_dbg(this, &ModelBench::dbg);
    data.register_b_transport(this, &ModelBench::b_data);
    slots_.resize(reqs.size());
    for (unsigned i = 0; i < walkers; ++i) granted_.emplace_back();
    SC_HAS_PROCESS(ModelBench);
    SC_THREAD(cpu_thread);
    SC_THREAD(flush_thread);
    SC_METHOD(arbitrate_compound);
    sensitive << arbitrate_[0];
    dont_initialize();
    SC_METHOD(arbitrate_nested);
    sensitive << arbitrate_[1];
    dont_initialize();
    SC_METHOD(take_result);
    sensitive << take_result_;
    dont_initialize();
  }

  uint64_t cycle() const { return static_cast<uint64_t>(sc_core::sc_time_stamp() / sc_time(1, SC_NS) + 1e-9); }

  void cpu_thread() {
    const unsigned M = tr_.period();
    for (uint64_t c = M;; c += M) {
      // Decide half a cycle early: results of cycle c itself are not seen (the RTL side
      // decides the inputs of edge c from edges before it).
      wait(sc_time(double(c) - 0.5, SC_NS) - sc_core::sc_time_stamp());
      if (tr_.all_sent() && done_ == reqs_.size()) break;
      const int64_t id = tr_.offer(c);
      if (id < 0) continue;
      Slot& s = slots_[id];
      const pt::WalkRequest& r = reqs_[id];
      s.p.set_address(r.va);
      s.p.set_command(r.access == pt::Access::Write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      s.p.set_data_ptr(reinterpret_cast<unsigned char*>(&s.buf));
      // One byte: the unit translates one address, and an access that crossed a page would be
      // two translations on the Mmu side (an unaligned random VA near a page end).
      s.p.set_data_length(1);
      s.p.set_streaming_width(1);
      s.p.set_byte_enable_ptr(nullptr);
      s.p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      s.x.asid = 1, s.x.vmid = 1;
      s.x.origin = r.mode == pt::Mode::Native ? mmu::Origin::Host : mmu::Origin::Guest;
      s.x.access = r.access, s.x.user = r.user, s.x.tag = static_cast<uint64_t>(id);
      s.p.set_extension(&s.x);
      res_.out[id].sent = c;
      tlm::tlm_phase ph = tlm::BEGIN_REQ;
      sc_time d(0.5, SC_NS);
      cpu->nb_transport_fw(s.p, ph, d);
    }
    res_.max_in_flight = tr_.max_in_flight();
    res_.cycles = cycle();
    sc_stop();
  }

  void flush_thread() {
    if (!o_.flush_permille) return;
    for (uint64_t c = 1;; ++c) {
      if (!tr_.flush_after(c)) continue;
      wait(sc_time(double(c) + 0.5, SC_NS) - sc_core::sc_time_stamp());
      if (done_ == reqs_.size()) return;
      mmu_.invalidate_all();
      ++res_.flushes;
    }
  }

  // The unit's walker numbers, derived from what the Mmu does (its own slots may differ, see
  // rtl/README.md, contract item 2): a walk starts on the highest-numbered walker that is free at
  // its start edge s; a walker is busy from the edge after its walk's start up to and including
  // its result's handshake edge. Walks are numbered in the order they start (at most one per edge).
  int assign_walker(uint64_t id, uint64_t s) {
    if (walker_of_[id] >= 0) return walker_of_[id];
    if (s < last_assigned_start_) fail("walk starts seen out of order (harness)");
    last_assigned_start_ = s;
    for (int w = static_cast<int>(w_) - 1; w >= 0; --w) {
      if (used_[w] && last_start_[w] < s && last_handshake_[w] >= s) continue;
      used_[w] = true, last_start_[w] = s, last_handshake_[w] = UINT64_MAX;
      return walker_of_[id] = w;
    }
    fail("no free walker for the walk of request " + std::to_string(id) + " (harness)");
    return walker_of_[id] = 0;
  }
  void fail(const std::string& what) {
    if (res_.error.empty()) res_.error = what + " at cycle " + std::to_string(cycle());
  }

  tlm::tlm_sync_enum nb_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_time&) {
    if (ph != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;  // END_REQ
    mmu::MmuExtension* x = nullptr;
    p.get_extension(x);
    Outcome& o = res_.out[x->tag];
    o.done = true;
    o.ok = p.get_response_status() == tlm::TLM_OK_RESPONSE;
    o.hpa = o.ok ? x->hpa : 0;
    o.fault = x->fault;
    p.clear_extension(x);
    // A walk without a reference (a non-canonical VA; an address-size fault of a PWC hit's
    // pointer) gets its walker number here: its result comes 1 cycle after its start (2 with
    // the PWC lookup, which a non-canonical VA skips).
    if (walker_of_[x->tag] < 0) assign_walker(x->tag, cycle() - 1 - (pwc_ && fmt_.canonical(reqs_[x->tag].va) ? 1 : 0));
    // BEGIN_RESP is the first edge the unit could hand the result over; the unit's result
    // channel (take_result) decides the edge it does. The Mmu is done with it now.
    results_.push_back(x->tag);
    take_result_.notify(sc_time(0.25, SC_NS));
    return tlm::TLM_COMPLETED;
  }

  // The unit's result channel (contract item 8) at edge c, decided at c + 0.25 ns when every
  // BEGIN_RESP of edge c has arrived in whatever order the scheduler ran the workers: with
  // rsp_ready high, the lowest walker's result is taken.
  void take_result() {
    const uint64_t c = cycle();
    if (!tr_.rsp_ready(c)) {
      ++res_.rsp_stall_cycles;
    } else {
      auto best = results_.begin();
      for (auto it = results_.begin(); it != results_.end(); ++it)
        if (walker_of_[*it] < walker_of_[*best]) best = it;
      const uint64_t id = *best;
      res_.rsp_conflicts += results_.size() > 1;
      results_.erase(best);
      res_.out[id].completed = c;
      last_handshake_[walker_of_[id]] = c;
      tr_.completed(id);
      ++done_;
    }
    if (!results_.empty()) take_result_.notify(sc_time(1, SC_NS));
  }

  // The unit's memory arbiter (contract item 4) for one port at edge c, decided at c + 0.25 ns
  // when every reference issued at edge c has arrived: with mem_req_ready high, the waiting
  // reference of the lowest walker is accepted; the others wait for the next edge.
  void arbitrate(unsigned port) {
    std::vector<Waiting>& q = waiting_[port];
    const uint64_t c = cycle();
    if (!tr_.mem_ready(c, port)) {
      ++res_.mem_stall_cycles;
    } else {
      auto best = q.begin();
      const bool reversed = o_.inject == "priority";  // a wrong model of the arbiter, must be caught
      for (auto it = q.begin(); it != q.end(); ++it)
        if (reversed ? it->walker > best->walker : it->walker < best->walker) best = it;
      res_.port_conflicts += q.size() > 1;
      accepted_[best->walker] = c;
      granted_[best->walker].notify();
      q.erase(best);
    }
    if (!q.empty()) arbitrate_[port].notify(sc_time(1, SC_NS));
  }
  void arbitrate_compound() { arbitrate(0); }
  void arbitrate_nested() { arbitrate(1); }

  void b_port(uint8_t port, tlm::tlm_generic_payload& p, sc_time& delay) {
    if (delay != SC_ZERO_TIME) wait(delay), delay = SC_ZERO_TIME;
    mmu::WalkAccess* wa = nullptr;
    p.get_extension(wa);
    const uint64_t id = wa->tag, addr = p.get_address();
    // The first reference of a walk is issued start + 1 (+ 1 for the PWC lookup) cycles after
    // its start edge (contract item 3).
    const int w = assign_walker(id, cycle() - 1 - (pwc_ ? 1 : 0));
    waiting_[port].push_back({static_cast<unsigned>(w)});
    arbitrate_[port].notify(sc_time(0.25, SC_NS));
    wait(granted_[w]);
    const uint64_t a = accepted_[w];
    const uint64_t r = tr_.response_cycle(id, a, addr);
    wait(sc_time(double(r), SC_NS) - sc_core::sc_time_stamp());
    uint64_t* v = reinterpret_cast<uint64_t*>(p.get_data_ptr());
    const bool wr = p.is_write();
    if (wr) {
      perform_write(img_.mem(), addr, *v);
      res_.written.push_back(addr);
    } else {
      *v = img_.mem().read64(addr);
    }
    res_.out[id].refs.push_back(
        {addr, wr, port, static_cast<uint8_t>(wa->table), wa->level, static_cast<uint8_t>(w), a, r});
    p.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  void b_compound(tlm::tlm_generic_payload& p, sc_time& d) { b_port(0, p, d); }
  void b_nested(tlm::tlm_generic_payload& p, sc_time& d) { b_port(1, p, d); }
  unsigned dbg(tlm::tlm_generic_payload& p) {
    const uint64_t v = img_.mem().read64(p.get_address());
    std::memcpy(p.get_data_ptr(), &v, 8);
    return 8;
  }
  // The data access after a translation: no time, nothing stored (only translations compared).
  void b_data(tlm::tlm_generic_payload& p, sc_time&) { p.set_response_status(tlm::TLM_OK_RESPONSE); }

  struct Slot {
    tlm::tlm_generic_payload p;
    mmu::MmuExtension x;
    uint64_t buf = 0;
  };
  struct Waiting {
    unsigned walker;
  };
  const Options& o_;
  unsigned w_;
  bool pwc_;
  const pt::Format& fmt_;
  mmu::Mmu& mmu_;
  Image& img_;
  const std::vector<pt::WalkRequest>& reqs_;
  SideResult& res_;
  Traffic tr_;
  std::deque<Slot> slots_;
  size_t done_ = 0;
  // Walker numbers: per request, and per walker its last walk's start and handshake edges.
  std::vector<int> walker_of_;
  std::vector<uint64_t> last_start_, last_handshake_;
  std::vector<bool> used_;
  uint64_t last_assigned_start_ = 0;
  // Arbiters: references waiting per port; per walker the grant event and the accept edge
  // (a walker has at most one reference outstanding).
  std::vector<Waiting> waiting_[2];
  sc_event arbitrate_[2];
  std::deque<sc_event> granted_;
  uint64_t accepted_[8] = {};
  // Results waiting for the result channel (request ids).
  std::vector<uint64_t> results_;
  sc_event take_result_;
};

SideResult run_model(const Options& o, unsigned walkers, unsigned entries, unsigned ways, const pt::Format& fmt,
                     const std::vector<pt::WalkRequest>& reqs) {
  SideResult res;
  res.out.resize(reqs.size());
  Image img(fmt, o.seed);
  restrict_upper(img, fmt, reqs, o.seed);
  mmu::MmuConfig c;
  c.mode = o.mode;
  c.timing = mmu::Timing::AT;
  c.clock_ns = 1.0;
  c.walkers = walkers;
  c.queue = walkers + 2;
  c.l1i.geo.entries = c.l1d.geo.entries = c.l2.geo.entries = 0;
  c.ntlb.entries = c.npwc.entries = 0;
  c.pwc = {entries, entries ? ways : 1, 1, mmu::Replacement::LRU};
  mmu::Mmu m("mmu", c, fmt);
  m.set_roots({1, 1, false}, img.roots());
  m.set_roots({1, 1, true}, img.roots());
  ModelBench b("bench", o, walkers, entries > 0, fmt, m, img, reqs, res);
  b.cpu.bind(m.cpu);
  m.compound_port.bind(b.compound);
  m.nested_port.bind(b.nested);
  m.data.bind(b.data);
  sc_start();
  const mmu::MmuStats& st = m.stats();
  res.coalesced = st.coalesced;
  res.restarts = st.walk_restarts;
  res.pwc_hits = m.walk_caches().pwc_counters().hits;
  res.pwc_lookups = m.walk_caches().pwc_counters().lookups();
  for (auto& x : res.out)
    if (!x.done) {
      res.error = "the Mmu left a request unanswered";
      break;
    }
  // (the images are compared by the caller)
  model_mem_ = std::make_unique<pt::PhysMem>();
  for (uint64_t a : res.written) model_mem_->write64(a, img.mem().read64(a));
  return res;
}

// ---------------- the RTL side: the Verilated walk unit ----------------
template <class V>
SideResult run_rtl(const Options& o, unsigned walkers, const pt::Format& fmt, const std::vector<pt::WalkRequest>& reqs,
                   pt::PhysMem& final_mem) {
  SideResult res;
  res.out.resize(reqs.size());
  Image img(fmt, o.seed);
  restrict_upper(img, fmt, reqs, o.seed);
  Traffic tr(o, walkers, reqs);
  VerilatedContext ctx;
  ctx.fatalOnError(false);  // a failed assertion (rtl/sva) ends the run as a mismatch (exit 1), not an abort
  Verilated::threadContextp(&ctx);
  V m(&ctx);
  const pt::Roots& roots = img.roots();
  m.hroot = roots.hroot, m.groot = roots.groot, m.nroot = roots.nroot, m.sroot = roots.sroot;
  m.croot = roots.croot, m.croot_is_gpa = roots.croot_is_gpa;
  m.clk = 0, m.rst_n = 0, m.req_valid = 0, m.rsp_ready = 1, m.pwc_flush = 0;
  m.cmem_req_ready = 1, m.nmem_req_ready = 1, m.cmem_rsp_valid = 0, m.nmem_rsp_valid = 0;
  for (int i = 0; i < 2; ++i) m.clk = 1, m.eval(), m.clk = 0, m.eval();  // reset applied at clock edges
  m.rst_n = 1;
  m.eval();
  struct Due {
    uint64_t id, addr, data;
    bool write;
    uint8_t port, tag;
  };
  std::multimap<uint64_t, Due> due;         // response cycle -> reference
  std::vector<int64_t> outstanding(8, -1);  // per walker tag: the id of its reference in flight
  std::vector<int64_t> by_wire(256, -1);    // 8-bit id on the unit's ports -> request in flight
  size_t done = 0;
  uint64_t quiet = 0;
  Stimulus noise(StimulusOptions{true, 0, 0}, o.seed, 0);
  auto fail = [&](const std::string& what, uint64_t e) {
    if (res.error.empty()) res.error = what + " at cycle " + std::to_string(e);
  };
  for (uint64_t e = 1; done < reqs.size() && res.error.empty(); ++e) {
    // Inputs for edge e.
    const int64_t id = tr.offer(e);
    m.req_valid = id >= 0;
    if (id < 0) {  // the request inputs carry anything when no request is offered
      const RequestNoise n = noise.draw();
      m.req_id = static_cast<uint32_t>(n.va >> 56), m.req_va = n.va, m.req_access = n.access, m.req_user = n.user;
      m.req_mode = n.mode;
    } else {
      const pt::WalkRequest& r = reqs[id];
      m.req_id = static_cast<uint32_t>(id & 0xff);
      if (by_wire[id & 0xff] >= 0) fail("two requests in flight with the same 8-bit id (harness)", e);
      by_wire[id & 0xff] = id;
      m.req_va = r.va, m.req_access = static_cast<uint8_t>(r.access), m.req_user = r.user;
      m.req_mode = static_cast<uint8_t>(r.mode);
    }
    m.pwc_flush = tr.flush_after(e - 1) && o.inject != "flush";
    m.cmem_req_ready = tr.mem_ready(e, 0), m.nmem_req_ready = tr.mem_ready(e, 1);
    m.rsp_ready = tr.rsp_ready(e);
    m.cmem_rsp_valid = 0, m.nmem_rsp_valid = 0;
    auto range = due.equal_range(e);
    unsigned nrsp[2] = {0, 0};
    for (auto it = range.first; it != range.second; ++it) {
      const Due& d = it->second;
      if (++nrsp[d.port] > 1) fail("two responses due on one port in one cycle (harness)", e);
      uint64_t v = 0;
      if (d.write) {
        perform_write(img.mem(), d.addr, d.data);
        res.written.push_back(d.addr);
      } else {
        v = img.mem().read64(d.addr);
      }
      if (d.port == 0)
        m.cmem_rsp_valid = 1, m.cmem_rsp_tag = d.tag, m.cmem_rsp_data = v;
      else
        m.nmem_rsp_valid = 1, m.nmem_rsp_tag = d.tag, m.nmem_rsp_data = v;
      outstanding[d.tag] = -1;
    }
    due.erase(range.first, range.second);
    m.eval();
    bool progress = id >= 0;
    // What is handed over at edge e.
    if (id >= 0) {
      if (!m.req_ready) fail("the unit refused request " + std::to_string(id) + " the Mmu takes at once", e);
      res.out[id].sent = e;
      // ids on the wire are 8 bits: at most W (<= 8) requests are in flight, so their low bits differ
    }
    auto take = [&](uint8_t port, bool valid, bool ready, uint64_t addr, bool write, uint64_t wdata, uint8_t table,
                    uint8_t level, uint8_t tag, uint8_t wid) {
      if (!valid) return;
      progress = true;
      if (!ready) return;
      // The request id on the port is the low 8 bits of the request's id: find the one in flight.
      const int64_t rid = by_wire[wid];
      if (rid < 0) return fail("memory request with an id no request in flight has", e);
      if (tag >= walkers || outstanding[tag] >= 0)
        return fail("walker " + std::to_string(tag) + " overlapped two references", e);
      outstanding[tag] = rid;
      uint64_t r = tr.response_cycle(rid, e, addr);
      if (o.inject == "latency" && rid == 3 && res.out[rid].refs.empty()) ++r;
      due.insert({r, {static_cast<uint64_t>(rid), addr, wdata, write, port, tag}});
      res.out[rid].refs.push_back({addr, write, port, table, level, tag, e, r});
    };
    take(0, m.cmem_req_valid, m.cmem_req_ready, m.cmem_req_addr, m.cmem_req_write, m.cmem_req_wdata, m.cmem_req_table,
         m.cmem_req_level, m.cmem_req_tag, m.cmem_req_id);
    take(1, m.nmem_req_valid, m.nmem_req_ready, m.nmem_req_addr, m.nmem_req_write, m.nmem_req_wdata, m.nmem_req_table,
         m.nmem_req_level, m.nmem_req_tag, m.nmem_req_id);
    if (m.rsp_valid && m.rsp_ready) {
      progress = true;
      const int64_t rid = by_wire[m.rsp_id];
      if (rid < 0) {
        fail("result with an id no request in flight has", e);
      } else {
        Outcome& out = res.out[rid];
        out.done = true;
        out.ok = m.rsp_ok;
        out.hpa = out.ok ? m.rsp_hpa : 0;
        if (!out.ok) {
          out.fault.stage = static_cast<pt::Stage>(m.rsp_fault_stage);
          out.fault.kind = static_cast<pt::FaultKind>(m.rsp_fault_kind);
          out.fault.level = static_cast<uint8_t>(m.rsp_fault_level);
          out.fault.addr = m.rsp_fault_addr;
          out.fault.error_code = m.rsp_fault_code;
        }
        out.completed = e;
        by_wire[m.rsp_id] = -1;
        tr.completed(rid);
        ++done;
      }
    }
    m.clk = 1;
    m.eval();
    m.clk = 0;
    m.eval();
    if (ctx.gotError()) fail("assertion failed (rtl/sva; the %Error line above names it)", e);
    quiet = progress || !due.empty() ? 0 : quiet + 1;
    if (quiet > 100000) fail("no progress for 100000 cycles (hang)", e);
    res.cycles = e;
  }
  res.max_in_flight = tr.max_in_flight();
  for (uint64_t a : res.written) final_mem.write64(a, img.mem().read64(a));
  m.final();
  return res;
}

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}
std::string describe(const Outcome& o) {
  std::string s = o.ok ? "ok hpa=" + hex(o.hpa)
                       : std::string("fault ") + pt::to_string(o.fault.stage) + " " + pt::to_string(o.fault.kind) +
                             " L" + std::to_string(o.fault.level) + " addr=" + hex(o.fault.addr) +
                             " code=" + hex(o.fault.error_code);
  return s + " sent@" + std::to_string(o.sent) + " done@" + std::to_string(o.completed) +
         " refs=" + std::to_string(o.refs.size());
}
std::string describe(const Ref& r) {
  return std::string(r.write ? "W " : "R ") + hex(r.addr) + " port" + std::to_string(r.port) + " tbl" +
         std::to_string(r.table) + " L" + std::to_string(r.level) + " w" + std::to_string(r.walker) + " @" +
         std::to_string(r.accept) + "->" + std::to_string(r.response);
}

// Coverage of the compared run (the model side's outcomes, which equal the RTL's where it
// matters): each walk's PWC hit level by the requests in flight when it arrived.
void write_coverage(const Options& o, const pt::Format& fmt, unsigned walkers, unsigned entries,
                    const std::vector<pt::WalkRequest>& reqs, const SideResult& side) {
  cov::UnitCoverage c(fmt, walkers, entries,
                      "unit-cosim --rtl " + o.rtl + " --mode " + pt::to_string(o.mode) + " --seed " +
                          std::to_string(o.seed) + " --requests " + std::to_string(reqs.size()));
  std::vector<size_t> order(reqs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return side.out[a].sent < side.out[b].sent; });
  std::multiset<uint64_t> ends;  // completion cycles of the requests in flight
  std::vector<std::pair<pt::Table, unsigned>> reads;
  for (size_t i : order) {
    const Outcome& x = side.out[i];
    ends.erase(ends.begin(), ends.lower_bound(x.sent));
    reads.clear();
    for (const Ref& r : x.refs)
      if (!r.write) reads.emplace_back(static_cast<pt::Table>(r.table), r.level);
    c.sample(reads, static_cast<unsigned>(ends.size()) + 1);
    ends.insert(x.completed);
  }
  c.model().print_summary(std::cout);
  c.model().write_json(o.coverage);
}

}  // namespace

std::string config_names() { return AGILEMMU_UNIT_CONFIG_NAMES; }

uint64_t run(const Options& o) {
  unsigned walkers = 0, entries = 0, ways = 1;
  pt::Format fmt;
  pt::PhysMem rtl_mem;
  SideResult rtl;
  std::vector<pt::WalkRequest> reqs;
  // The requests: the image's draws (native ones stay native, the others take the run's mode),
  // `reuse`% of them aimed again at the page of one of the last eight (another offset, access,
  // privilege), so walks of one page meet (merge) and PWC entries are hit.
  auto make_requests = [&](const pt::Format& f) {
    Image img(f, o.seed);
    std::mt19937_64 rng(o.seed * 31 + 7);
    for (uint64_t i = 0; i < o.requests; ++i) {
      pt::WalkRequest r = img.next_request();
      if (r.mode != pt::Mode::Native) r.mode = o.mode;
      if (!reqs.empty() && rng() % 100 < o.reuse) {
        const pt::WalkRequest& p = reqs[reqs.size() - 1 - rng() % std::min<size_t>(8, reqs.size())];
        r.va = (p.va & ~0xfffull) | (rng() & 0xff8);
        r.mode = p.mode;
        r.access = static_cast<pt::Access>(rng() % 3);
        r.user = rng() & 1;
      }
      reqs.push_back(r);
    }
  };
  bool found = false;
#define AGILEMMU_UNIT_RUN(name, w, e, wy, ...)                        \
  if (!found && o.rtl == #name) {                                     \
    found = true, walkers = w, entries = e, ways = wy;                \
    fmt = pt::Format{__VA_ARGS__};                                    \
    make_requests(fmt);                                               \
    rtl = run_rtl<Vwalk_unit_##name>(o, walkers, fmt, reqs, rtl_mem); \
  }
  AGILEMMU_UNIT_CONFIGS(AGILEMMU_UNIT_RUN)
#undef AGILEMMU_UNIT_RUN
  if (!found) throw std::invalid_argument("no walk-unit build '" + o.rtl + "' (have " AGILEMMU_UNIT_CONFIG_NAMES ")");
  SideResult model = run_model(o, walkers, entries, ways, fmt, reqs);

  uint64_t mismatches = 0;
  auto report = [&](const std::string& what) {
    if (++mismatches <= 5) std::printf("MISMATCH %s\n", what.c_str());
  };
  if (!rtl.error.empty()) report("RTL: " + rtl.error);
  if (!model.error.empty()) report("model: " + model.error);
  if (model.restarts) report("the Mmu walked " + std::to_string(model.restarts) + " walks again (stale)");
  uint64_t faults = 0, refs = 0, writes = 0;
  for (size_t i = 0; i < reqs.size(); ++i) {
    const Outcome& a = rtl.out[i];
    const Outcome& b = model.out[i];
    faults += b.done && !b.ok;
    refs += b.refs.size();
    for (const Ref& r : b.refs) writes += r.write;
    const bool same_result =
        a.done == b.done && a.ok == b.ok && a.hpa == b.hpa &&
        (a.ok || (a.fault.stage == b.fault.stage && a.fault.kind == b.fault.kind && a.fault.level == b.fault.level &&
                  a.fault.addr == b.fault.addr && a.fault.error_code == b.fault.error_code));
    if (o.verbose && i < 64) {
      std::printf("#%zu va=%s %s %s\n  rtl:   %s\n  model: %s\n", i, hex(reqs[i].va).c_str(),
                  pt::to_string(reqs[i].mode), pt::to_string(reqs[i].access), describe(a).c_str(), describe(b).c_str());
      for (const Ref& x : a.refs) std::printf("    rtl   %s\n", describe(x).c_str());
      for (const Ref& x : b.refs) std::printf("    model %s\n", describe(x).c_str());
    }
    if (same_result && a.sent == b.sent && a.completed == b.completed && a.refs == b.refs) continue;
    const pt::WalkRequest& r = reqs[i];
    std::string msg = "request " + std::to_string(i) + " va=" + hex(r.va) + " " + pt::to_string(r.mode) + " " +
                      pt::to_string(r.access) + (r.user ? " user" : " supervisor") + "\n  rtl:   " + describe(a) +
                      "\n  model: " + describe(b);
    for (size_t k = 0; k < std::max(a.refs.size(), b.refs.size()); ++k) {
      const std::string x = k < a.refs.size() ? describe(a.refs[k]) : "-";
      const std::string y = k < b.refs.size() ? describe(b.refs[k]) : "-";
      char line[200];
      std::snprintf(line, sizeof line, "\n  %c%-3zu %-48s %s", x == y ? ' ' : '*', k, x.c_str(), y.c_str());
      msg += line;
    }
    report(msg);
  }
  std::set<uint64_t> addrs(rtl.written.begin(), rtl.written.end());
  addrs.insert(model.written.begin(), model.written.end());
  uint64_t differ = 0;
  for (uint64_t a : addrs) differ += rtl_mem.read64(a) != model_mem_->read64(a);
  if (differ) report(std::to_string(differ) + " page-table entries differ after the run");

  std::printf("unit %s: walkers %u, pwc %u entries / %u ways, mode %s, latency %u + drawn, seed %llu\n", o.rtl.c_str(),
              walkers, entries, ways, pt::to_string(o.mode), o.latency, static_cast<unsigned long long>(o.seed));
  std::printf(
      "requests %zu (faults %llu), refs %llu (writes %llu), merged %llu, pwc hits %llu of %llu lookups, "
      "flushes %llu, max in flight %u, cycles %llu\n",
      reqs.size(), (unsigned long long)faults, (unsigned long long)refs, (unsigned long long)writes,
      (unsigned long long)model.coalesced, (unsigned long long)model.pwc_hits, (unsigned long long)model.pwc_lookups,
      (unsigned long long)model.flushes, model.max_in_flight, (unsigned long long)model.cycles);
  std::printf(
      "backpressure: mem-stall %u%%, rsp-stall %u%%; port conflicts resolved by priority %llu, results waiting "
      "together %llu, stall cycles: memory %llu, result %llu\n",
      o.mem_stall, o.rsp_stall, (unsigned long long)model.port_conflicts, (unsigned long long)model.rsp_conflicts,
      (unsigned long long)model.mem_stall_cycles, (unsigned long long)model.rsp_stall_cycles);
  // What a run of some size must have covered, or it proves little.
  if (reqs.size() >= 5000) {
    std::string missing;
    if (!faults) missing += " faults";
    if (walkers > 1 && !model.coalesced) missing += " merges";
    // (with 8 walkers, arrivals every 20 cycles rarely outlast the walks in flight: at least 4)
    if (walkers > 1 && model.max_in_flight < std::min(walkers, 4u)) missing += " walkers-busy";
    if (entries && !model.pwc_hits) missing += " pwc-hits";
    if (entries && !model.flushes) missing += " flushes";
    if (!writes) missing += " A/D-writes";
    // Backpressure only proves something if references and results met at the arbiters.
    if (walkers > 1 && o.mem_stall && !model.port_conflicts) missing += " port-conflicts";
    if (walkers > 1 && o.rsp_stall && !model.rsp_conflicts) missing += " results-waiting-together";
    if (!missing.empty()) report("coverage: none of" + missing);
  }
  if (!o.coverage.empty()) write_coverage(o, fmt, walkers, entries, reqs, model);
  std::printf("%zu requests, %llu mismatches\n", reqs.size(), (unsigned long long)mismatches);
  return mismatches;
}

}  // namespace agilemmu::cosim::unit
