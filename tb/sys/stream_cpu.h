// Small TLM parts for exercising the Mmu on its own (benchmarks, tests): a memory with a fixed
// latency and a tight initiator that replays a list of addresses. Header-only; the full system
// uses TrafficGen and Dram instead.
#pragma once
#include <cstdint>
#include <cstring>
#include <functional>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <vector>

#include <agilemmu/mmu/mmu_ext.h>
#include <agilemmu/pt/phys_mem.h>

namespace agilemmu::sys {

// Moves the payload's bytes between it and the store (a read fills the payload, a write the
// store); returns the bytes moved. What every memory model here does for the data itself.
inline unsigned serve_from(pt::PhysMem& mem, tlm::tlm_generic_payload& t) {
  if (t.is_read())
    mem.read(t.get_address(), t.get_data_ptr(), t.get_data_length());
  else if (t.is_write())
    mem.write(t.get_address(), t.get_data_ptr(), t.get_data_length());
  return t.get_data_length();
}

// Serves reads and writes from the physical memory store in a fixed time: walk timing is exact.
struct FixedMemory : sc_core::sc_module {
  tlm_utils::multi_passthrough_target_socket<FixedMemory> socket{"socket"};
  pt::PhysMem& mem;
  sc_core::sc_time latency;
  uint64_t reads = 0;
  FixedMemory(sc_core::sc_module_name n, pt::PhysMem& m, sc_core::sc_time lat) : sc_module(n), mem(m), latency(lat) {
    socket.register_b_transport(this, &FixedMemory::b_transport);
    socket.register_transport_dbg(this, &FixedMemory::transport_dbg);
  }
  unsigned transport_dbg(int, tlm::tlm_generic_payload& t) { return serve_from(mem, t); }
  void b_transport(int, tlm::tlm_generic_payload& t, sc_core::sc_time& d) {
    if (t.is_read()) {
      ++reads;
      if (t.get_data_length() == 8 && (t.get_address() & 7) == 0) {  // PTE reads: the store's fast path
        const uint64_t v = mem.read64(t.get_address());
        std::memcpy(t.get_data_ptr(), &v, 8);
      } else {
        mem.read(t.get_address(), t.get_data_ptr(), t.get_data_length());
      }
    } else {
      mem.write(t.get_address(), t.get_data_ptr(), t.get_data_length());
    }
    d += latency;
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

// Issues `count` 8-byte guest reads (ASID 1, VMID 1) at vas[i % vas.size()], payloads reused:
// LT with b_transport and a quantum keeper, or AT with base-protocol nb_transport, up to
// `outstanding` in flight and one BEGIN_REQ per nanosecond. `on_issue(i)`, if set, runs before
// request i (a test starts counting allocations there).
struct StreamCpu : sc_core::sc_module {
  static constexpr unsigned kMaxOutstanding = 16;
  tlm_utils::simple_initiator_socket<StreamCpu> socket{"socket"};
  std::vector<uint64_t> vas;
  uint64_t count;
  bool at;
  unsigned outstanding;
  std::function<void(uint64_t)> on_issue;
  uint64_t completed = 0, faults = 0;

  SC_HAS_PROCESS(StreamCpu);
  StreamCpu(sc_core::sc_module_name n, std::vector<uint64_t> v, uint64_t count_, bool at_, unsigned outstanding_ = 1)
      : sc_module(n),
        vas(std::move(v)),
        count(count_),
        at(at_),
        outstanding(outstanding_ < 1                 ? 1
                    : outstanding_ > kMaxOutstanding ? kMaxOutstanding
                                                     : outstanding_) {
    socket.register_nb_transport_bw(this, &StreamCpu::bw);
    for (unsigned i = 0; i < kMaxOutstanding; ++i) {
      p_[i].set_data_ptr(reinterpret_cast<unsigned char*>(&buf_[i]));
      p_[i].set_data_length(8);
      p_[i].set_streaming_width(8);
      p_[i].set_command(tlm::TLM_READ_COMMAND);
      p_[i].set_extension(&x_[i]);
      x_[i].asid = 1;
      x_[i].vmid = 1;
    }
    SC_THREAD(run);
  }
  ~StreamCpu() override {
    for (unsigned i = 0; i < kMaxOutstanding; ++i) p_[i].clear_extension(&x_[i]);
  }

 private:
  void done(tlm::tlm_generic_payload& t) {
    ++completed;
    if (t.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE) ++faults;
  }
  tlm::tlm_sync_enum bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_core::sc_time&) {
    if (ph == tlm::END_REQ) req_open_ = false;
    if (ph == tlm::BEGIN_RESP) {
      req_open_ = false;
      --inflight_;
      done(t);
      busy_ &= ~(1u << (&t - p_));  // the payload may be reused (responses come in any order)
    }
    ev_.notify();
    return ph == tlm::BEGIN_RESP ? tlm::TLM_COMPLETED : tlm::TLM_ACCEPTED;
  }
  void run() {
    tlm_utils::tlm_quantumkeeper qk;
    qk.set_global_quantum(sc_core::sc_time(1, sc_core::SC_US));
    qk.reset();
    size_t next = 0;  // vas[i % vas.size()] without a division
    for (uint64_t i = 0; i < count; ++i) {
      if (on_issue) on_issue(i);
      unsigned slot = 0;
      if (at) {
        for (sc_core::sc_time next = reap(); inflight_ == outstanding || req_open_; next = reap()) wait_for(next);
        while (busy_ >> slot & 1) ++slot;  // a payload not in flight
        busy_ |= 1u << slot;
      }
      tlm::tlm_generic_payload& t = p_[slot];
      t.set_address(vas[next]);
      if (++next == vas.size()) next = 0;
      t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      if (!at) {
        sc_core::sc_time d = qk.get_local_time();
        socket->b_transport(t, d);
        done(t);
        qk.set(d);
        if (qk.need_sync()) qk.sync();
        continue;
      }
      tlm::tlm_phase ph = tlm::BEGIN_REQ;
      sc_core::sc_time d = sc_core::SC_ZERO_TIME;
      ++inflight_;
      req_open_ = true;
      const tlm::tlm_sync_enum r = socket->nb_transport_fw(t, ph, d);
      if (r == tlm::TLM_UPDATED && ph == tlm::END_REQ) req_open_ = false;
      if (r == tlm::TLM_COMPLETED || (r == tlm::TLM_UPDATED && ph == tlm::BEGIN_RESP)) {
        req_open_ = false;
        if (r == tlm::TLM_UPDATED) {  // the response on the return path: end it
          ph = tlm::END_RESP;
          sc_core::sc_time z = d;
          socket->nb_transport_fw(t, ph, z);
        }
        done(t);
        early_ |= 1u << slot;  // in flight until its response's time
        until_[slot] = sc_core::sc_time_stamp() + d;
      }
      wait(1, sc_core::SC_NS);
    }
    for (sc_core::sc_time next = reap(); inflight_; next = reap()) wait_for(next);
  }
  // Waits for a response, or until `next` (a slot frees) when that is set.
  void wait_for(const sc_core::sc_time& next) {
    if (next == sc_core::SC_ZERO_TIME)
      wait(ev_);
    else
      wait(next - sc_core::sc_time_stamp(), ev_);
  }

  // Frees the slots of requests completed on the return path whose responses are due; returns
  // when the next of them is due (SC_ZERO_TIME: none left).
  sc_core::sc_time reap() {
    sc_core::sc_time next = sc_core::SC_ZERO_TIME;
    if (!early_) return next;
    const sc_core::sc_time& now = sc_core::sc_time_stamp();
    for (unsigned i = 0; i < kMaxOutstanding; ++i) {
      if (!(early_ >> i & 1)) continue;
      if (until_[i] <= now) {
        early_ &= ~(1u << i);
        busy_ &= ~(1u << i);
        --inflight_;
      } else if (next == sc_core::SC_ZERO_TIME || until_[i] < next) {
        next = until_[i];
      }
    }
    return next;
  }

  tlm::tlm_generic_payload p_[kMaxOutstanding];
  mmu::MmuExtension x_[kMaxOutstanding];
  uint64_t buf_[kMaxOutstanding] = {};
  unsigned inflight_ = 0;
  uint32_t busy_ = 0;   // payloads in flight, one bit each
  uint32_t early_ = 0;  // of those, completed on the return path: free at until_
  sc_core::sc_time until_[kMaxOutstanding];
  bool req_open_ = false;
  sc_core::sc_event ev_;
};

}  // namespace agilemmu::sys
