#include <agilemmu/mmu/mmu.h>

#include "mmu_impl.h"

namespace agilemmu::mmu {

using namespace sc_core;

namespace {
// The config, once it is known to be one the Mmu can run: checked before any member uses it.
const MmuConfig& valid(const MmuConfig& c, const char* name) {
  require_valid(std::string("Mmu '") + name + "'", c.validate());
  return c;
}
}  // namespace

Mmu::Impl::Impl(Mmu& mmu, const MmuConfig& config, const pt::Format& format)
    : m(mmu),
      cfg(valid(config, mmu.name())),
      fmt(format),
      clock(cfg.clock_ns),
      roots(mmu),
      obs{mmu, st},
      tables(mmu, mmu.compound_port, mmu.nested_port, fmt, roots, st),
      walkers(configured()),
      at(mmu, mmu.cpu, cfg.queue,
         {[this](tlm::tlm_generic_payload& t, MmuExtension& scratch, sc_time& delay) {
            serve(t, *extension_of(t, scratch), delay, true);
          },
          [this](tlm::tlm_generic_payload& t, MmuExtension& scratch) { return answerable_at_once(t, scratch); },
          [this](tlm::tlm_generic_payload& t, MmuExtension& x, sc_time& delay) { serve(t, x, delay, false); }}) {}

WalkerPool::Shared Mmu::Impl::configured() {
  l1i.configure(cfg.l1i.geo, cfg.l1i.page_sizes, cfg.seed * 11 + 1);
  l1d.configure(cfg.l1d.geo, cfg.l1d.page_sizes, cfg.seed * 13 + 2);
  l2.configure(cfg.l2.geo, cfg.l2.page_sizes, cfg.seed * 17 + 3);
  caches.configure(fmt, cfg.pwc, cfg.npwc, cfg.ntlb, cfg.seed);
  return {m, cfg, fmt, clock, roots, caches, epoch, st, obs, tables, m.compound_port, m.nested_port};
}

Mmu::Mmu(sc_module_name name, const MmuConfig& cfg, const pt::Format& fmt)
    : sc_module(name),
      cpu("cpu"),
      data("data"),
      compound_port("compound_port"),
      nested_port("nested_port"),
      impl_(std::make_unique<Impl>(*this, cfg, fmt)) {
  cpu.register_b_transport(this, &Mmu::b_transport);
  cpu.register_nb_transport_fw(this, &Mmu::nb_transport_fw);
  cpu.register_transport_dbg(this, &Mmu::transport_dbg);
  cpu.register_get_direct_mem_ptr(this, &Mmu::get_direct_mem_ptr);
  data.register_invalidate_direct_mem_ptr(this, &Mmu::invalidate_direct_mem_ptr);
  compound_port.register_nb_transport_bw(this, &Mmu::walk_port_bw);
  nested_port.register_nb_transport_bw(this, &Mmu::walk_port_bw);
}

tlm::tlm_sync_enum Mmu::walk_port_bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time& d) {
  return impl_->walkers.nb_transport_bw(t, ph, d);
}

Mmu::~Mmu() = default;

const MmuStats& Mmu::stats() const { return impl_->st; }
const MmuConfig& Mmu::config() const { return impl_->cfg; }
const Tlb& Mmu::l1i_tlb() const { return impl_->l1i; }
const Tlb& Mmu::l1d_tlb() const { return impl_->l1d; }
const Tlb& Mmu::l2_tlb() const { return impl_->l2; }
const WalkCacheSet& Mmu::walk_caches() const { return impl_->caches; }
void Mmu::trace_signals(bool on) { impl_->obs.on = on; }

void Mmu::set_roots(const Context& c, const pt::Roots& r) {
  if (impl_->roots.set(c, r)) ++impl_->epoch;  // a walk in flight started from the old roots
}

tlm::tlm_sync_enum Mmu::nb_transport_fw(tlm::tlm_generic_payload& t, tlm::tlm_phase& ph, sc_time& d) {
  // The nb_transport side exists in both timing modes: an AT initiator on an `lt` MMU is served
  // (approximately timed) instead of hanging.
  return impl_->at.nb_transport_fw(t, ph, d);
}

unsigned Mmu::transport_dbg(tlm::tlm_generic_payload& t) {
  MmuExtension scratch;
  const MmuExtension& x = *impl_->extension_of(t, scratch);
  const pt::WalkRequest req = impl_->request_for(x, t.get_address());
  const pt::WalkResult* r = impl_->tables.fresh_walk(Impl::context_of(x), req);
  if (!r || !r->ok) return 0;
  // Up to the end of the translated page: the next page may map elsewhere.
  const uint64_t room = pt::page_bytes(r->tr.size) - (req.va & (pt::page_bytes(r->tr.size) - 1));
  const unsigned len = t.get_data_length();
  if (room < len) t.set_data_length(static_cast<unsigned>(room));
  t.set_address(r->tr.hpa);
  const unsigned n = data->transport_dbg(t);
  t.set_address(req.va);
  t.set_data_length(len);
  return n;
}

bool Mmu::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
  dmi.set_start_address(0);
  dmi.set_end_address(~sc_dt::uint64(0));
  dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
  return false;
}

void Mmu::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) { impl_->dmi_invalidated(start, end); }

void Mmu::tables_changed() { ++impl_->epoch; }

void Mmu::invalidate_page(const Context& c, uint64_t va) {
  impl_->count_invalidation(InvalidationKind::Page);
  impl_->l1i.invalidate_page(c, va);
  impl_->l1d.invalidate_page(c, va);
  impl_->l2.invalidate_page(c, va);
  impl_->caches.invalidate_first_dim_range(c, va & ~0xfffull, 4096);
}
void Mmu::invalidate_range(uint16_t vmid, uint64_t va, uint64_t bytes) {
  impl_->count_invalidation(InvalidationKind::Range);
  impl_->l1i.invalidate_range(vmid, va, bytes);
  impl_->l1d.invalidate_range(vmid, va, bytes);
  impl_->l2.invalidate_range(vmid, va, bytes);
  impl_->caches.invalidate_first_dim_range(vmid, va, bytes);
}
void Mmu::invalidate_range(const Context& c, uint64_t va, uint64_t bytes) {
  impl_->count_invalidation(InvalidationKind::Range);
  impl_->l1i.invalidate_range(c, va, bytes);
  impl_->l1d.invalidate_range(c, va, bytes);
  impl_->l2.invalidate_range(c, va, bytes);
  impl_->caches.invalidate_first_dim_range(c, va, bytes);
}
void Mmu::invalidate_asid(uint16_t vmid, uint16_t asid) {
  impl_->count_invalidation(InvalidationKind::Asid);
  impl_->l1i.invalidate_asid(vmid, asid);
  impl_->l1d.invalidate_asid(vmid, asid);
  impl_->l2.invalidate_asid(vmid, asid);
  impl_->caches.invalidate_first_dim_asid(vmid, asid);
}
void Mmu::invalidate_vmid(uint16_t vmid) {
  impl_->count_invalidation(InvalidationKind::Vmid);
  impl_->l1i.invalidate_vmid(vmid);
  impl_->l1d.invalidate_vmid(vmid);
  impl_->l2.invalidate_vmid(vmid);
  impl_->caches.invalidate_first_dim(vmid);
  impl_->caches.invalidate_nested(vmid);
}
void Mmu::invalidate_walk_caches(uint16_t vmid) {
  impl_->count_invalidation(InvalidationKind::WalkCaches);
  impl_->caches.invalidate_first_dim(vmid);
}
void Mmu::invalidate_nested(uint16_t vmid) {
  impl_->count_invalidation(InvalidationKind::Nested);
  impl_->caches.invalidate_nested(vmid);
}
void Mmu::invalidate_all() {
  impl_->count_invalidation(InvalidationKind::All);
  impl_->l1i.invalidate_all();
  impl_->l1d.invalidate_all();
  impl_->l2.invalidate_all();
  impl_->caches.invalidate_all();
}

}  // namespace agilemmu::mmu
