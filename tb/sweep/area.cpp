#include "sweep/area.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "config/config.h"
#include "sweep/area_model.h"

namespace agilemmu::sweep {
namespace {

// The value of a config key at a point: swept, else fixed by the sweep's `set:`.
std::string value_of(const Json& record, const std::string& key) {
  for (const char* part : {"assignments", "fixed"})
    if (record.contains(part) && record[part].contains(key)) return record[part][key].get<std::string>();
  throw std::runtime_error("sweep: area: key '" + key +
                           "' is neither swept nor set in the sweep file (the RTL parameters must be explicit)");
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs `cmd`; its standard output and error, and whether it exited 0.
bool run(const std::string& cmd, std::string& out) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return false;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) out += buf;
  return pclose(p) == 0;
}

// One synthesis, niced: the machine is usually shared with the simulations (and others).
UnitCount synthesize(const std::string& script, const std::string& params) {
  std::string out;
  const bool ok = run("nice -n 19 " + quote(script) + " --params " + quote(params), out);
  std::istringstream f(out);
  std::string cells, ffs;
  if (!ok || !(f >> cells >> ffs) || cells.find_first_not_of("0123456789") != std::string::npos ||
      ffs.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error("sweep: area: " + script + " --params '" + params + "' failed: " + out);
  return {std::stoull(cells), std::stoull(ffs)};
}

void append(const std::string& path, const std::string& key, const UnitCount& c) {
  std::ofstream(path, std::ios::app) << key << '\t' << c.cells << '\t' << c.ffs << '\n';
}

// A rough cost of synthesizing a set, for the ETA: the PWC's multiplexers dominate.
double weight(const std::string& params) {
  std::istringstream f(params);
  std::string wset;
  unsigned walkers = 1, entries = 0;
  f >> wset >> walkers >> entries;
  return 1.0 + walkers * 0.1 + entries / 4.0;
}

// The record's point: what config::load needs for the array model.
Point point_of(const Json& r) {
  Point p;
  p.index = r.value("point", size_t{0});
  for (const auto& [k, v] : r["assignments"].items()) p.assignments.emplace_back(k, v.get<std::string>());
  return p;
}

std::string mmss(double secs) {
  char b[32];
  std::snprintf(b, sizeof b, "%ld:%02ld", static_cast<long>(secs) / 60, static_cast<long>(secs) % 60);
  return b;
}

}  // namespace

AreaCounts read_area_counts(const std::string& path) {
  AreaCounts known;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    std::string key, cells, ffs;
    if (std::getline(f, key, '\t') && std::getline(f, cells, '\t') && std::getline(f, ffs))
      known[key] = {std::stoull(cells), std::stoull(ffs)};
  }
  return known;
}

std::string rtl_version(const std::string& script) {
  std::string version;
  if (!run(quote(script) + " --rtl-version", version) || version.empty())
    throw std::runtime_error("sweep: area: " + script + " --rtl-version failed: " + version);
  return version.substr(0, version.find_first_of(" \n"));
}

std::string unit_params(const Spec& s, const Json& r) {
  return s.area_walker + " " + value_of(r, "mmu.walkers") + " " + value_of(r, "mmu.pwc.entries") + " " +
         value_of(r, "mmu.pwc.ways");
}

std::vector<std::string> missing_unit_sets(const Spec& s, const std::vector<Point>& points, const AreaFiles& f,
                                           const std::string& version, bool& stale_table) {
  stale_table = false;
  std::vector<std::string> missing;
  if (s.area_walker.empty()) return missing;
  const AreaCounts table = f.table.empty() ? AreaCounts{} : read_area_counts(f.table);
  const AreaCounts cache = read_area_counts(f.cache);
  bool table_has_version = false;
  for (const auto& [k, c] : table) table_has_version |= k.rfind(version + " ", 0) == 0;
  stale_table = !table.empty() && !table_has_version;
  std::set<std::string> seen;
  for (const auto& p : points) {
    const std::string params = unit_params(s, make_record(p, s)), key = version + " " + params;
    if (table.count(key) || cache.count(key) || !seen.insert(params).second) continue;
    missing.push_back(params);
  }
  std::stable_sort(missing.begin(), missing.end(),
                   [](const std::string& a, const std::string& b) { return weight(a) < weight(b); });
  return missing;
}

Synthesis::Synthesis(AreaFiles f, std::string version, std::vector<std::string> sets)
    : f_(std::move(f)), version_(std::move(version)), sets_(std::move(sets)) {
  for (const auto& p : sets_) total_weight_ += weight(p);
}

Synthesis::~Synthesis() {
  if (thread_.joinable()) thread_.join();
}

void Synthesis::start() {
  started_ = true;
  start_ = std::chrono::steady_clock::now();
  if (sets_.empty()) {
    finished_ = true;
    return;
  }
  thread_ = std::thread([this] { work(); });
}

void Synthesis::work() {
  try {
    for (const auto& p : sets_) {
      const UnitCount c = synthesize(f_.script, p);
      append(f_.cache, version_ + " " + p, c);
      {
        std::lock_guard<std::mutex> g(mu_);
        done_weight_ += weight(p);
      }
      ++done_;
    }
  } catch (...) {
    error_ = std::current_exception();
  }
  finished_ = true;
}

void Synthesis::wait() {
  if (thread_.joinable()) thread_.join();
  if (error_) std::rethrow_exception(error_);
}

std::string Synthesis::status() const {
  if (sets_.empty()) return "";
  const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string s = "synthesis " + std::to_string(done_.load()) + "/" + std::to_string(sets_.size()) + " sets";
  if (finished_) return s;
  std::lock_guard<std::mutex> g(mu_);
  // Weighted by the PWC size (the big PWCs take longest); a guess until the first set is done.
  if (done_weight_ > 0)
    s += " eta " + mmss(el * (total_weight_ - done_weight_) / done_weight_);
  else
    s += ", first " + mmss(el) + " so far";
  return s;
}

void add_area(const Spec& s, std::vector<Json>& records, const AreaFiles& f, bool quiet) {
  if (!s.area) return;
  const Node node = load_node(f.nodes, s.area_node);
  AreaCounts known;
  if (!s.area_walker.empty()) {
    const std::string version = rtl_version(f.script);
    std::vector<Point> pts;
    for (const Json& r : records)
      if (record_ok(r)) pts.push_back(point_of(r));
    bool stale = false;
    const std::vector<std::string> missing = missing_unit_sets(s, pts, f, version, stale);
    for (const auto& p : missing) {
      if (!quiet) std::fprintf(stderr, "agilemmu: sweep: area of the walk unit '%s' (yosys)...\n", p.c_str());
      append(f.cache, version + " " + p, synthesize(f.script, p));
    }
    known = read_area_counts(f.cache);
    if (!f.table.empty())
      for (auto& [k, c] : read_area_counts(f.table)) known[k] = c;
    for (auto& [k, c] : AreaCounts(known))  // keyed by parameters alone from here on
      if (k.rfind(version + " ", 0) == 0) known[k.substr(version.size() + 1)] = c;
  }
  std::map<std::string, std::string> warned;  // structure -> why
  for (Json& r : records) {
    if (!record_ok(r)) continue;
    const Point p = point_of(r);
    const config::Config cfg = config::load(s.config_for(p), s.sets_for(p));
    UnitCount unit;
    if (!s.area_walker.empty() && cfg.format.riscv())
      throw std::runtime_error(
          "sweep: area: rtl/walker.sv decodes x86-64 entries only; format.isa: riscv has no "
          "synthesized walker");
    if (!s.area_walker.empty()) {
      const std::string params = unit_params(s, r);
      auto it = known.find(params);
      if (it == known.end()) throw std::runtime_error("sweep: area: no synthesis result for '" + params + "'");
      unit = it->second;
      r["stats"]["area_cells"] = unit.cells;
      r["stats"]["area_ffs"] = unit.ffs;
    }
    const MmuArea a = mmu_area(cfg, node, !s.area_walker.empty(), unit.cells, unit.ffs);
    Json& out = r["stats"]["area"];
    out["node"] = node.name;
    for (const auto& part : a.parts) {
      out[part.name + "_um2"] = part.um2;
      if (part.how == "synthesis") out[part.name + "_ge"] = part.ge;
    }
    out["total_um2"] = a.total_um2();
    std::string nc;
    for (const auto& why : a.not_counted) {
      nc += (nc.empty() ? "" : "; ") + why;
      warned.emplace(why.substr(0, why.find(' ')), why);
    }
    out["not_counted"] = nc;
  }
  for (const auto& [name, why] : warned)
    std::fprintf(stderr, "agilemmu: sweep: area: warning: simulated but not in the area: %s\n", why.c_str());
}

bool check_area(const Spec& s, const std::vector<Point>& points, const AreaFiles& f) {
  if (!s.area) return true;
  try {
    load_node(f.nodes, s.area_node);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "agilemmu: sweep: area: %s\n", e.what());
    return false;
  }
  if (s.area_walker.empty()) {
    std::fprintf(stderr,
                 "agilemmu: sweep: area: node %s, array model only (no area: walker: the walkers are not "
                 "counted)\n",
                 s.area_node.c_str());
    return true;
  }
  std::set<std::string> sets;
  try {
    for (const auto& p : points) sets.insert(unit_params(s, make_record(p, s)));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "agilemmu: %s\n", e.what());
    return false;
  }
  bool ok = true;
  for (const auto& p : sets) {
    std::string out;
    if (!run(quote(f.script) + " --check-params " + quote(p), out)) {
      std::fprintf(stderr, "agilemmu: sweep: area: '%s': %s", p.c_str(), out.c_str());
      ok = false;
    }
  }
  if (!ok) return false;
  bool stale = false;
  std::string version;
  try {
    version = rtl_version(f.script);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "agilemmu: %s\n", e.what());
    return false;
  }
  const auto missing = missing_unit_sets(s, points, f, version, stale);
  std::fprintf(stderr,
               "agilemmu: sweep: area: node %s, %zu RTL parameter sets, %zu known for RTL version %s, %zu to "
               "synthesize (yosys, niced, while the points simulate)\n",
               s.area_node.c_str(), sets.size(), sets.size() - missing.size(), version.c_str(), missing.size());
  if (stale)
    std::fprintf(stderr,
                 "agilemmu: sweep: area: note: %s was made for other RTL sources (regenerate it: "
                 "docs/sweeps.md, \"The shipped area table\")\n",
                 f.table.c_str());
  return true;
}

void write_area_table(const Spec& s, const std::vector<Point>& points, AreaFiles f, const std::string& file,
                      bool quiet) {
  if (s.area_walker.empty()) throw std::runtime_error("sweep: --area-table: the sweep has no area: walker");
  const std::string version = rtl_version(f.script);
  f.table = file;
  bool stale = false;
  const auto missing = missing_unit_sets(s, points, f, version, stale);
  size_t n = 0;
  for (const auto& p : missing) {
    if (!quiet)
      std::fprintf(stderr, "agilemmu: sweep: area-table: %zu/%zu: synthesizing '%s'\n", ++n, missing.size(), p.c_str());
    append(f.cache, version + " " + p, synthesize(f.script, p));
  }
  AreaCounts rows;
  for (const std::string* src : {&file, static_cast<const std::string*>(&f.cache)})
    for (auto& [k, c] : read_area_counts(*src))
      if (k.rfind(version + " ", 0) == 0) rows[k] = c;
  std::string text =
      "# Synthesized walk-unit areas for the shipped sweeps (agilemmu sweep --area-table; docs/sweeps.md).\n"
      "# RTL-VERSION WALKER_SET WALKERS PWC_ENTRIES PWC_WAYS <TAB> cells <TAB> flip-flops\n";
  for (const auto& [k, c] : rows) text += k + "\t" + std::to_string(c.cells) + "\t" + std::to_string(c.ffs) + "\n";
  write_file_atomic(file, text);
  if (!quiet)
    std::fprintf(stderr, "agilemmu: sweep: %zu rows for RTL version %s -> %s\n", rows.size(), version.c_str(),
                 file.c_str());
}

}  // namespace agilemmu::sweep
