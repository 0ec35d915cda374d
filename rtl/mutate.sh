#!/usr/bin/env bash
# Mutation check of the RTL flows: applies plausible one-line bugs to a copy of the walker (or,
# with --unit, of rtl/walk_unit.sv), builds each into the co-simulation and runs the random
# regression until a flow kills it. Every mutant must be killed; a mutant named with an assertion
# must be killed by that assertion (rtl/sva). Prints a Markdown table: mutant, line, the flow
# that killed it and how (scoreboard difference, hang, or the assertion that fired).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  cat <<'USAGE'
usage: rtl/mutate.sh [--walker FILE] [--rtl NAMES] [--walks N] [--seed S] [--only NAMES] [--build-dir DIR] [--keep] [--no-mutants]
       rtl/mutate.sh --unit [--requests N] [--seed S] [--only NAMES] [--build-dir DIR] [--keep]
       rtl/mutate.sh [--unit] --list | --emit NAME OUT

Walker (default): each mutant of the walker is Verilated into agilemmu-cosim and run on every
build of rtl/walker_configs.txt (l4, l5, mix) with the hostile stimulus: random backpressure and
latencies, request inputs and roots random outside the handshake, 2% of walks cut by a reset,
random initial register values (--walks N per build, default 200000, seed 1). The assertions of
rtl/sva are bound in every build.
--unit: mutants of rtl/walk_unit.sv and the walker's PWC hooks, run by agilemmu-unit-cosim
against the SystemC Mmu on w4p16 agile, w2p8 nested, w4p16 shadow (--requests N per run, default
20000, memory and result backpressure).

  --walker FILE   check a walker of your own (walker.sv's port list; bound to the port checker
                  rtl/sva/walker_sva.sv only): it must pass, then every mutant whose line occurs
                  in FILE is applied to it (the others are listed as not applicable)
  --no-mutants    only check the unmutated walker (FILE or rtl/walker.sv)
  --rtl NAMES     only these builds of rtl/walker_configs.txt (comma-separated; default all):
                  faster (each mutant Verilates only these), weaker
  --only NAMES    only these mutants (comma-separated)
  --build-dir DIR build there and keep it (reused by the next run: only the mutated walker is
                  Verilated again); default: a temporary directory, removed unless something
                  failed or --keep
  --list          print the mutants (name, expected assertion, description)
  --emit NAME OUT write the mutated source of mutant NAME to OUT (used by the CTest mutant builds)
  -h, --help      this text

Exit status: 0 every mutant killed (each assertion mutant by its assertion) and the unmutated
walker passes; 1 a mutant survived, an assertion did not fire, or the unmutated walker fails;
2 bad usage, a mutant line missing from rtl/walker.sv or walk_unit.sv, a build failure.
USAGE
}

WALKS=200000
SEED=1
BUILD=
KEEP=0
ONLY=
UNIT=0
REQUESTS=20000
WALKER=
RTL=
NO_MUTANTS=0
LIST=0
EMIT=
EMIT_OUT=
while [ $# -gt 0 ]; do
  case $1 in
    --unit) UNIT=1; shift ;;
    --requests) REQUESTS=${2:?}; shift 2 ;;
    --walks) WALKS=${2:?}; shift 2 ;;
    --seed) SEED=${2:?}; shift 2 ;;
    --build|--build-dir) BUILD=${2:?}; KEEP=1; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --only) ONLY=${2:?}; shift 2 ;;
    --walker) WALKER=${2:?}; shift 2 ;;
    --no-mutants) NO_MUTANTS=1; shift ;;
    --rtl) RTL=${2:?}; shift 2 ;;
    --list) LIST=1; shift ;;
    --emit) EMIT=${2:?}; EMIT_OUT=${3:?}; shift 3 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
if [ -n "$WALKER" ]; then
  [ -f "$WALKER" ] || { echo "mutate.sh: --walker $WALKER: no such file" >&2; exit 2; }
  WALKER=$(cd "$(dirname "$WALKER")" && pwd)/$(basename "$WALKER")
fi

# apply_mutant NAME SRC OLD NEW OUT LIST: writes SRC to OUT with its line OLD replaced by NEW and
# sets `line` to OLD's line number; OLD must occur exactly once in SRC (else: update LIST; with a
# walker of the user's own, returns 3: not applicable). Both the walker's and the walk unit's
# mutants are applied with it.
apply_mutant() {
  local name=$1 src=$2 old=$3 new=$4 out=$5 list=$6 n content
  n=$(grep -cF -- "$old" "$src" || true)
  if [ "$n" != 1 ]; then
    [ -z "$WALKER" ] || return 3
    echo "mutant $name: its line occurs $n times in $(basename "$src") (update $list)" >&2
    exit 2
  fi
  line=$(grep -nF -- "$old" "$src" | cut -d: -f1)
  content=$(cat "$src")
  printf '%s\n' "${content/"$old"/"$new"}" >"$out"
}

NAMES=() DESCS=() OLDS=() NEWS=() EXPECTS=()
# mutant NAME DESCRIPTION OLD NEW [ASSERTION]: OLD must occur in exactly one line of walker.sv.
# With ASSERTION (a label in rtl/sva), the mutant exists to show that assertion fires: it must be
# killed by that assertion, not by the scoreboard.
mutant() { NAMES+=("$1"); DESCS+=("$2"); OLDS+=("$3"); NEWS+=("$4"); EXPECTS+=("${5:-}"); }

mutant ready-ignored-nested "nested read leaves its request state without mem_req_ready" \
  'S_NESTED_READ:    if (mem_req_ready) n_state = S_NESTED_WAIT;' \
  'S_NESTED_READ:    n_state = S_NESTED_WAIT;' mem_req_held
mutant ready-ignored-write "A/D write leaves its request state without mem_req_ready" \
  'S_WRITE:          if (mem_req_ready) n_state = S_WRITE_WAIT;' \
  'S_WRITE:          n_state = S_WRITE_WAIT;'
mutant write-rsp-ignored "A/D write does not wait for its response" \
  'assign write_done  = (state == S_WRITE_WAIT) && mem_rsp_valid;' \
  'assign write_done  = (state == S_WRITE_WAIT);' mem_one_outstanding
mutant rsp-ready-ignored "result dropped without rsp_ready" \
  'S_DONE, S_FAULT: if (rsp_ready) n_state = S_IDLE;' \
  'S_DONE, S_FAULT: n_state = S_IDLE;' rsp_held_until_ready
mutant reserved-large-low-bits "large-page low address bits not reserved" \
  "else m = m | (page_mask(size_at(lvls, level)) & ~64'h1fff);" \
  "else m = m;"
mutant canonical-off-by-one "canonical check starts one bit too high" \
  'if (req_va[63:VA_BITS-1] != {(65 - VA_BITS){req_va[VA_BITS-1]}}) begin' \
  'if (req_va[63:VA_BITS] != {(64 - VA_BITS){req_va[VA_BITS]}}) begin'
mutant guest-read-wrong-port "guest-table entry read on the nested port" \
  'pend_n.port = agilemmu_pkg::PORT_COMPOUND; pend_n.tbl = agilemmu_pkg::TBL_GUEST; pend_n.level = gdim.level;' \
  'pend_n.port = agilemmu_pkg::PORT_NESTED; pend_n.tbl = agilemmu_pkg::TBL_GUEST; pend_n.level = gdim.level;'
mutant nested-a-missing "no A write in nested non-leaf entries" \
  'if (NESTED_AD && !v[agilemmu_pkg::PTE_A]) begin' \
  "if (1'b0) begin"
mutant leaf-d-missing "no D in the first-dimension leaf of a write" \
  "bits = agilemmu_pkg::PTE_A_MASK | ((leaf && walk.access == agilemmu_pkg::ACC_WRITE) ? agilemmu_pkg::PTE_D_MASK : 64'd0);" \
  "bits = agilemmu_pkg::PTE_A_MASK;"
mutant d-on-read "D set in the first-dimension leaf on every access" \
  "bits = agilemmu_pkg::PTE_A_MASK | ((leaf && walk.access == agilemmu_pkg::ACC_WRITE) ? agilemmu_pkg::PTE_D_MASK : 64'd0);" \
  "bits = agilemmu_pkg::PTE_A_MASK | (leaf ? agilemmu_pkg::PTE_D_MASK : 64'd0);"
mutant second-write-dropped "guest entry write after the nested-leaf D write is lost" \
  "assign wq_more     = (wq.count == 2'd2);  // the second queued write is due" \
  "assign wq_more     = 1'b0;"
mutant nested-ad-ignored "nested leaf A/D written with NESTED_AD = 0" \
  'if (NESTED_AD && (v & nbits) != nbits) begin' \
  'if ((v & nbits) != nbits) begin'
mutant nl-level-off-by-one "nested leaf of a guest page remembered one level too deep" \
  'nl_n.write = np.write; nl_n.level = ndim.level; nl_n.addr = pend.addr;' \
  "nl_n.write = np.write; nl_n.level = ndim.level + 3'd1; nl_n.addr = pend.addr;"
mutant user-check-dropped "first-dimension leaf ignores US for user accesses" \
  'if (leaf && ((walk.user && !gp.user) || (walk.access == agilemmu_pkg::ACC_WRITE && !gp.write) || (walk.access == agilemmu_pkg::ACC_FETCH && !gp.exec))) begin' \
  'if (leaf && ((walk.access == agilemmu_pkg::ACC_WRITE && !gp.write) || (walk.access == agilemmu_pkg::ACC_FETCH && !gp.exec))) begin'
mutant nested-user-check-dropped "nested translations not checked as user accesses" \
  'if (!np.user || (final_gpa && ((walk.access == agilemmu_pkg::ACC_WRITE && !np.write) || (walk.access == agilemmu_pkg::ACC_FETCH && !np.exec)))) begin' \
  'if ((final_gpa && ((walk.access == agilemmu_pkg::ACC_WRITE && !np.write) || (walk.access == agilemmu_pkg::ACC_FETCH && !np.exec)))) begin'
mutant guest-page-write-check-dropped "guest page written without its nested write permission" \
  'end else if ((v & bits) != bits && gdim.tbl == agilemmu_pkg::TBL_GUEST && !nl.write) begin' \
  "end else if ((v & bits) != bits && gdim.tbl == agilemmu_pkg::TBL_GUEST && 1'b0) begin"
mutant nested-leaf-d-wrong-data "nested-leaf D write carries the guest entry's value" \
  'wq_n.w0.addr = nl.addr; wq_n.w0.data = nl.pte | agilemmu_pkg::PTE_D_MASK;' \
  'wq_n.w0.addr = nl.addr; wq_n.w0.data = v | agilemmu_pkg::PTE_D_MASK;'
mutant selector-everywhere "selector bit honoured outside the compound table" \
  'nested_style = (gdim.tbl == agilemmu_pkg::TBL_COMPOUND) && v[SELECTOR_BIT];' \
  'nested_style = v[SELECTOR_BIT];'
mutant selector-ignored "selector bit ignored (agile walks never switch)" \
  'nested_style = (gdim.tbl == agilemmu_pkg::TBL_COMPOUND) && v[SELECTOR_BIT];' \
  "nested_style = 1'b0;"

# Unsampled inputs: the walker must use the values sampled with the request; the co-simulation
# drives random values on every request input and root outside the handshake cycle.
mutant unsampled-nroot "nested walk starts from the live nroot input, not the one sampled with the request" \
  "pend_n.addr = walk_n.nroot + index_off(NESTED_LEVELS, nest_gpa, 3'd1);" \
  "pend_n.addr = nroot + index_off(NESTED_LEVELS, nest_gpa, 3'd1);"
mutant unsampled-access "leaf D decided from the live req_access" \
  "bits = agilemmu_pkg::PTE_A_MASK | ((leaf && walk.access == agilemmu_pkg::ACC_WRITE) ? agilemmu_pkg::PTE_D_MASK : 64'd0);" \
  "bits = agilemmu_pkg::PTE_A_MASK | ((leaf && req_access == agilemmu_pkg::ACC_WRITE) ? agilemmu_pkg::PTE_D_MASK : 64'd0);"
mutant unsampled-user "leaf user check from the live req_user" \
  'if (leaf && ((walk.user && !gp.user) || (walk.access == agilemmu_pkg::ACC_WRITE && !gp.write) || (walk.access == agilemmu_pkg::ACC_FETCH && !gp.exec))) begin' \
  'if (leaf && ((req_user && !gp.user) || (walk.access == agilemmu_pkg::ACC_WRITE && !gp.write) || (walk.access == agilemmu_pkg::ACC_FETCH && !gp.exec))) begin'
mutant unsampled-error-code "fault error code from the live req_access / req_user" \
  'assign acode = (state == S_IDLE) ? access_code(req_access, req_user) : access_code(walk.access, walk.user);' \
  'assign acode = access_code(req_access, req_user);'
mutant unsampled-va "guest entry index from the live req_va" \
  'pend_n.addr = nout + index_off(LEVELS, walk.va, gdim.level);' \
  'pend_n.addr = nout + index_off(LEVELS, req_va, gdim.level);'
# One mutant per assertion of rtl/sva/walker_sva.sv and walker_state_sva.sv not shown above, which
# must fire.
mutant sva-addr-unstable "memory request address shown only while mem_req_ready is high" \
  'assign mem_req_addr    = writing ? wq.w0.addr : pend.addr;' \
  "assign mem_req_addr    = writing ? wq.w0.addr : (mem_req_ready ? pend.addr : 64'd0);" mem_req_stable
mutant sva-rsp-unstable "result address shown only while rsp_ready is high" \
  'assign rsp_hpa         = res.hpa;' \
  "assign rsp_hpa         = rsp_ready ? res.hpa : 64'd0;" rsp_stable
mutant sva-rsp-after-reset "reset puts the walker in its fault (result) state" \
  '      state <= S_IDLE;' \
  '      state <= S_FAULT;' rsp_after_req
mutant sva-mem-req-after-result "a faulting walk keeps a memory request raised with its result" \
  'assign mem_req_valid   = (state == S_FIRST_DIM_READ) || (state == S_NESTED_READ) || writing;' \
  'assign mem_req_valid   = (state == S_FIRST_DIM_READ) || (state == S_NESTED_READ) || writing || (state == S_FAULT);' mem_req_in_walk
mutant sva-ready-early "ready for the next request while the result waits" \
  'assign req_ready       = (state == S_IDLE);' \
  'assign req_ready       = (state == S_IDLE) || rsp_valid;' req_ready_idle
mutant sva-resume-lookup "after its A/D writes the walk resumes in the PWC lookup state (no PWC)" \
  'S_WRITE_WAIT:     if (write_done) n_state = wq_more ? S_WRITE : resume;' \
  'S_WRITE_WAIT:     if (write_done) n_state = wq_more ? S_WRITE : S_LOOKUP;' state_legal


# shellcheck source=rtl/mutate_unit.inc.sh
. "$ROOT/rtl/mutate_unit.inc.sh"

if [ "$LIST" = 1 ]; then
  if [ "$UNIT" = 1 ]; then
    for i in "${!UNAMES[@]}"; do printf '%s\t%s\t%s\n' "${UNAMES[$i]}" "${UEXPECTS[$i]:--}" "${UDESCS[$i]}"; done
  else
    for i in "${!NAMES[@]}"; do printf '%s\t%s\t%s\n' "${NAMES[$i]}" "${EXPECTS[$i]:--}" "${DESCS[$i]}"; done
  fi
  exit 0
fi
if [ -n "$EMIT" ]; then
  for i in "${!NAMES[@]}"; do
    [ "${NAMES[$i]}" = "$EMIT" ] || continue
    apply_mutant "$EMIT" "$ROOT/rtl/walker.sv" "${OLDS[$i]}" "${NEWS[$i]}" "$EMIT_OUT" rtl/mutate.sh
    exit 0
  done
  for i in "${!UNAMES[@]}"; do
    [ "${UNAMES[$i]}" = "$EMIT" ] || continue
    apply_mutant "$EMIT" "$ROOT/rtl/${UFILES[$i]}" "${UOLDS[$i]}" "${UNEWS[$i]}" "$EMIT_OUT" rtl/mutate_unit.inc.sh
    exit 0
  done
  echo "mutate.sh: --emit: no mutant $EMIT (see --list)" >&2
  exit 2
fi
# selected NAME: true when --only is empty or lists NAME.
selected() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
if [ -n "$ONLY" ]; then
  for o in ${ONLY//,/ }; do
    found=0
    for n in "${NAMES[@]}" "${UNAMES[@]}"; do [ "$n" != "$o" ] || found=1; done
    [ "$found" = 1 ] || { echo "mutate.sh: --only: no mutant $o (see --list)" >&2; exit 2; }
  done
fi

# Outside the source tree: a temporary directory unless --build-dir.
if [ -z "$BUILD" ]; then
  BUILD=$(mktemp -d "${TMPDIR:-/tmp}/agilemmu-mutate.XXXXXX")
fi
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
failed=1
cleanup() {
  if [ "$KEEP" = 0 ] && [ "$failed" = 0 ]; then rm -rf "$BUILD"; else echo "mutate.sh: logs and build in $BUILD" >&2; fi
}
trap cleanup EXIT

# The first assertion that fired in a log (its label), if any.
fired() { sed -n 's/.*Assertion failed in [^ ]*\.\([A-Za-z0-9_]*\):.*/\1/p' "$1" | head -1; }
# killed_how LOG EXPECT: sets HOW (what killed it) and OK (0 when EXPECT is empty or fired).
killed_how() {
  local a
  a=$(fired "$1")
  OK=0
  if [ -n "$a" ]; then HOW="assertion \`$a\`"; else HOW=$DIFF; fi
  if [ -n "$2" ] && [ "$a" != "$2" ]; then OK=1; HOW="$HOW (expected assertion \`$2\` to fire)"; fi
}

if [ "$UNIT" = 1 ]; then
  unit_main
  exit $?
fi
SRC=${WALKER:-$ROOT/rtl/walker.sv}
MUT=$BUILD/mutant/walker.sv
LOG=$BUILD/mutant/logs
mkdir -p "$BUILD/mutant" "$LOG"
# A walker of the user's own gets the port checker only (walker_state_sva.sv reads walker.sv's FSM).
SVA="$ROOT/rtl/sva/walker_sva.sv;$ROOT/rtl/sva/walker_state_sva.sv"
[ -z "$WALKER" ] || SVA="$ROOT/rtl/sva/walker_sva.sv"
# (every run: a reused --build-dir gets this run's walker and checkers)
configure() {
  cp "$SRC" "$MUT"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DAGILEMMU_WALKER_SV="$MUT" -DAGILEMMU_WALKER_SVA="$SVA" \
    -DAGILEMMU_RTL_FST=OFF -DAGILEMMU_UNIT_ONLY=w1 -DAGILEMMU_RTL_ONLY="${RTL//,/;}" >"$LOG/configure.log" 2>&1 || { cat "$LOG/configure.log" >&2; exit 2; }
}
build() { cmake --build "$BUILD" -j2 --target agilemmu-cosim >"$1" 2>&1; }

# Runs the regression on l4, l5, mix; sets CAUGHT_BY, WALK, DIFF, OUT for the first failing build.
regress() {
  CAUGHT_BY= WALK= DIFF= OUT=
  local cfg out
  local cfgs=${RTL//,/ }
  [ -n "$cfgs" ] || cfgs=$(awk '/^[a-z]/ {print $1}' "$ROOT/rtl/walker_configs.txt")
  for cfg in $cfgs; do
    out=$LOG/$1.$cfg.log
    if ! "$BUILD/tb/cosim/agilemmu-cosim" --walks "$WALKS" --seed "$SEED" --rtl "$cfg" --backpressure \
        --reset-walks 20 --random-init --wave-dir "$BUILD/mutant/waves" >"$out" 2>&1; then
      CAUGHT_BY="cosim $cfg" OUT=$out
      WALK=$(sed -n 's/^seed [0-9]*, image [0-9]*, walk \([0-9]*\)$/\1/p' "$out" | head -1)
      DIFF=$(sed -n 's/^MISMATCH in walk #[0-9]*: //p' "$out" | head -1)
      [ -n "$DIFF" ] || DIFF="no report: $(tail -1 "$out")"
      return
    fi
  done
}

configure
echo "unmutated walker ($SRC): building and running $WALKS walks per build (seed $SEED)" >&2
build "$LOG/base.build.log" || { cat "$LOG/base.build.log" >&2; exit 2; }
regress base
if [ -n "$CAUGHT_BY" ]; then
  killed_how "$OUT" ""
  echo "the unmutated walker fails on $CAUGHT_BY (walk $WALK: $HOW); see $OUT" >&2
  exit 1
fi
if [ "$NO_MUTANTS" = 1 ]; then
  echo "the walker passes $WALKS walks on each build (seed $SEED)"
  failed=0
  exit 0
fi

survivors=0
rows=()
for i in "${!NAMES[@]}"; do
  name=${NAMES[$i]}
  selected "$name" || continue
  rc=0
  apply_mutant "$name" "$SRC" "${OLDS[$i]}" "${NEWS[$i]}" "$MUT" rtl/mutate.sh || rc=$?
  if [ "$rc" = 3 ]; then
    rows+=("| $((i + 1)) | \`$name\`: ${DESCS[$i]} | - | not applicable | - | its line is not in $(basename "$SRC") |")
    continue
  fi
  start=$(date +%s)
  if ! build "$LOG/$name.build.log"; then
    rows+=("| $((i + 1)) | \`$name\`: ${DESCS[$i]} | $line | (does not build) | - | see $LOG/$name.build.log |")
    survivors=$((survivors + 1))
    echo "mutant $name: does not build" >&2
    continue
  fi
  regress "$name"
  secs=$(( $(date +%s) - start ))
  if [ -n "$CAUGHT_BY" ]; then
    killed_how "$OUT" "${EXPECTS[$i]}"
    rows+=("| $((i + 1)) | \`$name\`: ${DESCS[$i]} | $line | $CAUGHT_BY | $WALK | ${HOW//|/\\|} |")
    [ "$OK" = 0 ] || survivors=$((survivors + 1))
    echo "mutant $name: killed by $CAUGHT_BY at walk $WALK ($HOW) [${secs}s]" >&2
  else
    rows+=("| $((i + 1)) | \`$name\`: ${DESCS[$i]} | $line | SURVIVED | - | $WALKS walks on ${RTL:-every build} |")
    survivors=$((survivors + 1))
    echo "mutant $name: SURVIVED [${secs}s]" >&2
  fi
done
cp "$SRC" "$MUT"  # leave the build with the unmutated walker

echo "| # | mutant | line | killed by | walk | how (scoreboard difference, or the assertion that fired) |"
echo "|---|--------|------|-----------|------|-----------------------------------------------------------|"
printf '%s\n' "${rows[@]}"
echo
echo "$(( ${#rows[@]} - survivors )) of ${#rows[@]} mutants killed as required ($WALKS walks per build, seed $SEED; backpressure, input noise, resets, random init)"
[ "$survivors" = 0 ] || exit 1
failed=0
