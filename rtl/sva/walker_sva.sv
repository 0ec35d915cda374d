// Bindable checker of walker.sv's port contract (rtl/README.md, "Assertions"): bound to every
// walker instance by the `bind` at the end, so every Verilator build that lists this file (with
// --assert) checks the stand-alone walker and each walker of a walk unit. Only ports are
// checked, so it binds to any walker with walker.sv's port list (rtl/mutate.sh --walker);
// walker_state_sva.sv checks walker.sv's own FSM.
//
// Written in the subset Verilator 5.006 accepts: one clocking event and `disable iff` per
// property (no `default disable iff`), no `##` delays; "in the previous cycle" is a register
// of this checker, reset with the walker. A failure prints "Assertion failed in
// TOP....u_walker_sva.NAME" and raises the simulator's error (the co-simulation reports it as a
// mismatch and exits 1).
/* verilator lint_off SYNCASYNCNET */  // rst_n is the walker's async reset and our disable
module walker_sva (
  input logic        clk,
  input logic        rst_n,
  input logic        req_valid,
  input logic        req_ready,
  input logic        rsp_valid,
  input logic        rsp_ready,
  input logic        rsp_ok,
  input logic [63:0] rsp_hpa,
  input logic [63:0] rsp_gpa,
  input logic [1:0]  rsp_size,
  input logic [2:0]  rsp_perms,
  input logic [7:0]  rsp_switch_level,
  input logic [2:0]  rsp_fault_stage,
  input logic [2:0]  rsp_fault_kind,
  input logic [2:0]  rsp_fault_level,
  input logic [63:0] rsp_fault_addr,
  input logic [63:0] rsp_fault_code,
  input logic        mem_req_valid,
  input logic        mem_req_ready,
  input logic [63:0] mem_req_addr,
  input logic        mem_req_write,
  input logic [63:0] mem_req_wdata,
  input logic        mem_req_port,
  input logic [2:0]  mem_req_table,
  input logic [2:0]  mem_req_level,
  input logic        mem_rsp_valid
);

  // What the previous cycle left: a stalled request or result (and its payload), a walk in
  // progress (request taken, result not yet), a memory request outstanding.
  logic         mem_stalled, rsp_stalled, busy, outstanding;
  logic [135:0] mem_held;
  logic [278:0] rsp_held;
  wire  [135:0] mem_now = {mem_req_addr, mem_req_write, mem_req_write ? mem_req_wdata : 64'd0, mem_req_port,
                           mem_req_table, mem_req_level};
  wire  [278:0] rsp_now = {rsp_ok, rsp_hpa, rsp_gpa, rsp_size, rsp_perms, rsp_switch_level, rsp_fault_stage,
                           rsp_fault_kind, rsp_fault_level, rsp_fault_addr, rsp_fault_code};
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      mem_stalled <= 1'b0; rsp_stalled <= 1'b0; busy <= 1'b0; outstanding <= 1'b0;
    end else begin
      mem_stalled <= mem_req_valid && !mem_req_ready;
      rsp_stalled <= rsp_valid && !rsp_ready;
      if (req_valid && req_ready) busy <= 1'b1;
      else if (rsp_valid && rsp_ready) busy <= 1'b0;
      if (mem_req_valid && mem_req_ready) outstanding <= 1'b1;
      else if (mem_rsp_valid) outstanding <= 1'b0;
    end
  end
  always_ff @(posedge clk) begin
    mem_held <= mem_now;
    rsp_held <= rsp_now;
  end

  // Memory port: a request is held until accepted, unchanged; one outstanding at a time.
  mem_req_held: assert property (@(posedge clk) disable iff (!rst_n) mem_stalled |-> mem_req_valid);
  mem_req_stable: assert property (@(posedge clk) disable iff (!rst_n) mem_stalled |-> mem_now == mem_held);
  mem_one_outstanding: assert property (@(posedge clk) disable iff (!rst_n) mem_req_valid |-> !outstanding);
  // Result: held until taken, unchanged.
  rsp_held_until_ready: assert property (@(posedge clk) disable iff (!rst_n) rsp_stalled |-> rsp_valid);
  rsp_stable: assert property (@(posedge clk) disable iff (!rst_n) rsp_stalled |-> rsp_now == rsp_held);
  // No result without a request; no memory request outside a walk or once its result is out.
  rsp_after_req: assert property (@(posedge clk) disable iff (!rst_n) rsp_valid |-> busy);
  mem_req_in_walk: assert property (@(posedge clk) disable iff (!rst_n) mem_req_valid |-> busy && !rsp_valid);
  // Ready for a request only when idle: no walk, nothing outstanding.
  req_ready_idle: assert property (@(posedge clk) disable iff (!rst_n)
                                   req_ready |-> !busy && !mem_req_valid && !outstanding && !rsp_valid);
  // The environment: a memory response only for a request outstanding.
  mem_rsp_expected: assume property (@(posedge clk) disable iff (!rst_n) mem_rsp_valid |-> outstanding);

  // What a run should reach (counted with --coverage).
  cov_mem_stall: cover property (@(posedge clk) disable iff (!rst_n) mem_req_valid && !mem_req_ready);
  cov_write_stall: cover property (@(posedge clk) disable iff (!rst_n) mem_req_valid && mem_req_write && !mem_req_ready);
  cov_rsp_stall: cover property (@(posedge clk) disable iff (!rst_n) rsp_valid && !rsp_ready);
  cov_translation: cover property (@(posedge clk) disable iff (!rst_n) rsp_valid && rsp_ready && rsp_ok);
  cov_fault: cover property (@(posedge clk) disable iff (!rst_n) rsp_valid && rsp_ready && !rsp_ok);
  cov_nested_port: cover property (@(posedge clk) disable iff (!rst_n) mem_req_valid && mem_req_ready && mem_req_port);
  cov_reset_in_walk: cover property (@(posedge clk) !rst_n && busy);
endmodule
/* verilator lint_on SYNCASYNCNET */

bind walker walker_sva u_walker_sva (.*);
