# The QEMU oracle's bare-metal program (M-mode, RV64 with the H extension). It reads a job that
# the host placed in memory (roots, vsstatus, a list of accesses), performs each access with
# two-stage translation and reports the value or the trap over the UART; see oracle.c.
# Every access runs in VS-mode: loads and stores in a stub page the image maps, a fetch by
# jumping to the address, whose page holds `ecall`. (Loads and stores from M-mode with MPRV=1 and
# MPV=1 were tried first: QEMU 7.2 names a G-stage fault there a page fault; docs/riscv.md.)
  .section .text.start
  .globl _start
_start:
  la sp, stack_top
  call main
1: j 1b

  .text
  .equ MPP_MASK, 3 << 11
  .equ MPP_S, 1 << 11

# int do_access(uint64_t va, uint64_t kind, uint64_t value, uint64_t stub_va): enters VS-mode
# (mret with MPV=1, MPP=S) at the load/store stub (stub_va + 8 * kind) or, for a fetch, at va
# itself; comes back through the trap handler: an ecall from VS-mode (mcause 10) when the access
# went through, the fault otherwise. Returns 1 with rv_cause, rv_tval, rv_tval2, rv_epc and
# rv_loaded (a2 at the trap: the value loaded).
  .globl do_access
do_access:
  csrw mscratch, sp
  la t0, saved_ra
  sd ra, 0(t0)
  la t0, trap
  csrw mtvec, t0
  .word 0x62000073          # hfence.gvma zero, zero
  .word 0x22000073          # hfence.vvma zero, zero
  sfence.vma
  li t3, MPP_MASK
  csrc mstatus, t3
  li t1, MPP_S
  li t2, 1
  slli t2, t2, 39           # mstatus.MPV
  or t1, t1, t2
  csrs mstatus, t1
  li t2, 2
  mv t0, a0
  beq a1, t2, 1f
  slli t0, a1, 3
  add t0, t0, a3
1:
  csrw mepc, t0
  mret

  .align 4
trap:
  la t0, rv_loaded
  sd a2, 0(t0)
  la t0, rv_cause
  csrr t1, mcause
  sd t1, 0(t0)
  la t0, rv_tval
  csrr t1, mtval
  sd t1, 0(t0)
  la t0, rv_tval2
  csrr t1, 0x34b            # mtval2
  sd t1, 0(t0)
  la t0, rv_epc
  csrr t1, mepc
  sd t1, 0(t0)
  csrr sp, mscratch
  la t0, saved_ra
  ld ra, 0(t0)
  li a0, 1
  ret

  .data
  .align 3
saved_ra: .dword 0
  .globl rv_loaded, rv_cause, rv_tval, rv_tval2, rv_epc
rv_loaded: .dword 0
rv_cause: .dword 0
rv_tval: .dword 0
rv_tval2: .dword 0
rv_epc: .dword 0
  .bss
  .align 4
  .space 16384
stack_top:
