#include "sys/system.h"

#include <agilemmu/pt/walk.h>

#include <chrono>

namespace agilemmu::sys {

using namespace sc_core;

namespace {
// A System runs one VM: every context and every VM-wide invalidation names it.
constexpr uint16_t kVmid = 1;
}  // namespace

System::System(const config::Config& cfg) : cfg_(cfg) {
  vm_ = std::make_unique<vmm::Vm>(mem_, cfg.format, cfg.layout);
  const auto& procs = cfg.workload.processes;
  // One process (the workload's regions or trace), or each of workload.processes with ASID i + 1.
  const size_t n = procs.empty() ? 1 : procs.size();
  for (size_t i = 0; i < n; ++i) {
    auto p = std::make_unique<Proc>();
    p->ctx.asid = static_cast<uint16_t>(i + 1);
    p->ctx.vmid = kVmid;
    p->regions = procs.empty() ? &cfg_.regions : &cfg_.workload.processes[i].regions;
    p->as = std::make_unique<vmm::AddressSpace>(*vm_);
    config::populate(cfg, *p->regions, *p->as);
    procs_.push_back(std::move(p));
  }
  vmm_ = std::make_unique<vmm::Vmm>(*procs_[0]->as, cfg.mode, cfg.agile_policy, cfg.costs, cfg.dynamic, cfg.root_cache);
  for (size_t i = 1; i < n; ++i) vmm_->add_process(*procs_[i]->as, procs_[i]->ctx.asid);
  for (auto& p : procs_) p->mm = std::make_unique<MemoryMapReplay>(*vmm_, *p->as);
  if (!procs.empty()) {
    std::vector<Scheduler::Process> sp;
    for (size_t i = 0; i < n; ++i) {
      const auto& pc = procs[i];
      Scheduler::Process s;
      s.asid = procs_[i]->ctx.asid;
      // Each synthetic process draws from its own stream: the seed plus its index.
      s.src = pc.trace.empty() ? std::make_unique<SyntheticSource>(cfg.synthetic(pc.regions, pc.accesses, cfg.seed + i))
                               : open_trace(pc.trace, pc.trace_limit);
      apply_prologue(*s.src, i);
      sp.push_back(std::move(s));
    }
    auto sched = std::make_unique<Scheduler>(std::move(sp), cfg.workload.time_slice);
    sched_ = sched.get();
    src_ = std::move(sched);
  } else if (cfg.workload.trace.empty()) {
    src_ = std::make_unique<SyntheticSource>(cfg.synthetic());
  } else {
    src_ = open_trace(cfg.workload.trace, cfg.workload.trace_limit);
    apply_prologue(*src_, 0);
  }
  // (Set after the prologues: the MMU they would invalidate is not built yet, and holds nothing.)
  vmm_->invalidate = [this](const vmm::Invalidation& i) { invalidate(i); };

  mmu_ = std::make_unique<mmu::Mmu>("mmu", cfg.mmu, cfg.format);
  // (Its hierarchy and DRAM never wait: walks may run event-driven.)
  ptcache_ = std::make_unique<LineCache>("ptcache", cfg.ptcache, true);
  caches_ = std::make_unique<MemHierarchy>("caches", cfg.caches, cfg.seed);
  dram_ = std::make_unique<Dram>("dram", mem_, cfg.dram);
  TrafficGenConfig tc;
  tc.at = cfg.mmu.timing == mmu::Timing::AT;
  tc.clock_ns = cfg.mmu.clock_ns;
  tc.outstanding = cfg.workload.outstanding;
  tc.think_cycles = cfg.workload.think_cycles;
  tc.quantum_ns = cfg.mmu.quantum_ns;
  tc.core = cfg.core;
  tc.asid = 1;
  tc.vmid = kVmid;
  tc.tag_asid = sched_ != nullptr;
  TrafficGenHooks h;
  h.event = [this](const WorkloadOp& it) { return on_event(it); };
  h.fault = [this](const WorkloadOp& it, const pt::Fault& f, bool& retry) { return on_fault(it, f, retry); };
  h.tick = [this](uint64_t now) { return on_tick(now); };
  h.progress = [this](uint64_t done) {
    if (progress_) progress_(done, src_->expected());
  };
  tg_ = std::make_unique<TrafficGen>("cpu", *src_, tc, std::move(h));

  tg_->socket.bind(mmu_->cpu);
  // Walks go through the page-table line cache (if configured) and then enter the hierarchy.
  mmu_->data.bind(caches_->in);
  mmu_->compound_port.bind(ptcache_->in);
  mmu_->nested_port.bind(ptcache_->in);
  ptcache_->out.bind(caches_->in);
  caches_->out.bind(dram_->socket);
  refresh_roots();
}

// After every guest OS or hypervisor action: the roots may have moved, and the tables may have
// changed in ways no invalidation covers (new mappings), which walks in flight must not miss.
void System::refresh_roots() {
  for (size_t i = 0; i < procs_.size(); ++i)
    if (!vmm_->ended(i)) mmu_->set_roots(procs_[i]->ctx, procs_[i]->as->roots());
  mmu_->tables_changed();
}

System::Proc& System::select(const WorkloadOp& it) {
  const size_t i = it.asid ? it.asid - 1u : 0;
  vmm_->select(i);
  return *procs_[i];
}

void System::invalidate(const vmm::Invalidation& inv) {
  switch (inv.kind) {
    case vmm::Invalidation::Page:
      if (inv.asid)
        mmu_->invalidate_range(mmu::Context{inv.asid, kVmid, false}, inv.va, inv.size);
      else
        mmu_->invalidate_range(kVmid, inv.va, inv.size);
      break;
    case vmm::Invalidation::WalkCaches:
      mmu_->invalidate_walk_caches(kVmid);
      break;
    case vmm::Invalidation::Nested:
      mmu_->invalidate_nested(kVmid);
      break;
    case vmm::Invalidation::All:
      mmu_->invalidate_all();
      break;
    case vmm::Invalidation::Asid:
      mmu_->invalidate_asid(kVmid, inv.asid);
      break;
  }
}

template <class Action>
uint64_t System::guarded(Action&& act) {
  try {
    return act();
  } catch (const vmm::MemoryExhausted& e) {
    if (out_of_memory_.empty()) out_of_memory_ = config::memory_message(cfg_, e);
    stop();
    // The action stopped half way: requests still in flight see the tables as they are now.
    mmu_->invalidate_all();
    refresh_roots();
    return 0;
  }
}

uint64_t System::on_event(const WorkloadOp& it) {
  return guarded([&] { return apply_event(it); });
}

uint64_t System::on_fault(const WorkloadOp& it, const pt::Fault& f, bool& retry) {
  retry = false;
  return guarded([&] { return repair_fault(it, f, retry); });
}

uint64_t System::apply_event(const WorkloadOp& it) {
  Proc& p = select(it);
  const size_t pi = vmm_->selected();
  switch (it.kind) {
    case WorkloadOp::Remap:
      vmm_->remap(it.va);
      break;
    case WorkloadOp::Unmap:
      vmm_->unmap(it.va);
      break;
    case WorkloadOp::HostMigrate:
      vmm_->host_migrate(it.va);
      break;
    case WorkloadOp::ContextSwitch:
      vmm_->context_switch();
      break;
    case WorkloadOp::Switch:
      vmm_->switch_to(pi);
      break;
    case WorkloadOp::End:
      vmm_->end_process(pi);
      break;
    case WorkloadOp::Mmap:
    case WorkloadOp::Munmap:
    case WorkloadOp::Mremap:
    case WorkloadOp::Brk:
    case WorkloadOp::Mprotect:
    case WorkloadOp::Madvise:
    case WorkloadOp::Exit:
    case WorkloadOp::Exec:
      p.mm->apply(it);
      break;
    case WorkloadOp::Access:
    case WorkloadOp::Repeat:  // (the traffic generator charges these itself)
    case WorkloadOp::Touch:   // (prologue only: apply_prologue)
      break;
  }
  refresh_roots();
  return vmm_->take_cycles();
}

// A window's prologue brings each process to the state its program had built when the window
// began: its memory-map events applied and every page it touched mapped (dirty if written), in
// the order the program did them, and walked once as the program's first access to it was, so
// the accessed and dirty bits the hardware set then (guest, nested, shadow or compound entries,
// by mode) are set at the window's start. Without that walk every page's first access in the
// window set them, and agile's nested-style guest page-table pages looked written to the FIG. 10
// scan for the whole window. Nothing of it is timed or counted: the statistics are the window's
// alone.
void System::apply_prologue(Source& src, size_t proc) {
  if (!src.windowed()) return;
  Proc& p = *procs_[proc];
  vmm_->select(proc);
  WorkloadOp it;
  while (src.prologue(it)) {
    if (it.kind != WorkloadOp::Touch) {
      p.mm->apply(it);
    } else if (map_page(p, it.va, it.access == pt::Access::Write)) {
      ++prologue_pages_;
      pt::WalkRequest req;
      req.va = it.va;
      req.access = it.access;
      req.user = it.user;
      req.mode = cfg_.mode;
      (void)pt::walk(mem_, cfg_.format, p.as->roots(), req);  // a fault here leaves the bits as they are
    }
  }
  vmm_->take_cycles();
  vmm_->reset_stats();
  p.mm->reset_counts();
}

bool System::map_page(Proc& p, uint64_t va, bool write) {
  const config::Region* reg = nullptr;
  for (const auto& r : *p.regions)
    if (va >= r.base && va < r.base + r.size) reg = &r;
  if (reg) {
    vmm_->demand_fault(va, reg->page_size, reg->perms, write);
  } else if (cfg_.workload.demand_anywhere && cfg_.format.canonical(va)) {
    pt::Perms perms;  // a trace's regions say how the page is mapped; elsewhere rwx
    if (!p.mm->fault_perms(va, pt::Perms{}, perms)) return false;
    vmm_->demand_fault(va, pt::PageSize::k4K, perms, write);
  } else {
    return false;
  }
  return true;
}

uint64_t System::repair_fault(const WorkloadOp& it, const pt::Fault& f, bool& retry) {
  Proc& p = select(it);
  if (vmm_->ended(vmm_->selected())) return 0;  // (not reached: a process's requests complete before it ends)
  // The page that faulted: an access that crosses a page may fault on its second page, whose VA
  // the fault names (first-dimension faults carry the VA; the others are not repaired).
  const uint64_t va = f.addr;
  // A write to a clean page under a shadow-style leaf: the hypervisor's dirty-bit emulation.
  if (f.kind == pt::FaultKind::Permission && it.access == pt::Access::Write &&
      (f.stage == pt::Stage::Shadow || f.stage == pt::Stage::Compound) && vmm_->dirty_bit_trap(va)) {
    retry = true;
    return vmm_->take_cycles();
  }
  // Otherwise only a not-present guest-side entry is a demand-paging fault; permission,
  // reserved-bit, nested and #GP faults are reported, not repaired.
  if (f.kind != pt::FaultKind::NotPresent || f.stage == pt::Stage::Nested || f.stage == pt::Stage::None) return 0;
  if (!map_page(p, va, it.access == pt::Access::Write)) return 0;
  refresh_roots();
  retry = true;
  return vmm_->take_cycles();
}

uint64_t System::on_tick(uint64_t now) {
  return guarded([&] {
    vmm_->tick(now);
    refresh_roots();
    return vmm_->take_cycles();
  });
}

const std::string& System::error() const { return tg_->error(); }

void System::run() {
  const auto t0 = std::chrono::steady_clock::now();
  sc_start();
  host_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

nlohmann::json System::statistics(bool host_timing, bool partial) const {
  MmCounts mm;
  for (const auto& p : procs_) {
    for (unsigned k = 0; k < kEventKinds; ++k) mm.counts[k] += p->mm->counts()[k];
    mm.dropped += p->mm->pages_dropped();
  }
  std::vector<uint64_t> accesses;
  for (size_t i = 0; i < procs_.size(); ++i) accesses.push_back(sched_ ? sched_->accesses(i) : tg_->stats().accesses);
  const RunView v{cfg_, tg_->stats(), *mmu_,         *vmm_,       *dram_,  *ptcache_,      *caches_,
                  mm,   accesses,     host_seconds_, host_timing, partial, prologue_pages_};
  return to_json(run_stats_group(), v);
}

}  // namespace agilemmu::sys
