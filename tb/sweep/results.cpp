#include "sweep/results.h"

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace agilemmu::sweep {

Json make_record(const Point& p, const Spec& s) {
  Json r;
  r["point"] = p.index;
  r["assignments"] = Json::object();
  for (const auto& [k, v] : p.assignments) r["assignments"][k] = v;
  r["fixed"] = Json::object();
  for (const auto& [k, v] : s.fixed) r["fixed"][k] = v;
  if (s.replicates > 1) {
    r["replicate"] = p.replicate;
    r["seed"] = p.seed;
  }
  return r;
}

bool record_ok(const Json& r) { return r.value("status", "") == "ok"; }

namespace {
std::string kv_text(const Json& obj) {
  std::string s;
  if (!obj.is_object()) return s;
  for (const auto& [k, v] : obj.items()) s += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()) + "\n";
  return s;
}
}  // namespace

std::string identity(const Json& r) {
  return kv_text(r.value("assignments", Json::object())) + "--\n" + kv_text(r.value("fixed", Json::object())) +
         (r.contains("replicate") ? "replicate=" + std::to_string(r["replicate"].get<unsigned>()) + "\n" : "");
}
std::string identity(const Point& p, const Spec& s) { return identity(make_record(p, s)); }

std::map<std::string, Json> read_jsonl(const std::string& path) {
  std::map<std::string, Json> out;
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    Json r;
    try {
      r = Json::parse(line);
    } catch (const std::exception&) {
      // The last line of an interrupted sweep may be cut short; that point simply runs again.
      std::fprintf(stderr, "agilemmu: sweep: %s:%d: not a JSON record, ignored\n", path.c_str(), n);
      continue;
    }
    const std::string id = identity(r);
    auto it = out.find(id);
    if (it == out.end() || record_ok(r) || !record_ok(it->second)) out[id] = std::move(r);
  }
  return out;
}

void write_file_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream o(tmp, std::ios::trunc);
    o << text;
    if (!o.flush()) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename " + tmp + " to " + path);
}

void write_jsonl(const std::string& path, const std::vector<Json>& records) {
  std::string text;
  for (const auto& r : records) text += r.dump() + "\n";
  write_file_atomic(path, text);
}

void flatten(const Json& j, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) flatten(v, prefix.empty() ? k : prefix + "." + k, out);
    return;
  }
  if (j.is_null())
    out.emplace_back(prefix, "");
  else if (j.is_string())
    out.emplace_back(prefix, j.get<std::string>());
  else
    out.emplace_back(prefix, j.dump());  // numbers, booleans, arrays (JSON-encoded)
}

namespace {
std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}
}  // namespace

void write_csv(const std::string& path, const std::vector<std::string>& swept, const std::vector<Json>& records) {
  const std::vector<std::string> tail = {"host_seconds", "point", "status", "error"};
  std::set<std::string> taken(swept.begin(), swept.end());
  taken.insert(tail.begin(), tail.end());
  // A statistic whose name collides with a swept key or a sweep column gets a "stat." prefix.
  auto stat_name = [&](const std::string& k) { return taken.count(k) ? "stat." + k : k; };
  std::vector<std::string> stats;
  std::set<std::string> have;
  std::vector<std::map<std::string, std::string>> rows;
  for (const auto& r : records) {
    std::vector<std::pair<std::string, std::string>> flat;
    if (r.contains("stats")) flatten(r["stats"], "", flat);
    std::map<std::string, std::string> row;
    for (auto& [k, v] : flat) {
      const std::string name = stat_name(k);
      if (have.insert(name).second) stats.push_back(name);
      row[name] = v;
    }
    for (const auto& k : swept) row[k] = r["assignments"].value(k, "");
    char secs[32] = "";
    if (r.contains("host_seconds")) std::snprintf(secs, sizeof secs, "%.3f", r["host_seconds"].get<double>());
    row["host_seconds"] = secs;
    row["point"] = std::to_string(r.value("point", 0));
    row["status"] = r.value("status", "");
    row["error"] = r.value("error", "");
    rows.push_back(std::move(row));
  }
  std::vector<std::string> cols = swept;
  cols.insert(cols.end(), stats.begin(), stats.end());
  cols.insert(cols.end(), tail.begin(), tail.end());
  std::string text;
  for (size_t i = 0; i < cols.size(); ++i) text += (i ? "," : "") + csv_cell(cols[i]);
  text += "\n";
  for (const auto& row : rows) {
    for (size_t i = 0; i < cols.size(); ++i) {
      auto it = row.find(cols[i]);
      text += (i ? "," : "") + csv_cell(it == row.end() ? "" : it->second);
    }
    text += "\n";
  }
  write_file_atomic(path, text);
}

std::string jsonl_path_for(const std::string& csv) {
  const auto slash = csv.find_last_of('/');
  const auto dot = csv.find_last_of('.');
  const std::string stem =
      dot != std::string::npos && (slash == std::string::npos || dot > slash) ? csv.substr(0, dot) : csv;
  return stem + ".jsonl";
}

}  // namespace agilemmu::sweep
