// Bindable checker of walk_unit.sv (rtl/README.md, "Assertions"): the unit's own channels and
// arbiters; each of its walkers is checked by walker_sva.sv, bound to every walker instance.
// Same Verilator 5.006 subset as walker_sva.sv.
/* verilator lint_off SYNCASYNCNET */
module walk_unit_sva #(
  parameter int WALKERS = 2,
  parameter int ID_BITS = 8
) (
  input logic                       clk,
  input logic                       rst_n,
  input logic                       req_valid,
  input logic                       req_ready,
  input logic [ID_BITS-1:0]         req_id,
  input logic                       rsp_valid,
  input logic                       rsp_ready,
  input logic [ID_BITS-1:0]         rsp_id,
  input logic                       rsp_ok,
  input logic [63:0]                rsp_hpa,
  input logic [63:0]                rsp_fault_code,
  input logic                       cmem_req_valid,
  input logic                       cmem_req_ready,
  input logic [63:0]                cmem_req_addr,
  input logic                       cmem_req_write,
  input logic [63:0]                cmem_req_wdata,
  input logic [2:0]                 cmem_req_tag,
  input logic [ID_BITS-1:0]         cmem_req_id,
  input logic                       nmem_req_valid,
  input logic                       nmem_req_ready,
  input logic [63:0]                nmem_req_addr,
  input logic                       nmem_req_write,
  input logic [63:0]                nmem_req_wdata,
  input logic [2:0]                 nmem_req_tag,
  input logic [ID_BITS-1:0]         nmem_req_id,
  input logic [WALKERS-1:0]         w_req_ready,
  input logic [WALKERS-1:0]         w_mvalid,
  input logic [WALKERS-1:0]         w_mready,
  input logic [WALKERS-1:0]         w_mport,
  input logic [ID_BITS*WALKERS-1:0] w_id,
  input logic [WALKERS-1:0]         wt_valid,
  input logic [ID_BITS*WALKERS-1:0] wt_id,
  input int                         r_w     // the walker whose result is presented
);
  localparam int W = WALKERS;
  localparam int P = 64 + 1 + 64 + 3 + ID_BITS;  // a port's request payload

  logic [(1 << ID_BITS)-1:0] inflight;  // ids taken and not yet answered
  logic c_stalled, n_stalled, r_stalled;
  logic [P-1:0] c_held, n_held;
  logic [ID_BITS+128:0] r_held;
  int r_w_held;
  wire  [P-1:0] c_now = {cmem_req_addr, cmem_req_write, cmem_req_write ? cmem_req_wdata : 64'd0, cmem_req_tag, cmem_req_id};
  wire  [P-1:0] n_now = {nmem_req_addr, nmem_req_write, nmem_req_write ? nmem_req_wdata : 64'd0, nmem_req_tag, nmem_req_id};
  wire  [ID_BITS+128:0] r_now = {rsp_id, rsp_ok, rsp_hpa, rsp_fault_code};
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      inflight <= '0; c_stalled <= 1'b0; n_stalled <= 1'b0; r_stalled <= 1'b0;
    end else begin
      if (req_valid && req_ready) inflight[req_id] <= 1'b1;
      if (rsp_valid && rsp_ready) inflight[rsp_id] <= 1'b0;
      c_stalled <= cmem_req_valid && !cmem_req_ready;
      n_stalled <= nmem_req_valid && !nmem_req_ready;
      r_stalled <= rsp_valid && !rsp_ready;
    end
  end
  always_ff @(posedge clk) begin
    c_held <= c_now; n_held <= n_now; r_held <= r_now; r_w_held <= r_w;
  end

  // Ids of the walks and waiting requests in the unit are pairwise different.
  logic dup;
  always_comb begin
    dup = 1'b0;
    for (int i = 0; i < W; i++)
      for (int j = 0; j < W; j++) begin
        if (i < j && !w_req_ready[i] && !w_req_ready[j] && w_id[ID_BITS*i +: ID_BITS] == w_id[ID_BITS*j +: ID_BITS])
          dup = 1'b1;
        if (i < j && wt_valid[i] && wt_valid[j] && wt_id[ID_BITS*i +: ID_BITS] == wt_id[ID_BITS*j +: ID_BITS])
          dup = 1'b1;
        if (!w_req_ready[i] && wt_valid[j] && w_id[ID_BITS*i +: ID_BITS] == wt_id[ID_BITS*j +: ID_BITS]) dup = 1'b1;
      end
  end
  // Grants: only to a walker requesting that port (w_mport: 0 compound, 1 nested), at most one per port.
  wire [W-1:0] c_grant = w_mready & w_mvalid & ~w_mport;
  wire [W-1:0] n_grant = w_mready & w_mvalid & w_mport;

  // A port's request or the result, not taken, stays valid and unchanged unless a lower-numbered
  // walker's takes its place: the arbiters decide by fixed priority in every cycle (rtl/README.md,
  // contract items 4 and 8), so the port is not stable in the AXI sense; each walker's own request
  // and result are (walker_sva.sv).
  cmem_req_held: assert property (@(posedge clk) disable iff (!rst_n)
                                  c_stalled |-> cmem_req_valid && (c_now == c_held || cmem_req_tag < c_held[ID_BITS+2:ID_BITS]));
  nmem_req_held: assert property (@(posedge clk) disable iff (!rst_n)
                                  n_stalled |-> nmem_req_valid && (n_now == n_held || nmem_req_tag < n_held[ID_BITS+2:ID_BITS]));
  unit_rsp_held: assert property (@(posedge clk) disable iff (!rst_n)
                                  r_stalled |-> rsp_valid && (r_now == r_held || r_w < r_w_held));
  rsp_id_in_flight: assert property (@(posedge clk) disable iff (!rst_n) rsp_valid |-> inflight[rsp_id]);
  ids_unique: assert property (@(posedge clk) disable iff (!rst_n) !dup);
  grants_one_hot: assert property (@(posedge clk) disable iff (!rst_n)
                                   $onehot0(c_grant) && $onehot0(n_grant) && (w_mready & ~w_mvalid) == '0);
  grant_port_matches: assert property (@(posedge clk) disable iff (!rst_n)
                                       (!cmem_req_valid || !w_mport[cmem_req_tag[$clog2(W > 1 ? W : 2)-1:0]]));
  // The environment: request ids are unique among those in flight.
  req_id_fresh: assume property (@(posedge clk) disable iff (!rst_n) req_valid |-> !inflight[req_id]);

  cov_both_ports: cover property (@(posedge clk) disable iff (!rst_n) cmem_req_valid && nmem_req_valid);
  cov_port_conflict: cover property (@(posedge clk) disable iff (!rst_n) !$onehot0(w_mvalid & ~w_mport));
  cov_results_waiting: cover property (@(posedge clk) disable iff (!rst_n) rsp_valid && !rsp_ready);
  cov_all_busy: cover property (@(posedge clk) disable iff (!rst_n) w_req_ready == '0);
  cov_waiter: cover property (@(posedge clk) disable iff (!rst_n) wt_valid != '0);
endmodule
/* verilator lint_on SYNCASYNCNET */

bind walk_unit walk_unit_sva #(.WALKERS(WALKERS), .ID_BITS(ID_BITS)) u_walk_unit_sva (.*);
