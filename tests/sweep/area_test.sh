#!/usr/bin/env bash
# The sweep's area columns with a stand-in for scripts/synth-report.sh (AGILEMMU_SYNTH_REPORT)
# that logs each synthesis and answers cells = 1000 * walkers + entries, flip-flops = 100 *
# walkers. Checks: the columns per point, one synthesis per distinct parameter set, the array
# model's structures summed into area.total_um2, no synthesis on a second sweep (the cache), a
# new synthesis for every set once the RTL's version changes, the shipped table used when its
# version is the RTL's and ignored (with a note) when not, --area-table writing it, --dry-run
# refusing a parameter set the RTL cannot build, and the warning for a simulated structure the
# area does not count. Usage: area_test.sh AGILEMMU SWEEP_FILE WORKDIR
set -euo pipefail
AGILEMMU=$1 SWEEP=$2 DIR=$3
rm -rf "$DIR" && mkdir -p "$DIR"
cat >"$DIR/fake-synth.sh" <<FAKE
#!/usr/bin/env bash
[ "\$1" = --rtl-version ] && { cat "$DIR/version"; exit 0; }
read -r w n e ways <<<"\$2"
if [ "\$1" = --check-params ]; then
  [ "\$n" -le 8 ] || { echo "synth-report: the walk unit has 1..8 walkers, not \$n" >&2; exit 2; }
  exit 0
fi
echo "\$2" >> "$DIR/calls"
echo "\$((1000 * n + e)) \$((100 * n))"
FAKE
chmod +x "$DIR/fake-synth.sh"
echo rtl1 > "$DIR/version"
export AGILEMMU_SYNTH_REPORT=$DIR/fake-synth.sh AGILEMMU_AREA_TABLE=$DIR/table.tsv
calls() { if [ -f "$DIR/calls" ]; then wc -l < "$DIR/calls"; else echo 0; fi; }
"$AGILEMMU" sweep "$SWEEP" --out "$DIR/area.csv" --jobs 2 --no-plots --quiet
[ "$(calls)" = 2 ] || { echo "expected 2 synthesis calls, got: $(cat "$DIR/calls")"; exit 1; }
grep -qx "l4 1 16 4" "$DIR/calls" && grep -qx "l4 2 16 4" "$DIR/calls" \
  || { echo "wrong synthesis parameters: $(cat "$DIR/calls")"; exit 1; }
python3 - "$DIR/area.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 4, rows
for r in rows:
    w = int(r["mmu.walkers"])
    assert r["area_cells"] == str(1000 * w + 16) and r["area_ffs"] == str(100 * w), r
    assert r["area.node"] == "45nm", r["area.node"]
    # agile.yaml keeps its TLBs, nested TLB and nested PWC: each is in the area, and the total is their sum.
    parts = {k: float(v) for k, v in r.items() if k.startswith("area.") and k.endswith("_um2") and k != "area.total_um2"}
    for s in ("l1i", "l1d", "l2tlb", "ntlb", "npwc", "walk_unit"):
        assert float(parts.get(f"area.{s}_um2", 0)) > 0, (s, parts)
    assert abs(sum(parts.values()) - float(r["area.total_um2"])) < 1e-6 * float(r["area.total_um2"]), r
    assert r["area.not_counted"] == "", r["area.not_counted"]
PY
"$AGILEMMU" sweep "$SWEEP" --out "$DIR/area.csv" --jobs 2 --no-plots --quiet
[ "$(calls)" = 2 ] || { echo "the cache was not used: $(cat "$DIR/calls")"; exit 1; }
echo rtl2 > "$DIR/version"  # the RTL changed: the cached areas are stale
"$AGILEMMU" sweep "$SWEEP" --out "$DIR/area.csv" --jobs 2 --no-plots --quiet
[ "$(calls)" = 4 ] || { echo "a changed RTL version reused the cache: $(cat "$DIR/calls")"; exit 1; }

# The shipped table, for the RTL's version: used, nothing synthesized.
echo rtl3 > "$DIR/version"
printf '# comment\nrtl3 l4 1 16 4\t777\t77\nrtl3 l4 2 16 4\t888\t88\n' > "$DIR/table.tsv"
"$AGILEMMU" sweep "$SWEEP" --out "$DIR/area.csv" --jobs 2 --no-plots --quiet
[ "$(calls)" = 4 ] || { echo "the shipped table was not used: $(cat "$DIR/calls")"; exit 1; }
python3 - "$DIR/area.csv" <<'PY'
import csv, sys
got = {r["mmu.walkers"]: r["area_cells"] for r in csv.DictReader(open(sys.argv[1]))}
assert got == {"1": "777", "2": "888"}, got
PY
# ...for other RTL sources: not used, and said so.
echo rtl4 > "$DIR/version"
"$AGILEMMU" sweep "$SWEEP" --out "$DIR/area.csv" --jobs 2 --no-plots 2> "$DIR/stale.err"
[ "$(calls)" = 6 ] || { echo "a stale shipped table was used: $(cat "$DIR/calls")"; exit 1; }
grep -q "table.tsv holds another RTL version than rtl/'s (rtl4)" "$DIR/stale.err" \
  || { echo "no note about the stale table:"; cat "$DIR/stale.err"; exit 1; }
# --area-table rewrites it for the current version (from the cache: nothing to synthesize).
"$AGILEMMU" sweep "$SWEEP" --out "$DIR/area.csv" --area-table "$DIR/table.tsv" --quiet
[ "$(calls)" = 6 ] || { echo "--area-table synthesized what the cache had: $(cat "$DIR/calls")"; exit 1; }
[ "$(grep -c '^rtl4 l4 [12] 16 4' "$DIR/table.tsv")" = 2 ] && ! grep -q '^rtl3' "$DIR/table.tsv" \
  || { echo "--area-table wrote:"; cat "$DIR/table.tsv"; exit 1; }

# --dry-run checks the RTL parameters of every point.
"$AGILEMMU" sweep "$SWEEP" --dry-run --out "$DIR/area.csv" > /dev/null 2> "$DIR/dry.err" \
  || { echo "--dry-run of a valid area sweep failed:"; cat "$DIR/dry.err"; exit 1; }
grep -q "area: node 45nm, 2 RTL parameter sets, 2 known for RTL version rtl4, 0 to synthesize" "$DIR/dry.err" \
  || { echo "--dry-run did not say what is known:"; cat "$DIR/dry.err"; exit 1; }
sed 's/mmu.walkers: \[1, 2\]/mmu.walkers: [1, 9]/' "$SWEEP" > "$DIR/nine.yaml"
sed -i "s#base: ../../../configs/agile.yaml#base: $(cd "$(dirname "$SWEEP")" && pwd)/../../../configs/agile.yaml#" "$DIR/nine.yaml"
rc=0
"$AGILEMMU" sweep "$DIR/nine.yaml" --dry-run --out "$DIR/nine.csv" > /dev/null 2> "$DIR/nine.err" || rc=$?
[ $rc = 1 ] && grep -q "area: 'l4 9 16 4': synth-report: the walk unit has 1..8 walkers, not 9" "$DIR/nine.err" \
  || { echo "--dry-run accepted 9 walkers (exit $rc):"; cat "$DIR/nine.err"; exit 1; }

# A structure the points simulate but the area does not count: one warning, naming it.
"$AGILEMMU" sweep "$SWEEP" --out "$DIR/area.csv" --jobs 2 --no-plots --set ptcache.lines=64 2> "$DIR/warn.err"
[ "$(grep -c 'area: warning: simulated but not in the area: ptcache (the page-table line cache, 64 lines' "$DIR/warn.err")" = 1 ] \
  || { echo "expected one ptcache warning:"; cat "$DIR/warn.err"; exit 1; }
# The synthesis runs while the points simulate: this stand-in notes how many points had finished
# when it started (all 4 when the synthesis came after the simulations, as it did before) and
# answers only once a point has finished (synthesizing before the points would time it out).
mkdir -p "$DIR/beside"
cat >"$DIR/wait-synth.sh" <<FAKE
#!/usr/bin/env bash
[ "\$1" = --rtl-version ] && { echo rtl9; exit 0; }
cat "$DIR/beside/area.jsonl" 2>/dev/null | wc -l >> "$DIR/beside/started"
for _ in \$(seq 300); do [ -s "$DIR/beside/area.jsonl" ] && break; sleep 0.1; done
[ -s "$DIR/beside/area.jsonl" ] || { echo "no point finished while synthesizing" >&2; exit 1; }
echo "1 1"
FAKE
chmod +x "$DIR/wait-synth.sh"
# The points here run long enough (200 000 accesses, about a second each) that a loaded machine
# cannot finish all four before the synthesis thread's first script has started: with the file's
# 300 accesses they took milliseconds, and on a loaded CI machine all four once finished first.
AGILEMMU_SYNTH_REPORT=$DIR/wait-synth.sh "$AGILEMMU" sweep "$SWEEP" --out "$DIR/beside/area.csv" --jobs 2 --no-plots \
  --set workload.accesses=200000 --quiet || { echo "the synthesis did not run beside the simulations"; exit 1; }
[ "$(head -1 "$DIR/beside/started")" -lt 4 ] \
  || { echo "the synthesis started after every point had finished: $(cat "$DIR/beside/started")"; exit 1; }
echo "area columns ok: per structure and in total, cached, shipped table used when current, warnings, synthesis beside the points"
