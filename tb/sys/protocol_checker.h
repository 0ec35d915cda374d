// A TLM-2.0 base-protocol checker: a pass-through module to put between an initiator socket and a
// target socket. It forwards everything (b_transport, nb_transport both ways, DMI requests and
// invalidations, transport_dbg) unchanged and checks each call against the rules of IEEE
// 1666-2011 clauses 11 (interfaces: blocking, DMI, debug) and 14/15 (generic payload, base
// protocol) that can be seen on one hop:
//
//   phase      15.2.4   phases of a transaction in order: BEGIN_REQ (END_REQ) BEGIN_RESP END_RESP,
//                       or ended early by TLM_COMPLETED / TLM_UPDATED with END_RESP
//   path       15.2.3   BEGIN_REQ and END_RESP travel forward, END_REQ and BEGIN_RESP backward
//                       (as a call, or as the phase of a TLM_UPDATED return of the other path)
//   return     15.2.4   TLM_ACCEPTED leaves the phase alone; TLM_UPDATED carries the next phase
//   exclusion  15.2.6   one request (BEGIN_REQ until END_REQ/BEGIN_RESP) and one response
//                       (BEGIN_RESP until END_RESP) in progress per hop
//   timing     15.2.7   sc_time_stamp() + delay never decreases along one transaction
//   init       14.x     a new transaction: response TLM_INCOMPLETE_RESPONSE, dmi_allowed false, a
//                       data pointer and length (unless TLM_IGNORE_COMMAND), streaming width > 0,
//                       a byte-enable length with a byte-enable pointer
//   response   14.17    the target sets the response status: not TLM_INCOMPLETE_RESPONSE at
//                       BEGIN_RESP, at TLM_COMPLETED and when b_transport returns
//   modified   14.7     command, data pointer and length, streaming width and byte enables stay as
//                       the initiator set them while the transaction is in progress on this hop
//   blocking   15.2.10  no b_transport on a payload whose nb_transport sequence is in progress (or
//                       already in b_transport on this hop), no nb_transport on one in b_transport;
//              11.1.1   b_transport is called from a thread, never from a method
//   dmi        11.2.5   get_direct_mem_ptr gets an initialised descriptor (null pointer, no access,
//                       0..max range, zero latencies); a grant has a pointer, an access, a range
//                       that holds the requested address; invalidations name start <= end
//   debug      11.3.4   transport_dbg: a data pointer for a non-zero length; returns <= length
//
// Not checked: the memory-manager rules (14.5): the initiators here own their payloads. Use of a
// DMI pointer (access rights, revocation) happens off the sockets; a test sees it in the memory.
//
// Each violation is counted and its text kept; with `report` set (the default) it is also an
// SC_REPORT_ERROR, which stops the simulation with the default report handler.
#pragma once
#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <unordered_map>
#include <vector>

namespace agilemmu::sys {

class ProtocolChecker : public sc_core::sc_module,
                        private tlm::tlm_fw_transport_if<>,
                        private tlm::tlm_bw_transport_if<> {
 public:
  tlm::tlm_target_socket<> target;        // bind the initiator's socket here
  tlm::tlm_initiator_socket<> initiator;  // bind this to the target's socket

  explicit ProtocolChecker(sc_core::sc_module_name name, bool report = true);

  bool report;  // SC_REPORT_ERROR on each violation (else only counted and kept)
  uint64_t violations() const { return violations_; }
  const std::vector<std::string>& messages() const { return messages_; }  // the first kKeep
  static constexpr size_t kKeep = 32;

  // What crossed this hop, so a test can tell the checker saw the traffic it meant to check.
  struct Seen {
    uint64_t b_transport = 0, nb_fw = 0, nb_bw = 0, completed = 0;  // completed: transactions ended
    uint64_t dbg = 0, dmi_requests = 0, dmi_grants = 0, dmi_invalidations = 0;
  };
  const Seen& seen() const { return seen_; }

 private:
  // Where a transaction is on this hop. None: not in an nb_transport sequence.
  enum class Phase : uint8_t { None, BeginReq, EndReq, BeginResp };
  struct Attrs {
    tlm::tlm_command cmd = tlm::TLM_IGNORE_COMMAND;
    unsigned char* data = nullptr;
    unsigned len = 0, width = 0, be_len = 0;
    unsigned char* be = nullptr;
  };
  struct Txn {
    Phase phase = Phase::None;
    unsigned b_calls = 0;
    sc_core::sc_time time;  // sc_time_stamp() + delay of its latest phase
    Attrs attrs;
  };

  // fw (from the initiator)
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_core::sc_time& d) override;
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& d) override;
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi) override;
  unsigned transport_dbg(tlm::tlm_generic_payload& t) override;
  // bw (from the target)
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_core::sc_time& d) override;
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) override;

  // A phase arriving on the forward (fw) or backward path, as a call or as a TLM_UPDATED return.
  void phase(tlm::tlm_generic_payload& t, const tlm::tlm_phase& ph, const sc_core::sc_time& d, bool fw,
             const char* where);
  // What the callee returned for phase `sent`.
  void returned(tlm::tlm_generic_payload& t, const tlm::tlm_phase& sent, const tlm::tlm_phase& ph,
                const sc_core::sc_time& d, tlm::tlm_sync_enum r, bool fw);
  void ended(tlm::tlm_generic_payload& t);
  void check_new(const tlm::tlm_generic_payload& t, const char* where);
  void check_unmodified(const tlm::tlm_generic_payload& t, const Txn& x, const char* where);
  void check_response_set(const tlm::tlm_generic_payload& t, const char* where);
  void violation(const std::string& rule, const std::string& what, const tlm::tlm_generic_payload* t);

  std::unordered_map<const tlm::tlm_generic_payload*, Txn> txns_;
  const tlm::tlm_generic_payload* request_ = nullptr;   // in its request phase on this hop
  const tlm::tlm_generic_payload* response_ = nullptr;  // in its response phase on this hop
  uint64_t violations_ = 0;
  std::vector<std::string> messages_;
  Seen seen_;
};

}  // namespace agilemmu::sys
