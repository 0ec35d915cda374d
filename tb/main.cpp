// agilemmu: the command-line front end. Subcommands live in tb/cli/.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include <agilemmu/version.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "config/yaml_reader.h"
#ifdef AGILEMMU_HAVE_COSIM
#include "cosim/cosim.h"
#endif

namespace {
void usage(FILE* f) {
  std::fputs(
      "usage: agilemmu [run] [CONFIG.yaml] [--set key=value]... [--json FILE] [--csv FILE] [--vcd waveforms/NAME]\n"
      "                     [--quiet] [--no-host-timing]            run a simulation (default config if none)\n"
      "       agilemmu run --list-stats [--markdown]              every statistic --json writes, with unit and "
      "meaning\n"
      "       agilemmu walk [CONFIG.yaml] --va ADDR [--access read|write|fetch] [--user] [--host]\n"
      "                     [--sum] [--mxr] (RISC-V status bits)\n"
      "                     [--set key=value]... [--json] [--repeat N] [--process NAME]\n"
      "                                                            show one walk, its reads and A/D writes\n"
      "       agilemmu trace convert IN.lackey OUT.bin | trace info FILE   convert or describe a trace\n"
      "       agilemmu cosim [--walks N] [--seed S] [--latency L] [--rtl l4|l5|mix] [--fst FILE|--vcd FILE]\n"
      "                     [--backpressure] [--inject-bug selector|present|latency|ready]\n"
      "                     [--directed] [--coverage FILE.json]\n"
      "                                                            RTL walker vs the golden walk\n"
      "       agilemmu sweep SWEEP.yaml [--jobs N] [--out results.csv] [--resume] [--quiet] [--no-plots]\n"
      "                     [--emit-jobs FILE [--dir DIR]] [--merge DIR] [--dry-run] [--set key=value]...\n"
      "                                                            run a parameter sweep (docs/sweeps.md)\n"
      "       agilemmu --version                                   print the version\n"
      "Exit codes: 0 ok, 1 fault/mismatch/model error, 2 bad usage or bad input.\n",
      f);
}
}  // namespace

int main(int argc, char** argv) {
  using namespace agilemmu::cli;
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);  // keep stdout to our own output
  const std::string cmd = argc > 1 ? argv[1] : "run";
  try {
    if (cmd == "--version") {
      std::printf("agilemmu %s\n", AGILEMMU_VERSION);
      return kExitOk;
    }
    // `agilemmu --help` and `agilemmu SUBCOMMAND --help` both print the usage.
    bool help = cmd == "-h" || cmd == "--help" || cmd == "help";
    for (int i = 2; i < argc; ++i) help |= !std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h");
    if (help) {
      usage(stdout);
      return kExitOk;
    }
    if (cmd == "walk") return walk_cmd(argc, argv);
    if (cmd == "trace") return trace_cmd(argc, argv);
    if (cmd == "cosim") {
#ifdef AGILEMMU_HAVE_COSIM
      return agilemmu::cosim::run_cli(argc - 1, argv + 1);  // its argv[0] is "cosim"
#else
      throw UsageError("cosim: this build has no RTL (configure with -DAGILEMMU_RTL=ON)");
#endif
    }
    if (cmd == "run") return run_cmd(argc, argv);
    if (cmd == "sweep") return sweep_cmd(argc, argv);
    return run_cmd(argc, argv);  // `agilemmu CONFIG.yaml ...` is `agilemmu run CONFIG.yaml ...`
  } catch (const agilemmu::config::ConfigError& e) {
    std::fprintf(stderr, "agilemmu: %s\n", e.what());
    return kExitUsage;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "agilemmu: %s\n", e.what());
    usage(stderr);
    return kExitUsage;
  } catch (const std::runtime_error& e) {  // bad input files (traces) name themselves
    std::fprintf(stderr, "agilemmu: %s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "agilemmu: error: %s\n", e.what());
    return kExitFail;
  }
}
