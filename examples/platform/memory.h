// The platform's memory: the time passes inside b_transport (wait()), with a latency that
// depends on the address, as many third-party models do. The bytes live in a pt::PhysMem, where
// vmm::AddressSpace wrote the page tables. It serves transport_dbg too, which the MMU's
// coherence checker (MmuConfig::check) and debuggers use.
#pragma once
#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include <agilemmu/pt/phys_mem.h>

struct Memory : sc_core::sc_module {
  // One socket for the MMU's three initiators: data, compound_port and nested_port.
  tlm_utils::multi_passthrough_target_socket<Memory> socket{"socket"};
  agilemmu::pt::PhysMem& mem;
  uint64_t reads = 0, writes = 0;

  Memory(sc_core::sc_module_name n, agilemmu::pt::PhysMem& m) : sc_module(n), mem(m) {
    socket.register_b_transport(this, &Memory::b_transport);
    socket.register_transport_dbg(this, &Memory::transport_dbg);
  }

  void b_transport(int, tlm::tlm_generic_payload& t, sc_core::sc_time& d) {
    wait(d + sc_core::sc_time(double(20 + 7 * ((t.get_address() >> 3) % 11)), sc_core::SC_NS));
    d = sc_core::SC_ZERO_TIME;
    if (t.get_byte_enable_ptr()) return t.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    if (t.get_streaming_width() < t.get_data_length()) return t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    ++(t.is_read() ? reads : writes);
    transport_dbg(0, t);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  unsigned transport_dbg(int, tlm::tlm_generic_payload& t) {
    if (t.is_read())
      mem.read(t.get_address(), t.get_data_ptr(), t.get_data_length());
    else if (t.is_write())
      mem.write(t.get_address(), t.get_data_ptr(), t.get_data_length());
    return t.get_data_length();
  }
};
