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
    // The plain counters, in AGILEMMU_VMM_COUNTERS' order.
#define AGILEMMU_STAT(field, key, unit, agg, desc, when) \
  g.add({key, Unit::unit, Agg::agg, desc, when},         \
        [](const VmmView& v) { return *(when) == '\0' || v.s.field ? value_of(v.s.field) : Value(stats::Absent{}); });
    AGILEMMU_VMM_COUNTERS(AGILEMMU_STAT)
#undef AGILEMMU_STAT
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
