#define SC_INCLUDE_DYNAMIC_PROCESSES  // sc_spawn, for nb_transport requests
#include "sys/mem_hierarchy.h"

#include <algorithm>
#include <cmath>

#include <agilemmu/mmu/mmu_ext.h>

namespace agilemmu::sys {

using namespace sc_core;

uint64_t CacheLevelCounters::all_hits() const {
  uint64_t n = 0;
  for (uint64_t h : hits) n += h;
  return n;
}
uint64_t CacheLevelCounters::lookups() const {
  uint64_t n = all_hits();
  for (uint64_t m : misses) n += m;
  return n;
}

CacheLevel::CacheLevel(const CacheLevelConfig& c, double clock_ns, uint64_t seed)
    : cfg_(c), latency_ns_(c.geo.latency * clock_ns), lines_(c.geo, seed), mshr_until_(c.mshrs, 0.0) {}

bool CacheLevel::lookup(uint64_t line, MemSource src, bool dirty) {
  Line* l = lines_.find(line, [&](const Line& x) { return x.tag() == line; });
  if (!l) {
    ++c_.misses[size_t(src)];
    return false;
  }
  ++c_.hits[size_t(src)];
  if (dirty) l->set_dirty();
  return true;
}

bool CacheLevel::fill(uint64_t line, bool dirty, uint64_t& victim) {
  Line old;
  const bool evicted = lines_.insert(
      line, Line::of(line, dirty), [&](const Line& x) { return x.tag() == line; }, old);
  c_.evictions += evicted;
  if (!evicted || !old.dirty()) return false;
  ++c_.writebacks;
  victim = old.tag();
  return true;
}

bool CacheLevel::write_back(uint64_t line, uint64_t& victim) {
  if (Line* l = lines_.find(line, [&](const Line& x) { return x.tag() == line; })) {
    l->set_dirty();
    return false;
  }
  return fill(line, true, victim);
}

double CacheLevel::mshr_free_at(double now_ns) const {
  if (mshr_until_.empty()) return now_ns;
  return std::max(now_ns, *std::min_element(mshr_until_.begin(), mshr_until_.end()));
}

void CacheLevel::book_mshr(double start_ns, double end_ns) {
  if (mshr_until_.empty()) return;
  auto it = std::min_element(mshr_until_.begin(), mshr_until_.end());
  if (*it <= start_ns) *it = end_ns;
}

MemHierarchy::MemHierarchy(sc_module_name name, const HierarchyConfig& cfg, uint64_t seed)
    : sc_module(name), in("in"), out("out"), cfg_(cfg) {
  for (size_t i = 0; i < kCacheLevels; ++i) levels_[i] = CacheLevel(cfg.level[i], cfg.clock_ns, seed + i);
  const auto path = [this](std::initializer_list<CacheLevelId> ls) {
    std::vector<CacheLevelId> p;
    for (CacheLevelId l : ls)
      if (levels_[size_t(l)].enabled()) p.push_back(l);
    return p;
  };
  using L = CacheLevelId;
  paths_[size_t(MemSource::Fetch)] = path({L::L1I, L::L2, L::LLC});
  paths_[size_t(MemSource::Read)] = paths_[size_t(MemSource::Write)] = path({L::L1D, L::L2, L::LLC});
  const std::vector<CacheLevelId> all{L::L1D, L::L2, L::LLC};
  std::vector<CacheLevelId> walk;
  for (CacheLevelId l : all)
    if (l >= cfg.walk_entry && levels_[size_t(l)].enabled()) walk.push_back(l);
  paths_[size_t(MemSource::WalkFirst)] = paths_[size_t(MemSource::WalkNested)] = walk;
  bytes_only_.kind = DramPart::Bytes;
  in.register_b_transport(this, &MemHierarchy::b_transport);
  in.register_nb_transport_fw(this, &MemHierarchy::nb_transport_fw);
  in.register_get_direct_mem_ptr(this, &MemHierarchy::get_direct_mem_ptr);
  in.register_transport_dbg(this, &MemHierarchy::transport_dbg);
}

MemHierarchy::~MemHierarchy() = default;

MemHierarchy::LineRequest::LineRequest(uint32_t line_bytes) : buf(line_bytes) {
  p.set_data_ptr(buf.data());
  p.set_data_length(line_bytes);
  p.set_streaming_width(line_bytes);
  p.set_byte_enable_ptr(nullptr);
  timing_only.kind = DramPart::Timing;
  p.set_extension(&timing_only);
}

MemHierarchy::LineRequest::~LineRequest() { p.clear_extension(&timing_only); }

MemHierarchy::LineRequest& MemHierarchy::free_line_request() {
  for (auto& r : line_requests_)
    if (!r->busy) return *r;
  line_requests_.push_back(std::make_unique<LineRequest>(cfg_.line_bytes));
  return *line_requests_.back();
}

MemSource MemHierarchy::source_of(tlm::tlm_generic_payload& t) const {
  if (const auto* w = t.get_extension<mmu::WalkAccess>())
    return w->table == pt::Table::Nested ? MemSource::WalkNested : MemSource::WalkFirst;
  if (const auto* x = t.get_extension<mmu::MmuExtension>(); x && x->access == pt::Access::Fetch)
    return MemSource::Fetch;
  return t.is_write() ? MemSource::Write : MemSource::Read;
}

double MemHierarchy::dram(uint64_t line, bool write, double at_ns, const sc_time& delay) {
  LineRequest& r = free_line_request();
  r.busy = true;
  tlm::tlm_generic_payload& p = r.p;
  p.set_address(line * cfg_.line_bytes);
  p.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  p.set_dmi_allowed(false);
  // The DRAM reads the time of the access from the delay it is given. A target that waited in an
  // earlier b_transport of this request may have moved the clock past at_ns: the access is then now.
  const sc_time before = simcontext()->time_stamp();
  const double ahead = at_ns - conv_.seconds(before + delay) * 1e9;
  sc_time at = SC_ZERO_TIME;
  double late = 0;  // ns the access starts after at_ns
  if (ahead >= 0) {
    at = delay + conv_.time(ahead);
  } else {
    const double off = at_ns - conv_.seconds(before) * 1e9;
    if (off > 0)
      at = conv_.time(off);
    else
      late = -off;
  }
  sc_time d = at;
  out->b_transport(p, d);
  r.busy = false;
  const sc_time waited = simcontext()->time_stamp() - before;
  return conv_.seconds(d + waited - at) * 1e9 + late;
}

void MemHierarchy::write_back(size_t from, uint64_t line, double at_ns, const sc_time& delay) {
  for (size_t i = from + 1; i < kCacheLevels; ++i) {
    if (!levels_[i].enabled()) continue;
    uint64_t victim;
    if (levels_[i].write_back(line, victim)) write_back(i, victim, at_ns, delay);
    return;
  }
  dram(line, true, at_ns, delay);  // off the critical path (a write buffer), but the bank is busy
}

double MemHierarchy::access_line(const std::vector<CacheLevelId>& path, uint64_t line, MemSource src, bool write,
                                 double now_ns, const sc_time& delay) {
  // A level's latency is the load-to-use latency of a hit there, as published (not an increment
  // over the level above); MSHR waits add to it.
  double waited = 0, t = now_ns;
  size_t k = 0;
  for (; k < path.size(); ++k) {
    CacheLevel& l = levels_[size_t(path[k])];
    t = now_ns + waited + l.latency_ns();
    if (l.lookup(line, src, write && k == 0)) break;
    // A miss needs an MSHR of this level until the line arrives.
    const double start = l.mshr_free_at(t);
    l.counters().mshr_wait_ns += static_cast<uint64_t>(std::llround(start - t));
    waited += start - t;
    t = start;
  }
  const double missed_at = t;
  if (k == path.size()) t += dram(line, false, t, delay);
  // Fill the levels that missed, bottom up; the top one takes a write's dirty line.
  for (size_t i = std::min(k, path.size()); i-- > 0;) {
    CacheLevel& l = levels_[size_t(path[i])];
    l.book_mshr(missed_at, t);
    uint64_t victim;
    if (l.fill(line, write && i == 0, victim)) write_back(size_t(path[i]), victim, t, delay);
  }
  return t - now_ns;
}

void MemHierarchy::b_transport(int, tlm::tlm_generic_payload& t, sc_time& delay) {
  const MemSource src = source_of(t);
  const auto& path = paths_[size_t(src)];
  if (path.empty()) {  // nothing switched on for this reference: as without the hierarchy
    out->b_transport(t, delay);
    return;
  }
  const sc_time start = simcontext()->time_stamp();
  const double now = conv_.seconds(start + delay) * 1e9;
  const uint64_t first = t.get_address() / cfg_.line_bytes;
  const uint64_t last = (t.get_address() + std::max(1u, t.get_data_length()) - 1) / cfg_.line_bytes;
  // The lines of one request are looked up together: the request takes as long as the slowest.
  double worst = 0;
  for (uint64_t line = first; line <= last; ++line)
    worst = std::max(worst, access_line(path, line, src, t.is_write(), now, delay));
  // The bytes, untimed, by the store's rules.
  sc_time none = SC_ZERO_TIME;
  t.set_extension(&bytes_only_);
  out->b_transport(t, none);
  t.clear_extension(&bytes_only_);
  // The request ends `worst` after it began; time a target spent in wait() has passed already.
  const sc_time now_ts = simcontext()->time_stamp();
  delay = std::max(start + delay + conv_.time(worst), now_ts) - now_ts;
  t.set_dmi_allowed(false);
}

tlm::tlm_sync_enum MemHierarchy::nb_transport_fw(int id, tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time& d) {
  if (size_t(id) >= responding_.size()) {
    responding_.resize(size_t(id) + 1, false);
    awaiting_end_.resize(size_t(id) + 1, nullptr);
  }
  if (ph == tlm::END_RESP) {
    if (awaiting_end_[size_t(id)] == &t) {
      awaiting_end_[size_t(id)] = nullptr;
      responding_[size_t(id)] = false;
      response_ended_.notify(SC_ZERO_TIME);
    }
    return tlm::TLM_COMPLETED;
  }
  if (ph != tlm::BEGIN_REQ) return tlm::TLM_ACCEPTED;  // no other phase comes forward
  tlm::tlm_generic_payload* p = &t;
  sc_spawn([this, id, p, at = d] { serve(id, p, at); });
  ph = tlm::END_REQ;
  return tlm::TLM_UPDATED;
}

bool MemHierarchy::get_direct_mem_ptr(int, tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi) {
  // DMI would bypass the caches: only where data meets no level.
  if (!paths_[size_t(MemSource::Read)].empty() || !paths_[size_t(MemSource::Fetch)].empty()) return false;
  return out->get_direct_mem_ptr(t, dmi);
}

void MemHierarchy::serve(int id, tlm::tlm_generic_payload* t, sc_time d) {
  wait(d);  // the request's annotated time
  sc_time delay = SC_ZERO_TIME;
  b_transport(id, *t, delay);
  wait(delay);
  // One response at a time on each socket (IEEE 1666-2011 15.2.6).
  while (responding_[size_t(id)]) wait(response_ended_);
  responding_[size_t(id)] = true;
  awaiting_end_[size_t(id)] = t;
  tlm::tlm_phase ph = tlm::BEGIN_RESP;
  sc_time z = SC_ZERO_TIME;
  const tlm::tlm_sync_enum r = in[id]->nb_transport_bw(*t, ph, z);
  if (r == tlm::TLM_COMPLETED || (r == tlm::TLM_UPDATED && ph == tlm::END_RESP)) {
    awaiting_end_[size_t(id)] = nullptr;
    wait(z);  // the response ends at its annotated time
    responding_[size_t(id)] = false;
    response_ended_.notify(SC_ZERO_TIME);
  }  // else (TLM_ACCEPTED) END_RESP comes on the forward path
}

const stats::Group<MemHierarchy>& MemHierarchy::stats_group() {
  using stats::Agg, stats::Unit, stats::value_of;
  static const stats::Group<MemHierarchy> g = [] {
    stats::Group<CacheLevel> lv;
    lv.add({"lines", Unit::Entries, Agg::None, "configured lines (0: level switched off)"},
           [](const CacheLevel& l) { return value_of(l.config().geo.entries); });
    const stats::Index sources{"source", {"fetch", "read", "write", "walk_first", "walk_nested"}};
    lv.add_array({"hits", Unit::Count, Agg::Sum,
                  "lookups that hit, by source (walk_first: the native/shadow/guest/compound tables; walk_nested: "
                  "the nested table; walk reads and A/D writes)"},
                 sources, [](const CacheLevel& l, size_t i) { return value_of(l.counters().hits[i]); });
    lv.add_array({"misses", Unit::Count, Agg::Sum, "lookups that missed, by source"}, sources,
                 [](const CacheLevel& l, size_t i) { return value_of(l.counters().misses[i]); });
    lv.add({"evictions", Unit::Count, Agg::Sum, "lines replaced by a fill"},
           [](const CacheLevel& l) { return value_of(l.counters().evictions); });
    lv.add({"writebacks", Unit::Count, Agg::Sum, "dirty lines evicted to the next level or the DRAM"},
           [](const CacheLevel& l) { return value_of(l.counters().writebacks); });
    lv.add({"mshr_wait_ns", Unit::Ns, Agg::Sum, "time misses waited for a free MSHR"},
           [](const CacheLevel& l) { return value_of(l.counters().mshr_wait_ns); });
    lv.add({"hit_rate", Unit::Ratio, Agg::Mean, "hits / lookups, 0 without lookups"}, [](const CacheLevel& l) {
      const auto& c = l.counters();
      return stats::Value(c.lookups() ? double(c.all_hits()) / double(c.lookups()) : 0.0);
    });
    stats::Group<MemHierarchy> g;
    stats::Index names{"level", {}};
    for (size_t i = 0; i < kCacheLevels; ++i) names.names.emplace_back(to_string(CacheLevelId(i)));
    g.nest_each("caches", names, lv,
                [](const MemHierarchy& h, size_t i) -> const CacheLevel& { return h.level(CacheLevelId(i)); });
    return g;
  }();
  return g;
}

}  // namespace agilemmu::sys
