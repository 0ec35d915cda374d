// `agilemmu run`: builds the configured guest and translates the first page of every region in
// every paging mode through the reference walk, printing a reference-count table.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "config/config.h"
#include "pt/walk.h"

namespace agilemmu::cli {

int run_cmd(int argc, char** argv) {
  Args a(argc, argv, argc > 1 && std::string(argv[1]) == "run" ? 2 : 1);
  std::string cfg_path;
  std::vector<std::string> sets;
  std::string json_path;
  while (!a.done()) {
    const std::string o = a.next();
    if (o == "--set") sets.push_back(a.value(o));
    else if (o == "--json") json_path = a.value(o);
    else if (!o.empty() && o[0] == '-') throw UsageError("run: unknown option " + o);
    else if (cfg_path.empty()) cfg_path = o;
    else throw UsageError("run: more than one config file given");
  }
  const config::Config cfg = cfg_path.empty() ? config::load_text(config::default_config_yaml(), "<default>", sets)
                                              : config::load(cfg_path, sets);
  pt::PhysMem mem;
  vmm::AddressSpace as(mem, cfg.format, cfg.layout);
  config::populate(cfg, as);
  std::printf("config %s: %zu regions, %zu guest pages mapped, %zu table frames\n", cfg.source.c_str(),
              cfg.regions.size(), as.guest_mappings().size(), mem.frames());
  std::printf("%-10s %-18s %8s %8s %8s %8s\n", "region", "va", "native", "shadow", "nested", "agile");
  int rc = kExitOk;
  nlohmann::json j;
  j["config"] = cfg.source;
  j["mode"] = pt::to_string(cfg.mode);
  j["guest_pages"] = as.guest_mappings().size();
  for (const auto& r : cfg.regions) {
    std::printf("%-10s 0x%-16llx", r.name.c_str(), static_cast<unsigned long long>(r.base));
    for (pt::Mode m : {pt::Mode::Native, pt::Mode::Shadow, pt::Mode::Nested, pt::Mode::Agile}) {
      pt::WalkRequest req;
      req.va = r.base;
      req.mode = m;
      const pt::WalkResult w = pt::walk(mem, cfg.format, as.roots(), req);
      if (r.populate && !w.ok) rc = kExitFail;
      j["regions"][r.name][pt::to_string(m)] = w.ok ? nlohmann::json(w.nrefs) : nlohmann::json(nullptr);
      std::printf(" %8s", w.ok ? std::to_string(w.nrefs).c_str() : "fault");
    }
    std::printf("\n");
  }
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    if (!out) throw UsageError("--json: cannot write " + json_path);
    out << j.dump(2) << "\n";
  }
  return rc;
}

}  // namespace agilemmu::cli
