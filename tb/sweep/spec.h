// A sweep file: the base config, the swept keys and their values, fixed overrides; expanded into
// numbered points. Parsed with the project's schema-checked YAML reader (file/line/key errors).
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace agilemmu::sweep {

using Assignment = std::pair<std::string, std::string>;  // dotted config key, value as written

// One dimension of the product: an `axes` key (one key) or a `zip` group (keys advancing together).
struct Dim {
  std::vector<std::string> keys;
  std::vector<std::vector<std::string>> values;  // values[key index][step]
  size_t size() const { return values.empty() ? 0 : values[0].size(); }
};

// One chart `plots:` asks for after the sweep: scripts/plot-sweep's arguments, or with
// `kind: pareto` scripts/plot-pareto's (x is then a statistic, e.g. area.total_um2).
struct Plot {
  std::string kind = "lines";   // lines (plot-sweep) or pareto (plot-pareto)
  std::string x, series, norm;  // swept keys ("" = plot-sweep's default); norm: "KEY=VALUE"
  std::vector<std::string> y;   // statistics
  bool logx = false;
  std::vector<std::string> labels;  // pareto: swept keys each point is labelled with
  std::string per, baseline;        // pareto: y per this statistic / relative to this point ("K=V,K=V")
};

// The key that sweeps the base config itself (`axes: {base: [a.yaml, b.yaml]}`): each value is a
// config file relative to the sweep file, e.g. one per scenario.
inline constexpr const char* kBaseKey = "base";

struct Point;

struct Spec {
  std::string file;               // the sweep file as given
  std::string base;               // base config, resolved relative to the sweep file ("" if swept)
  std::string out;                // `out:` (relative to the working directory), empty if absent
  std::vector<Dim> dims;          // axes in file order, then zip groups in order
  std::vector<Assignment> fixed;  // `set:`
  std::vector<Plot> plots;        // `plots:`
  // `area:` (sweep/area.h): the area of every point's MMU at a process node; `walker` names the
  // RTL walker parameter set the walk unit is synthesized on ("" = array model only).
  // `replicates: N` (or --replicates): each point runs N times, replicate k with the point's seed
  // + k (replicate 0 is the run without replicates); the CSV gives mean, sd and 95% CI (sweep/replicates.h).
  unsigned replicates = 1;
  bool area = false;
  std::string area_walker, area_node = "45nm", area_nodes;  // area_nodes: "" = configs/area/nodes.yaml
  std::vector<std::string> swept_keys() const;
  // The config file a point runs: `base`, or its value of the swept `base` key, made absolute.
  std::string config_for(const Point& p) const;
  // The assignments a point passes as --set (fixed, then swept; the swept base is not a --set).
  std::vector<std::string> sets_for(const Point& p) const;
};

struct Point {
  size_t index = 0;
  std::vector<Assignment> assignments;  // swept keys, in swept_keys() order
  unsigned replicate = 0;               // 0..replicates-1; k > 0 runs with `seed` (--set seed=...)
  std::string seed;
};

// A config path as written in the sweep file -> absolute (relative to the sweep file's folder).
std::string resolve_config(const std::string& sweep_file, const std::string& path);

Spec load_spec(const std::string& path);
// Cartesian product; the first dimension varies slowest, the last fastest; with replicates, the
// replicates of a point are consecutive (index = product index * replicates + k).
std::vector<Point> expand(const Spec& s);
// "k=v k2=v2": how a point is named in messages and identified by --resume/--merge.
std::string describe(const std::vector<Assignment>& a);

}  // namespace agilemmu::sweep
