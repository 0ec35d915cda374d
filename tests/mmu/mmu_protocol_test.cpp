// The Mmu as a TLM-2.0 base-protocol citizen, with a protocol checker (sys/protocol_checker.h) on
// every one of its sockets: AT initiators ending responses every legal way, memories answering
// every legal way (waiting in b_transport, nb_transport only with TLM_COMPLETED / TLM_UPDATED /
// TLM_ACCEPTED), DMI granted per 4 KiB frame, read-only or revoked mid-run, byte enables and
// streaming on the DMI path, and accesses that cross a page. Each case is its own process.
#define BOOST_TEST_MODULE mmu_protocol
#include <boost/test/unit_test.hpp>

#include <agilemmu/vmm/address_space.h>

#include "hostile.h"
#include "two_region_image.h"

using namespace agilemmu;
using namespace sc_core;
using hostile::Answer;
using hostile::End;
using pt::Mode;
using pt::PageSize;

namespace {

// The two-region guest, and the host address a page maps to now.
struct Image : testing::TwoRegionImage {
  uint64_t hpa(uint64_t va) {
    uint64_t h;
    pt::Perms p;
    PageSize s;
    BOOST_REQUIRE(as.translate(va, h, p, s));
    return h;
  }
};

mmu::MmuConfig config(mmu::Timing t, unsigned walkers = 1) {
  mmu::MmuConfig c;
  c.mode = Mode::Agile;
  c.timing = t;
  c.walkers = walkers;
  c.check = true;
  c.l1d.geo = {8, 2, 1, mmu::Replacement::LRU};
  c.l2.geo = {16, 4, 2, mmu::Replacement::LRU};
  return c;
}

// `walks_blocking`: the walk ports saw b_transport (else nb_transport_fw, event-driven walks).
void expect_clean(const hostile::CheckedMmu& c, bool walks_blocking = true) {
  BOOST_TEST(c.violations() == 0u, c.messages());
  // The checkers saw what they were meant to check.
  BOOST_TEST(c.cpu.seen().completed > 0u);
  BOOST_TEST(c.data.seen().completed > 0u);
  BOOST_TEST(c.compound.seen().b_transport > 0u);
  BOOST_TEST(c.nested.seen().b_transport > 0u);
  if (!walks_blocking) {
    BOOST_TEST(c.compound.seen().nb_fw > 0u);
    BOOST_TEST(c.nested.seen().nb_fw > 0u);
  }
}

// Several requests in flight, each response ended as `end` says, against a memory that waits.
void initiator_ends(mmu::Timing timing, End end) {
  Image img;
  mmu::Mmu m("mmu", config(timing, timing == mmu::Timing::AT ? 4 : 1), img.fmt);
  hostile::CheckedMmu c(m);
  hostile::DmiMemory memory("memory", img.mem);
  memory.grant = false;
  c.bind_memory(memory.socket);
  const uint64_t n = 3000;
  hostile::EndingCpu cpu("cpu", img.vas, n, 6, end);
  cpu.socket.bind(c.cpu.target);
  m.set_roots(mmu::Context{1, 1, false}, img.as.roots());
  sc_start(100, SC_MS);  // a hang stops here with responses missing
  BOOST_TEST(cpu.completed == n);
  BOOST_TEST(cpu.errors == 0u);
  BOOST_TEST(m.stats().checked == n);
  BOOST_TEST(c.cpu.seen().nb_bw >= 2 * n);  // END_REQ and BEGIN_RESP of every request
  BOOST_TEST(cpu.early_responses == 0u);    // one response at a time, by annotated time too
  expect_clean(c);
}

}  // namespace

BOOST_AUTO_TEST_CASE(lt_mmu_initiator_accepts_then_ends_on_the_forward_path) {
  initiator_ends(mmu::Timing::LT, End::AcceptedThenEndResp);
}
BOOST_AUTO_TEST_CASE(lt_mmu_initiator_ends_with_updated_end_resp) {
  initiator_ends(mmu::Timing::LT, End::UpdatedEndResp);
}
BOOST_AUTO_TEST_CASE(lt_mmu_initiator_completes_on_the_return_path) { initiator_ends(mmu::Timing::LT, End::Completed); }
BOOST_AUTO_TEST_CASE(at_mmu_initiator_accepts_then_ends_on_the_forward_path) {
  initiator_ends(mmu::Timing::AT, End::AcceptedThenEndResp);
}
BOOST_AUTO_TEST_CASE(at_mmu_initiator_ends_with_updated_end_resp) {
  initiator_ends(mmu::Timing::AT, End::UpdatedEndResp);
}
BOOST_AUTO_TEST_CASE(at_mmu_initiator_completes_on_the_return_path) { initiator_ends(mmu::Timing::AT, End::Completed); }

namespace {
// The Mmu's own requests (walk reads, A/D writes, data) answered by nb_transport-only memories.
// `walks_nb`: the walk memories say they serve nb_transport_fw (WalkAccess::nb_transport), so an
// `at` Mmu's walks run event-driven, their references sent with nb_transport_fw from methods.
void targets_answer(mmu::Timing timing, Answer answer, End end, bool walks_nb = false) {
  Image img;
  mmu::Mmu m("mmu", config(timing, timing == mmu::Timing::AT ? 3 : 1), img.fmt);
  hostile::CheckedMmu c(m);
  hostile::NbMemory data("data_memory", img.mem, answer), compound("compound_memory", img.mem, answer),
      nested("nested_memory", img.mem, answer, sc_time(25, SC_NS));
  compound.announce_nb = nested.announce_nb = walks_nb;
  c.data.initiator.bind(data.socket);
  c.compound.initiator.bind(compound.socket);
  c.nested.initiator.bind(nested.socket);
  const uint64_t n = 1500;
  hostile::EndingCpu cpu("cpu", img.vas, n, 4, end);
  cpu.socket.bind(c.cpu.target);
  m.set_roots(mmu::Context{1, 1, false}, img.as.roots());
  sc_start(100, SC_MS);
  BOOST_TEST(cpu.completed == n);
  BOOST_TEST(cpu.errors == 0u);
  BOOST_TEST(m.stats().checked == n);
  BOOST_TEST(data.requests == n);
  BOOST_TEST(nested.requests > 0u);
  if (walks_nb) {
    // After the first walk (b_transport: how the Mmu learns it), the walks' own nb_transport. (An
    // `lt` Mmu serves an AT initiator approximately timed too: its walks then wait as they go.)
    BOOST_TEST(compound.direct_requests > compound.requests / 2);
    BOOST_TEST(nested.direct_requests > nested.requests / 2);
  } else {
    BOOST_TEST(compound.direct_requests == 0u);
    BOOST_TEST(nested.direct_requests == 0u);
  }
  expect_clean(c, !walks_nb);
}
}  // namespace

BOOST_AUTO_TEST_CASE(at_mmu_event_driven_walks_memories_complete_at_once) {
  targets_answer(mmu::Timing::AT, Answer::Completed, End::Completed, true);
}
BOOST_AUTO_TEST_CASE(at_mmu_event_driven_walks_memories_answer_updated_begin_resp) {
  targets_answer(mmu::Timing::AT, Answer::UpdatedBeginResp, End::AcceptedThenEndResp, true);
}
BOOST_AUTO_TEST_CASE(at_mmu_event_driven_walks_memories_answer_updated_end_req_then_respond) {
  targets_answer(mmu::Timing::AT, Answer::UpdatedEndReqThenResp, End::UpdatedEndResp, true);
}
BOOST_AUTO_TEST_CASE(at_mmu_event_driven_walks_memories_accept_then_end_req_then_respond) {
  targets_answer(mmu::Timing::AT, Answer::AcceptedThenEndReqThenResp, End::Completed, true);
}
// Event-driven walks take the time walks from a thread take. Two Mmus side by side on identical
// images, one whose walk memories announce nb_transport and one whose do not, the same requests
// one at a time (nothing overlaps, so no same-time ordering can differ): the same walks, in the
// same cycles, with the same results.
namespace {
void same_time(Answer answer) {
  Image img[2];
  std::vector<std::unique_ptr<mmu::Mmu>> m;
  std::vector<std::unique_ptr<hostile::CheckedMmu>> c;
  std::vector<std::unique_ptr<hostile::NbMemory>> walks;
  std::vector<std::unique_ptr<sys::FixedMemory>> data;
  std::vector<std::unique_ptr<hostile::EndingCpu>> cpu;
  for (int i = 0; i < 2; ++i) {
    const std::string k = std::to_string(i);
    m.push_back(std::make_unique<mmu::Mmu>(("mmu" + k).c_str(), config(mmu::Timing::AT, 1), img[i].fmt));
    c.push_back(std::make_unique<hostile::CheckedMmu>(*m[i]));
    for (const char* w : {"compound", "nested"}) {
      walks.push_back(std::make_unique<hostile::NbMemory>((w + k).c_str(), img[i].mem, answer));
      walks.back()->announce_nb = i == 0;
    }
    data.push_back(std::make_unique<sys::FixedMemory>(("data" + k).c_str(), img[i].mem, sc_time(10, SC_NS)));
    c[i]->data.initiator.bind(data[i]->socket);
    c[i]->compound.initiator.bind(walks[2 * i]->socket);
    c[i]->nested.initiator.bind(walks[2 * i + 1]->socket);
    cpu.push_back(std::make_unique<hostile::EndingCpu>(("cpu" + k).c_str(), img[i].vas, 1500, 1, End::Completed));
    cpu[i]->socket.bind(c[i]->cpu.target);
    m[i]->set_roots(mmu::Context{1, 1, false}, img[i].as.roots());
  }
  sc_start(100, SC_MS);
  const mmu::MmuStats &a = m[0]->stats(), &b = m[1]->stats();
  BOOST_TEST(cpu[0]->completed == 1500u);
  BOOST_TEST(cpu[1]->completed == 1500u);
  BOOST_TEST(walks[0]->direct_requests > walks[0]->requests / 2);  // event-driven
  BOOST_TEST(walks[2]->direct_requests == 0u);                     // from the thread
  BOOST_TEST(a.walks > 100u);
  BOOST_TEST(a.walks == b.walks);
  BOOST_TEST(a.walker_busy_cycles == b.walker_busy_cycles);
  BOOST_TEST(a.translate_ns == b.translate_ns);
  BOOST_TEST(a.translation_digest == b.translation_digest);
  BOOST_TEST(a.ad_writes == b.ad_writes);
  BOOST_TEST(c[0]->violations() + c[1]->violations() == 0u, c[0]->messages() + c[1]->messages());
}
}  // namespace

// (The entry on the return path with its time annotated; later on the backward path, annotated.)
BOOST_AUTO_TEST_CASE(event_driven_walks_take_the_same_time_memory_completes_at_once) { same_time(Answer::Completed); }
BOOST_AUTO_TEST_CASE(event_driven_walks_take_the_same_time_memory_responds_later) {
  same_time(Answer::AcceptedThenEndReqThenResp);
}

// An LT initiator's walks never wait, and stay in its b_transport call even when the walk
// memories serve nb_transport_fw.
BOOST_AUTO_TEST_CASE(lt_initiator_walks_stay_in_b_transport) {
  Image img;
  mmu::Mmu m("mmu", config(mmu::Timing::LT), img.fmt);
  hostile::CheckedMmu c(m);
  sys::FixedMemory data("data_memory", img.mem, sc_time(10, SC_NS));
  hostile::NbMemory compound("compound_memory", img.mem, Answer::Completed),
      nested("nested_memory", img.mem, Answer::Completed);
  compound.announce_nb = nested.announce_nb = true;
  c.data.initiator.bind(data.socket);
  c.compound.initiator.bind(compound.socket);
  c.nested.initiator.bind(nested.socket);
  sys::StreamCpu cpu("cpu", img.vas, 2000, false);
  cpu.socket.bind(c.cpu.target);
  m.set_roots(mmu::Context{1, 1, false}, img.as.roots());
  sc_start();
  BOOST_TEST(cpu.completed == 2000u);
  BOOST_TEST(m.stats().walks > 10u);
  BOOST_TEST(compound.direct_requests == 0u);
  BOOST_TEST(nested.direct_requests == 0u);
  BOOST_TEST(nested.requests > 0u);
  BOOST_TEST(c.violations() == 0u, c.messages());
}

BOOST_AUTO_TEST_CASE(lt_mmu_event_driven_walks_for_an_at_initiator) {
  targets_answer(mmu::Timing::LT, Answer::AcceptedThenEndReqThenResp, End::Completed, true);
}

BOOST_AUTO_TEST_CASE(lt_mmu_memories_complete_at_once) {
  targets_answer(mmu::Timing::LT, Answer::Completed, End::UpdatedEndResp);
}
BOOST_AUTO_TEST_CASE(at_mmu_memories_complete_at_once) {
  targets_answer(mmu::Timing::AT, Answer::Completed, End::AcceptedThenEndResp);
}
BOOST_AUTO_TEST_CASE(lt_mmu_memories_answer_updated_begin_resp) {
  targets_answer(mmu::Timing::LT, Answer::UpdatedBeginResp, End::Completed);
}
BOOST_AUTO_TEST_CASE(at_mmu_memories_answer_updated_begin_resp) {
  targets_answer(mmu::Timing::AT, Answer::UpdatedBeginResp, End::UpdatedEndResp);
}
BOOST_AUTO_TEST_CASE(lt_mmu_memories_answer_updated_end_req_then_respond) {
  targets_answer(mmu::Timing::LT, Answer::UpdatedEndReqThenResp, End::AcceptedThenEndResp);
}
BOOST_AUTO_TEST_CASE(at_mmu_memories_answer_updated_end_req_then_respond) {
  targets_answer(mmu::Timing::AT, Answer::UpdatedEndReqThenResp, End::Completed);
}
BOOST_AUTO_TEST_CASE(lt_mmu_memories_accept_then_end_req_then_respond) {
  targets_answer(mmu::Timing::LT, Answer::AcceptedThenEndReqThenResp, End::Completed);
}
BOOST_AUTO_TEST_CASE(at_mmu_memories_accept_then_end_req_then_respond) {
  targets_answer(mmu::Timing::AT, Answer::AcceptedThenEndReqThenResp, End::UpdatedEndResp);
}

namespace {
// A data memory that grants DMI per 4 KiB frame (without waiting) and a plain memory for the
// walks, bound to an Mmu's checkers.
struct DmiPlatform {
  hostile::DmiMemory data;
  sys::FixedMemory walks;
  DmiPlatform(hostile::CheckedMmu& c, pt::PhysMem& mem)
      : data("data_memory", mem), walks("walk_memory", mem, sc_time(20, SC_NS)) {
    data.wait_inside = false;
    c.data.initiator.bind(data.socket);
    c.compound.initiator.bind(walks.socket);
    c.nested.initiator.bind(walks.socket);
  }
};
}  // namespace

namespace {
// DMI granted per 4 KiB frame by the data memory (read-write or read-only), and revoked mid-run;
// walks go to a plain memory. Writes must reach the data memory's b_transport unless the grant
// allows them.
void dmi_run(mmu::Timing timing, bool read_only, bool revoke) {
  Image img;
  mmu::Mmu m("mmu", config(timing, timing == mmu::Timing::AT ? 2 : 1), img.fmt);
  hostile::CheckedMmu c(m);
  DmiPlatform p(c, img.mem);
  hostile::DmiMemory& data = p.data;
  data.read_only = read_only;
  const uint64_t n = 2000;
  hostile::EndingCpu cpu("cpu", img.vas, n, 3, End::Completed);
  cpu.write_every = 3;
  cpu.socket.bind(c.cpu.target);
  m.set_roots(mmu::Context{1, 1, false}, img.as.roots());
  if (revoke) {
    sc_spawn([&] {
      for (int i = 0; i < 20; ++i) {
        wait(3, SC_US);
        data.revoke(0, ~sc_dt::uint64(0));
      }
    });
  }
  sc_start(100, SC_MS);
  BOOST_TEST(cpu.completed == n);
  BOOST_TEST(cpu.errors == 0u);
  BOOST_TEST(m.stats().checked == n);
  BOOST_TEST(c.data.seen().dmi_requests > 10u);     // per frame, so again and again
  BOOST_TEST(m.stats().dmi_accesses > n / 100);     // (one grant kept at a time: frames take turns)
  if (read_only) BOOST_TEST(data.writes == n / 3);  // every write through b_transport
  if (revoke) BOOST_TEST(c.data.seen().dmi_invalidations == 20u);
  expect_clean(c);
}
}  // namespace

namespace {
// AT with a data memory that grants DMI: a TLB hit whose data the grant serves is answered
// without a worker thread. With BEGIN_REQ for now and nothing else in progress on the socket it
// completes on the return path (TLM_COMPLETED, the response time annotated); a request annotated
// for later, or one arriving while a response is in progress, is ended and answered by the front
// end's methods instead. Either way: every request answered once, the coherence checker content,
// no protocol violation on any socket.
void at_hits_without_a_thread(End end, sc_time req_delay) {
  Image img;
  mmu::Mmu m("mmu", config(mmu::Timing::AT, 2), img.fmt);
  hostile::CheckedMmu c(m);
  DmiPlatform p(c, img.mem);
  const uint64_t n = 3000;
  hostile::EndingCpu cpu("cpu", img.vas, n, 4, end);
  cpu.req_delay = req_delay;
  cpu.socket.bind(c.cpu.target);
  m.set_roots(mmu::Context{1, 1, false}, img.as.roots());
  sc_start(100, SC_MS);
  BOOST_TEST(cpu.completed == n);
  BOOST_TEST(cpu.errors == 0u);
  BOOST_TEST(cpu.early_responses == 0u);
  BOOST_TEST(m.stats().checked == n);
  BOOST_TEST(m.stats().dmi_accesses > n / 100);
  if (req_delay == SC_ZERO_TIME)
    BOOST_TEST(cpu.completed_on_return > 0u);
  else
    BOOST_TEST(cpu.completed_on_return == 0u);  // a request for later is never completed early
  expect_clean(c);
}
}  // namespace

BOOST_AUTO_TEST_CASE(at_mmu_dmi_hits_complete_on_the_return_path) {
  at_hits_without_a_thread(End::Completed, SC_ZERO_TIME);
}
BOOST_AUTO_TEST_CASE(at_mmu_dmi_hits_while_responses_are_in_progress) {
  at_hits_without_a_thread(End::AcceptedThenEndResp, sc_time(3, SC_NS));
}
BOOST_AUTO_TEST_CASE(at_mmu_dmi_hits_of_requests_annotated_for_later) {
  at_hits_without_a_thread(End::UpdatedEndResp, sc_time(3, SC_NS));
}

BOOST_AUTO_TEST_CASE(lt_mmu_dmi_per_frame) { dmi_run(mmu::Timing::LT, false, false); }
BOOST_AUTO_TEST_CASE(at_mmu_dmi_per_frame_revoked_mid_run) { dmi_run(mmu::Timing::AT, false, true); }
BOOST_AUTO_TEST_CASE(lt_mmu_read_only_dmi_is_not_written_through) { dmi_run(mmu::Timing::LT, true, false); }
BOOST_AUTO_TEST_CASE(at_mmu_read_only_dmi_revoked_mid_run) { dmi_run(mmu::Timing::AT, true, true); }

namespace {
// A loosely-timed initiator that sends a list of hand-made requests (length, byte enables,
// streaming width) and keeps what came back.
struct Op {
  explicit Op(uint64_t v, tlm::tlm_command c = tlm::TLM_READ_COMMAND) : va(v), cmd(c) {}
  uint64_t va;
  tlm::tlm_command cmd;
  std::vector<uint8_t> data = std::vector<uint8_t>(8, 0);
  std::vector<uint8_t> be;  // empty: none
  unsigned width = 0;       // 0: the data length
  // results
  tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
  sc_time delay;
  pt::Fault fault;
};
struct OpCpu : sc_module {
  tlm_utils::simple_initiator_socket<OpCpu> socket{"socket"};
  std::vector<Op> ops;
  std::function<void(size_t)> before;  // runs before op i, if set
  SC_HAS_PROCESS(OpCpu);
  explicit OpCpu(sc_module_name n) : sc_module(n) {
    t.set_extension(&x);
    SC_THREAD(run);
  }
  ~OpCpu() override { t.clear_extension(&x); }  // a member: the payload must not delete it
  tlm::tlm_generic_payload t;
  mmu::MmuExtension x;
  void run() {
    for (size_t i = 0; i < ops.size(); ++i) {
      if (before) before(i);
      Op& o = ops[i];
      x = mmu::MmuExtension{};
      x.asid = 1, x.vmid = 1;
      x.access = o.cmd == tlm::TLM_WRITE_COMMAND ? pt::Access::Write : pt::Access::Read;
      t.set_byte_enable_ptr(nullptr);
      t.set_byte_enable_length(0);
      t.set_dmi_allowed(false);
      t.set_command(o.cmd);
      t.set_address(o.va);
      t.set_data_ptr(o.data.data());
      t.set_data_length(static_cast<unsigned>(o.data.size()));
      t.set_streaming_width(o.width ? o.width : static_cast<unsigned>(o.data.size()));
      if (!o.be.empty()) {
        t.set_byte_enable_ptr(o.be.data());
        t.set_byte_enable_length(static_cast<unsigned>(o.be.size()));
      }
      t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_time d = SC_ZERO_TIME;
      socket->b_transport(t, d);
      o.status = t.get_response_status();
      o.delay = d;
      o.fault = x.fault;
      wait(d);
    }
  }
};

// The Mmu (LT) with checkers, a DMI memory for data (no wait, so delays can be compared) and a
// plain one for walks.
struct OpRig {
  Image img;
  mmu::Mmu m;
  hostile::CheckedMmu c{m};
  hostile::DmiMemory data{"data_memory", img.mem};
  sys::FixedMemory walks{"walk_memory", img.mem, sc_time(20, SC_NS)};
  OpCpu cpu{"cpu"};
  explicit OpRig(mmu::Timing t = mmu::Timing::LT) : m("mmu", config(t), img.fmt) {
    data.wait_inside = false;
    c.data.initiator.bind(data.socket);
    c.compound.initiator.bind(walks.socket);
    c.nested.initiator.bind(walks.socket);
    cpu.socket.bind(c.cpu.target);
    m.set_roots(mmu::Context{1, 1, false}, img.as.roots());
  }
  uint64_t word(uint64_t hpa) { return img.mem.read64(hpa); }
};

Op write_op(uint64_t va, uint64_t v) {
  Op o{va, tlm::TLM_WRITE_COMMAND};
  std::memcpy(o.data.data(), &v, 8);
  return o;
}
uint64_t word_of(const Op& o, size_t at = 0) {
  uint64_t v;
  std::memcpy(&v, o.data.data() + at, 8);
  return v;
}
}  // namespace

BOOST_AUTO_TEST_CASE(byte_enables_and_streaming_are_not_served_by_dmi) {
  OpRig r;
  const uint64_t va = 0x10003010, hpa = r.img.hpa(va);
  r.img.mem.write64(hpa, 0x1111111111111111ull);
  r.cpu.ops.push_back(Op{va});                  // walks; b_transport, which offers DMI
  r.cpu.ops.push_back(Op{va});                  // through the DMI grant
  Op be = write_op(va, 0x2222222222222222ull);  // only byte 0 enabled
  be.be = {0xff, 0, 0, 0, 0, 0, 0, 0};
  r.cpu.ops.push_back(be);
  Op stream{va};  // 8 bytes streamed through a 4-byte window: the memory refuses it
  stream.width = 4;
  r.cpu.ops.push_back(stream);
  sc_start();
  const auto& o = r.cpu.ops;
  BOOST_TEST(o[1].status == tlm::TLM_OK_RESPONSE);
  BOOST_TEST(word_of(o[1]) == 0x1111111111111111ull);
  // The DMI read's time: the L1 TLB hit and the grant's read latency.
  BOOST_TEST(o[1].delay == sc_time(1, SC_NS) + r.data.dmi_latency);
  BOOST_TEST(o[2].status == tlm::TLM_OK_RESPONSE);
  BOOST_TEST(r.word(hpa) == 0x1111111111111122ull);  // byte 0 only
  BOOST_TEST(o[3].status == tlm::TLM_BURST_ERROR_RESPONSE);
  BOOST_TEST(r.m.stats().dmi_accesses == 1u);
  BOOST_TEST(r.data.transports == 3u);
  BOOST_TEST(r.c.violations() == 0u, r.c.messages());
}

namespace {
// Guest pages P and Q next to each other, whose host frames are not: the frame after P's holds
// someone else's data.
struct Crossing {
  static constexpr uint64_t P = 0x10004000, Q = 0x10005000, at = P + 0xff8;
  uint64_t hp = 0, hq = 0, next = 0;
  explicit Crossing(OpRig& r) {
    r.img.as.guest_remap(Q);  // a fresh frame for Q, away from P's
    r.img.as.resync(Q, Q + 0x1000);
    hp = r.img.hpa(P) & ~0xfffull;
    hq = r.img.hpa(Q) & ~0xfffull;
    next = hp + 0x1000;
    BOOST_REQUIRE(hq != next);
    r.img.mem.write64(hp + 0xff8, 0xaaaaaaaaaaaaaaaaull);
    r.img.mem.write64(hq, 0xbbbbbbbbbbbbbbbbull);
    r.img.mem.write64(next, 0xccccccccccccccccull);
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(a_read_across_a_page_reads_both_host_pages) {
  OpRig r;
  Crossing x(r);
  Op rd{Crossing::at};
  rd.data.assign(16, 0);
  r.cpu.ops = {rd, rd};  // the second through the TLBs (and the DMI grant of the first part)
  sc_start();
  for (const Op& o : r.cpu.ops) {
    BOOST_TEST(o.status == tlm::TLM_OK_RESPONSE);
    BOOST_TEST(word_of(o, 0) == 0xaaaaaaaaaaaaaaaaull);
    BOOST_TEST(word_of(o, 8) == 0xbbbbbbbbbbbbbbbbull);
  }
  // One access each, two translations each, every one checked.
  BOOST_TEST(r.m.stats().page_crossings == 2u);
  BOOST_TEST(r.m.stats().requests == 4u);
  BOOST_TEST(r.m.stats().checked == 4u);
  BOOST_TEST(r.c.violations() == 0u, r.c.messages());
}

BOOST_AUTO_TEST_CASE(a_write_across_a_page_writes_only_its_pages) {
  OpRig r(mmu::Timing::AT);
  Crossing x(r);
  Op wr{Crossing::at, tlm::TLM_WRITE_COMMAND};
  wr.data.assign(16, 0x11);
  r.cpu.ops = {wr};
  sc_start();
  BOOST_TEST(r.cpu.ops[0].status == tlm::TLM_OK_RESPONSE);
  BOOST_TEST(r.word(x.hp + 0xff8) == 0x1111111111111111ull);
  BOOST_TEST(r.word(x.hq) == 0x1111111111111111ull);
  BOOST_TEST(r.word(x.next) == 0xccccccccccccccccull);  // not mapped by the access: untouched
  BOOST_TEST(r.c.violations() == 0u, r.c.messages());
}

BOOST_AUTO_TEST_CASE(a_fault_on_the_second_page_faults_the_access_and_writes_nothing) {
  OpRig r;
  Crossing x(r);
  BOOST_REQUIRE(r.img.as.guest_unmap(Crossing::Q));
  Op wr{Crossing::at, tlm::TLM_WRITE_COMMAND};
  wr.data.assign(16, 0x11);
  r.cpu.ops = {wr};
  sc_start();
  BOOST_TEST(r.cpu.ops[0].status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  BOOST_TEST(r.cpu.ops[0].fault.addr == Crossing::Q);         // the fault names the page that faulted
  BOOST_TEST(r.word(x.hp + 0xff8) == 0xaaaaaaaaaaaaaaaaull);  // the first page's part not written
  BOOST_TEST(r.word(x.next) == 0xccccccccccccccccull);
  BOOST_TEST(r.c.violations() == 0u, r.c.messages());
}

BOOST_AUTO_TEST_CASE(the_coherence_checker_checks_every_page_an_access_touches) {
  OpRig r;
  Crossing x(r);
  // Q is read (its translation cached), then remapped behind the MMU's back (no invalidation):
  // an access that starts on P and ends on Q gets Q's stale translation.
  Op rd{Crossing::at};
  rd.data.assign(16, 0);
  r.cpu.ops = {Op{Crossing::Q}, rd};
  r.cpu.before = [&](size_t i) {
    if (i == 1) r.img.as.guest_remap(Crossing::Q), r.img.as.resync(Crossing::Q, Crossing::Q + 0x1000);
  };
  bool reported = false;
  try {
    sc_start();
  } catch (const sc_report& e) {
    const std::string m = e.what();
    BOOST_TEST_MESSAGE(m);
    reported = m.find("translation-coherence check failed") != std::string::npos &&
               m.find("va 0x10005000") != std::string::npos;
  }
  BOOST_TEST(reported);
}
