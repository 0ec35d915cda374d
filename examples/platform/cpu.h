// The platform's CPU: plain TLM-2.0 reads and writes of virtual addresses. It knows nothing of the
// MMU (no MmuExtension), so the MMU gives every request MmuConfig::default_context.
//   LT: b_transport, one access at a time, time kept with a quantum keeper;
//   AT: base-protocol nb_transport, up to `depth` accesses in flight, payloads from a pool
//       (a memory manager: targets may hold on to them until the response).
#pragma once
#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <vector>

struct Access {
  uint64_t va = 0;
  bool write = false;
  uint64_t data = 0;  // a write's value; a read's result after the run
  tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
};

struct Cpu : sc_core::sc_module, tlm::tlm_mm_interface {
  tlm_utils::simple_initiator_socket<Cpu> socket{"socket"};
  std::vector<Access> program;
  bool at = false;
  unsigned depth = 8;                     // AT: accesses in flight
  uint64_t debug_va = 0, debug_data = 0;  // a debugger's read through the MMU after the run
  unsigned debug_bytes = 0;

  SC_HAS_PROCESS(Cpu);
  explicit Cpu(sc_core::sc_module_name n) : sc_module(n) {
    socket.register_nb_transport_bw(this, &Cpu::nb_transport_bw);
    SC_THREAD(run);
  }
  ~Cpu() override {
    for (Slot* s : free_) delete s;
  }

 private:
  // A payload with its data buffer and the index of the access it carries.
  struct Slot : tlm::tlm_generic_payload {
    explicit Slot(tlm::tlm_mm_interface* mm) : tlm_generic_payload(mm) {}
    uint64_t buf = 0;
    size_t index = 0;
  };

  void free(tlm::tlm_generic_payload* t) override {  // the last release() of a payload
    t->reset();
    free_.push_back(static_cast<Slot*>(t));
  }
  // A payload for an 8-byte access at va, acquired.
  Slot* take(uint64_t va, bool write, uint64_t data) {
    Slot* s = nullptr;
    if (free_.empty())
      s = new Slot(this);
    else
      s = free_.back(), free_.pop_back();
    s->buf = write ? data : 0;
    s->set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    s->set_address(va);
    s->set_data_ptr(reinterpret_cast<unsigned char*>(&s->buf));
    s->set_data_length(8);
    s->set_streaming_width(8);
    s->set_byte_enable_ptr(nullptr);
    s->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    s->acquire();
    return s;
  }
  Slot* slot_for(size_t i) {
    Slot* s = take(program[i].va, program[i].write, program[i].data);
    s->index = i;
    return s;
  }
  void complete(tlm::tlm_generic_payload& t) {
    Slot& s = static_cast<Slot&>(t);
    Access& a = program[s.index];
    a.status = t.get_response_status();
    if (!a.write) a.data = s.buf;
  }

  void run() {
    if (at)
      run_at();
    else
      run_lt();
    // A debugger's read: translated by the MMU without side effects, served by transport_dbg.
    Slot* s = take(debug_va, false, 0);
    debug_bytes = socket->transport_dbg(*s);
    debug_data = s->buf;
    s->release();
  }

  void run_lt() {
    tlm_utils::tlm_quantumkeeper qk;
    qk.set_global_quantum(sc_core::sc_time(1, sc_core::SC_US));
    qk.reset();
    for (size_t i = 0; i < program.size(); ++i) {
      Slot* s = slot_for(i);
      sc_core::sc_time d = qk.get_local_time();
      socket->b_transport(*s, d);
      qk.set(d);
      complete(*s);
      s->release();
      if (qk.need_sync()) qk.sync();
    }
    qk.sync();
  }

  void run_at() {
    for (size_t i = 0; i < program.size(); ++i) {
      while (in_flight_ == depth || open_) wait(changed_);  // base protocol: one request at a time
      Slot* s = slot_for(i);
      ++in_flight_, open_ = s;
      tlm::tlm_phase ph = tlm::BEGIN_REQ;
      sc_core::sc_time d = sc_core::SC_ZERO_TIME;
      const tlm::tlm_sync_enum r = socket->nb_transport_fw(*s, ph, d);
      if (r == tlm::TLM_UPDATED && ph == tlm::END_REQ) {
        open_ = nullptr;
      } else if (r == tlm::TLM_UPDATED && ph == tlm::BEGIN_RESP) {
        ph = tlm::END_RESP, d = sc_core::SC_ZERO_TIME;
        socket->nb_transport_fw(*s, ph, d);
        response(*s);  // releases the payload: last
      } else if (r == tlm::TLM_COMPLETED) {
        response(*s);
      }
      wait(1, sc_core::SC_NS);  // one request per cycle at most
    }
    while (in_flight_) wait(changed_);
  }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_core::sc_time&) {
    if (ph == tlm::END_REQ) {
      if (&t == open_) open_ = nullptr;
      changed_.notify();
      return tlm::TLM_ACCEPTED;
    }
    if (ph == tlm::BEGIN_RESP) {
      response(t);
      return tlm::TLM_COMPLETED;  // the response ends here: no END_RESP needed
    }
    return tlm::TLM_ACCEPTED;
  }
  void response(tlm::tlm_generic_payload& t) {
    complete(t);
    if (&t == open_) open_ = nullptr;  // BEGIN_RESP also ends the request phase of its transaction
    --in_flight_;
    t.release();
    changed_.notify();
  }

  std::vector<Slot*> free_;
  unsigned in_flight_ = 0;
  tlm::tlm_generic_payload* open_ = nullptr;  // the request not yet accepted (END_REQ)
  sc_core::sc_event changed_;
};
