// The simulated system of one `agilemmu run`: traffic-generator CPU -> Mmu -> cache hierarchy ->
// DRAM, with the walk ports going through the page-table line cache first, and the guest OS / hypervisor model
// (vmm::Vmm) answering page faults, applying OS events and invalidating the MMU. One VM
// (vmm::Vm) runs one process, or the processes of workload.processes, each with its own address
// space and ASID, scheduled round-robin by sys::Scheduler.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include <agilemmu/mmu/mmu.h>
#include <agilemmu/vmm/address_space.h>
#include <agilemmu/vmm/vmm.h>

#include "config/config.h"
#include "sys/dram.h"
#include "sys/line_cache.h"
#include "sys/mem_hierarchy.h"
#include "sys/mm_replay.h"
#include "sys/run_stats.h"
#include "sys/scheduler.h"
#include "sys/traffic_gen.h"
#include "sys/workload.h"

namespace agilemmu::sys {

class System {
 public:
  // Builds every module; call during elaboration (before sc_start).
  explicit System(const config::Config& cfg);
  // Runs to the end of the workload (or until stop()).
  void run();
  // Why a malformed trace record ended run() early (bad input: exit code 2), or empty.
  const std::string& error() const;
  // Why the run stopped before the end of its workload because the guest or the host ran out of
  // memory (the config's guest.memory or host.memory is too small: exit code 2), or empty.
  const std::string& out_of_memory() const { return out_of_memory_; }
  // The statistics (sys/run_stats.h); host_timing false leaves the host-time keys out, partial
  // marks a run stopped early (Ctrl-C, out of memory).
  nlohmann::json statistics(bool host_timing = true, bool partial = false) const;
  void stop() { tg_->stop(); }
  mmu::Mmu& mmu() { return *mmu_; }
  void set_progress(std::function<void(uint64_t done, uint64_t expected)> p) { progress_ = std::move(p); }

 private:
  uint64_t on_event(const WorkloadOp& it);
  uint64_t on_fault(const WorkloadOp& it, const pt::Fault& f, bool& retry);
  uint64_t on_tick(uint64_t now);
  uint64_t apply_event(const WorkloadOp& it);
  uint64_t repair_fault(const WorkloadOp& it, const pt::Fault& f, bool& retry);
  // One process of the workload: its address space, its trace's memory-map state, its regions.
  struct Proc {
    mmu::Context ctx;
    std::unique_ptr<vmm::AddressSpace> as;
    std::unique_ptr<MemoryMapReplay> mm;
    const std::vector<config::Region>* regions = nullptr;
  };
  void apply_prologue(Source& src, size_t proc);
  // Demand paging: maps the page holding `va` as its region says; false where nothing may be mapped.
  bool map_page(Proc& p, uint64_t va, bool write);
  // The process an item belongs to (ASID 0: the only one), selected in the Vmm.
  Proc& select(const WorkloadOp& it);
  // Runs a guest OS or hypervisor action; if memory runs out, the run stops (statistics so far).
  template <class Action>
  uint64_t guarded(Action&& act);
  void invalidate(const vmm::Invalidation& inv);
  void refresh_roots();

  config::Config cfg_;
  pt::PhysMem mem_;
  std::unique_ptr<vmm::Vm> vm_;
  std::vector<std::unique_ptr<Proc>> procs_;  // index = Vmm process index = ASID - 1
  std::unique_ptr<vmm::Vmm> vmm_;
  std::unique_ptr<Source> src_;
  Scheduler* sched_ = nullptr;  // src_ of a multi-process workload
  std::unique_ptr<mmu::Mmu> mmu_;
  std::unique_ptr<LineCache> ptcache_;
  std::unique_ptr<MemHierarchy> caches_;
  std::unique_ptr<Dram> dram_;
  std::unique_ptr<TrafficGen> tg_;
  std::function<void(uint64_t, uint64_t)> progress_;
  uint64_t prologue_pages_ = 0;  // pages the windows' prologues mapped
  double host_seconds_ = 0;
  std::string out_of_memory_;
};

}  // namespace agilemmu::sys
