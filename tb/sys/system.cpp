#include "sys/system.h"

#include <chrono>
#include <cstdio>

namespace agilemmu::sys {

using namespace sc_core;

namespace {
nlohmann::json counters(const mmu::CacheCounters& c, const mmu::CacheGeometry& g) {
  return {{"entries", g.entries},
          {"ways", g.ways},
          {"latency", g.latency},
          {"hits", c.hits},
          {"misses", c.misses},
          {"evictions", c.evictions},
          {"lookups", c.lookups()},
          {"invalidations", c.invalidations},
          {"hit_rate", c.lookups() ? double(c.hits) / c.lookups() : 0.0}};
}
}  // namespace

nlohmann::json mmu_stats_json(const mmu::Mmu& m) {
  using mmu::InvalidationKind, mmu::WalkerState;
  const mmu::MmuConfig& cfg = m.config();
  const mmu::MmuStats& st = m.stats();
  nlohmann::json j;
  j["l1i_tlb"] = counters(m.l1i_tlb().counters(), cfg.l1i.geo);
  j["l1d_tlb"] = counters(m.l1d_tlb().counters(), cfg.l1d.geo);
  j["l2_tlb"] = counters(m.l2_tlb().counters(), cfg.l2.geo);
  j["pwc"] = counters(m.walk_caches().pwc_counters(), cfg.pwc);
  j["npwc"] = counters(m.walk_caches().npwc_counters(), cfg.npwc);
  j["ntlb"] = counters(m.walk_caches().ntlb_counters(), cfg.ntlb);
  nlohmann::json w;
  w["walks"] = st.walks;
  w["coalesced"] = st.coalesced;
  w["refs_compound_port"] = st.refs_by_port[0];
  w["refs_nested_port"] = st.refs_by_port[1];
  w["ad_writes"] = st.ad_writes;
  w["restarts"] = st.walk_restarts;
  w["refs_per_walk_mean"] = st.refs_per_walk.mean();
  nlohmann::json hist = nlohmann::json::object();
  for (size_t i = 0; i < st.refs_per_walk.counts().size(); ++i)
    if (st.refs_per_walk.counts()[i]) hist[std::to_string(i)] = st.refs_per_walk.counts()[i];
  w["refs_per_walk_histogram"] = hist;
  w["latency_mean"] = st.walk_cycles.mean();
  w["latency_p50"] = st.walk_cycles.percentile(0.50);
  w["latency_p99"] = st.walk_cycles.percentile(0.99);
  w["latency_max"] = st.walk_cycles.max();
  nlohmann::json sw;
  sw["stayed_shadow"] = st.switch_level[0];
  sw["croot_gpa"] = st.switch_level[1];
  for (unsigned l = 1; l <= 5; ++l) sw["level_" + std::to_string(l)] = st.switch_level[1 + l];
  w["switched_to_nested"] = sw;
  nlohmann::json states;
  for (size_t s = 0; s < size_t(WalkerState::kCount); ++s)
    states[to_string(static_cast<WalkerState>(s))] = st.state_visits[s];
  w["state_visits"] = states;
  j["walker"] = w;
  j["faults"] = st.faults;
  char digest[20];
  std::snprintf(digest, sizeof digest, "%016llx", static_cast<unsigned long long>(st.translation_digest));
  j["translation_digest"] = digest;
  j["invalidations"] = st.invalidations;
  for (size_t k = 0; k < size_t(InvalidationKind::kCount); ++k)
    j["invalidations_by_kind"][to_string(static_cast<InvalidationKind>(k))] = st.invalidations_by_kind[k];
  j["dmi_accesses"] = st.dmi_accesses;
  j["dmi_invalidations"] = st.dmi_invalidations;
  j["checked_translations"] = st.checked;
  return j;
}

System::System(const config::Config& cfg) : cfg_(cfg) {
  as_ = std::make_unique<vmm::AddressSpace>(mem_, cfg.format, cfg.layout);
  config::populate(cfg, *as_);
  vmm_ = std::make_unique<vmm::Vmm>(*as_, cfg.mode, cfg.agile_policy, cfg.costs, cfg.dynamic, cfg.root_cache);
  vmm_->invalidate = [this](const vmm::Invalidation& i) { invalidate(i); };
  mm_ = std::make_unique<MemoryMapReplay>(*vmm_, *as_);
  if (cfg.workload.trace.empty())
    src_ = std::make_unique<SyntheticSource>(cfg.synthetic());
  else
    src_ = open_trace(cfg.workload.trace, cfg.workload.trace_limit);

  mmu_ = std::make_unique<mmu::Mmu>("mmu", cfg.mmu, cfg.format);
  ptcache_ = std::make_unique<LineCache>("ptcache", cfg.ptcache);
  dram_ = std::make_unique<Dram>("dram", mem_, cfg.dram);
  TrafficGenConfig tc;
  tc.at = cfg.mmu.timing == mmu::Timing::AT;
  tc.clock_ns = cfg.mmu.clock_ns;
  tc.outstanding = cfg.workload.outstanding;
  tc.think_cycles = cfg.workload.think_cycles;
  tc.quantum_ns = cfg.mmu.quantum_ns;
  tc.asid = ctx_.asid = 1;
  tc.vmid = ctx_.vmid = 1;
  TrafficGenHooks h;
  h.event = [this](const Item& it) { return on_event(it); };
  h.fault = [this](const Item& it, const pt::Fault& f, bool& retry) { return on_fault(it, f, retry); };
  h.tick = [this](uint64_t now) { return on_tick(now); };
  h.progress = [this](uint64_t done) {
    if (progress_) progress_(done, src_->expected());
  };
  tg_ = std::make_unique<TrafficGen>("cpu", *src_, tc, std::move(h));

  tg_->socket.bind(mmu_->cpu);
  mmu_->data.bind(dram_->socket);
  mmu_->compound_port.bind(ptcache_->in);
  mmu_->nested_port.bind(ptcache_->in);
  ptcache_->out.bind(dram_->socket);
  refresh_roots();
}

// After every guest OS or hypervisor action: the roots may have moved, and the tables may have
// changed in ways no invalidation covers (new mappings), which walks in flight must not miss.
void System::refresh_roots() {
  mmu_->set_roots(ctx_, as_->roots());
  mmu_->tables_changed();
}

void System::invalidate(const vmm::Invalidation& inv) {
  switch (inv.kind) {
    case vmm::Invalidation::Page:
      mmu_->invalidate_range(ctx_.vmid, inv.va, inv.size);
      break;
    case vmm::Invalidation::WalkCaches:
      mmu_->invalidate_walk_caches(ctx_.vmid);
      break;
    case vmm::Invalidation::Nested:
      mmu_->invalidate_nested(ctx_.vmid);
      break;
    case vmm::Invalidation::All:
      mmu_->invalidate_all();
      break;
  }
}

uint64_t System::on_event(const Item& it) {
  switch (it.kind) {
    case Item::Remap:
      vmm_->remap(it.va);
      break;
    case Item::Unmap:
      vmm_->unmap(it.va);
      break;
    case Item::HostMigrate:
      vmm_->host_migrate(it.va);
      break;
    case Item::ContextSwitch:
      vmm_->context_switch();
      break;
    case Item::Mmap:
    case Item::Munmap:
    case Item::Mremap:
    case Item::Brk:
    case Item::Mprotect:
    case Item::Madvise:
    case Item::Exit:
    case Item::Exec:
      mm_->apply(it);
      break;
    case Item::Access:
      break;
  }
  refresh_roots();
  return vmm_->take_cycles();
}

uint64_t System::on_fault(const Item& it, const pt::Fault& f, bool& retry) {
  retry = false;
  // A write to a clean page under a shadow-style leaf: the hypervisor's dirty-bit emulation.
  if (f.kind == pt::FaultKind::Permission && it.access == pt::Access::Write &&
      (f.stage == pt::Stage::Shadow || f.stage == pt::Stage::Compound) && vmm_->dirty_bit_trap(it.va)) {
    retry = true;
    return vmm_->take_cycles();
  }
  // Otherwise only a not-present guest-side entry is a demand-paging fault; permission,
  // reserved-bit, nested and #GP faults are reported, not repaired.
  if (f.kind != pt::FaultKind::NotPresent || f.stage == pt::Stage::Nested || f.stage == pt::Stage::None) return 0;
  const config::Region* reg = nullptr;
  for (const auto& r : cfg_.regions)
    if (it.va >= r.base && it.va < r.base + r.size) reg = &r;
  if (reg) {
    vmm_->demand_fault(it.va, reg->page_size, reg->perms, it.access == pt::Access::Write);
  } else if (cfg_.workload.demand_anywhere && cfg_.format.canonical(it.va)) {
    pt::Perms perms;  // a trace's regions say how the page is mapped; elsewhere rwx
    if (!mm_->fault_perms(it.va, pt::Perms{}, perms)) return 0;
    vmm_->demand_fault(it.va, pt::PageSize::k4K, perms, it.access == pt::Access::Write);
  } else {
    return 0;
  }
  refresh_roots();
  retry = true;
  return vmm_->take_cycles();
}

uint64_t System::on_tick(uint64_t now) {
  vmm_->tick(now);
  refresh_roots();
  return vmm_->take_cycles();
}

nlohmann::json System::run() {
  const auto t0 = std::chrono::steady_clock::now();
  sc_start();
  const double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto& ts = tg_->stats();
  const auto& ms = mmu_->stats();
  const auto& vs = vmm_->stats();
  const double clk = cfg_.mmu.clock_ns;
  const uint64_t cycles = static_cast<uint64_t>(ts.end.to_seconds() * 1e9 / clk + 0.5);
  nlohmann::json j;
  j["config"] = cfg_.source;
  j["mode"] = pt::to_string(cfg_.mode);
  j["timing"] = cfg_.mmu.timing == mmu::Timing::AT ? "at" : "lt";
  j["policy"] = cfg_.mode == pt::Mode::Agile ? vmm::to_string(cfg_.agile_policy) : "none";
  j["seed"] = cfg_.seed;
  j["accesses"] = ts.accesses;
  j["fetches"] = ts.fetches;
  j["reads"] = ts.reads;
  j["writes"] = ts.writes;
  j["translations"] = ms.requests;
  j["tlb_hits"] = ms.tlb_hits;
  j["tlb_misses"] = ms.requests - ms.tlb_hits;
  j["walks"] = ms.walks;
  j["walk_refs"] = ms.walk_refs();
  j["refs_per_walk"] = ms.walks ? double(ms.walk_refs()) / ms.walks : 0.0;
  j["avg_walk_cycles"] = ms.walk_cycles.mean();
  j["p99_walk_cycles"] = ms.walk_cycles.percentile(0.99);
  j["page_faults"] = ts.faults_handled;
  j["hard_faults"] = ts.hard_faults;
  j["os_events"] = ts.events;
  j["vmm_traps"] = vs.traps_total();
  j["vmm_trap_cycles"] = vs.trap_cycles_total();
  j["vmm_cycles"] = vs.vmm_cycles();
  j["guest_os_cycles"] = vs.guest_os_cycles;
  j["translate_cycles"] = static_cast<uint64_t>(ms.translate_ns / clk + 0.5);
  j["walk_cycles"] = ms.walker_busy_cycles;
  j["data_cycles"] = static_cast<uint64_t>(ms.data_ns / clk + 0.5);
  j["stall_cycles"] = ts.stall_cycles;
  j["cycles"] = cycles;
  j["host_seconds"] = host_s;
  j["accesses_per_second"] = host_s > 0 ? ts.accesses / host_s : 0.0;
  j["mmu"] = mmu_stats_json(*mmu_);
  j["mmu"]["walker"]["occupancy"] = cycles ? double(ms.walker_busy_cycles) / (double(cycles) * cfg_.mmu.walkers) : 0.0;
  j["dram"] = dram_->stats_json();
  j["ptcache"] = ptcache_->stats_json();
  nlohmann::json v;
  for (size_t k = 0; k < size_t(vmm::TrapKind::kCount); ++k) {
    v["traps"][vmm::to_string(static_cast<vmm::TrapKind>(k))] = vs.traps[k];
    v["trap_cycles"][vmm::to_string(static_cast<vmm::TrapKind>(k))] = vs.trap_cycles[k];
  }
  v["guest_pt_writes"] = vs.guest_pt_writes;
  v["demand_faults"] = vs.demand_faults;
  v["remaps"] = vs.remaps;
  v["unmaps"] = vs.unmaps;
  v["host_migrations"] = vs.host_migrations;
  v["context_switches"] = vs.context_switches;
  v["protects"] = vs.protects;
  v["moves"] = vs.moves;
  v["exits"] = vs.exits;
  v["root_cache_hits"] = vs.root_cache_hits;
  v["spurious_faults"] = vs.spurious_faults;
  v["intervals"] = vs.intervals;
  v["switch_cycles"] = vs.switch_cycles;
  for (unsigned l = 0; l <= cfg_.format.levels; ++l) {
    v["to_nested"][std::to_string(l)] = vs.to_nested[l];
    v["to_shadow"][std::to_string(l)] = vs.to_shadow[l];
  }
  v["nested_points_at_end"] = as_->nested_points().size();
  j["vmm"] = v;
  nlohmann::json mm;  // the trace's memory-map events as replayed
  for (unsigned k = 0; k < kEventKinds; ++k) mm[to_string(static_cast<Item::Kind>(Item::Mmap + k))] = mm_->counts()[k];
  mm["pages_dropped"] = mm_->pages_dropped();
  j["mm_events"] = mm;
  return j;
}

}  // namespace agilemmu::sys
