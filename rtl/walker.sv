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
  // (walk_unit.sv starts a waiting request at the edge walk_end, derived from n_state, is high:
  // a loop through this block's req_valid input for the lint, not for any signal.)
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

  // Actions of one step, applied in the order pt::Walk calls them:
  // first-dim/nested step -> prepare_first_dim -> begin_nested -> fail / finish -> settle
  // (queued writes go out before whatever comes next).
  logic        do_prep, do_nest, do_fault, do_finish, do_write;
  logic [63:0] prep_node, nest_gpa;
  logic [2:0]  nest_purpose;
  logic [2:0]  af_stage, af_kind, af_level;
  logic [63:0] af_addr, af_code;
  logic [63:0] fin_hpa;
  logic [1:0]  fin_size;
  logic [2:0]  fin_perms;
  // Step temporaries.
  logic [63:0] v, acode, ncode, out, base, bits;
  logic        ps, leaf, nested_style, final_gpa;
  logic [2:0]  st, np, gp;
  logic [1:0]  sz;

  always_comb begin
    n_state = state; n_resume = resume;
    n_va = r_va; n_mode = r_mode; n_node = r_node; n_access = r_access; n_user = r_user; n_nroot = r_nroot;
    n_gtable = gtable; n_glevel = glevel; n_gperms = gperms; n_gsize = gsize;
    n_ngpa = ngpa; n_nlevel = nlevel; n_npurpose = npurpose; n_nperms = nperms;
    n_switch_level = switch_level;
    n_pend_addr = pend_addr; n_pend_port = pend_port; n_pend_table = pend_table; n_pend_level = pend_level;
    n_res_ok = res_ok; n_res_hpa = res_hpa; n_res_gpa = res_gpa; n_res_size = res_size; n_res_perms = res_perms;
    n_f_stage = f_stage; n_f_kind = f_kind; n_f_level = f_level; n_f_addr = f_addr; n_f_code = f_code;
    n_nl_write = nl_write; n_nl_level = nl_level; n_nl_addr = nl_addr; n_nl_pte = nl_pte;
    n_wq_n = wq_n;
    n_wq0_addr = wq0_addr; n_wq0_data = wq0_data; n_wq0_port = wq0_port; n_wq0_table = wq0_table; n_wq0_level = wq0_level;
    n_wq1_addr = wq1_addr; n_wq1_data = wq1_data; n_wq1_port = wq1_port; n_wq1_table = wq1_table; n_wq1_level = wq1_level;
    do_prep = 1'b0; do_nest = 1'b0; do_fault = 1'b0; do_finish = 1'b0; do_write = 1'b0;
    prep_node = 64'd0; nest_gpa = 64'd0; nest_purpose = PURPOSE_FINAL;
    af_stage = agilemmu_pkg::STAGE_NONE; af_kind = agilemmu_pkg::FK_NONE; af_level = 3'd0; af_addr = 64'd0; af_code = 64'd0;
    fin_hpa = 64'd0; fin_size = agilemmu_pkg::PS_4K; fin_perms = 3'b111;
    v = mem_rsp_data;
    ps = v[agilemmu_pkg::PTE_PS];
    leaf = 1'b0; nested_style = 1'b0; final_gpa = 1'b0;
    st = agilemmu_pkg::STAGE_NONE; np = 3'b111; gp = 3'b111; sz = agilemmu_pkg::PS_4K;
    out = 64'd0; base = 64'd0; ncode = 64'd0; bits = 64'd0;
    acode = access_code(r_access, r_user);
    pwc_fill = 1'b0; pwc_fill_level = glevel; pwc_fill_next = 64'd0; pwc_fill_is_gpa = 1'b0;
    pwc_fill_perms = 3'b000; pwc_fill_switch_level = NEVER_NESTED;

    unique case (state)
      S_IDLE: if (req_valid) begin
        // Walk::start
        n_va = req_va; n_mode = req_mode; n_access = req_access; n_user = req_user; n_nroot = nroot;
        acode = access_code(req_access, req_user);
        n_glevel = 3'd1; n_gperms = 3'b111; n_gsize = agilemmu_pkg::PS_4K; n_switch_level = NEVER_NESTED;
        n_res_ok = 1'b0; n_res_hpa = 64'd0; n_res_gpa = 64'd0; n_res_size = agilemmu_pkg::PS_4K; n_res_perms = 3'b000;
        n_f_stage = agilemmu_pkg::STAGE_NONE; n_f_kind = agilemmu_pkg::FK_NONE; n_f_level = 3'd0; n_f_addr = 64'd0; n_f_code = 64'd0;
        n_wq_n = 2'd0;
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
          // #GP: raised before any table is read, so no stage and no level.
          do_fault = 1'b1;
          af_stage = agilemmu_pkg::STAGE_NONE; af_kind = agilemmu_pkg::FK_NON_CANONICAL; af_level = 3'd0;
          af_addr = req_va; af_code = acode;
        end else if (PWC) begin
          n_node = prep_node;  // Walk::start's PWC lookup, answered next cycle
          n_state = S_LOOKUP;
        end else begin
          do_prep = 1'b1;
        end
      end
      S_LOOKUP: begin
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
      S_FIRST_DIM_READ: if (mem_req_ready) n_state = S_FIRST_DIM_WAIT;
      S_NESTED_READ:    if (mem_req_ready) n_state = S_NESTED_WAIT;
      S_WRITE:          if (mem_req_ready) n_state = S_WRITE_WAIT;
      S_WRITE_WAIT: if (mem_rsp_valid) begin
        if (wq_n == 2'd2) begin  // the second queued write
          n_wq0_addr = wq1_addr; n_wq0_data = wq1_data; n_wq0_port = wq1_port; n_wq0_table = wq1_table; n_wq0_level = wq1_level;
          n_wq_n = 2'd1;
          n_state = S_WRITE;
        end else begin
          n_wq_n = 2'd0;
          n_state = resume;
        end
      end
      S_FIRST_DIM_WAIT: if (mem_rsp_valid) begin
        // Walk::step_first_dim
        st = stage_of(gtable);
        if (!v[agilemmu_pkg::PTE_P]) begin
          do_fault = 1'b1;
          af_stage = st; af_kind = agilemmu_pkg::FK_NOT_PRESENT; af_level = glevel; af_addr = r_va; af_code = acode;
        end else if ((v & rsvd_mask(LEVELS, glevel, ps)) != 64'd0) begin
          do_fault = 1'b1;
          af_stage = st; af_kind = agilemmu_pkg::FK_RESERVED; af_level = glevel; af_addr = r_va;
          af_code = acode | agilemmu_pkg::EC_P | agilemmu_pkg::EC_RSVD;
        end else begin
          gp = gperms & perms_of(v);
          n_gperms = gp;
          // Only compound entries carry the selector (claim 14: below it everything is nested).
          nested_style = (gtable == agilemmu_pkg::TBL_COMPOUND) && v[SELECTOR_BIT];
          if (nested_style) n_switch_level = {5'd0, glevel};
          leaf = (lv(glevel) == LEVELS) || (ps && large_allowed(LEVELS, glevel));
          // A, and D in a leaf written.
          bits = agilemmu_pkg::PTE_A_MASK | ((leaf && r_access == agilemmu_pkg::ACC_WRITE) ? agilemmu_pkg::PTE_D_MASK : 64'd0);
          if (leaf && ((r_user && !gp[1]) || (r_access == agilemmu_pkg::ACC_WRITE && !gp[2]) || (r_access == agilemmu_pkg::ACC_FETCH && !gp[0]))) begin
            do_fault = 1'b1;
            af_stage = st; af_kind = agilemmu_pkg::FK_PERMISSION; af_level = glevel; af_addr = r_va; af_code = acode | agilemmu_pkg::EC_P;
          end else if ((v & bits) != bits && gtable == agilemmu_pkg::TBL_GUEST && !nl_write) begin
            // Walk::guest_page_write: the guest page holding the entry must be writable through
            // its nested translation.
            do_fault = 1'b1;
            af_stage = agilemmu_pkg::STAGE_NESTED; af_kind = agilemmu_pkg::FK_PERMISSION; af_level = nl_level; af_addr = ngpa;
            af_code = agilemmu_pkg::EC_GUEST_TABLE | agilemmu_pkg::EC_P | agilemmu_pkg::EC_W;
          end else begin
            if ((v & bits) != bits) begin
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
            if (leaf) begin
              sz = size_at(LEVELS, glevel);
              out = (v & agilemmu_pkg::ADDR_FIELD & ~page_mask(sz)) | (r_va & page_mask(sz));
              if (gtable == agilemmu_pkg::TBL_GUEST || nested_style) begin  // out is a gPA
                n_gsize = sz;
                do_nest = 1'b1; nest_gpa = out; nest_purpose = PURPOSE_FINAL;
              end else begin
                do_finish = 1'b1; fin_hpa = out; fin_size = sz; fin_perms = gp;
              end
            end else begin
              if (PWC) begin  // Walk::step_first_dim's pwc_fill
                pwc_fill = 1'b1; pwc_fill_level = glevel; pwc_fill_next = v & agilemmu_pkg::ADDR_FIELD;
                pwc_fill_is_gpa = nested_style || gtable == agilemmu_pkg::TBL_GUEST;
                pwc_fill_perms = gp; pwc_fill_switch_level = n_switch_level;
              end
              if (nested_style) n_gtable = agilemmu_pkg::TBL_GUEST;
              n_glevel = glevel + 3'd1;
              prep_node = v & agilemmu_pkg::ADDR_FIELD;
              do_prep = 1'b1;
            end
          end
        end
      end
      S_NESTED_WAIT: if (mem_rsp_valid) begin
        // Walk::step_nested
        final_gpa = npurpose == PURPOSE_FINAL;
        ncode = final_gpa ? (agilemmu_pkg::EC_FINAL | acode) : agilemmu_pkg::EC_GUEST_TABLE;
        if (!v[agilemmu_pkg::PTE_P]) begin
          do_fault = 1'b1;
          af_stage = agilemmu_pkg::STAGE_NESTED; af_kind = agilemmu_pkg::FK_NOT_PRESENT; af_level = nlevel; af_addr = ngpa; af_code = ncode;
        end else if ((v & rsvd_mask(NESTED_LEVELS, nlevel, ps)) != 64'd0) begin
          do_fault = 1'b1;
          af_stage = agilemmu_pkg::STAGE_NESTED; af_kind = agilemmu_pkg::FK_RESERVED; af_level = nlevel; af_addr = ngpa;
          af_code = ncode | agilemmu_pkg::EC_P | agilemmu_pkg::EC_RSVD;
        end else begin
          np = nperms & perms_of(v);
          n_nperms = np;
          leaf = (lv(nlevel) == NESTED_LEVELS) || (ps && large_allowed(NESTED_LEVELS, nlevel));
          if (leaf) begin
            // Walk::nested_done. Every nested access is a user access; the final gPA is also
            // checked for the access type (a guest-table pointer is read; its write check comes
            // when the guest entry needs A/D).
            sz = size_at(NESTED_LEVELS, nlevel);
            base = v & agilemmu_pkg::ADDR_FIELD & ~page_mask(sz);
            out = base | (ngpa & page_mask(sz));
            bits = agilemmu_pkg::PTE_A_MASK | ((final_gpa && r_access == agilemmu_pkg::ACC_WRITE) ? agilemmu_pkg::PTE_D_MASK : 64'd0);
            if (!np[1] || (final_gpa && ((r_access == agilemmu_pkg::ACC_WRITE && !np[2]) || (r_access == agilemmu_pkg::ACC_FETCH && !np[0])))) begin
              do_fault = 1'b1;
              af_stage = agilemmu_pkg::STAGE_NESTED; af_kind = agilemmu_pkg::FK_PERMISSION; af_level = NL3 - {1'b0, sz};
              af_addr = ngpa;
              af_code = final_gpa ? (agilemmu_pkg::EC_FINAL | acode | agilemmu_pkg::EC_P) : (agilemmu_pkg::EC_GUEST_TABLE | agilemmu_pkg::EC_P);
            end else begin
              if (NESTED_AD && (v & bits) != bits) begin
                do_write = 1'b1;
                n_wq0_addr = pend_addr; n_wq0_data = v | bits;
                n_wq0_port = pend_port; n_wq0_table = pend_table; n_wq0_level = pend_level;
                n_wq_n = 2'd1;
              end
              if (!final_gpa) begin  // guest-table node located: read its entry
                n_nl_write = np[2]; n_nl_level = nlevel; n_nl_addr = pend_addr;
                n_nl_pte = NESTED_AD ? (v | bits) : v;
                n_pend_addr = out + index_off(LEVELS, r_va, glevel);
                n_pend_port = agilemmu_pkg::PORT_COMPOUND; n_pend_table = agilemmu_pkg::TBL_GUEST; n_pend_level = glevel;
                n_state = S_FIRST_DIM_READ;
              end else begin
                n_res_gpa = ngpa;
                do_finish = 1'b1; fin_hpa = out;
                fin_size = (sz < gsize) ? sz : gsize;
                fin_perms = gperms & np;
              end
            end
          end else begin
            if (NESTED_AD && !v[agilemmu_pkg::PTE_A]) begin
              do_write = 1'b1;
              n_wq0_addr = pend_addr; n_wq0_data = v | agilemmu_pkg::PTE_A_MASK;
              n_wq0_port = pend_port; n_wq0_table = pend_table; n_wq0_level = pend_level;
              n_wq_n = 2'd1;
            end
            n_nlevel = nlevel + 3'd1;
            n_pend_addr = (v & agilemmu_pkg::ADDR_FIELD) + index_off(NESTED_LEVELS, ngpa, n_nlevel);
            n_pend_port = agilemmu_pkg::PORT_NESTED; n_pend_table = agilemmu_pkg::TBL_NESTED; n_pend_level = n_nlevel;
            n_state = S_NESTED_READ;
          end
        end
      end
      S_DONE, S_FAULT: if (rsp_ready) n_state = S_IDLE;
      default: n_state = S_IDLE;
    endcase

    // Walk::prepare_first_dim: guest-table node pointers are gPAs and are translated first.
    if (do_prep) begin
      if (n_gtable == agilemmu_pkg::TBL_GUEST) begin
        do_nest = 1'b1; nest_gpa = prep_node; nest_purpose = n_glevel;
      end else begin
        n_pend_addr = prep_node + index_off(LEVELS, n_va, n_glevel);
        n_pend_port = agilemmu_pkg::PORT_COMPOUND; n_pend_table = n_gtable; n_pend_level = n_glevel;
        n_state = S_FIRST_DIM_READ;
      end
    end
    // Walk::begin_nested
    if (do_nest) begin
      ncode = (nest_purpose == PURPOSE_FINAL) ? (agilemmu_pkg::EC_FINAL | acode) : agilemmu_pkg::EC_GUEST_TABLE;
      if (nest_gpa[63:GPA_BITS] != '0) begin  // beyond what the nested table can map
        do_fault = 1'b1;
        af_stage = agilemmu_pkg::STAGE_NESTED; af_kind = agilemmu_pkg::FK_ADDRESS_SIZE; af_level = 3'd0; af_addr = nest_gpa;
        af_code = ncode | agilemmu_pkg::EC_P | agilemmu_pkg::EC_RSVD;
      end else begin
        n_ngpa = nest_gpa; n_npurpose = nest_purpose; n_nperms = 3'b111; n_nlevel = 3'd1;
        n_pend_addr = n_nroot + index_off(NESTED_LEVELS, nest_gpa, 3'd1);
        n_pend_port = agilemmu_pkg::PORT_NESTED; n_pend_table = agilemmu_pkg::TBL_NESTED; n_pend_level = 3'd1;
        n_state = S_NESTED_READ;
      end
    end
    if (do_fault) begin
      n_res_ok = 1'b0;
      n_f_stage = af_stage; n_f_kind = af_kind; n_f_level = af_level; n_f_addr = af_addr; n_f_code = af_code;
      n_state = S_FAULT;
    end
    if (do_finish) begin
      n_res_ok = 1'b1; n_res_hpa = fin_hpa; n_res_size = fin_size; n_res_perms = fin_perms;
      n_state = S_DONE;
    end
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
