// Runs the Verilated SystemVerilog testbench (tb_walker_dpi.sv) under its own timing: the clock
// and all waiting are the testbench's (--timing); this advances time to the next event.
//
// The exit status is the verdict: 0 only when the testbench reached its $finish and reported 0
// mismatches (tb_verdict); 1 otherwise (a mismatch, a $fatal, or an end without $finish). After
// a mismatch the testbench runs again in this process with the FST trace dumping the failing walk
// only (tb_wave), and the waveform and a one-line command reproducing the failure are printed.
// A custom main because Verilator 5.006's --binary main aborts on $fatal without closing the
// trace, and the testbench cannot switch dumping on and off itself ($dumpoff is compiled away).
// Verilator 5.006 also ends the process with exit(0) at a $finish that follows a $stop or a
// failed assertion; the exit handler below turns any exit before a passing verdict into 1.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "Vtb_walker_dpi.h"
#include "Vtb_walker_dpi__Dpi.h"
#include "verilated.h"
#include "verilated_fst_c.h"

namespace {

struct Verdict {
  bool reported = false;
  int mismatches = 0;
  int walk = -1;
  std::string wave;
};
Verdict g_verdict;
bool g_dump = false;
int g_status = 1;  // what the process exits with, whoever calls exit(); 0 only once main passed

void keep_status() {
  if (g_status != 0) {
    std::fflush(nullptr);
    std::_Exit(g_status);
  }
}

// One run of the testbench with the command line plus `extra` plusargs; traces into `wave` when
// given (dumping only while the testbench says so). False when it ended without $finish or with
// an error.
bool run(int argc, char** argv, const std::vector<std::string>& extra, const std::string& wave) {
  g_verdict = {};
  g_dump = false;
  const auto ctx = std::make_unique<VerilatedContext>();
  ctx->commandArgs(argc, argv);
  for (const std::string& a : extra) {
    const char* p = a.c_str();
    ctx->commandArgsAdd(1, &p);
  }
  ctx->fatalOnError(false);  // $fatal ends the run (gotError) instead of abort()
  if (!wave.empty()) ctx->traceEverOn(true);
  const auto top = std::make_unique<Vtb_walker_dpi>(ctx.get(), "tb");
  std::unique_ptr<VerilatedFstC> tfp;
  if (!wave.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(wave).parent_path(), ec);
    tfp = std::make_unique<VerilatedFstC>();
    top->trace(tfp.get(), 99);
    tfp->open(wave.c_str());
  }
  while (!ctx->gotFinish() && !ctx->gotError()) {
    top->eval();
    if (tfp && g_dump) tfp->dump(ctx->time());
    if (!top->eventsPending()) break;
    ctx->time(top->nextTimeSlot());
  }
  top->final();
  if (tfp) tfp->close();
  return ctx->gotFinish() && !ctx->gotError();
}

// The command line that reruns up to the failing walk (its waveform is written again).
std::string reproduce(int argc, char** argv, int walk) {
  std::string cmd = argv[0];
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("+walks=", 0) != 0 && a.rfind("+wave_walk=", 0) != 0) cmd += " " + a;
  }
  return cmd + " +walks=" + std::to_string(walk + 1);
}

}  // namespace

void tb_verdict(int mismatches, int walk, const char* wave) {
  g_verdict.reported = true;
  g_verdict.mismatches = mismatches;
  g_verdict.walk = walk;
  g_verdict.wave = wave ? wave : "";
}

void tb_wave(int on) { g_dump = on != 0; }

int main(int argc, char** argv) {
  std::atexit(keep_status);
  const bool finished = run(argc, argv, {}, "");
  const Verdict v = g_verdict;
  if (!finished || !v.reported) {
    std::printf("FAILED: the testbench ended without a verdict ($fatal or no $finish)\n");
    return 1;
  }
  if (v.mismatches == 0) {
    g_status = 0;
    return 0;
  }
  if (v.mismatches < 0) {
    std::printf("FAILED: the testbench could not run (see the error above)\n");
    return 1;
  }
  if (v.walk >= 0 && !v.wave.empty()) {
    std::printf("replaying walk %d with tracing on:\n", v.walk);
    std::fflush(stdout);
    run(argc, argv, {"+wave_walk=" + std::to_string(v.walk)}, v.wave);
    const bool again = g_verdict.reported && g_verdict.walk == v.walk;
    std::printf("  waveform: %s (walk %d%s)\n", v.wave.c_str(), v.walk,
                again ? "" : "; WARNING: the replay did not fail at the same walk");
    std::printf("  reproduce: %s\n", reproduce(argc, argv, v.walk).c_str());
  }
  std::printf("FAILED: %d mismatches\n", v.mismatches);
  return 1;
}
