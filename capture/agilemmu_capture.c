/* agilemmu-capture: a valgrind tool that writes a program's instruction fetches, loads, stores and
 * memory-map system calls straight into agilemmu's binary trace format (tb/TRACE_FORMAT.md,
 * encoded by tb/sys/trace_record.h), through a 4 MiB buffer written out in whole blocks to a file
 * or a pipe (scripts/capture-trace.sh pipes it into zstd). It replaces lackey, which prints one
 * text line per access through one write(2) each.
 *
 * Instrumentation follows lackey's --trace-mem=yes: the accesses of a superblock are queued and
 * turned into helper calls before each side exit and at its end, a load followed by a store of
 * the same address and size becomes a modify (a read then a write in the trace).
 *
 * Options (scripts/capture-trace.sh passes them):
 *   --out=PATH         the trace (a file or a FIFO); required
 *   --state-dir=DIR    one small file per process: lets the image an execve starts append to its
 *                      process's trace (an exec event) instead of starting a new one; required
 *   --fork-out=TMPL    forked children are traced into TMPL with %p replaced by their pid
 *                      (default: they are not traced, and counted)
 *   --limit=N          stop the program after N accesses of the trace (of the window, with one;
 *                      the trace gets a cut marker)
 *   --skip=N           a window: the first N accesses (counted from the start marker, with one)
 *                      are not recorded but summarised in the trace's prologue: every page they
 *                      touched (a touch record at its first touch and at its first write) and
 *                      every memory-map event, in order; a window marker then starts the window
 *   --start-file=PATH  a window that starts (after --skip more) once PATH exists, looked for every
 *                      2^20 accesses
 *   --start-fn=NAME    a window that starts (after --skip more) at the first call of function NAME
 *                      (the entry of a symbol of that name, as valgrind's debug info names it)
 *   --fetch=all|line|page   coalesce consecutive fetches (no other record between them) of one
 *                      64-byte line or 4 KiB page into repeat records (they stay counted)
 *   --progress=PATH    a progress line about once a second (the script passes /dev/tty)
 */
#include "pub_tool_basics.h"
#include "pub_tool_debuginfo.h"
#include "pub_tool_libcassert.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcfile.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_libcproc.h"
#include "pub_tool_machine.h"
#include "pub_tool_mallocfree.h"
#include "pub_tool_options.h"
#include "pub_tool_tooliface.h"
#include "pub_tool_vki.h"
#include "pub_tool_vkiscnums.h"
#include "trace_record.h"

/* Not in the tool headers, but exported by libcoregrind: moves an fd out of the client's range
 * and marks it close-on-exec (what valgrind does with its own log file). */
extern Int VG_(safe_fd)(Int oldfd);
extern const HChar* VG_(strerror)(UWord errnum);

/* ---- options ---- */
static const HChar* clo_out = NULL;
static const HChar* clo_state_dir = NULL;
static const HChar* clo_fork_out = NULL;
static const HChar* clo_progress = NULL;
static const HChar* clo_fetch = "all";
static Long clo_limit = 0;
static Long clo_skip = 0;
static const HChar* clo_start_file = NULL;
static const HChar* clo_start_fn = NULL;

/* ---- the output ---- */
#define BUF_BYTES (4u << 20)
static UChar* buf;
static UChar* pos;   /* next free byte */
static UChar* limit; /* a record may start below this */
static Int out_fd = -1;
static HChar out_path[4096];
static Bool tracing = False; /* this process is traced */
static Bool failed = False;  /* a write failed: nothing more is written */
static Bool ended = False;   /* an exit event or cut marker is written */
static uint64_t last_va = 0; /* the delta base of access records */

/* ---- counts ---- */
static ULong n_access = 0;   /* accesses so far, coalesced fetches included */
static ULong next_check = 0; /* the next count at which limit/progress/window is looked at */
static ULong n_children = 0;

/* ---- the window ---- */
static Bool windowed = False;       /* the trace opens with a prologue */
static Bool skipping = False;       /* before the window: accesses become touch records */
static Bool marker_pending = False; /* a start marker is given and not yet seen */
static ULong skip_until = 0;        /* the window starts when n_access reaches this */
static ULong window_start = 0;      /* n_access when the window started */

/* The pages touched before the window: an open-addressing set of page numbers + 1 (0: empty,
 * TOMB: deleted) with a written flag beside each. */
#define TOMB (~0ull)
static ULong* pg_keys;
static UChar* pg_written;
static ULong pg_cap = 0, pg_used = 0; /* used counts tombstones too */
static ULong last_page = ~0ull;       /* the page of the last touch, and its written flag */
static Bool last_written = False;

/* ---- fetch coalescing ---- */
static Addr fetch_mask = 0; /* 0: every fetch is a record */
static Addr run_base = 1;   /* the page/line of the fetch record just written (1: none) */
static ULong run = 0;       /* fetches right after it (nothing between) to the same page/line */

/* ---- progress ---- */
static Int progress_fd = -1;
static UInt t_start = 0, t_last = 0;

static void die_write(Int err) {
  failed = True;
  tracing = False;
  VG_(umsg)
  ("agilemmu-capture: writing the trace to %s failed: %s%s\n", out_path, VG_(strerror)(err),
   err == VKI_EPIPE    ? " (its reader is gone)"
   : err == VKI_ENOSPC ? " (the disk is full)"
                       : "");
  VG_(exit)(3);
}

static void flush(void) {
  const UChar* p = buf;
  if (failed || out_fd < 0) {
    pos = buf;
    return;
  }
  while (p < pos) {
    const Int n = VG_(write)(out_fd, p, (Int)(pos - p));
    if (n == -VKI_EINTR) continue;
    if (n <= 0) die_write(n < 0 ? -n : VKI_EIO);
    p += n;
  }
  pos = buf;
}

static inline void room(void) {
  if (UNLIKELY(pos >= limit)) flush();
}

/* Ends a run of fetches: its repeat record goes where the run ends, so the records keep the
 * order of the accesses (a load or store, or an event, ends a run). */
static inline void end_run(void) {
  if (UNLIKELY(run != 0)) {
    room();
    pos = ammu_put_repeat(pos, run);
    run = 0;
  }
  run_base = 1;
}

static void put_event(unsigned code, const uint64_t* ops, unsigned n) {
  if (!tracing) return;
  end_run();
  room();
  pos = ammu_put_event(pos, code, ops, n);
}

static void cut(unsigned why) {
  if (!tracing || ended) return;
  const uint64_t op = why;
  put_event(AMMU_EV_CUT, &op, 1);
  ended = True;
  flush();
}

static void check(void);

/* ---- the prologue ---- */
static inline ULong pg_hash(ULong k) { return (k * 0x9E3779B97F4A7C15ull) >> 17; }

static ULong* pg_find(ULong key, Bool for_insert) {
  ULong i = pg_hash(key) & (pg_cap - 1);
  ULong* tomb = NULL;
  for (;; i = (i + 1) & (pg_cap - 1)) {
    if (pg_keys[i] == key) return &pg_keys[i];
    if (pg_keys[i] == TOMB && !tomb) tomb = &pg_keys[i];
    if (pg_keys[i] == 0) return for_insert ? (tomb ? tomb : &pg_keys[i]) : NULL;
  }
}

static void pg_grow(void) {
  ULong* old_keys = pg_keys;
  UChar* old_written = pg_written;
  const ULong old_cap = pg_cap;
  pg_cap = pg_cap ? pg_cap * 2 : 1u << 16;
  pg_keys = VG_(calloc)("agilemmu.pages", pg_cap, sizeof *pg_keys);
  pg_written = VG_(calloc)("agilemmu.written", pg_cap, 1);
  pg_used = 0;
  for (ULong i = 0; i < old_cap; ++i) {
    if (old_keys[i] == 0 || old_keys[i] == TOMB) continue;
    ULong* k = pg_find(old_keys[i], True);
    *k = old_keys[i];
    pg_written[k - pg_keys] = old_written[i];
    ++pg_used;
  }
  if (old_keys) VG_(free)(old_keys), VG_(free)(old_written);
}

static void put_touch(ULong page, Bool written) {
  const uint64_t ops[2] = {page << 12, written ? 1 : 0};
  put_event(AMMU_EV_TOUCH, ops, 2);
}

/* A touch before the window: a record at a page's first touch and at its first write. */
static void touch_page(ULong page, Bool write) {
  if (page == last_page && (last_written || !write)) return;
  if (2 * (pg_used + 1) > pg_cap) pg_grow();
  ULong* k = pg_find(page + 1, True);
  UChar* w = &pg_written[k - pg_keys];
  if (*k != page + 1) {
    if (*k == 0) ++pg_used;
    *k = page + 1;
    *w = write;
    put_touch(page, write);
  } else if (write && !*w) {
    *w = True;
    put_touch(page, True);
  }
  last_page = page;
  last_written = *w;
}

static inline void touch(Addr a, UWord size, Bool write) {
  touch_page(a >> 12, write);
  if (((a + size - 1) >> 12) != (a >> 12)) touch_page((a + size - 1) >> 12, write);
}

/* The program unmapped [a, a + len) (or dropped its pages): a later touch is a first touch again,
 * as replay faults the page back in. */
static void forget(Addr a, ULong len) {
  if (!skipping || !pg_cap || len == 0) return;
  const ULong lo = a >> 12, hi = (a + len + 4095) >> 12;
  last_page = ~0ull;
  if (hi - lo <= pg_cap) {
    for (ULong p = lo; p < hi; ++p) {
      ULong* k = pg_find(p + 1, False);
      if (k) *k = TOMB;
    }
    return;
  }
  for (ULong i = 0; i < pg_cap; ++i)
    if (pg_keys[i] != 0 && pg_keys[i] != TOMB && pg_keys[i] - 1 >= lo && pg_keys[i] - 1 < hi) pg_keys[i] = TOMB;
}

static void forget_all(void) {
  if (!pg_cap) return;
  VG_(memset)(pg_keys, 0, pg_cap * sizeof *pg_keys);
  pg_used = 0;
  last_page = ~0ull;
}

static void set_next_check(void);

static void begin_window(void) {
  const uint64_t skipped = n_access;
  put_event(AMMU_EV_WINDOW, &skipped, 1);
  skipping = False;
  window_start = n_access;
  last_va = 0;
  VG_(umsg)("agilemmu-capture: the window starts after %llu accesses\n", n_access);
}

static void marker_seen(void) {
  marker_pending = False;
  skip_until = n_access + (ULong)clo_skip;
  if (n_access >= skip_until) begin_window();
  set_next_check();
}

static VG_REGPARM(0) void on_start_fn(void) {
  if (marker_pending && tracing) marker_seen();
}

/* ---- per-access helpers (called from the instrumented code) ---- */
static inline void count(void) {
  if (UNLIKELY(++n_access >= next_check)) check();
}

static VG_REGPARM(2) void on_fetch(Addr a, UWord size) {
  if (UNLIKELY(skipping)) {
    touch(a, size, False);
    count();
    return;
  }
  /* A fetch that crosses into the next line or page is never a repeat: replay repeats a fetch
   * inside the first one's line or page, and a crossing costs a second translation. */
  if (fetch_mask && (a & fetch_mask) == run_base && ((a + size - 1) & fetch_mask) == run_base) {
    ++run;
    count();
    return;
  }
  end_run();
  room();
  run_base = a & fetch_mask;
  pos = ammu_put_access(pos, &last_va, AMMU_KIND_FETCH, a, (unsigned)size);
  count();
}

static VG_REGPARM(2) void on_load(Addr a, UWord size) {
  if (UNLIKELY(skipping)) {
    touch(a, size, False);
    count();
    return;
  }
  end_run();
  room();
  pos = ammu_put_access(pos, &last_va, AMMU_KIND_READ, a, (unsigned)size);
  count();
}

static VG_REGPARM(2) void on_store(Addr a, UWord size) {
  if (UNLIKELY(skipping)) {
    touch(a, size, True);
    count();
    return;
  }
  end_run();
  room();
  pos = ammu_put_access(pos, &last_va, AMMU_KIND_WRITE, a, (unsigned)size);
  count();
}

static VG_REGPARM(2) void on_modify(Addr a, UWord size) {
  on_load(a, size);
  on_store(a, size);
}

/* ---- limit and progress ---- */
#define PROGRESS_EVERY (1ull << 22)

static void progress(Bool last) {
  const UInt now = VG_(read_millisecond_timer)();
  if (progress_fd < 0 || (!last && now - t_last < 1000)) return;
  t_last = now;
  const double s = (now - t_start) / 1000.0;
  HChar line[160];
  VG_(snprintf)
  (line, sizeof line, "\ragilemmu-capture: %llu M accesses, %.1f M/s, %.0f s%s", n_access / 1000000,
   s > 0 ? n_access / s / 1e6 : 0.0, s, last ? "\n" : "   ");
  VG_(write)(progress_fd, line, (Int)VG_(strlen)(line));
}

#define FILE_EVERY (1ull << 20)

static void set_next_check(void) {
  ULong next = (n_access / PROGRESS_EVERY + 1) * PROGRESS_EVERY;
  if (skipping && !marker_pending && skip_until < next) next = skip_until;
  if (skipping && marker_pending && clo_start_file) next = (n_access / FILE_EVERY + 1) * FILE_EVERY;
  if (!skipping && clo_limit && window_start + (ULong)clo_limit < next) next = window_start + (ULong)clo_limit;
  next_check = next;
}

static void check(void) {
  if (skipping && tracing) {
    struct vg_stat st;
    if (marker_pending && clo_start_file && !sr_isError(VG_(stat)(clo_start_file, &st))) marker_seen();
    if (skipping && !marker_pending && n_access >= skip_until) begin_window();
  }
  if (!skipping && clo_limit && tracing && n_access - window_start >= (ULong)clo_limit) {
    end_run();
    cut(AMMU_CUT_LIMIT);
    progress(True);
    VG_(umsg)("agilemmu-capture: limit of %lld accesses reached: the program is stopped\n", clo_limit);
    VG_(exit)(0);
  }
  progress(False);
  set_next_check();
}

/* ---- starting a trace ---- */
static void open_out(const HChar* path, Bool append) {
  VG_(strncpy)(out_path, path, sizeof out_path - 1);
  const Int flags = VKI_O_WRONLY | VKI_O_CREAT | (append ? VKI_O_APPEND : VKI_O_TRUNC);
  const SysRes r = VG_(open)(path, flags, 0644);
  if (sr_isError(r)) {
    VG_(umsg)("agilemmu-capture: cannot write the trace to %s: %s\n", path, VG_(strerror)(sr_Err(r)));
    VG_(exit)(2);
  }
  out_fd = VG_(safe_fd)((Int)sr_Res(r));
}

static void state_file(HChar* name, SizeT n, Int pid) { VG_(snprintf)(name, n, "%s/%d", clo_state_dir, pid); }

/* Records `path` (empty: untraced) as where process `pid`'s trace goes. */
static void write_state(Int pid, const HChar* path) {
  HChar name[4200];
  state_file(name, sizeof name, pid);
  const SysRes r = VG_(open)(name, VKI_O_WRONLY | VKI_O_CREAT | VKI_O_TRUNC, 0644);
  if (sr_isError(r)) {
    VG_(umsg)("agilemmu-capture: cannot write %s: %s\n", name, VG_(strerror)(sr_Err(r)));
    VG_(exit)(2);
  }
  VG_(write)((Int)sr_Res(r), path, (Int)VG_(strlen)(path));
  VG_(close)((Int)sr_Res(r));
}

/* A new trace of this process: the header at the start of `path`. */
static void start_trace(const HChar* path) {
  open_out(path, False);
  pos = ammu_put_header(pos, windowed ? AMMU_HEADER_WINDOWED : 0);
  last_va = 0;
  tracing = True;
}

/* The image an execve started: the process's trace goes on, with an exec event (after which
 * the delta base is 0 again, as last_va is here). */
static void continue_trace(const HChar* path) {
  open_out(path, True);
  tracing = True;
  put_event(AMMU_EV_EXEC, NULL, 0);
  flush(); /* the event is in the stream before this image's first access */
}

static void fork_child(ThreadId tid) {
  (void)tid;
  /* The parent's unwritten records are the parent's. */
  pos = buf;
  run = 0;
  run_base = 1;
  if (out_fd >= 0) VG_(close)(out_fd);
  out_fd = -1;
  tracing = False;
  ended = False;
  const Int pid = VG_(getpid)();
  if (!clo_fork_out) {
    skipping = marker_pending = False;
    write_state(pid, ""); /* an exec in this child stays untraced too */
    return;
  }
  HChar path[4096];
  HChar* o = path;
  for (const HChar* t = clo_fork_out; *t && o < path + sizeof path - 24; ++t) {
    if (t[0] == '%' && t[1] == 'p') {
      o += VG_(snprintf)(o, 24, "%d", pid);
      ++t;
    } else {
      *o++ = *t;
    }
  }
  *o = 0;
  write_state(pid, path);
  n_access = 0;
  start_trace(path);
  if (windowed) {
    /* The child's prologue opens with what it inherits: the pages the parent touched before its
     * window (or so far; the parent's memory-map events are not repeated, so they replay with the
     * default permissions). A child of a parent still before its window skips its own first
     * --skip accesses (or waits for the marker); else its window starts at once. */
    const Bool before = skipping;
    skipping = True;
    for (ULong i = 0; i < pg_cap; ++i)
      if (pg_keys[i] != 0 && pg_keys[i] != TOMB) put_touch(pg_keys[i] - 1, pg_written[i]);
    if (before) {
      window_start = 0;
      if (!marker_pending) skip_until = (ULong)clo_skip;
      if (!marker_pending && skip_until == 0) begin_window();
    } else {
      marker_pending = False;
      begin_window();
    }
  }
  set_next_check();
}

static void fork_parent(ThreadId tid) {
  (void)tid;
  ++n_children;
}

/* ---- system calls ---- */
static ULong cur_brk = 0; /* the break after the last brk (forget() what a lower one drops) */

static void pre_syscall(ThreadId tid, UInt sysno, UWord* args, UInt nArgs) {
  (void)tid;
  (void)nArgs;
  if (sysno == __NR_exit_group) {
    const uint64_t status = (UInt)args[0];
    put_event(AMMU_EV_EXIT, &status, 1);
    ended = True;
    flush();
    forget_all();
  } else if (sysno == __NR_execve) {
    end_run(); /* a successful execve does not come back: the next image goes on from here */
    flush();
    if (tracing) { /* the next image counts on from here, in or before the window */
      HChar st[4200];
      VG_(snprintf)
      (st, sizeof st, "%s\n%d %llu %llu %llu %d", out_path, (Int)skipping, n_access, skip_until, window_start,
       (Int)marker_pending);
      write_state(VG_(getpid)(), st);
    }
  }
}

static void post_syscall(ThreadId tid, UInt sysno, UWord* a, UInt nArgs, SysRes res) {
  (void)tid;
  (void)nArgs;
  if (sr_isError(res)) return; /* nothing changed */
  const ULong r = sr_Res(res);
  uint64_t ops[4];
  switch (sysno) {
    /* Before the window, the pages an event unmaps or cleans are forgotten (forget): a later
     * touch is recorded again, as replay faults them back in. */
    case __NR_mmap:
      ops[0] = r, ops[1] = a[1], ops[2] = (UInt)a[2], ops[3] = (UInt)a[3];
      put_event(AMMU_EV_MMAP, ops, 4);
      forget(r, a[1]);
      break;
    case __NR_munmap:
      ops[0] = a[0], ops[1] = a[1];
      put_event(AMMU_EV_MUNMAP, ops, 2);
      forget(a[0], a[1]);
      break;
    case __NR_mremap:
      ops[0] = a[0], ops[1] = a[1], ops[2] = r, ops[3] = a[2];
      put_event(AMMU_EV_MREMAP, ops, 4);
      forget(a[0], a[1]);
      break;
    case __NR_brk:
      ops[0] = r;
      put_event(AMMU_EV_BRK, ops, 1);
      if (r < cur_brk) forget(r, cur_brk - r);
      cur_brk = r;
      break;
    case __NR_mprotect:
      ops[0] = a[0], ops[1] = a[1], ops[2] = (UInt)a[2];
      put_event(AMMU_EV_MPROTECT, ops, 3);
      if ((a[2] & 7) == 0) forget(a[0], a[1]);
      break;
    case __NR_madvise:
      /* Only the advice that drops pages (MADV_DONTNEED 4, MADV_FREE 8) changes page tables. */
      if (a[2] != 4 && a[2] != 8) break;
      ops[0] = a[0], ops[1] = a[1], ops[2] = (UInt)a[2];
      put_event(AMMU_EV_MADVISE, ops, 3);
      forget(a[0], a[1]);
      break;
    default:
      break;
  }
}

/* ---- instrumentation ---- */
typedef enum { EV_IR, EV_DR, EV_DW, EV_DM } EvKind;
typedef struct {
  EvKind kind;
  IRExpr* addr;
  Int size;
  IRExpr* guard; /* NULL: unconditional */
} Event;
#define N_EVENTS 16
static Event events[N_EVENTS];
static Int n_events = 0;

static void flush_events(IRSB* sb) {
  for (Int i = 0; i < n_events; ++i) {
    const Event* e = &events[i];
    void* fn;
    const HChar* name;
    switch (e->kind) {
      case EV_IR:
        fn = on_fetch, name = "on_fetch";
        break;
      case EV_DR:
        fn = on_load, name = "on_load";
        break;
      case EV_DW:
        fn = on_store, name = "on_store";
        break;
      default:
        fn = on_modify, name = "on_modify";
        break;
    }
    IRDirty* di =
        unsafeIRDirty_0_N(2, name, VG_(fnptr_to_fnentry)(fn), mkIRExprVec_2(e->addr, mkIRExpr_HWord((HWord)e->size)));
    if (e->guard) di->guard = e->guard;
    addStmtToIRSB(sb, IRStmt_Dirty(di));
  }
  n_events = 0;
}

static void add_event(IRSB* sb, EvKind kind, IRExpr* addr, Int size, IRExpr* guard) {
  /* A store right after an unconditional load of the same address and size: a modify. */
  if (kind == EV_DW && !guard && n_events > 0) {
    Event* last = &events[n_events - 1];
    if (last->kind == EV_DR && !last->guard && last->size == size && eqIRAtom(last->addr, addr)) {
      last->kind = EV_DM;
      return;
    }
  }
  if (n_events == N_EVENTS) flush_events(sb);
  events[n_events++] = (Event){kind, addr, size, guard};
}

static IRSB* instrument(VgCallbackClosure* closure, IRSB* in, const VexGuestLayout* layout, const VexGuestExtents* vge,
                        const VexArchInfo* archinfo_host, IRType gWordTy, IRType hWordTy) {
  (void)closure;
  (void)layout;
  (void)vge;
  (void)archinfo_host;
  if (gWordTy != hWordTy) VG_(tool_panic)("host/guest word size mismatch");
  IRSB* out = deepCopyIRSBExceptStmts(in);
  IRTypeEnv* tyenv = in->tyenv;
  Int i = 0;
  for (; i < in->stmts_used && in->stmts[i]->tag != Ist_IMark; ++i) addStmtToIRSB(out, in->stmts[i]);
  n_events = 0;
  for (; i < in->stmts_used; ++i) {
    IRStmt* st = in->stmts[i];
    if (!st || st->tag == Ist_NoOp) continue;
    switch (st->tag) {
      case Ist_IMark:
        if (marker_pending && clo_start_fn) {
          const HChar* fn;
          if (VG_(get_fnname_if_entry)(VG_(current_DiEpoch)(), (Addr)st->Ist.IMark.addr, &fn) &&
              VG_(strcmp)(fn, clo_start_fn) == 0) {
            flush_events(out); /* the accesses before the call are the prologue's */
            IRDirty* di = unsafeIRDirty_0_N(0, "on_start_fn", VG_(fnptr_to_fnentry)(on_start_fn), mkIRExprVec_0());
            addStmtToIRSB(out, IRStmt_Dirty(di));
          }
        }
        add_event(out, EV_IR, mkIRExpr_HWord((HWord)st->Ist.IMark.addr), (Int)st->Ist.IMark.len, NULL);
        break;
      case Ist_WrTmp:
        if (st->Ist.WrTmp.data->tag == Iex_Load)
          add_event(out, EV_DR, st->Ist.WrTmp.data->Iex.Load.addr, sizeofIRType(st->Ist.WrTmp.data->Iex.Load.ty), NULL);
        break;
      case Ist_Store:
        add_event(out, EV_DW, st->Ist.Store.addr, sizeofIRType(typeOfIRExpr(tyenv, st->Ist.Store.data)), NULL);
        break;
      case Ist_StoreG: {
        IRStoreG* sg = st->Ist.StoreG.details;
        add_event(out, EV_DW, sg->addr, sizeofIRType(typeOfIRExpr(tyenv, sg->data)), sg->guard);
        break;
      }
      case Ist_LoadG: {
        IRLoadG* lg = st->Ist.LoadG.details;
        IRType ty = Ity_INVALID, wide = Ity_INVALID;
        typeOfIRLoadGOp(lg->cvt, &wide, &ty);
        add_event(out, EV_DR, lg->addr, sizeofIRType(ty), lg->guard);
        break;
      }
      case Ist_Dirty: {
        IRDirty* d = st->Ist.Dirty.details;
        if (d->mFx == Ifx_Read || d->mFx == Ifx_Modify) add_event(out, EV_DR, d->mAddr, d->mSize, NULL);
        if (d->mFx == Ifx_Write || d->mFx == Ifx_Modify) add_event(out, EV_DW, d->mAddr, d->mSize, NULL);
        break;
      }
      case Ist_CAS: {
        IRCAS* cas = st->Ist.CAS.details;
        Int size = sizeofIRType(typeOfIRExpr(tyenv, cas->dataLo));
        if (cas->dataHi) size *= 2;
        add_event(out, EV_DR, cas->addr, size, NULL);
        add_event(out, EV_DW, cas->addr, size, NULL);
        break;
      }
      case Ist_LLSC:
        if (!st->Ist.LLSC.storedata) {
          add_event(out, EV_DR, st->Ist.LLSC.addr, sizeofIRType(typeOfIRTemp(tyenv, st->Ist.LLSC.result)), NULL);
          flush_events(out);
        } else {
          add_event(out, EV_DW, st->Ist.LLSC.addr, sizeofIRType(typeOfIRExpr(tyenv, st->Ist.LLSC.storedata)), NULL);
        }
        break;
      case Ist_Exit:
        flush_events(out);
        break;
      default:
        break;
    }
    addStmtToIRSB(out, st);
  }
  flush_events(out);
  return out;
}

/* ---- start and end ---- */
static Bool process_option(const HChar* arg) {
  if VG_STR_CLO (arg, "--out", clo_out) {
  } else if VG_STR_CLO (arg, "--state-dir", clo_state_dir) {
  } else if VG_STR_CLO (arg, "--fork-out", clo_fork_out) {
  } else if VG_STR_CLO (arg, "--progress", clo_progress) {
  } else if VG_STR_CLO (arg, "--fetch", clo_fetch) {
  } else if VG_BINT_CLO (arg, "--limit", clo_limit, 0, 0x7fffffffffffffffll) {
  } else if VG_BINT_CLO (arg, "--skip", clo_skip, 0, 0x7fffffffffffffffll) {
  } else if VG_STR_CLO (arg, "--start-file", clo_start_file) {
  } else if VG_STR_CLO (arg, "--start-fn", clo_start_fn) {
  } else {
    return False;
  }
  return True;
}

static void print_usage(void) {
  VG_(printf)
  ("    --out=PATH              the binary trace (a file or FIFO) [required]\n"
   "    --state-dir=DIR         per-process state across execve [required]\n"
   "    --fork-out=TEMPLATE     trace forked children there (%%p: pid) [not traced]\n"
   "    --limit=N               stop the program after N accesses of the trace [0: none]\n"
   "    --skip=N                a window: N accesses summarised in a prologue first [0]\n"
   "    --start-file=PATH       a window that starts once PATH exists [none]\n"
   "    --start-fn=NAME         a window that starts at NAME's first call [none]\n"
   "    --fetch=all|line|page   coalesce repeated fetches of a line or page [all]\n"
   "    --progress=PATH         a progress line about once a second [none]\n");
}

static void print_debug_usage(void) { VG_(printf)("    (none)\n"); }

static void post_clo_init(void) {
  if (!clo_out || !clo_state_dir) {
    VG_(umsg)("agilemmu-capture: --out=PATH and --state-dir=DIR are required\n");
    VG_(exit)(2);
  }
  if (VG_(strcmp)(clo_fetch, "all") == 0)
    fetch_mask = 0;
  else if (VG_(strcmp)(clo_fetch, "line") == 0)
    fetch_mask = ~(Addr)63;
  else if (VG_(strcmp)(clo_fetch, "page") == 0)
    fetch_mask = ~(Addr)4095;
  else {
    VG_(umsg)("agilemmu-capture: --fetch=%s: expected all, line or page\n", clo_fetch);
    VG_(exit)(2);
  }
  windowed = clo_skip > 0 || clo_start_file || clo_start_fn;
  skipping = windowed;
  marker_pending = clo_start_file || clo_start_fn;
  skip_until = (ULong)clo_skip;
  buf = VG_(malloc)("agilemmu.buf", BUF_BYTES);
  pos = buf;
  limit = buf + BUF_BYTES - AMMU_MAX_RECORD_BYTES;
  t_start = t_last = VG_(read_millisecond_timer)();
  if (clo_progress) {
    const SysRes r = VG_(open)(clo_progress, VKI_O_WRONLY, 0);
    if (!sr_isError(r)) progress_fd = VG_(safe_fd)((Int)sr_Res(r));
  }
  set_next_check();
  VG_(atfork)(NULL, fork_parent, fork_child);
  /* Which process this is: a state file for its pid means an execve brought it here. */
  const Int pid = VG_(getpid)();
  HChar name[4200], path[4096];
  state_file(name, sizeof name, pid);
  const SysRes r = VG_(open)(name, VKI_O_RDONLY, 0);
  if (sr_isError(r)) {
    write_state(pid, clo_out);
    start_trace(clo_out);
    return;
  }
  const Int n = VG_(read)((Int)sr_Res(r), path, sizeof path - 1);
  VG_(close)((Int)sr_Res(r));
  path[n > 0 ? n : 0] = 0;
  HChar* counts = VG_(strchr)(path, '\n');
  if (counts) { /* where the image before stood: the window's state and the access count */
    *counts++ = 0;
    skipping = VG_(strtoll10)(counts, &counts) != 0;
    n_access = VG_(strtoull10)(counts, &counts);
    skip_until = VG_(strtoull10)(counts, &counts);
    window_start = VG_(strtoull10)(counts, &counts);
    marker_pending = VG_(strtoll10)(counts, &counts) != 0;
    set_next_check();
  }
  if (path[0]) continue_trace(path); /* else a child that is not traced exec'd: still not traced */
}

static void fini(Int exitcode) {
  (void)exitcode;
  if (!tracing) return;
  end_run();
  /* No exit event: the program died of a signal (or its last thread exited alone). */
  if (!ended) cut(AMMU_CUT_SIGNAL);
  flush();
  progress(True);
  if (skipping) VG_(umsg)("agilemmu-capture: the program ended before its window started\n");
  VG_(umsg)("agilemmu-capture: %llu accesses%s\n", n_access, windowed ? " (the skipped ones included)" : "");
  if (n_children && !clo_fork_out)
    VG_(umsg)("agilemmu-capture: %llu forked child process(es) not traced\n", n_children);
}

static void pre_clo_init(void) {
  VG_(details_name)("agilemmu-capture");
  VG_(details_version)(NULL);
  VG_(details_description)("memory references into agilemmu's binary trace");
  VG_(details_copyright_author)("agilemmu");
  VG_(details_bug_reports_to)("the agilemmu project");
  VG_(details_avg_translation_sizeB)(200);
  VG_(basic_tool_funcs)(post_clo_init, instrument, fini);
  VG_(needs_command_line_options)(process_option, print_usage, print_debug_usage);
  VG_(needs_syscall_wrapper)(pre_syscall, post_syscall);
}

VG_DETERMINE_INTERFACE_VERSION(pre_clo_init)
