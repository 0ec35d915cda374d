// Walk unit: WALKERS instances of walker.sv (the one RTL walk) behind a request channel with an
// id, a response channel with the id (walks complete out of order), a compound and a nested
// memory port shared through fixed-priority arbiters (responses routed back by tag = walker
// number), a first-dimension page-walk cache with the model's tagging, set index and LRU
// (PWC_ENTRIES = 0: none), and the merge of a request into a walk of the same 4 KiB page in
// flight. The arbitration and timing contract, item by item, is in rtl/README.md ("The walk
// unit"); the comments below cite its items.
//
// Vectors are flat (name[i*W +: W]) rather than arrays or structs so yosys 0.23 parses the unit.
module walk_unit #(
  parameter int LEVELS        = 4,
  parameter int NESTED_LEVELS = 4,
  parameter int MAXPHYADDR    = 52,
  parameter int SELECTOR_BIT  = 52,
  parameter bit NX_ENABLED    = 1'b1,
  parameter bit NESTED_AD     = 1'b1,
  parameter int WALKERS       = 2,   // walkers, 1..8 (the memory tag is 3 bits)
  parameter int PWC_ENTRIES   = 0,   // page-walk cache entries; 0: no PWC
  parameter int PWC_WAYS      = 1,   // ways; PWC_ENTRIES / PWC_WAYS sets, a power of two
  parameter int ID_BITS       = 8    // request id width
) (
  input  logic               clk,
  input  logic               rst_n,
  // Requests (contract item 1). Roots are shared by all walks and sampled at each walk's start.
  input  logic               req_valid,
  output logic               req_ready,
  input  logic [ID_BITS-1:0] req_id,
  input  logic [63:0]        req_va,
  input  logic [1:0]         req_access,
  input  logic               req_user,
  input  logic [1:0]         req_mode,
  input  logic [63:0]        hroot,
  input  logic [63:0]        groot,
  input  logic [63:0]        nroot,
  input  logic [63:0]        sroot,
  input  logic [63:0]        croot,
  input  logic               croot_is_gpa,
  // Drops every PWC entry at this edge (item 6).
  input  logic               pwc_flush,
  // Results (item 8), the walker's result ports plus the request's id.
  output logic               rsp_valid,
  input  logic               rsp_ready,
  output logic [ID_BITS-1:0] rsp_id,
  output logic               rsp_ok,
  output logic [63:0]        rsp_hpa,
  output logic [63:0]        rsp_gpa,
  output logic [1:0]         rsp_size,
  output logic [2:0]         rsp_perms,
  output logic [7:0]         rsp_switch_level,
  output logic [2:0]         rsp_fault_stage,
  output logic [2:0]         rsp_fault_kind,
  output logic [2:0]         rsp_fault_level,
  output logic [63:0]        rsp_fault_addr,
  output logic [63:0]        rsp_fault_code,
  // Compound-port memory (item 4): one request per cycle, held until accepted; tag = walker.
  output logic               cmem_req_valid,
  input  logic               cmem_req_ready,
  output logic [63:0]        cmem_req_addr,
  output logic               cmem_req_write,
  output logic [63:0]        cmem_req_wdata,
  output logic [2:0]         cmem_req_table,
  output logic [2:0]         cmem_req_level,
  output logic [2:0]         cmem_req_tag,
  output logic [ID_BITS-1:0] cmem_req_id,
  input  logic               cmem_rsp_valid,
  input  logic [2:0]         cmem_rsp_tag,
  input  logic [63:0]        cmem_rsp_data,
  // Nested-port memory, the same.
  output logic               nmem_req_valid,
  input  logic               nmem_req_ready,
  output logic [63:0]        nmem_req_addr,
  output logic               nmem_req_write,
  output logic [63:0]        nmem_req_wdata,
  output logic [2:0]         nmem_req_table,
  output logic [2:0]         nmem_req_level,
  output logic [2:0]         nmem_req_tag,
  output logic [ID_BITS-1:0] nmem_req_id,
  input  logic               nmem_rsp_valid,
  input  logic [2:0]         nmem_rsp_tag,
  input  logic [63:0]        nmem_rsp_data
);
  localparam int W = WALKERS;
  localparam int VA_BITS = 12 + 9 * LEVELS;
  localparam int VPN = VA_BITS - 12;                       // VA page-number bits a PWC tag keeps
  localparam bit HAS_PWC = PWC_ENTRIES > 0;
  localparam int E = HAS_PWC ? PWC_ENTRIES : 1;             // storage (a dummy entry without PWC)
  localparam int WAYS = HAS_PWC ? PWC_WAYS : 1;
  localparam int SETS = E / WAYS;
  localparam int SB = (SETS > 1) ? $clog2(SETS) : 1;        // set-index bits
  localparam int RB = (WAYS > 1) ? $clog2(WAYS) : 1;        // LRU rank bits
  localparam logic [63:0] MIX = 64'h9e37_79b9_7f4a_7c15;    // WalkCacheSet's mix()
  localparam int SETS_M1 = SETS - 1;
  localparam logic [RB-1:0] RANK_ONE = 1;
  localparam int WAYS_M1 = WAYS - 1;

  // Entry k = set * WAYS + way (an int, zero-extended by concatenation: no casts for yosys).
  function automatic int ix(input logic [SB-1:0] set, input int way);
    ix = {{(32 - SB){1'b0}}, set} * WAYS + way;
  endfunction

  // ---------------- the walkers ----------------
  logic [W-1:0]         w_req_valid, w_req_ready, w_rsp_valid, w_rsp_ready;
  logic [W-1:0]         w_ok, w_mvalid, w_mready, w_mwrite, w_mport, w_mrsp;
  logic [64*W-1:0]      w_hpa, w_gpa, w_faddr, w_fcode, w_maddr, w_mwdata;
  logic [2*W-1:0]       w_size;
  logic [3*W-1:0]       w_perms, w_fstage, w_fkind, w_flevel, w_mtable, w_mlevel;
  logic [8*W-1:0]       w_sw;
  logic [W-1:0]         w_lookup, w_fill, w_fill_gpa;
  // A walk's end releases its waiter at the same edge (item 7): w_end depends on the walker's
  // next state, whose always_comb also reads req_valid (only in S_IDLE, where w_end is 0): the
  // lint sees a loop through the start logic that no signal takes.
  /* verilator lint_off UNOPTFLAT */
  logic [W-1:0]         w_end;
  /* verilator lint_on UNOPTFLAT */
  logic [64*W-1:0]      w_va, w_fill_next;
  logic [2*W-1:0]       w_mode;
  logic [3*W-1:0]       w_fill_level, w_fill_perms;
  logic [8*W-1:0]       w_fill_sw;
  // The request each walker starts with (item 1/7: a released waiter or a new request).
  logic [63:0]          s_va;
  logic [1:0]           s_access, s_mode;
  logic                 s_user;
  logic [ID_BITS-1:0]   s_id;
  // The PWC's answer to the walker in S_LOOKUP.
  logic                 l_hit, l_gpa;
  logic [2:0]           l_level, l_perms;
  logic [63:0]          l_next;
  logic [7:0]           l_sw;
  logic [64*W-1:0]      mrsp_data;

  for (genvar g = 0; g < W; g++) begin : g_walker
    localparam int GI = g;
    assign w_mrsp[g] = (cmem_rsp_valid && cmem_rsp_tag == GI[2:0]) || (nmem_rsp_valid && nmem_rsp_tag == GI[2:0]);
    assign mrsp_data[64*g +: 64] = (nmem_rsp_valid && nmem_rsp_tag == GI[2:0]) ? nmem_rsp_data : cmem_rsp_data;
    walker #(.LEVELS(LEVELS), .NESTED_LEVELS(NESTED_LEVELS), .MAXPHYADDR(MAXPHYADDR), .SELECTOR_BIT(SELECTOR_BIT),
             .NX_ENABLED(NX_ENABLED), .NESTED_AD(NESTED_AD), .PWC(HAS_PWC)) u_walker (
      .clk, .rst_n,
      .req_valid(w_req_valid[g]), .req_ready(w_req_ready[g]), .req_va(s_va), .req_access(s_access),
      .req_user(s_user), .req_mode(s_mode), .hroot, .groot, .nroot, .sroot, .croot, .croot_is_gpa,
      .rsp_valid(w_rsp_valid[g]), .rsp_ready(w_rsp_ready[g]), .rsp_ok(w_ok[g]), .rsp_hpa(w_hpa[64*g +: 64]),
      .rsp_gpa(w_gpa[64*g +: 64]), .rsp_size(w_size[2*g +: 2]), .rsp_perms(w_perms[3*g +: 3]),
      .rsp_switch_level(w_sw[8*g +: 8]), .rsp_fault_stage(w_fstage[3*g +: 3]), .rsp_fault_kind(w_fkind[3*g +: 3]),
      .rsp_fault_level(w_flevel[3*g +: 3]), .rsp_fault_addr(w_faddr[64*g +: 64]), .rsp_fault_code(w_fcode[64*g +: 64]),
      .mem_req_valid(w_mvalid[g]), .mem_req_ready(w_mready[g]), .mem_req_addr(w_maddr[64*g +: 64]),
      .mem_req_write(w_mwrite[g]), .mem_req_wdata(w_mwdata[64*g +: 64]), .mem_req_port(w_mport[g]),
      .mem_req_table(w_mtable[3*g +: 3]), .mem_req_level(w_mlevel[3*g +: 3]),
      .mem_rsp_valid(w_mrsp[g]), .mem_rsp_data(mrsp_data[64*g +: 64]),
      .pwc_lookup(w_lookup[g]), .walk_va(w_va[64*g +: 64]), .walk_mode(w_mode[2*g +: 2]),
      .pwc_hit(l_hit), .pwc_level(l_level), .pwc_next(l_next), .pwc_next_is_gpa(l_gpa), .pwc_perms(l_perms),
      .pwc_switch_level(l_sw),
      .pwc_fill(w_fill[g]), .pwc_fill_level(w_fill_level[3*g +: 3]), .pwc_fill_next(w_fill_next[64*g +: 64]),
      .pwc_fill_is_gpa(w_fill_gpa[g]), .pwc_fill_perms(w_fill_perms[3*g +: 3]),
      .pwc_fill_switch_level(w_fill_sw[8*g +: 8]), .walk_end(w_end[g]));
  end

  // ---------------- per-walker bookkeeping: id, page, stale ----------------
  logic [ID_BITS*W-1:0] w_id;
  logic [52*W-1:0]      w_page;   // va >> 12 of the walk
  logic [W-1:0]         w_host;   // a native walk: the host's context (never merged with a guest's)
  logic [W-1:0]         w_stale;  // a flush happened since the walk started: it fills nothing (item 6)
  logic [W-1:0]         w_walking;
  assign w_walking = ~w_req_ready & ~w_rsp_valid;  // started, result not yet there

  // ---------------- waiters: one per walker (item 7) ----------------
  logic [W-1:0]         wt_valid, wt_released;
  logic [ID_BITS*W-1:0] wt_id;
  logic [64*W-1:0]      wt_va;
  logic [2*W-1:0]       wt_access, wt_mode;
  logic [W-1:0]         wt_user;

  // ---------------- start / merge decisions ----------------
  logic              any_free, rel_any, new_match, start_rel, start_new, park;
  int                free_w, rel_w, match_w;  // walker numbers
  always_comb begin
    any_free = 1'b0; free_w = 0;
    for (int i = 0; i < W; i++)
      if (w_req_ready[i]) begin any_free = 1'b1; free_w = i; end  // the highest free walker (item 2)
    rel_any = 1'b0; rel_w = 0;
    for (int i = W - 1; i >= 0; i--)
      if (wt_valid[i] && (wt_released[i] || w_end[i])) begin rel_any = 1'b1; rel_w = i; end  // lowest first
    new_match = 1'b0; match_w = 0;
    for (int i = 0; i < W; i++)
      if (w_walking[i] && !w_end[i] && w_page[52*i +: 52] == req_va[63:12] &&
          w_host[i] == (req_mode == agilemmu_pkg::MODE_NATIVE)) begin
        new_match = 1'b1; match_w = i;
      end
    start_rel = rel_any && any_free;
    // A new request: parked as the waiter of the walk of its page, or started on a free walker.
    req_ready = !rel_any && (new_match ? !wt_valid[match_w] : any_free);
    park = req_valid && req_ready && new_match;
    start_new = req_valid && req_ready && !new_match;
    s_va = start_rel ? wt_va[64*rel_w +: 64] : req_va;
    s_access = start_rel ? wt_access[2*rel_w +: 2] : req_access;
    s_user = start_rel ? wt_user[rel_w] : req_user;
    s_mode = start_rel ? wt_mode[2*rel_w +: 2] : req_mode;
    s_id = start_rel ? wt_id[ID_BITS*rel_w +: ID_BITS] : req_id;
    w_req_valid = '0;
    if (start_rel || start_new) w_req_valid[free_w] = 1'b1;
  end

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      wt_valid <= '0; wt_released <= '0; w_stale <= '0;
    end else begin
      for (int i = 0; i < W; i++) begin
        if (w_end[i] && wt_valid[i]) wt_released[i] <= 1'b1;
        if (pwc_flush && !w_req_ready[i]) w_stale[i] <= 1'b1;
      end
      if (start_rel) begin wt_valid[rel_w] <= 1'b0; wt_released[rel_w] <= 1'b0; end
      if (park) begin wt_valid[match_w] <= 1'b1; wt_released[match_w] <= 1'b0; end
      if (start_rel || start_new) w_stale[free_w] <= 1'b0;
    end
  end

  always_ff @(posedge clk) begin
    if (park) begin
      wt_id[ID_BITS*match_w +: ID_BITS] <= req_id; wt_va[64*match_w +: 64] <= req_va;
      wt_access[2*match_w +: 2] <= req_access; wt_mode[2*match_w +: 2] <= req_mode; wt_user[match_w] <= req_user;
    end
    if (start_rel || start_new) begin
      w_id[ID_BITS*free_w +: ID_BITS] <= s_id; w_page[52*free_w +: 52] <= s_va[63:12];
      w_host[free_w] <= s_mode == agilemmu_pkg::MODE_NATIVE;
    end
  end

  // ---------------- results (item 8): lowest walker first ----------------
  int r_w;
  always_comb begin
    rsp_valid = 1'b0; r_w = 0;
    for (int i = W - 1; i >= 0; i--)
      if (w_rsp_valid[i]) begin rsp_valid = 1'b1; r_w = i; end
    w_rsp_ready = '0;
    if (rsp_valid) w_rsp_ready[r_w] = rsp_ready;
  end
  assign rsp_id = w_id[ID_BITS*r_w +: ID_BITS];
  assign rsp_ok = w_ok[r_w];
  assign rsp_hpa = w_hpa[64*r_w +: 64];
  assign rsp_gpa = w_gpa[64*r_w +: 64];
  assign rsp_size = w_size[2*r_w +: 2];
  assign rsp_perms = w_perms[3*r_w +: 3];
  assign rsp_switch_level = w_sw[8*r_w +: 8];
  assign rsp_fault_stage = w_fstage[3*r_w +: 3];
  assign rsp_fault_kind = w_fkind[3*r_w +: 3];
  assign rsp_fault_level = w_flevel[3*r_w +: 3];
  assign rsp_fault_addr = w_faddr[64*r_w +: 64];
  assign rsp_fault_code = w_fcode[64*r_w +: 64];

  // ---------------- memory arbiters (item 4): lowest walker first, per port ----------------
  int cg, ng;
  logic          c_any, n_any;
  always_comb begin
    c_any = 1'b0; n_any = 1'b0; cg = 0; ng = 0;
    for (int i = W - 1; i >= 0; i--) begin
      if (w_mvalid[i] && w_mport[i] == agilemmu_pkg::PORT_COMPOUND) begin c_any = 1'b1; cg = i; end
      if (w_mvalid[i] && w_mport[i] == agilemmu_pkg::PORT_NESTED) begin n_any = 1'b1; ng = i; end
    end
    w_mready = '0;
    if (c_any) w_mready[cg] = cmem_req_ready;
    if (n_any) w_mready[ng] = nmem_req_ready;
  end
  assign cmem_req_valid = c_any;
  assign cmem_req_addr = w_maddr[64*cg +: 64];
  assign cmem_req_write = w_mwrite[cg];
  assign cmem_req_wdata = w_mwdata[64*cg +: 64];
  assign cmem_req_table = w_mtable[3*cg +: 3];
  assign cmem_req_level = w_mlevel[3*cg +: 3];
  assign cmem_req_tag = cg[2:0];
  assign cmem_req_id = w_id[ID_BITS*cg +: ID_BITS];
  assign nmem_req_valid = n_any;
  assign nmem_req_addr = w_maddr[64*ng +: 64];
  assign nmem_req_write = w_mwrite[ng];
  assign nmem_req_wdata = w_mwdata[64*ng +: 64];
  assign nmem_req_table = w_mtable[3*ng +: 3];
  assign nmem_req_level = w_mlevel[3*ng +: 3];
  assign nmem_req_tag = ng[2:0];
  assign nmem_req_id = w_id[ID_BITS*ng +: ID_BITS];

  // ---------------- page-walk cache (item 5) ----------------
  // The tag keeps the VA page number with the bits below the entry's level cleared: for a
  // canonical VA (the only ones looked up) equal to comparing the model's prefix va >> shift.
  /* verilator lint_off UNUSEDSIGNAL */  // a function uses a few bits of its 64-bit arguments
  function automatic logic [VPN-1:0] vpn_at(input logic [63:0] va, input logic [2:0] level);
    logic [VPN-1:0] m;
    m = '1;
    m = m << (9 * (LEVELS - {29'd0, level}));
    vpn_at = va[VA_BITS-1:12] & m;
  endfunction
  // WalkCacheSet's mix(prefix, level) & (sets - 1): only the product's bits 20.. are used, so only
  // the prefix's low 20 + SB bits matter.
  function automatic logic [SB-1:0] set_of(input logic [63:0] va, input logic [2:0] level);
    logic [63:0] p, h;
    p = va >> (12 + 9 * (LEVELS - {29'd0, level}));
    h = {38'd0, p[25:0]} * {38'd0, MIX[25:0]};
    h = (h >> 20) ^ {61'd0, level};
    set_of = h[SB-1:0] & SETS_M1[SB-1:0];
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  logic [E-1:0]      e_valid, e_gpa;
  logic [2*E-1:0]    e_mode;
  logic [3*E-1:0]    e_level, e_perms;
  logic [VPN*E-1:0]  e_tag;
  logic [40*E-1:0]   e_next;    // next node, bits 51:12
  logic [8*E-1:0]    e_sw;
  logic [RB*E-1:0]   e_rank;    // per set, 0 = most recently used .. WAYS-1 = least (a permutation)

  // Lookup: the walker in S_LOOKUP (one per cycle: one start per edge).
  logic [63:0]       q_va;
  logic [1:0]        q_mode;
  logic              q_on;
  logic              t_on;      // the hit to touch
  logic [SB-1:0]     t_set;
  logic [RB-1:0]     t_way;
  // Fill: the lowest walker offering one that is not stale (item 5/6).
  logic              f_on, f_gpa;
  logic [63:0]       f_va;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [63:0]       f_next;  // bits 51:12 are stored
  /* verilator lint_on UNUSEDSIGNAL */
  logic [1:0]        f_mode;
  logic [2:0]        f_level, f_perms;
  logic [7:0]        f_sw;
  logic [SB-1:0]     f_set;
  logic [RB-1:0]     f_way;
  logic [RB*E-1:0]   rank1, rank2;  // after the lookup's touch, then after the fill's
  logic [SB-1:0]     lset;
  logic              found;
  int                k, lk, f_k;
  logic [RB*E-1:0]   rank_init;  // way w of every set starts at rank w
  for (genvar i = 0; i < E; i++) begin : g_rank
    localparam int R = i % WAYS;
    assign rank_init[RB*i +: RB] = R[RB-1:0];
  end

  always_comb begin
    q_on = 1'b0; q_va = w_va[63:0]; q_mode = w_mode[1:0];
    for (int i = W - 1; i >= 0; i--)
      if (w_lookup[i]) begin q_on = 1'b1; q_va = w_va[64*i +: 64]; q_mode = w_mode[2*i +: 2]; end
    l_hit = 1'b0; l_level = 3'd0; l_next = 64'd0; l_gpa = 1'b0; l_perms = 3'b000; l_sw = 8'hff;
    t_on = 1'b0; t_set = '0; t_way = '0;
    // Levels 1 .. LEVELS-1, the deepest hit last so it wins.
    for (int l = 1; l < LEVELS; l++) begin
      lset = set_of(q_va, l[2:0]);
      for (int w = 0; w < WAYS; w++) begin
        lk = ix(lset, w);
        if (HAS_PWC && q_on && e_valid[lk] && e_level[3*lk +: 3] == l[2:0] && e_mode[2*lk +: 2] == q_mode &&
            e_tag[VPN*lk +: VPN] == vpn_at(q_va, l[2:0])) begin
          l_hit = 1'b1; l_level = l[2:0];
          l_next = {12'd0, e_next[40*lk +: 40], 12'd0};
          l_gpa = e_gpa[lk]; l_perms = e_perms[3*lk +: 3]; l_sw = e_sw[8*lk +: 8];
          t_on = 1'b1; t_set = lset; t_way = w[RB-1:0];
        end
      end
    end

  end

  // Fill and LRU update (a block of its own: the walkers' fills depend on the lookup's answer).
  always_comb begin
    f_on = 1'b0; f_va = w_va[63:0]; f_mode = w_mode[1:0]; f_level = w_fill_level[2:0]; f_next = w_fill_next[63:0];
    f_gpa = w_fill_gpa[0]; f_perms = w_fill_perms[2:0]; f_sw = w_fill_sw[7:0];
    for (int i = W - 1; i >= 0; i--)
      if (w_fill[i] && !w_stale[i]) begin
        f_on = 1'b1; f_va = w_va[64*i +: 64]; f_mode = w_mode[2*i +: 2]; f_level = w_fill_level[3*i +: 3];
        f_next = w_fill_next[64*i +: 64]; f_gpa = w_fill_gpa[i]; f_perms = w_fill_perms[3*i +: 3];
        f_sw = w_fill_sw[8*i +: 8];
      end
    if (pwc_flush || !HAS_PWC) f_on = 1'b0;  // every filling walk is stale at a flush edge
    f_set = set_of(f_va, f_level);

    // LRU touch of the lookup's hit (the model looks up at the start edge, before any fill).
    rank1 = e_rank;
    if (t_on) begin
      k = ix(t_set, {{(32 - RB){1'b0}}, t_way});
      for (int w = 0; w < WAYS; w++)
        if (e_rank[RB*ix(t_set, w) +: RB] < e_rank[RB*k +: RB])
          rank1[RB*ix(t_set, w) +: RB] = e_rank[RB*ix(t_set, w) +: RB] + RANK_ONE;
      rank1[RB*k +: RB] = '0;
    end

    // SetAssoc::insert: the same entry, else the lowest invalid way, else the LRU way.
    f_way = '0;
    found = 1'b0;
    for (int w = 0; w < WAYS; w++) begin
      k = ix(f_set, w);
      if (!found && e_valid[k] && e_level[3*k +: 3] == f_level && e_mode[2*k +: 2] == f_mode &&
          e_tag[VPN*k +: VPN] == vpn_at(f_va, f_level)) begin
        found = 1'b1; f_way = w[RB-1:0];
      end
    end
    for (int w = 0; w < WAYS; w++)
      if (!found && !e_valid[ix(f_set, w)]) begin found = 1'b1; f_way = w[RB-1:0]; end
    for (int w = 0; w < WAYS; w++)
      if (!found && rank1[RB*ix(f_set, w) +: RB] == WAYS_M1[RB-1:0]) begin found = 1'b1; f_way = w[RB-1:0]; end
    f_k = ix(f_set, {{(32 - RB){1'b0}}, f_way});
    rank2 = rank1;
    if (f_on) begin
      for (int w = 0; w < WAYS; w++)
        if (rank1[RB*ix(f_set, w) +: RB] < rank1[RB*f_k +: RB])
          rank2[RB*ix(f_set, w) +: RB] = rank1[RB*ix(f_set, w) +: RB] + RANK_ONE;
      rank2[RB*f_k +: RB] = '0;
    end
  end

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      e_valid <= '0;
      e_rank <= rank_init;
    end else begin
      e_rank <= rank2;
      if (pwc_flush) e_valid <= '0;
      else if (f_on) e_valid[f_k] <= 1'b1;
    end
  end
  always_ff @(posedge clk) begin
    if (f_on) begin
      e_mode[2*f_k +: 2] <= f_mode;
      e_level[3*f_k +: 3] <= f_level;
      e_tag[VPN*f_k +: VPN] <= vpn_at(f_va, f_level);
      e_next[40*f_k +: 40] <= f_next[51:12];
      e_gpa[f_k] <= f_gpa;
      e_perms[3*f_k +: 3] <= f_perms;
      e_sw[8*f_k +: 8] <= f_sw;
    end
  end
endmodule
