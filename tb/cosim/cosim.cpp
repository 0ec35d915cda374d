#include "cosim/cosim.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cosim/image_gen.h"
#include "cosim/rtl_walker.h"

namespace agilemmu::cosim {

Summary run(const Options& opt, std::ostream& out) {
  Summary s;
  // With random initial values, every image gets a fresh walker drawn from its own seed.
  auto init_seed = [&](uint64_t image) {
    return opt.stimulus.random_init ? image_seed(opt.stimulus.random_init ^ opt.seed, image) : 0;
  };
  auto rtl = RtlWalker::create(opt.rtl, opt.trace_format, init_seed(0));
  if (!opt.trace_path.empty()) rtl->open_trace(opt.trace_path);
  uint64_t c0 = rtl->total_cycles();
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<Image> img;
  std::unique_ptr<Scoreboard> sb;
  uint64_t image_index = 0;
  if (opt.coverage)
    s.coverage = std::make_shared<cov::WalkerCoverage>(
        rtl->format(), "cosim --rtl " + opt.rtl + " --seed " + std::to_string(opt.seed) + " --walks " +
                           std::to_string(opt.walks) + " --latency " + std::to_string(opt.latency) +
                           (opt.backpressure ? " --backpressure" : "") + (opt.directed ? " --directed" : ""));
  for (uint64_t i = 0; i < opt.walks; ++i) {
    if (i % opt.walks_per_image == 0) {
      if (sb) s.resets += sb->resets();
      sb.reset();
      if (opt.stimulus.random_init && image_index > 0 && opt.trace_path.empty()) {
        s.rtl_cycles += rtl->total_cycles() - c0;
        rtl = RtlWalker::create(opt.rtl, opt.trace_format, init_seed(image_index));
        c0 = rtl->total_cycles();
      }
      img = std::make_unique<Image>(rtl->format(), image_seed(opt.seed, image_index++), opt.knobs);
      sb = std::make_unique<Scoreboard>(*rtl, img->mem(), opt.latency, opt.inject, pt::WalkTiming{},
                                        Backpressure{opt.backpressure, opt.seed}, opt.stimulus);
    }
    const pt::WalkRequest req = img->next_request();
    const bool match = sb->check(img->roots(), req);
    ++s.walks;
    ++s.per_mode[static_cast<unsigned>(req.mode)];
    s.refs += sb->rtl_result().nrefs;
    s.writes += sb->rtl_result().nwrites;
    s.walks_with_writes += sb->rtl_result().nwrites != 0;
    s.stall_cycles += sb->rtl_result().stall_cycles;
    const pt::WalkResult& g = sb->golden();
    for (unsigned k = 1; k < g.nrefs; ++k)
      if (g.refs[k].write && g.refs[k].table == pt::Table::Guest && g.refs[k - 1].write &&
          g.refs[k - 1].table == pt::Table::Nested)
        ++s.guest_page_d;
    if (!g.ok && g.fault.stage == pt::Stage::Nested && g.fault.kind == pt::FaultKind::Permission) {
      if (g.fault.error_code & pt::ec::FINAL)
        ++s.nested_perm_final;
      else if (g.fault.error_code & pt::ec::W)
        ++s.nested_perm_table_write;
      else
        ++s.nested_perm_table;
    }
    if (g.ok) {
      ++s.ok_walks;
      ++s.per_size[static_cast<unsigned>(g.tr.size)];
    } else {
      ++s.per_fault_kind[static_cast<unsigned>(g.fault.kind)];
      ++s.per_stage[static_cast<unsigned>(g.fault.stage)];
    }
    if (req.mode == pt::Mode::Agile) ++s.per_switch_level[g.switch_level + 1];
    if (s.coverage && match) s.coverage->sample(req, g, sb->rtl_result());
    if (!match) {
      ++s.mismatches;
      out << "seed " << opt.seed << ", image " << (image_index - 1) << ", walk " << i << "\n";
      sb->report(out);
      // Replay the one walk on a fresh RTL instance with tracing on: same image, same inputs.
      std::error_code ec;
      std::filesystem::create_directories(opt.wave_dir, ec);
      s.mismatch_wave = opt.wave_dir + "/cosim_seed" + std::to_string(opt.seed) + "_walk" + std::to_string(i) +
                        (opt.trace_format == TraceFormat::Fst ? ".fst" : ".vcd");
      try {
        sb->undo_last_walk();  // the image as the failing walk found it
        auto replay = RtlWalker::create(opt.rtl, opt.trace_format, init_seed(image_index - 1));
        replay->open_trace(s.mismatch_wave);
        Scoreboard again(*replay, img->mem(), opt.latency, opt.inject, pt::WalkTiming{},
                         Backpressure{opt.backpressure, opt.seed}, opt.stimulus);
        again.set_walk_number(sb->walks() - 1);  // same stalls, same injections
        again.check(img->roots(), req);
        replay->close_trace();
        out << "  waveform: " << s.mismatch_wave << "\n";
      } catch (const std::exception& e) {
        out << "  waveform not written: " << e.what() << "\n";
        s.mismatch_wave.clear();
      }
      break;
    }
  }
  if (sb) s.resets += sb->resets();
  if (!opt.code_coverage.empty()) rtl->write_code_coverage(opt.code_coverage);
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  s.rtl_cycles += rtl->total_cycles() - c0;
  return s;
}

int run_cli(int argc, char** argv) {
  Options opt;
  std::string coverage_path;
  auto usage = [] {
    std::cerr
        << "usage: cosim [--walks N] [--seed S] [--latency L] [--levels 4|5] [--rtl l4|l5|mix] [--vcd FILE|--fst FILE] "
           "[--wave-dir DIR]\n"
           "             [--walks-per-image N] [--backpressure] [--reset-walks PERMILLE] [--random-init] [--no-noise]\n"
           "             [--inject-bug none|selector|present|latency|ready] [--directed] [--coverage FILE.json]\n"
           "             [--code-coverage FILE.dat]\n";
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string& v) {
      if (i + 1 >= argc) return false;
      v = argv[++i];
      return true;
    };
    std::string v;
    try {
      if (a == "--coverage" && value(v)) {
        coverage_path = v;
        opt.coverage = true;
        continue;
      }
      if (a == "--directed") {
        opt.directed = true;
        opt.knobs = ImageKnobs::directed();
        continue;
      }
      if (a == "--code-coverage" && value(v)) {
        opt.code_coverage = v;
        continue;
      }
      if (a == "--walks" && value(v))
        opt.walks = std::stoull(v);
      else if (a == "--seed" && value(v))
        opt.seed = std::stoull(v);
      else if (a == "--latency" && value(v))
        opt.latency = static_cast<uint32_t>(std::stoul(v));
      else if (a == "--walks-per-image" && value(v))
        opt.walks_per_image = static_cast<unsigned>(std::stoul(v));
      else if (a == "--levels" && value(v)) {
        if (v != "4" && v != "5") return usage();
        opt.rtl = v == "4" ? "l4" : "l5";
      } else if (a == "--rtl" && value(v))
        opt.rtl = v;
      else if (a == "--vcd" && value(v)) {
        opt.trace_path = v;
        opt.trace_format = TraceFormat::Vcd;
      } else if (a == "--fst" && value(v)) {
        opt.trace_path = v;
        opt.trace_format = TraceFormat::Fst;
      } else if (a == "--wave-dir" && value(v))
        opt.wave_dir = v;
      else if (a == "--backpressure")
        opt.backpressure = true;
      else if (a == "--reset-walks" && value(v)) {
        opt.stimulus.reset_permille = static_cast<unsigned>(std::stoul(v));
        if (opt.stimulus.reset_permille > 1000) return usage();
      } else if (a == "--random-init")
        opt.stimulus.random_init = 0x5eed;  // mixed with --seed and the image number
      else if (a == "--no-noise")
        opt.stimulus.noise = false;
      else if (a == "--inject-bug" && value(v)) {
        if (!parse_inject(v, opt.inject)) return usage();
      } else if (a == "-h" || a == "--help") {
        usage();
        return 0;
      } else {
        return usage();
      }
    } catch (const std::exception&) {
      return usage();
    }
  }
  if (opt.latency < 1 || opt.walks_per_image == 0) return usage();
  Summary s;
  try {
    s = run(opt, std::cout);
  } catch (const std::exception& e) {
    std::cerr << "cosim: " << e.what() << "\n";
    return 2;
  }
  std::cout << "modes: native " << s.per_mode[0] << ", nested " << s.per_mode[1] << ", shadow " << s.per_mode[2]
            << ", agile " << s.per_mode[3] << "; translations " << s.ok_walks << ", faults " << (s.walks - s.ok_walks)
            << "; refs " << s.refs << "\n";
  std::cout << "writes " << s.writes << " in " << s.walks_with_writes << " walks (nested-leaf D for guest pages "
            << s.guest_page_d << "); nested permission faults: final gPA " << s.nested_perm_final << ", guest table "
            << s.nested_perm_table << ", guest table write " << s.nested_perm_table_write << "; backpressure "
            << (opt.backpressure ? "on" : "off") << ", stall cycles " << s.stall_cycles << "\n";
  std::cout << "stimulus: request inputs and roots " << (opt.stimulus.noise ? "random" : "held")
            << " outside the handshake; walks cut by reset " << s.resets << "; initial register values "
            << (opt.stimulus.random_init ? "random" : "zero") << "\n";
  std::cout << "faults:";
  for (unsigned k = 1; k < 6; ++k)
    std::cout << " " << pt::to_string(static_cast<pt::FaultKind>(k)) << " " << s.per_fault_kind[k];
  std::cout << "; stages:";
  for (unsigned k = 1; k < 6; ++k)
    std::cout << " " << pt::to_string(static_cast<pt::Stage>(k)) << " " << s.per_stage[k];
  std::cout << "\nagile switch levels: never " << s.per_switch_level[0];
  for (unsigned l = 0; l <= 5; ++l) std::cout << ", " << l << ": " << s.per_switch_level[l + 1];
  std::cout << "; page sizes: 4K " << s.per_size[0] << ", 2M " << s.per_size[1] << ", 1G " << s.per_size[2] << "\n";
  if (s.coverage) {
    s.coverage->model().print_summary(std::cout);
    try {
      s.coverage->model().write_json(coverage_path);
    } catch (const std::exception& e) {
      std::cerr << "cosim: " << e.what() << "\n";
      return 2;
    }
  }
  std::cout << s.walks << " walks, " << s.mismatches << " mismatches\n";
  const double t = s.seconds > 0 ? s.seconds : 1e-9;
  std::cout << static_cast<uint64_t>(s.walks / t) << " walks/s, " << static_cast<uint64_t>(s.rtl_cycles / t)
            << " RTL cycles/s (" << s.seconds << " s)\n";
  return s.mismatches == 0 ? 0 : 1;
}

}  // namespace agilemmu::cosim
