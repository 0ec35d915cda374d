#include <agilemmu/vmm/vmm_stats_group.h>

namespace agilemmu::vmm {

using stats::Agg, stats::Unit, stats::Value, stats::value_of;

namespace {
// Compound entries switched at each level, 0 (croot) to the deepest table any format has; keys
// for levels the configured table lacks are left out.
stats::Index levels() { return stats::numbered("level", pt::kMaxLevels + 1); }
constexpr const char* kLevelsWhen = "levels 0 to format.levels";
}  // namespace

const stats::Group<VmmView>& vmm_stats_group() {
  static const stats::Group<VmmView> g = [] {
    stats::Group<VmmView> g;
    g.add_array({"traps", Unit::Count, Agg::Sum, "VMM traps by kind"}, stats::enum_index<TrapKind>("kind"),
                [](const VmmView& v, size_t k) { return value_of(v.s.traps[k]); });
    g.add_array({"trap_cycles", Unit::Cycles, Agg::Sum, "cycles of the VMM traps by kind"},
                stats::enum_index<TrapKind>("kind"),
                [](const VmmView& v, size_t k) { return value_of(v.s.trap_cycles[k]); });
    auto field = [&g](const stats::Decl& d, uint64_t VmmStats::*f) {
      g.add(d, [f](const VmmView& v) { return value_of(v.s.*f); });
    };
    field({"guest_pt_writes", Unit::Count, Agg::Sum, "entries the guest wrote in its own page tables"},
          &VmmStats::guest_pt_writes);
    field({"demand_faults", Unit::Count, Agg::Sum, "pages the guest OS mapped on first touch"},
          &VmmStats::demand_faults);
    field({"remaps", Unit::Count, Agg::Sum, "remap events applied (same gVA, new gPA)"}, &VmmStats::remaps);
    field({"unmaps", Unit::Count, Agg::Sum, "unmap events applied"}, &VmmStats::unmaps);
    field({"protects", Unit::Count, Agg::Sum,
           "pages whose protection a trace's mprotect changed, or that MADV_FREE made clean"},
          &VmmStats::protects);
    field({"moves", Unit::Count, Agg::Sum, "pages a trace's mremap moved to a new gVA (same gPA)"}, &VmmStats::moves);
    field(
        {"exits", Unit::Count, Agg::Sum,
         "process exits: a trace's exit or exec, or the end of a process of workload.processes (its tables torn down)"},
        &VmmStats::exits);
    field({"host_migrations", Unit::Count, Agg::Sum, "host pages the hypervisor moved"}, &VmmStats::host_migrations);
    field({"context_switches", Unit::Count, Agg::Sum,
           "guest root changes: the scheduler's, and context_switch_rate's (another process and back)"},
          &VmmStats::context_switches);
    field({"root_cache_hits", Unit::Count, Agg::Sum, "root changes served by the shadow-root cache"},
          &VmmStats::root_cache_hits);
    field({"spurious_faults", Unit::Count, Agg::Sum,
           "faults on a page another fault in flight had already mapped or made writable: retried at no cost"},
          &VmmStats::spurious_faults);
    field({"intervals", Unit::Count, Agg::Sum, "dynamic-policy scan intervals"}, &VmmStats::intervals);
    // Written only when it happened, so that runs with memory to spare keep their exact outputs.
    g.add({"huge_fallbacks", Unit::Count, Agg::Sum,
           "huge guest pages the guest OS mapped with smaller pages because no free guest frame of their size "
           "was left (as Linux falls back from a transparent huge page)",
           "only when a huge page fell back"},
          [](const VmmView& v) { return v.s.huge_fallbacks ? value_of(v.s.huge_fallbacks) : Value(stats::Absent{}); });
    field({"switch_cycles", Unit::Cycles, Agg::Sum, "agile switching and shadow-resync work"},
          &VmmStats::switch_cycles);
    g.add_array(
        {"to_nested", Unit::Count, Agg::Sum, "compound entries made nested-style, by level (0 = croot)", kLevelsWhen},
        levels(), [](const VmmView& v, size_t l) -> Value {
          return l <= v.levels ? value_of(v.s.to_nested[l]) : Value(stats::Absent{});
        });
    g.add_array(
        {"to_shadow", Unit::Count, Agg::Sum, "nested-style entries made shadow-style again, by level", kLevelsWhen},
        levels(), [](const VmmView& v, size_t l) -> Value {
          return l <= v.levels ? value_of(v.s.to_shadow[l]) : Value(stats::Absent{});
        });
    g.add({"nested_points_at_end", Unit::Count, Agg::None, "nested-style compound entries when the run ended"},
          [](const VmmView& v) { return value_of(v.nested_points); });
    return g;
  }();
  return g;
}

}  // namespace agilemmu::vmm
