// Runs the Verilated SystemVerilog testbench (tb_walker_dpi.sv) under its own timing: the clock
// and all waiting are the testbench's (--timing); this only advances time to the next event.
#include <memory>

#include "Vtb_walker_dpi.h"
#include "verilated.h"

int main(int argc, char** argv) {
  const auto ctx = std::make_unique<VerilatedContext>();
  ctx->commandArgs(argc, argv);
  ctx->fatalOnError(false);  // $fatal ends the run with exit code 1 instead of abort()
  const auto top = std::make_unique<Vtb_walker_dpi>(ctx.get(), "tb");
  while (!ctx->gotFinish()) {
    top->eval();
    if (!top->eventsPending()) break;
    ctx->time(top->nextTimeSlot());
  }
  top->final();
  return ctx->gotError() || !ctx->gotFinish() ? 1 : 0;
}
