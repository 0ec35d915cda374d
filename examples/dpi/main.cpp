// Runs the Verilated testbench (walker_tb.sv keeps its own clock: --timing). The exit status is
// the testbench's verdict, which it reports through walker_tb_verdict (a DPI-C import): with
// Verilator 5.006 a $fatal neither sets the exit status of a custom main nor survives a later
// $finish (that one exits 0), so the verdict does not depend on them.
#include <cstdio>
#include <memory>

#include "Vwalker_tb.h"
#include "Vwalker_tb__Dpi.h"
#include "verilated.h"

namespace {
int g_errors = -1;  // no verdict yet
}

void walker_tb_verdict(int errors) { g_errors = errors; }

int main(int argc, char** argv) {
  const auto ctx = std::make_unique<VerilatedContext>();
  ctx->commandArgs(argc, argv);
  const auto top = std::make_unique<Vwalker_tb>(ctx.get(), "tb");
  while (!ctx->gotFinish()) {
    top->eval();
    if (!top->eventsPending()) break;
    ctx->time(top->nextTimeSlot());
  }
  top->final();
  if (g_errors != 0) std::printf("FAILED (%d errors)\n", g_errors);
  return g_errors == 0 ? 0 : 1;
}
