#include "sys/dram.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <agilemmu/mmu/mmu_ext.h>
#include <agilemmu/pt/bits.h>

namespace agilemmu::sys {

using namespace sc_core;

using pt::ceil_log2;

DramTiming::DramTiming(const DramConfig& c)
    : cfg_(c),
      col_bits_(ceil_log2(c.row_bytes)),
      ch_bits_(ceil_log2(c.channels)),
      bank_bits_(ceil_log2(c.banks)),
      banks_(size_t(c.channels) * c.banks) {}

unsigned DramTiming::bank_of(uint64_t addr) const {
  const unsigned bits = ch_bits_ + bank_bits_;
  const uint64_t mask = (1ull << bits) - 1;
  uint64_t idx = (addr >> col_bits_) & mask;
  if (cfg_.xor_banks && bits)  // XOR with every bits-wide chunk of the row number
    for (uint64_t row = row_of(addr); row; row >>= bits) idx ^= row & mask;
  return static_cast<unsigned>(idx);
}
uint64_t DramTiming::row_of(uint64_t addr) const { return addr >> (col_bits_ + ch_bits_ + bank_bits_); }

double DramTiming::access(uint64_t addr, bool write, size_t bytes, double now) {
  Bank& b = banks_[bank_of(addr)];
  const int64_t row = static_cast<int64_t>(row_of(addr));
  const double start = std::max(now, b.busy_until);
  double t;
  if (cfg_.open_page && b.open_row == row) {
    t = cfg_.tCL_ns;
    ++c_.row_hits;
  } else if (cfg_.open_page && b.open_row >= 0) {
    t = cfg_.tRP_ns + cfg_.tRCD_ns + cfg_.tCL_ns;
    ++c_.row_conflicts;
  } else {
    t = cfg_.tRCD_ns + cfg_.tCL_ns;
    ++c_.row_misses;
  }
  const uint64_t bursts = (bytes + 63) / 64;  // whole 64-byte bursts
  t += cfg_.tBURST_ns * static_cast<double>(bursts);
  if (write) t += cfg_.write_ns;
  ++(write ? c_.writes : c_.reads);
  // Closed page: the precharge after the access keeps the bank busy but is off the critical path.
  b.open_row = cfg_.open_page ? row : -1;
  b.busy_until = start + t + (cfg_.open_page ? 0 : cfg_.tRP_ns);
  const double latency = start - now + t;
  c_.total_latency_ns += latency;
  return latency;
}

Dram::Dram(sc_module_name name, pt::PhysMem& mem, const DramConfig& cfg)
    : sc_module(name), socket("socket"), mem_(mem), cfg_(cfg), timing_(cfg) {
  if (auto e = cfg.validate(); !e.empty()) SC_REPORT_FATAL(this->name(), e.c_str());
  socket.register_b_transport(this, &Dram::b_transport);
  socket.register_get_direct_mem_ptr(this, &Dram::get_direct_mem_ptr);
  socket.register_transport_dbg(this, &Dram::transport_dbg);
}

unsigned Dram::transport_dbg(int, tlm::tlm_generic_payload& t) {
  if (t.is_read() && t.get_data_length() == 8 && !(t.get_address() & 7)) {  // a PTE: the store's fast path
    const uint64_t v = mem_.read64(t.get_address());
    std::memcpy(t.get_data_ptr(), &v, 8);
  } else if (t.is_read()) {
    mem_.read(t.get_address(), t.get_data_ptr(), t.get_data_length());
  } else if (t.is_write()) {
    mem_.write(t.get_address(), t.get_data_ptr(), t.get_data_length());
  }
  return t.get_data_length();
}

void Dram::b_transport(int, tlm::tlm_generic_payload& t, sc_time& delay) {
  if (t.get_byte_enable_ptr() || t.get_streaming_width() < t.get_data_length()) {
    t.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  const uint64_t a = t.get_address();
  const size_t n = t.get_data_length();
  const DramPart* part = t.get_extension<DramPart>();
  if (!part || part->kind == DramPart::Bytes) move_bytes(t);
  if (!part || part->kind == DramPart::Timing) {
    const double now = conv_.seconds(simcontext()->time_stamp() + delay) * 1e9;
    delay += conv_.time(timing_.access(a, t.is_write(), n, now));
  }
  t.set_dmi_allowed(cfg_.dmi && !part);
  t.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Dram::move_bytes(tlm::tlm_generic_payload& t) {
  const uint64_t a = t.get_address();
  const size_t n = t.get_data_length();
  // Page tables always live in the store: walk reads (8-byte reads) and the walkers' A/D writes
  // (tagged WalkAccess); data moves through the store only if asked to.
  const bool pte = (n == 8 && t.is_read() && !(a & 7)) || t.get_extension<mmu::WalkAccess>();
  if (cfg_.store_data || pte) {
    if (t.is_read() && n == 8 && !(a & 7)) {  // a PTE (or an aligned word): the store's fast path
      const uint64_t v = mem_.read64(a);
      std::memcpy(t.get_data_ptr(), &v, 8);
    } else if (t.is_read()) {
      mem_.read(a, t.get_data_ptr(), n);
    } else if (t.is_write()) {
      mem_.write(a, t.get_data_ptr(), n);
    }
  } else if (t.is_read()) {
    std::memset(t.get_data_ptr(), 0, n);
  }
}

bool Dram::get_direct_mem_ptr(int, tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi) {
  if (!cfg_.dmi || !cfg_.store_data) return false;  // DMI exposes the store itself
  // One 4 KiB frame at a time: the store is sparse, frames are not contiguous in host memory.
  const uint64_t pfn = t.get_address() >> 12;
  dmi.set_dmi_ptr(mem_.frame(pfn).data());
  dmi.set_start_address(pfn << 12);
  dmi.set_end_address((pfn << 12) + 4095);
  dmi.allow_read_write();
  dmi.set_read_latency(sc_time(cfg_.tCL_ns + cfg_.tBURST_ns, SC_NS));
  dmi.set_write_latency(sc_time(cfg_.tCL_ns + cfg_.tBURST_ns, SC_NS));
  return true;
}

const stats::Group<DramCounters>& dram_stats_group() {
  using stats::Agg, stats::Unit, stats::value_of;
  static const stats::Group<DramCounters> g = [] {
    stats::Group<DramCounters> g;
    g.add({"reads", Unit::Count, Agg::Sum, "read accesses (data and walks that missed the ptcache)"},
          &DramCounters::reads);
    g.add({"writes", Unit::Count, Agg::Sum, "write accesses (data and A/D writes)"}, &DramCounters::writes);
    g.add({"row_hits", Unit::Count, Agg::Sum, "accesses to the open row"}, &DramCounters::row_hits);
    g.add({"row_misses", Unit::Count, Agg::Sum, "accesses to a closed bank"}, &DramCounters::row_misses);
    g.add({"row_conflicts", Unit::Count, Agg::Sum, "accesses while another row was open"},
          &DramCounters::row_conflicts);
    g.add({"avg_latency_ns", Unit::Ns, Agg::Mean, "access latency, mean"}, [](const DramCounters& c) {
      return stats::Value(c.accesses() ? c.total_latency_ns / double(c.accesses()) : 0.0);
    });
    return g;
  }();
  return g;
}

}  // namespace agilemmu::sys
