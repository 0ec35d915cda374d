#!/usr/bin/env bash
# The sweep's area column: a stand-in for scripts/synth-report.sh (AGILEMMU_SYNTH_REPORT) logs
# each call and answers cells = 1000 * walkers + entries, flip-flops = 100 * walkers. Checks the
# column values per point, one call per distinct parameter set, and no call on a second sweep
# (the cache), and a new synthesis for every set once the RTL's version changes. Usage: area_test.sh AGILEMMU SWEEP_FILE WORKDIR
set -euo pipefail
AGILEMMU=$1 SWEEP=$2 DIR=$3
rm -rf "$DIR" && mkdir -p "$DIR"
cat >"$DIR/fake-synth.sh" <<FAKE
#!/usr/bin/env bash
[ "\$1" = --rtl-version ] && { cat "$DIR/version"; exit 0; }
echo "\$2" >> "$DIR/calls"
read -r w n e ways <<<"\$2"
echo "\$((1000 * n + e)) \$((100 * n))"
FAKE
chmod +x "$DIR/fake-synth.sh"
echo rtl1 > "$DIR/version"
export AGILEMMU_SYNTH_REPORT=$DIR/fake-synth.sh
"$AGILEMMU" sweep "$SWEEP" --out "$DIR/area.csv" --jobs 2 --no-plots --quiet
[ "$(wc -l < "$DIR/calls")" = 2 ] || { echo "expected 2 synthesis calls, got: $(cat "$DIR/calls")"; exit 1; }
grep -qx "l4 1 16 4" "$DIR/calls" && grep -qx "l4 2 16 4" "$DIR/calls" \
  || { echo "wrong synthesis parameters: $(cat "$DIR/calls")"; exit 1; }
python3 - "$DIR/area.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 4, rows
for r in rows:
    w = int(r["mmu.walkers"])
    assert r["area_cells"] == str(1000 * w + 16) and r["area_ffs"] == str(100 * w), r
PY
"$AGILEMMU" sweep "$SWEEP" --out "$DIR/area.csv" --jobs 2 --no-plots --quiet
[ "$(wc -l < "$DIR/calls")" = 2 ] || { echo "the cache was not used: $(cat "$DIR/calls")"; exit 1; }
echo rtl2 > "$DIR/version"  # the RTL changed: the cached areas are stale
"$AGILEMMU" sweep "$SWEEP" --out "$DIR/area.csv" --jobs 2 --no-plots --quiet
[ "$(wc -l < "$DIR/calls")" = 4 ] || { echo "a changed RTL version reused the cache: $(cat "$DIR/calls")"; exit 1; }
echo "area column ok: 4 points, 2 synthesis calls, cached, synthesized again for new RTL"
