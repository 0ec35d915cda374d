#include "sys/line_cache.h"

#include <agilemmu/mmu/mmu_ext.h>

namespace agilemmu::sys {

using namespace sc_core;

LineCache::LineCache(sc_module_name name, const LineCacheConfig& cfg, bool never_waits)
    : sc_module(name),
      in("in"),
      out("out"),
      cfg_(cfg),
      latency_(cfg.clock_ns * cfg.geo.latency, SC_NS),
      lines_(cfg.geo, 7),
      never_waits_(never_waits) {
  in.register_b_transport(this, &LineCache::b_transport);
  in.register_transport_dbg(this, &LineCache::transport_dbg);
  if (never_waits) in.register_nb_transport_fw(this, &LineCache::nb_transport_fw);
}

tlm::tlm_sync_enum LineCache::nb_transport_fw(int id, tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time& d) {
  // Answered on the return path: nothing here or below waits, so the request is served in the
  // caller's call at its annotated time and completed with the response's time.
  if (ph == tlm::BEGIN_REQ) b_transport(id, t, d);
  return tlm::TLM_COMPLETED;
}

void LineCache::b_transport(int, tlm::tlm_generic_payload& t, sc_time& delay) {
  // A walker that knows WalkAccess may send its references with nb_transport_fw (a method).
  if (never_waits_)
    if (auto* w = t.get_extension<mmu::WalkAccess>()) w->nb_transport = true;
  const uint64_t tag = t.get_address() / cfg_.line_bytes;
  const bool fits = (t.get_address() % cfg_.line_bytes) + t.get_data_length() <= cfg_.line_bytes;
  if (!lines_.enabled() || !fits) {
    out->b_transport(t, delay);
    return;
  }
  delay += latency_;
  const bool hit = lines_.find(tag, [&](const Line& l) { return l.tag == tag; }) != nullptr;
  if (hit && t.is_read()) {
    ++lines_.counters().hits;
    // The store always holds the current bytes; the cache models only the time, so the
    // contents come over the debug interface (no DRAM timing or counters).
    out->transport_dbg(t);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
    t.set_dmi_allowed(false);
    return;
  }
  if (t.is_read()) ++lines_.counters().misses;
  out->b_transport(t, delay);
  if (t.is_read()) lines_.insert(tag, Line{tag}, [&](const Line& l) { return l.tag == tag; });
}

const stats::Group<LineCache>& LineCache::stats_group() {
  using stats::Agg, stats::Unit, stats::value_of;
  static const stats::Group<LineCache> g = [] {
    stats::Group<LineCache> g;
    g.add({"lines", Unit::Entries, Agg::None, "configured lines (0: no page-table line cache)"},
          [](const LineCache& l) { return value_of(l.cfg_.geo.entries); });
    g.add({"hits", Unit::Count, Agg::Sum, "walk reads that hit"},
          [](const LineCache& l) { return value_of(l.counters().hits); });
    g.add({"misses", Unit::Count, Agg::Sum, "walk reads that missed and went to DRAM"},
          [](const LineCache& l) { return value_of(l.counters().misses); });
    g.add({"evictions", Unit::Count, Agg::Sum, "lines replaced by a fill"},
          [](const LineCache& l) { return value_of(l.counters().evictions); });
    g.add({"hit_rate", Unit::Ratio, Agg::Mean, "hits / (hits + misses), 0 without lookups"}, [](const LineCache& l) {
      const auto& c = l.counters();
      return stats::Value(c.lookups() ? double(c.hits) / c.lookups() : 0.0);
    });
    return g;
  }();
  return g;
}

}  // namespace agilemmu::sys
