#include "cosim/scoreboard.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace agilemmu::cosim {

bool parse_inject(const std::string& s, Inject& out) {
  for (Inject k : {Inject::None, Inject::Selector, Inject::Present, Inject::Latency})
    if (s == to_string(k)) { out = k; return true; }
  return false;
}
const char* to_string(Inject k) {
  switch (k) {
    case Inject::None: return "none";
    case Inject::Selector: return "selector";
    case Inject::Present: return "present";
    case Inject::Latency: return "latency";
  }
  return "?";
}

// Serves the RTL's reads from PhysMem and advances the golden walk by one step per RTL
// reference, so both consume the same image in the same order.
class Scoreboard::Server final : public MemServer {
 public:
  explicit Server(Scoreboard& sb) : sb_(sb) {}
  uint64_t read(const pt::MemRef& ref, unsigned index) override {
    while (sb_.golden_.needs_mem() && sb_.golden_.next_ref().write) sb_.golden_.feed(0);  // TODO(rtl A/D): compare writes
    if (sb_.golden_.needs_mem()) sb_.golden_.feed(sb_.mem_.read64(sb_.golden_.next_ref().addr));
    uint64_t v = sb_.mem_.read64(ref.addr);
    switch (sb_.inject_) {
      case Inject::Selector:
        if (ref.table == pt::Table::Compound) v ^= 1ull << sb_.rtl_.format().selector_bit;
        break;
      case Inject::Present:
        if (index == 0 && sb_.walks_ % 8 == 0) v &= ~pt::pte::P;
        break;
      default: break;
    }
    return v;
  }
  uint32_t extra_latency(unsigned index) override { return sb_.inject_ == Inject::Latency && index == 1 ? 1 : 0; }

 private:
  Scoreboard& sb_;
};

Scoreboard::Scoreboard(RtlWalker& rtl, const pt::PhysMem& mem, uint32_t latency, Inject inject, pt::WalkTiming timing)
    : rtl_(rtl), mem_(mem), latency_(latency), inject_(inject), timing_(timing) {}

bool Scoreboard::check(const pt::Roots& roots, const pt::WalkRequest& req) {
  roots_ = roots;
  req_ = req;
  golden_.start(rtl_.format(), roots, req);
  Server server(*this);
  rtl_res_ = rtl_.run(roots, req, server, latency_);
  while (golden_.needs_mem()) golden_.feed(golden_.next_ref().write ? 0 : mem_.read64(golden_.next_ref().addr));  // RTL stopped early
  ++walks_;
  diff_ = compare();
  return diff_.empty();
}

std::string Scoreboard::compare() const {
  const pt::WalkResult& g = golden();
  const pt::WalkResult& r = rtl_res_.r;
  if (rtl_res_.hung) return "RTL produced no result (hang)";
  const unsigned n = g.nrefs < rtl_res_.nrefs ? g.nrefs : rtl_res_.nrefs;
  for (unsigned i = 0; i < n && i < pt::kMaxRefs; ++i)
    if (g.refs[i] != r.refs[i]) return "memory reference #" + std::to_string(i);
  if (g.nrefs != rtl_res_.nrefs) return "number of memory references";
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
  char b[80];
  std::snprintf(b, sizeof b, "0x%013llx %-8s %-8s L%u", static_cast<unsigned long long>(r.addr), pt::to_string(r.port),
                pt::to_string(r.table), r.level);
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
       << " level=" << std::dec << unsigned(w.fault.level) << std::hex << " addr=0x" << w.fault.addr
       << " error_code=0x" << w.fault.error_code;
  os << std::dec << " switch_level=" << int(w.switch_level) << " nrefs=" << unsigned(w.nrefs);
  return os.str();
}
}  // namespace

void Scoreboard::report(std::ostream& os) const {
  const pt::Format& f = rtl_.format();
  os << "MISMATCH in walk #" << (walks_ - 1) << ": " << (diff_.empty() ? "none" : diff_) << "\n";
  os << std::hex << "  request: va=0x" << req_.va << std::dec << " mode=" << pt::to_string(req_.mode)
     << " access=" << pt::to_string(req_.access) << " user=" << req_.user << "\n";
  os << std::hex << "  roots: hroot=0x" << roots_.hroot << " groot=0x" << roots_.groot << " nroot=0x" << roots_.nroot
     << " sroot=0x" << roots_.sroot << " croot=0x" << roots_.croot << std::dec << " croot_is_gpa=" << roots_.croot_is_gpa
     << "\n";
  os << "  format: levels=" << f.levels << " nested_levels=" << f.nested_levels << " maxphyaddr=" << f.maxphyaddr
     << " selector_bit=" << f.selector_bit << " nx=" << f.nx_enabled << "  latency=" << latency_
     << " inject=" << to_string(inject_) << "\n";
  os << "  golden: " << result_str(golden()) << "\n";
  os << "  rtl:    " << (rtl_res_.hung ? std::string("HUNG") : result_str(rtl_res_.r)) << "\n";
  os << "  cycles: golden " << expected_cycles() << "  rtl " << rtl_res_.cycles << "\n";
  char line[200];
  std::snprintf(line, sizeof line, "  %-3s %-40s %-40s\n", "#", "golden reference", "rtl reference");
  os << line;
  const unsigned n = std::max<unsigned>(golden().nrefs, rtl_res_.r.nrefs);
  for (unsigned i = 0; i < n; ++i) {
    const std::string g = i < golden().nrefs ? ref_str(golden().refs[i]) : "-";
    const std::string r = i < rtl_res_.r.nrefs ? ref_str(rtl_res_.r.refs[i]) : "-";
    const bool same = i < golden().nrefs && i < rtl_res_.r.nrefs && golden().refs[i] == rtl_res_.r.refs[i];
    std::snprintf(line, sizeof line, "%s %-3u %-40s %-40s\n", same ? " " : "*", i, g.c_str(), r.c_str());
    os << line;
  }
}

}  // namespace agilemmu::cosim
