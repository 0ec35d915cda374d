// A SystemVerilog testbench that checks rtl/walker.sv against the agilemmu golden walk over
// DPI-C (rtl/dpi/agilemmu_dpi_pkg.sv), the way a team with any simulator would: the golden model
// builds the page-table image and serves the walker's memory port, and every reference the
// walker makes (address, port, table, level, read or write, written data) and every result is
// compared with the golden walk of the same request. The memory port is driven like a real
// interconnect: mem_req_ready low at random, a random latency per reference, and rsp_ready
// withheld at random.
//
// Plusargs: +walks=N (default 3000), +seed=S (default 1), +per_image=N (walks per random image,
// default 500), +config=FILE (use a YAML config's guest instead of random images; the walker's
// parameters must equal the config's format). Exit code 0 only with no mismatch.

module tb_walker_dpi;
  import agilemmu_dpi::*;

  parameter int LEVELS        = 4;
  parameter int NESTED_LEVELS = 4;
  parameter int MAXPHYADDR    = 52;
  parameter int SELECTOR_BIT  = 52;
  parameter bit NX_ENABLED    = 1'b1;
  parameter bit NESTED_AD     = 1'b1;

  logic clk = 1'b0;
  logic rst_n = 1'b0;
  always #5 clk = ~clk;

  logic        req_valid = 1'b0, req_ready;  // (testbench side driven at the falling edge)
  logic [63:0] req_va;
  logic [1:0]  req_access, req_mode;
  logic        req_user;
  logic [63:0] hroot, groot, nroot, sroot, croot;
  logic        croot_is_gpa;
  logic        rsp_valid, rsp_ready = 1'b0, rsp_ok;
  logic [63:0] rsp_hpa, rsp_gpa, rsp_fault_addr, rsp_fault_code;
  logic [1:0]  rsp_size;
  logic [2:0]  rsp_perms, rsp_fault_stage, rsp_fault_kind, rsp_fault_level;
  logic [7:0]  rsp_switch_level;
  logic        mem_req_valid, mem_req_ready = 1'b0, mem_req_write, mem_req_port;
  logic [63:0] mem_req_addr, mem_req_wdata;
  logic [2:0]  mem_req_table, mem_req_level;
  logic        mem_rsp_valid = 1'b0;
  logic [63:0] mem_rsp_data = '0;

  // The walker's page-walk-cache ports (for rtl/walk_unit.sv) stay unconnected: PWC is off.
  /* verilator lint_off PINMISSING */
  walker #(.LEVELS(LEVELS), .NESTED_LEVELS(NESTED_LEVELS), .MAXPHYADDR(MAXPHYADDR), .SELECTOR_BIT(SELECTOR_BIT),
           .NX_ENABLED(NX_ENABLED), .NESTED_AD(NESTED_AD)) dut (
    .clk, .rst_n, .req_valid, .req_ready, .req_va, .req_access, .req_user, .req_mode,
    .hroot, .groot, .nroot, .sroot, .croot, .croot_is_gpa,
    .rsp_valid, .rsp_ready, .rsp_ok, .rsp_hpa, .rsp_gpa, .rsp_size, .rsp_perms, .rsp_switch_level,
    .rsp_fault_stage, .rsp_fault_kind, .rsp_fault_level, .rsp_fault_addr, .rsp_fault_code,
    .mem_req_valid, .mem_req_ready, .mem_req_addr, .mem_req_write, .mem_req_wdata, .mem_req_port,
    .mem_req_table, .mem_req_level, .mem_rsp_valid, .mem_rsp_data);
  /* verilator lint_on PINMISSING */

  int h = -1;
  int walk_no = 0;
  int ref_i = 0, golden_refs = 0;
  int mismatches = 0, refs_compared = 0, writes_compared = 0, faults = 0;

  function automatic void mismatch(string what);
    if (mismatches < 10) $display("MISMATCH walk %0d (va 0x%0h): %s", walk_no, req_va, what);
    mismatches++;
  endfunction

  // One reference the walker issued, against the golden walk's reference of the same index.
  function automatic void check_ref();
    longint addr, data;
    int port, tbl, level, write;
    if (agilemmu_golden_ref(h, ref_i, addr, port, tbl, level, write, data) == 0) begin
      mismatch($sformatf("reference #%0d to 0x%0h: the golden walk makes only %0d", ref_i + 1, mem_req_addr,
                         golden_refs));
    end else if (mem_req_addr != addr || mem_req_port != port[0] || mem_req_table != tbl[2:0] ||
                 mem_req_level != level[2:0] || mem_req_write != write[0] || (write != 0 && mem_req_wdata != data)) begin
      mismatch($sformatf("reference #%0d: walker %s 0x%0h port %0d table %0d level %0d data 0x%0h; golden %s 0x%0h port %0d table %0d level %0d data 0x%0h",
                         ref_i + 1, mem_req_write ? "write" : "read", mem_req_addr, mem_req_port, mem_req_table,
                         mem_req_level, mem_req_wdata, write != 0 ? "write" : "read", addr, port, tbl, level, data));
    end
    refs_compared++;
    if (write != 0) writes_compared++;
    ref_i++;
  endfunction

  // The memory: serves each request from the golden model's image (a write changes the image) and
  // answers 1..4 cycles after accepting it. The testbench drives and samples at the falling edge,
  // the walker at the rising one: what is seen at a falling edge is what the next rising edge
  // samples, in any simulator, with no race.
  int lat_left = 0;
  bit busy = 1'b0;
  always @(negedge clk) begin
    mem_rsp_valid = 1'b0;
    if (!rst_n) begin
      busy = 1'b0;
      mem_req_ready = 1'b0;
    end else if (busy) begin
      mem_req_ready = 1'b0;
      if (--lat_left == 0) begin
        mem_rsp_valid = 1'b1;
        busy = 1'b0;
      end
    end else begin
      mem_req_ready = $urandom_range(0, 3) != 0;
      if (mem_req_valid && mem_req_ready) begin  // accepted at the next rising edge
        check_ref();
        if (mem_req_write) agilemmu_mem_write(h, mem_req_addr, mem_req_wdata);
        else mem_rsp_data = agilemmu_mem_read(h, mem_req_addr);
        busy = 1'b1;
        lat_left = 1 + int'($urandom_range(0, 3));
      end
    end
  end

  function automatic void check_result();
    int ok, size, perms, sw, stage, kind, level;
    longint hpa, gpa, faddr, fcode;
    void'(agilemmu_golden_result(h, ok, hpa, gpa, size, perms, sw, stage, kind, level, faddr, fcode));
    if (ref_i != golden_refs) mismatch($sformatf("the walker made %0d references, the golden walk %0d", ref_i, golden_refs));
    if (rsp_ok != ok[0]) mismatch($sformatf("ok %0d, golden %0d", rsp_ok, ok));
    else if (ok != 0) begin
      if (rsp_hpa != hpa || rsp_gpa != gpa || rsp_size != size[1:0] || rsp_perms != perms[2:0])
        mismatch($sformatf("translation hpa 0x%0h gpa 0x%0h size %0d perms %0d; golden hpa 0x%0h gpa 0x%0h size %0d perms %0d",
                           rsp_hpa, rsp_gpa, rsp_size, rsp_perms, hpa, gpa, size, perms));
    end else begin
      faults++;
      if (rsp_fault_stage != stage[2:0] || rsp_fault_kind != kind[2:0] || rsp_fault_level != level[2:0] ||
          rsp_fault_addr != faddr || rsp_fault_code != fcode)
        mismatch($sformatf("fault stage %0d kind %0d level %0d addr 0x%0h code 0x%0h; golden stage %0d kind %0d level %0d addr 0x%0h code 0x%0h",
                           rsp_fault_stage, rsp_fault_kind, rsp_fault_level, rsp_fault_addr, rsp_fault_code, stage, kind,
                           level, faddr, fcode));
    end
    if (rsp_switch_level != sw[7:0]) mismatch($sformatf("switch level %0d, golden %0d", $signed(rsp_switch_level), sw));
  endfunction

  initial begin : stimulus
    int walks = 3000, per_image = 500;
    longint seed = 1, va, hr, gr, nr, sr, cr;
    string cfg = "";
    int access, user, mode, cgpa, waited;
    int lv, nlv, mpa, sel, nx, nad;
    void'($value$plusargs("walks=%d", walks));
    void'($value$plusargs("seed=%d", seed));
    void'($value$plusargs("per_image=%d", per_image));
    void'($value$plusargs("config=%s", cfg));
    void'($urandom(int'(seed)));
    repeat (4) @(negedge clk);
    rst_n = 1'b1;
    for (walk_no = 0; walk_no < walks; walk_no++) begin
      if (walk_no % per_image == 0) begin
        if (h >= 0) agilemmu_destroy(h);
        h = cfg != "" ? agilemmu_create_from_config(cfg)
                      : agilemmu_create_from_seed(LEVELS, NESTED_LEVELS, MAXPHYADDR, SELECTOR_BIT, int'(NX_ENABLED),
                                                  int'(NESTED_AD), seed + longint'(walk_no) / longint'(per_image));
        if (h < 0) $fatal(1, "golden model: %s", agilemmu_last_error());
        void'(agilemmu_format(h, lv, nlv, mpa, sel, nx, nad));
        if (lv != LEVELS || nlv != NESTED_LEVELS || mpa != MAXPHYADDR || sel != SELECTOR_BIT || nx != int'(NX_ENABLED) ||
            nad != int'(NESTED_AD))
          $fatal(1, "the golden model's format (levels %0d/%0d, MAXPHYADDR %0d, selector %0d, NX %0d, nested A/D %0d) is not the walker's parameters",
                 lv, nlv, mpa, sel, nx, nad);
        void'(agilemmu_roots(h, hr, gr, nr, sr, cr, cgpa));
        hroot = hr; groot = gr; nroot = nr; sroot = sr; croot = cr; croot_is_gpa = cgpa[0];
      end
      if (agilemmu_next_request(h, va, access, user, mode) == 0) $fatal(1, "golden model: %s", agilemmu_last_error());
      golden_refs = agilemmu_golden_walk(h, va, access, user, mode);
      ref_i = 0;
      @(negedge clk);
      req_va = va;
      req_access = access[1:0];
      req_user = user[0];
      req_mode = mode[1:0];
      req_valid = 1'b1;
      while (!req_ready) @(negedge clk);  // ready now: accepted at the next rising edge
      @(negedge clk);
      req_valid = 1'b0;
      waited = 0;
      forever begin
        rsp_ready = $urandom_range(0, 2) != 0;
        if (rsp_valid && rsp_ready) break;  // taken at the next rising edge
        @(negedge clk);
        if (++waited > 100000) $fatal(1, "walk %0d (va 0x%0h): no result after %0d cycles", walk_no, va, waited);
      end
      check_result();
      @(negedge clk);
      rsp_ready = 1'b0;
    end
    $display("%0d walks (%0d faults), %0d references compared (%0d writes), %0d mismatches", walks, faults,
             refs_compared, writes_compared, mismatches);
    if (mismatches != 0) $fatal(1, "%0d mismatches", mismatches);
    $finish;
  end
endmodule
