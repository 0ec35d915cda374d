// A testbench written from rtl/README.md alone ("Ports of walker", "DPI-C reference"): the
// installed walker against the golden walk, with a fixed memory latency and no backpressure.
// Every reference, every result and every walk's cycles are compared; the verdict goes to
// main.cpp. Plusargs: +walks=N (default 500), +seed=S (default 1).
module walker_tb;
  import agilemmu_dpi::*;
  import "DPI-C" function void walker_tb_verdict(input int errors);

  localparam int LATENCY = 2;  // edges from a reference's acceptance to its response

  logic clk = 1'b0, rst_n = 1'b0;
  always #5 clk = ~clk;

  logic        req_valid = 1'b0, req_ready, req_user = 1'b0, croot_is_gpa = 1'b0;
  logic [63:0] req_va = '0, hroot = '0, groot = '0, nroot = '0, sroot = '0, croot = '0;
  logic [1:0]  req_access = '0, req_mode = '0;
  logic        rsp_valid, rsp_ok, mem_req_valid, mem_req_write, mem_req_port, mem_rsp_valid = 1'b0;
  logic [63:0] rsp_hpa, rsp_gpa, rsp_fault_addr, rsp_fault_code, mem_req_addr, mem_req_wdata, mem_rsp_data = '0;
  logic [1:0]  rsp_size;
  logic [2:0]  rsp_perms, rsp_fault_stage, rsp_fault_kind, rsp_fault_level, mem_req_table, mem_req_level;
  logic [7:0]  rsp_switch_level;

  // Defaults: 4-level tables, MAXPHYADDR 52, selector bit 52, NX on, nested A/D on. PWC off: the
  // pwc_* inputs are tied off, its outputs left open.
  walker dut (
    .clk, .rst_n, .req_valid, .req_ready, .req_va, .req_access, .req_user, .req_mode,
    .hroot, .groot, .nroot, .sroot, .croot, .croot_is_gpa,
    .rsp_valid, .rsp_ready(1'b1), .rsp_ok, .rsp_hpa, .rsp_gpa, .rsp_size, .rsp_perms, .rsp_switch_level,
    .rsp_fault_stage, .rsp_fault_kind, .rsp_fault_level, .rsp_fault_addr, .rsp_fault_code,
    .mem_req_valid, .mem_req_ready(1'b1), .mem_req_addr, .mem_req_write, .mem_req_wdata, .mem_req_port,
    .mem_req_table, .mem_req_level, .mem_rsp_valid, .mem_rsp_data,
    .pwc_lookup(), .walk_va(), .walk_mode(),
    .pwc_hit(1'b0), .pwc_level(3'd0), .pwc_next(64'd0), .pwc_next_is_gpa(1'b0), .pwc_perms(3'd0),
    .pwc_switch_level(8'd0),
    .pwc_fill(), .pwc_fill_level(), .pwc_fill_next(), .pwc_fill_is_gpa(), .pwc_fill_perms(), .pwc_fill_switch_level(),
    .walk_end());

  int h, errors = 0, n, k;

  function automatic void fail(string what);
    if (errors < 10) $display("ERROR: va 0x%0h: %s", req_va, what);
    errors++;
  endfunction

  initial begin
    int walks = 500, access, user, mode, cgpa, ok, size, perms, sw, stage, kind, level, port, tbl, lvl, wr;
    longint seed = 1, va, hr, gr, nr, sr, cr, hpa, gpa, faddr, fcode, addr, data, cycles;
    void'($value$plusargs("walks=%d", walks));
    void'($value$plusargs("seed=%d", seed));
    h = agilemmu_create_from_seed(4, 4, 52, 52, 1, 1, seed);
    if (h < 0 || agilemmu_roots(h, hr, gr, nr, sr, cr, cgpa) != 1) begin
      $display("ERROR: golden model: %s", agilemmu_last_error());
      walker_tb_verdict(-1);
      $finish;
    end
    hroot = hr; groot = gr; nroot = nr; sroot = sr; croot = cr; croot_is_gpa = cgpa[0];
    repeat (2) @(negedge clk);
    rst_n = 1'b1;
    for (int w = 0; w < walks && h >= 0; w++) begin
      void'(agilemmu_next_request(h, va, access, user, mode));
      n = agilemmu_golden_walk(h, va, access, user, mode);  // before the walker writes A/D
      @(negedge clk);
      req_va = va; req_access = access[1:0]; req_user = user[0]; req_mode = mode[1:0];
      req_valid = 1'b1;
      while (!req_ready) @(negedge clk);
      @(negedge clk);  // accepted at the rising edge before
      req_valid = 1'b0;
      cycles = 1;  // edges since the request handshake, at the next rising edge
      k = 0;
      // Drive at falling edges what the next rising edge samples.
      while (!rsp_valid) begin
        if (mem_req_valid) begin  // accepted at the next edge (ready is always high)
          if (agilemmu_golden_ref(h, k, addr, port, tbl, lvl, wr, data) != 1 || mem_req_addr != addr ||
              mem_req_write != wr[0] || mem_req_port != port[0] || mem_req_table != tbl[2:0] ||
              mem_req_level != lvl[2:0] || (wr != 0 && mem_req_wdata != data))
            fail($sformatf("reference %0d differs from the golden walk's", k));
          if (mem_req_write) agilemmu_mem_write(h, mem_req_addr, mem_req_wdata);
          else mem_rsp_data = agilemmu_mem_read(h, mem_req_addr);
          k++;
          repeat (LATENCY) begin
            @(negedge clk);
            cycles++;
          end
          mem_rsp_valid = 1'b1;  // the response edge: LATENCY edges after the acceptance edge
          @(negedge clk);
          cycles++;
          mem_rsp_valid = 1'b0;
        end else begin
          @(negedge clk);
          cycles++;
        end
        if (cycles > 10000) begin
          fail("no result");
          break;
        end
      end
      // rsp_valid is high: the result handshake is at the next rising edge (rsp_ready is 1).
      void'(agilemmu_golden_result(h, ok, hpa, gpa, size, perms, sw, stage, kind, level, faddr, fcode));
      if (k != n) fail($sformatf("%0d references, golden %0d", k, n));
      if (rsp_ok != ok[0] || int'($signed(rsp_switch_level)) != sw) fail("ok or switch level");
      else if (ok != 0 && (rsp_hpa != hpa || rsp_gpa != gpa || rsp_size != size[1:0] || rsp_perms != perms[2:0]))
        fail("translation");
      else if (ok == 0 && (rsp_fault_stage != stage[2:0] || rsp_fault_kind != kind[2:0] ||
                           rsp_fault_level != level[2:0] || rsp_fault_addr != faddr || rsp_fault_code != fcode))
        fail("fault");
      if (cycles != agilemmu_golden_cycles(h, longint'(n) * LATENCY, 0))
        fail($sformatf("%0d cycles, golden %0d", cycles, agilemmu_golden_cycles(h, longint'(n) * LATENCY, 0)));
    end
    $display("walker_tb: %0d walks, %0d errors", walks, errors);
    walker_tb_verdict(errors);
    $finish;
  end
endmodule
