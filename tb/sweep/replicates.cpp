#include "sweep/replicates.h"

#include <cmath>
#include <cstdlib>
#include <map>

namespace agilemmu::sweep {

double t95(unsigned df) {
  // Two-sided 95% quantiles of Student's t (any statistics table) for 1..30 degrees of freedom.
  static const double kT[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                              2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                              2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (df == 0) return NAN;
  if (df <= 30) return kT[df - 1];
  // Beyond the table: the normal quantile with the first Cornish-Fisher correction (error < 0.001).
  const double z = 1.959964;
  return z + (z * z * z + z) / (4.0 * df);
}

std::vector<Json> summarize_replicates(const std::vector<Json>& records, unsigned n) {
  std::vector<Json> out;
  for (size_t first = 0; first < records.size(); first += n) {
    Json r = records[first];
    r.erase("replicate");
    r.erase("seed");
    r["point"] = r.value("point", size_t{0}) / n;
    const size_t end = std::min(records.size(), first + n);
    for (size_t i = first; i < end; ++i)
      if (!record_ok(records[i])) {
        r["status"] = "failed";
        r["exit_code"] = records[i].value("exit_code", -1);
        r["error"] = "replicate " + std::to_string(i - first) + ": " + records[i].value("error", std::string());
        break;
      }
    double secs = 0;
    for (size_t i = first; i < end; ++i) secs += records[i].value("host_seconds", 0.0);
    r["host_seconds"] = secs;
    if (!record_ok(r)) {
      out.push_back(std::move(r));
      continue;
    }
    // Per flattened statistic (by name: runs may differ in which optional statistics they
    // write), the replicates' values; numeric only if a number in every replicate.
    std::vector<std::map<std::string, std::string>> values;
    std::vector<std::pair<std::string, std::string>> order;  // replicate 0's, for the column order
    for (size_t i = first; i < end; ++i) {
      std::vector<std::pair<std::string, std::string>> flat;
      flatten(records[i]["stats"], "", flat);
      if (i == first) order = flat;
      values.emplace_back(flat.begin(), flat.end());
    }
    Json stats = Json::object(), spread = Json::object();
    for (const auto& [name, first_value] : order) {
      std::vector<double> v;
      for (const auto& run : values) {
        auto it = run.find(name);
        char* e = nullptr;
        const double x = it == run.end() || it->second.empty() ? NAN : std::strtod(it->second.c_str(), &e);
        if (std::isnan(x) || *e != 0) break;
        v.push_back(x);
      }
      if (v.size() != values.size() || name == "seed") {
        stats[name] = first_value;
        continue;
      }
      double mean = 0;
      for (double x : v) mean += x;
      mean /= static_cast<double>(v.size());
      double ss = 0;
      for (double x : v) ss += (x - mean) * (x - mean);
      const double n_runs = static_cast<double>(v.size());
      const double sd = v.size() > 1 ? std::sqrt(ss / (n_runs - 1)) : 0.0;
      stats[name] = mean;
      spread[name + ".sd"] = sd;
      spread[name + ".ci95"] = v.size() > 1 ? t95(static_cast<unsigned>(v.size() - 1)) * sd / std::sqrt(n_runs) : 0.0;
    }
    stats["replicates"] = end - first;
    for (auto& [k, v] : spread.items()) stats[k] = v;
    r["stats"] = std::move(stats);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace agilemmu::sweep
