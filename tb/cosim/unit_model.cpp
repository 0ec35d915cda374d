#include "cosim/unit_model.h"

#include <cstring>
#include <deque>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <agilemmu/mmu/mmu.h>
#include <agilemmu/pt/format.h>

#include "cosim/image_gen.h"
#include "cosim/unit_traffic.h"

namespace agilemmu::cosim::unit {
namespace {

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

}  // namespace

SideResult run_model(const Options& o, const Build& bld, const std::vector<pt::WalkRequest>& reqs) {
  const pt::Format& fmt = bld.fmt;
  const unsigned walkers = bld.walkers, entries = bld.entries, ways = bld.ways;
  SideResult res;
  res.out.resize(reqs.size());
  Image img(fmt, o.seed);
  prepare_image(img, fmt, reqs, o.seed);
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
  res.image = final_image(img.mem(), res.written);  // (compared by the caller)
  return res;
}

}  // namespace agilemmu::cosim::unit
