// Helpers shared by the direct and the cluster paths of `agilemmu sweep`.
#include "cli/sweep_common.h"

#include <sys/stat.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "cli/args.h"

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
  for (const auto& [k, v] : obj.items())
    a.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
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
  write_jsonl(jsonl_path_for(out), records);
  write_csv(out, spec.swept_keys(), records);
  if (!quiet) {
    std::fprintf(stderr, "agilemmu: sweep: %zu points (%s), %zu failed -> %s, %s\n", records.size(), how.c_str(), failed,
                 out.c_str(), jsonl_path_for(out).c_str());
  }
  return failed ? kExitFail : kExitOk;
}

std::string output_path(const Options& o, const Spec& spec) {
  std::string out = !o.out.empty() ? o.out : !spec.out.empty() ? spec.out : "results.csv";
  if (!parent(out).empty()) mkdirs(parent(out));
  return out;
}

}  // namespace agilemmu::cli::sweep_cli
