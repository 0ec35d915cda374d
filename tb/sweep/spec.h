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

// One chart `plots:` asks for after the sweep (arguments of scripts/plot-sweep).
struct Plot {
  std::string x, series, norm;  // swept keys ("" = plot-sweep's default); norm: "KEY=VALUE"
  std::vector<std::string> y;   // statistics
  bool logx = false;
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
  std::string area_walker;        // `area: {walker: NAME}`: add the walk unit's area (sweep/area.h)
  std::vector<std::string> swept_keys() const;
  // The config file a point runs: `base`, or its value of the swept `base` key, made absolute.
  std::string config_for(const Point& p) const;
  // The assignments a point passes as --set (fixed, then swept; the swept base is not a --set).
  std::vector<std::string> sets_for(const Point& p) const;
};

struct Point {
  size_t index = 0;
  std::vector<Assignment> assignments;  // swept keys, in swept_keys() order
};

// A config path as written in the sweep file -> absolute (relative to the sweep file's folder).
std::string resolve_config(const std::string& sweep_file, const std::string& path);

Spec load_spec(const std::string& path);
// Cartesian product; the first dimension varies slowest, the last fastest.
std::vector<Point> expand(const Spec& s);
// "k=v k2=v2": how a point is named in messages and identified by --resume/--merge.
std::string describe(const std::vector<Assignment>& a);

}  // namespace agilemmu::sweep
