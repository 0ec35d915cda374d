// Page-table walker for agile paging, without walk caches. Same semantics as pt::Walk
// (model/pt/walk.cpp): native, nested (2-D), shadow and agile (compound) walks, including the
// accessed/dirty writes: A in every entry used and D in the first-dimension leaf of a write
// access, each as a write right after the read of that entry (only when a bit changes); with
// NESTED_AD the nested entries used get A, the nested leaf of the final gPA gets D on a write
// access, and writing a guest-table entry first sets D in the nested leaf mapping its page.
//
// Cycle contract (pt::WalkTiming with start_cycles = 1, step_cycles = 1), reads and writes alike:
//   request accepted at edge t0 -> first memory request valid in the cycle after t0;
//   memory response at edge t -> next memory request (or the result) valid in the cycle after t.
// So a walk of n references (reads and writes) with memory latency L takes 1 + n*(L + 1) cycles
// from the request handshake edge to the first edge that samples rsp_valid high (the result
// handshake when rsp_ready is high); every cycle a request waits for mem_req_ready, and every
// cycle the result waits for rsp_ready, adds one.
//
// Package items are written agilemmu_pkg::NAME rather than imported: yosys 0.23 (the synthesis
// estimate in scripts/synth-report.sh) parses no import statement.
module walker #(
  parameter int LEVELS        = 4,   // guest / compound / shadow / native table depth (4 or 5)
  parameter int NESTED_LEVELS = 4,   // nested table depth (4 or 5)
  parameter int MAXPHYADDR    = 52,  // entry address bits at and above this are reserved
  parameter int SELECTOR_BIT  = 52,  // compound entry bit marking a nested-style entry
  parameter bit NX_ENABLED    = 1'b1,// EFER.NXE; when clear, bit 63 is reserved
  parameter bit NESTED_AD     = 1'b1,// EPT-style A/D in the nested table (pt::Format::nested_ad)
  parameter bit PWC           = 1'b0 // a page-walk cache answers on the pwc_* ports (walk_unit.sv)
) (
  input  logic        clk,
  input  logic        rst_n,
  // Walk request. Roots are sampled with the request.
  input  logic        req_valid,
  output logic        req_ready,
  input  logic [63:0] req_va,
  input  logic [1:0]  req_access,   // access_e
  input  logic        req_user,
  input  logic [1:0]  req_mode,     // mode_e
  input  logic [63:0] hroot,
  input  logic [63:0] groot,
  input  logic [63:0] nroot,
  input  logic [63:0] sroot,
  input  logic [63:0] croot,
  input  logic        croot_is_gpa,
  // Walk result, held until rsp_ready.
  output logic        rsp_valid,
  input  logic        rsp_ready,
  output logic        rsp_ok,
  output logic [63:0] rsp_hpa,
  output logic [63:0] rsp_gpa,
  output logic [1:0]  rsp_size,     // page_size_e
  output logic [2:0]  rsp_perms,    // perms_t {write, user, exec}
  output logic [7:0]  rsp_switch_level,  // signed; -1: never nested
  output logic [2:0]  rsp_fault_stage,   // stage_e
  output logic [2:0]  rsp_fault_kind,    // fault_kind_e
  output logic [2:0]  rsp_fault_level,
  output logic [63:0] rsp_fault_addr,
  output logic [63:0] rsp_fault_code,
  // Memory port: 8-byte entry reads and the A/D writes (the write half of a locked
  // read-modify-write of the entry just read). A request is held, unchanged, until accepted
  // (mem_req_valid && mem_req_ready at an edge); one request is outstanding at a time and each,
  // read or write, gets one mem_rsp_valid pulse at least one cycle after acceptance
  // (mem_rsp_data is ignored for a write).
  output logic        mem_req_valid,
  input  logic        mem_req_ready,
  output logic [63:0] mem_req_addr,
  output logic        mem_req_write,
  output logic [63:0] mem_req_wdata,
  output logic        mem_req_port,   // port_e
  output logic [2:0]  mem_req_table,  // table_e
  output logic [2:0]  mem_req_level,
  input  logic        mem_rsp_valid,
  input  logic [63:0] mem_rsp_data,
  // Page-walk cache (walk_unit.sv), used only with PWC: in S_LOOKUP (pwc_lookup high, the cycle
  // after the request handshake) the cache answers for walk_va/walk_mode on pwc_hit..; a
  // non-leaf first-dimension entry that passed its checks is offered as a fill (pwc_fill, in the
  // cycle its read response is sampled), as pt::Walk::step_first_dim fills it. walk_end: the
  // memory response sampled at this edge is the walk's last (its result is valid next cycle).
  output logic        pwc_lookup,
  output logic [63:0] walk_va,
  output logic [1:0]  walk_mode,
  /* verilator lint_off UNUSEDSIGNAL */  // all unused without PWC
  input  logic        pwc_hit,
  input  logic [2:0]  pwc_level,
  input  logic [63:0] pwc_next,
  input  logic        pwc_next_is_gpa,
  input  logic [2:0]  pwc_perms,
  input  logic [7:0]  pwc_switch_level,
  /* verilator lint_on UNUSEDSIGNAL */
  output logic        pwc_fill,
  output logic [2:0]  pwc_fill_level,
  output logic [63:0] pwc_fill_next,
  output logic        pwc_fill_is_gpa,
  output logic [2:0]  pwc_fill_perms,
  output logic [7:0]  pwc_fill_switch_level,
  output logic        walk_end
);

  localparam int VA_BITS  = 12 + 9 * LEVELS;
  localparam int GPA_BITS = 12 + 9 * NESTED_LEVELS;
  localparam logic [63:0] ADDR_RSVD = agilemmu_pkg::ADDR_FIELD & ~((64'h1 << MAXPHYADDR) - 64'h1);
  localparam logic [2:0] PURPOSE_FINAL = 3'd0;  // nested walk of the final gPA
  localparam logic [7:0] NEVER_NESTED = 8'hff;
  localparam logic [2:0] NL3 = NESTED_LEVELS[2:0];

  // S_WRITE / S_WRITE_WAIT send the queued A/D writes (wq0, then wq1), then the walk resumes
  // in `resume` (the next read, or the result).
  typedef enum logic [3:0] {
    S_IDLE, S_FIRST_DIM_READ, S_FIRST_DIM_WAIT, S_NESTED_READ, S_NESTED_WAIT, S_DONE, S_FAULT,
    S_WRITE, S_WRITE_WAIT, S_LOOKUP
  } state_e;

  // ---- pure helpers (mirror pt::Format) ----
  // Written in Verilog-2005 function style (no `return`, no casts) so yosys 0.23 parses it too.
  // Level numbers are widened to int by concatenation.
  function automatic int lv(input logic [2:0] level);
    lv = {29'd0, level};
  endfunction

  function automatic logic [63:0] index_off(input int lvls, input logic [63:0] a, input logic [2:0] level);
    /* verilator lint_off UNUSEDSIGNAL */
    logic [63:0] s;  // only the 9 index bits are used
    /* verilator lint_on UNUSEDSIGNAL */
    s = a >> (12 + 9 * (lvls - lv(level)));
    index_off = {52'd0, s[8:0], 3'd0};  // 8 * index
  endfunction

  function automatic logic large_allowed(input int lvls, input logic [2:0] level);
    large_allowed = (lv(level) + 2 >= lvls) && (lv(level) < lvls);
  endfunction

  function automatic logic [1:0] size_at(input int lvls, input logic [2:0] level);
    /* verilator lint_off UNUSEDSIGNAL */
    int d;  // 0..2 at every level where a leaf can be
    /* verilator lint_on UNUSEDSIGNAL */
    d = lvls - lv(level);
    size_at = d[1:0];
  endfunction

  function automatic logic [63:0] page_mask(input logic [1:0] size);
    case (size)
      2'd0:    page_mask = 64'h0000_0fff;
      2'd1:    page_mask = 64'h001f_ffff;
      default: page_mask = 64'h3fff_ffff;
    endcase
  endfunction

  function automatic logic [63:0] rsvd_mask(input int lvls, input logic [2:0] level, input logic ps);
    logic [63:0] m;
    m = ADDR_RSVD;
    if (!NX_ENABLED) m[agilemmu_pkg::PTE_NX] = 1'b1;
    if (lv(level) < lvls && ps) begin
      if (!large_allowed(lvls, level)) m[agilemmu_pkg::PTE_PS] = 1'b1;  // PS in PML5E/PML4E
      else m = m | (page_mask(size_at(lvls, level)) & ~64'h1fff);  // large-page low bits (bit 12 = PAT)
    end
    rsvd_mask = m;
  endfunction

  function automatic logic [2:0] stage_of(input logic [2:0] t);
    case (t)
      agilemmu_pkg::TBL_NATIVE:   stage_of = agilemmu_pkg::STAGE_NATIVE;
      agilemmu_pkg::TBL_SHADOW:   stage_of = agilemmu_pkg::STAGE_SHADOW;
      agilemmu_pkg::TBL_COMPOUND: stage_of = agilemmu_pkg::STAGE_COMPOUND;
      agilemmu_pkg::TBL_GUEST:    stage_of = agilemmu_pkg::STAGE_GUEST;
      agilemmu_pkg::TBL_NESTED:   stage_of = agilemmu_pkg::STAGE_NESTED;
      default:                    stage_of = agilemmu_pkg::STAGE_NONE;
    endcase
  endfunction

  function automatic logic [2:0] perms_of(input logic [63:0] v);
    perms_of = {v[agilemmu_pkg::PTE_RW], v[agilemmu_pkg::PTE_US], ~v[agilemmu_pkg::PTE_NX]};
  endfunction

  function automatic logic [63:0] access_code(input logic [1:0] acc, input logic user);
    logic [63:0] c;
    c = 64'd0;
    if (acc == agilemmu_pkg::ACC_WRITE) c = c | agilemmu_pkg::EC_W;
    if (acc == agilemmu_pkg::ACC_FETCH) c = c | agilemmu_pkg::EC_I;
    if (user) c = c | agilemmu_pkg::EC_U;
    access_code = c;
  endfunction

  // ---- registers ----
  state_e      state;
  state_e      resume;       // where the walk goes on after its queued writes
  logic [63:0] r_va;
  logic [1:0]  r_mode;       // (PWC) the lookup's tag
  logic [63:0] r_node;       // (PWC) the root, where the walk starts on a PWC miss
  logic [1:0]  r_access;
  logic        r_user;
  logic [63:0] r_nroot;
  logic [2:0]  gtable, glevel;
  logic [2:0]  gperms;       // {write, user, exec} accumulated over the first dimension
  logic [1:0]  gsize;        // guest leaf size when the walk finishes through the nested table
  logic [63:0] ngpa;         // gPA being translated by the nested dimension
  logic [2:0]  nlevel;
  logic [2:0]  npurpose;     // guest level whose node pointer is translated, or PURPOSE_FINAL
  logic [2:0]  nperms;
  logic [7:0]  switch_level;
  logic [63:0] pend_addr;
  logic        pend_port;
  logic [2:0]  pend_table, pend_level;
  logic        res_ok;
  logic [63:0] res_hpa, res_gpa;
  logic [1:0]  res_size;
  logic [2:0]  res_perms;
  logic [2:0]  f_stage, f_kind, f_level;
  logic [63:0] f_addr, f_code;
  // Nested leaf of the guest-table node being read (Walk::node_leaf_): its write permission,
  // level, address and value, for the guest-page write check and its D write.
  logic        nl_write;
  logic [2:0]  nl_level;
  logic [63:0] nl_addr, nl_pte;
  // Write queue: wq0 goes out first; wq_n writes are due.
  logic [1:0]  wq_n;
  logic [63:0] wq0_addr, wq0_data, wq1_addr, wq1_data;
  logic        wq0_port, wq1_port;
  logic [2:0]  wq0_table, wq0_level, wq1_table, wq1_level;

  // ---- next-state logic ----
  // One step of pt::Walk per cycle, split by what it decides. In pt::Walk's order:
  //   Walk::start / the PWC lookup / step_first_dim / step_nested (walk_step, first_dim_check,
  //   nested_check, nested_regs) -> prepare_first_dim -> begin_nested (begin_nested) ->
  //   fail / finish (result) -> settle: the A/D writes queued by the step go out first
  //   (ad_write, next_state).
  // The memory request of the next read is chosen in mem_request, the PWC fill in pwc_fill.
  // (walk_unit.sv starts a waiting request at the edge walk_end, derived from n_state, is high:
  // a loop through the start logic's req_valid input for the lint, not for any signal.)
  /* verilator lint_off UNOPTFLAT */
  state_e      n_state;
  /* verilator lint_on UNOPTFLAT */
  state_e      n_resume;
  logic [63:0] n_va;
  logic [1:0]  n_mode;
  logic [63:0] n_node;
  logic [1:0]  n_access;
  logic        n_user;
  logic [63:0] n_nroot;
  logic [2:0]  n_gtable, n_glevel, n_gperms;
  logic [1:0]  n_gsize;
  logic [63:0] n_ngpa;
  logic [2:0]  n_nlevel, n_npurpose, n_nperms;
  logic [7:0]  n_switch_level;
  logic [63:0] n_pend_addr;
  logic        n_pend_port;
  logic [2:0]  n_pend_table, n_pend_level;
  logic        n_res_ok;
  logic [63:0] n_res_hpa, n_res_gpa;
  logic [1:0]  n_res_size;
  logic [2:0]  n_res_perms;
  logic [2:0]  n_f_stage, n_f_kind, n_f_level;
  logic [63:0] n_f_addr, n_f_code;
  logic        n_nl_write;
  logic [2:0]  n_nl_level;
  logic [63:0] n_nl_addr, n_nl_pte;
  logic [1:0]  n_wq_n;
  logic [63:0] n_wq0_addr, n_wq0_data, n_wq1_addr, n_wq1_data;
  logic        n_wq0_port, n_wq1_port;
  logic [2:0]  n_wq0_table, n_wq0_level, n_wq1_table, n_wq1_level;

  // ---- the entry just read and the walk's access ----
  logic [63:0] v, acode;
  logic        ps;
  assign v = mem_rsp_data;
  assign ps = v[agilemmu_pkg::PTE_PS];
  // The error-code bits of the access (of the request being started, in S_IDLE).
  assign acode = (state == S_IDLE) ? access_code(req_access, req_user) : access_code(r_access, r_user);

  // ---- Walk::step_first_dim's checks of the entry read in S_FIRST_DIM_WAIT ----
  logic        fd_entry_ok;  // present, no reserved bit: its permissions and selector count
  logic        fd_fault;
  logic [2:0]  fd_stage, fd_kind, fd_level;
  logic [63:0] fd_addr, fd_code;
  logic [2:0]  gp;           // permissions accumulated down to this entry
  logic        nested_style, leaf;
  logic [63:0] bits;         // the A/D bits the entry must have
  logic [1:0]  fd_size;
  logic [63:0] fd_out;       // a leaf's output address
  logic        fd_out_gpa;   // ... which is a gPA (translated by the nested dimension)
  always_comb begin : first_dim_check
    gp = gperms & perms_of(v);
    // Only compound entries carry the selector (claim 14: below it everything is nested).
    nested_style = (gtable == agilemmu_pkg::TBL_COMPOUND) && v[SELECTOR_BIT];
    leaf = (lv(glevel) == LEVELS) || (ps && large_allowed(LEVELS, glevel));
    // A, and D in a leaf written.
    bits = agilemmu_pkg::PTE_A_MASK | ((leaf && r_access == agilemmu_pkg::ACC_WRITE) ? agilemmu_pkg::PTE_D_MASK : 64'd0);
    fd_size = size_at(LEVELS, glevel);
    fd_out = (v & agilemmu_pkg::ADDR_FIELD & ~page_mask(fd_size)) | (r_va & page_mask(fd_size));
    fd_out_gpa = gtable == agilemmu_pkg::TBL_GUEST || nested_style;
    fd_entry_ok = 1'b0;
    fd_fault = 1'b1;
    fd_stage = stage_of(gtable); fd_level = glevel; fd_addr = r_va;
    fd_kind = agilemmu_pkg::FK_NOT_PRESENT; fd_code = acode;
    if (!v[agilemmu_pkg::PTE_P]) begin
      fd_kind = agilemmu_pkg::FK_NOT_PRESENT; fd_code = acode;
    end else if ((v & rsvd_mask(LEVELS, glevel, ps)) != 64'd0) begin
      fd_kind = agilemmu_pkg::FK_RESERVED; fd_code = acode | agilemmu_pkg::EC_P | agilemmu_pkg::EC_RSVD;
    end else begin
      fd_entry_ok = 1'b1;
      if (leaf && ((r_user && !gp[1]) || (r_access == agilemmu_pkg::ACC_WRITE && !gp[2]) || (r_access == agilemmu_pkg::ACC_FETCH && !gp[0]))) begin
        fd_kind = agilemmu_pkg::FK_PERMISSION; fd_code = acode | agilemmu_pkg::EC_P;
      end else if ((v & bits) != bits && gtable == agilemmu_pkg::TBL_GUEST && !nl_write) begin
        // Walk::guest_page_write: the guest page holding the entry must be writable through
        // its nested translation.
        fd_stage = agilemmu_pkg::STAGE_NESTED; fd_kind = agilemmu_pkg::FK_PERMISSION; fd_level = nl_level; fd_addr = ngpa;
        fd_code = agilemmu_pkg::EC_GUEST_TABLE | agilemmu_pkg::EC_P | agilemmu_pkg::EC_W;
      end else begin
        fd_fault = 1'b0;
      end
    end
  end

  // ---- Walk::step_nested's checks of the entry read in S_NESTED_WAIT (nested_done at a leaf) ----
  logic        nd_entry_ok;
  logic        nd_fault;
  logic [2:0]  nd_kind, nd_level;
  logic [63:0] nd_code;
  logic        final_gpa;    // translating the final gPA (else a guest-table node pointer)
  logic [2:0]  np;           // nested permissions accumulated down to this entry
  logic        nleaf;
  logic [63:0] nbits;        // the A/D bits a nested leaf must have (with NESTED_AD)
  logic [1:0]  nsize;
  logic [63:0] nout;         // the hPA of ngpa, at a leaf
  logic [63:0] ncode;
  always_comb begin : nested_check
    final_gpa = npurpose == PURPOSE_FINAL;
    ncode = final_gpa ? (agilemmu_pkg::EC_FINAL | acode) : agilemmu_pkg::EC_GUEST_TABLE;
    np = nperms & perms_of(v);
    nleaf = (lv(nlevel) == NESTED_LEVELS) || (ps && large_allowed(NESTED_LEVELS, nlevel));
    nsize = size_at(NESTED_LEVELS, nlevel);
    nout = (v & agilemmu_pkg::ADDR_FIELD & ~page_mask(nsize)) | (ngpa & page_mask(nsize));
    nbits = agilemmu_pkg::PTE_A_MASK | ((final_gpa && r_access == agilemmu_pkg::ACC_WRITE) ? agilemmu_pkg::PTE_D_MASK : 64'd0);
    nd_entry_ok = 1'b0;
    nd_fault = 1'b1;
    nd_level = nlevel;
    nd_kind = agilemmu_pkg::FK_NOT_PRESENT; nd_code = ncode;
    if (!v[agilemmu_pkg::PTE_P]) begin
      nd_kind = agilemmu_pkg::FK_NOT_PRESENT; nd_code = ncode;
    end else if ((v & rsvd_mask(NESTED_LEVELS, nlevel, ps)) != 64'd0) begin
      nd_kind = agilemmu_pkg::FK_RESERVED; nd_code = ncode | agilemmu_pkg::EC_P | agilemmu_pkg::EC_RSVD;
    end else begin
      nd_entry_ok = 1'b1;
      nd_fault = 1'b0;
      if (nleaf) begin
        // Walk::nested_done. Every nested access is a user access; the final gPA is also
        // checked for the access type (a guest-table pointer is read; its write check comes
        // when the guest entry needs A/D).
        if (!np[1] || (final_gpa && ((r_access == agilemmu_pkg::ACC_WRITE && !np[2]) || (r_access == agilemmu_pkg::ACC_FETCH && !np[0])))) begin
          nd_fault = 1'b1;
          nd_kind = agilemmu_pkg::FK_PERMISSION; nd_level = NL3 - {1'b0, nsize};
          nd_code = final_gpa ? (agilemmu_pkg::EC_FINAL | acode | agilemmu_pkg::EC_P) : (agilemmu_pkg::EC_GUEST_TABLE | agilemmu_pkg::EC_P);
        end
      end
    end
  end

  // ---- what this cycle's step does (at most one of each group) ----
  logic start, fd_step, nd_step, write_done, wq_more;
  logic fd_descend, fd_leaf_gpa, fd_leaf_hpa;        // first-dim entry passed its checks
  logic nd_descend, nd_node_found, nd_final;         // nested entry passed its checks
  assign start       = (state == S_IDLE) && req_valid;
  assign fd_step     = (state == S_FIRST_DIM_WAIT) && mem_rsp_valid;
  assign nd_step     = (state == S_NESTED_WAIT) && mem_rsp_valid;
  assign write_done  = (state == S_WRITE_WAIT) && mem_rsp_valid;
  assign wq_more     = (wq_n == 2'd2);  // the second queued write is due
  assign fd_descend  = fd_step && !fd_fault && !leaf;
  assign fd_leaf_gpa = fd_step && !fd_fault && leaf && fd_out_gpa;
  assign fd_leaf_hpa = fd_step && !fd_fault && leaf && !fd_out_gpa;
  assign nd_descend  = nd_step && !nd_fault && !nleaf;
  assign nd_node_found = nd_step && !nd_fault && nleaf && !final_gpa;  // guest-table node located
  assign nd_final    = nd_step && !nd_fault && nleaf && final_gpa;

  // ---- Walk::start, the PWC lookup and the first-dimension registers ----
  logic        canon_fault;  // #GP: raised before any table is read, so no stage and no level
  logic        do_prep;      // Walk::prepare_first_dim of prep_node at n_glevel
  logic [63:0] prep_node;
  always_comb begin : walk_step
    n_va = r_va; n_mode = r_mode; n_node = r_node; n_access = r_access; n_user = r_user; n_nroot = r_nroot;
    n_gtable = gtable; n_glevel = glevel; n_gperms = gperms; n_gsize = gsize;
    n_switch_level = switch_level;
    canon_fault = 1'b0; do_prep = 1'b0; prep_node = 64'd0;
    if (start) begin
      n_va = req_va; n_mode = req_mode; n_access = req_access; n_user = req_user; n_nroot = nroot;
      n_glevel = 3'd1; n_gperms = 3'b111; n_gsize = agilemmu_pkg::PS_4K; n_switch_level = NEVER_NESTED;
      unique case (req_mode)
        agilemmu_pkg::MODE_NATIVE: begin n_gtable = agilemmu_pkg::TBL_NATIVE; prep_node = hroot; end
        agilemmu_pkg::MODE_SHADOW: begin n_gtable = agilemmu_pkg::TBL_SHADOW; prep_node = sroot; end
        agilemmu_pkg::MODE_NESTED: begin n_gtable = agilemmu_pkg::TBL_GUEST; prep_node = groot; n_switch_level = 8'd0; end
        default: begin  // agile
          prep_node = croot;
          n_gtable = croot_is_gpa ? agilemmu_pkg::TBL_GUEST : agilemmu_pkg::TBL_COMPOUND;
          if (croot_is_gpa) n_switch_level = 8'd0;
        end
      endcase
      if (req_va[63:VA_BITS-1] != {(65 - VA_BITS){req_va[VA_BITS-1]}}) begin
        canon_fault = 1'b1;
      end else if (PWC) begin
        n_node = prep_node;  // Walk::start's PWC lookup, answered next cycle (S_LOOKUP)
      end else begin
        do_prep = 1'b1;
      end
    end
    if (state == S_LOOKUP) begin
      // Walk::start, the PWC part: a hit resumes below the deepest cached entry.
      prep_node = r_node;
      if (pwc_hit) begin
        n_glevel = pwc_level + 3'd1;
        prep_node = pwc_next;
        n_gperms = pwc_perms;
        if (pwc_next_is_gpa) begin  // the filling walk had switched to nested at or above it
          if (gtable == agilemmu_pkg::TBL_COMPOUND) n_switch_level = pwc_switch_level;
          n_gtable = agilemmu_pkg::TBL_GUEST;
        end
      end
      do_prep = 1'b1;
    end
    if (fd_step && fd_entry_ok) begin
      n_gperms = gp;
      if (nested_style) n_switch_level = {5'd0, glevel};
    end
    if (fd_leaf_gpa) n_gsize = fd_size;
    if (fd_descend) begin
      if (nested_style) n_gtable = agilemmu_pkg::TBL_GUEST;
      n_glevel = glevel + 3'd1;
      prep_node = v & agilemmu_pkg::ADDR_FIELD;
      do_prep = 1'b1;
    end
  end

  // ---- Walk::prepare_first_dim -> Walk::begin_nested ----
  // Guest-table node pointers are gPAs and are translated first; so is a leaf's gPA.
  logic        prep_read;    // read the first-dimension entry at n_glevel
  logic        nest_go, nest_fault, nest_start;
  logic [63:0] nest_gpa, nest_code;
  logic [2:0]  nest_purpose;
  always_comb begin : begin_nested
    prep_read = do_prep && n_gtable != agilemmu_pkg::TBL_GUEST;
    nest_go = fd_leaf_gpa || (do_prep && n_gtable == agilemmu_pkg::TBL_GUEST);
    nest_gpa = fd_leaf_gpa ? fd_out : prep_node;
    nest_purpose = fd_leaf_gpa ? PURPOSE_FINAL : n_glevel;
    nest_code = (nest_purpose == PURPOSE_FINAL) ? (agilemmu_pkg::EC_FINAL | acode) : agilemmu_pkg::EC_GUEST_TABLE;
    nest_fault = nest_go && nest_gpa[63:GPA_BITS] != '0;  // beyond what the nested table can map
    nest_start = nest_go && !nest_fault;
  end

  // ---- the nested dimension's registers (Walk::step_nested, begin_nested) ----
  always_comb begin : nested_regs
    n_ngpa = ngpa; n_npurpose = npurpose; n_nperms = nperms; n_nlevel = nlevel;
    n_nl_write = nl_write; n_nl_level = nl_level; n_nl_addr = nl_addr; n_nl_pte = nl_pte;
    if (nd_step && nd_entry_ok) n_nperms = np;
    if (nd_descend) n_nlevel = nlevel + 3'd1;
    if (nd_node_found) begin  // the nested leaf of the guest node, for its write check and D
      n_nl_write = np[2]; n_nl_level = nlevel; n_nl_addr = pend_addr;
      n_nl_pte = NESTED_AD ? (v | nbits) : v;
    end
    if (nest_start) begin
      n_ngpa = nest_gpa; n_npurpose = nest_purpose; n_nperms = 3'b111; n_nlevel = 3'd1;
    end
  end

  // ---- the next memory read ----
  always_comb begin : mem_request
    n_pend_addr = pend_addr; n_pend_port = pend_port; n_pend_table = pend_table; n_pend_level = pend_level;
    if (nd_descend) begin
      n_pend_addr = (v & agilemmu_pkg::ADDR_FIELD) + index_off(NESTED_LEVELS, ngpa, n_nlevel);
      n_pend_port = agilemmu_pkg::PORT_NESTED; n_pend_table = agilemmu_pkg::TBL_NESTED; n_pend_level = n_nlevel;
    end
    if (nd_node_found) begin  // guest-table node located: read its entry
      n_pend_addr = nout + index_off(LEVELS, r_va, glevel);
      n_pend_port = agilemmu_pkg::PORT_COMPOUND; n_pend_table = agilemmu_pkg::TBL_GUEST; n_pend_level = glevel;
    end
    if (prep_read) begin
      n_pend_addr = prep_node + index_off(LEVELS, n_va, n_glevel);
      n_pend_port = agilemmu_pkg::PORT_COMPOUND; n_pend_table = n_gtable; n_pend_level = n_glevel;
    end
    if (nest_start) begin
      n_pend_addr = n_nroot + index_off(NESTED_LEVELS, nest_gpa, 3'd1);
      n_pend_port = agilemmu_pkg::PORT_NESTED; n_pend_table = agilemmu_pkg::TBL_NESTED; n_pend_level = 3'd1;
    end
  end

  // ---- A/D write decision: the writes this step queues (Walk::settle sends them first) ----
  logic do_write;
  always_comb begin : ad_write
    n_wq_n = wq_n;
    n_wq0_addr = wq0_addr; n_wq0_data = wq0_data; n_wq0_port = wq0_port; n_wq0_table = wq0_table; n_wq0_level = wq0_level;
    n_wq1_addr = wq1_addr; n_wq1_data = wq1_data; n_wq1_port = wq1_port; n_wq1_table = wq1_table; n_wq1_level = wq1_level;
    do_write = 1'b0;
    if (start) n_wq_n = 2'd0;
    if (write_done) begin
      if (wq_more) begin
        n_wq0_addr = wq1_addr; n_wq0_data = wq1_data; n_wq0_port = wq1_port; n_wq0_table = wq1_table; n_wq0_level = wq1_level;
        n_wq_n = 2'd1;
      end else begin
        n_wq_n = 2'd0;
      end
    end
    if (fd_step && !fd_fault && (v & bits) != bits) begin
      do_write = 1'b1;
      if (gtable == agilemmu_pkg::TBL_GUEST && NESTED_AD && !nl_pte[agilemmu_pkg::PTE_D]) begin
        // D in the nested leaf mapping the guest page first, then the entry itself.
        n_wq0_addr = nl_addr; n_wq0_data = nl_pte | agilemmu_pkg::PTE_D_MASK;
        n_wq0_port = agilemmu_pkg::PORT_NESTED; n_wq0_table = agilemmu_pkg::TBL_NESTED; n_wq0_level = nl_level;
        n_wq1_addr = pend_addr; n_wq1_data = v | bits;
        n_wq1_port = pend_port; n_wq1_table = pend_table; n_wq1_level = pend_level;
        n_wq_n = 2'd2;
      end else begin
        n_wq0_addr = pend_addr; n_wq0_data = v | bits;
        n_wq0_port = pend_port; n_wq0_table = pend_table; n_wq0_level = pend_level;
        n_wq_n = 2'd1;
      end
    end
    if (nd_step && !nd_fault && nleaf) begin
      if (NESTED_AD && (v & nbits) != nbits) begin
        do_write = 1'b1;
        n_wq0_addr = pend_addr; n_wq0_data = v | nbits;
        n_wq0_port = pend_port; n_wq0_table = pend_table; n_wq0_level = pend_level;
        n_wq_n = 2'd1;
      end
    end
    if (nd_descend) begin
      if (NESTED_AD && !v[agilemmu_pkg::PTE_A]) begin
        do_write = 1'b1;
        n_wq0_addr = pend_addr; n_wq0_data = v | agilemmu_pkg::PTE_A_MASK;
        n_wq0_port = pend_port; n_wq0_table = pend_table; n_wq0_level = pend_level;
        n_wq_n = 2'd1;
      end
    end
  end

  // ---- result: Walk::fail / Walk::finish ----
  logic do_fault, do_finish;
  assign do_fault  = canon_fault || (fd_step && fd_fault) || (nd_step && nd_fault) || nest_fault;
  assign do_finish = fd_leaf_hpa || nd_final;
  always_comb begin : result
    n_res_ok = res_ok; n_res_hpa = res_hpa; n_res_gpa = res_gpa; n_res_size = res_size; n_res_perms = res_perms;
    n_f_stage = f_stage; n_f_kind = f_kind; n_f_level = f_level; n_f_addr = f_addr; n_f_code = f_code;
    if (start) begin
      n_res_ok = 1'b0; n_res_hpa = 64'd0; n_res_gpa = 64'd0; n_res_size = agilemmu_pkg::PS_4K; n_res_perms = 3'b000;
      n_f_stage = agilemmu_pkg::STAGE_NONE; n_f_kind = agilemmu_pkg::FK_NONE; n_f_level = 3'd0; n_f_addr = 64'd0; n_f_code = 64'd0;
    end
    if (do_fault) n_res_ok = 1'b0;
    if (canon_fault) begin
      n_f_stage = agilemmu_pkg::STAGE_NONE; n_f_kind = agilemmu_pkg::FK_NON_CANONICAL; n_f_level = 3'd0;
      n_f_addr = req_va; n_f_code = acode;
    end
    if (fd_step && fd_fault) begin
      n_f_stage = fd_stage; n_f_kind = fd_kind; n_f_level = fd_level; n_f_addr = fd_addr; n_f_code = fd_code;
    end
    if (nd_step && nd_fault) begin
      n_f_stage = agilemmu_pkg::STAGE_NESTED; n_f_kind = nd_kind; n_f_level = nd_level; n_f_addr = ngpa; n_f_code = nd_code;
    end
    if (nest_fault) begin
      n_f_stage = agilemmu_pkg::STAGE_NESTED; n_f_kind = agilemmu_pkg::FK_ADDRESS_SIZE; n_f_level = 3'd0; n_f_addr = nest_gpa;
      n_f_code = nest_code | agilemmu_pkg::EC_P | agilemmu_pkg::EC_RSVD;
    end
    if (fd_leaf_hpa) begin
      n_res_ok = 1'b1; n_res_hpa = fd_out; n_res_size = fd_size; n_res_perms = gp;
    end
    if (nd_final) begin
      n_res_ok = 1'b1; n_res_hpa = nout; n_res_gpa = ngpa;
      n_res_size = (nsize < gsize) ? nsize : gsize;
      n_res_perms = gperms & np;
    end
  end

  // ---- PWC fill: Walk::step_first_dim's pwc_fill of a non-leaf entry that passed ----
  always_comb begin : pwc_fill_offer
    pwc_fill = 1'b0; pwc_fill_level = glevel; pwc_fill_next = 64'd0; pwc_fill_is_gpa = 1'b0;
    pwc_fill_perms = 3'b000; pwc_fill_switch_level = NEVER_NESTED;
    if (PWC && fd_descend) begin
      pwc_fill = 1'b1; pwc_fill_level = glevel; pwc_fill_next = v & agilemmu_pkg::ADDR_FIELD;
      pwc_fill_is_gpa = nested_style || gtable == agilemmu_pkg::TBL_GUEST;
      pwc_fill_perms = gp; pwc_fill_switch_level = n_switch_level;
    end
  end

  // ---- next state: the step's own move, then prepare/begin_nested, fail/finish, settle ----
  always_comb begin : next_state
    n_state = state; n_resume = resume;
    unique case (state)
      S_IDLE:           if (start && PWC && !canon_fault) n_state = S_LOOKUP;
      S_LOOKUP:         ;
      S_FIRST_DIM_READ: if (mem_req_ready) n_state = S_FIRST_DIM_WAIT;
      S_NESTED_READ:    if (mem_req_ready) n_state = S_NESTED_WAIT;
      S_WRITE:          if (mem_req_ready) n_state = S_WRITE_WAIT;
      S_WRITE_WAIT:     if (write_done) n_state = wq_more ? S_WRITE : resume;
      S_FIRST_DIM_WAIT: ;
      S_NESTED_WAIT:    if (nd_descend) n_state = S_NESTED_READ;
                        else if (nd_node_found) n_state = S_FIRST_DIM_READ;
      S_DONE, S_FAULT: if (rsp_ready) n_state = S_IDLE;
      default: n_state = S_IDLE;
    endcase
    if (prep_read) n_state = S_FIRST_DIM_READ;
    if (nest_start) n_state = S_NESTED_READ;
    if (do_fault) n_state = S_FAULT;
    if (do_finish) n_state = S_DONE;
    // Walk::settle: the writes queued by this step go out first, then the walk goes on.
    if (do_write) begin
      n_resume = n_state;
      n_state = S_WRITE;
    end
  end

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      state <= S_IDLE;
    end else begin
      state <= n_state;
    end
  end

  // Datapath registers need no reset: they are written before use by every walk.
  always_ff @(posedge clk) begin
    resume <= n_resume;
    r_va <= n_va; r_mode <= n_mode; r_node <= n_node; r_access <= n_access; r_user <= n_user; r_nroot <= n_nroot;
    gtable <= n_gtable; glevel <= n_glevel; gperms <= n_gperms; gsize <= n_gsize;
    ngpa <= n_ngpa; nlevel <= n_nlevel; npurpose <= n_npurpose; nperms <= n_nperms;
    switch_level <= n_switch_level;
    pend_addr <= n_pend_addr; pend_port <= n_pend_port; pend_table <= n_pend_table; pend_level <= n_pend_level;
    res_ok <= n_res_ok; res_hpa <= n_res_hpa; res_gpa <= n_res_gpa; res_size <= n_res_size; res_perms <= n_res_perms;
    f_stage <= n_f_stage; f_kind <= n_f_kind; f_level <= n_f_level; f_addr <= n_f_addr; f_code <= n_f_code;
    nl_write <= n_nl_write; nl_level <= n_nl_level; nl_addr <= n_nl_addr; nl_pte <= n_nl_pte;
    wq_n <= n_wq_n;
    wq0_addr <= n_wq0_addr; wq0_data <= n_wq0_data; wq0_port <= n_wq0_port; wq0_table <= n_wq0_table; wq0_level <= n_wq0_level;
    wq1_addr <= n_wq1_addr; wq1_data <= n_wq1_data; wq1_port <= n_wq1_port; wq1_table <= n_wq1_table; wq1_level <= n_wq1_level;
  end

  logic writing;
  assign writing = (state == S_WRITE);
  assign req_ready       = (state == S_IDLE);
  assign rsp_valid       = (state == S_DONE) || (state == S_FAULT);
  assign rsp_ok          = res_ok;
  assign rsp_hpa         = res_hpa;
  assign rsp_gpa         = res_gpa;
  assign rsp_size        = res_size;
  assign rsp_perms       = res_perms;
  assign rsp_switch_level = switch_level;
  assign rsp_fault_stage = f_stage;
  assign rsp_fault_kind  = f_kind;
  assign rsp_fault_level = f_level;
  assign rsp_fault_addr  = f_addr;
  assign rsp_fault_code  = f_code;
  assign mem_req_valid   = (state == S_FIRST_DIM_READ) || (state == S_NESTED_READ) || writing;
  assign mem_req_write   = writing;
  assign mem_req_wdata   = wq0_data;
  assign mem_req_addr    = writing ? wq0_addr : pend_addr;
  assign mem_req_port    = writing ? wq0_port : pend_port;
  assign mem_req_table   = writing ? wq0_table : pend_table;
  assign mem_req_level   = writing ? wq0_level : pend_level;
  assign pwc_lookup      = (state == S_LOOKUP);
  assign walk_va         = r_va;
  assign walk_mode       = r_mode;
  assign walk_end        = mem_rsp_valid && (n_state == S_DONE || n_state == S_FAULT) &&
                           (state == S_FIRST_DIM_WAIT || state == S_NESTED_WAIT || state == S_WRITE_WAIT);

endmodule
