// The comparison of the walk-unit co-simulation (tb/cosim/unit_cosim.h): the same requests to
// both sides, then per request the result, references and cycles, and the final memory images.
#include "cosim/unit_cosim.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <random>
#include <set>
#include <string>

#include <agilemmu/pt/format.h>
#include <agilemmu/pt/print.h>

#include "cosim/coverage.h"
#include "cosim/image_gen.h"
#include "cosim/unit_model.h"
#include "cosim/unit_rtl.h"

namespace agilemmu::cosim::unit {
namespace {

using pt::hex;

std::string describe(const Outcome& o) {
  std::string s = o.ok ? "ok hpa=" + hex(o.hpa) : "fault " + pt::describe(o.fault);
  return s + " sent@" + std::to_string(o.sent) + " done@" + std::to_string(o.completed) +
         " refs=" + std::to_string(o.refs.size());
}
std::string describe(const Ref& r) {
  return std::string(r.write ? "W " : "R ") + hex(r.addr) + " port" + std::to_string(r.port) + " tbl" +
         std::to_string(r.table) + " L" + std::to_string(r.level) + " w" + std::to_string(r.walker) + " @" +
         std::to_string(r.accept) + "->" + std::to_string(r.response);
}

// Coverage of the compared run (the model side's outcomes, which equal the RTL's where it
// matters): each walk's PWC hit level by the requests in flight when it arrived; the RTL
// side's handshake stalls by walker state.
void write_coverage(const Options& o, const pt::Format& fmt, unsigned walkers, unsigned entries,
                    const std::vector<pt::WalkRequest>& reqs, const SideResult& side, const UnitStalls& stalls) {
  cov::UnitCoverage c(fmt, walkers, entries,
                      "unit-cosim --rtl " + o.rtl + " --mode " + pt::to_string(o.mode) + " --seed " +
                          std::to_string(o.seed) + " --requests " + std::to_string(reqs.size()));
  std::vector<size_t> order(reqs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return side.out[a].sent < side.out[b].sent; });
  std::multiset<uint64_t> ends;  // completion cycles of the requests in flight
  std::vector<std::pair<pt::Table, unsigned>> reads;
  for (size_t i : order) {
    const Outcome& x = side.out[i];
    ends.erase(ends.begin(), ends.lower_bound(x.sent));
    reads.clear();
    for (const Ref& r : x.refs)
      if (!r.write) reads.emplace_back(static_cast<pt::Table>(r.table), r.level);
    c.sample(reads, static_cast<unsigned>(ends.size()) + 1);
    ends.insert(x.completed);
  }
  c.sample_stalls(stalls);
  c.model().print_summary(std::cout);
  c.model().write_json(o.coverage);
}

// The requests: the image's draws (native ones stay native, the others take the run's mode),
// `reuse`% of them aimed again at the page of one of the last eight (another offset, access,
// privilege), so walks of one page meet (merge) and PWC entries are hit.
std::vector<pt::WalkRequest> make_requests(const Options& o, const pt::Format& f) {
  std::vector<pt::WalkRequest> reqs;
  Image img(f, o.seed);
  std::mt19937_64 rng(o.seed * 31 + 7);
  for (uint64_t i = 0; i < o.requests; ++i) {
    pt::WalkRequest r = img.next_request();
    if (r.mode != pt::Mode::Native) r.mode = o.mode;
    if (!reqs.empty() && rng() % 100 < o.reuse) {
      const pt::WalkRequest& p = reqs[reqs.size() - 1 - rng() % std::min<size_t>(8, reqs.size())];
      r.va = (p.va & ~0xfffull) | (rng() & 0xff8);
      r.mode = p.mode;
      r.access = static_cast<pt::Access>(rng() % 3);
      r.user = rng() & 1;
    }
    reqs.push_back(r);
  }
  return reqs;
}

uint64_t entry(const FinalImage& img, uint64_t addr) {
  const auto it = img.find(addr);
  return it == img.end() ? 0 : it->second;
}

}  // namespace

uint64_t run(const Options& o) {
  const Build b = find_build(o.rtl);
  const unsigned walkers = b.walkers, entries = b.entries, ways = b.ways;
  const pt::Format& fmt = b.fmt;
  const std::vector<pt::WalkRequest> reqs = make_requests(o, fmt);
  const SideResult rtl = run_rtl(o, b, reqs);
  const SideResult model = run_model(o, b, reqs);

  uint64_t mismatches = 0;
  auto report = [&](const std::string& what) {
    if (++mismatches <= 5) std::printf("MISMATCH %s\n", what.c_str());
  };
  if (!rtl.error.empty()) report("RTL: " + rtl.error);
  if (!model.error.empty()) report("model: " + model.error);
  if (model.restarts) report("the Mmu walked " + std::to_string(model.restarts) + " walks again (stale)");
  uint64_t faults = 0, refs = 0, writes = 0;
  for (size_t i = 0; i < reqs.size(); ++i) {
    const Outcome& a = rtl.out[i];
    const Outcome& b = model.out[i];
    faults += b.done && !b.ok;
    refs += b.refs.size();
    for (const Ref& r : b.refs) writes += r.write;
    const bool same_result =
        a.done == b.done && a.ok == b.ok && a.hpa == b.hpa &&
        (a.ok || (a.fault.stage == b.fault.stage && a.fault.kind == b.fault.kind && a.fault.level == b.fault.level &&
                  a.fault.addr == b.fault.addr && a.fault.error_code == b.fault.error_code));
    if (o.verbose && i < 64) {
      std::printf("#%zu va=%s %s %s\n  rtl:   %s\n  model: %s\n", i, hex(reqs[i].va).c_str(),
                  pt::to_string(reqs[i].mode), pt::to_string(reqs[i].access), describe(a).c_str(), describe(b).c_str());
      for (const Ref& x : a.refs) std::printf("    rtl   %s\n", describe(x).c_str());
      for (const Ref& x : b.refs) std::printf("    model %s\n", describe(x).c_str());
    }
    if (same_result && a.sent == b.sent && a.completed == b.completed && a.refs == b.refs) continue;
    const pt::WalkRequest& r = reqs[i];
    std::string msg = "request " + std::to_string(i) + " va=" + hex(r.va) + " " + pt::to_string(r.mode) + " " +
                      pt::to_string(r.access) + (r.user ? " user" : " supervisor") + "\n  rtl:   " + describe(a) +
                      "\n  model: " + describe(b);
    for (size_t k = 0; k < std::max(a.refs.size(), b.refs.size()); ++k) {
      const std::string x = k < a.refs.size() ? describe(a.refs[k]) : "-";
      const std::string y = k < b.refs.size() ? describe(b.refs[k]) : "-";
      char line[200];
      std::snprintf(line, sizeof line, "\n  %c%-3zu %-48s %s", x == y ? ' ' : '*', k, x.c_str(), y.c_str());
      msg += line;
    }
    report(msg);
  }
  std::set<uint64_t> addrs(rtl.written.begin(), rtl.written.end());
  addrs.insert(model.written.begin(), model.written.end());
  uint64_t differ = 0;
  for (uint64_t a : addrs) differ += entry(rtl.image, a) != entry(model.image, a);
  if (differ) report(std::to_string(differ) + " page-table entries differ after the run");

  std::printf("unit %s: walkers %u, pwc %u entries / %u ways, mode %s, latency %u + drawn, seed %llu\n", o.rtl.c_str(),
              walkers, entries, ways, pt::to_string(o.mode), o.latency, static_cast<unsigned long long>(o.seed));
  std::printf(
      "requests %zu (faults %llu), refs %llu (writes %llu), merged %llu, pwc hits %llu of %llu lookups, "
      "flushes %llu, max in flight %u, cycles %llu\n",
      reqs.size(), (unsigned long long)faults, (unsigned long long)refs, (unsigned long long)writes,
      (unsigned long long)model.coalesced, (unsigned long long)model.pwc_hits, (unsigned long long)model.pwc_lookups,
      (unsigned long long)model.flushes, model.max_in_flight, (unsigned long long)model.cycles);
  std::printf(
      "backpressure: mem-stall %u%%, rsp-stall %u%%; port conflicts resolved by priority %llu, results waiting "
      "together %llu, stall cycles: memory %llu, result %llu\n",
      o.mem_stall, o.rsp_stall, (unsigned long long)model.port_conflicts, (unsigned long long)model.rsp_conflicts,
      (unsigned long long)model.mem_stall_cycles, (unsigned long long)model.rsp_stall_cycles);
  // What a run of some size must have covered, or it proves little.
  if (reqs.size() >= 5000) {
    std::string missing;
    if (!faults) missing += " faults";
    if (walkers > 1 && !model.coalesced) missing += " merges";
    // (with 8 walkers, arrivals every 20 cycles rarely outlast the walks in flight: at least 4)
    if (walkers > 1 && model.max_in_flight < std::min(walkers, 4u)) missing += " walkers-busy";
    if (entries && !model.pwc_hits) missing += " pwc-hits";
    if (entries && !model.flushes) missing += " flushes";
    if (!writes) missing += " A/D-writes";
    // Backpressure only proves something if references and results met at the arbiters.
    if (walkers > 1 && o.mem_stall && !model.port_conflicts) missing += " port-conflicts";
    if (walkers > 1 && o.rsp_stall && !model.rsp_conflicts) missing += " results-waiting-together";
    if (!missing.empty()) report("coverage: none of" + missing);
  }
  if (!o.coverage.empty()) write_coverage(o, fmt, walkers, entries, reqs, model, rtl.stalls);
  std::printf("%zu requests, %llu mismatches\n", reqs.size(), (unsigned long long)mismatches);
  return mismatches;
}

}  // namespace agilemmu::cosim::unit
