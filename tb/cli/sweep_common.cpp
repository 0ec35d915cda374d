// Helpers shared by the direct and the cluster paths of `agilemmu sweep`.
#include "cli/sweep_common.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "cli/args.h"
#include "sweep/area.h"

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

// Writes results.csv + results.jsonl in point order; exit 1 if any point failed.
int write_results(const Spec& spec, const std::string& out, const std::vector<Json>& records, bool quiet,
                  const std::string& how) {
  size_t failed = 0;
  for (const auto& r : records) failed += !record_ok(r);
  std::vector<Json> with_area = records;
  if (!spec.area_walker.empty()) {
    const char* env = std::getenv("AGILEMMU_SYNTH_REPORT");
    const std::string script = env && *env ? env : AGILEMMU_SOURCE_DIR "/scripts/synth-report.sh";
    const size_t slash = out.find_last_of('/');
    add_area(spec, with_area, script,
             (slash == std::string::npos ? std::string() : out.substr(0, slash + 1)) + "area-cache.tsv", quiet);
  }
  write_jsonl(jsonl_path_for(out), with_area);
  write_csv(out, spec.swept_keys(), with_area);
  if (!quiet) {
    std::fprintf(stderr, "agilemmu: sweep: %zu points (%s), %zu failed -> %s, %s\n", records.size(), how.c_str(),
                 failed, out.c_str(), jsonl_path_for(out).c_str());
  }
  return failed ? kExitFail : kExitOk;
}

namespace {
// scripts/plot-sweep of the source tree this binary was built from, unless the environment names
// another (an installed copy, a cluster node without the checkout).
std::string plot_script() {
  const char* env = std::getenv("AGILEMMU_PLOT_SWEEP");
  return env && *env ? env : AGILEMMU_SOURCE_DIR "/scripts/plot-sweep";
}
}  // namespace

bool make_plots(const Spec& spec, const std::string& out, bool quiet) {
  if (spec.plots.empty()) return true;
  const std::string script = plot_script();
  if (access(script.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "agilemmu: sweep: cannot run %s for the sweep's plots (set AGILEMMU_PLOT_SWEEP)\n",
                 script.c_str());
    return false;
  }
  bool ok = true;
  for (const Plot& p : spec.plots) {
    // plot-sweep's default folder: the CSV's name without .csv, plus -plots.
    std::string cmd = shell_quote(script) + " " + shell_quote(out);
    if (!p.x.empty()) cmd += " --x " + shell_quote(p.x);
    if (!p.series.empty()) cmd += " --series " + shell_quote(p.series);
    if (!p.norm.empty()) cmd += " --normalize " + shell_quote(p.norm);
    if (p.logx) cmd += " --logx";
    std::string ys;
    for (const auto& y : p.y) ys += (ys.empty() ? "" : ",") + y;
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

std::string output_path(const Options& o, const Spec& spec) {
  std::string out = !o.out.empty() ? o.out : !spec.out.empty() ? spec.out : "results.csv";
  if (!parent(out).empty()) mkdirs(parent(out));
  return out;
}

}  // namespace agilemmu::cli::sweep_cli
