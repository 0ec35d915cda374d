#include "cosim/scoreboard.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <sstream>

#include <agilemmu/pt/hash.h>

namespace agilemmu::cosim {

bool parse_inject(const std::string& s, Inject& out) {
  for (Inject k : {Inject::None, Inject::Selector, Inject::Present, Inject::Latency, Inject::Ready})
    if (s == to_string(k)) {
      out = k;
      return true;
    }
  return false;
}
const char* to_string(Inject k) {
  switch (k) {
    case Inject::None:
      return "none";
    case Inject::Selector:
      return "selector";
    case Inject::Present:
      return "present";
    case Inject::Latency:
      return "latency";
    case Inject::Ready:
      return "ready";
  }
  return "?";
}

// Serves the RTL's references from PhysMem (performing its writes there) and advances the golden
// walk by one step per RTL reference, so both consume the same image in the same order: the
// golden walk's writes are not performed, the RTL's are, and the golden walk's next reads see
// them. A wrong RTL write shows up at its own reference first, so the run stops there.
class Scoreboard::Server final : public MemServer {
 public:
  // The generator only with backpressure: seeding a mt19937_64 (312 words) per walk was a quarter
  // of a plain co-simulation's time.
  explicit Server(Scoreboard& sb) : sb_(sb), bp_(sb.bp_.enabled) {
    if (bp_) rng_.emplace(walk_seed(sb.bp_.seed, sb.walks_));
    busy_seed_ = walk_seed(sb.bp_.seed ^ 0x7e9, sb.walks_);
  }
  uint64_t read(const pt::MemRef& ref, unsigned index) override {
    step_golden();
    uint64_t v = sb_.mem_.read64(ref.addr);
    switch (sb_.inject_) {
      case Inject::Selector:
        if (ref.table == pt::Table::Compound) v ^= 1ull << sb_.rtl_.format().selector_bit;
        break;
      case Inject::Present:
        if (index == 0 && sb_.walks_ % 8 == 0) v &= ~pt::pte::P;
        break;
      default:
        break;
    }
    return v;
  }
  uint64_t write(const pt::MemRef& ref, unsigned) override {
    step_golden();
    const uint64_t old = sb_.mem_.read64(ref.addr);
    sb_.undo_.emplace_back(ref.addr, old);
    sb_.mem_.write64(ref.addr, ref.data);
    return old;
  }
  // Mostly the base latency, often a few cycles more, now and then a long one.
  uint32_t latency(unsigned, uint32_t base) override {
    if (!bp_) return base;
    const uint64_t k = rnd(100);
    if (k < 55) return base;
    if (k < 93) return base + 1 + static_cast<uint32_t>(rnd(6));
    return base + 10 + static_cast<uint32_t>(rnd(40));
  }
  uint32_t extra_latency(unsigned index) override { return sb_.inject_ == Inject::Latency && index == 1 ? 1 : 0; }
  bool req_ready() override { return !bp_ || stretch(req_low_, 20); }
  bool rsp_ready() override { return !bp_ || stretch(rsp_low_, 30); }
  bool ready_seen_by_rtl(bool ready) override { return sb_.inject_ == Inject::Ready || ready; }
  // In 10% of the cycles (a hash, so the stall draws above stay as they were).
  bool request_while_busy() override { return bp_ && pt::mix64(busy_seed_ + ++cycle_ * pt::kGoldenGamma) % 10 == 0; }

 private:
  static uint64_t walk_seed(uint64_t seed, uint64_t walk) {
    return pt::mix64(seed * pt::kGoldenGamma ^ (walk + 0x632be59bd9b4e019ull));
  }
  uint64_t rnd(uint64_t n) { return (*rng_)() % n; }
  // High, or low for a stretch of 1..8 cycles that starts with `percent` % chance per cycle.
  bool stretch(unsigned& left, unsigned percent) {
    if (left) {
      --left;
      return false;
    }
    if (rnd(100) < percent) {
      left = static_cast<unsigned>(rnd(8));
      return false;
    }
    return true;
  }
  void step_golden() {
    pt::Walk& g = sb_.golden_;
    if (!g.needs_mem()) return;
    g.feed(g.next_ref().write ? 0 : sb_.mem_.read64(g.next_ref().addr));
  }

  Scoreboard& sb_;
  bool bp_;
  std::optional<std::mt19937_64> rng_;
  unsigned req_low_ = 0, rsp_low_ = 0;
  uint64_t busy_seed_ = 0, cycle_ = 0;
};

Scoreboard::Scoreboard(RtlWalker& rtl, pt::PhysMem& mem, uint32_t latency, Inject inject, pt::WalkTiming timing,
                       Backpressure bp, StimulusOptions stim)
    : rtl_(rtl), mem_(mem), latency_(latency), inject_(inject), timing_(timing), bp_(bp), stim_(stim) {}

bool Scoreboard::check(const pt::Roots& roots, const pt::WalkRequest& req) {
  roots_ = roots;
  req_ = req;
  undo_.clear();
  Stimulus stim(stim_, bp_.seed, walks_);
  golden_.start(rtl_.format(), roots, req);
  {
    Server server(*this);
    rtl_res_ = rtl_.run(roots, req, server, latency_, &stim);
  }
  cut_ = rtl_res_.reset ? stim.reset_after() : 0;
  if (rtl_res_.reset && rtl_res_.protocol.empty() && rtl_res_.assertion.empty()) {
    // Cut by reset: the same request again, from the image its writes left.
    ++resets_;
    stim.cancel_reset();
    golden_.start(rtl_.format(), roots, req);
    Server server(*this);
    rtl_res_ = rtl_.run(roots, req, server, latency_, &stim);
  }
  // The RTL stopped early: finish the golden walk on the image as it is.
  while (golden_.needs_mem()) golden_.feed(golden_.next_ref().write ? 0 : mem_.read64(golden_.next_ref().addr));
  ++walks_;
  diff_ = compare();
  return diff_.empty();
}

void Scoreboard::undo_last_walk() {
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) mem_.write64(it->first, it->second);
  undo_.clear();
}

std::string Scoreboard::compare() const {
  const pt::WalkResult& g = golden();
  const pt::WalkResult& r = rtl_res_.r;
  if (!rtl_res_.assertion.empty()) return "assertion (rtl/sva) " + rtl_res_.assertion;
  if (rtl_res_.reset) return rtl_res_.protocol;
  if (rtl_res_.hung)
    return "RTL produced no result (hang)" + (rtl_res_.protocol.empty() ? std::string() : "; " + rtl_res_.protocol);
  if (!rtl_res_.protocol.empty()) return "handshake: " + rtl_res_.protocol;
  const unsigned n = g.nrefs < rtl_res_.nrefs ? g.nrefs : rtl_res_.nrefs;
  for (unsigned i = 0; i < n && i < pt::kMaxRefs; ++i)
    if (g.refs[i] != r.refs[i]) return "memory reference #" + std::to_string(i);
  if (g.nrefs != rtl_res_.nrefs) return "number of memory references";
  if (g.nwrites != rtl_res_.nwrites) return "number of writes";
  if (g.ok != r.ok) return "ok";
  if (g.switch_level != r.switch_level) return "switch_level";
  if (g.ok) {
    if (g.tr.hpa != r.tr.hpa) return "hpa";
    if (g.tr.gpa != r.tr.gpa) return "gpa";
    if (g.tr.size != r.tr.size) return "page size";
    if (!(g.tr.perms == r.tr.perms)) return "perms";
  } else {
    if (g.fault.stage != r.fault.stage) return "fault stage";
    if (g.fault.kind != r.fault.kind) return "fault kind";
    if (g.fault.level != r.fault.level) return "fault level";
    if (g.fault.addr != r.fault.addr) return "fault addr";
    if (g.fault.error_code != r.fault.error_code) return "fault error_code";
  }
  if (expected_cycles() != rtl_res_.cycles) return "cycles";
  return {};
}

namespace {
std::string ref_str(const pt::MemRef& r) {
  char b[96];
  if (r.write)
    std::snprintf(b, sizeof b, "W 0x%013llx %-8s %-8s L%u =0x%llx", static_cast<unsigned long long>(r.addr),
                  pt::to_string(r.port), pt::to_string(r.table), r.level, static_cast<unsigned long long>(r.data));
  else
    std::snprintf(b, sizeof b, "R 0x%013llx %-8s %-8s L%u", static_cast<unsigned long long>(r.addr),
                  pt::to_string(r.port), pt::to_string(r.table), r.level);
  return b;
}
std::string result_str(const pt::WalkResult& w) {
  std::ostringstream os;
  os << std::hex;
  if (w.ok)
    os << "ok hpa=0x" << w.tr.hpa << " gpa=0x" << w.tr.gpa << " size=" << pt::to_string(w.tr.size)
       << " perms=" << pt::to_string(w.tr.perms);
  else
    os << "fault stage=" << pt::to_string(w.fault.stage) << " kind=" << pt::to_string(w.fault.kind)
       << " level=" << std::dec << unsigned(w.fault.level) << std::hex << " addr=0x" << w.fault.addr << " error_code=0x"
       << w.fault.error_code;
  os << std::dec << " switch_level=" << int(w.switch_level) << " nrefs=" << unsigned(w.nrefs)
     << " nwrites=" << unsigned(w.nwrites);
  return os.str();
}
}  // namespace

void Scoreboard::report(std::ostream& os) const {
  const pt::Format& f = rtl_.format();
  os << "MISMATCH in walk #" << (walks_ - 1) << ": " << (diff_.empty() ? "none" : diff_) << "\n";
  os << std::hex << "  request: va=0x" << req_.va << std::dec << " mode=" << pt::to_string(req_.mode)
     << " access=" << pt::to_string(req_.access) << " user=" << req_.user << "\n";
  os << std::hex << "  roots: hroot=0x" << roots_.hroot << " groot=0x" << roots_.groot << " nroot=0x" << roots_.nroot
     << " sroot=0x" << roots_.sroot << " croot=0x" << roots_.croot << std::dec
     << " croot_is_gpa=" << roots_.croot_is_gpa << "\n";
  os << "  format: levels=" << f.levels << " nested_levels=" << f.nested_levels << " maxphyaddr=" << f.maxphyaddr
     << " selector_bit=" << f.selector_bit << " nx=" << f.nx_enabled << " nested_ad=" << f.nested_ad
     << "  latency=" << latency_ << " backpressure=" << (bp_.enabled ? "on" : "off") << " inject=" << to_string(inject_)
     << "\n";
  os << "  stimulus: request inputs and roots " << (stim_.noise ? "random" : "held") << " outside the handshake";
  if (cut_) os << "; rst_n pulled low " << cut_ << " cycles into the walk, which then ran again";
  os << "\n";
  if (!rtl_res_.assertion.empty()) os << "  assertion: " << rtl_res_.assertion << " (the %Error line above names it)\n";
  os << "  golden: " << result_str(golden()) << "\n";
  os << "  rtl:    " << (rtl_res_.hung ? std::string("HUNG") : result_str(rtl_res_.r)) << "\n";
  os << "  cycles: expected " << expected_cycles() << " (start " << timing_.start_cycles << " + "
     << unsigned(golden().nrefs) << " refs x step " << timing_.step_cycles << " + memory " << rtl_res_.mem_cycles
     << " + stalls " << rtl_res_.stall_cycles << ")  rtl " << rtl_res_.cycles << "\n";
  if (!rtl_res_.protocol.empty()) os << "  handshake: " << rtl_res_.protocol << "\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-3s %-60s %-60s\n", "#", "golden reference", "rtl reference");
  os << line;
  const unsigned n = std::max<unsigned>(golden().nrefs, rtl_res_.r.nrefs);
  for (unsigned i = 0; i < n; ++i) {
    const std::string g = i < golden().nrefs ? ref_str(golden().refs[i]) : "-";
    const std::string r = i < rtl_res_.r.nrefs ? ref_str(rtl_res_.r.refs[i]) : "-";
    const bool same = i < golden().nrefs && i < rtl_res_.r.nrefs && golden().refs[i] == rtl_res_.r.refs[i];
    std::snprintf(line, sizeof line, "%s %-3u %-60s %-60s\n", same ? " " : "*", i, g.c_str(), r.c_str());
    os << line;
  }
}

}  // namespace agilemmu::cosim
