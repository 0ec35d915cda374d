// The walk-unit co-simulation's traffic and memory rules, which both sides (tb/cosim/unit_model.h,
// unit_rtl.h) follow, each with its own instance: the same requests at the same cycles, the same
// memory answers, the same backpressure and PWC flushes, as pure functions of the seed.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include <agilemmu/pt/format.h>
#include <agilemmu/pt/phys_mem.h>
#include <agilemmu/pt/walk.h>

#include "cosim/image_gen.h"
#include "cosim/unit_cosim.h"

namespace agilemmu::cosim::unit {

uint64_t hash3(uint64_t a, uint64_t b, uint64_t c);

// The traffic both sides see, as pure functions of (seed, cycle, address) plus the requests in
// flight: when a request is sent, which lane it has, when each memory reference is answered,
// when the PWC is flushed. Each side keeps its own instance; they agree as long as the sides do.
//
// The memory answers the references of the request in lane l only in cycles = 2l+3 (mod 2W+4)
// (at least `latency` + a drawn extra after acceptance), and requests arrive only in cycles = 0
// (mod 2W+4), at most W in flight, at most two per page. So no two walkers' responses (PWC
// fills, A/D writes, walk ends) and no request arrival share a cycle: the Mmu's order for
// simultaneous events, which the SystemC scheduler picks, never matters (rtl/README.md).
// Memory backpressure (mem_req_ready low in --mem-stall % of a port's cycles) delays acceptance
// but not the lanes of the responses; references of several walkers then meet at a port in
// one cycle, which the arbiter resolves (lowest walker first). Result backpressure (rsp_ready
// low in --rsp-stall % of the cycles) makes results wait and meet at the result channel.
class Traffic {
 public:
  Traffic(const Options& o, unsigned walkers, const std::vector<pt::WalkRequest>& reqs);
  unsigned period() const { return m_; }
  // At arrival cycle c: the id of the request to send, or -1.
  int64_t offer(uint64_t c);
  void completed(uint64_t id);
  uint64_t response_cycle(uint64_t id, uint64_t accept, uint64_t addr) const;
  bool mem_ready(uint64_t c, unsigned port) const;
  bool rsp_ready(uint64_t c) const;
  // Flush (Mmu::invalidate_all) at c + 0.5 ns; the RTL's pwc_flush at edge c + 1.
  bool flush_after(uint64_t c) const;
  bool all_sent() const { return next_ >= reqs_.size(); }
  unsigned max_in_flight() const { return max_in_flight_; }

 private:
  static uint64_t page_key(const pt::WalkRequest& r) { return (r.va >> 12) << 1 | (r.mode == pt::Mode::Native); }
  const Options& o_;
  unsigned w_, m_;
  const std::vector<pt::WalkRequest>& reqs_;
  std::vector<unsigned> lane_;
  std::vector<bool> lane_busy_;
  std::unordered_map<uint64_t, unsigned> per_page_;
  size_t next_ = 0;
  unsigned in_flight_ = 0, max_in_flight_ = 0;
};

// The image of a run (Image(fmt, seed)) with restrict_upper applied: what each side starts from.
void prepare_image(Image& img, const pt::Format& fmt, const std::vector<pt::WalkRequest>& reqs, uint64_t seed);

// The memory both sides share the rules of: a read returns the entry at the response cycle, a
// write ORs its A/D bits into the entry at the response cycle (a locked update).
void perform_write(pt::PhysMem& mem, uint64_t addr, uint64_t data);

// A side's final memory image: the entries at the addresses it wrote.
FinalImage final_image(const pt::PhysMem& mem, const std::vector<uint64_t>& written);

}  // namespace agilemmu::cosim::unit
