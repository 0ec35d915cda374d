// agilemmu-unit-cosim: the RTL walk unit against the SystemC Mmu (tb/cosim/unit_cosim.h).
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <systemc>

#include "cosim/unit_cosim.h"

namespace {
int usage() {
  std::fprintf(stderr,
               "usage: agilemmu-unit-cosim [--rtl NAME] [--requests N] [--seed S] [--latency L] "
               "[--mode agile|nested|shadow] [--load PCT] [--reuse PCT] [--flush PERMILLE] [--mem-stall PCT] "
               "[--rsp-stall PCT] [--inject latency|flush|priority] [--coverage FILE.json]\n"
               "  builds: %s\n",
               agilemmu::cosim::unit::config_names().c_str());
  return 2;
}
}  // namespace

int sc_main(int argc, char** argv) {
  using namespace agilemmu;
  cosim::unit::Options o;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--verbose") {
        o.verbose = true;
        continue;
      }
      if (i + 1 >= argc) return usage();
      const std::string v = argv[++i];
      if (a == "--rtl")
        o.rtl = v;
      else if (a == "--requests")
        o.requests = std::stoull(v);
      else if (a == "--seed")
        o.seed = std::stoull(v);
      else if (a == "--latency")
        o.latency = static_cast<uint32_t>(std::stoul(v));
      else if (a == "--load")
        o.load = static_cast<unsigned>(std::stoul(v));
      else if (a == "--reuse")
        o.reuse = static_cast<unsigned>(std::stoul(v));
      else if (a == "--flush")
        o.flush_permille = static_cast<unsigned>(std::stoul(v));
      else if (a == "--mem-stall")
        o.mem_stall = static_cast<unsigned>(std::stoul(v));
      else if (a == "--rsp-stall")
        o.rsp_stall = static_cast<unsigned>(std::stoul(v));
      else if (a == "--coverage")
        o.coverage = v;
      else if (a == "--inject")
        o.inject = v;
      else if (a == "--mode") {
        if (v == "agile")
          o.mode = pt::Mode::Agile;
        else if (v == "nested")
          o.mode = pt::Mode::Nested;
        else if (v == "shadow")
          o.mode = pt::Mode::Shadow;
        else
          return usage();
      } else
        return usage();
    }
    // (a port or the result channel stalled in every cycle would never make progress)
    if (o.latency < 1 || o.load > 100 || o.reuse > 100 || o.mem_stall > 90 || o.rsp_stall > 90 ||
        (!o.inject.empty() && o.inject != "latency" && o.inject != "flush" && o.inject != "priority"))
      return usage();
    return cosim::unit::run(o) == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "agilemmu-unit-cosim: %s\n", e.what());
    return 2;
  }
}
