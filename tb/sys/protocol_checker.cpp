#include "sys/protocol_checker.h"

#include <cstdio>

namespace agilemmu::sys {

using namespace sc_core;

namespace {
const char* name_of(const tlm::tlm_phase& ph) {
  if (ph == tlm::BEGIN_REQ) return "BEGIN_REQ";
  if (ph == tlm::END_REQ) return "END_REQ";
  if (ph == tlm::BEGIN_RESP) return "BEGIN_RESP";
  if (ph == tlm::END_RESP) return "END_RESP";
  return "a phase the base protocol does not have";
}
}  // namespace

ProtocolChecker::ProtocolChecker(sc_module_name name, bool report_)
    : sc_module(name), target("target"), initiator("initiator"), report(report_) {
  target.bind(*this);
  initiator.bind(*this);
}

void ProtocolChecker::violation(const std::string& rule, const std::string& what, const tlm::tlm_generic_payload* t) {
  ++violations_;
  std::string m = std::string(name()) + ": " + what + " (IEEE 1666-2011 " + rule + ")";
  if (t) {
    char b[96];
    std::snprintf(b, sizeof b, "; payload %p address 0x%llx", static_cast<const void*>(t),
                  static_cast<unsigned long long>(t->get_address()));
    m += b;
  }
  m += " at " + sc_time_stamp().to_string();
  if (messages_.size() < kKeep) messages_.push_back(m);
  if (report) SC_REPORT_ERROR("agilemmu/protocol_checker", m.c_str());
}

void ProtocolChecker::check_new(const tlm::tlm_generic_payload& t, const char* where) {
  const std::string w = std::string(" at the start of ") + where;
  if (t.get_response_status() != tlm::TLM_INCOMPLETE_RESPONSE)
    violation("14.17", "response status is " + t.get_response_string() + ", not TLM_INCOMPLETE_RESPONSE" + w, &t);
  if (t.is_dmi_allowed()) violation("14.16", "dmi_allowed is already true" + w, &t);
  if (t.get_command() != tlm::TLM_IGNORE_COMMAND && (!t.get_data_ptr() || !t.get_data_length()))
    violation("14.11, 14.12", "no data pointer or a data length of 0" + w, &t);
  if (!t.get_streaming_width()) violation("14.15", "streaming width 0" + w, &t);
  if (t.get_byte_enable_ptr() && !t.get_byte_enable_length())
    violation("14.14", "a byte-enable pointer with byte-enable length 0" + w, &t);
}

void ProtocolChecker::check_unmodified(const tlm::tlm_generic_payload& t, const Txn& x, const char* where) {
  const Attrs& a = x.attrs;
  if (t.get_command() != a.cmd || t.get_data_ptr() != a.data || t.get_data_length() != a.len ||
      t.get_streaming_width() != a.width || t.get_byte_enable_ptr() != a.be || t.get_byte_enable_length() != a.be_len)
    violation("14.7",
              std::string("command, data pointer or length, streaming width or byte enables changed during the "
                          "transaction, seen in ") +
                  where,
              &t);
}

void ProtocolChecker::check_response_set(const tlm::tlm_generic_payload& t, const char* where) {
  if (t.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE)
    violation("14.17", std::string("the target did not set the response status by ") + where, &t);
}

void ProtocolChecker::ended(tlm::tlm_generic_payload& t) {
  if (request_ == &t) request_ = nullptr;
  if (response_ == &t) response_ = nullptr;
  auto it = txns_.find(&t);
  if (it == txns_.end() || it->second.phase == Phase::None) return;  // (ended already: END_RESP, then its return)
  ++seen_.completed;
  it->second.phase = Phase::None;
  if (!it->second.b_calls) txns_.erase(it);
}

void ProtocolChecker::phase(tlm::tlm_generic_payload& t, const tlm::tlm_phase& ph, const sc_time& d, bool fw,
                            const char* where) {
  Txn& x = txns_[&t];
  const std::string at = std::string(name_of(ph)) + " (" + where + ")";
  const sc_time when = sc_time_stamp() + d;
  if (ph == tlm::BEGIN_REQ) {
    if (!fw) violation("15.2.3", at + " on the backward path", &t);
    if (x.phase != Phase::None) violation("15.2.4", at + " for a transaction already in progress", &t);
    if (x.b_calls) violation("15.2.10", at + " for a payload in b_transport", &t);
    if (request_ && request_ != &t)
      violation("15.2.6", at + " while another request is in progress (no END_REQ or BEGIN_RESP yet)", &t);
    check_new(t, where);
    x.attrs = {t.get_command(),         t.get_data_ptr(),           t.get_data_length(),
               t.get_streaming_width(), t.get_byte_enable_length(), t.get_byte_enable_ptr()};
    x.time = when;
    x.phase = Phase::BeginReq;
    request_ = &t;
    return;
  }
  if (x.phase == Phase::None) {
    violation("15.2.4", at + " for a transaction that is not in progress (no BEGIN_REQ)", &t);
    return;
  }
  check_unmodified(t, x, where);
  if (when < x.time)
    violation("15.2.7", at + ": time " + when.to_string() + " before the previous phase's " + x.time.to_string(), &t);
  x.time = when;
  if (ph == tlm::END_REQ) {
    if (fw) violation("15.2.3", at + " on the forward path", &t);
    if (x.phase != Phase::BeginReq) violation("15.2.4", at + " not after BEGIN_REQ", &t);
    if (request_ == &t) request_ = nullptr;
    x.phase = Phase::EndReq;
  } else if (ph == tlm::BEGIN_RESP) {
    if (fw) violation("15.2.3", at + " on the forward path", &t);
    if (x.phase != Phase::BeginReq && x.phase != Phase::EndReq)
      violation("15.2.4", at + " not after BEGIN_REQ or END_REQ", &t);
    if (response_ && response_ != &t)
      violation("15.2.6", at + " while another response is in progress (no END_RESP yet)", &t);
    check_response_set(t, "BEGIN_RESP");
    if (request_ == &t) request_ = nullptr;  // BEGIN_RESP ends the request phase too
    response_ = &t;
    x.phase = Phase::BeginResp;
  } else if (ph == tlm::END_RESP) {
    if (!fw) violation("15.2.3", at + " on the backward path", &t);
    if (x.phase != Phase::BeginResp) violation("15.2.4", at + " not after BEGIN_RESP", &t);
    ended(t);
  } else {
    violation("15.2.4", at + ": not a base-protocol phase", &t);
  }
}

void ProtocolChecker::returned(tlm::tlm_generic_payload& t, const tlm::tlm_phase& sent, const tlm::tlm_phase& ph,
                               const sc_time& d, tlm::tlm_sync_enum r, bool fw) {
  const char* where = fw ? "return from nb_transport_fw" : "return from nb_transport_bw";
  if (r == tlm::TLM_ACCEPTED) {
    if (ph != sent)
      violation(
          "15.2.4",
          std::string(where) + ": TLM_ACCEPTED with the phase changed from " + name_of(sent) + " to " + name_of(ph),
          &t);
    return;
  }
  if (r == tlm::TLM_UPDATED) {
    if (sent == tlm::END_REQ || sent == tlm::END_RESP)
      violation("15.2.4", std::string(where) + ": TLM_UPDATED in answer to " + name_of(sent), &t);
    phase(t, ph, d, !fw, where);  // the returned phase travels the other way
    return;
  }
  // TLM_COMPLETED: the transaction ends here; a target completing a request answers it.
  if (sent == tlm::BEGIN_REQ) check_response_set(t, "TLM_COMPLETED in answer to BEGIN_REQ");
  auto it = txns_.find(&t);
  if (it != txns_.end()) check_unmodified(t, it->second, where);
  ended(t);
}

tlm::tlm_sync_enum ProtocolChecker::nb_transport_fw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time& d) {
  ++seen_.nb_fw;
  const tlm::tlm_phase sent = ph;
  phase(t, ph, d, true, "nb_transport_fw");
  const tlm::tlm_sync_enum r = initiator->nb_transport_fw(t, ph, d);
  returned(t, sent, ph, d, r, true);
  return r;
}

tlm::tlm_sync_enum ProtocolChecker::nb_transport_bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time& d) {
  ++seen_.nb_bw;
  const tlm::tlm_phase sent = ph;
  phase(t, ph, d, false, "nb_transport_bw");
  const tlm::tlm_sync_enum r = target->nb_transport_bw(t, ph, d);
  returned(t, sent, ph, d, r, false);
  return r;
}

void ProtocolChecker::b_transport(tlm::tlm_generic_payload& t, sc_time& d) {
  ++seen_.b_transport;
  {
    Txn& x = txns_[&t];
    if (x.phase != Phase::None) violation("15.2.10", "b_transport for a payload in an nb_transport sequence", &t);
    if (x.b_calls) violation("15.2.10", "b_transport for a payload already in b_transport on this hop", &t);
    const sc_process_handle p = sc_get_current_process_handle();
    if (p.valid() && p.proc_kind() == SC_METHOD_PROC_)
      violation("11.1.1", "b_transport called from a method process", &t);
    check_new(t, "b_transport");
    x.attrs = {t.get_command(),         t.get_data_ptr(),           t.get_data_length(),
               t.get_streaming_width(), t.get_byte_enable_length(), t.get_byte_enable_ptr()};
    ++x.b_calls;
  }
  initiator->b_transport(t, d);
  Txn& x = txns_[&t];  // (the map may have grown meanwhile: look again)
  check_response_set(t, "the return of b_transport");
  check_unmodified(t, x, "the return of b_transport");
  if (--x.b_calls == 0 && x.phase == Phase::None) txns_.erase(&t);
  ++seen_.completed;
}

bool ProtocolChecker::get_direct_mem_ptr(tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi) {
  ++seen_.dmi_requests;
  if (dmi.get_dmi_ptr() || !dmi.is_none_allowed() || dmi.get_start_address() != 0 ||
      dmi.get_end_address() != ~sc_dt::uint64(0) || dmi.get_read_latency() != SC_ZERO_TIME ||
      dmi.get_write_latency() != SC_ZERO_TIME)
    violation("11.2.5",
              "get_direct_mem_ptr with a descriptor not initialised (pointer, access, range or latencies left "
              "from before; call tlm_dmi::init())",
              &t);
  const bool granted = initiator->get_direct_mem_ptr(t, dmi);
  if (granted) {
    ++seen_.dmi_grants;
    if (!dmi.get_dmi_ptr() || dmi.is_none_allowed())
      violation("11.2.5", "a DMI grant without a pointer or without read or write access", &t);
    if (dmi.get_start_address() > dmi.get_end_address() || t.get_address() < dmi.get_start_address() ||
        t.get_address() > dmi.get_end_address())
      violation("11.2.5", "a DMI grant whose range does not hold the requested address", &t);
  }
  return granted;
}

unsigned ProtocolChecker::transport_dbg(tlm::tlm_generic_payload& t) {
  ++seen_.dbg;
  if (t.get_data_length() && !t.get_data_ptr())
    violation("11.3.4", "transport_dbg with a data length and no data pointer", &t);
  const unsigned len = t.get_data_length();
  const unsigned n = initiator->transport_dbg(t);
  if (n > len) violation("11.3.4", "transport_dbg returned more bytes than the data length", &t);
  return n;
}

void ProtocolChecker::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  ++seen_.dmi_invalidations;
  if (start > end) violation("11.2", "invalidate_direct_mem_ptr with start after end", nullptr);
  target->invalidate_direct_mem_ptr(start, end);
}

}  // namespace agilemmu::sys
