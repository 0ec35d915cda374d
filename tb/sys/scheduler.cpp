#include "sys/scheduler.h"

#include <stdexcept>

namespace agilemmu::sys {

Scheduler::Scheduler(std::vector<Process> procs, uint64_t time_slice)
    : procs_(std::move(procs)), live_(procs_.size(), true), accesses_(procs_.size(), 0), slice_(time_slice) {
  if (procs_.empty()) throw std::invalid_argument("a scheduler needs at least one process");
  if (slice_ == 0) throw std::invalid_argument("the time slice must be at least one access");
}

uint64_t Scheduler::expected() const {
  uint64_t n = 0;
  for (const auto& p : procs_) n += p.src->expected();
  return n;
}

bool Scheduler::next(WorkloadOp& it) {
  for (;;) {
    if (end_pending_) {  // the current process is done: say so, then run the next one
      end_pending_ = false;
      live_[cur_] = false;
      switch_pending_ = true;
      it = WorkloadOp{};
      it.kind = WorkloadOp::End;
      it.asid = procs_[cur_].asid;
      return true;
    }
    if (switch_pending_) {  // round-robin: the next live process after the current one
      switch_pending_ = false;
      used_ = 0;
      size_t n = cur_;
      for (size_t k = 1; k <= procs_.size(); ++k)
        if (live_[(cur_ + k) % procs_.size()]) {
          n = (cur_ + k) % procs_.size();
          break;
        }
      if (!live_[n]) return false;  // every process has ended
      if (n != cur_) {              // (the only one left keeps running: no switch)
        cur_ = n;
        ++switches_;
        it = WorkloadOp{};
        it.kind = WorkloadOp::Switch;
        it.asid = procs_[cur_].asid;
        return true;
      }
    }
    Process& p = procs_[cur_];
    if (!p.has_ahead && !p.src->next(p.ahead)) {  // (an empty source: its first turn ends it)
      end_pending_ = true;
      continue;
    }
    it = p.ahead;
    p.has_ahead = p.src->next(p.ahead);
    it.asid = p.asid;
    if (it.kind == WorkloadOp::Exit || !p.has_ahead) {
      end_pending_ = true;  // its last item, or an exit: its address space is gone, the process is over
      if (it.kind == WorkloadOp::Access || it.kind == WorkloadOp::Repeat)
        accesses_[cur_] += it.kind == WorkloadOp::Repeat ? it.len : 1;
    } else if (it.kind == WorkloadOp::Access || it.kind == WorkloadOp::Repeat) {
      const uint64_t n = it.kind == WorkloadOp::Repeat ? it.len : 1;  // coalesced fetches count as what they stand for
      accesses_[cur_] += n;
      if ((used_ += n) >= slice_) switch_pending_ = true;
    }
    return true;
  }
}

}  // namespace agilemmu::sys
