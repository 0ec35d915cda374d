#include "cosim/unit_rtl.h"

#include <verilated.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include <agilemmu/pt/format.h>

#include "cosim/image_gen.h"
#include "cosim/stimulus.h"
#include "cosim/unit_traffic.h"
#include "walk_unit_configs.h"

namespace agilemmu::cosim::unit {
namespace {

// A reference accepted and not yet answered: due at its response cycle.
struct Due {
  uint64_t id, addr, data;
  bool write;
  uint8_t port, tag;
};

// Coverage: the stalls of edge e as the ports show them (inputs set, before the edge), each by
// the state of the walker it belongs to. Only the arbiter's winner is on a memory port.
template <class V>
void count_stalls(const V& m, uint64_t e, const std::multimap<uint64_t, Due>& due, UnitStalls& s) {
  auto at = [&s](UnitStall h, UnitState st) { ++s[size_t(h)][size_t(st)]; };
  if (m.cmem_req_valid && !m.cmem_req_ready)
    at(UnitStall::CompoundRequest, m.cmem_req_write ? UnitState::Write : UnitState::FirstDimRead);
  if (m.nmem_req_valid && !m.nmem_req_ready)
    at(UnitStall::NestedRequest, m.nmem_req_write ? UnitState::Write : UnitState::NestedRead);
  for (auto it = due.upper_bound(e); it != due.end(); ++it) {
    const Due& d = it->second;
    at(UnitStall::MemResponse, d.write       ? UnitState::WriteWait
                               : d.port == 1 ? UnitState::NestedWait
                                             : UnitState::FirstDimWait);
  }
  if (m.rsp_valid && !m.rsp_ready) at(UnitStall::Result, m.rsp_ok ? UnitState::Done : UnitState::Fault);
}

template <class V>
SideResult run_on(const Options& o, unsigned walkers, const pt::Format& fmt, const std::vector<pt::WalkRequest>& reqs) {
  SideResult res;
  res.out.resize(reqs.size());
  Image img(fmt, o.seed);
  prepare_image(img, fmt, reqs, o.seed);
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
    count_stalls(m, e, due, res.stalls);
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
  res.image = final_image(img.mem(), res.written);
  m.final();
  return res;
}

}  // namespace

std::string config_names() { return AGILEMMU_UNIT_CONFIG_NAMES; }

Build find_build(const std::string& name) {
#define AGILEMMU_UNIT_BUILD(n, w, e, wy, ...) \
  if (name == #n) return Build{w, e, wy, pt::Format{__VA_ARGS__}};
  AGILEMMU_UNIT_CONFIGS(AGILEMMU_UNIT_BUILD)
#undef AGILEMMU_UNIT_BUILD
  throw std::invalid_argument("no walk-unit build '" + name + "' (have " AGILEMMU_UNIT_CONFIG_NAMES ")");
}

SideResult run_rtl(const Options& o, const Build& b, const std::vector<pt::WalkRequest>& reqs) {
#define AGILEMMU_UNIT_RUN(n, ...) \
  if (o.rtl == #n) return run_on<Vwalk_unit_##n>(o, b.walkers, b.fmt, reqs);
  AGILEMMU_UNIT_CONFIGS(AGILEMMU_UNIT_RUN)
#undef AGILEMMU_UNIT_RUN
  throw std::invalid_argument("no walk-unit build '" + o.rtl + "' (have " AGILEMMU_UNIT_CONFIG_NAMES ")");
}

}  // namespace agilemmu::cosim::unit
