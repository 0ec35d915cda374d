#include "sweep/area.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

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

}  // namespace

void add_area(const Spec& s, std::vector<Json>& records, const std::string& script, const std::string& cache,
              bool quiet) {
  if (s.area_walker.empty()) return;
  // The RTL's version keys the cache with the parameters: an area measured on older RTL sources
  // is never reused (a checkout that changes walker.sv synthesizes again).
  std::string version;
  if (!run(quote(script) + " --rtl-version", version) || version.empty())
    throw std::runtime_error("sweep: area: " + script + " --rtl-version failed: " + version);
  version = version.substr(0, version.find_first_of(" \n"));
  std::map<std::string, std::pair<std::string, std::string>> known;
  {
    std::ifstream in(cache);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream f(line);
      std::string key, cells, ffs;
      if (std::getline(f, key, '\t') && std::getline(f, cells, '\t') && std::getline(f, ffs)) known[key] = {cells, ffs};
    }
  }
  for (Json& r : records) {
    if (!record_ok(r)) continue;
    const std::string params = s.area_walker + " " + value_of(r, "mmu.walkers") + " " + value_of(r, "mmu.pwc.entries") +
                               " " + value_of(r, "mmu.pwc.ways");
    const std::string key = version + " " + params;
    auto it = known.find(key);
    if (it == known.end()) {
      if (!quiet) std::fprintf(stderr, "agilemmu: sweep: area of the walk unit '%s' (yosys)...\n", params.c_str());
      std::string out;
      const bool ok = run(quote(script) + " --params " + quote(params), out);
      std::istringstream f(out);
      std::string cells, ffs;
      if (!ok || !(f >> cells >> ffs) || cells.find_first_not_of("0123456789") != std::string::npos)
        throw std::runtime_error("sweep: area: " + script + " --params '" + params + "' failed: " + out);
      it = known.emplace(key, std::make_pair(cells, ffs)).first;
      std::ofstream(cache, std::ios::app) << key << '\t' << cells << '\t' << ffs << '\n';
    }
    r["stats"]["area_cells"] = std::stoull(it->second.first);
    r["stats"]["area_ffs"] = std::stoull(it->second.second);
  }
}

}  // namespace agilemmu::sweep
