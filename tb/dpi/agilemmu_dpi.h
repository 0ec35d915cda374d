/* The golden walk for SystemVerilog testbenches (DPI-C). Every function is what
 * rtl/dpi/agilemmu_dpi_pkg.sv imports; C and C++ callers may use them directly
 * (#include <agilemmu/dpi/agilemmu_dpi.h>, link -lagilemmu_dpi). rtl/README.md, "DPI-C reference",
 * is the full contract.
 *
 * A model is a page-table image with its roots: built from a YAML config (the guest regions of
 * `agilemmu run`) or from a seed (the co-simulation's random images). The testbench serves its
 * walker's memory port from the image (agilemmu_mem_read / agilemmu_mem_write: the RTL's A/D
 * writes change it) and, before each walk, asks for the golden walk of the same request on the
 * image as it is (agilemmu_golden_walk), then compares the walker's references one at a time
 * (agilemmu_golden_ref), its result (agilemmu_golden_result) and its cycles
 * (agilemmu_golden_cycles).
 *
 * Encodings are the C++ enums', which rtl/agilemmu_pkg.sv equals: access 0 read, 1 write,
 * 2 fetch; mode 0 native, 1 nested, 2 shadow, 3 agile; port 0 compound, 1 nested; page size
 * 0 4K, 1 2M, 2 1G; perms {write, user, exec} as bits 2..0. Levels count from 1 = the root.
 *
 * Errors: a function that fails returns -1 (handles and statuses; agilemmu_golden_walk and
 * agilemmu_golden_cycles as well) and sets agilemmu_last_error(): a bad handle, a NULL output
 * pointer, a mode or access outside its encoding, a bad format or config. Status functions
 * return 1 on success. Not thread-safe: the models and the error text are process-global. */
#ifndef AGILEMMU_DPI_H
#define AGILEMMU_DPI_H

#ifdef __cplusplus
extern "C" {
#endif

/* Image `image` (0, 1, ...) of `agilemmu cosim --seed seed`: the cosim builds image k for walks
 * k*N .. k*N+N-1 (N = --walks-per-image, default 2000) from the same (format, seed, k), and draws
 * the same request sequence from it. Returns a handle >= 0, or -1. */
int agilemmu_create_from_seed_image(int levels, int nested_levels, int maxphyaddr, int selector_bit, int nx,
                                    int nested_ad, long long seed, long long image);
/* Image 0 of that seed: agilemmu_create_from_seed_image(..., seed, 0). */
int agilemmu_create_from_seed(int levels, int nested_levels, int maxphyaddr, int selector_bit, int nx, int nested_ad,
                              long long seed);
int agilemmu_create_from_config(const char* yaml_path);
/* Frees the model; its handle is not reused. */
void agilemmu_destroy(int h);
/* The last error's text ("" before any). The pointer stays valid, and the text unchanged, until
 * the next call of an agilemmu_* function that fails; copy it to keep it (an SV `string` import
 * copies it on return). Never NULL. */
const char* agilemmu_last_error(void);

/* The format the model's tables use (a testbench checks its walker's parameters against it):
 * nx and nested_ad are 0 or 1. Returns 1, or -1. */
int agilemmu_format(int h, int* levels, int* nested_levels, int* maxphyaddr, int* selector_bit, int* nx,
                    int* nested_ad);
/* The root registers to drive on the walker's root inputs. Returns 1, or -1. */
int agilemmu_roots(int h, long long* hroot, long long* groot, long long* nroot, long long* sroot, long long* croot,
                   int* croot_is_gpa);

/* The 8-byte word at hPA addr (0 where nothing was written; 0 and an error on a bad handle). */
long long agilemmu_mem_read(int h, long long addr);
/* Writes the word (the walker's A/D writes go here). */
void agilemmu_mem_write(int h, long long addr, long long data);

/* The next request of the model's seeded sequence: random images draw mapped, corrupted,
 * unmapped and non-canonical addresses in every mode; config models draw mapped pages of the
 * guest regions in the config's mode. Returns 1, or -1. */
int agilemmu_next_request(int h, long long* va, int* access, int* user, int* mode);

/* Runs the golden walk of one request on the image as it is now, without changing it (its A/D
 * writes are listed, not performed: the walker under test performs them). access 0..2, mode
 * 0..3, user 0 or not. Returns the number of references (reads and writes, 0 for a
 * non-canonical VA), or -1 (then the previous golden walk stays the last one). */
int agilemmu_golden_walk(int h, long long va, int access, int user, int mode);
/* The last golden walk's outcome. ok 1: hpa, gpa (0 unless the walk went through the nested
 * dimension), size and perms are valid and every fault_* is 0. ok 0: fault_stage, fault_kind,
 * fault_level (level of the faulting entry in its table, 0 for a non-canonical VA),
 * fault_addr (the VA for a first-dimension fault, the gPA for a nested one) and fault_code are
 * valid and hpa, gpa, size, perms are 0. switch_level in both: agile mode, the level (1..L) of
 * the first nested-style compound entry, 0 if croot is a gPA; nested mode 0; -1 otherwise.
 * Returns 1, or -1. */
int agilemmu_golden_result(int h, int* ok, long long* hpa, long long* gpa, int* size, int* perms, int* switch_level,
                           int* fault_stage, int* fault_kind, int* fault_level, long long* fault_addr,
                           long long* fault_code);
/* Reference i (0-based) of the last golden walk: its entry's hPA, port, table, level, whether
 * it is a write and, for a write, the value written (0 for a read). Returns 1; 0 when i is
 * outside 0..n-1 (no such reference: not an error); -1 on an error. */
int agilemmu_golden_ref(int h, int i, long long* addr, int* port, int* table, int* level, int* write, long long* data);
/* The cycles the last golden walk takes on a walker that keeps the timing contract
 * (pt::WalkTiming defaults, rtl/README.md), from the request handshake edge to the result
 * handshake edge: 1 + n + latency_sum + stall_cycles for its n references, where latency_sum
 * is the sum over the references of each one's latency (edges from its acceptance to its
 * mem_rsp_valid edge, >= 1) and stall_cycles counts the edges at which mem_req_valid was high
 * and mem_req_ready low, and those at which rsp_valid was high and rsp_ready low. A fixed
 * latency L without stalls: latency_sum = n*L, stall_cycles = 0. Returns -1 on an error
 * (negative arguments too). */
long long agilemmu_golden_cycles(int h, long long latency_sum, long long stall_cycles);

#ifdef __cplusplus
}
#endif
#endif
