#!/usr/bin/env bash
# campaign.sh [N] [SEED] [-- campaign.py options]: the random-config campaign for long runs
# (scripts/campaign.py says what it checks). N configs (default 300) from SEED (default: the
# time), on every core, with the agilemmu of build/ (or $AGILEMMU). Exit status 1 if any config
# failed; each failure is printed with its config and the command that reproduces it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=${1:-300} seed=${2:-$(date +%s)}
shift $(($# < 2 ? $# : 2))
[ "${1:-}" = -- ] && shift
bin=${AGILEMMU:-$here/../build/tb/agilemmu}
[ -x "$bin" ] || { echo "campaign.sh: no agilemmu at $bin (build it, or set AGILEMMU)" >&2; exit 2; }
exec python3 "$here/campaign.py" "$bin" --count "$n" --seed "$seed" --jobs "$(nproc)" --quiet "$@"
