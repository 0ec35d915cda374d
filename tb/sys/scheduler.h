// The scheduler of a multi-process workload (workload.processes): a Source that runs each
// process's own source round-robin, `time_slice` accesses at a time. Every item it hands out
// carries its process's ASID; between two processes it inserts a Switch item (the guest writes
// the next process's root), and when a process's source ends, or the process exits (a trace's
// Exit event), an End item, after which that process is not scheduled again. The run ends when
// every process has ended.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "sys/workload.h"

namespace agilemmu::sys {

class Scheduler : public Source {
 public:
  struct Process {
    std::unique_ptr<Source> src;
    uint16_t asid = 0;  // nonzero
    // The source's next item, read one ahead so the process ends right after its last item
    // (not when its next turn finds nothing left).
    WorkloadOp ahead;
    bool has_ahead = false;
  };
  // The first process runs first (no Switch before it). time_slice >= 1.
  Scheduler(std::vector<Process> procs, uint64_t time_slice);
  bool next(WorkloadOp& it) override;
  uint64_t expected() const override;
  // Accesses handed out for process p so far.
  uint64_t accesses(size_t p) const { return accesses_[p]; }
  uint64_t switches() const { return switches_; }

 private:
  std::vector<Process> procs_;
  std::vector<bool> live_;
  std::vector<uint64_t> accesses_;
  uint64_t slice_, used_ = 0, switches_ = 0;
  size_t cur_ = 0;
  bool end_pending_ = false, switch_pending_ = false;
};

}  // namespace agilemmu::sys
