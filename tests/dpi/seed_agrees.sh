#!/usr/bin/env bash
# seed_agrees.sh AGILEMMU TB RTL SEED WALKS PER_IMAGE: one seed means the same walks in
# `agilemmu cosim --seed` and in the DPI-C testbench (+seed): both runs must pass and report the
# same numbers of faults, references and A/D writes (same images, same requests, same walker).
set -u
agilemmu=$1 tb=$2 rtl=$3 seed=$4 walks=$5 per_image=$6
cosim=$("$agilemmu" cosim --rtl "$rtl" --seed "$seed" --walks "$walks" --walks-per-image "$per_image") ||
  { printf '%s\nagilemmu cosim failed\n' "$cosim"; exit 1; }
dpi=$("$tb" +seed="$seed" +walks="$walks" +per_image="$per_image" 2>&1) || { printf '%s\nthe testbench failed\n' "$dpi"; exit 1; }
c=$(printf '%s\n' "$cosim" | sed -n 's/.*faults \([0-9]*\); refs \([0-9]*\)$/\1 \2/p')
c="$c $(printf '%s\n' "$cosim" | sed -n 's/^writes \([0-9]*\) in .*/\1/p')"
d=$(printf '%s\n' "$dpi" | sed -n 's/^[0-9]* walks (\([0-9]*\) faults), \([0-9]*\) references compared (\([0-9]*\) writes).*/\1 \2 \3/p')
echo "faults refs writes: cosim $c, dpi $d"
[ -n "$d" ] && [ "$c" = "$d" ] || { printf '%s\n---\n%s\n' "$cosim" "$dpi"; echo "the seed means different walks"; exit 1; }
