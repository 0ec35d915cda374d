// The area result columns of a sweep with `area:`. The RTL walk unit (rtl/walk_unit.sv: walkers
// and first-dimension PWC) each point describes (mmu.walkers, mmu.pwc.entries, mmu.pwc.ways on the
// sweep's walker parameter set) is synthesized with yosys by scripts/synth-report.sh once per
// distinct parameter set; the other structures come from the array model (sweep/area_model.h).
// Synthesized counts are looked up, keyed by the RTL version, in the shipped table
// (configs/sweeps/area-table.tsv) and in a cache next to the results, and synthesized otherwise,
// in a thread of its own while the points simulate (Synthesis).
#pragma once
#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sweep/results.h"
#include "sweep/spec.h"

namespace agilemmu::sweep {

struct AreaFiles {
  std::string script;  // scripts/synth-report.sh
  std::string cache;   // area-cache.tsv next to the results (appended to)
  std::string table;   // the shipped table (read only; "" = none)
  std::string nodes;   // configs/area/nodes.yaml unless the sweep names another
};

struct UnitCount {
  unsigned long long cells = 0, ffs = 0;
};

// "rtl-version walker walkers entries ways" -> counts; table and cache files share the format
// ("KEY TAB cells TAB flip-flops" per line, '#' lines are comments).
using AreaCounts = std::map<std::string, UnitCount>;
AreaCounts read_area_counts(const std::string& path);

// `script --rtl-version`: the hash of the RTL sources the counts are keyed by.
std::string rtl_version(const std::string& script);

// The synth-report.sh parameters ("WALKER_SET WALKERS ENTRIES WAYS") of a record; throws
// std::runtime_error when a key is neither swept nor set.
std::string unit_params(const Spec& s, const Json& record);

// The distinct parameter sets of `points` not yet known (table or cache) for `version`, cheapest
// first. `stale_table` is set when the shipped table holds other RTL versions only.
std::vector<std::string> missing_unit_sets(const Spec& s, const std::vector<Point>& points, const AreaFiles& f,
                                           const std::string& version, bool& stale_table);

// Runs synth-report.sh --params for each set in a thread (niced), appending each result to the
// cache; status() is a progress text with an ETA for the progress bar.
class Synthesis {
 public:
  Synthesis(AreaFiles f, std::string version, std::vector<std::string> sets);
  ~Synthesis();
  void start();
  // Joins; rethrows a synthesis failure.
  void wait();
  bool running() const { return started_ && !finished_; }
  std::string status() const;

 private:
  void work();
  AreaFiles f_;
  std::string version_;
  std::vector<std::string> sets_;
  std::thread thread_;
  std::atomic<size_t> done_{0};
  std::atomic<bool> finished_{false};
  bool started_ = false;
  std::exception_ptr error_;
  std::chrono::steady_clock::time_point start_;
  double done_weight_ = 0, total_weight_ = 0;
  mutable std::mutex mu_;
};

// Adds the area statistics to every ok record (a no-op unless the sweep has `area:`):
// area_cells and area_ffs (the synthesized walk unit), and `area` {node, STRUCTURE_um2...,
// total_um2, not_counted}. Synthesizes whatever is still missing (synchronously). Warns once per
// structure that the points simulate but the area does not count. Throws std::runtime_error
// when a point lacks a key or synthesis fails, config::ConfigError for a bad node file.
void add_area(const Spec& s, std::vector<Json>& records, const AreaFiles& f, bool quiet);

// --dry-run: what `area:` needs (the script, yosys, valid RTL parameters for every point, the
// node); prints what is known and what would be synthesized. False (said why) when it cannot run.
bool check_area(const Spec& s, const std::vector<Point>& points, const AreaFiles& f);

// --area-table FILE: synthesizes every set of the sweep missing from FILE for the current RTL and
// rewrites FILE with the current version's rows only (the shipped table's regeneration).
void write_area_table(const Spec& s, const std::vector<Point>& points, AreaFiles f, const std::string& file,
                      bool quiet);

}  // namespace agilemmu::sweep
