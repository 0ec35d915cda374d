// The Verilated walker as a SystemC/TLM-2.0 module with the model walker's memory ports: a walk
// request arrives on `walk` (b_transport, the payload carries a WalkExtension) and every memory
// reference leaves on `compound_port` or `nested_port` as the Mmu's walks do: a read as an 8-byte
// TLM read, an A/D write as an 8-byte TLM write of the new entry value. So a platform can put
// the RTL walker where the model walker sits and route its references the same.
//
// The RTL is clocked edge by edge in C++ (RtlWalker, Verilator --cc) inside this module's call
// rather than by an sc_clock: the --sc wrapper measured 5-8x slower (rtl/README.md). The time a
// read's or write's b_transport annotates, in whole cycles (at least 1), is the memory latency the RTL sees
// for that reference; the walk's cycles come back as annotated delay.
#pragma once
#include <memory>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "cosim/rtl_walker.h"

namespace agilemmu::cosim {

// A walk request (in) and the RTL's result (out).
struct WalkExtension : tlm::tlm_extension<WalkExtension> {
  pt::Roots roots;
  pt::WalkRequest req;
  RtlResult result;  // filled by the module
  tlm::tlm_extension_base* clone() const override { return new WalkExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& o) override { *this = static_cast<const WalkExtension&>(o); }
};

class RtlWalkerModule : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<RtlWalkerModule> walk;
  tlm_utils::simple_initiator_socket<RtlWalkerModule> compound_port;
  tlm_utils::simple_initiator_socket<RtlWalkerModule> nested_port;

  RtlWalkerModule(sc_core::sc_module_name name, std::unique_ptr<RtlWalker> rtl, sc_core::sc_time clock);
  RtlWalker& rtl() { return *rtl_; }

 private:
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  std::unique_ptr<RtlWalker> rtl_;
  sc_core::sc_time clock_;
};

}  // namespace agilemmu::cosim
