#include "sweep/spec.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <set>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace agilemmu::sweep {

using config::ConfigError;
using config::Section;
using config::Value;

namespace {
std::string describe_keys(const std::vector<std::string>& keys) {
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "" : ", ") + k;
  return s;
}
}  // namespace

std::vector<std::string> Spec::swept_keys() const {
  std::vector<std::string> k;
  for (const auto& d : dims) k.insert(k.end(), d.keys.begin(), d.keys.end());
  return k;
}

namespace {

// Reads `key: [v1, v2, ...]` entries of one map into a Dim, one key per entry.
Dim read_lists(const Value& map, Section& sec) {
  Dim d;
  for (const auto& key : map.order) {
    std::vector<std::string> vals = sec.strings(key);
    if (vals.empty()) sec.fail(key, "expected a non-empty list of values");
    d.keys.push_back(key);
    d.values.push_back(std::move(vals));
  }
  return d;
}

const Value* child(const Value& v, const std::string& key) {
  auto it = v.map.find(key);
  return it == v.map.end() || it->second.kind == Value::Kind::Null ? nullptr : &it->second;
}

}  // namespace

std::string resolve_config(const std::string& sweep_file, const std::string& path) {
  std::string p = path;
  if (!p.empty() && p[0] != '/') {
    const auto slash = sweep_file.find_last_of('/');
    if (slash != std::string::npos) p = sweep_file.substr(0, slash + 1) + p;
  }
  // Absolute, so a point runs the same from any directory (cluster jobs, --merge comparisons).
  char abs[PATH_MAX];
  if (realpath(p.c_str(), abs)) p = abs;
  return p;
}

std::string Spec::config_for(const Point& p) const {
  for (const auto& [k, v] : p.assignments)
    if (k == kBaseKey) return resolve_config(file, v);
  return base;
}

std::vector<std::string> Spec::sets_for(const Point& p) const {
  std::vector<std::string> sets;
  for (const auto& [k, v] : fixed) sets.push_back(k + "=" + v);
  for (const auto& [k, v] : p.assignments)
    if (k != kBaseKey) sets.push_back(k + "=" + v);
  if (p.replicate > 0) sets.push_back("seed=" + p.seed);
  return sets;
}

namespace {

// zip: groups of lists that advance together, one dimension each.
void read_zips(const Value& root, Section& top, Spec& s) {
  std::vector<Section> zips = top.list("zip");
  for (size_t g = 0; g < zips.size(); ++g) {
    const Value& gv = child(root, "zip")->seq[g];
    Dim d = read_lists(gv, zips[g]);
    if (d.keys.empty()) throw ConfigError(gv.where() + ": key 'zip[" + std::to_string(g) + "]': empty group");
    for (size_t k = 1; k < d.keys.size(); ++k)
      if (d.values[k].size() != d.values[0].size())
        zips[g].fail(d.keys[k], "has " + std::to_string(d.values[k].size()) + " values but '" + d.keys[0] + "' has " +
                                    std::to_string(d.values[0].size()) + " (zip lists advance together)");
    s.dims.push_back(std::move(d));
  }
}

// set: keys every point gets.
void read_fixed(const Value& root, Section& top, Spec& s) {
  Section set = top.sub("set");
  if (const Value* v = child(root, "set"))
    for (const auto& key : v->order) {
      if (key == kBaseKey) set.fail(key, "the base config is the top-level 'base' key, not a --set");
      s.fixed.emplace_back(key, set.str(key, ""));
    }
  set.finish();
}

// One entry of plots; its x (lines), series, normalize, label and baseline name swept keys.
Plot read_plot(Section& ps, const std::vector<std::string>& swept) {
  auto is_swept = [&](const std::string& k) { return std::find(swept.begin(), swept.end(), k) != swept.end(); };
  auto swept_key = [&](const char* key) {
    std::string k = ps.str(key, "");
    if (!k.empty() && !is_swept(k))
      ps.fail(key, "'" + k + "' is not a swept key (swept: " + describe_keys(swept) + ")");
    return k;
  };
  Plot pl;
  pl.kind = ps.choice("kind", "lines", {"lines", "pareto"});
  const bool pareto = pl.kind == "pareto";
  pl.x = pareto ? ps.str("x", "") : swept_key("x");
  if (pareto && pl.x.empty()) ps.fail("x", "missing: a pareto chart's x is a statistic (e.g. area.total_um2)");
  pl.series = ps.str("series", "");
  if (pl.series != "none") pl.series = swept_key("series");
  pl.y = ps.strings("y");
  if (pl.y.empty()) ps.fail("y", "expected a non-empty list of statistics");
  pl.norm = pareto ? "" : ps.str("normalize", "");
  if (!pl.norm.empty()) {
    const auto eq = pl.norm.find('=');
    const std::string k = pl.norm.substr(0, eq);
    if (eq == std::string::npos || !is_swept(k))
      ps.fail("normalize", "expected SWEPT_KEY=VALUE (the rows every other row is divided by), got '" + pl.norm + "'");
  }
  pl.logx = pareto ? false : ps.boolean("logx", false);
  if (pareto) {
    pl.labels = ps.strings("label");
    for (const auto& k : pl.labels)
      if (!is_swept(k)) ps.fail("label", "'" + k + "' is not a swept key (swept: " + describe_keys(swept) + ")");
    pl.per = ps.str("per", "");
    pl.baseline = ps.str("baseline", "");
    if (!pl.per.empty() && !pl.baseline.empty()) ps.fail("baseline", "'per' and 'baseline' exclude each other");
    for (size_t at = 0; !pl.baseline.empty() && at <= pl.baseline.size();) {
      const size_t comma = std::min(pl.baseline.find(',', at), pl.baseline.size());
      const std::string kv = pl.baseline.substr(at, comma - at);
      const auto eq = kv.find('=');
      if (eq == std::string::npos || !is_swept(kv.substr(0, eq)))
        ps.fail("baseline",
                "expected SWEPT_KEY=VALUE[,SWEPT_KEY=VALUE...] naming one point, got '" + pl.baseline + "'");
      at = comma + 1;
    }
  }
  ps.finish();
  return pl;
}

// A key swept twice, or both swept and fixed, has no single meaning per point.
void check_each_key_once(const Value& root) {
  std::set<std::string> seen;
  auto check = [&](const Value* map, const std::string& key) {
    if (seen.insert(key).second) return;
    throw ConfigError(map->map.at(key).where() + ": key '" + key + "' appears in more than one of axes, zip, set");
  };
  for (const char* part : {"axes", "set"})
    if (const Value* v = child(root, part))
      for (const auto& key : v->order) check(v, key);
  if (const Value* z = child(root, "zip"))
    for (const auto& g : z->seq)
      for (const auto& key : g.order) check(&g, key);
}

void check_point_count(const Spec& s) {
  if (s.dims.empty()) throw ConfigError(s.file + ": no 'axes' or 'zip': nothing to sweep");
  double n = 1;
  for (const auto& d : s.dims) n *= static_cast<double>(d.size());
  if (n > 1e6)
    throw ConfigError(s.file + ": " + std::to_string(static_cast<long long>(n)) +
                      " points; more than 1000000 is surely a mistake");
}

}  // namespace

Spec load_spec(const std::string& path) {
  const Value root = config::load_file(path);
  Section top(&root, "", path);
  Spec s;
  s.file = path;
  const Value* axes_v = child(root, "axes");
  const bool base_swept = axes_v && axes_v->map.count(kBaseKey);
  if (base_swept && top.has("base")) top.fail("base", "given both here and as a swept key in 'axes'; keep one");
  if (!base_swept && !top.has("base")) top.fail("base", "missing: the config file every point starts from");
  if (!base_swept) s.base = resolve_config(path, top.str("base", ""));
  s.out = top.str("out", "");
  s.replicates = static_cast<unsigned>(top.u64("replicates", 1, 1, 1000));

  Section axes = top.sub("axes");
  if (axes_v) {
    Dim all = read_lists(*axes_v, axes);
    for (size_t i = 0; i < all.keys.size(); ++i) s.dims.push_back(Dim{{all.keys[i]}, {all.values[i]}});
  }
  read_zips(root, top, s);
  read_fixed(root, top, s);
  const std::vector<std::string> swept = s.swept_keys();
  for (Section& ps : top.list("plots")) s.plots.push_back(read_plot(ps, swept));
  if (child(root, "area")) {
    Section area = top.sub("area");
    s.area = true;
    s.area_walker = area.str("walker", "");
    s.area_node = area.str("node", s.area_node);
    const std::string nodes = area.str("nodes", "");
    if (!nodes.empty()) s.area_nodes = resolve_config(path, nodes);
    area.finish();
  }
  axes.finish();
  top.finish();
  check_each_key_once(root);
  check_point_count(s);
  return s;
}

namespace {
std::vector<Point> with_replicates(const Spec& s, std::vector<Point> pts) {
  if (s.replicates <= 1) return pts;
  for (const auto& key : s.swept_keys())
    if (key == "seed") throw ConfigError(s.file + ": 'seed' is swept; replicates vary the seed themselves");
  for (const auto& [key, v] : s.fixed)
    if (key == "seed") throw ConfigError(s.file + ": 'seed' is set; replicates vary the seed themselves");
  std::vector<Point> out;
  for (const Point& p : pts) {
    // The point's own seed (its config's), so replicate 0 is the run a sweep without replicates makes.
    const uint64_t seed = config::load(s.config_for(p), s.sets_for(p)).seed;
    for (unsigned k = 0; k < s.replicates; ++k) {
      Point r = p;
      r.index = p.index * s.replicates + k;
      r.replicate = k;
      r.seed = std::to_string(seed + k);
      out.push_back(std::move(r));
    }
  }
  return out;
}
}  // namespace

std::vector<Point> expand(const Spec& s) {
  size_t n = 1;
  for (const auto& d : s.dims) n *= d.size();
  std::vector<Point> pts(n);
  for (size_t i = 0; i < n; ++i) {
    pts[i].index = i;
    // Mixed-radix digits of i, most significant = first dimension.
    std::vector<size_t> step(s.dims.size());
    size_t rest = i;
    for (size_t d = s.dims.size(); d-- > 0;) {
      step[d] = rest % s.dims[d].size();
      rest /= s.dims[d].size();
    }
    for (size_t d = 0; d < s.dims.size(); ++d)
      for (size_t k = 0; k < s.dims[d].keys.size(); ++k)
        pts[i].assignments.emplace_back(s.dims[d].keys[k], s.dims[d].values[k][step[d]]);
  }
  return with_replicates(s, std::move(pts));
}

std::string describe(const std::vector<Assignment>& a) {
  std::string s;
  for (const auto& [k, v] : a) s += (s.empty() ? "" : " ") + k + "=" + v;
  return s;
}

}  // namespace agilemmu::sweep
