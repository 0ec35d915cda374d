// A SystemVerilog testbench that checks rtl/walker.sv against the agilemmu golden walk over
// DPI-C (rtl/dpi/agilemmu_dpi_pkg.sv), the way a team with any simulator would: the golden model
// builds the page-table image and serves the walker's memory port, and every reference the
// walker makes (address, port, table, level, read or write, written data), every result, the
// cycles of every walk (agilemmu_golden_cycles) and the handshake rules are checked against the
// golden walk of the same request. The memory port is driven like a real interconnect:
// mem_req_ready low at random, a random latency of 1-4 cycles per reference, and rsp_ready
// withheld at random.
//
// Plusargs: +walks=N (default 3000), +seed=S (default 1), +per_image=N (walks per random image,
// default 2000, as `agilemmu cosim --walks-per-image`), +config=FILE (use a YAML config's guest
// instead of random images; the walker's parameters must equal the config's format),
// +wave_dir=DIR (default waveforms). With +seed=S and +per_image=N the images and requests are
// those of `agilemmu cosim --seed S --walks-per-image N` (not the stalls: these come from
// $urandom seeded with S).
//
// The run stops at the end of the first walk with a mismatch: it prints what differs, the walk's
// request and its roots; tb_main.cpp runs it, and prints the waveform file and a one-line command
// that reproduces the failure:
// the exit status is the verdict (0: every walk matched), and after a mismatch it replays the run
// with tracing on for the failing walk only (tb_wave below), writing the FST.
module tb_walker_dpi;
  import agilemmu_dpi::*;

  // Implemented by tb_main.cpp: the verdict, and the failing walk's waveform.
  import "DPI-C" function void tb_verdict(input int mismatches, input int walk, input string wave);
  import "DPI-C" function void tb_wave(input int on);

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
  logic [63:0] req_va = '0;
  logic [1:0]  req_access = '0, req_mode = '0;
  logic        req_user = 1'b0;
  logic [63:0] hroot = '0, groot = '0, nroot = '0, sroot = '0, croot = '0;
  logic        croot_is_gpa = 1'b0;
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
  bit walk_failed = 1'b0;

  function automatic void mismatch(string what);
    if (mismatches < 10) $display("MISMATCH walk %0d (va 0x%0h): %s", walk_no, req_va, what);
    mismatches++;
    walk_failed = 1'b1;
  endfunction

  // One reference the walker issued, against the golden walk's reference of the same index.
  function automatic void check_ref();
    longint addr, data;
    int port, tbl, level, write;
    if (agilemmu_golden_ref(h, ref_i, addr, port, tbl, level, write, data) != 1) begin
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

  function automatic void check_result(longint cycles, longint lat_sum, longint stalls);
    int ok, size, perms, sw, stage, kind, level;
    longint hpa, gpa, faddr, fcode, want;
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
    // Cycles only when the references agree: the contract counts the golden walk's references.
    want = agilemmu_golden_cycles(h, lat_sum, stalls);
    if (!walk_failed && cycles != want)
      mismatch($sformatf("%0d cycles, contract %0d (start 1 + %0d refs x step 1 + memory %0d + stalls %0d)", cycles, want,
                         golden_refs, lat_sum, stalls));
  endfunction

  // Everything happens at falling edges, in this one process: the testbench drives the inputs
  // the next rising edge samples and checks the outputs the last one produced, in any simulator,
  // with no race. edge_no numbers the rising edge that follows.
  typedef enum { P_IDLE, P_REQ, P_WALK, P_DONE } phase_e;
  phase_e phase = P_IDLE;
  longint edge_no = 0, t_req = 0, lat_sum = 0, stalls = 0;
  int lat_left = 0;
  bit outstanding = 1'b0, waiting = 1'b0, result_seen = 1'b0;
  logic [63:0] held_addr, held_wdata;
  logic [7:0]  held_ctl;  // {write, port, table, level}

  // The run cannot go on (a golden model error, parameters that are not the model's format).
  // Not $fatal: Verilator 5.006 goes on after it, and its next $finish exits with status 0.
  bit broken = 1'b0;
  function automatic void stop_run(string what);
    $display("%%Error: %s", what);
    broken = 1'b1;
  endfunction

  function automatic void violation(string what);
    mismatch({"handshake: ", what});
  endfunction

  function automatic void falling_edge();
    logic [7:0] ctl = {mem_req_write, mem_req_port, mem_req_table, mem_req_level};
    phase_e was = phase;
    edge_no++;
    // Request channel: req_valid is driven here, so that the falling edge that sees
    // req_valid && req_ready is the one before the handshake edge.
    if (phase == P_REQ) begin
      req_valid = 1'b1;
      if (req_ready) begin
        t_req = edge_no;
        phase = P_WALK;
      end
    end else begin
      req_valid = 1'b0;
    end
    // Result channel.
    if (phase == P_WALK && rsp_valid) begin
      result_seen = 1'b1;
      if (outstanding || mem_req_valid) violation("result valid while the memory port is busy");
      rsp_ready = $urandom_range(0, 2) != 0;
      if (rsp_ready) begin  // taken at edge_no
        check_result(edge_no - t_req, lat_sum, stalls);
        phase = P_DONE;
      end else begin
        stalls++;
      end
    end else begin
      rsp_ready = 1'b0;
      if (phase == P_WALK && result_seen) violation("rsp_valid dropped before the result was taken");
      if (phase != P_WALK && rsp_valid && rst_n) violation("result valid outside a walk (or after it was taken)");
    end
    // Memory port: serves each request from the golden model's image (a write changes the image)
    // and answers lat_left edges after accepting it.
    mem_rsp_valid = 1'b0;
    if (waiting && (!mem_req_valid || mem_req_addr != held_addr || ctl != held_ctl ||
                    (mem_req_write && mem_req_wdata != held_wdata)))
      violation("memory request withdrawn or changed before it was accepted");
    waiting = 1'b0;
    if (mem_req_valid && was != P_WALK) violation("memory request outside a walk");
    if (outstanding) begin
      if (mem_req_valid) violation("memory request while another is outstanding");
      mem_req_ready = 1'b0;
      if (--lat_left == 0) begin
        mem_rsp_valid = 1'b1;
        outstanding = 1'b0;
      end
    end else if (!rst_n) begin
      mem_req_ready = 1'b0;
    end else begin
      mem_req_ready = $urandom_range(0, 3) != 0;
      if (mem_req_valid && mem_req_ready) begin  // accepted at edge_no
        check_ref();
        if (mem_req_write) agilemmu_mem_write(h, mem_req_addr, mem_req_wdata);
        else mem_rsp_data = agilemmu_mem_read(h, mem_req_addr);
        outstanding = 1'b1;
        lat_left = 1 + int'($urandom_range(0, 3));
        lat_sum += longint'(lat_left);
      end else if (mem_req_valid) begin
        waiting = 1'b1;
        held_addr = mem_req_addr;
        held_wdata = mem_req_wdata;
        held_ctl = ctl;
        stalls++;
      end
    end
  endfunction

  initial begin : stimulus
    int walks = 3000, per_image = 2000;
    longint seed = 1, va, hr, gr, nr, sr, cr;
    string cfg = "", wave_dir = "waveforms", wave = "";
    int access, user, mode, cgpa, waited, wave_walk = -1;
    int lv, nlv, mpa, sel, nx, nad;
    void'($value$plusargs("walks=%d", walks));
    void'($value$plusargs("seed=%d", seed));
    void'($value$plusargs("per_image=%d", per_image));
    void'($value$plusargs("config=%s", cfg));
    void'($value$plusargs("wave_dir=%s", wave_dir));
    void'($value$plusargs("wave_walk=%d", wave_walk));  // set by tb_main.cpp's replay
    if (per_image < 1) stop_run("+per_image must be at least 1");
    void'($urandom(int'(seed)));
    repeat (4) begin
      @(negedge clk);
      falling_edge();
    end
    rst_n = 1'b1;
    for (walk_no = 0; walk_no < walks && !walk_failed && !broken; walk_no++) begin
      if (walk_no % per_image == 0) begin
        if (h >= 0) agilemmu_destroy(h);
        h = cfg != "" ? agilemmu_create_from_config(cfg)
                      : agilemmu_create_from_seed_image(LEVELS, NESTED_LEVELS, MAXPHYADDR, SELECTOR_BIT, int'(NX_ENABLED),
                                                        int'(NESTED_AD), seed, longint'(walk_no) / longint'(per_image));
        if (h < 0) begin
          stop_run({"golden model: ", agilemmu_last_error()});
          break;
        end
        void'(agilemmu_format(h, lv, nlv, mpa, sel, nx, nad));
        if (lv != LEVELS || nlv != NESTED_LEVELS || mpa != MAXPHYADDR || sel != SELECTOR_BIT || nx != int'(NX_ENABLED) ||
            nad != int'(NESTED_AD)) begin
          stop_run($sformatf("the golden model's format (levels %0d/%0d, MAXPHYADDR %0d, selector %0d, NX %0d, nested A/D %0d) is not the walker's parameters",
                 lv, nlv, mpa, sel, nx, nad));
          break;
        end
        void'(agilemmu_roots(h, hr, gr, nr, sr, cr, cgpa));
        hroot = hr; groot = gr; nroot = nr; sroot = sr; croot = cr; croot_is_gpa = cgpa[0];
      end
      if (agilemmu_next_request(h, va, access, user, mode) != 1) begin
        stop_run({"golden model: ", agilemmu_last_error()});
        break;
      end
      golden_refs = agilemmu_golden_walk(h, va, access, user, mode);
      if (golden_refs < 0) begin
        stop_run({"golden model: ", agilemmu_last_error()});
        break;
      end
      if (walk_no == wave_walk) tb_wave(1);
      ref_i = 0;
      lat_sum = 0;
      stalls = 0;
      result_seen = 1'b0;
      req_va = va;
      req_access = access[1:0];
      req_user = user[0];
      req_mode = mode[1:0];
      phase = P_REQ;  // req_valid from the next falling edge
      waited = 0;
      while (phase != P_DONE) begin
        @(negedge clk);
        falling_edge();
        if (++waited > 100000) begin
          mismatch($sformatf("no result after %0d cycles (hang)", waited));
          break;
        end
      end
      @(negedge clk);  // the result was taken at the last rising edge
      phase = P_IDLE;
      falling_edge();
      if (walk_no == wave_walk) tb_wave(0);
    end
    if (walk_failed) begin
      walk_no--;
      wave = $sformatf("%s/dpi_seed%0d_walk%0d.fst", wave_dir, seed, walk_no);
      $display("  request: va=0x%0h access=%0d user=%0d mode=%0d (walk %0d, image %0d); golden: %0d references",
               req_va, req_access, req_user, req_mode, walk_no, walk_no / per_image, golden_refs);
      $display("  roots: hroot=0x%0h groot=0x%0h nroot=0x%0h sroot=0x%0h croot=0x%0h croot_is_gpa=%0d", hroot, groot,
               nroot, sroot, croot, croot_is_gpa);
    end
    $display("%0d walks (%0d faults), %0d references compared (%0d writes), %0d mismatches", walk_no + int'(walk_failed),
             faults, refs_compared, writes_compared, mismatches);
    tb_verdict(broken ? -1 : mismatches, walk_failed ? walk_no : -1, wave);
    $finish;
  end
endmodule
