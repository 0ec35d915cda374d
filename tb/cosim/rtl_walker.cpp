#include "cosim/rtl_walker.h"

#include <algorithm>
#include <stdexcept>

#include "verilated.h"
#include "verilated_vcd_c.h"
#include "walker_configs.h"  // the Verilated builds, from rtl/walker_configs.txt
#ifndef AGILEMMU_RTL_NO_FST
#include "verilated_fst_c.h"
#endif
#ifdef AGILEMMU_RTL_CODE_COVERAGE
#include "verilated_cov.h"
#endif

namespace agilemmu::cosim {
namespace {

// All Verilated classes have the same ports, so one template drives any of them; Tfile is the
// trace writer the class was built for (VerilatedVcdC or VerilatedFstC).
template <class V, class Tfile>
class RtlWalkerT final : public RtlWalker {
 public:
  RtlWalkerT(const pt::Format& fmt, uint64_t random_init) : fmt_(fmt) {
    ctx_.traceEverOn(true);  // must precede model construction for open_trace to work later
    // A failed assertion (rtl/sva) or $error sets gotError instead of aborting: the run reports it
    // as a mismatch, with the walk and a waveform, and exits 1.
    ctx_.fatalOnError(false);
    if (random_init) {  // --x-initial unique: register values drawn at construction
      ctx_.randReset(2);
      ctx_.randSeed(static_cast<int>(random_init & 0x7fffffff) | 1);
    }
    Verilated::threadContextp(&ctx_);  // the values are drawn from the thread's context
    m_ = std::make_unique<V>(&ctx_, "walker");
    m_->rst_n = 0;
    m_->req_valid = 0;
    m_->rsp_ready = 0;
    m_->mem_req_ready = 0;
    m_->mem_rsp_valid = 0;
    tick();
    tick();
    m_->rst_n = 1;
    tick();
  }
  ~RtlWalkerT() override {
    close_trace();
    // The model's destructor unregisters its scopes from the thread's context: make that ours
    // (another walker, e.g. the mismatch replay, may have been the last to set it).
    Verilated::threadContextp(&ctx_);
    m_->final();
    m_.reset();
  }

  const pt::Format& format() const override { return fmt_; }
  uint64_t total_cycles() const override { return cycle_; }

  void open_trace(const std::string& path) override {
    close_trace();
    vcd_ = std::make_unique<Tfile>();
    m_->trace(vcd_.get(), 99);
    vcd_->open(path.c_str());
    if (!vcd_->isOpen()) {
      vcd_.reset();
      throw std::runtime_error("cannot open trace file " + path);
    }
    vcd_->dump(2 * cycle_);
  }
  void close_trace() override {
    if (vcd_) vcd_->close();
    vcd_.reset();
  }

  void write_code_coverage(const std::string& path) override {
#ifdef AGILEMMU_RTL_CODE_COVERAGE
    ctx_.coveragep()->write(path.c_str());
#else
    throw std::invalid_argument("no code coverage in this build (" + path +
                                "): use agilemmu-cosim-cov, configured with -DAGILEMMU_RTL_COVERAGE=ON");
#endif
  }

  RtlResult run(const pt::Roots& roots, const pt::WalkRequest& req, MemServer& mem, uint32_t latency,
                Stimulus* stim) override {
    if (latency < 1) throw std::invalid_argument("memory latency must be at least 1 cycle");
    RtlResult out;
    V& m = *m_;
    Verilated::threadContextp(&ctx_);  // where a failed assertion reports (gotError)
    m.mem_rsp_valid = 0;
    m.rsp_ready = 0;
    for (unsigned i = 0; i < 16 && !m.req_ready; ++i) tick();
    if (!m.req_ready) {  // a broken walker that never went back to idle
      out.hung = true;
      out.protocol = "req_ready low at walk start";
      return out;
    }
    m.req_valid = 1;
    drive(RequestNoise{req.va, roots.hroot, roots.groot, roots.nroot, roots.sroot, roots.croot,
                       static_cast<uint8_t>(req.access), static_cast<uint8_t>(req.user), static_cast<uint8_t>(req.mode),
                       static_cast<uint8_t>(roots.croot_is_gpa)});
    tick();  // request handshake edge
    const uint64_t t0 = cycle_;
    m.req_valid = 0;
    auto violation = [&out](const char* what) {
      if (out.protocol.empty()) out.protocol = what;
    };
    const bool noise = stim && stim->noise();
    const uint64_t cut = stim ? stim->reset_after() : 0;
    constexpr uint64_t kNone = ~0ull;
    uint64_t due = kNone, value = 0;  // edge of the outstanding response, and its data
    bool waiting = false;             // a request was valid and not accepted at the last edge
    pt::MemRef held;                  // that request
    bool result_seen = false;
    unsigned quiet = 0;                              // cycles with nothing valid and nothing outstanding
    PortState wait_state = PortState::FirstDimWait;  // while a reference is outstanding
    for (;;) {
      // Outputs are registered: they hold what the last edge produced. Decide the inputs for the
      // next edge from them, then clock.
      const uint64_t next_edge = cycle_ + 1;
      if (noise) drive(stim->draw());
      if (cut && cycle_ - t0 == cut) {
        reset_mid_walk(out);
        return out;
      }
      const bool rr = mem.rsp_ready();
      m.rsp_ready = rr;
      const PortState ps = port_state(due != kNone, wait_state);
      m.req_valid = mem.request_while_busy();
      if (m.req_valid && m.req_ready) violation("req_ready high while a walk runs");
      if (m.req_valid && !m.req_ready) ++out.stalls[size_t(Stall::Request)][size_t(ps)];
      if (m.rsp_valid && !rr) ++out.stalls[size_t(Stall::Result)][size_t(ps)];
      if (due != kNone && next_edge != due) ++out.stalls[size_t(Stall::MemResponse)][size_t(ps)];
      if (m.rsp_valid) {
        result_seen = true;
        if (due != kNone || m.mem_req_valid) violation("result valid while the memory port is busy");
        if (rr) break;  // the result handshake happens at next_edge
        ++out.stall_cycles;
      } else if (result_seen) {
        violation("rsp_valid dropped before the result was taken");
      }
      const bool valid = m.mem_req_valid;
      pt::MemRef ref{m.mem_req_addr,
                     static_cast<pt::Port>(m.mem_req_port),
                     static_cast<pt::Table>(m.mem_req_table),
                     static_cast<uint8_t>(m.mem_req_level),
                     m.mem_req_write != 0,
                     0,
                     m.mem_req_write ? static_cast<uint64_t>(m.mem_req_wdata) : 0};
      if (waiting && (!valid || ref.addr != held.addr || ref.port != held.port || ref.table != held.table ||
                      ref.level != held.level || ref.write != held.write || ref.data != held.data))
        violation("memory request withdrawn or changed before it was accepted");
      if (valid && due != kNone) violation("memory request while another is outstanding");
      const bool ready = mem.req_ready();
      m.mem_req_ready = mem.ready_seen_by_rtl(ready);
      waiting = false;
      if (valid && ready) {  // accepted at next_edge
        const unsigned index = out.nrefs;
        if (ref.write) {
          ref.old = mem.write(ref, index);
          value = 0;
          ++out.nwrites;
        } else {
          value = mem.read(ref, index);
        }
        if (index < pt::kMaxRefs) out.r.refs[index] = ref;
        wait_state = ref.write                      ? PortState::WriteWait
                     : ref.port == pt::Port::Nested ? PortState::NestedWait
                                                    : PortState::FirstDimWait;
        const uint32_t lat = std::max<uint32_t>(1, mem.latency(index, latency));
        out.mem_cycles += lat;
        due = next_edge + lat + mem.extra_latency(index);
        ++out.nrefs;
      } else if (valid) {
        waiting = true;
        held = ref;
        ++out.stall_cycles;
        ++out.stalls[size_t(Stall::MemRequest)][size_t(ps)];
      }
      m.mem_rsp_valid = next_edge == due;
      m.mem_rsp_data = next_edge == due ? value : 0xdeadbeefdeadbeefull;  // garbage unless valid
      if (next_edge == due) due = kNone;
      quiet = (valid || due != kNone || m.mem_rsp_valid || m.rsp_valid) ? 0 : quiet + 1;
      if (quiet > 16 || out.nrefs > 4 * pt::kMaxRefs || cycle_ - t0 > 1000000) {
        out.hung = true;
        break;
      }
      tick();
      if (ctx_.gotError() && out.assertion.empty()) out.assertion = "failed at cycle " + std::to_string(cycle_ - t0);
    }
    m.mem_rsp_valid = 0;
    m.mem_req_ready = 0;
    out.r.nrefs = static_cast<uint8_t>(out.nrefs < pt::kMaxRefs ? out.nrefs : pt::kMaxRefs);
    out.r.nwrites = static_cast<uint8_t>(out.nwrites < pt::kMaxRefs ? out.nwrites : pt::kMaxRefs);
    if (out.hung) {
      m.req_valid = 0;
      m.rsp_ready = 1;  // let a walker stuck in its result state go back to idle
      tick();
      m.rsp_ready = 0;
      return out;
    }
    out.cycles = cycle_ + 1 - t0;  // the result handshake happens at the next edge
    out.r.ok = m.rsp_ok;
    out.r.tr.hpa = m.rsp_hpa;
    out.r.tr.gpa = m.rsp_gpa;
    out.r.tr.size = static_cast<pt::PageSize>(m.rsp_size);
    out.r.tr.perms = pt::Perms{(m.rsp_perms & 4) != 0, (m.rsp_perms & 2) != 0, (m.rsp_perms & 1) != 0};
    out.r.switch_level = static_cast<int8_t>(m.rsp_switch_level);
    out.r.fault = pt::Fault{static_cast<pt::Stage>(m.rsp_fault_stage), static_cast<pt::FaultKind>(m.rsp_fault_kind),
                            static_cast<uint8_t>(m.rsp_fault_level), m.rsp_fault_addr, m.rsp_fault_code};
    tick();  // result handshake (rsp_ready is high; req_valid, if high, meets S_DONE/S_FAULT)
    if (ctx_.gotError() && out.assertion.empty()) out.assertion = "failed at cycle " + std::to_string(cycle_ - t0);
    m.rsp_ready = 0;
    m.req_valid = 0;
    return out;
  }

 private:
  // The walker state as the ports show it (see PortState).
  PortState port_state(bool outstanding, PortState wait) const {
    const V& m = *m_;
    if (m.rsp_valid) return m.rsp_ok ? PortState::Done : PortState::Fault;
    if (m.mem_req_valid)
      return m.mem_req_write ? PortState::Write : m.mem_req_port ? PortState::NestedRead : PortState::FirstDimRead;
    return outstanding ? wait : PortState::Idle;
  }

  // Puts values on every request-side input (the request with its roots, or noise).
  void drive(const RequestNoise& n) {
    V& m = *m_;
    m.req_va = n.va;
    m.req_access = n.access;
    m.req_user = n.user;
    m.req_mode = n.mode;
    m.hroot = n.hroot;
    m.groot = n.groot;
    m.nroot = n.nroot;
    m.sroot = n.sroot;
    m.croot = n.croot;
    m.croot_is_gpa = n.croot_is_gpa;
  }
  // rst_n low for one edge (the interconnect resets too: nothing outstanding, no ready); then the
  // walker must be idle: ready for a request, no memory request, no result.
  void reset_mid_walk(RtlResult& out) {
    V& m = *m_;
    out.reset = true;
    m.rst_n = 0;
    m.mem_rsp_valid = 0;
    m.mem_req_ready = 0;
    m.rsp_ready = 0;
    tick();
    m.rst_n = 1;
    m.eval();
    if (!m.req_ready || m.mem_req_valid || m.rsp_valid)
      out.protocol = "not idle after a reset in the middle of the walk";
    if (ctx_.gotError() && out.assertion.empty()) out.assertion = "failed around the reset";
  }

  void tick() {
    m_->clk = 0;
    m_->eval();
    if (vcd_) vcd_->dump(2 * cycle_ + 1);
    m_->clk = 1;
    m_->eval();
    ++cycle_;
    if (vcd_) vcd_->dump(2 * cycle_);
  }

  pt::Format fmt_;
  VerilatedContext ctx_;
  std::unique_ptr<V> m_;
  std::unique_ptr<Tfile> vcd_;
  uint64_t cycle_ = 0;
};

}  // namespace

std::unique_ptr<RtlWalker> RtlWalker::create(unsigned levels) {
  return create(levels == 5 ? "l5" : levels == 4 ? "l4" : "?");
}

std::unique_ptr<RtlWalker> RtlWalker::create(const std::string& config, TraceFormat trace, uint64_t random_init) {
  const bool fst = trace == TraceFormat::Fst;
#ifndef AGILEMMU_RTL_NO_FST
#define AGILEMMU_FST_WALKER(name, fmt) \
  return std::make_unique<RtlWalkerT<Vwalker_##name##_fst, VerilatedFstC>>(fmt, random_init);
#else
#define AGILEMMU_FST_WALKER(name, fmt) \
  throw std::invalid_argument("this build has no FST-traced walker (AGILEMMU_RTL_FST=OFF)");
#endif
#define AGILEMMU_CREATE_WALKER(name, ...)                                                           \
  if (config == #name) {                                                                            \
    const pt::Format fmt{__VA_ARGS__};                                                              \
    if (!fst) return std::make_unique<RtlWalkerT<Vwalker_##name, VerilatedVcdC>>(fmt, random_init); \
    AGILEMMU_FST_WALKER(name, fmt)                                                                  \
  }
  AGILEMMU_WALKER_CONFIGS(AGILEMMU_CREATE_WALKER)
#undef AGILEMMU_CREATE_WALKER
#undef AGILEMMU_FST_WALKER
  throw std::invalid_argument("no RTL walker build '" + config + "' (have " AGILEMMU_WALKER_CONFIG_NAMES ")");
}

}  // namespace agilemmu::cosim
