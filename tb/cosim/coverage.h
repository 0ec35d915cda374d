// Functional coverage of the RTL co-simulations: crosses of what the golden pt::Walk result and
// the RTL's handshakes show, with every bin declared up front (a table of dimensions) and each
// bin the format or the walker's protocol cannot produce marked unreachable with its reason.
// Written per run as JSON (merged across seeds and builds by scripts/coverage-report) and
// summarized as text. See rtl/README.md, "Coverage".
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <agilemmu/pt/walk.h>

#include "cosim/rtl_walker.h"
#include "cosim/unit_cosim.h"

namespace agilemmu::cosim::cov {

// One cross: the product of its dimensions' values. `why_not` returns the reason a combination
// (value index per dimension) cannot happen, or "" when it can.
class Cross {
 public:
  using Reason = std::function<std::string(const std::vector<unsigned>&)>;
  Cross(std::string name, std::string what, std::vector<std::vector<std::string>> dims, const Reason& why_not);
  void hit(std::initializer_list<unsigned> idx, uint64_t n = 1);
  const std::string& name() const { return name_; }
  const std::string& what() const { return what_; }
  size_t size() const { return hits_.size(); }
  std::string bin_name(size_t i) const;  // the values joined by '/'
  uint64_t hits(size_t i) const { return hits_[i]; }
  const std::string& unreachable(size_t i) const { return reasons_[i]; }

 private:
  std::string name_, what_;
  std::vector<std::vector<std::string>> dims_;
  std::vector<uint64_t> hits_;
  std::vector<std::string> reasons_;
};

class Model {
 public:
  explicit Model(std::string run) : run_(std::move(run)) {}
  Cross& add(std::string name, std::string what, std::vector<std::vector<std::string>> dims,
             const Cross::Reason& why_not);
  // {"format": "agilemmu-coverage-1", "runs": [...], "bins": [{"cross", "bin", "hits", "unreachable"}...]}
  void write_json(std::ostream& os) const;
  void write_json(const std::string& path) const;  // throws std::runtime_error if it cannot
  // Per cross: bins, reachable, hit; then every reachable bin not hit (a HOLE).
  void print_summary(std::ostream& os) const;
  // Reachable bins not hit.
  uint64_t holes() const;

 private:
  std::string run_;
  std::deque<Cross> crosses_;  // (stable addresses: the models keep pointers)
};

// The single-walker co-simulation (agilemmu cosim): faults, A/D writes, page sizes, agile switch
// levels, and stalls on each handshake by the walker state the ports show.
class WalkerCoverage {
 public:
  WalkerCoverage(const pt::Format& fmt, const std::string& run);
  void sample(const pt::WalkRequest& req, const pt::WalkResult& golden, const RtlResult& rtl);
  const Model& model() const { return m_; }

 private:
  pt::Format fmt_;
  Model m_;
  Cross *fault_, *nc_, *gp_, *ad_, *gpd_, *size_, *eff_, *switch_, *stall_;
};

// The walk unit co-simulation: the PWC hit level of each walk by the requests in flight when it
// arrived (the reference list shows the hit: the first first-dimension read is one level below
// the cached entry), and stalls on each handshake of the unit by walker state.
class UnitCoverage {
 public:
  UnitCoverage(const pt::Format& fmt, unsigned walkers, unsigned pwc_entries, const std::string& run);
  // `table`/`level` of the walk's references in order; in_flight counts this request too.
  void sample(const std::vector<std::pair<pt::Table, unsigned>>& reads, unsigned in_flight);
  // The run's handshake stalls by walker state, as the unit's ports show them.
  void sample_stalls(const unit::UnitStalls& stalls);
  const Model& model() const { return m_; }

 private:
  Model m_;
  Cross *pwc_, *stall_;
};

}  // namespace agilemmu::cosim::cov
