// Helpers shared by the direct and the cluster paths of `agilemmu sweep`.
#include "cli/sweep_common.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "cli/args.h"
#include "sweep/area.h"
#include "sweep/replicates.h"

namespace agilemmu::cli::sweep_cli {

namespace {
std::string parent(const std::string& path) {
  const auto s = path.find_last_of('/');
  return s == std::string::npos ? "" : path.substr(0, s);
}
}  // namespace

std::string point_file(const std::string& dir, size_t index) {
  char name[32];
  std::snprintf(name, sizeof name, "/point-%04zu.json", index);
  return dir + name;
}

void mkdirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i)
    if (i == path.size() || path[i] == '/') ::mkdir(path.substr(0, i).c_str(), 0755);
}

std::string absolute(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf)) return buf;
  return path;
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=./:,@") ==
                        std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::vector<Assignment> assignments_of(const Json& r) {
  std::vector<Assignment> a;
  const Json obj = r.value("assignments", Json::object());  // a named copy: items() must not outlive it
  for (const auto& [k, v] : obj.items()) a.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
  return a;
}

std::string failure_text(const Json& r) {
  return "agilemmu: sweep: point " + std::to_string(r.value("point", 0)) + " (" + describe(assignments_of(r)) +
         ") failed: " + r.value("error", "");
}

AreaFiles area_files(const Spec& spec, const std::string& out) {
  const auto env = [](const char* name, const std::string& def) {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : def;
  };
  AreaFiles f;
  f.script = env("AGILEMMU_SYNTH_REPORT", AGILEMMU_SOURCE_DIR "/scripts/synth-report.sh");
  f.table = env("AGILEMMU_AREA_TABLE", AGILEMMU_SOURCE_DIR "/configs/sweeps/area-table.tsv");
  f.nodes = spec.area_nodes.empty() ? AGILEMMU_SOURCE_DIR "/configs/area/nodes.yaml" : spec.area_nodes;
  const size_t slash = out.find_last_of('/');
  f.cache = (slash == std::string::npos ? std::string() : out.substr(0, slash + 1)) + "area-cache.tsv";
  return f;
}

int write_results(const Spec& spec, const std::string& out, const std::vector<Json>& records, bool quiet,
                  const std::string& how) {
  std::vector<Json> runs = records;
  add_area(spec, runs, area_files(spec, out), quiet);
  write_jsonl(jsonl_path_for(out), runs);
  const std::vector<Json> rows = spec.replicates > 1 ? summarize_replicates(runs, spec.replicates) : runs;
  size_t failed = 0;
  for (const auto& r : rows) failed += !record_ok(r);
  write_csv(out, spec.swept_keys(), rows);
  if (!quiet) {
    std::fprintf(stderr, "agilemmu: sweep: %zu points (%s), %zu failed -> %s, %s\n", rows.size(), how.c_str(), failed,
                 out.c_str(), jsonl_path_for(out).c_str());
    if (spec.replicates > 1)
      std::fprintf(stderr,
                   "agilemmu: sweep: %u replicates per point (seeds seed..seed+%u): CSV columns are means, "
                   "STAT.sd and STAT.ci95 (95%% interval: mean +- ci95) follow them\n",
                   spec.replicates, spec.replicates - 1);
  }
  return failed ? kExitFail : kExitOk;
}

namespace {
// scripts/plot-sweep (plot-pareto) of the source tree this binary was built from, unless the
// environment names another (an installed copy, a cluster node without the checkout).
std::string plot_script(const std::string& kind) {
  const bool pareto = kind == "pareto";
  const char* env = std::getenv(pareto ? "AGILEMMU_PLOT_PARETO" : "AGILEMMU_PLOT_SWEEP");
  return env && *env ? env
         : pareto    ? AGILEMMU_SOURCE_DIR "/scripts/plot-pareto"
                     : AGILEMMU_SOURCE_DIR "/scripts/plot-sweep";
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}
}  // namespace

bool make_plots(const Spec& spec, const std::string& out, bool quiet) {
  bool ok = true;
  for (const Plot& p : spec.plots) {
    const std::string script = plot_script(p.kind);
    if (access(script.c_str(), X_OK) != 0) {
      std::fprintf(stderr, "agilemmu: sweep: cannot run %s for the sweep's plots (set AGILEMMU_PLOT_%s)\n",
                   script.c_str(), p.kind == "pareto" ? "PARETO" : "SWEEP");
      return false;
    }
    // plot-sweep's default folder: the CSV's name without .csv, plus -plots.
    std::string cmd = shell_quote(script) + " " + shell_quote(out);
    if (!p.x.empty()) cmd += " --x " + shell_quote(p.x);
    if (!p.series.empty() && !(p.kind == "pareto" && p.series == "none")) cmd += " --series " + shell_quote(p.series);
    if (!p.norm.empty()) cmd += " --normalize " + shell_quote(p.norm);
    if (p.logx) cmd += " --logx";
    if (!p.labels.empty()) cmd += " --label " + shell_quote(joined(p.labels));
    if (!p.per.empty()) cmd += " --per " + shell_quote(p.per);
    if (!p.baseline.empty()) cmd += " --baseline " + shell_quote(p.baseline);
    const std::string ys = joined(p.y);
    cmd += " --y " + shell_quote(ys);
    if (quiet) cmd += " > /dev/null";
    const int rc = std::system(cmd.c_str());
    if (rc != 0) {
      std::fprintf(stderr, "agilemmu: sweep: plot of %s failed (%s)\n", ys.c_str(), cmd.c_str());
      ok = false;
    }
  }
  return ok;
}

std::string results_path(const Options& o, const Spec& spec) {
  return !o.out.empty() ? o.out : !spec.out.empty() ? spec.out : "results.csv";
}

std::string output_path(const Options& o, const Spec& spec) {
  std::string out = results_path(o, spec);
  if (!parent(out).empty()) mkdirs(parent(out));
  return out;
}

}  // namespace agilemmu::cli::sweep_cli
