#!/usr/bin/env bash
# Slurm array job: task i runs line i+1 of a file written by `agilemmu sweep SWEEP --emit-jobs`.
#   n=$(wc -l < jobs.txt)
#   sbatch --array=0-$((n - 1))%64 scripts/sweep-slurm.sh jobs.txt     # %64: at most 64 at once
# then, when all tasks are done:  agilemmu sweep SWEEP --merge sweep-out
# Outside Slurm (a check): SLURM_ARRAY_TASK_ID=3 bash scripts/sweep-slurm.sh jobs.txt
#SBATCH --job-name=agilemmu-sweep
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --time=01:00:00
set -euo pipefail
jobs=${1:?usage: sbatch --array=0-N scripts/sweep-slurm.sh JOBS.txt}
: "${SLURM_ARRAY_TASK_ID:?not an array task (sbatch --array=0-N)}"
line=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" "$jobs")
if [ -z "$line" ]; then
  echo "sweep-slurm: $jobs has no line $((SLURM_ARRAY_TASK_ID + 1)); is --array larger than the sweep?" >&2
  exit 2
fi
exec bash -c "$line"
