// Bindable checker of walker.sv's FSM (rtl/README.md, "Assertions"): the state register keeps
// its encoding, S_LOOKUP only with a PWC. Bound to every walker instance; needs walker.sv's
// internal `state` (a walker of your own leaves this file out: rtl/mutate.sh --walker).
/* verilator lint_off SYNCASYNCNET */
module walker_state_sva #(
  parameter bit PWC = 1'b0
) (
  input logic       clk,
  input logic       rst_n,
  input logic [3:0] state
);
  localparam logic [3:0] S_LOOKUP = 4'd9;  // walker.sv's state_e: S_IDLE 0 .. S_LOOKUP 9 (the last)
  state_legal: assert property (@(posedge clk) disable iff (!rst_n) state <= S_LOOKUP && (PWC || state != S_LOOKUP));
  cov_lookup: cover property (@(posedge clk) disable iff (!rst_n) state == S_LOOKUP);
endmodule
/* verilator lint_on SYNCASYNCNET */

bind walker walker_state_sva #(.PWC(PWC)) u_walker_state_sva (.*);
