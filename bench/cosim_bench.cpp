// Co-simulation speed: the full co-sim (RTL + golden walk + scoreboard + image generation), and
// the two Verilator wrapper styles driving the same walks over the same image:
//   --cc  model clocked by a plain C++ loop (what tb/cosim uses);
//   --sc  SystemC-output model in an SC_MODULE with an sc_clock and sc_signals.
// Usage: cosim_bench [--walks N] [--latency L]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <systemc>
#include <vector>

#include "Vwalker_sc.h"
#include "cosim/cosim.h"
#include "cosim/image_gen.h"
#include "cosim/rtl_walker.h"

using namespace agilemmu;
using Clock = std::chrono::steady_clock;

namespace {

struct Raw {
  double seconds = 0;
  uint64_t cycles = 0, refs = 0;
};

Raw run_cc(cosim::Image& img, const std::vector<pt::WalkRequest>& reqs, uint32_t latency) {
  auto rtl = cosim::RtlWalker::create("l4");
  cosim::PhysMemServer server(img.mem());
  Raw r;
  const uint64_t c0 = rtl->total_cycles();
  const auto t0 = Clock::now();
  for (const auto& q : reqs) r.refs += rtl->run(img.roots(), q, server, latency).nrefs;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.cycles = rtl->total_cycles() - c0;
  return r;
}

// Same handshake and memory timing as RtlWalkerT::run, as an SC_THREAD working on the falling
// edge (outputs settled after the rising edge, inputs ready for the next one).
SC_MODULE(ScBench) {
  sc_core::sc_clock clk{"clk", 1, sc_core::SC_NS};
  sc_core::sc_signal<bool> rst_n{"rst_n"}, req_valid{"req_valid"}, req_ready{"req_ready"}, req_user{"req_user"},
      croot_is_gpa{"croot_is_gpa"}, rsp_valid{"rsp_valid"}, rsp_ready{"rsp_ready"}, rsp_ok{"rsp_ok"},
      mem_req_valid{"mem_req_valid"}, mem_req_ready{"mem_req_ready"}, mem_req_port{"mem_req_port"},
      mem_req_write{"mem_req_write"}, mem_rsp_valid{"mem_rsp_valid"};
  sc_core::sc_signal<uint32_t> req_access{"req_access"}, req_mode{"req_mode"}, rsp_size{"rsp_size"},
      rsp_perms{"rsp_perms"}, rsp_switch_level{"rsp_switch_level"}, rsp_fault_stage{"rsp_fault_stage"},
      rsp_fault_kind{"rsp_fault_kind"}, rsp_fault_level{"rsp_fault_level"}, mem_req_table{"mem_req_table"},
      mem_req_level{"mem_req_level"};
  sc_core::sc_signal<uint64_t> req_va{"req_va"}, hroot{"hroot"}, groot{"groot"}, nroot{"nroot"}, sroot{"sroot"},
      croot{"croot"}, rsp_hpa{"rsp_hpa"}, rsp_gpa{"rsp_gpa"}, rsp_fault_addr{"rsp_fault_addr"},
      rsp_fault_code{"rsp_fault_code"}, mem_req_addr{"mem_req_addr"}, mem_req_wdata{"mem_req_wdata"},
      mem_rsp_data{"mem_rsp_data"};
  Vwalker_sc dut{"dut"};

  cosim::Image* img = nullptr;
  const std::vector<pt::WalkRequest>* reqs = nullptr;
  uint32_t latency = 1;
  uint64_t refs = 0, cycles = 0;

  SC_CTOR(ScBench) {
    dut.clk(clk), dut.rst_n(rst_n), dut.req_valid(req_valid), dut.req_ready(req_ready), dut.req_va(req_va);
    dut.req_access(req_access), dut.req_user(req_user), dut.req_mode(req_mode), dut.hroot(hroot), dut.groot(groot);
    dut.nroot(nroot), dut.sroot(sroot), dut.croot(croot), dut.croot_is_gpa(croot_is_gpa), dut.rsp_valid(rsp_valid);
    dut.rsp_ready(rsp_ready), dut.rsp_ok(rsp_ok), dut.rsp_hpa(rsp_hpa), dut.rsp_gpa(rsp_gpa), dut.rsp_size(rsp_size);
    dut.rsp_perms(rsp_perms), dut.rsp_switch_level(rsp_switch_level), dut.rsp_fault_stage(rsp_fault_stage);
    dut.rsp_fault_kind(rsp_fault_kind), dut.rsp_fault_level(rsp_fault_level), dut.rsp_fault_addr(rsp_fault_addr);
    dut.rsp_fault_code(rsp_fault_code), dut.mem_req_valid(mem_req_valid), dut.mem_req_ready(mem_req_ready);
    dut.mem_req_addr(mem_req_addr), dut.mem_req_port(mem_req_port), dut.mem_req_table(mem_req_table);
    dut.mem_req_level(mem_req_level), dut.mem_rsp_valid(mem_rsp_valid), dut.mem_rsp_data(mem_rsp_data);
    dut.mem_req_write(mem_req_write), dut.mem_req_wdata(mem_req_wdata);
    SC_THREAD(drive);
    sensitive << clk.negedge_event();
  }

  void drive() {
    uint64_t edge = 0;
    auto step = [&] {
      wait();
      ++edge;
    };
    rst_n = false;
    mem_req_ready = true;
    step();
    step();
    rst_n = true;
    step();
    const pt::Roots& r = img->roots();
    hroot = r.hroot, groot = r.groot, nroot = r.nroot, sroot = r.sroot, croot = r.croot, croot_is_gpa = r.croot_is_gpa;
    const uint64_t e0 = edge;
    for (const auto& q : *reqs) {
      req_valid = true;
      req_va = q.va;
      req_access = static_cast<uint32_t>(q.access);
      req_user = q.user;
      req_mode = static_cast<uint32_t>(q.mode);
      step();  // handshake
      req_valid = false;
      uint64_t due = ~0ull, value = 0;
      while (!rsp_valid.read()) {
        if (mem_req_valid.read()) {
          if (mem_req_write.read())
            img->mem().write64(mem_req_addr.read(), mem_req_wdata.read());
          else
            value = img->mem().read64(mem_req_addr.read());
          due = edge + 1 + latency;
          ++refs;
        }
        mem_rsp_valid = edge + 1 == due;
        mem_rsp_data = value;
        step();
      }
      mem_rsp_valid = false;
      rsp_ready = true;
      step();
      rsp_ready = false;
    }
    cycles = edge - e0;
    sc_core::sc_stop();
  }
};

void print(const char* what, uint64_t walks, const Raw& r) {
  std::printf("%-44s %10.0f walks/s %12.0f RTL cycles/s  (%llu walks, %llu refs, %.3f s)\n", what, walks / r.seconds,
              r.cycles / r.seconds, static_cast<unsigned long long>(walks), static_cast<unsigned long long>(r.refs),
              r.seconds);
}

}  // namespace

int sc_main(int argc, char** argv) {
  uint64_t walks = 200000;
  uint32_t latency = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--walks"))
      walks = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--latency"))
      latency = static_cast<uint32_t>(std::strtoul(argv[i + 1], nullptr, 10));
  }

  cosim::Options opt;
  opt.walks = walks;
  opt.latency = latency;
  std::ostream devnull(nullptr);
  const cosim::Summary s = cosim::run(opt, devnull);
  print("co-sim (RTL + golden + scoreboard + images)", s.walks, Raw{s.seconds, s.rtl_cycles, s.refs});
  if (s.mismatches) std::printf("WARNING: %llu mismatches\n", static_cast<unsigned long long>(s.mismatches));

  // Wrapper comparison: identical walks over identical images (walks write A/D, so each wrapper
  // gets its own copy), no golden model.
  cosim::Image img(pt::Format{4, 4, 52, 52, true}, 1);
  cosim::Image img_sc(pt::Format{4, 4, 52, 52, true}, 1);
  cosim::Image req_src(pt::Format{4, 4, 52, 52, true}, 1);  // same seed: same request stream
  std::vector<pt::WalkRequest> reqs(walks);
  for (auto& q : reqs) q = req_src.next_request();
  const Raw cc = run_cc(img, reqs, latency);
  print("RTL only, --cc + C++ driver", walks, cc);

  // The --sc model uses the thread's context; the --cc models before set it to their own
  // (now deleted) contexts, so install a fresh one.
  VerilatedContext sc_ctx;
  Verilated::threadContextp(&sc_ctx);
  ScBench bench("bench");
  bench.img = &img_sc;
  bench.reqs = &reqs;
  bench.latency = latency;
  const auto t0 = Clock::now();
  sc_core::sc_start();
  Raw sc{std::chrono::duration<double>(Clock::now() - t0).count(), bench.cycles, bench.refs};
  print("RTL only, --sc SC_MODULE + sc_clock", walks, sc);
  std::printf("same references in both wrappers: %s\n", sc.refs == cc.refs ? "yes" : "NO");
  return sc.refs == cc.refs && s.mismatches == 0 ? 0 : 1;
}
