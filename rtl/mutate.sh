#!/usr/bin/env bash
# Mutation check of the co-simulation: applies plausible one-line bugs to a copy of
# rtl/walker.sv, Verilates each mutant into the co-simulation and runs the random regression
# (randomized backpressure) on the l4, l5 and mix builds until one reports a mismatch. Every
# mutant must be caught; prints a Markdown table (mutant, line, build, walk, first difference).
#
# Usage: rtl/mutate.sh [--walks N] [--seed S] [--build DIR] [--only NAME]
#        rtl/mutate.sh --unit [--requests N] [--seed S] [--build DIR] [--only NAME]
# --unit mutates rtl/walk_unit.sv (arbiter, response routing, PWC tag/index/LRU/flush, merge)
# and the walker's PWC hooks instead, and runs agilemmu-unit-cosim against the SystemC Mmu on
# the w4p16 and w2p8 builds (only those are built, in build-mutate-unit/).
# Needs what the default build needs (cmake, a C++ compiler, verilator, systemc). Not part of
# CTest: about 10-20 s per mutant on 2 cores. Exit code 0 only when every mutant was caught
# and the unmutated walker passes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WALKS=200000
SEED=1
BUILD=$ROOT/build-mutate
ONLY=
UNIT=0
REQUESTS=20000
while [ $# -gt 0 ]; do
  case $1 in
    --unit) UNIT=1; shift ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --walks) WALKS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "usage: rtl/mutate.sh [--unit] [--walks N | --requests N] [--seed S] [--build DIR] [--only NAME]" >&2; exit 2 ;;
  esac
done
# apply_mutant NAME SRC OLD NEW OUT LIST: writes SRC to OUT with its line OLD replaced by NEW and
# sets `line` to OLD's line number; OLD must occur exactly once in SRC (else: update LIST). Both the
# walker's and the walk unit's mutants are applied with it.
apply_mutant() {
  local name=$1 src=$2 old=$3 new=$4 out=$5 list=$6 n content
  n=$(grep -cF -- "$old" "$src" || true)
  if [ "$n" != 1 ]; then
    echo "mutant $name: its line occurs $n times in $(basename "$src") (update $list)" >&2
    exit 2
  fi
  line=$(grep -nF -- "$old" "$src" | cut -d: -f1)
  content=$(cat "$src")
  printf '%s\n' "${content/"$old"/"$new"}" >"$out"
}

if [ "$UNIT" = 1 ]; then
  [ "$BUILD" != "$ROOT/build-mutate" ] || BUILD=$ROOT/build-mutate-unit
  # shellcheck source=rtl/mutate_unit.inc.sh
  . "$ROOT/rtl/mutate_unit.inc.sh"
  exit $?
fi
SRC=$ROOT/rtl/walker.sv
MUT=$BUILD/mutant/walker.sv
LOG=$BUILD/mutant/logs
mkdir -p "$BUILD/mutant" "$LOG"

NAMES=() DESCS=() OLDS=() NEWS=()
# mutant NAME DESCRIPTION OLD NEW: OLD must occur in exactly one line of walker.sv.
mutant() { NAMES+=("$1"); DESCS+=("$2"); OLDS+=("$3"); NEWS+=("$4"); }

mutant ready-ignored-nested "nested read leaves its request state without mem_req_ready" \
  'S_NESTED_READ:    if (mem_req_ready) n_state = S_NESTED_WAIT;' \
  'S_NESTED_READ:    n_state = S_NESTED_WAIT;'
mutant ready-ignored-write "A/D write leaves its request state without mem_req_ready" \
  'S_WRITE:          if (mem_req_ready) n_state = S_WRITE_WAIT;' \
  'S_WRITE:          n_state = S_WRITE_WAIT;'
mutant write-rsp-ignored "A/D write does not wait for its response" \
  'assign write_done  = (state == S_WRITE_WAIT) && mem_rsp_valid;' \
  'assign write_done  = (state == S_WRITE_WAIT);'
mutant rsp-ready-ignored "result dropped without rsp_ready" \
  'S_DONE, S_FAULT: if (rsp_ready) n_state = S_IDLE;' \
  'S_DONE, S_FAULT: n_state = S_IDLE;'
mutant reserved-large-low-bits "large-page low address bits not reserved" \
  "else m = m | (page_mask(size_at(lvls, level)) & ~64'h1fff);" \
  "else m = m;"
mutant canonical-off-by-one "canonical check starts one bit too high" \
  'if (req_va[63:VA_BITS-1] != {(65 - VA_BITS){req_va[VA_BITS-1]}}) begin' \
  'if (req_va[63:VA_BITS] != {(64 - VA_BITS){req_va[VA_BITS]}}) begin'
mutant guest-read-wrong-port "guest-table entry read on the nested port" \
  'n_pend_port = agilemmu_pkg::PORT_COMPOUND; n_pend_table = agilemmu_pkg::TBL_GUEST; n_pend_level = glevel;' \
  'n_pend_port = agilemmu_pkg::PORT_NESTED; n_pend_table = agilemmu_pkg::TBL_GUEST; n_pend_level = glevel;'
mutant nested-a-missing "no A write in nested non-leaf entries" \
  'if (NESTED_AD && !v[agilemmu_pkg::PTE_A]) begin' \
  "if (1'b0) begin"
mutant leaf-d-missing "no D in the first-dimension leaf of a write" \
  "bits = agilemmu_pkg::PTE_A_MASK | ((leaf && r_access == agilemmu_pkg::ACC_WRITE) ? agilemmu_pkg::PTE_D_MASK : 64'd0);" \
  "bits = agilemmu_pkg::PTE_A_MASK;"
mutant d-on-read "D set in the first-dimension leaf on every access" \
  "bits = agilemmu_pkg::PTE_A_MASK | ((leaf && r_access == agilemmu_pkg::ACC_WRITE) ? agilemmu_pkg::PTE_D_MASK : 64'd0);" \
  "bits = agilemmu_pkg::PTE_A_MASK | (leaf ? agilemmu_pkg::PTE_D_MASK : 64'd0);"
mutant second-write-dropped "guest entry write after the nested-leaf D write is lost" \
  "assign wq_more     = (wq_n == 2'd2);  // the second queued write is due" \
  "assign wq_more     = 1'b0;"
mutant nested-ad-ignored "nested leaf A/D written with NESTED_AD = 0" \
  'if (NESTED_AD && (v & nbits) != nbits) begin' \
  'if ((v & nbits) != nbits) begin'
mutant nl-level-off-by-one "nested leaf of a guest page remembered one level too deep" \
  'n_nl_write = np[2]; n_nl_level = nlevel; n_nl_addr = pend_addr;' \
  "n_nl_write = np[2]; n_nl_level = nlevel + 3'd1; n_nl_addr = pend_addr;"
mutant user-check-dropped "first-dimension leaf ignores US for user accesses" \
  'if (leaf && ((r_user && !gp[1]) || (r_access == agilemmu_pkg::ACC_WRITE && !gp[2]) || (r_access == agilemmu_pkg::ACC_FETCH && !gp[0]))) begin' \
  'if (leaf && ((r_access == agilemmu_pkg::ACC_WRITE && !gp[2]) || (r_access == agilemmu_pkg::ACC_FETCH && !gp[0]))) begin'
mutant nested-user-check-dropped "nested translations not checked as user accesses" \
  'if (!np[1] || (final_gpa && ((r_access == agilemmu_pkg::ACC_WRITE && !np[2]) || (r_access == agilemmu_pkg::ACC_FETCH && !np[0])))) begin' \
  'if ((final_gpa && ((r_access == agilemmu_pkg::ACC_WRITE && !np[2]) || (r_access == agilemmu_pkg::ACC_FETCH && !np[0])))) begin'
mutant guest-page-write-check-dropped "guest page written without its nested write permission" \
  'end else if ((v & bits) != bits && gtable == agilemmu_pkg::TBL_GUEST && !nl_write) begin' \
  "end else if ((v & bits) != bits && gtable == agilemmu_pkg::TBL_GUEST && 1'b0) begin"
mutant nested-leaf-d-wrong-data "nested-leaf D write carries the guest entry's value" \
  'n_wq0_addr = nl_addr; n_wq0_data = nl_pte | agilemmu_pkg::PTE_D_MASK;' \
  'n_wq0_addr = nl_addr; n_wq0_data = v | agilemmu_pkg::PTE_D_MASK;'
mutant selector-everywhere "selector bit honoured outside the compound table" \
  'nested_style = (gtable == agilemmu_pkg::TBL_COMPOUND) && v[SELECTOR_BIT];' \
  'nested_style = v[SELECTOR_BIT];'
mutant selector-ignored "selector bit ignored (agile walks never switch)" \
  'nested_style = (gtable == agilemmu_pkg::TBL_COMPOUND) && v[SELECTOR_BIT];' \
  "nested_style = 1'b0;"

configure() {
  cp "$SRC" "$MUT"
  if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DAGILEMMU_WALKER_SV="$MUT" -DAGILEMMU_RTL_FST=OFF \
      >"$LOG/configure.log" 2>&1 || { cat "$LOG/configure.log" >&2; exit 2; }
  fi
}
build() { cmake --build "$BUILD" -j2 --target agilemmu-cosim >"$1" 2>&1; }

# Runs the regression on l4, l5, mix; sets CAUGHT_BY, WALK, DIFF for the first failing build.
regress() {
  CAUGHT_BY= WALK= DIFF=
  local cfg out
  for cfg in $(awk '/^[a-z]/ {print $1}' "$ROOT/rtl/walker_configs.txt"); do
    out=$LOG/$1.$cfg.log
    if ! "$BUILD/tb/cosim/agilemmu-cosim" --walks "$WALKS" --seed "$SEED" --rtl "$cfg" --backpressure \
        --wave-dir "$BUILD/mutant/waves" >"$out" 2>&1; then
      CAUGHT_BY=$cfg
      WALK=$(sed -n 's/^seed [0-9]*, image [0-9]*, walk \([0-9]*\)$/\1/p' "$out" | head -1)
      DIFF=$(sed -n 's/^MISMATCH in walk #[0-9]*: //p' "$out" | head -1)
      [ -n "$DIFF" ] || DIFF="no report: $(tail -1 "$out")"
      return
    fi
  done
}

configure
echo "unmutated walker: building and running $WALKS walks per build (seed $SEED, backpressure)" >&2
build "$LOG/base.build.log" || { cat "$LOG/base.build.log" >&2; exit 2; }
regress base
if [ -n "$CAUGHT_BY" ]; then
  echo "the unmutated walker fails on $CAUGHT_BY (walk $WALK: $DIFF); see $LOG/base.$CAUGHT_BY.log" >&2
  exit 1
fi

survivors=0
rows=()
for i in "${!NAMES[@]}"; do
  name=${NAMES[$i]}
  [ -z "$ONLY" ] || [ "$ONLY" = "$name" ] || continue
  apply_mutant "$name" "$SRC" "${OLDS[$i]}" "${NEWS[$i]}" "$MUT" rtl/mutate.sh
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
    rows+=("| $((i + 1)) | \`$name\`: ${DESCS[$i]} | $line | $CAUGHT_BY | $WALK | $DIFF |")
    echo "mutant $name: caught by $CAUGHT_BY at walk $WALK ($DIFF) [${secs}s]" >&2
  else
    rows+=("| $((i + 1)) | \`$name\`: ${DESCS[$i]} | $line | SURVIVED | - | $WALKS walks on l4, l5, mix |")
    survivors=$((survivors + 1))
    echo "mutant $name: SURVIVED [${secs}s]" >&2
  fi
done
cp "$SRC" "$MUT"  # leave the build with the real walker

echo "| # | mutant | walker.sv line | caught by | walk | first difference |"
echo "|---|--------|----------------|-----------|------|------------------|"
printf '%s\n' "${rows[@]}"
echo
echo "$(( ${#rows[@]} - survivors )) of ${#rows[@]} mutants caught ($WALKS walks per build, seed $SEED, backpressure on)"
[ "$survivors" = 0 ]
