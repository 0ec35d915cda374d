// agilemmu_rtl_fst without its FST-traced walker builds (AGILEMMU_RTL_FST=OFF, as rtl/mutate.sh
// configures it): a static library needs one source.
namespace agilemmu::cosim {
int rtl_no_fst_builds = 0;
}  // namespace agilemmu::cosim
