#!/usr/bin/env bash
# catches_mutant.sh TB WORK [PLUSARGS...]: TB (the SV testbench built around a mutant walker) must
# exit non-zero, write the failing walk's waveform, and print a reproduce command that fails the
# same way again.
set -u
tb=$1 work=$2
shift 2
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
"$tb" "$@" +wave_dir="$work/waves" >run.log 2>&1
rc=$?
cat run.log
[ "$rc" != 0 ] || { echo "the testbench exited 0 on a mutant walker"; exit 1; }
wave=$(sed -n 's/^  waveform: \([^ ]*\) .*/\1/p' run.log)
[ -n "$wave" ] && [ -s "$wave" ] || { echo "no waveform written ('$wave')"; exit 1; }
cmd=$(sed -n 's/^  reproduce: //p' run.log)
[ -n "$cmd" ] || { echo "no reproduce command"; exit 1; }
rm -f "$wave"
# shellcheck disable=SC2086
$cmd >again.log 2>&1 && { echo "the reproduce command exited 0"; cat again.log; exit 1; }
[ -s "$wave" ] || { echo "the reproduce command wrote no waveform"; exit 1; }
echo "caught (exit $rc), waveform $wave, reproduced by: $cmd"
