// DRAM: a TLM target serving the physical memory store (the same bytes the page tables live
// in), with channels, banks, open/closed row policy and tRCD/tCL/tRP/tBURST timing.
// Address mapping, low to high bits: column (within a row) | channel | bank | row.
#pragma once
#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <vector>

#include <agilemmu/pt/phys_mem.h>
#include <agilemmu/stats/registry.h>

#include "config/sys_config.h"
#include "sys/time_conv.h"

namespace agilemmu::sys {

struct DramCounters {
  uint64_t reads = 0, writes = 0, row_hits = 0, row_misses = 0, row_conflicts = 0;
  double total_latency_ns = 0;
  uint64_t accesses() const { return reads + writes; }
};
// Set by a cache in front of the DRAM (sys/mem_hierarchy.h), which models time and leaves the
// bytes to the store: Timing charges a line fill or write-back without moving bytes; Bytes moves
// a request's bytes by the store's rules without timing or counters.
struct DramPart : tlm::tlm_extension<DramPart> {
  enum Kind : uint8_t { Timing, Bytes } kind = Timing;
  tlm::tlm_extension_base* clone() const override { return new DramPart(*this); }
  void copy_from(const tlm::tlm_extension_base& o) override { *this = static_cast<const DramPart&>(o); }
};

// What `agilemmu run` writes under "dram".
const stats::Group<DramCounters>& dram_stats_group();

// The timing core, plain C++: latency of one access arriving at `now_ns`, bank state updated.
class DramTiming {
 public:
  explicit DramTiming(const DramConfig& c);
  double access(uint64_t addr, bool write, size_t bytes, double now_ns);
  const DramCounters& counters() const { return c_; }
  unsigned bank_of(uint64_t addr) const;
  uint64_t row_of(uint64_t addr) const;

 private:
  struct Bank {
    int64_t open_row = -1;
    double busy_until = 0;
  };
  DramConfig cfg_;
  unsigned col_bits_, ch_bits_, bank_bits_;
  std::vector<Bank> banks_;
  DramCounters c_;
};

class Dram : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Dram> socket;  // data and walk ports bind here
  Dram(sc_core::sc_module_name name, pt::PhysMem& mem, const DramConfig& cfg);
  const DramCounters& counters() const { return timing_.counters(); }

 private:
  void b_transport(int id, tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload& t);
  void move_bytes(tlm::tlm_generic_payload& t);  // by the store's rules (store_data, page tables)
  pt::PhysMem& mem_;
  DramConfig cfg_;
  DramTiming timing_;
  TimeConv conv_;
};

}  // namespace agilemmu::sys
