// SystemC MMU throughput next to the bare functional walk, measured in the same run. Each
// SystemC case runs in a child process (SystemC cannot restart inside one).
//   mmu_bench [--accesses N]
// Cases: LT on a TLB-hit stream; LT with every cache disabled in nested mode (each access is a
// 24-reference walk); AT on the TLB-hit stream with 4 requests in flight. Memory answers in a
// fixed time, so the figures are the model's own cost. The baseline is pt::walk on the same
// tables, nested, uncached.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <systemc>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "mmu/mmu.h"
#include "vmm/address_space.h"

using namespace agilemmu;
using namespace sc_core;

int sc_main(int, char**) { return 0; }

namespace {

struct Memory : sc_module {
  tlm_utils::multi_passthrough_target_socket<Memory> socket{"socket"};
  pt::PhysMem& mem;
  explicit Memory(sc_module_name n, pt::PhysMem& m) : sc_module(n), mem(m) {
    socket.register_b_transport(this, &Memory::b_transport);
  }
  void b_transport(int, tlm::tlm_generic_payload& t, sc_time& d) {
    if (t.is_read() && t.get_data_length() == 8) {
      const uint64_t v = mem.read64(t.get_address());
      std::memcpy(t.get_data_ptr(), &v, 8);
    }
    d += sc_time(10, SC_NS);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

// A tight initiator: one payload reused, addresses from a precomputed list.
struct Cpu : sc_module {
  tlm_utils::simple_initiator_socket<Cpu> socket{"socket"};
  std::vector<uint64_t> vas;
  uint64_t n;
  bool at;
  unsigned outstanding;
  SC_HAS_PROCESS(Cpu);
  Cpu(sc_module_name nm, std::vector<uint64_t> v, uint64_t count, bool at_, unsigned out)
      : sc_module(nm), vas(std::move(v)), n(count), at(at_), outstanding(out) {
    socket.register_nb_transport_bw(this, &Cpu::bw);
    SC_THREAD(run);
  }
  tlm::tlm_generic_payload p[16];
  mmu::MmuExtension x[16];
  uint64_t buf[16];
  unsigned inflight = 0;
  bool req_open = false;
  sc_event ev;
  tlm::tlm_sync_enum bw(tlm::tlm_generic_payload&, tlm::tlm_phase& ph, sc_time&) {
    if (ph == tlm::END_REQ) req_open = false;
    if (ph == tlm::BEGIN_RESP) req_open = false, --inflight;
    ev.notify();
    return ph == tlm::BEGIN_RESP ? tlm::TLM_COMPLETED : tlm::TLM_ACCEPTED;
  }
  void run() {
    for (int i = 0; i < 16; ++i) {
      p[i].set_data_ptr(reinterpret_cast<unsigned char*>(&buf[i]));
      p[i].set_data_length(8);
      p[i].set_streaming_width(8);
      p[i].set_command(tlm::TLM_READ_COMMAND);
      p[i].set_extension(&x[i]);
      x[i].asid = 1, x[i].vmid = 1;
    }
    tlm_utils::tlm_quantumkeeper qk;
    qk.set_global_quantum(sc_time(1, SC_US));
    qk.reset();
    for (uint64_t i = 0; i < n; ++i) {
      const unsigned s = at ? i % outstanding : 0;
      p[s].set_address(vas[i & (vas.size() - 1)]);
      if (!at) {
        sc_time d = qk.get_local_time();
        socket->b_transport(p[s], d);
        qk.set(d);
        if (qk.need_sync()) qk.sync();
        continue;
      }
      while (inflight == outstanding || req_open) wait(ev);
      tlm::tlm_phase ph = tlm::BEGIN_REQ;
      sc_time d = SC_ZERO_TIME;
      ++inflight, req_open = true;
      socket->nb_transport_fw(p[s], ph, d);
      wait(1, SC_NS);
    }
    while (inflight) wait(ev);
    for (int i = 0; i < 16; ++i) p[i].clear_extension(&x[i]);
  }
};

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

double run_case(int which, uint64_t n) {
  const bool uncached = which == 1, at = which == 2;
  Setup s(uncached ? 4096 : 64, !uncached);
  mmu::MmuConfig c;
  c.mode = uncached ? pt::Mode::Nested : pt::Mode::Agile;
  c.timing = at ? mmu::Timing::AT : mmu::Timing::LT;
  c.walkers = at ? 4 : 1;
  if (uncached) c.l1i.geo.entries = c.l1d.geo.entries = c.l2.geo.entries = c.pwc.entries = c.npwc.entries = c.ntlb.entries = 0;
  mmu::Mmu m("mmu", c, s.fmt);
  Memory mem("mem", s.mem);
  Cpu cpu("cpu", s.vas, n, at, 4);
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
  const double lt_hit = in_child(0, n), lt_walk = in_child(1, n / 8), at_hit = in_child(2, n / 2);
  std::printf("%-44s %12s %14s\n", "case", "per second", "vs bare walk");
  std::printf("%-44s %12.2fM %14s\n", "bare pt::walk, nested, uncached (walks)", bare / 1e6, "1.00x");
  std::printf("%-44s %12.2fM %13.2fx\n", "LT, TLB-hit stream (accesses)", lt_hit / 1e6, lt_hit / bare);
  std::printf("%-44s %12.2fM %13.2fx\n", "LT, nested, no caches (walks)", lt_walk / 1e6, lt_walk / bare);
  std::printf("%-44s %12.2fM %13.2fx\n", "AT, TLB-hit stream, 4 in flight (accesses)", at_hit / 1e6, at_hit / bare);
  return 0;
}
