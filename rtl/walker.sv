// Page-table walker for agile paging, without walk caches. Same semantics as pt::Walk
// (model/pt/walk.cpp): native, nested (2-D), shadow and agile (compound) walks.
//
// Cycle contract (pt::WalkTiming with start_cycles = 1, step_cycles = 1):
//   request accepted at edge t0 -> first memory request valid in the cycle after t0;
//   memory response at edge t -> next memory request (or the result) valid in the cycle after t.
// So a walk of n references with memory latency L takes 1 + n*(L + 1) cycles from the request
// handshake to the edge where the result is first valid.
module walker
  import agilemmu_pkg::*;
#(
  parameter int LEVELS        = 4,   // guest / compound / shadow / native table depth (4 or 5)
  parameter int NESTED_LEVELS = 4,   // nested table depth (4 or 5)
  parameter int MAXPHYADDR    = 52,  // entry address bits at and above this are reserved
  parameter int SELECTOR_BIT  = 52,  // compound entry bit marking a nested-style entry
  parameter bit NX_ENABLED    = 1'b1 // EFER.NXE; when clear, bit 63 is reserved
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
  // Memory read port (8-byte entry reads). Responses arrive at least one cycle after acceptance.
  output logic        mem_req_valid,
  input  logic        mem_req_ready,
  output logic [63:0] mem_req_addr,
  output logic        mem_req_port,   // port_e
  output logic [2:0]  mem_req_table,  // table_e
  output logic [2:0]  mem_req_level,
  input  logic        mem_rsp_valid,
  input  logic [63:0] mem_rsp_data
);

  localparam int VA_BITS  = 12 + 9 * LEVELS;
  localparam int GPA_BITS = 12 + 9 * NESTED_LEVELS;
  localparam logic [63:0] ADDR_RSVD = ADDR_FIELD & ~((64'h1 << MAXPHYADDR) - 64'h1);
  localparam logic [2:0] PURPOSE_FINAL = 3'd0;  // nested walk of the final gPA
  localparam logic [7:0] NEVER_NESTED = 8'hff;

  typedef enum logic [2:0] {
    S_IDLE, S_FIRST_DIM_READ, S_FIRST_DIM_WAIT, S_NESTED_READ, S_NESTED_WAIT, S_DONE, S_FAULT
  } state_e;

  // ---- pure helpers (mirror pt::Format) ----
  function automatic logic [63:0] index_off(input int lvls, input logic [63:0] a, input logic [2:0] level);
    logic [8:0] s;
    s = 9'(a >> (12 + 9 * (lvls - int'(level))));
    return {52'd0, s, 3'd0};  // 8 * index
  endfunction

  function automatic logic large_allowed(input int lvls, input logic [2:0] level);
    return (int'(level) + 2 >= lvls) && (int'(level) < lvls);
  endfunction

  function automatic logic [1:0] size_at(input int lvls, input logic [2:0] level);
    return 2'(lvls - int'(level));
  endfunction

  function automatic logic [63:0] page_mask(input logic [1:0] size);
    unique case (size)
      2'd0:    return 64'h0000_0fff;
      2'd1:    return 64'h001f_ffff;
      default: return 64'h3fff_ffff;
    endcase
  endfunction

  function automatic logic [63:0] rsvd_mask(input int lvls, input logic [2:0] level, input logic ps);
    logic [63:0] m;
    m = ADDR_RSVD;
    if (!NX_ENABLED) m[PTE_NX] = 1'b1;
    if (int'(level) < lvls && ps) begin
      if (!large_allowed(lvls, level)) m[PTE_PS] = 1'b1;  // PS in PML5E/PML4E
      else m = m | (page_mask(size_at(lvls, level)) & ~64'h1fff);  // large-page low bits (bit 12 = PAT)
    end
    return m;
  endfunction

  function automatic logic [2:0] stage_of(input logic [2:0] t);
    unique case (t)
      TBL_NATIVE:   return STAGE_NATIVE;
      TBL_SHADOW:   return STAGE_SHADOW;
      TBL_COMPOUND: return STAGE_COMPOUND;
      TBL_GUEST:    return STAGE_GUEST;
      TBL_NESTED:   return STAGE_NESTED;
      default:      return STAGE_NONE;
    endcase
  endfunction

  function automatic logic [2:0] perms_of(input logic [63:0] v);
    return {v[PTE_RW], v[PTE_US], ~v[PTE_NX]};
  endfunction

  function automatic logic [63:0] access_code(input logic [1:0] acc, input logic user);
    logic [63:0] c;
    c = 64'd0;
    if (acc == ACC_WRITE) c = c | EC_W;
    if (acc == ACC_FETCH) c = c | EC_I;
    if (user) c = c | EC_U;
    return c;
  endfunction

  // ---- registers ----
  state_e      state;
  logic [63:0] r_va;
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

  // ---- next-state logic ----
  state_e      n_state;
  logic [63:0] n_va;
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

  // Actions of one step, applied in the order pt::Walk calls them:
  // first-dim/nested step -> prepare_first_dim -> begin_nested -> fail / finish.
  logic        do_prep, do_nest, do_fault, do_finish;
  logic [63:0] prep_node, nest_gpa;
  logic [2:0]  nest_purpose;
  logic [2:0]  af_stage, af_kind, af_level;
  logic [63:0] af_addr, af_code;
  logic [63:0] fin_hpa;
  logic [1:0]  fin_size;
  logic [2:0]  fin_perms;
  // Step temporaries.
  logic [63:0] v, acode, ncode, out, base;
  logic        ps, leaf, nested_style;
  logic [2:0]  st, np, gp;
  logic [1:0]  sz;

  always_comb begin
    n_state = state;
    n_va = r_va; n_access = r_access; n_user = r_user; n_nroot = r_nroot;
    n_gtable = gtable; n_glevel = glevel; n_gperms = gperms; n_gsize = gsize;
    n_ngpa = ngpa; n_nlevel = nlevel; n_npurpose = npurpose; n_nperms = nperms;
    n_switch_level = switch_level;
    n_pend_addr = pend_addr; n_pend_port = pend_port; n_pend_table = pend_table; n_pend_level = pend_level;
    n_res_ok = res_ok; n_res_hpa = res_hpa; n_res_gpa = res_gpa; n_res_size = res_size; n_res_perms = res_perms;
    n_f_stage = f_stage; n_f_kind = f_kind; n_f_level = f_level; n_f_addr = f_addr; n_f_code = f_code;
    do_prep = 1'b0; do_nest = 1'b0; do_fault = 1'b0; do_finish = 1'b0;
    prep_node = 64'd0; nest_gpa = 64'd0; nest_purpose = PURPOSE_FINAL;
    af_stage = STAGE_NONE; af_kind = FK_NONE; af_level = 3'd0; af_addr = 64'd0; af_code = 64'd0;
    fin_hpa = 64'd0; fin_size = PS_4K; fin_perms = 3'b111;
    v = mem_rsp_data;
    ps = v[PTE_PS];
    leaf = 1'b0; nested_style = 1'b0;
    st = STAGE_NONE; np = 3'b111; gp = 3'b111; sz = PS_4K;
    out = 64'd0; base = 64'd0; ncode = 64'd0;
    acode = access_code(r_access, r_user);

    unique case (state)
      S_IDLE: if (req_valid) begin
        // Walk::start
        n_va = req_va; n_access = req_access; n_user = req_user; n_nroot = nroot;
        acode = access_code(req_access, req_user);
        n_glevel = 3'd1; n_gperms = 3'b111; n_gsize = PS_4K; n_switch_level = NEVER_NESTED;
        n_res_ok = 1'b0; n_res_hpa = 64'd0; n_res_gpa = 64'd0; n_res_size = PS_4K; n_res_perms = 3'b000;
        n_f_stage = STAGE_NONE; n_f_kind = FK_NONE; n_f_level = 3'd0; n_f_addr = 64'd0; n_f_code = 64'd0;
        unique case (req_mode)
          MODE_NATIVE: begin n_gtable = TBL_NATIVE; prep_node = hroot; end
          MODE_SHADOW: begin n_gtable = TBL_SHADOW; prep_node = sroot; end
          MODE_NESTED: begin n_gtable = TBL_GUEST; prep_node = groot; n_switch_level = 8'd0; end
          default: begin  // agile
            prep_node = croot;
            n_gtable = croot_is_gpa ? TBL_GUEST : TBL_COMPOUND;
            if (croot_is_gpa) n_switch_level = 8'd0;
          end
        endcase
        if (req_va[63:VA_BITS-1] != {(65 - VA_BITS){req_va[VA_BITS-1]}}) begin
          do_fault = 1'b1;
          af_stage = stage_of(n_gtable); af_kind = FK_NON_CANONICAL; af_level = 3'd0;
          af_addr = req_va; af_code = acode;
        end else begin
          do_prep = 1'b1;
        end
      end
      S_FIRST_DIM_READ: if (mem_req_ready) n_state = S_FIRST_DIM_WAIT;
      S_NESTED_READ:    if (mem_req_ready) n_state = S_NESTED_WAIT;
      S_FIRST_DIM_WAIT: if (mem_rsp_valid) begin
        // Walk::step_first_dim
        st = stage_of(gtable);
        if (!v[PTE_P]) begin
          do_fault = 1'b1;
          af_stage = st; af_kind = FK_NOT_PRESENT; af_level = glevel; af_addr = r_va; af_code = acode;
        end else if ((v & rsvd_mask(LEVELS, glevel, ps)) != 64'd0) begin
          do_fault = 1'b1;
          af_stage = st; af_kind = FK_RESERVED; af_level = glevel; af_addr = r_va;
          af_code = acode | EC_P | EC_RSVD;
        end else begin
          gp = gperms & perms_of(v);
          n_gperms = gp;
          // Only compound entries carry the selector (claim 14: below it everything is nested).
          nested_style = (gtable == TBL_COMPOUND) && v[SELECTOR_BIT];
          if (nested_style) n_switch_level = {5'd0, glevel};
          leaf = (int'(glevel) == LEVELS) || (ps && large_allowed(LEVELS, glevel));
          if (leaf) begin
            if ((r_user && !gp[1]) || (r_access == ACC_WRITE && !gp[2]) || (r_access == ACC_FETCH && !gp[0])) begin
              do_fault = 1'b1;
              af_stage = st; af_kind = FK_PERMISSION; af_level = glevel; af_addr = r_va; af_code = acode | EC_P;
            end else begin
              sz = size_at(LEVELS, glevel);
              out = (v & ADDR_FIELD & ~page_mask(sz)) | (r_va & page_mask(sz));
              if (gtable == TBL_GUEST || nested_style) begin  // out is a gPA
                n_gsize = sz;
                do_nest = 1'b1; nest_gpa = out; nest_purpose = PURPOSE_FINAL;
              end else begin
                do_finish = 1'b1; fin_hpa = out; fin_size = sz; fin_perms = gp;
              end
            end
          end else begin
            if (nested_style) n_gtable = TBL_GUEST;
            n_glevel = glevel + 3'd1;
            prep_node = v & ADDR_FIELD;
            do_prep = 1'b1;
          end
        end
      end
      S_NESTED_WAIT: if (mem_rsp_valid) begin
        // Walk::step_nested
        ncode = (npurpose == PURPOSE_FINAL) ? (EC_FINAL | acode) : EC_GUEST_TABLE;
        if (!v[PTE_P]) begin
          do_fault = 1'b1;
          af_stage = STAGE_NESTED; af_kind = FK_NOT_PRESENT; af_level = nlevel; af_addr = ngpa; af_code = ncode;
        end else if ((v & rsvd_mask(NESTED_LEVELS, nlevel, ps)) != 64'd0) begin
          do_fault = 1'b1;
          af_stage = STAGE_NESTED; af_kind = FK_RESERVED; af_level = nlevel; af_addr = ngpa;
          af_code = ncode | EC_P | EC_RSVD;
        end else begin
          np = nperms & perms_of(v);
          n_nperms = np;
          leaf = (int'(nlevel) == NESTED_LEVELS) || (ps && large_allowed(NESTED_LEVELS, nlevel));
          if (leaf) begin
            sz = size_at(NESTED_LEVELS, nlevel);
            base = v & ADDR_FIELD & ~page_mask(sz);
            out = base | (ngpa & page_mask(sz));
            // Walk::nested_done
            if (npurpose != PURPOSE_FINAL) begin  // guest-table node located: read its entry
              n_pend_addr = out + index_off(LEVELS, r_va, glevel);
              n_pend_port = PORT_COMPOUND; n_pend_table = TBL_GUEST; n_pend_level = glevel;
              n_state = S_FIRST_DIM_READ;
            end else if ((r_access == ACC_WRITE && !np[2]) || (r_access == ACC_FETCH && !np[0])) begin
              // Nested permissions: write/fetch only (nested accesses count as user accesses).
              do_fault = 1'b1;
              af_stage = STAGE_NESTED; af_kind = FK_PERMISSION; af_level = 3'(NESTED_LEVELS - int'(sz));
              af_addr = ngpa; af_code = EC_FINAL | acode | EC_P;
            end else begin
              n_res_gpa = ngpa;
              do_finish = 1'b1; fin_hpa = out;
              fin_size = (sz < gsize) ? sz : gsize;
              fin_perms = gperms & np;
            end
          end else begin
            n_nlevel = nlevel + 3'd1;
            n_pend_addr = (v & ADDR_FIELD) + index_off(NESTED_LEVELS, ngpa, n_nlevel);
            n_pend_port = PORT_NESTED; n_pend_table = TBL_NESTED; n_pend_level = n_nlevel;
            n_state = S_NESTED_READ;
          end
        end
      end
      S_DONE, S_FAULT: if (rsp_ready) n_state = S_IDLE;
      default: n_state = S_IDLE;
    endcase

    // Walk::prepare_first_dim: guest-table node pointers are gPAs and are translated first.
    if (do_prep) begin
      if (n_gtable == TBL_GUEST) begin
        do_nest = 1'b1; nest_gpa = prep_node; nest_purpose = n_glevel;
      end else begin
        n_pend_addr = prep_node + index_off(LEVELS, n_va, n_glevel);
        n_pend_port = PORT_COMPOUND; n_pend_table = n_gtable; n_pend_level = n_glevel;
        n_state = S_FIRST_DIM_READ;
      end
    end
    // Walk::begin_nested
    if (do_nest) begin
      ncode = (nest_purpose == PURPOSE_FINAL) ? (EC_FINAL | acode) : EC_GUEST_TABLE;
      if (nest_gpa[63:GPA_BITS] != '0) begin  // beyond what the nested table can map
        do_fault = 1'b1;
        af_stage = STAGE_NESTED; af_kind = FK_ADDRESS_SIZE; af_level = 3'd0; af_addr = nest_gpa;
        af_code = ncode | EC_P | EC_RSVD;
      end else begin
        n_ngpa = nest_gpa; n_npurpose = nest_purpose; n_nperms = 3'b111; n_nlevel = 3'd1;
        n_pend_addr = n_nroot + index_off(NESTED_LEVELS, nest_gpa, 3'd1);
        n_pend_port = PORT_NESTED; n_pend_table = TBL_NESTED; n_pend_level = 3'd1;
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
    r_va <= n_va; r_access <= n_access; r_user <= n_user; r_nroot <= n_nroot;
    gtable <= n_gtable; glevel <= n_glevel; gperms <= n_gperms; gsize <= n_gsize;
    ngpa <= n_ngpa; nlevel <= n_nlevel; npurpose <= n_npurpose; nperms <= n_nperms;
    switch_level <= n_switch_level;
    pend_addr <= n_pend_addr; pend_port <= n_pend_port; pend_table <= n_pend_table; pend_level <= n_pend_level;
    res_ok <= n_res_ok; res_hpa <= n_res_hpa; res_gpa <= n_res_gpa; res_size <= n_res_size; res_perms <= n_res_perms;
    f_stage <= n_f_stage; f_kind <= n_f_kind; f_level <= n_f_level; f_addr <= n_f_addr; f_code <= n_f_code;
  end

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
  assign mem_req_valid   = (state == S_FIRST_DIM_READ) || (state == S_NESTED_READ);
  assign mem_req_addr    = pend_addr;
  assign mem_req_port    = pend_port;
  assign mem_req_table   = pend_table;
  assign mem_req_level   = pend_level;

endmodule
