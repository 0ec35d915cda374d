/* The golden walk for SystemVerilog testbenches (DPI-C). Every function is what
 * rtl/dpi/agilemmu_dpi_pkg.sv imports; C and C++ callers may use them directly.
 *
 * A model is a page-table image with its roots: built from a YAML config (the guest regions of
 * `agilemmu run`) or from a seed (the co-simulation's random images). The testbench serves its
 * walker's memory port from the image (agilemmu_mem_read / agilemmu_mem_write: the RTL's A/D
 * writes change it) and, before each walk, asks for the golden walk of the same request on the
 * image as it is (agilemmu_golden_walk), then compares the walker's references one at a time
 * (agilemmu_golden_ref) and its result (agilemmu_golden_result).
 *
 * Encodings are the C++ enums', which rtl/agilemmu_pkg.sv equals: access 0 read, 1 write,
 * 2 fetch; mode 0 native, 1 nested, 2 shadow, 3 agile; port 0 compound, 1 nested; page size
 * 0 4K, 1 2M, 2 1G; perms {write, user, exec} as bits 2..0. Handles are small integers >= 0;
 * -1 means an error (agilemmu_last_error says what). */
#ifndef AGILEMMU_DPI_H
#define AGILEMMU_DPI_H

#ifdef __cplusplus
extern "C" {
#endif

int agilemmu_create_from_seed(int levels, int nested_levels, int maxphyaddr, int selector_bit, int nx, int nested_ad,
                              long long seed);
int agilemmu_create_from_config(const char* yaml_path);
void agilemmu_destroy(int h);
const char* agilemmu_last_error(void);

/* The format the model's tables use (a testbench checks its walker's parameters against it). */
int agilemmu_format(int h, int* levels, int* nested_levels, int* maxphyaddr, int* selector_bit, int* nx,
                    int* nested_ad);
int agilemmu_roots(int h, long long* hroot, long long* groot, long long* nroot, long long* sroot, long long* croot,
                   int* croot_is_gpa);

long long agilemmu_mem_read(int h, long long addr);
void agilemmu_mem_write(int h, long long addr, long long data);

/* The next request of the model's seeded sequence: random images draw mapped, corrupted,
 * unmapped and non-canonical addresses in every mode; config models draw mapped pages of the
 * guest regions in the config's mode. Returns 0 on a bad handle. */
int agilemmu_next_request(int h, long long* va, int* access, int* user, int* mode);

/* Runs the golden walk of one request on the image as it is now, without changing it (its A/D
 * writes are listed, not performed: the walker under test performs them). Returns the number of
 * references (reads and writes), or -1 on a bad handle. */
int agilemmu_golden_walk(int h, long long va, int access, int user, int mode);
/* The last golden walk's outcome. */
int agilemmu_golden_result(int h, int* ok, long long* hpa, long long* gpa, int* size, int* perms, int* switch_level,
                           int* fault_stage, int* fault_kind, int* fault_level, long long* fault_addr,
                           long long* fault_code);
/* Reference i (0-based) of the last golden walk: its entry address, port, table, level, whether
 * it is a write and, for a write, the value written. Returns 0 when i is out of range. */
int agilemmu_golden_ref(int h, int i, long long* addr, int* port, int* table, int* level, int* write, long long* data);

#ifdef __cplusplus
}
#endif
#endif
