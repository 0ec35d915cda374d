// Shared between the sweep subcommand's files: options and the helpers the direct and the
// cluster paths both use.
#pragma once
#include <string>
#include <vector>

#include "sweep/area.h"
#include "sweep/results.h"
#include "sweep/spec.h"

namespace agilemmu::cli::sweep_cli {

using namespace agilemmu::sweep;

struct Options {
  std::string sweep_file, out, emit, merge, dir = "sweep-out", bin, area_table;
  unsigned jobs = 1, replicates = 0;  // replicates: 0 = the sweep file's
  bool resume = false, quiet = false, dry_run = false, no_plots = false;
  long point = -1;
  std::vector<std::string> expect;
  std::vector<Assignment> sets;  // --set key=value: fixed for every point
};

// DIR/point-NNNN.json: one point's record on the cluster path.
std::string point_file(const std::string& dir, size_t index);
void mkdirs(const std::string& path);
std::string absolute(const std::string& path);
std::string shell_quote(const std::string& s);
std::string failure_text(const Json& record);
std::vector<Assignment> assignments_of(const Json& record);
// The files `area:` reads and writes for results file `out`: synth-report.sh of this source tree
// ($AGILEMMU_SYNTH_REPORT), area-cache.tsv next to `out`, the shipped area table
// ($AGILEMMU_AREA_TABLE), the sweep's node file or configs/area/nodes.yaml.
AreaFiles area_files(const Spec& spec, const std::string& out);
// Writes the JSONL (every run) and the CSV (one row per point: replicates summarized) in point
// order; exit 1 if any point failed. `how` goes in the summary.
int write_results(const Spec& spec, const std::string& out, const std::vector<Json>& records, bool quiet,
                  const std::string& how);
// Draws the sweep file's `plots:` from the written CSV with scripts/plot-sweep (into STEM-plots/);
// returns false (having said why on stderr) if a chart could not be drawn.
bool make_plots(const Spec& spec, const std::string& out, bool quiet);
// --out, else `out:` of the sweep file, else results.csv; output_path creates its directory.
std::string results_path(const Options& o, const Spec& spec);
std::string output_path(const Options& o, const Spec& spec);

// The cluster path (sweep_cluster.cpp).
int emit(const Options& o, const Spec& spec, const std::vector<Point>& points);
int one_point(const Options& o, const Spec& spec, const std::vector<Point>& points);
int merge(const Options& o, const Spec& spec, const std::vector<Point>& points);

}  // namespace agilemmu::cli::sweep_cli
