// Functional walk throughput (no SystemC): uncached walks per second per paging mode over a
// 64 MiB guest heap of 4 KiB pages, random addresses. This is the bare limit the SystemC model
// is compared against. Ratios are against native measured in the same run (machines are noisy).
//   walk_bench [--seconds S] [--seed N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include <agilemmu/pt/walk.h>
#include <agilemmu/vmm/address_space.h>

using namespace agilemmu;

int main(int argc, char** argv) {
  double seconds = 0.5;
  uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seconds"))
      seconds = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--seed"))
      seed = std::strtoull(argv[i + 1], nullptr, 0);
  }
  pt::PhysMem mem;
  pt::Format fmt;
  vmm::AddressSpace as(mem, fmt);
  const uint64_t base = 0x10000000, size = 64ull << 20;
  for (uint64_t va = base; va < base + size; va += 4096) as.guest_map(va, pt::PageSize::k4K, {});
  as.build_all();
  as.make_range_nested(base + size / 2, size / 2);  // agile: upper half of the heap nested at level 3

  std::mt19937_64 rng(seed);
  std::vector<uint64_t> vas(1 << 16);
  for (auto& v : vas) v = base + (rng() % size & ~7ull);

  std::printf("%-8s %14s %14s %10s %12s\n", "mode", "walks/s", "refs/s", "refs/walk", "vs native");
  double native_rate = 0;
  for (pt::Mode m : {pt::Mode::Native, pt::Mode::Shadow, pt::Mode::Nested, pt::Mode::Agile}) {
    const pt::Roots roots = as.roots();
    pt::Walk w;
    pt::WalkRequest req;
    req.mode = m;
    uint64_t walks = 0, refs = 0, sink = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
      for (int i = 0; i < 4096; ++i) {
        req.va = vas[walks & (vas.size() - 1)];
        w.start(fmt, roots, req);
        while (w.needs_mem()) {
          const pt::MemRef& r = w.next_ref();
          if (r.write)
            mem.write64(r.addr, r.data), w.feed(0);
          else
            w.feed(mem.read64(r.addr));
        }
        sink ^= w.result().tr.hpa;
        refs += w.result().nrefs;
        ++walks;
      }
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (elapsed < seconds);
    const double rate = walks / elapsed;
    if (m == pt::Mode::Native) native_rate = rate;
    std::printf("%-8s %14.0f %14.0f %10.2f %11.2fx%s\n", pt::to_string(m), rate, refs / elapsed, double(refs) / walks,
                rate / native_rate, sink == 42 ? " " : "");
  }
  return 0;
}
