#include "coherence_check.h"

#include <string>

#include <agilemmu/pt/print.h>

namespace agilemmu::mmu {

bool TableProbe::debug_read(const pt::MemRef& r, uint64_t& v) {
  tlm::tlm_generic_payload p;
  v = 0;
  p.set_command(tlm::TLM_READ_COMMAND);
  p.set_address(r.addr);
  p.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
  p.set_data_length(8);
  p.set_streaming_width(8);
  return (r.port == pt::Port::Compound ? compound_ : nested_)->transport_dbg(p) == 8;
}

const pt::WalkResult* TableProbe::fresh_walk(const Context& c, const pt::WalkRequest& req) {
  bool served = true;
  probe_.start(fmt_, roots_.of(c), req);
  const pt::WalkResult& f = pt::run_unperformed(probe_, [&](const pt::MemRef& r) {
    uint64_t v;
    served &= debug_read(r, v);
    return v;
  });
  return served ? &f : nullptr;
}

bool TableProbe::still_current(const Context& c, const pt::WalkRequest& req, const pt::WalkResult& r) {
  const pt::WalkResult* f = fresh_walk(c, req);
  if (!f) return false;  // the walk ports have no transport_dbg: walk again to be sure
  if (f->ok != r.ok) return false;
  if (!r.ok) return f->fault == r.fault;
  return f->tr.hpa == r.tr.hpa && f->tr.size == r.tr.size && f->tr.perms == r.tr.perms && f->tr.dirty == r.tr.dirty;
}

namespace {
std::string describe(bool ok, uint64_t hpa, const pt::Fault& f) {
  return ok ? "hpa " + pt::hex(hpa) : "fault " + pt::describe(f);
}
}  // namespace

void TableProbe::check(const Context& c, const MmuExtension& x, const pt::WalkRequest& req, const Outcome& o) {
  const pt::WalkResult* fresh = fresh_walk(c, req);
  if (!fresh) {
    SC_REPORT_ERROR(owner_.name(),
                    "mmu.check reads the tables with transport_dbg, which the targets of the walk ports "
                    "do not serve (they returned fewer than 8 bytes)");
    return;
  }
  const pt::WalkResult& f = *fresh;
  ++st_.checked;
  const bool same = f.ok == o.ok && (f.ok ? f.tr.hpa == o.hpa : f.fault == o.fault);
  if (same) return;
  static const char* sources[] = {"L1 TLB", "L2 TLB", "walk"};
  const std::string msg = "translation-coherence check failed at " + sc_core::sc_time_stamp().to_string() + ": " +
                          std::string(c.host ? "host" : "guest") + " asid " + std::to_string(c.asid) + " vmid " +
                          std::to_string(c.vmid) + " " + pt::to_string(x.access) + (x.user ? " user" : " supervisor") +
                          " va " + pt::hex(req.va) + " mode " + pt::to_string(req.mode) + ": delivered " +
                          describe(o.ok, o.hpa, o.fault) + " (from the " + sources[size_t(o.source)] +
                          (o.merged ? ", after waiting for a walk of the same page" : "") + "), a fresh walk gives " +
                          describe(f.ok, f.tr.hpa, f.fault);
  SC_REPORT_ERROR(owner_.name(), msg.c_str());
}

}  // namespace agilemmu::mmu
