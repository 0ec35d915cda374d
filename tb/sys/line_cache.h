// A cache level for page-table lines in front of the DRAM (walk reads hit in the data caches on
// real CPUs). TLM pass-through: hits return after `latency`, misses go to memory and fill.
// Writes go through to memory and update a cached line.
#pragma once
#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <agilemmu/mmu/set_assoc.h>
#include <agilemmu/stats/registry.h>

#include "config/sys_config.h"

namespace agilemmu::sys {

class LineCache : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<LineCache> in;  // both walk ports bind here
  tlm_utils::simple_initiator_socket<LineCache> out;
  // `never_waits`: nothing below `out` waits in b_transport (the platform's hierarchy and DRAM):
  // the cache then serves nb_transport_fw too, at once, and tells walkers so (WalkAccess).
  LineCache(sc_core::sc_module_name name, const LineCacheConfig& cfg, bool never_waits = false);
  const mmu::CacheCounters& counters() const { return lines_.counters(); }
  const LineCacheConfig& config() const { return cfg_; }
  // What `agilemmu run` writes under "ptcache".
  static const stats::Group<LineCache>& stats_group();

 private:
  void b_transport(int id, tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  tlm::tlm_sync_enum nb_transport_fw(int id, tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_core::sc_time& d);
  unsigned transport_dbg(int, tlm::tlm_generic_payload& t) { return out->transport_dbg(t); }
  struct Line {
    uint64_t tag;
  };
  LineCacheConfig cfg_;
  sc_core::sc_time latency_;  // of a lookup, built once
  mmu::SetAssoc<Line> lines_;
  bool never_waits_;
};

}  // namespace agilemmu::sys
