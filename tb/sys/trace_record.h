/* The binary trace's record encoding (tb/TRACE_FORMAT.md), defined once: plain C with no library
 * calls, so the C++ writer (sys/workload.cpp) and the valgrind tool (capture/), which runs
 * without a C library, encode with the same code. Decoding stays in sys/workload.cpp. */
#ifndef AGILEMMU_TRACE_RECORD_H
#define AGILEMMU_TRACE_RECORD_H
#include <stdint.h>

#define AMMU_TRACE_VERSION 4u       /* 3: fetch repeat records and the cut marker; 4: windows */
#define AMMU_TRACE_HEADER_BYTES 24u /* magic, version, header flags, record count */
/* Header flags (the 4 bytes at offset 12, version 4): the trace is a window of the program, its
 * records open with a prologue (touch records and memory-map events) ended by a window marker. */
#define AMMU_HEADER_WINDOWED 0x1u

/* Flag byte: bits 1:0 the access kind (3: an event record, its code in bits 7:2). */
enum { AMMU_KIND_FETCH = 0, AMMU_KIND_READ = 1, AMMU_KIND_WRITE = 2, AMMU_KIND_EVENT = 3 };
#define AMMU_FLAG_SIZED 0x04u  /* a size byte follows the address delta */
#define AMMU_FLAG_REPEAT 0x08u /* version 3, with kind fetch: a repeat record (a count, no address) */

/* Event codes (bits 7:2 of an event record's flag byte). 1..8 are the memory-map events in the
 * order of sys::WorkloadOp::Kind Mmap..Exec; 9 marks a cut trace (operand: AMMU_CUT_*). */
enum {
  AMMU_EV_MMAP = 1,
  AMMU_EV_MUNMAP,
  AMMU_EV_MREMAP,
  AMMU_EV_BRK,
  AMMU_EV_MPROTECT,
  AMMU_EV_MADVISE,
  AMMU_EV_EXIT,
  AMMU_EV_EXEC,
  AMMU_EV_CUT,
  AMMU_EV_TOUCH, /* version 4, prologue only: page address, written (0/1): touched before the window */
  AMMU_EV_WINDOW /* version 4: the prologue ends, the window starts; operand: accesses skipped */
};
/* Why a trace is cut: the capture's access limit, a fatal signal, the capture stopped from
 * outside (its last buffer may be lost). */
enum { AMMU_CUT_LIMIT = 1, AMMU_CUT_SIGNAL = 2, AMMU_CUT_KILLED = 3 };

/* The longest record: flag, 10-byte delta, size byte (accesses); flag and four 10-byte operands
 * (events); flag and a 10-byte count (repeats). */
#define AMMU_MAX_RECORD_BYTES 41u

static inline unsigned char* ammu_put_uleb(unsigned char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  *p++ = (unsigned char)v;
  return p;
}

/* The 24-byte header with `flags` (AMMU_HEADER_*) and a record count of 0 (unknown). */
static inline unsigned char* ammu_put_header(unsigned char* p, unsigned flags) {
  static const char magic[8] = {'A', 'M', 'M', 'U', 'T', 'R', 'C', '\0'};
  unsigned i;
  for (i = 0; i < 8; ++i) *p++ = (unsigned char)magic[i];
  for (i = 0; i < 4; ++i) *p++ = (unsigned char)(AMMU_TRACE_VERSION >> (8 * i));
  for (i = 0; i < 4; ++i) *p++ = (unsigned char)(flags >> (8 * i));
  for (i = 0; i < 8; ++i) *p++ = 0;
  return p;
}

/* An access: `*last` is the previous access's address (the delta base), updated. Sizes 1..255. */
static inline unsigned char* ammu_put_access(unsigned char* p, uint64_t* last, unsigned kind, uint64_t va,
                                             unsigned size) {
  const int64_t delta = (int64_t)(va - *last);
  *p++ = (unsigned char)(kind | (size != 8 ? AMMU_FLAG_SIZED : 0));
  p = ammu_put_uleb(p, ((uint64_t)delta << 1) ^ (uint64_t)(delta >> 63));
  if (size != 8) *p++ = (unsigned char)size;
  *last = va;
  return p;
}

/* `count` more fetches of the last fetch's page or line (>= 1). The delta base is unchanged. */
static inline unsigned char* ammu_put_repeat(unsigned char* p, uint64_t count) {
  *p++ = (unsigned char)(AMMU_KIND_FETCH | AMMU_FLAG_REPEAT);
  return ammu_put_uleb(p, count);
}

/* An event record: its code, then `n` operands (tb/TRACE_FORMAT.md lists each event's). */
static inline unsigned char* ammu_put_event(unsigned char* p, unsigned code, const uint64_t* ops, unsigned n) {
  unsigned i;
  *p++ = (unsigned char)(AMMU_KIND_EVENT | code << 2);
  for (i = 0; i < n; ++i) p = ammu_put_uleb(p, ops[i]);
  return p;
}

#endif
