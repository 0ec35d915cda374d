# rtl/mutate.sh --unit (sourced by rtl/mutate.sh): the walk unit's mutants, each killed by
# agilemmu-unit-cosim against the SystemC Mmu, and unit_main, which runs them. Uses ROOT, BUILD,
# SEED, REQUESTS, ONLY, apply_mutant and killed_how from mutate.sh.
UNAMES=() UDESCS=() UFILES=() UOLDS=() UNEWS=() UEXPECTS=()
# umutant NAME DESCRIPTION FILE(walk_unit.sv|walker.sv) OLD NEW [ASSERTION]: OLD must occur in
# exactly one line; with ASSERTION (rtl/sva), that assertion must be what kills it.
umutant() { UNAMES+=("$1"); UDESCS+=("$2"); UFILES+=("$3"); UOLDS+=("$4"); UNEWS+=("$5"); UEXPECTS+=("${6:-}"); }

umutant arbiter-port-ignored "arbiter: compound port granted to a walker requesting the nested port" walk_unit.sv \
  'if (w_mvalid[i] && w_mport[i] == agilemmu_pkg::PORT_COMPOUND) begin c_any = 1'"'"'b1; cg = i; end' \
  'if (w_mvalid[i]) begin c_any = 1'"'"'b1; cg = i; end' grant_port_matches
umutant arbiter-wrong-ready "arbiter: the nested port's ready goes to the compound winner" walk_unit.sv \
  'if (n_any) w_mready[ng] = nmem_req_ready;' \
  'if (n_any) w_mready[cg] = nmem_req_ready;'
umutant tag-constant "memory tag always walker 0 (responses routed to the wrong walker)" walk_unit.sv \
  'assign cmem_req_tag = cg[2:0];' \
  "assign cmem_req_tag = 3'd0;"
umutant pwc-tag-no-mode "PWC tag: the paging mode is not compared" walk_unit.sv \
  'if (HAS_PWC && q_on && e_valid[lk] && e_level[3*lk +: 3] == l[2:0] && e_mode[2*lk +: 2] == q_mode &&' \
  'if (HAS_PWC && q_on && e_valid[lk] && e_level[3*lk +: 3] == l[2:0] &&'
umutant pwc-tag-one-level-short "PWC tag: the prefix keeps 9 bits too few" walk_unit.sv \
  'm = m << (9 * (LEVELS - {29'"'"'d0, level}));' \
  'm = m << (9 * (LEVELS + 1 - {29'"'"'d0, level}));'
umutant pwc-index-no-level "PWC set index without the level (mix() ^ level)" walk_unit.sv \
  'h = (h >> 20) ^ {61'"'"'d0, level};' \
  'h = h >> 20;'
umutant pwc-lru-mru "PWC replaces the most recently used way" walk_unit.sv \
  'if (!found && rank1[RB*ix(f_set, w) +: RB] == WAYS_M1[RB-1:0]) begin found = 1'"'"'b1; f_way = w[RB-1:0]; end' \
  'if (!found && rank1[RB*ix(f_set, w) +: RB] == '"'"'0) begin found = 1'"'"'b1; f_way = w[RB-1:0]; end'
umutant pwc-hit-not-touched "PWC lookup hit does not update LRU" walk_unit.sv \
  't_on = 1'"'"'b1; t_set = lset; t_way = w[RB-1:0];' \
  't_on = 1'"'"'b0; t_set = lset; t_way = w[RB-1:0];'
umutant pwc-stale-fill "a walk that saw a flush still fills the PWC" walk_unit.sv \
  'if (w_fill[i] && !w_stale[i]) begin' \
  'if (w_fill[i]) begin'
umutant pwc-fill-perms "PWC fill stores the entry's own permissions, not the accumulated ones" walker.sv \
  'pwc_fill_perms = gp; pwc_fill_switch_level = gdim_n.switch_level;' \
  'pwc_fill_perms = perms_of(v); pwc_fill_switch_level = gdim_n.switch_level;'
umutant merge-off "no merge: a request to a page being walked walks at once" walk_unit.sv \
  'new_match = 1'"'"'b1; match_w = i;' \
  'new_match = 1'"'"'b0; match_w = i;'
umutant merge-release-late "a waiter starts a cycle after the walk it waited for ends" walk_unit.sv \
  'if (wt_valid[i] && (wt_released[i] || w_end[i])) begin rel_any = 1'"'"'b1; rel_w = i; end  // lowest first' \
  'if (wt_valid[i] && wt_released[i]) begin rel_any = 1'"'"'b1; rel_w = i; end  // lowest first'
umutant merge-2m-page "merge compares 2 MiB instead of 4 KiB pages" walk_unit.sv \
  'if (w_walking[i] && !w_end[i] && w_page[52*i +: 52] == req_va[63:12] &&' \
  'if (w_walking[i] && !w_end[i] && w_page[52*i+9 +: 43] == req_va[63:21] &&'

umutant arbiter-priority-reversed "arbiter: the highest-numbered requesting walker is granted" walk_unit.sv \
  'for (int i = W - 1; i >= 0; i--) begin' \
  'for (int i = 0; i < W; i++) begin'
umutant arbiter-ready-ignored "arbiter: the compound winner is told its reference was accepted whatever cmem_req_ready" walk_unit.sv \
  'if (c_any) w_mready[cg] = cmem_req_ready;' \
  'if (c_any) w_mready[cg] = 1'"'"'b1;' cmem_req_held
umutant result-priority-reversed "results: the highest-numbered walker's result goes first" walk_unit.sv \
  'if (w_rsp_valid[i]) begin rsp_valid = 1'"'"'b1; r_w = i; end' \
  'if (w_rsp_valid[i] && !rsp_valid) begin rsp_valid = 1'"'"'b1; r_w = i; end'
umutant result-ready-ignored "results: the walker's result is dropped whatever rsp_ready" walk_unit.sv \
  'if (rsp_valid) w_rsp_ready[r_w] = rsp_ready;' \
  'if (rsp_valid) w_rsp_ready[r_w] = 1'"'"'b1;' unit_rsp_held
umutant alloc-lowest-free "a new walk gets the lowest-numbered free walker" walk_unit.sv \
  'if (w_req_ready[i]) begin any_free = 1'"'"'b1; free_w = i; end  // the highest free walker (item 2)' \
  'if (w_req_ready[i] && !any_free) begin any_free = 1'"'"'b1; free_w = i; end  // the highest free walker (item 2)'
# One mutant per assertion of rtl/sva/walk_unit_sva.sv not shown above, which must fire.
umutant sva-waiter-takes-walk-id "a released waiter starts with the id of the walk it waited for" walk_unit.sv \
  's_id = start_rel ? wt_id[ID_BITS*rel_w +: ID_BITS] : req_id;' \
  's_id = start_rel ? w_id[ID_BITS*rel_w +: ID_BITS] : req_id;' ids_unique
# (A result carrying walker 0's id showed nothing: that id is in flight while walker 0 walks, and
# the harness caught the swapped results later. An id with its top bit flipped is never in flight.)
umutant sva-rsp-id-flipped "results carry their request's id with the top bit flipped" walk_unit.sv \
  'assign rsp_id = w_id[ID_BITS*r_w +: ID_BITS];' \
  'assign rsp_id = w_id[ID_BITS*r_w +: ID_BITS] ^ {1'"'"'b1, {(ID_BITS - 1){1'"'"'b0}}};' rsp_id_in_flight
umutant nested-ready-broadcast "the nested port's ready goes to every walker with a request" walk_unit.sv \
  'if (n_any) w_mready[ng] = nmem_req_ready;' \
  'if (n_any) w_mready = w_mvalid & {W{nmem_req_ready}};'
# (nested-ready-broadcast was meant for grants_one_hot, but a walker told "accepted" by the
# other port's ready overlaps two references first, which the harness sees; a ready to a walker
# that requests nothing is seen by the assertion alone.)
umutant sva-nested-ready-unrequested "the nested port's ready goes to walker 0 (the default) even with no nested request" walk_unit.sv \
  'if (n_any) w_mready[ng] = nmem_req_ready;' \
  'w_mready[ng] = nmem_req_ready;' grants_one_hot
umutant sva-nested-ready-ignored "arbiter: the nested winner is told its reference was accepted whatever nmem_req_ready" walk_unit.sv \
  'if (n_any) w_mready[ng] = nmem_req_ready;' \
  'if (n_any) w_mready[ng] = 1'"'"'b1;' nmem_req_held

ubuild() { cmake --build "$BUILD" -j2 --target agilemmu-unit-cosim >"$1" 2>&1; }
# Runs w4p16 agile, w2p8 nested, w4p16 shadow, with memory and result backpressure (so the
# arbiters' priority and ready handling are exercised); sets CAUGHT_BY and DIFF for the first failing run.
uregress() {
  CAUGHT_BY= DIFF= OUT=
  local run out
  for run in "w4p16 agile" "w2p8 nested" "w4p16 shadow"; do
    set -- $run
    out=$LOG/$NAME.$1.$2.log
    if ! "$BUILD/tb/cosim/agilemmu-unit-cosim" --rtl "$1" --mode "$2" --seed "$SEED" --requests "$REQUESTS" \
        --mem-stall 20 --rsp-stall 20 >"$out" 2>&1; then
      CAUGHT_BY="unit-cosim $1 $2" OUT=$out
      DIFF=$(grep -m1 -E '^MISMATCH|^  \*|unit-cosim:' "$out" | head -1)
      local first
      first=$(grep -m1 -E '^MISMATCH' "$out" | sed 's/^MISMATCH //')
      [ -z "$first" ] || DIFF=$first
      return
    fi
  done
}

unit_main() {
UNIT_SRC=$ROOT/rtl/walk_unit.sv
WALKER_SRC=$ROOT/rtl/walker.sv
MUTDIR=$BUILD/mutant
LOG=$MUTDIR/logs
mkdir -p "$MUTDIR" "$LOG"
cp "$UNIT_SRC" "$MUTDIR/walk_unit.sv"
cp "$WALKER_SRC" "$MUTDIR/walker.sv"
# (every run: a --build-dir last used for the walker gets the unit's settings back)
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DAGILEMMU_WALKER_SV="$MUTDIR/walker.sv" \
  -DAGILEMMU_WALK_UNIT_SV="$MUTDIR/walk_unit.sv" -DAGILEMMU_UNIT_ONLY="w2p8;w4p16" -DAGILEMMU_RTL_FST=OFF \
  -DAGILEMMU_WALKER_SVA="$ROOT/rtl/sva/walker_sva.sv;$ROOT/rtl/sva/walker_state_sva.sv" \
  >"$LOG/configure.log" 2>&1 || { cat "$LOG/configure.log" >&2; exit 2; }
echo "unmutated unit: building and running $REQUESTS requests per run (seed $SEED)" >&2
NAME=base
ubuild "$LOG/base.build.log" || { cat "$LOG/base.build.log" >&2; exit 2; }
uregress
if [ -n "$CAUGHT_BY" ]; then
  killed_how "$OUT" ""
  echo "the unmutated unit fails on $CAUGHT_BY: $HOW; see $OUT" >&2
  return 1
fi
survivors=0
rows=()
for i in "${!UNAMES[@]}"; do
  NAME=${UNAMES[$i]}
  selected "$NAME" || continue
  file=${UFILES[$i]}
  apply_mutant "$NAME" "$ROOT/rtl/$file" "${UOLDS[$i]}" "${UNEWS[$i]}" "$MUTDIR/$file" rtl/mutate_unit.inc.sh
  start=$(date +%s)
  if ! ubuild "$LOG/$NAME.build.log"; then
    rows+=("| $((i + 1)) | \`$NAME\`: ${UDESCS[$i]} | $file:$line | (does not build) | see $LOG/$NAME.build.log |")
    survivors=$((survivors + 1))
  else
    uregress
    secs=$(( $(date +%s) - start ))
    if [ -n "$CAUGHT_BY" ]; then
      killed_how "$OUT" "${UEXPECTS[$i]}"
      rows+=("| $((i + 1)) | \`$NAME\`: ${UDESCS[$i]} | $file:$line | $CAUGHT_BY | ${HOW//|/\\|} |")
      [ "$OK" = 0 ] || survivors=$((survivors + 1))
      echo "mutant $NAME: killed by $CAUGHT_BY ($HOW) [${secs}s]" >&2
    else
      rows+=("| $((i + 1)) | \`$NAME\`: ${UDESCS[$i]} | $file:$line | SURVIVED | $REQUESTS requests x 3 runs |")
      survivors=$((survivors + 1))
      echo "mutant $NAME: SURVIVED [${secs}s]" >&2
    fi
  fi
  cp "$ROOT/rtl/$file" "$MUTDIR/$file"  # the original again for the next mutant
done
echo "| # | mutant | line | killed by | how (first difference, or the assertion that fired) |"
echo "|---|--------|------|-----------|------------------------------------------------------|"
printf '%s\n' "${rows[@]}"
echo
echo "$(( ${#rows[@]} - survivors )) of ${#rows[@]} unit mutants killed as required ($REQUESTS requests per run, seed $SEED)"
[ "$survivors" = 0 ] || return 1
failed=0
}
