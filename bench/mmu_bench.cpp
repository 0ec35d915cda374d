// Simulation speed next to the floors it cannot beat, all measured in one run of this program.
//   mmu_bench [--accesses N] [--records N] [--only lt_hit|lt_hit_dmi|lt_walk|at_hit|at_hit_dmi]
// Each SystemC case runs in a child process (SystemC cannot restart inside one); every case is
// run three times and the best is kept. Printed: the rate, the ratio to the case's floor, and the
// target from issue 16.
//
// Floors: pt::walk on the same tables, nested, uncached; the LT floor: the same initiator
// straight into a memory that only answers (b_transport and a quantum keeper); the AT floor: a
// thread that calls wait() once per transaction; the raw decoding rate of each trace format.
//
// Model cases: the Mmu alone (LT TLB-hit stream; LT nested with every cache off, each access a
// 24-reference walk; AT TLB-hit stream with 4 in flight) into a memory that answers in a fixed
// time; the LT and AT TLB-hit streams again with a data memory that grants DMI (no second TLM
// hop; in AT the hits are answered without a thread). End to end, the `agilemmu run` code path (sys::System: traffic
// generator, Mmu, VMM, page-table cache, DRAM): a binary trace replay of a real program (tests/fuzz/corpus/trace/
// ls-head.lackey, /bin/ls's first references, repeated until --records and converted to the
// binary format in a temporary directory: almost every access is a TLB hit), the walk-heavy
// configs/scenarios/mixed.yaml in LT and in AT (4 walkers, 8 in flight), the embedded default
// config with 200k accesses and the share of its run spent setting up (also for mixed), and, when the RTL is built, the
// co-simulation against the Verilated walker alone with a C++ driver.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <systemc>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <vector>

#include <agilemmu/mmu/mmu.h>
#include <agilemmu/vmm/address_space.h>

#include "config/config.h"
#include "sys/stream_cpu.h"
#include "sys/system.h"
#include "sys/workload.h"
#ifdef AGILEMMU_HAVE_COSIM
#include "cosim/cosim.h"
#include "cosim/image_gen.h"
#include "cosim/rtl_walker.h"
#endif

using namespace agilemmu;
using namespace sc_core;
using Clock = std::chrono::steady_clock;

int sc_main(int, char**) { return 0; }

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

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

// The data memory of the AT hit case with DMI: one buffer over [base, base + bytes), granted
// read-write. Data bytes only: the tables stay in the PhysMem of the walk ports' memory.
struct DmiDataMemory : sc_module {
  tlm_utils::multi_passthrough_target_socket<DmiDataMemory> socket{"socket"};
  uint64_t base;
  std::vector<unsigned char> bytes;
  const sc_time latency{10, SC_NS};
  DmiDataMemory(sc_module_name n, uint64_t lo, uint64_t size) : sc_module(n), base(lo), bytes(size) {
    socket.register_b_transport(this, &DmiDataMemory::b_transport);
    socket.register_get_direct_mem_ptr(this, &DmiDataMemory::dmi);
  }
  void b_transport(int, tlm::tlm_generic_payload& t, sc_time& d) {
    unsigned char* p = bytes.data() + (t.get_address() - base);
    if (t.is_read())
      std::memcpy(t.get_data_ptr(), p, t.get_data_length());
    else
      std::memcpy(p, t.get_data_ptr(), t.get_data_length());
    d += latency;
    t.set_dmi_allowed(true);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  bool dmi(int, tlm::tlm_generic_payload&, tlm::tlm_dmi& d) {
    d.set_dmi_ptr(bytes.data());
    d.set_start_address(base);
    d.set_end_address(base + bytes.size() - 1);
    d.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_READ_WRITE);
    d.set_read_latency(latency);
    d.set_write_latency(latency);
    return true;
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

// What a child reports: a rate (per host second of simulation) and, for System runs, the share
// of the whole run spent building it (tables, modules) before sc_start.
struct Result {
  double rate = 0, setup_share = 0;
};

Result lt_floor(uint64_t n) {
  std::vector<uint64_t> vas(1, 0x1000);
  NullMemory mem("mem");
  sys::StreamCpu cpu("cpu", vas, n, false, 1);
  cpu.socket.bind(mem.socket);
  const auto t0 = Clock::now();
  sc_start();
  return {cpu.completed / since(t0)};
}

Result wait_floor(uint64_t n) {
  WaitLoop loop("loop", n);
  const auto t0 = Clock::now();
  sc_start();
  return {loop.done / since(t0)};
}

enum class MmuCase { LtHit, LtHitDmi, LtWalk, AtHit, AtHitDmi };

Result mmu_alone(MmuCase which, uint64_t n) {
  const bool uncached = which == MmuCase::LtWalk, at = which == MmuCase::AtHit || which == MmuCase::AtHitDmi;
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
  // The data pages' span in host memory, for the DMI case's buffer.
  uint64_t lo = ~0ull, hi = 0;
  for (uint64_t va : s.vas) {
    uint64_t hpa;
    pt::Perms p;
    pt::PageSize z;
    s.as.translate(va, hpa, p, z);
    lo = std::min<uint64_t>(lo, hpa & ~0xfffull), hi = std::max<uint64_t>(hi, (hpa | 0xfff) + 1);
  }
  std::unique_ptr<DmiDataMemory> dmi_mem;
  if (which == MmuCase::AtHitDmi || which == MmuCase::LtHitDmi) {
    dmi_mem = std::make_unique<DmiDataMemory>("dmi_mem", lo, hi - lo);
    m.data.bind(dmi_mem->socket);
  } else {
    m.data.bind(mem.socket);
  }
  m.compound_port.bind(mem.socket);
  m.nested_port.bind(mem.socket);
  m.set_roots(mmu::Context{1, 1, false}, s.as.roots());
  const auto t0 = Clock::now();
  sc_start();
  return {double(uncached ? m.stats().walks : m.stats().requests) / since(t0)};
}

// `agilemmu run CONFIG --set ...` (no CONFIG: the embedded default): the same System the command line builds and runs.
// The rate is the one `agilemmu run` reports (accesses per host second of sc_start).
Result system_run(const std::string& config, const std::vector<std::string>& sets) {
  const auto t0 = Clock::now();
  const config::Config cfg =
      config.empty() ? config::load_text(config::default_config_yaml(), "<default>", sets) : config::load(config, sets);
  sys::System s(cfg);
  const double setup = since(t0);
  const auto t1 = Clock::now();
  s.run();
  const double run = since(t1);
  const nlohmann::json j = s.statistics(false, false);
  return {j["accesses"].get<double>() / run, setup / (setup + run)};
}

double bare_nested_walks(double seconds) {
  Setup s(4096, false);
  pt::WalkRequest r;
  r.mode = pt::Mode::Nested;
  const pt::Roots roots = s.as.roots();
  uint64_t n = 0;
  const auto t0 = Clock::now();
  double el = 0;
  do {
    for (int i = 0; i < 4096; ++i, ++n) {
      r.va = s.vas[n & (s.vas.size() - 1)];
      if (!pt::walk(s.mem, s.fmt, roots, r).ok) std::abort();
    }
    el = since(t0);
  } while (el < seconds);
  return n / el;
}

// Raw decoding: every record of the file through the reader, nothing else.
Result decode(const std::string& path) {
  const auto t0 = Clock::now();
  auto src = sys::open_trace(path);
  sys::WorkloadOp it;
  uint64_t n = 0, sum = 0;
  while (src->next(it)) ++n, sum += it.va;
  const double s = since(t0);
  if (sum == 42) std::puts("");  // keeps the loop's work observable
  return {n / s};
}

#ifdef AGILEMMU_HAVE_COSIM
// Simulated RTL cycles per host second: the co-simulation (RTL + golden walk + scoreboard + its
// random images) or the Verilated walker alone driven by a plain C++ loop over the same kind of
// walks. Cycles, not walks: the two draw different walks (different lengths).
Result cosim_run(uint64_t walks) {
  cosim::Options opt;
  opt.walks = walks;
  std::ostream devnull(nullptr);
  const cosim::Summary s = cosim::run(opt, devnull);
  if (s.mismatches) std::abort();
  return {s.rtl_cycles / s.seconds};
}

Result rtl_alone(uint64_t walks) {
  const pt::Format fmt{4, 4, 52, 52, true};
  cosim::Image img(fmt, 1), req_src(fmt, 1);
  std::vector<pt::WalkRequest> reqs(walks);
  for (auto& q : reqs) q = req_src.next_request();
  auto rtl = cosim::RtlWalker::create("l4");
  cosim::PhysMemServer server(img.mem());
  const uint64_t c0 = rtl->total_cycles();
  const auto t0 = Clock::now();
  for (const auto& q : reqs) rtl->run(img.roots(), q, server, 1);
  return {(rtl->total_cycles() - c0) / since(t0)};
}
#endif

// Runs `f` in a child process three times; the best rate (and the smallest set-up share).
Result best_of_three(const std::function<Result()>& f) {
  Result best;
  best.setup_share = 1;
  for (int rep = 0; rep < 3; ++rep) {
    int fd[2];
    if (pipe(fd)) std::abort();
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
      const Result r = f();
      if (write(fd[1], &r, sizeof r) != sizeof r) _exit(1);
      _exit(0);
    }
    Result r{-1, 1};
    if (read(fd[0], &r, sizeof r) != sizeof r) r = Result{-1, 1};
    int status = 0;
    waitpid(pid, &status, 0);
    close(fd[0]), close(fd[1]);
    if (r.rate > best.rate) best.rate = r.rate;
    if (r.setup_share < best.setup_share) best.setup_share = r.setup_share;
  }
  return best;
}

// The trace files of the replay cases: ls-head.lackey repeated to `records` accesses, as text
// and converted to the binary format. Deleted at exit.
struct Traces {
  std::string dir, lackey, binary, zst;
  uint64_t records = 0;
  explicit Traces(uint64_t want) {
    char tmpl[] = "/tmp/mmu_bench.XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    dir = tmpl;
    lackey = dir + "/ls.lackey";
    binary = dir + "/ls.bin";
    zst = dir + "/ls.bin.zst";
    std::ifstream in(AGILEMMU_SOURCE_DIR "/tests/fuzz/corpus/trace/ls-head.lackey");
    const std::string head((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    uint64_t per = 0;  // accesses in one copy (M is two)
    {
      auto src = std::make_unique<sys::LackeyTraceSource>(std::make_unique<std::istringstream>(head), "ls-head");
      sys::WorkloadOp it;
      while (src->next(it)) ++per;
    }
    if (!per) std::abort();
    {
      std::ofstream out(lackey);
      for (uint64_t n = 0; n < want; n += per) out << head;
    }
    for (const std::string* out : {&binary, &zst}) {  // the same records, plain and zstd-compressed
      sys::BinaryTraceWriter w(*out);
      auto src = sys::open_trace(lackey);
      sys::WorkloadOp it;
      while (src->next(it)) w.add(it);
      w.finish();
      records = w.records();
    }
  }
  ~Traces() {
    for (const std::string* f : {&lackey, &binary, &zst}) std::remove(f->c_str());
    rmdir(dir.c_str());
  }
};

void row(const char* name, const char* unit, double rate, const char* floor_name, double floor, double target) {
  char ratio[32] = "", tgt[32] = "", met[8] = "";
  if (floor > 0) std::snprintf(ratio, sizeof ratio, "%.3fx %s", rate / floor, floor_name);
  if (target > 0) {
    std::snprintf(tgt, sizeof tgt, ">= %.2fx", target);
    std::snprintf(met, sizeof met, "%s", rate / floor >= target ? "met" : "NOT met");
  }
  std::printf("%-52s %9.2fM %-9s %-22s %-9s %s\n", name, rate / 1e6, unit, ratio, tgt, met);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t n = 4000000, records = 4000000;
  std::string only;
  for (int i = 1; i + 1 < argc; ++i) {
    if (!std::strcmp(argv[i], "--accesses")) n = std::strtoull(argv[i + 1], nullptr, 0);
    if (!std::strcmp(argv[i], "--records")) records = std::strtoull(argv[i + 1], nullptr, 0);
    if (!std::strcmp(argv[i], "--only")) only = argv[i + 1];
  }
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  // One Mmu case in this process, nothing else: for a profiler (perf record mmu_bench --only lt_hit).
  if (!only.empty()) {
    const MmuCase c = only == "lt_walk"      ? MmuCase::LtWalk
                      : only == "at_hit"     ? MmuCase::AtHit
                      : only == "at_hit_dmi" ? MmuCase::AtHitDmi
                      : only == "lt_hit_dmi" ? MmuCase::LtHitDmi
                                             : MmuCase::LtHit;
    std::printf("%s: %.2fM per second\n", only.c_str(), mmu_alone(c, n).rate / 1e6);
    return 0;
  }
  const std::string cfgdir = AGILEMMU_SOURCE_DIR "/configs/scenarios/";
  const Traces tr(records);

  const double bare = bare_nested_walks(0.5);
  const Result ltf = best_of_three([&] { return lt_floor(n); });
  const Result atf = best_of_three([&] { return wait_floor(n); });
  Result dec_lackey{0}, dec_bin{0}, dec_zst{0};
  for (int i = 0; i < 3; ++i) {
    dec_lackey.rate = std::max(dec_lackey.rate, decode(tr.lackey).rate);
    dec_bin.rate = std::max(dec_bin.rate, decode(tr.binary).rate);
    dec_zst.rate = std::max(dec_zst.rate, decode(tr.zst).rate);
  }
  const Result lt_hit = best_of_three([&] { return mmu_alone(MmuCase::LtHit, n); });
  const Result lt_hit_dmi = best_of_three([&] { return mmu_alone(MmuCase::LtHitDmi, n); });
  const Result lt_walk = best_of_three([&] { return mmu_alone(MmuCase::LtWalk, n / 8); });
  const Result at_hit = best_of_three([&] { return mmu_alone(MmuCase::AtHit, n / 2); });
  const Result at_hit_dmi = best_of_three([&] { return mmu_alone(MmuCase::AtHitDmi, n / 2); });
  const std::vector<std::string> at = {"mmu.timing=at", "mmu.walkers=4", "workload.outstanding=8"};
  const Result replay =
      best_of_three([&] { return system_run(cfgdir + "trace-ls.yaml", {"workload.trace=" + tr.binary}); });
  const Result replay_zst =
      best_of_three([&] { return system_run(cfgdir + "trace-ls.yaml", {"workload.trace=" + tr.zst}); });
  const Result replay_lackey =
      best_of_three([&] { return system_run(cfgdir + "trace-ls.yaml", {"workload.trace=" + tr.lackey}); });
  const Result mixed = best_of_three([&] { return system_run(cfgdir + "mixed.yaml", {}); });
  const Result mixed_at = best_of_three([&] { return system_run(cfgdir + "mixed.yaml", at); });
  const Result dflt = best_of_three([&] { return system_run("", {"workload.accesses=200000"}); });

  std::printf("%llu accesses per Mmu case, %llu trace records; best of three each\n", (unsigned long long)n,
              (unsigned long long)tr.records);
  std::printf("%-52s %10s %-9s %-22s %-9s %s\n", "case", "per second", "", "vs its floor", "target", "");
  std::printf("floors\n");
  row("  bare pt::walk, nested, uncached", "walks", bare, "", 0, 0);
  row("  LT floor: b_transport + quantum keeper", "trans", ltf.rate, "", 0, 0);
  row("  AT floor: one wait() per transaction", "trans", atf.rate, "", 0, 0);
  row("  decode lackey text trace", "records", dec_lackey.rate, "", 0, 0);
  row("  decode binary trace", "records", dec_bin.rate, "", 0, 0);
  row("  decode zstd binary trace", "records", dec_zst.rate, "", 0, 0);
  std::printf("Mmu alone\n");
  row("  LT, TLB-hit stream", "accesses", lt_hit.rate, "LT", ltf.rate, 0.5);
  row("  LT, TLB-hit stream, data by DMI", "accesses", lt_hit_dmi.rate, "LT", ltf.rate, 0.5);
  row("  LT, nested, no caches (24-reference walks)", "walks", lt_walk.rate, "LT", ltf.rate, 0);
  row("  AT, TLB-hit stream, 4 in flight", "accesses", at_hit.rate, "AT", atf.rate, 0.5);
  row("  AT, TLB-hit stream, 4 in flight, data by DMI", "accesses", at_hit_dmi.rate, "AT", atf.rate, 0.5);
  std::printf("end to end (agilemmu run: sys::System)\n");
  row("  LT binary trace replay (ls, TLB hits)", "accesses", replay.rate, "LT", ltf.rate, 0.25);
  row("    same, vs decoding the binary trace", "", replay.rate, "decode", dec_bin.rate, 0);
  row("  LT lackey text trace replay (ls, TLB hits)", "accesses", replay_lackey.rate, "LT", ltf.rate, 0);
  row("  LT mixed scenario (walks)", "accesses", mixed.rate, "LT", ltf.rate, 0.05);
  row("  AT mixed scenario, 4 walkers, 8 in flight", "accesses", mixed_at.rate, "AT", atf.rate, 0.15);
  row("  LT default config (agilemmu run, 200k accesses)", "accesses", dflt.rate, "LT", ltf.rate, 0);
  std::printf("  %-50s %9.1f%%  %-31s %-9s %s\n", "table set-up share of the default run (200k)",
              dflt.setup_share * 100, "of set-up + run", "<= 10%", dflt.setup_share <= 0.10 ? "met" : "NOT met");
  std::printf("  %-50s %9.1f%%  %-31s\n", "table set-up share of the LT mixed run (200k)", mixed.setup_share * 100,
              "of set-up + run");
  std::printf("  %-50s %9.1f%%  %-31s\n", "table set-up share of the AT mixed run (200k)", mixed_at.setup_share * 100,
              "of set-up + run");
  row("  LT zstd binary trace replay (.bin.zst)", "accesses", replay_zst.rate, "binary", replay.rate, 0.8);
#ifdef AGILEMMU_HAVE_COSIM
  std::printf("co-simulation (RTL cycles per second)\n");
  const Result alone = best_of_three([&] { return rtl_alone(100000); });
  const Result cos = best_of_three([&] { return cosim_run(100000); });
  row("  Verilated walker alone, C++ driver (floor)", "cycles", alone.rate, "", 0, 0);
  row("  co-sim: RTL + golden walk + scoreboard + images", "cycles", cos.rate, "RTL", alone.rate, 0.6);
#endif
  return 0;
}
