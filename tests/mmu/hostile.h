// TLM parts that use every freedom the base protocol gives, for driving the Mmu with a protocol
// checker on each of its sockets (mmu_protocol_test.cpp). Header-only, test code.
#pragma once
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include <agilemmu/mmu/mmu.h>
#include <agilemmu/pt/phys_mem.h>

#include "sys/protocol_checker.h"
#include "sys/stream_cpu.h"

namespace hostile {

using namespace sc_core;
using agilemmu::pt::PhysMem;

// How an AT initiator ends a response (every way the base protocol allows).
enum class End {
  AcceptedThenEndResp,  // TLM_ACCEPTED to BEGIN_RESP, END_RESP on the forward path some time later
  UpdatedEndResp,       // TLM_UPDATED with END_RESP on the return path
  Completed,            // TLM_COMPLETED on the return path
};

// An AT initiator with `outstanding` requests in flight (its own payloads), ending each response
// as `end` says; it reads `vas` in turn, every `write_every`-th request a write.
struct EndingCpu : sc_module {
  tlm_utils::simple_initiator_socket<EndingCpu> socket{"socket"};
  std::vector<uint64_t> vas;
  uint64_t count;
  unsigned outstanding;
  End end;
  unsigned write_every = 5;
  sc_time req_delay = SC_ZERO_TIME;  // the timing annotation of every BEGIN_REQ
  uint64_t completed = 0, errors = 0;
  uint64_t completed_on_return = 0;  // TLM_COMPLETED in answer to BEGIN_REQ
  // BEGIN_RESPs that came (at their annotated time) before the previous response had ended.
  uint64_t early_responses = 0;
  SC_HAS_PROCESS(EndingCpu);
  EndingCpu(sc_module_name n, std::vector<uint64_t> v, uint64_t count_, unsigned outstanding_, End e)
      : sc_module(n), vas(std::move(v)), count(count_), outstanding(outstanding_), end(e), slots_(outstanding_) {
    socket.register_nb_transport_bw(this, &EndingCpu::bw);
    for (auto& s : slots_) {
      s.p.set_data_ptr(reinterpret_cast<unsigned char*>(&s.buf));
      s.p.set_extension(&s.x);
      s.x.asid = 1, s.x.vmid = 1;
    }
    SC_THREAD(run);
  }
  ~EndingCpu() override {
    for (auto& s : slots_) s.p.clear_extension(&s.x);
  }

 private:
  struct Slot {
    tlm::tlm_generic_payload p;
    agilemmu::mmu::MmuExtension x;
    uint64_t buf = 0;
    bool busy = false;
  };
  void finish(tlm::tlm_generic_payload& t) {
    ++completed;
    if (!t.is_response_ok() && t.get_response_status() != tlm::TLM_ADDRESS_ERROR_RESPONSE) ++errors;
    for (auto& s : slots_)
      if (&s.p == &t) s.busy = false;
    ev_.notify();
  }
  tlm::tlm_sync_enum bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time& d) {
    if (ph == tlm::END_REQ) {
      req_open_ = nullptr;
      ev_.notify();
      return tlm::TLM_ACCEPTED;
    }
    // BEGIN_RESP (implies END_REQ)
    if (req_open_ == &t) req_open_ = nullptr;
    if (sc_time_stamp() + d < resp_free_ || resp_open_) ++early_responses;
    resp_open_ = true;
    switch (end) {
      case End::AcceptedThenEndResp:
        to_end_.push_back(&t);
        ev_.notify();
        return tlm::TLM_ACCEPTED;
      case End::UpdatedEndResp:
        ph = tlm::END_RESP;
        d += sc_time(5, SC_NS);  // the response ends a little later
        resp_free_ = sc_time_stamp() + d;
        resp_open_ = false;
        finish(t);
        return tlm::TLM_UPDATED;
      case End::Completed:
        resp_open_ = false;
        finish(t);
        return tlm::TLM_COMPLETED;
    }
    return tlm::TLM_COMPLETED;
  }
  void end_responses() {
    while (!to_end_.empty()) {
      tlm::tlm_generic_payload* t = to_end_.front();
      to_end_.pop_front();
      wait(2, SC_NS);  // the response phase lasts a while
      tlm::tlm_phase ph = tlm::END_RESP;
      sc_time d = SC_ZERO_TIME;
      resp_open_ = false;
      socket->nb_transport_fw(*t, ph, d);
      finish(*t);
    }
  }
  void run() {
    size_t next = 0;
    for (uint64_t i = 0; i < count; ++i) {
      Slot* s = nullptr;
      for (;;) {
        end_responses();
        s = nullptr;
        for (auto& c : slots_)
          if (!c.busy) s = &c;
        if (s && !req_open_) break;
        wait(ev_);
      }
      s->busy = true;
      const bool write = write_every && i % write_every == write_every - 1;
      s->p.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      s->x.access = write ? agilemmu::pt::Access::Write : agilemmu::pt::Access::Read;
      s->p.set_address(vas[next]);
      next = (next + 1) % vas.size();
      s->p.set_data_length(8);
      s->p.set_streaming_width(8);
      s->p.set_byte_enable_ptr(nullptr);
      s->p.set_dmi_allowed(false);
      s->p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      tlm::tlm_phase ph = tlm::BEGIN_REQ;
      sc_time d = req_delay;
      req_open_ = &s->p;
      const tlm::tlm_sync_enum r = socket->nb_transport_fw(s->p, ph, d);
      if (r == tlm::TLM_UPDATED && ph == tlm::END_REQ) req_open_ = nullptr;
      if (r == tlm::TLM_UPDATED && ph == tlm::BEGIN_RESP) {  // answered at once: end it as told
        req_open_ = nullptr;
        tlm::tlm_phase e = tlm::END_RESP;
        sc_time d2 = SC_ZERO_TIME;
        socket->nb_transport_fw(s->p, e, d2);
        finish(s->p);
      }
      if (r == tlm::TLM_COMPLETED) {
        req_open_ = nullptr;
        ++completed_on_return;
        finish(s->p);
      }
      wait(1, SC_NS);
    }
    for (;;) {
      end_responses();
      bool any = false;
      for (auto& c : slots_) any |= c.busy;
      if (!any) break;
      wait(ev_);
    }
  }
  std::vector<Slot> slots_;
  const tlm::tlm_generic_payload* req_open_ = nullptr;
  bool resp_open_ = false;  // a BEGIN_RESP not ended yet
  sc_time resp_free_;       // when the last response ended
  std::deque<tlm::tlm_generic_payload*> to_end_;
  sc_event ev_;
};

// How an nb_transport-only memory answers BEGIN_REQ (the Mmu calls b_transport; the target's
// simple_target_socket turns that into these phases).
enum class Answer {
  Completed,                   // TLM_COMPLETED at once
  UpdatedBeginResp,            // TLM_UPDATED with BEGIN_RESP
  UpdatedEndReqThenResp,       // TLM_UPDATED with END_REQ, BEGIN_RESP later on the backward path
  AcceptedThenEndReqThenResp,  // TLM_ACCEPTED, END_REQ and then BEGIN_RESP later
};

// A memory with nb_transport only, answering every request as `answer` says, in `latency`.
struct NbMemory : sc_module {
  tlm_utils::simple_target_socket<NbMemory> socket{"socket"};
  PhysMem& mem;
  Answer answer;
  sc_time latency;
  uint64_t requests = 0;
  // Say so on walk references (WalkAccess::nb_transport): an `at` Mmu then sends them with
  // nb_transport_fw from its walkers' methods instead of b_transport from a thread.
  bool announce_nb = false;
  // Requests that came by nb_transport_fw itself: without the memory manager the socket's
  // b_transport adapter puts on the payloads it converts.
  uint64_t direct_requests = 0;
  SC_HAS_PROCESS(NbMemory);
  NbMemory(sc_module_name n, PhysMem& m, Answer a, sc_time lat = sc_time(15, SC_NS))
      : sc_module(n), mem(m), answer(a), latency(lat) {
    socket.register_nb_transport_fw(this, &NbMemory::fw);
    socket.register_transport_dbg(this, &NbMemory::dbg);
    SC_THREAD(respond);
  }
  unsigned dbg(tlm::tlm_generic_payload& t) { return agilemmu::sys::serve_from(mem, t); }
  tlm::tlm_sync_enum fw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time& d) {
    if (ph == tlm::END_RESP) return tlm::TLM_COMPLETED;
    ++requests;
    direct_requests += !t.has_mm();
    if (announce_nb)
      if (auto* w = t.get_extension<agilemmu::mmu::WalkAccess>()) w->nb_transport = true;
    agilemmu::sys::serve_from(mem, t);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
    switch (answer) {
      case Answer::Completed:
        d += latency;
        return tlm::TLM_COMPLETED;
      case Answer::UpdatedBeginResp:
        d += latency;
        ph = tlm::BEGIN_RESP;
        return tlm::TLM_UPDATED;
      case Answer::UpdatedEndReqThenResp:
        ph = tlm::END_REQ;
        queue_.push_back(&t);
        wake_.notify(d);
        return tlm::TLM_UPDATED;
      case Answer::AcceptedThenEndReqThenResp:
        queue_.push_back(&t);
        wake_.notify(d);
        return tlm::TLM_ACCEPTED;
    }
    return tlm::TLM_COMPLETED;
  }
  void respond() {
    for (;;) {
      while (queue_.empty()) wait(wake_);
      tlm::tlm_generic_payload* t = queue_.front();
      queue_.pop_front();
      sc_time d = SC_ZERO_TIME;
      if (answer == Answer::AcceptedThenEndReqThenResp) {
        tlm::tlm_phase ph = tlm::END_REQ;
        socket->nb_transport_bw(*t, ph, d);
      }
      // Part of the latency waited for here, the rest annotated on BEGIN_RESP.
      wait(latency - latency / 3);
      tlm::tlm_phase ph = tlm::BEGIN_RESP;
      d = latency / 3;
      socket->nb_transport_bw(*t, ph, d);  // the socket's b_transport adapter completes it
    }
  }

 private:
  std::deque<tlm::tlm_generic_payload*> queue_;
  sc_event wake_;
};

// A b_transport memory whose time passes inside b_transport (wait), honouring byte enables; it
// can grant DMI per 4 KiB frame (read-write or read-only, with latencies) and take it back.
struct DmiMemory : sc_module {
  tlm_utils::multi_passthrough_target_socket<DmiMemory> socket{"socket"};
  PhysMem& mem;
  bool grant = true, read_only = false, wait_inside = true;
  sc_time dmi_latency{3, SC_NS};
  uint64_t transports = 0, writes = 0, grants = 0;
  DmiMemory(sc_module_name n, PhysMem& m) : sc_module(n), mem(m) {
    socket.register_b_transport(this, &DmiMemory::b_transport);
    socket.register_get_direct_mem_ptr(this, &DmiMemory::dmi);
    socket.register_transport_dbg(this, &DmiMemory::dbg);
  }
  unsigned dbg(int, tlm::tlm_generic_payload& t) { return agilemmu::sys::serve_from(mem, t); }
  void b_transport(int, tlm::tlm_generic_payload& t, sc_time& d) {
    ++transports;
    if (wait_inside) {
      wait(d + sc_time(10, SC_NS));
      d = SC_ZERO_TIME;
    } else {
      d += sc_time(10, SC_NS);
    }
    const unsigned char* be = t.get_byte_enable_ptr();
    const unsigned be_len = t.get_byte_enable_length();
    if (t.get_streaming_width() < t.get_data_length()) {
      t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
      return;
    }
    for (unsigned i = 0; i < t.get_data_length(); ++i) {
      if (be && !be[i % be_len]) continue;
      if (t.is_read()) mem.read(t.get_address() + i, t.get_data_ptr() + i, 1);
      if (t.is_write()) mem.write(t.get_address() + i, t.get_data_ptr() + i, 1);
    }
    writes += t.is_write();
    t.set_response_status(tlm::TLM_OK_RESPONSE);
    t.set_dmi_allowed(grant);
  }
  bool dmi(int, tlm::tlm_generic_payload& t, tlm::tlm_dmi& d) {
    if (!grant) return false;
    ++grants;
    const uint64_t pfn = t.get_address() >> 12;
    d.set_dmi_ptr(mem.frame(pfn).data());
    d.set_start_address(pfn << 12);
    d.set_end_address((pfn << 12) + 4095);
    d.set_granted_access(read_only ? tlm::tlm_dmi::DMI_ACCESS_READ : tlm::tlm_dmi::DMI_ACCESS_READ_WRITE);
    d.set_read_latency(dmi_latency);
    d.set_write_latency(dmi_latency);
    return true;
  }
  void revoke(uint64_t start, uint64_t end) {
    for (unsigned i = 0; i < socket.size(); ++i) socket[i]->invalidate_direct_mem_ptr(start, end);
  }
};

// A protocol checker on each socket of an Mmu: cpu (between the initiator and the Mmu) and data,
// compound_port, nested_port (between the Mmu and its memories).
struct CheckedMmu {
  agilemmu::sys::ProtocolChecker cpu{"chk_cpu"}, data{"chk_data"}, compound{"chk_compound"}, nested{"chk_nested"};
  agilemmu::mmu::Mmu& mmu;
  // Violations are collected (report off), so a test shows every one of them at its end.
  explicit CheckedMmu(agilemmu::mmu::Mmu& m) : mmu(m) {
    for (auto* c : {&cpu, &data, &compound, &nested}) c->report = false;
    cpu.initiator.bind(mmu.cpu);
    mmu.data.bind(data.target);
    mmu.compound_port.bind(compound.target);
    mmu.nested_port.bind(nested.target);
  }
  template <class Socket>
  void bind_memory(Socket& s) {
    data.initiator.bind(s);
    compound.initiator.bind(s);
    nested.initiator.bind(s);
  }
  std::vector<const agilemmu::sys::ProtocolChecker*> all() const { return {&cpu, &data, &compound, &nested}; }
  uint64_t violations() const {
    uint64_t n = 0;
    for (auto* c : all()) n += c->violations();
    return n;
  }
  std::string messages() const {
    std::string m;
    for (auto* c : all())
      for (const auto& s : c->messages()) m += s + "\n";
    return m;
  }
};

}  // namespace hostile
