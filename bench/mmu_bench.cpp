// SystemC MMU throughput next to the bare functional walk, measured in the same run. Each
// SystemC case runs in a child process (SystemC cannot restart inside one).
//   mmu_bench [--accesses N]
// Cases: LT on a TLB-hit stream; LT with every cache disabled in nested mode (each access is a
// 24-reference walk); AT on the TLB-hit stream with 4 requests in flight. Memory answers in a
// fixed time, so the figures are the model's own cost. Baselines, measured in the same run:
// pt::walk on the same tables, nested, uncached; and the SystemC floors each timing mode cannot
// beat: the same initiator straight into a memory that does nothing (b_transport and a quantum
// keeper: the LT floor) and a thread that calls wait() once per transaction (the AT floor).
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <systemc>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <vector>

#include <agilemmu/mmu/mmu.h>
#include <agilemmu/vmm/address_space.h>

#include "sys/stream_cpu.h"

using namespace agilemmu;
using namespace sc_core;

int sc_main(int, char**) { return 0; }

namespace {

struct Setup {
  pt::PhysMem mem;
  pt::Format fmt;
  vmm::AddressSpace as{mem, fmt};
  std::vector<uint64_t> vas;
  Setup(unsigned pages, bool hit_stream) {
    for (unsigned i = 0; i < pages; ++i) as.guest_map(0x10000000 + 0x1000ull * i, pt::PageSize::k4K, {});
    as.build_all();
    uint64_t x = 88172645463325252ull;
    vas.resize(1 << 16);
    for (auto& v : vas) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      v = 0x10000000 + (hit_stream ? (x % (16 * 4096)) : (x % (uint64_t(pages) * 4096))) / 8 * 8;
    }
  }
};

// A target that only answers: what an LT request costs with no model behind it.
struct NullMemory : sc_module {
  tlm_utils::multi_passthrough_target_socket<NullMemory> socket{"socket"};
  explicit NullMemory(sc_module_name n) : sc_module(n) { socket.register_b_transport(this, &NullMemory::b_transport); }
  void b_transport(int, tlm::tlm_generic_payload& t, sc_time& d) {
    d += sc_time(1, SC_NS);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

// One wait() per transaction: the AT floor.
struct WaitLoop : sc_module {
  uint64_t n, done = 0;
  SC_HAS_PROCESS(WaitLoop);
  WaitLoop(sc_module_name nm, uint64_t count) : sc_module(nm), n(count) { SC_THREAD(run); }
  void run() {
    for (; done < n; ++done) wait(1, SC_NS);
  }
};

enum Case { kLtHit, kLtWalk, kAtHit, kLtFloor, kWaitFloor };

double run_floor(int which, uint64_t n) {
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t done = 0;
  if (which == kLtFloor) {
    std::vector<uint64_t> vas(1, 0x1000);
    NullMemory mem("mem");
    sys::StreamCpu cpu("cpu", vas, n, false, 1);
    cpu.socket.bind(mem.socket);
    sc_start();
    done = cpu.completed;
  } else {
    WaitLoop loop("loop", n);
    sc_start();
    done = loop.done;
  }
  return double(done) / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double run_case(int which, uint64_t n) {
  if (which >= kLtFloor) return run_floor(which, n);
  const bool uncached = which == kLtWalk, at = which == kAtHit;
  Setup s(uncached ? 4096 : 64, !uncached);
  mmu::MmuConfig c;
  c.mode = uncached ? pt::Mode::Nested : pt::Mode::Agile;
  c.timing = at ? mmu::Timing::AT : mmu::Timing::LT;
  c.walkers = at ? 4 : 1;
  if (uncached)
    c.l1i.geo.entries = c.l1d.geo.entries = c.l2.geo.entries = c.pwc.entries = c.npwc.entries = c.ntlb.entries = 0;
  mmu::Mmu m("mmu", c, s.fmt);
  sys::FixedMemory mem("mem", s.mem, sc_time(10, SC_NS));
  sys::StreamCpu cpu("cpu", s.vas, n, at, 4);
  cpu.socket.bind(m.cpu);
  m.data.bind(mem.socket);
  m.compound_port.bind(mem.socket);
  m.nested_port.bind(mem.socket);
  m.set_roots(mmu::Context{1, 1, false}, s.as.roots());
  const auto t0 = std::chrono::steady_clock::now();
  sc_start();
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return double(uncached ? m.stats().walks : m.stats().requests) / sec;
}

double bare_nested_walks(double seconds) {
  Setup s(4096, false);
  pt::WalkRequest r;
  r.mode = pt::Mode::Nested;
  const pt::Roots roots = s.as.roots();
  uint64_t n = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double el = 0;
  do {
    for (int i = 0; i < 4096; ++i, ++n) {
      r.va = s.vas[n & (s.vas.size() - 1)];
      if (!pt::walk(s.mem, s.fmt, roots, r).ok) std::abort();
    }
    el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } while (el < seconds);
  return n / el;
}

double in_child(int which, uint64_t n) {
  int fd[2];
  if (pipe(fd)) std::abort();
  const pid_t pid = fork();
  if (pid == 0) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    const double r = run_case(which, n);
    if (write(fd[1], &r, sizeof r) != sizeof r) _exit(1);
    _exit(0);
  }
  double r = 0;
  if (read(fd[0], &r, sizeof r) != sizeof r) r = -1;
  waitpid(pid, nullptr, 0);
  close(fd[0]), close(fd[1]);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t n = 4000000;
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], "--accesses")) n = std::strtoull(argv[i + 1], nullptr, 0);
  const double bare = bare_nested_walks(0.5);
  const double lt_floor = in_child(kLtFloor, n), wait_floor = in_child(kWaitFloor, n);
  const double lt_hit = in_child(kLtHit, n), lt_walk = in_child(kLtWalk, n / 8), at_hit = in_child(kAtHit, n / 2);
  std::printf("%-44s %12s %14s %14s\n", "case", "per second", "vs bare walk", "vs its floor");
  std::printf("%-44s %12.2fM %14s %14s\n", "bare pt::walk, nested, uncached (walks)", bare / 1e6, "1.00x", "");
  std::printf("%-44s %12.2fM %14s %14s\n", "LT floor: b_transport + quantum keeper", lt_floor / 1e6, "", "1.00x");
  std::printf("%-44s %12.2fM %14s %14s\n", "AT floor: one wait() per transaction", wait_floor / 1e6, "", "1.00x");
  std::printf("%-44s %12.2fM %13.2fx %13.3fx\n", "LT, TLB-hit stream (accesses)", lt_hit / 1e6, lt_hit / bare,
              lt_hit / lt_floor);
  std::printf("%-44s %12.2fM %13.2fx %13.3fx\n", "LT, nested, no caches (walks)", lt_walk / 1e6, lt_walk / bare,
              lt_walk / lt_floor);
  std::printf("%-44s %12.2fM %13.2fx %13.3fx\n", "AT, TLB-hit stream, 4 in flight (accesses)", at_hit / 1e6,
              at_hit / bare, at_hit / wait_floor);
  return 0;
}
