#include <agilemmu/mmu/mmu_config.h>

namespace agilemmu::mmu {

ConfigIssue TlbConfig::validate() const {
  if (auto e = geo.validate()) return e.within("geo");
  if (page_sizes > 7) return {"page_sizes", "only bits 0-2 (4K, 2M, 1G)"};
  if (!(page_sizes & 1)) return {"page_sizes", "must include 4K (larger pages are splintered into it)"};
  return {};
}

ConfigIssue MmuConfig::validate() const {
  if (mode != pt::Mode::Native && mode != pt::Mode::Nested && mode != pt::Mode::Shadow && mode != pt::Mode::Agile)
    return {"mode", "must be native, nested, shadow or agile"};
  if (timing != Timing::LT && timing != Timing::AT) return {"timing", "must be lt or at"};
  if (auto e = check_range("clock_ns", clock_ns, kMinClockNs, kMaxClockNs)) return e;
  // No walker would leave every miss unanswered; no queue slot would accept no request.
  if (auto e = check_range("walkers", walkers, 1u, kMaxWalkers)) return e;
  if (auto e = check_range("queue", queue, 1u, kMaxQueue)) return e;
  if (auto e = check_range("quantum_ns", quantum_ns, 0.0, kMaxQuantumNs)) return e;
  if (auto e = check_range("walk.start_cycles", walk.start_cycles, 0u, kMaxWalkCycles)) return e;
  if (auto e = check_range("walk.step_cycles", walk.step_cycles, 0u, kMaxWalkCycles)) return e;
  if (auto e = check_range("walk.lookup_cycles", walk.lookup_cycles, 0u, kMaxWalkCycles)) return e;
  if (auto e = l1i.validate()) return e.within("l1i");
  if (auto e = l1d.validate()) return e.within("l1d");
  if (auto e = l2.validate()) return e.within("l2");
  if (auto e = pwc.validate()) return e.within("pwc");
  if (auto e = npwc.validate()) return e.within("npwc");
  if (auto e = ntlb.validate()) return e.within("ntlb");
  return {};
}

}  // namespace agilemmu::mmu
