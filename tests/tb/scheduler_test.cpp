// sys::Scheduler: round-robin over the processes of a workload, `time_slice` accesses each,
// Switch and End items carrying the ASID, a trace's exit ending its process.
#define BOOST_TEST_MODULE scheduler
#include <boost/test/unit_test.hpp>

#include "sys/scheduler.h"

using namespace agilemmu;
using sys::WorkloadOp;

namespace {
// A source of given items (accesses at va = index unless told otherwise).
class ListSource : public sys::Source {
 public:
  explicit ListSource(std::vector<WorkloadOp> items) : items_(std::move(items)) {}
  bool next(WorkloadOp& it) override {
    if (at_ == items_.size()) return false;
    it = items_[at_++];
    return true;
  }
  uint64_t expected() const override { return items_.size(); }

 private:
  std::vector<WorkloadOp> items_;
  size_t at_ = 0;
};

std::unique_ptr<sys::Source> accesses(uint64_t base, size_t n) {
  std::vector<WorkloadOp> v(n);
  for (size_t i = 0; i < n; ++i) v[i].va = base + i;
  return std::make_unique<ListSource>(std::move(v));
}

sys::Scheduler make(std::vector<std::unique_ptr<sys::Source>> srcs, uint64_t slice) {
  std::vector<sys::Scheduler::Process> ps;
  for (size_t i = 0; i < srcs.size(); ++i) {
    sys::Scheduler::Process p;
    p.src = std::move(srcs[i]);
    p.asid = static_cast<uint16_t>(i + 1);
    ps.push_back(std::move(p));
  }
  return sys::Scheduler(std::move(ps), slice);
}

// The run as text: "a<asid>:<va>" for accesses, "S<asid>" switch, "E<asid>" end, "x<asid>" exit.
std::string run(sys::Scheduler& s) {
  std::string out;
  WorkloadOp it;
  while (s.next(it)) {
    const std::string a = std::to_string(it.asid);
    out += it.kind == WorkloadOp::Access   ? "a" + a + ":" + std::to_string(it.va & 0xff)
           : it.kind == WorkloadOp::Switch ? "S" + a
           : it.kind == WorkloadOp::End    ? "E" + a
           : it.kind == WorkloadOp::Exit   ? "x" + a
                                           : "?";
    out += ' ';
  }
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(round_robin_by_time_slice) {
  std::vector<std::unique_ptr<sys::Source>> v;
  v.push_back(accesses(0, 5));
  v.push_back(accesses(0x10, 3));
  v.push_back(accesses(0x20, 2));
  auto s = make(std::move(v), 2);
  BOOST_TEST(s.expected() == 10u);
  BOOST_TEST(run(s) == "a1:0 a1:1 S2 a2:16 a2:17 S3 a3:32 a3:33 E3 S1 a1:2 a1:3 S2 a2:18 E2 S1 a1:4 E1 ");
  BOOST_TEST(s.accesses(0) == 5u);
  BOOST_TEST(s.accesses(1) == 3u);
  BOOST_TEST(s.accesses(2) == 2u);
  BOOST_TEST(s.switches() == 5u);
}

BOOST_AUTO_TEST_CASE(the_last_process_runs_on_without_switches) {
  std::vector<std::unique_ptr<sys::Source>> v;
  v.push_back(accesses(0, 1));
  v.push_back(accesses(0x10, 4));
  auto s = make(std::move(v), 1);
  BOOST_TEST(run(s) == "a1:0 E1 S2 a2:16 a2:17 a2:18 a2:19 E2 ");
}

BOOST_AUTO_TEST_CASE(an_exit_ends_the_process_and_an_empty_one_ends_at_once) {
  std::vector<WorkloadOp> a(4);
  a[1].kind = WorkloadOp::Exit;  // records after the exit are not read
  std::vector<std::unique_ptr<sys::Source>> v;
  v.push_back(std::make_unique<ListSource>(a));
  v.push_back(std::make_unique<ListSource>(std::vector<WorkloadOp>{}));
  v.push_back(accesses(0x20, 2));
  auto s = make(std::move(v), 10);
  BOOST_TEST(run(s) == "a1:0 x1 E1 S2 E2 S3 a3:32 a3:33 E3 ");
}

BOOST_AUTO_TEST_CASE(events_carry_the_asid_and_do_not_use_the_slice) {
  std::vector<WorkloadOp> a(3);
  a[1].kind = WorkloadOp::Remap;  // an OS event: not an access, no slice
  std::vector<std::unique_ptr<sys::Source>> v;
  v.push_back(std::make_unique<ListSource>(a));
  v.push_back(accesses(0x10, 1));
  auto s = make(std::move(v), 2);
  WorkloadOp it;
  std::vector<std::pair<int, int>> seen;
  while (s.next(it)) seen.push_back({it.kind, it.asid});
  const std::vector<std::pair<int, int>> want = {
      {WorkloadOp::Access, 1}, {WorkloadOp::Remap, 1},  {WorkloadOp::Access, 1}, {WorkloadOp::End, 1},
      {WorkloadOp::Switch, 2}, {WorkloadOp::Access, 2}, {WorkloadOp::End, 2}};
  BOOST_TEST(seen == want);
}

BOOST_AUTO_TEST_CASE(bad_arguments_are_refused) {
  BOOST_CHECK_THROW(make({}, 1), std::invalid_argument);
  std::vector<std::unique_ptr<sys::Source>> v;
  v.push_back(accesses(0, 1));
  BOOST_CHECK_THROW(make(std::move(v), 0), std::invalid_argument);
}
