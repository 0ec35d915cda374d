// The cache hierarchy between the Mmu's memory ports and the DRAM: L1I and L1D, L2 and LLC, each
// a write-back, write-allocate set-associative array of lines (mmu::SetAssoc) with a hit latency
// and a number of misses in flight (MSHRs). Fetches go L1I -> L2 -> LLC, data L1D -> L2 -> LLC,
// page-table references (walk reads and the walkers' A/D writes) enter at walk_entry, as on x86
// where the walker reads through the data caches. The levels model time only: the bytes always
// come from (and go to) the physical store behind the DRAM, so nothing can be stale. A request
// whose path has no level switched on passes straight through, as if the hierarchy were absent.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

#include <agilemmu/mmu/set_assoc.h>
#include <agilemmu/stats/registry.h>

#include "config/sys_config.h"
#include "sys/dram.h"
#include "sys/time_conv.h"

namespace agilemmu::sys {

// Who made a reference: an instruction fetch, a data read or write, or the walker, on the
// first-dimension tables (native, shadow, guest, compound) or on the nested table.
enum class MemSource : uint8_t { Fetch, Read, Write, WalkFirst, WalkNested, kCount };
constexpr size_t kMemSources = size_t(MemSource::kCount);

struct CacheLevelCounters {
  std::array<uint64_t, kMemSources> hits{}, misses{};
  uint64_t writebacks = 0;    // dirty lines evicted to the next level (or the DRAM)
  uint64_t mshr_wait_ns = 0;  // time misses waited for a free MSHR, whole ns
  uint64_t evictions = 0;
  uint64_t lookups() const;
  uint64_t all_hits() const;
};

// One level: plain C++, no SystemC.
class CacheLevel {
 public:
  CacheLevel() = default;
  // Lines are addressed by line number (address / caches.line_bytes), so a level needs no size.
  CacheLevel(const CacheLevelConfig& c, double clock_ns, uint64_t seed);
  bool enabled() const { return lines_.enabled(); }
  double latency_ns() const { return latency_ns_; }
  // Looks a line up; on a hit marks it dirty if `dirty`. Counts the lookup for `src`.
  bool lookup(uint64_t line, MemSource src, bool dirty);
  // Installs a line (dirty or clean); returns true and the victim's line number if a dirty line
  // was evicted.
  bool fill(uint64_t line, bool dirty, uint64_t& victim);
  // A dirty line written back from the level above: marked dirty if present, else installed.
  bool write_back(uint64_t line, uint64_t& victim);
  // When a new miss at `now_ns` may start (the earliest MSHR to free up), and its booking.
  double mshr_free_at(double now_ns) const;
  void book_mshr(double start_ns, double end_ns);
  const CacheLevelCounters& counters() const { return c_; }
  CacheLevelCounters& counters() { return c_; }
  const CacheLevelConfig& config() const { return cfg_; }

 private:
  // The line number and the dirty bit in one word (line numbers are below 2^58): 24-byte slots
  // instead of 32, so a lookup in an 11-way LLC set touches 4 host cache lines, not 6.
  struct Line {
    uint64_t bits = 0;  // line << 1 | dirty
    static Line of(uint64_t line, bool dirty) { return {line << 1 | uint64_t(dirty)}; }
    uint64_t tag() const { return bits >> 1; }
    bool dirty() const { return bits & 1; }
    void set_dirty() { bits |= 1; }
  };
  CacheLevelConfig cfg_;
  double latency_ns_ = 0;
  mmu::SetAssoc<Line> lines_;
  std::vector<double> mshr_until_;  // end time of the miss each MSHR holds
  CacheLevelCounters c_;
};

class MemHierarchy : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<MemHierarchy> in;  // data and both walk ports
  tlm_utils::simple_initiator_socket<MemHierarchy> out;         // to the DRAM
  MemHierarchy(sc_core::sc_module_name name, const HierarchyConfig& cfg, uint64_t seed);
  ~MemHierarchy() override;
  MemHierarchy(const MemHierarchy&) = delete;
  MemHierarchy& operator=(const MemHierarchy&) = delete;
  const CacheLevel& level(CacheLevelId l) const { return levels_[size_t(l)]; }
  const HierarchyConfig& config() const { return cfg_; }
  // What `agilemmu run` writes under "caches".
  static const stats::Group<MemHierarchy>& stats_group();

 private:
  void b_transport(int id, tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  // AT initiators: a request is accepted at once (END_REQ) and served by b_transport in a process
  // of its own; its BEGIN_RESP waits until the previous response on that socket has ended.
  tlm::tlm_sync_enum nb_transport_fw(int id, tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_core::sc_time& d);
  void serve(int id, tlm::tlm_generic_payload* t, sc_core::sc_time d);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(int, tlm::tlm_generic_payload& t) { return out->transport_dbg(t); }
  MemSource source_of(tlm::tlm_generic_payload& t) const;
  // Latency (ns) of one line's reference entering at `now_ns`: lookups down the path, MSHR waits,
  // the DRAM on a miss everywhere; fills the levels that missed and writes dirty victims back.
  double access_line(const std::vector<CacheLevelId>& path, uint64_t line, MemSource src, bool write, double now_ns,
                     const sc_core::sc_time& delay);
  // A dirty victim of level `from` goes to the next level switched on below it, or the DRAM.
  void write_back(size_t from, uint64_t line, double at_ns, const sc_core::sc_time& delay);
  // A timing-only DRAM access of one line (a fill or a write-back); returns its latency in ns,
  // time that passed in the target (wait) included.
  double dram(uint64_t line, bool write, double at_ns, const sc_core::sc_time& delay);

  // The payload of one line's fill or write-back. A target may wait in b_transport, so several
  // can be in flight (AT walkers): each takes a free one from the pool.
  struct LineRequest {
    explicit LineRequest(uint32_t line_bytes);
    ~LineRequest();
    LineRequest(const LineRequest&) = delete;
    LineRequest& operator=(const LineRequest&) = delete;
    tlm::tlm_generic_payload p;
    std::vector<unsigned char> buf;
    DramPart timing_only;
    bool busy = false;
  };
  LineRequest& free_line_request();

  HierarchyConfig cfg_;
  std::array<CacheLevel, kCacheLevels> levels_;
  std::array<std::vector<CacheLevelId>, kMemSources> paths_;  // the levels switched on, top down
  std::vector<std::unique_ptr<LineRequest>> line_requests_;
  DramPart bytes_only_;
  std::vector<bool> responding_;                         // per input socket: a BEGIN_RESP not ended yet
  std::vector<tlm::tlm_generic_payload*> awaiting_end_;  // per input socket: the response to end
  sc_core::sc_event response_ended_;
  TimeConv conv_;
};

}  // namespace agilemmu::sys
