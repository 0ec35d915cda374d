// The program's memory-map system calls as valgrind --trace-syscalls=yes prints them into the same
// log as lackey's references, turned into trace events (tb/TRACE_FORMAT.md, "Memory-map events").
// One job: parse those lines in order; what the guest OS does with them is sys/mm_replay.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "sys/workload_op.h"

namespace agilemmu::sys {

class SyscallLog {
 public:
  explicit SyscallLog(std::string name) : name_(std::move(name)) {}
  // A log line that is not a memory reference. Returns true and fills `ev` when the line completes
  // a successful memory-map call (or a new program image starts: exec). Lines of other calls,
  // failed calls and calls still pending (async, or interrupted by a valgrind warning) give false.
  // Malformed records of the calls we carry throw std::runtime_error naming the file and line.
  bool line(const std::string& text, uint64_t line_no, WorkloadOp& ev);

 private:
  struct Call {
    std::string name;
    uint64_t args[6] = {};
    unsigned nargs = 0;
    uint64_t line_no = 0;
    std::string text;
  };
  bool complete(const Call& c, const std::string& rest, uint64_t line_no, WorkloadOp& ev);
  std::string name_;
  std::map<std::pair<uint64_t, uint64_t>, Call> async_;  // (pid, tid) -> call awaiting "[async] -->"
  Call interrupted_;  // a call whose result line (" --> ...") follows a valgrind message
  bool have_interrupted_ = false;
  uint64_t main_pid_ = 0;  // the traced process (its first header or call); 0: not seen yet
};

}  // namespace agilemmu::sys
