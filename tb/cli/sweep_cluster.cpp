// The cluster path of `agilemmu sweep`: --emit-jobs writes one command per point, each runs
// `sweep --point N --dir DIR` and leaves DIR/point-NNNN.json; --merge gathers them.
#include <fstream>

#include "cli/args.h"
#include "cli/sweep_common.h"
#include "sweep/runner.h"

namespace agilemmu::cli::sweep_cli {

namespace {

// The record in a point file if it is an ok result of this point, else null.
Json done_point(const std::string& dir, const Point& p, const Spec& spec) {
  std::ifstream in(point_file(dir, p.index));
  if (!in) return nullptr;
  try {
    Json r = Json::parse(in);
    if (record_ok(r) && identity(r) == identity(p, spec)) return r;
  } catch (const std::exception&) {
  }
  return nullptr;
}

}  // namespace

int emit(const Options& o, const Spec& spec, const std::vector<Point>& points) {
  mkdirs(o.dir);
  const std::string dir = absolute(o.dir), sweep = absolute(o.sweep_file);
  const std::string bin = o.bin.empty() ? self_exe() : o.bin;
  std::string text;
  size_t skipped = 0;
  for (const auto& p : points) {
    // --resume: only the points without an ok result in DIR (re-submit failures and stragglers).
    if (o.resume && !done_point(dir, p, spec).is_null()) {
      ++skipped;
      continue;
    }
    text += shell_quote(bin) + " sweep " + shell_quote(sweep) + " --point " + std::to_string(p.index) + " --dir " +
            shell_quote(dir) + " --quiet";
    // The assignments make each line readable and let --point refuse a sweep file edited since.
    for (const auto& [k, v] : p.assignments) text += " --expect " + shell_quote(k + "=" + v);
    text += "\n";
  }
  write_file_atomic(o.emit, text);
  if (!o.quiet)
    std::fprintf(stderr,
                 "agilemmu: sweep: %zu commands -> %s (results into %s; %zu points already done)\n"
                 "  run them:  parallel < %s   (or one line per Slurm array task: docs/sweeps.md)\n"
                 "  then:      agilemmu sweep %s --merge %s\n",
                 points.size() - skipped, o.emit.c_str(), dir.c_str(), skipped, o.emit.c_str(), o.sweep_file.c_str(),
                 o.dir.c_str());
  return kExitOk;
}

int one_point(const Options& o, const Spec& spec, const std::vector<Point>& points) {
  if (static_cast<size_t>(o.point) >= points.size())
    throw UsageError("sweep: --point " + std::to_string(o.point) + ": the sweep has " + std::to_string(points.size()) +
                     " points");
  const Point& p = points[static_cast<size_t>(o.point)];
  if (!o.expect.empty()) {
    std::string want;
    for (const auto& e : o.expect) want += (want.empty() ? "" : " ") + e;
    if (want != describe(p.assignments))
      throw UsageError("sweep: point " + std::to_string(p.index) + " of " + o.sweep_file + " is now '" +
                       describe(p.assignments) + "', the job expected '" + want +
                       "': the sweep file changed since --emit-jobs; emit again");
  }
  mkdirs(o.dir);
  Json rec;
  run_points(self_exe(), spec, {p}, 1, [&](Json&& r) { rec = std::move(r); });
  write_file_atomic(point_file(o.dir, p.index), rec.dump() + "\n");
  if (!record_ok(rec)) {
    std::fprintf(stderr, "%s\n", failure_text(rec).c_str());
    return kExitFail;
  }
  return kExitOk;
}

int merge(const Options& o, const Spec& spec, const std::vector<Point>& points) {
  const std::string out = output_path(o, spec);
  std::vector<Json> records;
  for (const auto& p : points) {
    const std::string f = point_file(o.merge, p.index);
    Json r = make_record(p, spec);
    std::ifstream in(f);
    std::string why;
    if (!in) {
      why = "no " + f + " (job not run, or still running)";
    } else {
      try {
        Json got = Json::parse(in);
        if (identity(got) != identity(r))
          why = f + " is for another point (" + describe(assignments_of(got)) +
                "): the sweep file changed since the jobs ran";
        else
          r = std::move(got);
      } catch (const std::exception& e) {
        why = f + ": not a point record: " + e.what();
      }
    }
    if (!why.empty()) {
      r["status"] = "failed";
      r["exit_code"] = -1;
      r["error"] = why;
    }
    r["point"] = p.index;
    if (!record_ok(r)) std::fprintf(stderr, "%s\n", failure_text(r).c_str());
    records.push_back(std::move(r));
  }
  const int rc = write_results(spec, out, records, o.quiet, "merged from " + o.merge);
  return !o.no_plots && !make_plots(spec, out, o.quiet) ? kExitFail : rc;
}

}  // namespace agilemmu::cli::sweep_cli
