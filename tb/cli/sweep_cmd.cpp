// `agilemmu sweep SWEEP.yaml`: runs every point of a parameter sweep as its own process and
// gathers the statistics into results.csv + results.jsonl (docs/sweeps.md). The cluster path
// (--emit-jobs, --point, --merge) lives in sweep_cluster.cpp.
#include <algorithm>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/sweep_common.h"
#include "config/config.h"
#include "sweep/progress.h"
#include "sweep/runner.h"

namespace agilemmu::cli {

using namespace sweep_cli;

namespace {

Options parse(int argc, char** argv) {
  Args a(argc, argv, 2);
  Options o;
  while (!a.done()) {
    const std::string s = a.next();
    if (s == "--jobs" || s == "-j") {
      const std::string v = a.value(s);
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (*end || n < 1 || n > 1024)
        throw UsageError("--jobs: expected a number of processes 1..1024, got '" + v + "'");
      o.jobs = static_cast<unsigned>(n);
    } else if (s == "--replicates") {
      const std::string v = a.value(s);
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (*end || n < 1 || n > 1000) throw UsageError("--replicates: expected 1..1000 runs per point, got '" + v + "'");
      o.replicates = static_cast<unsigned>(n);
    } else if (s == "--area-table")
      o.area_table = a.value(s);
    else if (s == "--out")
      o.out = a.value(s);
    else if (s == "--resume")
      o.resume = true;
    else if (s == "--quiet" || s == "-q")
      o.quiet = true;
    else if (s == "--dry-run")
      o.dry_run = true;
    else if (s == "--no-plots")
      o.no_plots = true;
    else if (s == "--emit-jobs")
      o.emit = a.value(s);
    else if (s == "--merge")
      o.merge = a.value(s);
    else if (s == "--dir")
      o.dir = a.value(s);
    else if (s == "--bin")
      o.bin = a.value(s);
    else if (s == "--expect")
      o.expect.push_back(a.value(s));
    else if (s == "--set") {
      const std::string kv = a.value(s);
      const size_t eq = kv.find('=');
      if (eq == 0 || eq == std::string::npos) throw UsageError("--set: expected key=value, got '" + kv + "'");
      o.sets.push_back({kv.substr(0, eq), kv.substr(eq + 1)});
    } else if (s == "--point") {
      const std::string v = a.value(s);
      char* end = nullptr;
      o.point = std::strtol(v.c_str(), &end, 10);
      if (*end || v.empty() || o.point < 0) throw UsageError("--point: expected a point index, got '" + v + "'");
    } else if (!s.empty() && s[0] == '-')
      throw UsageError("sweep: unknown option " + s);
    else if (o.sweep_file.empty())
      o.sweep_file = s;
    else
      throw UsageError("sweep: more than one sweep file given");
  }
  if (o.sweep_file.empty()) throw UsageError("sweep: a sweep file is required (see configs/sweeps/)");
  if (!o.emit.empty() + !o.merge.empty() + (o.point >= 0) + o.dry_run + !o.area_table.empty() > 1)
    throw UsageError("sweep: --emit-jobs, --merge, --point, --dry-run and --area-table exclude each other");
  return o;
}

int direct(const Options& o, const Spec& spec, const std::vector<Point>& points) {
  const std::string out = output_path(o, spec), jsonl = jsonl_path_for(out);
  std::vector<Json> records(points.size());
  std::vector<Point> todo;
  size_t kept = 0;
  if (o.resume) {
    auto prior = read_jsonl(jsonl);
    for (const auto& p : points) {
      auto it = prior.find(identity(p, spec));
      if (it != prior.end() && record_ok(it->second)) {
        records[p.index] = std::move(it->second);
        records[p.index]["point"] = p.index;
        prior.erase(it);
        ++kept;
      } else {
        todo.push_back(p);
      }
    }
    size_t stale = 0;
    for (const auto& [id, r] : prior) stale += record_ok(r);
    if (stale)
      std::fprintf(stderr, "agilemmu: sweep: %zu earlier results in %s are not points of this sweep; dropped\n", stale,
                   jsonl.c_str());
  } else {
    todo = points;
  }
  // Appended as points finish, so an interrupted sweep can --resume; rewritten in order at the end.
  std::ofstream log(jsonl, o.resume ? std::ios::app : std::ios::trunc);
  if (!log) throw std::runtime_error("sweep: cannot write " + jsonl);
  const bool show = !o.quiet && isatty(2);
  // The walk unit's synthesis runs beside the simulations (a thread running yosys, niced), so a
  // first sizing sweep simulates at once; its progress shares the bar.
  const AreaFiles af = area_files(spec, out);
  std::unique_ptr<Synthesis> synth;
  if (!spec.area_walker.empty()) {
    bool stale = false;
    const std::string version = rtl_version(af.script);
    auto missing = missing_unit_sets(spec, todo, af, version, stale);
    if (stale && !o.quiet)
      std::fprintf(stderr,
                   "agilemmu: sweep: area: %s holds another RTL version than rtl/'s (%s): its areas are not used; "
                   "regenerate it (docs/sweeps.md, \"The shipped area table\")\n",
                   af.table.c_str(), version.c_str());
    if (!missing.empty() && !o.quiet)
      std::fprintf(stderr, "agilemmu: sweep: area: synthesizing %zu RTL parameter sets while the points simulate\n",
                   missing.size());
    synth = std::make_unique<Synthesis>(af, version, std::move(missing));
    synth->start();
  }
  Progress bar(todo.size(), show, spec.replicates > 1 ? "runs" : "points");
  if (synth) bar.set_status([&] { return synth->status(); });
  size_t done = 0, failed = 0;
  run_points(
      self_exe(), spec, todo, o.jobs,
      [&](Json&& r) {
        log << r.dump() << "\n" << std::flush;
        ++done;
        if (!record_ok(r)) {
          ++failed;
          bar.message(failure_text(r));
        }
        bar.update(done, failed);
        const size_t i = r["point"].get<size_t>();
        records[i] = std::move(r);
      },
      show ? std::function<void()>([&] { bar.update(done, failed); }) : nullptr);
  if (synth) {
    if (!o.quiet && synth->running() && !show) std::fprintf(stderr, "agilemmu: sweep: waiting for the synthesis\n");
    while (synth->running() && !interrupted()) {
      if (show) bar.tick();
      usleep(200 * 1000);
    }
    if (!interrupted()) synth->wait();
  }
  bar.finish();
  log.close();
  size_t not_run = 0;
  for (const auto& p : points)
    if (records[p.index].is_null()) {  // only after an interrupt
      records[p.index] = make_record(p, spec);
      records[p.index]["status"] = "failed";
      records[p.index]["exit_code"] = -1;
      records[p.index]["error"] = "not run: the sweep was interrupted";
      ++not_run;
    }
  Spec written = spec;  // interrupted: no synthesis now, the area comes with --resume
  if (interrupted()) written.area = false, written.area_walker.clear();
  const int rc = write_results(written, out, records, o.quiet,
                               std::to_string(done) + " run, " + std::to_string(kept) + " kept from before");
  if (!interrupted()) return !o.no_plots && !make_plots(spec, out, o.quiet) ? kExitFail : rc;
  std::fprintf(stderr, "agilemmu: sweep: interrupted, %zu points not run; --resume runs the rest\n", not_run);
  return 130;  // the shell convention for "ended by SIGINT"
}

// Prints each point's run command and checks its config in-process (no simulation), so a bad
// value is found before a cluster spends time on it.
int dry_run(const Options& o, const Spec& spec, const std::vector<Point>& points) {
  size_t bad = 0;
  for (const auto& p : points) {
    std::string line = "agilemmu";
    for (const auto& a : run_args(spec, p, point_file(o.dir, p.index))) line += " " + shell_quote(a);
    std::printf("%s\n", line.c_str());
    try {
      config::load(spec.config_for(p), spec.sets_for(p));
    } catch (const config::ConfigError& e) {
      ++bad;
      std::fprintf(stderr, "agilemmu: sweep: point %zu (%s): invalid config: %s\n", p.index,
                   describe(p.assignments).c_str(), e.what());
    }
  }
  if (!o.quiet) std::fprintf(stderr, "agilemmu: sweep: %zu points, %zu with an invalid config\n", points.size(), bad);
  const bool area_ok = check_area(spec, points, area_files(spec, results_path(o, spec)));
  return bad || !area_ok ? kExitFail : kExitOk;
}

}  // namespace

int sweep_cmd(int argc, char** argv) {
  const Options o = parse(argc, argv);
  Spec spec = load_spec(o.sweep_file);
  // --set: a fixed assignment for every point, as if the sweep file's `set:` had it.
  const std::vector<std::string> swept = spec.swept_keys();
  for (const Assignment& kv : o.sets) {
    if (std::find(swept.begin(), swept.end(), kv.first) != swept.end())
      throw UsageError("--set " + kv.first + ": the sweep sweeps that key");
    spec.fixed.push_back(kv);
  }
  if (o.replicates) spec.replicates = o.replicates;
  const std::vector<Point> points = expand(spec);
  if (!o.area_table.empty()) {
    write_area_table(spec, points, area_files(spec, output_path(o, spec)), o.area_table, o.quiet);
    return kExitOk;
  }
  if (o.dry_run) return dry_run(o, spec, points);
  if (!o.emit.empty()) return emit(o, spec, points);
  if (!o.merge.empty()) return merge(o, spec, points);
  if (o.point >= 0) return one_point(o, spec, points);
  return direct(o, spec, points);
}

}  // namespace agilemmu::cli
