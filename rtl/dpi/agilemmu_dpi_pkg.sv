// The agilemmu golden model for SystemVerilog testbenches: DPI-C imports of the functions in
// tb/dpi/agilemmu_dpi.h (shared library libagilemmu_dpi, CMake target agilemmu::dpi). See
// rtl/README.md "DPI-C reference" for arguments, return codes and field validity. Compile it
// after agilemmu_pkg.sv and before your testbench; link libagilemmu_dpi.
package agilemmu_dpi;
  import "DPI-C" function int agilemmu_create_from_seed_image(input int levels, input int nested_levels,
      input int maxphyaddr, input int selector_bit, input int nx, input int nested_ad, input longint seed,
      input longint image);
  import "DPI-C" function int agilemmu_create_from_seed(input int levels, input int nested_levels,
      input int maxphyaddr, input int selector_bit, input int nx, input int nested_ad, input longint seed);
  import "DPI-C" function int agilemmu_create_from_config(input string yaml_path);
  import "DPI-C" function void agilemmu_destroy(input int h);
  import "DPI-C" function string agilemmu_last_error();
  import "DPI-C" function int agilemmu_format(input int h, output int levels, output int nested_levels,
      output int maxphyaddr, output int selector_bit, output int nx, output int nested_ad);
  import "DPI-C" function int agilemmu_roots(input int h, output longint hroot, output longint groot,
      output longint nroot, output longint sroot, output longint croot, output int croot_is_gpa);
  import "DPI-C" function longint agilemmu_mem_read(input int h, input longint addr);
  import "DPI-C" function void agilemmu_mem_write(input int h, input longint addr, input longint data);
  import "DPI-C" function int agilemmu_next_request(input int h, output longint va, output int access,
      output int user, output int mode);
  import "DPI-C" function int agilemmu_golden_walk(input int h, input longint va, input int access,
      input int user, input int mode);
  import "DPI-C" function int agilemmu_golden_result(input int h, output int ok, output longint hpa,
      output longint gpa, output int size, output int perms, output int switch_level, output int fault_stage,
      output int fault_kind, output int fault_level, output longint fault_addr, output longint fault_code);
  import "DPI-C" function int agilemmu_golden_ref(input int h, input int i, output longint addr, output int port,
      output int tbl, output int level, output int write, output longint data);
  import "DPI-C" function longint agilemmu_golden_cycles(input int h, input longint latency_sum,
      input longint stall_cycles);
endpackage
