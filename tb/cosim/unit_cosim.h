// Co-simulation of the RTL walk unit (rtl/walk_unit.sv) against the SystemC Mmu configured
// identically (AT, TLBs off, mmu.walkers, mmu.pwc): the same requests at the same cycles, the
// same memory (latencies, response cycles, A/D writes), then per request the translation or
// fault, the references in order (with their accept and response cycles) and the completion
// cycle, and at the end the memory images, must be equal. See rtl/README.md ("The walk unit").
//
// The parts, one job each: unit_traffic.h (the traffic and memory rules both sides follow),
// unit_model.h (the SystemC Mmu side), unit_rtl.h (the Verilated unit side), unit_cosim.cpp (the
// comparison and the report).
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <agilemmu/pt/format.h>
#include <agilemmu/pt/walk.h>

namespace agilemmu::cosim::unit {

struct Options {
  std::string rtl = "w2p8";  // a name of rtl/walk_unit_configs.txt
  uint64_t requests = 20000;
  uint64_t seed = 1;
  uint32_t latency = 1;             // base memory latency; each reference draws more on top
  pt::Mode mode = pt::Mode::Agile;  // guest requests (the image's native ones stay native: the host)
  unsigned load = 80;               // percent of arrival slots that send a request when one may go
  unsigned reuse = 30;              // percent of requests aimed at the page of a recent one (merges, PWC hits)
  unsigned flush_permille = 3;      // per cycle: PWC invalidation (Mmu::invalidate_all)
  unsigned mem_stall = 0;           // percent of cycles a memory port's mem_req_ready is low (per port)
  unsigned rsp_stall = 0;           // percent of cycles rsp_ready is low
  std::string inject;  // testbench-side bug: "" | "latency" | "flush" (RTL side) | "priority" (model side: highest
                       // walker first)
  bool verbose = false;
  std::string coverage;  // functional coverage JSON written here (and a summary printed); "" none
};

// One walk reference as seen by the memory.
struct Ref {
  uint64_t addr = 0;
  bool write = false;
  uint8_t port = 0, table = 0, level = 0;
  uint8_t walker = 0;                 // the unit's walker number (the memory tag), which orders same-cycle requests
  uint64_t accept = 0, response = 0;  // cycles
  bool operator==(const Ref& o) const {
    return addr == o.addr && write == o.write && port == o.port && table == o.table && level == o.level &&
           walker == o.walker && accept == o.accept && response == o.response;
  }
};

// What happened to one request.
struct Outcome {
  bool done = false;
  bool ok = false;
  uint64_t hpa = 0;
  pt::Fault fault;
  uint64_t sent = 0, completed = 0;  // cycles: request handshake, result
  std::vector<Ref> refs;
};

// A memory image after a run: entry address -> value, at the addresses a side wrote.
using FinalImage = std::map<uint64_t, uint64_t>;

// Handshake stalls as the unit's ports show them (functional coverage, RTL side): a memory
// port's request not accepted, a reference outstanding and not answered, the result not taken;
// each by the state of the walker it belongs to, as the port shows it (a write, the port, ok).
enum class UnitStall : uint8_t { CompoundRequest, NestedRequest, MemResponse, Result };
enum class UnitState : uint8_t { FirstDimRead, NestedRead, Write, FirstDimWait, NestedWait, WriteWait, Done, Fault };
constexpr size_t kUnitStalls = 4, kUnitStates = 8;
using UnitStalls = std::array<std::array<uint64_t, kUnitStates>, kUnitStalls>;

// A walk-unit build (a line of rtl/walk_unit_configs.txt): its walkers, PWC and page-table format.
struct Build {
  unsigned walkers = 0, entries = 0, ways = 1;
  pt::Format fmt;
};

struct SideResult {
  std::vector<Outcome> out;
  std::vector<uint64_t> written;  // addresses written (memory images are compared there)
  FinalImage image;               // the entries at `written` after the run
  std::string error;              // a protocol violation or a hang; empty when none
  uint64_t cycles = 0;
  // Model side only (its statistics): merges, PWC hits / lookups, walks restarted.
  uint64_t coalesced = 0, pwc_hits = 0, pwc_lookups = 0, restarts = 0, flushes = 0;
  unsigned max_in_flight = 0;
  // Model side only (its memory and CPU side play the unit's arbiters): cycles in which several
  // walkers' references waited for one port and the lowest walker was granted; cycles in which
  // several results waited and the lowest walker's was taken; cycles a reference waited for
  // mem_req_ready low, a result for rsp_ready low.
  uint64_t port_conflicts = 0, rsp_conflicts = 0, mem_stall_cycles = 0, rsp_stall_cycles = 0;
  UnitStalls stalls{};  // RTL side only
};

// Runs the whole comparison; prints a report on stdout. Returns the number of mismatches (a
// protocol error or hang counts as one). Throws std::invalid_argument for a bad option.
uint64_t run(const Options& o);
// The walk-unit builds of this executable (unit_rtl.cpp, from walk_unit_configs.h).
std::string config_names();

}  // namespace agilemmu::cosim::unit
