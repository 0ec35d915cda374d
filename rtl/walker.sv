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
  parameter int LEVELS        = 4,   // guest / compound / shadow / native table depth
  parameter int NESTED_LEVELS = 4,   // nested table depth
  parameter int MAXPHYADDR    = 52,  // entry address bits at and above this are reserved
  parameter int SELECTOR_BIT  = 52,  // compound entry bit marking a nested-style entry
  // (limits: checked at elaboration below)
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

  // Parameter limits, checked at elaboration (pt::Format::validate's).
  if (LEVELS != 4 && LEVELS != 5) begin : g_bad_levels
    $error("walker: LEVELS = %0d, must be 4 or 5", LEVELS);
  end
  if (NESTED_LEVELS != 4 && NESTED_LEVELS != 5) begin : g_bad_nested_levels
    $error("walker: NESTED_LEVELS = %0d, must be 4 or 5", NESTED_LEVELS);
  end
  if (MAXPHYADDR < 32 || MAXPHYADDR > 52) begin : g_bad_maxphyaddr
    $error("walker: MAXPHYADDR = %0d, must be between 32 and 52", MAXPHYADDR);
  end
  if (!((SELECTOR_BIT >= 9 && SELECTOR_BIT <= 11) || (SELECTOR_BIT >= 52 && SELECTOR_BIT <= 58))) begin : g_bad_selector
    $error("walker: SELECTOR_BIT = %0d, must be a software-available PTE bit (9-11 or 52-58)", SELECTOR_BIT);
  end

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

  // The first checks of an entry, the same in both dimensions (Walk::step_first_dim,
  // step_nested): P, then the reserved bits of a table of `lvls` levels at `level`. Returns
  // {entry ok, fault kind, error code}, `code` being the error code of the access.
  function automatic logic [67:0] entry_check(input int lvls, input logic [2:0] level, input logic [63:0] e,
                                              input logic [63:0] code);
    if (!e[agilemmu_pkg::PTE_P])
      entry_check = {1'b0, agilemmu_pkg::FK_NOT_PRESENT, code};
    else if ((e & rsvd_mask(lvls, level, e[agilemmu_pkg::PTE_PS])) != 64'd0)
      entry_check = {1'b0, agilemmu_pkg::FK_RESERVED, code | agilemmu_pkg::EC_P | agilemmu_pkg::EC_RSVD};
    else
      entry_check = {1'b1, agilemmu_pkg::FK_NONE, code};
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

  // Effective permissions, packed {write, user, exec} (pt::Perms; the rsp_perms port). Declared
  // here, not in agilemmu_pkg: yosys 0.23 resolves no package type inside a struct.
  typedef struct packed { logic write; logic user; logic exec; } perms_t;

  // ---- registers: each group is one packed struct, `x` the register and `x_n` its next value,
  // written by one always_comb block ----
  // The request, sampled with it (walk_step).
  typedef struct packed {
    logic [63:0] va;
    logic [1:0]  mode;    // (PWC) the lookup's tag
    logic [63:0] node;    // (PWC) the root, where the walk starts on a PWC miss
    logic [1:0]  access;
    logic        user;
    logic [63:0] nroot;
  } walk_t;
  // The first (guest / compound / shadow / native) dimension (walk_step).
  typedef struct packed {
    logic [2:0]           tbl;
    logic [2:0]           level;
    perms_t perms;         // accumulated over the first dimension
    logic [1:0]           size;          // guest leaf size when the walk finishes through the nested table
    logic [7:0]           switch_level;  // signed; NEVER_NESTED: never
  } gdim_t;
  // The nested dimension (nested_regs): the gPA it translates and for what.
  typedef struct packed {
    logic [63:0]          gpa;
    logic [2:0]           level;
    logic [2:0]           purpose;       // guest level whose node pointer is translated, or PURPOSE_FINAL
    perms_t perms;
  } ndim_t;
  // Nested leaf of the guest-table node being read (Walk::node_leaf_, nested_regs): its write
  // permission, level, address and value, for the guest-page write check and its D write.
  typedef struct packed {
    logic        write;
    logic [2:0]  level;
    logic [63:0] addr;
    logic [63:0] pte;
  } nleaf_t;
  // A memory reference (the next read: mem_request) and a queued A/D write.
  typedef struct packed {
    logic [63:0] addr;
    logic        port;
    logic [2:0]  tbl;
    logic [2:0]  level;
  } ref_t;
  typedef struct packed {
    logic [63:0] addr;
    logic [63:0] data;
    logic        port;
    logic [2:0]  tbl;
    logic [2:0]  level;
  } write_t;
  // The write queue (ad_write): w0 goes out first; `count` writes are due.
  typedef struct packed {
    logic [1:0] count;
    write_t     w0, w1;
  } wq_t;
  // The result (result).
  typedef struct packed {
    logic                 ok;
    logic [63:0]          hpa, gpa;
    logic [1:0]           size;
    perms_t perms;
    logic [2:0]           f_stage, f_kind, f_level;
    logic [63:0]          f_addr, f_code;
  } res_t;

  state_e state;
  state_e resume;  // where the walk goes on after its queued writes
  walk_t  walk, walk_n;
  gdim_t  gdim, gdim_n;
  ndim_t  ndim, ndim_n;
  nleaf_t nl, nl_n;
  ref_t   pend, pend_n;
  wq_t    wq, wq_n;
  res_t   res, res_n;

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

  // ---- the entry just read and the walk's access ----
  logic [63:0] v, acode;
  logic        ps;
  assign v = mem_rsp_data;
  assign ps = v[agilemmu_pkg::PTE_PS];
  // The error-code bits of the access (of the request being started, in S_IDLE).
  assign acode = (state == S_IDLE) ? access_code(req_access, req_user) : access_code(walk.access, walk.user);

  // ---- Walk::step_first_dim's checks of the entry read in S_FIRST_DIM_WAIT ----
  logic        fd_entry_ok;  // present, no reserved bit: its permissions and selector count
  logic        fd_fault;
  logic [2:0]  fd_stage, fd_kind, fd_level;
  logic [63:0] fd_addr, fd_code;
  perms_t gp;  // permissions accumulated down to this entry
  logic        nested_style, leaf;
  logic [63:0] bits;         // the A/D bits the entry must have
  logic [1:0]  fd_size;
  logic [63:0] fd_out;       // a leaf's output address
  logic        fd_out_gpa;   // ... which is a gPA (translated by the nested dimension)
  always_comb begin : first_dim_check
    gp = gdim.perms & perms_of(v);
    // Only compound entries carry the selector (claim 14: below it everything is nested).
    nested_style = (gdim.tbl == agilemmu_pkg::TBL_COMPOUND) && v[SELECTOR_BIT];
    leaf = (lv(gdim.level) == LEVELS) || (ps && large_allowed(LEVELS, gdim.level));
    // A, and D in a leaf written.
    bits = agilemmu_pkg::PTE_A_MASK | ((leaf && walk.access == agilemmu_pkg::ACC_WRITE) ? agilemmu_pkg::PTE_D_MASK : 64'd0);
    fd_size = size_at(LEVELS, gdim.level);
    fd_out = (v & agilemmu_pkg::ADDR_FIELD & ~page_mask(fd_size)) | (walk.va & page_mask(fd_size));
    fd_out_gpa = gdim.tbl == agilemmu_pkg::TBL_GUEST || nested_style;
    fd_stage = stage_of(gdim.tbl); fd_level = gdim.level; fd_addr = walk.va;
    {fd_entry_ok, fd_kind, fd_code} = entry_check(LEVELS, gdim.level, v, acode);
    fd_fault = 1'b1;
    if (fd_entry_ok) begin
      if (leaf && ((walk.user && !gp.user) || (walk.access == agilemmu_pkg::ACC_WRITE && !gp.write) || (walk.access == agilemmu_pkg::ACC_FETCH && !gp.exec))) begin
        fd_kind = agilemmu_pkg::FK_PERMISSION; fd_code = acode | agilemmu_pkg::EC_P;
      end else if ((v & bits) != bits && gdim.tbl == agilemmu_pkg::TBL_GUEST && !nl.write) begin
        // Walk::guest_page_write: the guest page holding the entry must be writable through
        // its nested translation.
        fd_stage = agilemmu_pkg::STAGE_NESTED; fd_kind = agilemmu_pkg::FK_PERMISSION; fd_level = nl.level; fd_addr = ndim.gpa;
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
  perms_t np;  // nested permissions accumulated down to this entry
  logic        nleaf;
  logic [63:0] nbits;        // the A/D bits a nested leaf must have (with NESTED_AD)
  logic [1:0]  nsize;
  logic [63:0] nout;         // the hPA of ndim.gpa, at a leaf
  logic [63:0] ncode;
  always_comb begin : nested_check
    final_gpa = ndim.purpose == PURPOSE_FINAL;
    ncode = final_gpa ? (agilemmu_pkg::EC_FINAL | acode) : agilemmu_pkg::EC_GUEST_TABLE;
    np = ndim.perms & perms_of(v);
    nleaf = (lv(ndim.level) == NESTED_LEVELS) || (ps && large_allowed(NESTED_LEVELS, ndim.level));
    nsize = size_at(NESTED_LEVELS, ndim.level);
    nout = (v & agilemmu_pkg::ADDR_FIELD & ~page_mask(nsize)) | (ndim.gpa & page_mask(nsize));
    nbits = agilemmu_pkg::PTE_A_MASK | ((final_gpa && walk.access == agilemmu_pkg::ACC_WRITE) ? agilemmu_pkg::PTE_D_MASK : 64'd0);
    nd_level = ndim.level;
    {nd_entry_ok, nd_kind, nd_code} = entry_check(NESTED_LEVELS, ndim.level, v, ncode);
    nd_fault = !nd_entry_ok;
    if (nd_entry_ok) begin
      if (nleaf) begin
        // Walk::nested_done. Every nested access is a user access; the final gPA is also
        // checked for the access type (a guest-table pointer is read; its write check comes
        // when the guest entry needs A/D).
        if (!np.user || (final_gpa && ((walk.access == agilemmu_pkg::ACC_WRITE && !np.write) || (walk.access == agilemmu_pkg::ACC_FETCH && !np.exec)))) begin
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
  assign wq_more     = (wq.count == 2'd2);  // the second queued write is due
  assign fd_descend  = fd_step && !fd_fault && !leaf;
  assign fd_leaf_gpa = fd_step && !fd_fault && leaf && fd_out_gpa;
  assign fd_leaf_hpa = fd_step && !fd_fault && leaf && !fd_out_gpa;
  assign nd_descend  = nd_step && !nd_fault && !nleaf;
  assign nd_node_found = nd_step && !nd_fault && nleaf && !final_gpa;  // guest-table node located
  assign nd_final    = nd_step && !nd_fault && nleaf && final_gpa;

  // ---- Walk::start, the PWC lookup and the first-dimension registers ----
  logic        canon_fault;  // #GP: raised before any table is read, so no stage and no level
  logic        do_prep;      // Walk::prepare_first_dim of prep_node at gdim_n.level
  logic [63:0] prep_node;
  always_comb begin : walk_step
    walk_n = walk; gdim_n = gdim;
    canon_fault = 1'b0; do_prep = 1'b0; prep_node = 64'd0;
    if (start) begin
      walk_n.va = req_va; walk_n.mode = req_mode; walk_n.access = req_access; walk_n.user = req_user; walk_n.nroot = nroot;
      gdim_n.level = 3'd1; gdim_n.perms = 3'b111; gdim_n.size = agilemmu_pkg::PS_4K; gdim_n.switch_level = NEVER_NESTED;
      unique case (req_mode)
        agilemmu_pkg::MODE_NATIVE: begin gdim_n.tbl = agilemmu_pkg::TBL_NATIVE; prep_node = hroot; end
        agilemmu_pkg::MODE_SHADOW: begin gdim_n.tbl = agilemmu_pkg::TBL_SHADOW; prep_node = sroot; end
        agilemmu_pkg::MODE_NESTED: begin gdim_n.tbl = agilemmu_pkg::TBL_GUEST; prep_node = groot; gdim_n.switch_level = 8'd0; end
        default: begin  // agile
          prep_node = croot;
          gdim_n.tbl = croot_is_gpa ? agilemmu_pkg::TBL_GUEST : agilemmu_pkg::TBL_COMPOUND;
          if (croot_is_gpa) gdim_n.switch_level = 8'd0;
        end
      endcase
      if (req_va[63:VA_BITS-1] != {(65 - VA_BITS){req_va[VA_BITS-1]}}) begin
        canon_fault = 1'b1;
      end else if (PWC) begin
        walk_n.node = prep_node;  // Walk::start's PWC lookup, answered next cycle (S_LOOKUP)
      end else begin
        do_prep = 1'b1;
      end
    end
    if (state == S_LOOKUP) begin
      // Walk::start, the PWC part: a hit resumes below the deepest cached entry.
      prep_node = walk.node;
      if (pwc_hit) begin
        gdim_n.level = pwc_level + 3'd1;
        prep_node = pwc_next;
        gdim_n.perms = pwc_perms;
        if (pwc_next_is_gpa) begin  // the filling walk had switched to nested at or above it
          if (gdim.tbl == agilemmu_pkg::TBL_COMPOUND) gdim_n.switch_level = pwc_switch_level;
          gdim_n.tbl = agilemmu_pkg::TBL_GUEST;
        end
      end
      do_prep = 1'b1;
    end
    if (fd_step && fd_entry_ok) begin
      gdim_n.perms = gp;
      if (nested_style) gdim_n.switch_level = {5'd0, gdim.level};
    end
    if (fd_leaf_gpa) gdim_n.size = fd_size;
    if (fd_descend) begin
      if (nested_style) gdim_n.tbl = agilemmu_pkg::TBL_GUEST;
      gdim_n.level = gdim.level + 3'd1;
      prep_node = v & agilemmu_pkg::ADDR_FIELD;
      do_prep = 1'b1;
    end
  end

  // ---- Walk::prepare_first_dim -> Walk::begin_nested ----
  // Guest-table node pointers are gPAs and are translated first; so is a leaf's gPA.
  logic        prep_read;    // read the first-dimension entry at gdim_n.level
  logic        nest_go, nest_fault, nest_start;
  logic [63:0] nest_gpa, nest_code;
  logic [2:0]  nest_purpose;
  always_comb begin : begin_nested
    prep_read = do_prep && gdim_n.tbl != agilemmu_pkg::TBL_GUEST;
    nest_go = fd_leaf_gpa || (do_prep && gdim_n.tbl == agilemmu_pkg::TBL_GUEST);
    nest_gpa = fd_leaf_gpa ? fd_out : prep_node;
    nest_purpose = fd_leaf_gpa ? PURPOSE_FINAL : gdim_n.level;
    nest_code = (nest_purpose == PURPOSE_FINAL) ? (agilemmu_pkg::EC_FINAL | acode) : agilemmu_pkg::EC_GUEST_TABLE;
    nest_fault = nest_go && nest_gpa[63:GPA_BITS] != '0;  // beyond what the nested table can map
    nest_start = nest_go && !nest_fault;
  end

  // ---- the nested dimension's registers (Walk::step_nested, begin_nested) ----
  always_comb begin : nested_regs
    ndim_n = ndim; nl_n = nl;
    if (nd_step && nd_entry_ok) ndim_n.perms = np;
    if (nd_descend) ndim_n.level = ndim.level + 3'd1;
    if (nd_node_found) begin  // the nested leaf of the guest node, for its write check and D
      nl_n.write = np.write; nl_n.level = ndim.level; nl_n.addr = pend.addr;
      nl_n.pte = NESTED_AD ? (v | nbits) : v;
    end
    if (nest_start) begin
      ndim_n.gpa = nest_gpa; ndim_n.purpose = nest_purpose; ndim_n.perms = 3'b111; ndim_n.level = 3'd1;
    end
  end

  // ---- the next memory read ----
  always_comb begin : mem_request
    pend_n = pend;
    if (nd_descend) begin
      pend_n.addr = (v & agilemmu_pkg::ADDR_FIELD) + index_off(NESTED_LEVELS, ndim.gpa, ndim_n.level);
      pend_n.port = agilemmu_pkg::PORT_NESTED; pend_n.tbl = agilemmu_pkg::TBL_NESTED; pend_n.level = ndim_n.level;
    end
    if (nd_node_found) begin  // guest-table node located: read its entry
      pend_n.addr = nout + index_off(LEVELS, walk.va, gdim.level);
      pend_n.port = agilemmu_pkg::PORT_COMPOUND; pend_n.tbl = agilemmu_pkg::TBL_GUEST; pend_n.level = gdim.level;
    end
    if (prep_read) begin
      pend_n.addr = prep_node + index_off(LEVELS, walk_n.va, gdim_n.level);
      pend_n.port = agilemmu_pkg::PORT_COMPOUND; pend_n.tbl = gdim_n.tbl; pend_n.level = gdim_n.level;
    end
    if (nest_start) begin
      pend_n.addr = walk_n.nroot + index_off(NESTED_LEVELS, nest_gpa, 3'd1);
      pend_n.port = agilemmu_pkg::PORT_NESTED; pend_n.tbl = agilemmu_pkg::TBL_NESTED; pend_n.level = 3'd1;
    end
  end

  // ---- A/D write decision: the writes this step queues (Walk::settle sends them first) ----
  logic do_write;
  always_comb begin : ad_write
    wq_n = wq;
    do_write = 1'b0;
    if (start) wq_n.count = 2'd0;
    if (write_done) begin
      if (wq_more) begin
        wq_n.w0 = wq.w1;
        wq_n.count = 2'd1;
      end else begin
        wq_n.count = 2'd0;
      end
    end
    if (fd_step && !fd_fault && (v & bits) != bits) begin
      do_write = 1'b1;
      if (gdim.tbl == agilemmu_pkg::TBL_GUEST && NESTED_AD && !nl.pte[agilemmu_pkg::PTE_D]) begin
        // D in the nested leaf mapping the guest page first, then the entry itself.
        wq_n.w0.addr = nl.addr; wq_n.w0.data = nl.pte | agilemmu_pkg::PTE_D_MASK;
        wq_n.w0.port = agilemmu_pkg::PORT_NESTED; wq_n.w0.tbl = agilemmu_pkg::TBL_NESTED; wq_n.w0.level = nl.level;
        wq_n.w1.addr = pend.addr; wq_n.w1.data = v | bits;
        wq_n.w1.port = pend.port; wq_n.w1.tbl = pend.tbl; wq_n.w1.level = pend.level;
        wq_n.count = 2'd2;
      end else begin
        wq_n.w0.addr = pend.addr; wq_n.w0.data = v | bits;
        wq_n.w0.port = pend.port; wq_n.w0.tbl = pend.tbl; wq_n.w0.level = pend.level;
        wq_n.count = 2'd1;
      end
    end
    if (nd_step && !nd_fault && nleaf) begin
      if (NESTED_AD && (v & nbits) != nbits) begin
        do_write = 1'b1;
        wq_n.w0.addr = pend.addr; wq_n.w0.data = v | nbits;
        wq_n.w0.port = pend.port; wq_n.w0.tbl = pend.tbl; wq_n.w0.level = pend.level;
        wq_n.count = 2'd1;
      end
    end
    if (nd_descend) begin
      if (NESTED_AD && !v[agilemmu_pkg::PTE_A]) begin
        do_write = 1'b1;
        wq_n.w0.addr = pend.addr; wq_n.w0.data = v | agilemmu_pkg::PTE_A_MASK;
        wq_n.w0.port = pend.port; wq_n.w0.tbl = pend.tbl; wq_n.w0.level = pend.level;
        wq_n.count = 2'd1;
      end
    end
  end

  // ---- result: Walk::fail / Walk::finish ----
  logic do_fault, do_finish;
  assign do_fault  = canon_fault || (fd_step && fd_fault) || (nd_step && nd_fault) || nest_fault;
  assign do_finish = fd_leaf_hpa || nd_final;
  always_comb begin : result
    res_n = res;
    if (start) begin
      res_n.ok = 1'b0; res_n.hpa = 64'd0; res_n.gpa = 64'd0; res_n.size = agilemmu_pkg::PS_4K; res_n.perms = 3'b000;
      res_n.f_stage = agilemmu_pkg::STAGE_NONE; res_n.f_kind = agilemmu_pkg::FK_NONE; res_n.f_level = 3'd0; res_n.f_addr = 64'd0; res_n.f_code = 64'd0;
    end
    if (do_fault) res_n.ok = 1'b0;
    if (canon_fault) begin
      res_n.f_stage = agilemmu_pkg::STAGE_NONE; res_n.f_kind = agilemmu_pkg::FK_NON_CANONICAL; res_n.f_level = 3'd0;
      res_n.f_addr = req_va; res_n.f_code = acode;
    end
    if (fd_step && fd_fault) begin
      res_n.f_stage = fd_stage; res_n.f_kind = fd_kind; res_n.f_level = fd_level; res_n.f_addr = fd_addr; res_n.f_code = fd_code;
    end
    if (nd_step && nd_fault) begin
      res_n.f_stage = agilemmu_pkg::STAGE_NESTED; res_n.f_kind = nd_kind; res_n.f_level = nd_level; res_n.f_addr = ndim.gpa; res_n.f_code = nd_code;
    end
    if (nest_fault) begin
      res_n.f_stage = agilemmu_pkg::STAGE_NESTED; res_n.f_kind = agilemmu_pkg::FK_ADDRESS_SIZE; res_n.f_level = 3'd0; res_n.f_addr = nest_gpa;
      res_n.f_code = nest_code | agilemmu_pkg::EC_P | agilemmu_pkg::EC_RSVD;
    end
    if (fd_leaf_hpa) begin
      res_n.ok = 1'b1; res_n.hpa = fd_out; res_n.size = fd_size; res_n.perms = gp;
    end
    if (nd_final) begin
      res_n.ok = 1'b1; res_n.hpa = nout; res_n.gpa = ndim.gpa;
      res_n.size = (nsize < gdim.size) ? nsize : gdim.size;
      res_n.perms = gdim.perms & np;
    end
  end

  // ---- PWC fill: Walk::step_first_dim's pwc_fill of a non-leaf entry that passed ----
  always_comb begin : pwc_fill_offer
    pwc_fill = 1'b0; pwc_fill_level = gdim.level; pwc_fill_next = 64'd0; pwc_fill_is_gpa = 1'b0;
    pwc_fill_perms = 3'b000; pwc_fill_switch_level = NEVER_NESTED;
    if (PWC && fd_descend) begin
      pwc_fill = 1'b1; pwc_fill_level = gdim.level; pwc_fill_next = v & agilemmu_pkg::ADDR_FIELD;
      pwc_fill_is_gpa = nested_style || gdim.tbl == agilemmu_pkg::TBL_GUEST;
      pwc_fill_perms = gp; pwc_fill_switch_level = gdim_n.switch_level;
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
    walk <= walk_n; gdim <= gdim_n; ndim <= ndim_n; nl <= nl_n;
    pend <= pend_n; wq <= wq_n; res <= res_n;
  end

  logic writing;
  assign writing = (state == S_WRITE);
  assign req_ready       = (state == S_IDLE);
  assign rsp_valid       = (state == S_DONE) || (state == S_FAULT);
  assign rsp_ok          = res.ok;
  assign rsp_hpa         = res.hpa;
  assign rsp_gpa         = res.gpa;
  assign rsp_size        = res.size;
  assign rsp_perms       = res.perms;
  assign rsp_switch_level = gdim.switch_level;
  assign rsp_fault_stage = res.f_stage;
  assign rsp_fault_kind  = res.f_kind;
  assign rsp_fault_level = res.f_level;
  assign rsp_fault_addr  = res.f_addr;
  assign rsp_fault_code  = res.f_code;
  assign mem_req_valid   = (state == S_FIRST_DIM_READ) || (state == S_NESTED_READ) || writing;
  assign mem_req_write   = writing;
  assign mem_req_wdata   = wq.w0.data;
  assign mem_req_addr    = writing ? wq.w0.addr : pend.addr;
  assign mem_req_port    = writing ? wq.w0.port : pend.port;
  assign mem_req_table   = writing ? wq.w0.tbl : pend.tbl;
  assign mem_req_level   = writing ? wq.w0.level : pend.level;
  assign pwc_lookup      = (state == S_LOOKUP);
  assign walk_va         = walk.va;
  assign walk_mode       = walk.mode;
  assign walk_end        = mem_rsp_valid && (n_state == S_DONE || n_state == S_FAULT) &&
                           (state == S_FIRST_DIM_WAIT || state == S_NESTED_WAIT || state == S_WRITE_WAIT);

endmodule
