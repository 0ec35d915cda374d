#include "cosim/coverage.h"

#include <fstream>
#include <stdexcept>
#include <utility>

namespace agilemmu::cosim::cov {

Cross::Cross(std::string name, std::string what, std::vector<std::vector<std::string>> dims, const Reason& why_not)
    : name_(std::move(name)), what_(std::move(what)), dims_(std::move(dims)) {
  size_t n = 1;
  for (const auto& d : dims_) n *= d.size();
  hits_.assign(n, 0);
  reasons_.resize(n);
  std::vector<unsigned> idx(dims_.size(), 0);
  for (size_t i = 0; i < n; ++i) {
    size_t r = i;
    for (size_t d = dims_.size(); d-- > 0;) {
      idx[d] = static_cast<unsigned>(r % dims_[d].size());
      r /= dims_[d].size();
    }
    reasons_[i] = why_not(idx);
  }
}

void Cross::hit(std::initializer_list<unsigned> idx, uint64_t n) {
  size_t i = 0, d = 0;
  for (unsigned v : idx) {
    if (d >= dims_.size() || v >= dims_[d].size()) throw std::logic_error("coverage " + name_ + ": value out of range");
    i = i * dims_[d++].size() + v;
  }
  if (d != dims_.size()) throw std::logic_error("coverage " + name_ + ": wrong number of values");
  // A hit on a bin declared unreachable is a wrong declaration: say so rather than hide it.
  if (!reasons_[i].empty())
    throw std::logic_error("coverage " + name_ + ": bin " + bin_name(i) + " was hit but is declared unreachable (" +
                           reasons_[i] + ")");
  hits_[i] += n;
}

std::string Cross::bin_name(size_t i) const {
  std::string s;
  for (size_t d = dims_.size(); d-- > 0;) {
    s = dims_[d][i % dims_[d].size()] + (s.empty() ? "" : "/") + s;
    i /= dims_[d].size();
  }
  return s;
}

Cross& Model::add(std::string name, std::string what, std::vector<std::vector<std::string>> dims,
                  const Cross::Reason& why_not) {
  crosses_.emplace_back(std::move(name), std::move(what), std::move(dims), why_not);
  return crosses_.back();
}

namespace {
std::string quoted(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}
}  // namespace

void Model::write_json(std::ostream& os) const {
  os << "{\"format\": \"agilemmu-coverage-1\", \"runs\": [" << quoted(run_) << "],\n \"crosses\": {";
  for (size_t c = 0; c < crosses_.size(); ++c)
    os << (c ? ", " : "") << quoted(crosses_[c].name()) << ": " << quoted(crosses_[c].what());
  os << "},\n \"bins\": [";
  bool first = true;
  for (const Cross& x : crosses_)
    for (size_t i = 0; i < x.size(); ++i) {
      os << (first ? "\n  " : ",\n  ") << "{\"cross\": " << quoted(x.name()) << ", \"bin\": " << quoted(x.bin_name(i))
         << ", \"hits\": " << x.hits(i);
      if (!x.unreachable(i).empty()) os << ", \"unreachable\": " << quoted(x.unreachable(i));
      os << "}";
      first = false;
    }
  os << "\n]}\n";
}

void Model::write_json(const std::string& path) const {
  std::ofstream f(path);
  if (!f) throw std::runtime_error("cannot write coverage file " + path);
  write_json(f);
  if (!f) throw std::runtime_error("cannot write coverage file " + path);
}

uint64_t Model::holes() const {
  uint64_t n = 0;
  for (const Cross& x : crosses_)
    for (size_t i = 0; i < x.size(); ++i) n += x.unreachable(i).empty() && !x.hits(i);
  return n;
}

void Model::print_summary(std::ostream& os) const {
  for (const Cross& x : crosses_) {
    size_t reachable = 0, hit = 0;
    std::vector<std::string> holes;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!x.unreachable(i).empty()) continue;
      ++reachable;
      if (x.hits(i))
        ++hit;
      else
        holes.push_back(x.bin_name(i));
    }
    os << "coverage " << x.name() << " (" << x.what() << "): " << x.size() << " bins, " << reachable << " reachable, "
       << hit << " hit";
    if (!holes.empty()) {
      os << "; HOLES:";
      for (size_t k = 0; k < holes.size() && k < 12; ++k) os << " " << holes[k];
      if (holes.size() > 12) os << " ... (" << holes.size() - 12 << " more)";
    }
    os << "\n";
  }
}

// ---------------- the walker co-simulation ----------------
namespace {
const std::vector<std::string> kModes = {"native", "nested", "shadow", "agile"};
const std::vector<std::string> kTables = {"native", "shadow", "compound", "guest", "nested"};  // pt::Table order
const std::vector<std::string> kLevels = {"L1", "L2", "L3", "L4", "L5"};
const std::vector<std::string> kSizes = {"4K", "2M", "1G"};
const auto kNested = unsigned(pt::Table::Nested);

// Which tables a walk of each mode reads (pt::Walk::start; agile reads guest and nested tables
// below a nested-style entry).
std::string article(const std::string& w) { return (w[0] == 'a' ? "an " : "a ") + w; }
bool mode_reads(unsigned mode, unsigned table) {
  switch (static_cast<pt::Mode>(mode)) {
    case pt::Mode::Native:
      return table == unsigned(pt::Table::Native);
    case pt::Mode::Shadow:
      return table == unsigned(pt::Table::Shadow);
    case pt::Mode::Nested:
      return table == unsigned(pt::Table::Guest) || table == kNested;
    case pt::Mode::Agile:
      return table >= unsigned(pt::Table::Compound);
  }
  return false;
}
std::string mode_reason(unsigned mode, unsigned table) {
  return mode_reads(mode, table) ? "" : article(kModes[mode]) + " walk reads no " + kTables[table] + " table";
}
unsigned table_levels(const pt::Format& f, unsigned table) { return table == kNested ? f.nested_levels : f.levels; }
// Levels 1..n of a table with n levels (level index li is level li + 1).
std::string level_reason(const pt::Format& f, unsigned table, unsigned li) {
  const unsigned n = table_levels(f, table);
  return li + 1 > n ? "the " + kTables[table] + " table has " + std::to_string(n) + " levels" : "";
}
// Leaves (and so permission checks and D) are at levels n-2 (1G) .. n (4K).
std::string leaf_reason(const pt::Format& f, unsigned table, unsigned li, const char* what) {
  const unsigned n = table_levels(f, table);
  return li + 3 < n ? std::string(what) + " only at a leaf (levels " + std::to_string(n - 2) + ".." +
                          std::to_string(n) + " of the " + kTables[table] + " table)"
                    : "";
}
unsigned stage_table(pt::Stage s) {  // pt::Stage Native..Nested -> pt::Table
  switch (s) {
    case pt::Stage::Native:
      return unsigned(pt::Table::Native);
    case pt::Stage::Shadow:
      return unsigned(pt::Table::Shadow);
    case pt::Stage::Compound:
      return unsigned(pt::Table::Compound);
    case pt::Stage::Guest:
      return unsigned(pt::Table::Guest);
    default:
      return kNested;
  }
}
}  // namespace

WalkerCoverage::WalkerCoverage(const pt::Format& f, const std::string& run) : fmt_(f), m_(run) {
  // Fault kinds with a stage (non-canonical has none: its own cross below), level 0 = before any read.
  const std::vector<std::string> kinds = {"not-present", "reserved-bit", "permission", "address-size"};
  const std::vector<std::string> flevels = {"L0", "L1", "L2", "L3", "L4", "L5"};
  const uint64_t always_reserved = f.reserved_always();
  fault_ = &m_.add("fault", "fault kind x stage (table) x level x mode", {kTables, kinds, flevels, kModes},
                   [&f, always_reserved](const std::vector<unsigned>& v) {
                     const unsigned t = v[0], k = v[1], l = v[2], mode = v[3];
                     if (std::string r = mode_reason(mode, t); !r.empty()) return r;
                     if (k == 3) {  // address-size: begin_nested, before the nested walk reads anything
                       if (t != kNested)
                         return std::string("address-size faults are the nested table's (a gPA wider than it maps)");
                       if (l != 0)
                         return std::string("an address-size fault is raised before any nested read (level 0)");
                       if (f.maxphyaddr <= f.gpa_bits())
                         return "MAXPHYADDR " + std::to_string(f.maxphyaddr) + " <= gPA width " +
                                std::to_string(f.gpa_bits()) +
                                ": a wider gPA is a reserved-bit fault of the entry holding it";
                       return std::string();
                     }
                     if (l == 0)
                       return std::string("only the nested address-size check faults before a read (level 0)");
                     if (std::string r = level_reason(f, t, l - 1); !r.empty()) return r;
                     if (k == 2) return leaf_reason(f, t, l - 1, "permissions are checked");
                     if (k == 1 && l == table_levels(f, t) && !always_reserved)
                       return "a level-" + std::to_string(l) +
                              " entry has no reserved bits (MAXPHYADDR 52, NX enabled; bit 7 is PAT)";
                     return std::string();
                   });
  nc_ = &m_.add("non-canonical", "#GP (no stage, no reference) x mode", {kModes},
                [](const std::vector<unsigned>&) { return std::string(); });
  gp_ = &m_.add("nested-permission", "nested permission fault: what was translated x nested leaf page size",
                {{"final-gpa", "guest-table", "guest-table-write"}, kSizes},
                [](const std::vector<unsigned>&) { return std::string(); });
  ad_ = &m_.add("ad", "A/D write of an entry read (A, D, A+D, none needed) x table x level",
                {{"A", "D", "A+D", "none"}, kTables, kLevels}, [&f](const std::vector<unsigned>& v) {
                  const unsigned c = v[0], t = v[1], l = v[2];
                  if (std::string r = level_reason(f, t, l); !r.empty()) return r;
                  if (t == kNested && !f.nested_ad && c != 3)
                    return std::string("NESTED_AD=0: walks write no nested A/D");
                  if (c == 1 || c == 2) return leaf_reason(f, t, l, "D is set");
                  return std::string();
                });
  gpd_ = &m_.add("guest-page-d",
                 "two queued writes: D of the nested leaf mapping a guest page-table page, then the guest entry's "
                 "A/D x guest level",
                 {kLevels}, [&f](const std::vector<unsigned>& v) {
                   if (!f.nested_ad) return std::string("NESTED_AD=0: no nested D write before a guest entry's");
                   return level_reason(f, unsigned(pt::Table::Guest), v[0]);
                 });
  size_ = &m_.add("page-size", "translations: leaf page size x table of the leaf (dimension)", {kSizes, kTables},
                  [](const std::vector<unsigned>&) { return std::string(); });
  eff_ = &m_.add("translation-size", "translations: effective page size x mode", {kSizes, kModes},
                 [](const std::vector<unsigned>&) { return std::string(); });
  switch_ = &m_.add("switch-level", "agile switch level (never, 0 = croot is a gPA, 1..L) x mode x outcome",
                    {{"never", "0", "L1", "L2", "L3", "L4", "L5"}, kModes, {"translation", "fault"}},
                    [&f](const std::vector<unsigned>& v) {
                      const unsigned s = v[0];
                      const auto mode = static_cast<pt::Mode>(v[1]);
                      if ((mode == pt::Mode::Native || mode == pt::Mode::Shadow) && s != 0)
                        return article(kModes[v[1]]) + " walk never goes nested";
                      if (mode == pt::Mode::Nested && s != 1)
                        return std::string("a nested walk reports switch level 0");
                      if (s >= 2 && s - 1 > f.levels)
                        return "the compound table has " + std::to_string(f.levels) + " levels";
                      return std::string();
                    });
  stall_ = &m_.add("stall", "cycles a handshake stalled x walker state (as the ports show it)",
                   {{"request", "mem-request", "mem-response", "result"},
                    {"S_IDLE", "S_FIRST_DIM_READ", "S_FIRST_DIM_WAIT", "S_NESTED_READ", "S_NESTED_WAIT", "S_DONE",
                     "S_FAULT", "S_WRITE", "S_WRITE_WAIT"}},
                   [](const std::vector<unsigned>& v) {
                     const auto h = static_cast<Stall>(v[0]);
                     const auto s = static_cast<PortState>(v[1]);
                     switch (h) {
                       case Stall::Request:
                         return s == PortState::Idle
                                    ? std::string("req_ready is high in S_IDLE: a request there is taken")
                                    : std::string();
                       case Stall::MemRequest:
                         return s == PortState::FirstDimRead || s == PortState::NestedRead || s == PortState::Write
                                    ? std::string()
                                    : std::string("mem_req_valid only in S_FIRST_DIM_READ, S_NESTED_READ, S_WRITE");
                       case Stall::MemResponse:
                         return s == PortState::FirstDimWait || s == PortState::NestedWait || s == PortState::WriteWait
                                    ? std::string()
                                    : std::string("a reference is outstanding only in the *_WAIT states");
                       case Stall::Result:
                         return s == PortState::Done || s == PortState::Fault
                                    ? std::string()
                                    : std::string("rsp_valid only in S_DONE, S_FAULT");
                     }
                     return std::string();
                   });
}

void WalkerCoverage::sample(const pt::WalkRequest& req, const pt::WalkResult& g, const RtlResult& rtl) {
  const auto mode = unsigned(req.mode);
  const unsigned n = g.nrefs < pt::kMaxRefs ? g.nrefs : pt::kMaxRefs;
  if (g.ok) {
    // The first-dimension leaf is the last read of a table other than the nested one; a walk
    // that ends in the nested dimension read the final gPA's nested leaf last.
    int first = -1, last = -1;
    for (unsigned k = 0; k < n; ++k) {
      if (g.refs[k].write) continue;
      last = static_cast<int>(k);
      if (g.refs[k].table != pt::Table::Nested) first = static_cast<int>(k);
    }
    if (first >= 0) {
      const pt::MemRef& r = g.refs[first];
      size_->hit({unsigned(pt::Format::size_at(fmt_.levels, r.level)), unsigned(r.table)});
    }
    if (last >= 0 && g.refs[last].table == pt::Table::Nested)
      size_->hit({unsigned(pt::Format::size_at(fmt_.nested_levels, g.refs[last].level)), kNested});
    eff_->hit({unsigned(g.tr.size), mode});
  } else if (g.fault.kind == pt::FaultKind::NonCanonical) {
    nc_->hit({mode});
  } else {
    const unsigned kind = g.fault.kind == pt::FaultKind::AddressSize ? 3 : unsigned(g.fault.kind) - 1;
    fault_->hit({stage_table(g.fault.stage), kind, g.fault.level, mode});
    if (g.fault.stage == pt::Stage::Nested && g.fault.kind == pt::FaultKind::Permission) {
      const unsigned what = (g.fault.error_code & pt::ec::FINAL) ? 0 : (g.fault.error_code & pt::ec::W) ? 2 : 1;
      gp_->hit({what, unsigned(pt::Format::size_at(fmt_.nested_levels, g.fault.level))});
    }
  }
  // A/D: each write by the bits it sets; a read followed by no write of its entry needed none
  // (its own write comes right after it, or after the nested-leaf D write of its guest page).
  // The last read of a faulting walk is left out: it may have faulted before its write.
  int last_read = -1;
  for (unsigned k = 0; k < n; ++k)
    if (!g.refs[k].write) last_read = static_cast<int>(k);
  for (unsigned k = 0; k < n; ++k) {
    const pt::MemRef& r = g.refs[k];
    if (r.write) {
      const uint64_t set = (r.data & ~r.old) & (pt::pte::A | pt::pte::D);
      const unsigned c = set == (pt::pte::A | pt::pte::D) ? 2 : set == pt::pte::D ? 1 : 0;
      ad_->hit({c, unsigned(r.table), r.level - 1u});
      if (k && r.table == pt::Table::Guest && g.refs[k - 1].write && g.refs[k - 1].table == pt::Table::Nested)
        gpd_->hit({r.level - 1u});
      continue;
    }
    if (!g.ok && static_cast<int>(k) == last_read) continue;
    bool written = false;
    for (unsigned j = k + 1; j < n && j <= k + 2 && g.refs[j].write; ++j) written |= g.refs[j].addr == r.addr;
    if (!written) ad_->hit({3, unsigned(r.table), r.level - 1u});
  }
  switch_->hit({unsigned(g.switch_level + 1), mode, g.ok ? 0u : 1u});
  for (size_t h = 0; h < kStalls; ++h)
    for (size_t s = 0; s < kPortStates; ++s)
      if (rtl.stalls[h][s]) stall_->hit({unsigned(h), unsigned(s)}, rtl.stalls[h][s]);
}

// ---------------- the walk unit co-simulation ----------------
UnitCoverage::UnitCoverage(const pt::Format& f, unsigned walkers, unsigned pwc_entries, const std::string& run)
    : m_(run) {
  pwc_ = &m_.add("pwc-hit", "PWC hit level (miss, level of the cached entry) x requests in flight at its arrival",
                 {{"miss", "L1", "L2", "L3", "L4"}, {"1", "2", "3-4", "5-8"}},
                 [&f, walkers, pwc_entries](const std::vector<unsigned>& v) {
                   static constexpr unsigned kLow[] = {1, 2, 3, 5};
                   if (kLow[v[1]] > walkers)
                     return std::to_string(walkers) + " walkers: at most " + std::to_string(walkers) + " in flight";
                   if (v[0] == 0) return std::string();
                   if (!pwc_entries) return std::string("no PWC (PWC_ENTRIES 0)");
                   if (v[0] >= f.levels)
                     return "the PWC holds non-leaf entries (levels 1.." + std::to_string(f.levels - 1) + ")";
                   return std::string();
                 });
  // (The request channel never stalls here: the traffic offers a request only when a walker is
  // free, as the Mmu takes each at once, and the harness fails a run whose unit refuses one.)
  stall_ = &m_.add(
      "unit-stall", "cycles a handshake of the unit stalled x walker state (as the unit's ports show it)",
      {{"cmem-request", "nmem-request", "mem-response", "result"},
       {"S_FIRST_DIM_READ", "S_NESTED_READ", "S_WRITE", "S_FIRST_DIM_WAIT", "S_NESTED_WAIT", "S_WRITE_WAIT", "S_DONE",
        "S_FAULT"}},
      [&f](const std::vector<unsigned>& v) {
        const auto h = static_cast<unit::UnitStall>(v[0]);
        const auto s = static_cast<unit::UnitState>(v[1]);
        using St = unit::UnitState;
        switch (h) {
          case unit::UnitStall::CompoundRequest:
            return s == St::FirstDimRead || s == St::Write
                       ? std::string()
                       : std::string("the compound port carries first-dimension reads and their A/D writes");
          case unit::UnitStall::NestedRequest:
            if (s == St::Write && !f.nested_ad) return std::string("NESTED_AD = 0: no nested A/D writes");
            return s == St::NestedRead || s == St::Write
                       ? std::string()
                       : std::string("the nested port carries nested reads and nested A/D writes");
          case unit::UnitStall::MemResponse:
            return s == St::FirstDimWait || s == St::NestedWait || s == St::WriteWait
                       ? std::string()
                       : std::string("a reference is outstanding only in the *_WAIT states");
          case unit::UnitStall::Result:
            return s == St::Done || s == St::Fault ? std::string() : std::string("rsp_valid only in S_DONE, S_FAULT");
        }
        return std::string();
      });
}

void UnitCoverage::sample_stalls(const unit::UnitStalls& stalls) {
  for (size_t h = 0; h < unit::kUnitStalls; ++h)
    for (size_t s = 0; s < unit::kUnitStates; ++s)
      if (stalls[h][s]) stall_->hit({unsigned(h), unsigned(s)}, stalls[h][s]);
}

void UnitCoverage::sample(const std::vector<std::pair<pt::Table, unsigned>>& reads, unsigned in_flight) {
  // A hit at level l starts the first dimension at l + 1 (after the nested reads translating
  // the cached pointer, if it is a gPA); a walk that never reads the first dimension tells nothing.
  for (const auto& [table, level] : reads) {
    if (table == pt::Table::Nested) continue;
    const unsigned bucket = in_flight <= 2 ? in_flight - 1 : in_flight <= 4 ? 2 : 3;
    pwc_->hit({level - 1, bucket});
    return;
  }
}

}  // namespace agilemmu::cosim::cov
