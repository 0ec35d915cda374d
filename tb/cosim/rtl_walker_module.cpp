#include "cosim/rtl_walker_module.h"

#include <cmath>
#include <vector>

namespace agilemmu::cosim {

namespace {

// Serves the RTL's references through the module's TLM ports: a read as an 8-byte
// TLM_READ_COMMAND, an A/D write as an 8-byte TLM_WRITE_COMMAND of the new entry value. The
// time the memory annotates, in whole cycles (at least 1), is the latency the RTL sees for that
// reference.
class PortServer final : public MemServer {
 public:
  PortServer(RtlWalkerModule& m, tlm_utils::simple_initiator_socket<RtlWalkerModule>& compound,
             tlm_utils::simple_initiator_socket<RtlWalkerModule>& nested, sc_core::sc_time clock)
      : m_(m), compound_(compound), nested_(nested), clock_(clock) {}
  uint64_t read(const pt::MemRef& ref, unsigned /*index*/) override {
    uint64_t value = 0;
    if (!transport(tlm::TLM_READ_COMMAND, ref, value)) {
      // As the model walker does: an unreadable entry reads as 0, so the walk faults
      // architecturally instead of the simulation stopping.
      SC_REPORT_WARNING(m_.name(), "page-table read returned an error response; reading it as 0");
      value = 0;
    }
    return value;
  }
  uint64_t write(const pt::MemRef& ref, unsigned /*index*/) override {
    uint64_t value = ref.data;
    if (!transport(tlm::TLM_WRITE_COMMAND, ref, value))
      SC_REPORT_WARNING(m_.name(), "page-table A/D write returned an error response");
    return 0;  // the entry's old value is not known here
  }
  uint32_t latency(unsigned, uint32_t) override { return latency_; }

 private:
  bool transport(tlm::tlm_command cmd, const pt::MemRef& ref, uint64_t& value) {
    tlm::tlm_generic_payload p;
    p.set_command(cmd);
    p.set_address(ref.addr);
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
    p.set_data_length(8);
    p.set_streaming_width(8);
    p.set_byte_enable_ptr(nullptr);
    p.set_dmi_allowed(false);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    (ref.port == pt::Port::Nested ? nested_ : compound_)->b_transport(p, d);
    const double cycles = std::ceil(d / clock_ - 1e-9);
    latency_ = cycles > 1 ? static_cast<uint32_t>(cycles) : 1;
    return !p.is_response_error();
  }

  RtlWalkerModule& m_;
  tlm_utils::simple_initiator_socket<RtlWalkerModule>& compound_;
  tlm_utils::simple_initiator_socket<RtlWalkerModule>& nested_;
  sc_core::sc_time clock_;
  uint32_t latency_ = 1;
};

}  // namespace

RtlWalkerModule::RtlWalkerModule(sc_core::sc_module_name name, std::unique_ptr<RtlWalker> rtl, sc_core::sc_time clock)
    : sc_module(name),
      walk("walk"),
      compound_port("compound_port"),
      nested_port("nested_port"),
      rtl_(std::move(rtl)),
      clock_(clock) {
  walk.register_b_transport(this, &RtlWalkerModule::b_transport);
}

void RtlWalkerModule::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
  WalkExtension* x = nullptr;
  t.get_extension(x);
  if (!x) {
    SC_REPORT_ERROR(name(), "walk request without a WalkExtension");
    t.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  PortServer mem(*this, compound_port, nested_port, clock_);
  x->result = rtl_->run(x->roots, x->req, mem, 1);
  if (x->result.hung) {
    SC_REPORT_ERROR(name(), "the RTL walker gave no result within its cycle budget");
    t.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  delay += clock_ * static_cast<double>(x->result.cycles);
  t.set_response_status(x->result.r.ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

}  // namespace agilemmu::cosim
