// The base-protocol checker itself: it stays silent on legal traffic and names each broken rule
// (a deliberately broken initiator or target on the other side). Each case is its own process.
#define BOOST_TEST_MODULE protocol_checker
#include <boost/test/unit_test.hpp>
#include <functional>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "sys/protocol_checker.h"

using namespace sc_core;
using agilemmu::sys::ProtocolChecker;

namespace {

// A target whose answers the test scripts: `fw` decides each nb_transport_fw; b_transport sets
// `b_status`; DMI grants [0, 4095] read-write.
struct ScriptedTarget : sc_module {
  tlm_utils::simple_target_socket<ScriptedTarget> socket{"socket"};
  std::function<tlm::tlm_sync_enum(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_time&)> fw;
  tlm::tlm_response_status b_status = tlm::TLM_OK_RESPONSE;
  unsigned char mem[4096] = {};
  explicit ScriptedTarget(sc_module_name n) : sc_module(n) {
    socket.register_nb_transport_fw(this, &ScriptedTarget::nb);
    socket.register_b_transport(this, &ScriptedTarget::b);
    socket.register_get_direct_mem_ptr(this, &ScriptedTarget::dmi);
  }
  tlm::tlm_sync_enum nb(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time& d) { return fw(t, ph, d); }
  void b(tlm::tlm_generic_payload& t, sc_time&) { t.set_response_status(b_status); }
  bool dmi(tlm::tlm_generic_payload&, tlm::tlm_dmi& d) {
    d.set_dmi_ptr(mem);
    d.set_start_address(0);
    d.set_end_address(4095);
    d.allow_read_write();
    return true;
  }
};

// An initiator whose thread runs the test's script.
struct ScriptedInitiator : sc_module {
  tlm_utils::simple_initiator_socket<ScriptedInitiator> socket{"socket"};
  std::function<void(ScriptedInitiator&)> script;
  std::function<tlm::tlm_sync_enum(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_time&)> bw =
      [](tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_time&) { return tlm::TLM_ACCEPTED; };
  SC_HAS_PROCESS(ScriptedInitiator);
  explicit ScriptedInitiator(sc_module_name n) : sc_module(n) {
    socket.register_nb_transport_bw(this, &ScriptedInitiator::nb);
    SC_THREAD(run);
  }
  tlm::tlm_sync_enum nb(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time& d) { return bw(t, ph, d); }
  void run() { script(*this); }
  tlm::tlm_sync_enum send(tlm::tlm_generic_payload& t, tlm::tlm_phase ph) {
    sc_time d = SC_ZERO_TIME;
    return socket->nb_transport_fw(t, ph, d);
  }
};

struct Payload : tlm::tlm_generic_payload {
  uint64_t word = 0;
  explicit Payload(uint64_t address = 0x40) {
    set_command(tlm::TLM_READ_COMMAND);
    set_address(address);
    set_data_ptr(reinterpret_cast<unsigned char*>(&word));
    set_data_length(8);
    set_streaming_width(8);
    set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  }
};

// initiator -> checker -> target, the checker only counting.
struct Bench {
  ScriptedInitiator init{"init"};
  ProtocolChecker chk{"chk", false};
  ScriptedTarget tgt{"tgt"};
  Bench() {
    init.socket.bind(chk.target);
    chk.initiator.bind(tgt.socket);
    tgt.fw = [](tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_time&) { return tlm::TLM_ACCEPTED; };
  }
  // The messages, one per line, for a failed check.
  std::string log() const {
    std::string m;
    for (const auto& s : chk.messages()) m += s + "\n";
    return m;
  }
  bool said(const std::string& part) const {
    for (const auto& s : chk.messages())
      if (s.find(part) != std::string::npos) return true;
    return false;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(legal_traffic_every_way_of_ending_is_clean) {
  Bench b;
  // The target: requests to 0x0 completed at once, to 0x8 answered TLM_UPDATED with BEGIN_RESP,
  // the rest accepted (the script answers them on the backward path).
  b.tgt.fw = [](tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time&) {
    if (ph == tlm::END_RESP) return tlm::TLM_COMPLETED;
    t.set_response_status(tlm::TLM_OK_RESPONSE);
    if (t.get_address() == 0) return tlm::TLM_COMPLETED;
    if (t.get_address() == 8) {
      ph = tlm::BEGIN_RESP;
      return tlm::TLM_UPDATED;
    }
    return tlm::TLM_ACCEPTED;
  };
  int step = 0;  // how the initiator ends the next BEGIN_RESP
  b.init.bw = [&](tlm::tlm_generic_payload&, tlm::tlm_phase& ph, sc_time&) {
    if (ph != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
    if (step == 0) return tlm::TLM_COMPLETED;
    ph = tlm::END_RESP;
    return tlm::TLM_UPDATED;
  };
  b.init.script = [&](ScriptedInitiator& i) {
    Payload a(0), c(8), e(0x40), f(0x48), g(0x50);
    i.send(a, tlm::BEGIN_REQ);  // completed on the forward path
    i.send(c, tlm::BEGIN_REQ);  // TLM_UPDATED with BEGIN_RESP ...
    i.send(c, tlm::END_RESP);   // ... ended on the forward path
    i.send(e, tlm::BEGIN_REQ);  // accepted: END_REQ and BEGIN_RESP come back
    tlm::tlm_phase ph = tlm::END_REQ;
    sc_time d = SC_ZERO_TIME;
    b.tgt.socket->nb_transport_bw(e, ph, d);  // END_REQ
    wait(1, SC_NS);
    e.set_response_status(tlm::TLM_OK_RESPONSE);
    ph = tlm::BEGIN_RESP;
    b.tgt.socket->nb_transport_bw(e, ph, d);  // BEGIN_RESP, TLM_COMPLETED by the initiator
    step = 1;
    i.send(f, tlm::BEGIN_REQ);  // BEGIN_RESP without END_REQ, ended with TLM_UPDATED END_RESP
    f.set_response_status(tlm::TLM_OK_RESPONSE);
    ph = tlm::BEGIN_RESP;
    b.tgt.socket->nb_transport_bw(f, ph, d);
    sc_time bd = SC_ZERO_TIME;
    i.socket->b_transport(g, bd);  // a blocking one, then DMI and debug
    tlm::tlm_dmi dmi;
    i.socket->get_direct_mem_ptr(g, dmi);
    dmi.init();
    i.socket->get_direct_mem_ptr(g, dmi);
  };
  sc_start();
  BOOST_TEST(b.chk.violations() == 0u, b.log());
  BOOST_TEST(b.chk.seen().completed == 5u);
  BOOST_TEST(b.chk.seen().dmi_grants == 2u);
}

BOOST_AUTO_TEST_CASE(two_begin_req_without_end_req) {
  Bench b;
  b.init.script = [](ScriptedInitiator& i) {
    Payload p, q(0x80);
    i.send(p, tlm::BEGIN_REQ);
    i.send(q, tlm::BEGIN_REQ);  // the target has not ended p's request
  };
  sc_start();
  BOOST_TEST(b.chk.violations() == 1u, b.log());
  BOOST_TEST(b.said("another request is in progress"));
  BOOST_TEST(b.said("15.2.6"));
}

BOOST_AUTO_TEST_CASE(end_resp_before_begin_resp) {
  Bench b;
  b.init.script = [](ScriptedInitiator& i) {
    Payload p;
    i.send(p, tlm::BEGIN_REQ);
    i.send(p, tlm::END_RESP);
  };
  sc_start();
  BOOST_TEST(b.chk.violations() == 1u, b.log());
  BOOST_TEST(b.said("END_RESP (nb_transport_fw) not after BEGIN_RESP"));
}

BOOST_AUTO_TEST_CASE(response_status_not_reset_by_the_initiator) {
  Bench b;
  b.init.script = [](ScriptedInitiator& i) {
    Payload p;
    p.set_response_status(tlm::TLM_OK_RESPONSE);  // left over from an earlier use
    sc_time d = SC_ZERO_TIME;
    i.socket->b_transport(p, d);
  };
  sc_start();
  BOOST_TEST(b.chk.violations() == 1u, b.log());
  BOOST_TEST(b.said("not TLM_INCOMPLETE_RESPONSE at the start of b_transport"));
}

BOOST_AUTO_TEST_CASE(response_status_not_set_by_the_target) {
  Bench b;
  b.tgt.b_status = tlm::TLM_INCOMPLETE_RESPONSE;
  b.tgt.fw = [](tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_time&) { return tlm::TLM_COMPLETED; };
  b.init.script = [](ScriptedInitiator& i) {
    Payload p, q;
    sc_time d = SC_ZERO_TIME;
    i.socket->b_transport(p, d);
    i.send(q, tlm::BEGIN_REQ);
  };
  sc_start();
  BOOST_TEST(b.chk.violations() == 2u, b.log());
  BOOST_TEST(b.said("did not set the response status by the return of b_transport"));
  BOOST_TEST(b.said("did not set the response status by TLM_COMPLETED in answer to BEGIN_REQ"));
}

BOOST_AUTO_TEST_CASE(a_second_begin_resp_before_end_resp) {
  Bench b;
  b.init.script = [&](ScriptedInitiator& i) {
    Payload p, q(0x80);
    i.send(p, tlm::BEGIN_REQ);
    tlm::tlm_phase ph = tlm::END_REQ;
    sc_time d = SC_ZERO_TIME;
    b.tgt.socket->nb_transport_bw(p, ph, d);
    i.send(q, tlm::BEGIN_REQ);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
    q.set_response_status(tlm::TLM_OK_RESPONSE);
    ph = tlm::BEGIN_RESP;
    b.tgt.socket->nb_transport_bw(p, ph, d);  // accepted: p's response in progress
    ph = tlm::BEGIN_RESP;
    b.tgt.socket->nb_transport_bw(q, ph, d);
  };
  sc_start();
  BOOST_TEST(b.chk.violations() == 1u, b.log());
  BOOST_TEST(b.said("another response is in progress"));
}

BOOST_AUTO_TEST_CASE(b_transport_during_nb_transport_and_decreasing_time) {
  Bench b;
  b.init.script = [&](ScriptedInitiator& i) {
    Payload p;
    i.send(p, tlm::BEGIN_REQ);
    sc_time d = SC_ZERO_TIME;
    i.socket->b_transport(p, d);  // p is in an nb_transport sequence
    tlm::tlm_phase ph = tlm::END_REQ;
    d = sc_time(5, SC_NS);
    b.tgt.socket->nb_transport_bw(p, ph, d);
    ph = tlm::BEGIN_RESP;
    d = SC_ZERO_TIME;  // earlier than END_REQ's time
    p.set_response_status(tlm::TLM_OK_RESPONSE);
    b.tgt.socket->nb_transport_bw(p, ph, d);
  };
  sc_start();
  BOOST_TEST(b.chk.violations() == 2u, b.log());
  BOOST_TEST(b.said("b_transport for a payload in an nb_transport sequence"));
  BOOST_TEST(b.said("15.2.7"));
}

BOOST_AUTO_TEST_CASE(a_reused_dmi_descriptor) {
  Bench b;
  b.init.script = [](ScriptedInitiator& i) {
    Payload p;
    tlm::tlm_dmi dmi;
    i.socket->get_direct_mem_ptr(p, dmi);
    i.socket->get_direct_mem_ptr(p, dmi);  // still holds the first grant
  };
  sc_start();
  BOOST_TEST(b.chk.violations() == 1u, b.log());
  BOOST_TEST(b.said("11.2.5"));
}

BOOST_AUTO_TEST_CASE(updated_with_a_phase_of_the_wrong_path) {
  Bench b;
  b.tgt.fw = [](tlm::tlm_generic_payload&, tlm::tlm_phase& ph, sc_time&) {
    ph = tlm::END_RESP;  // a forward-path phase returned by the target
    return tlm::TLM_UPDATED;
  };
  b.init.script = [](ScriptedInitiator& i) {
    Payload p;
    i.send(p, tlm::BEGIN_REQ);
  };
  sc_start();
  BOOST_TEST(b.chk.violations() >= 1u);
  BOOST_TEST(b.said("15.2.3"), b.log());
}

BOOST_AUTO_TEST_CASE(a_violation_is_an_sc_report_error_when_asked) {
  Bench b;
  b.chk.report = true;
  b.init.script = [](ScriptedInitiator& i) {
    Payload p;
    i.send(p, tlm::END_RESP);
  };
  bool thrown = false;
  try {
    sc_start();
  } catch (const sc_report& e) {
    thrown = std::string(e.what()).find("chk: END_RESP (nb_transport_fw) for a transaction that is not in progress") !=
             std::string::npos;
    BOOST_TEST_MESSAGE(e.what());
  }
  BOOST_TEST(thrown);
}
