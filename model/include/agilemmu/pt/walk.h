// The reference page walk: native, nested (2-D), shadow and agile (compound) translation.
//
// This is the only implementation of the walk semantics in the project. It is a step machine:
// the caller asks for the next memory reference, performs it wherever it models memory
// (PhysMem directly, a TLM socket, the RTL's memory port) and feeds the result back: the 64-bit
// entry for a read, nothing for a write.
//
// Walks write, as x86 walkers do: A in every entry used, D in the leaf on a write access, each
// as a locked read-modify-write of the entry just read (a write reference right after its read,
// only when a bit changes). In the nested dimension (EPT-style A/D, Format::nested_ad) nested
// entries used get A and the nested leaf of a page written gets D; writing a guest entry's A/D
// is a write to the guest page-table page, so the nested leaf mapping that page gets D first.
// Optional walk caches (page-walk caches, nested TLB) are consulted through WalkCaches at the
// points where hardware would consult them; with no caches the walk makes every reference.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include <agilemmu/pt/format.h>
#include <agilemmu/pt/phys_mem.h>

namespace agilemmu::pt {

enum class Mode : uint8_t { Native, Nested, Shadow, Agile };
enum class Access : uint8_t { Read, Write, Fetch };
// Which walker port a reference goes out on: compound-side tables (compound, shadow, guest,
// native) or the nested table.
enum class Port : uint8_t { Compound, Nested };
// Which table a reference reads (the "dimension" of a 2-D walk is Nested vs everything else).
enum class Table : uint8_t { Native, Shadow, Compound, Guest, Nested };
enum class Stage : uint8_t { None, Native, Shadow, Compound, Guest, Nested };
// NonCanonical is x86's #GP: it has no stage and no level (no table was read).
// On RISC-V, NonCanonical is a page fault of the first dimension (the VA's upper bits are not a
// sign extension), AddressSize a guest-page fault (gPA bits above SvNNx4's width), Misaligned a
// superpage whose PPN is not aligned, AccessedDirty a leaf without A (or D on a write) under
// Svade.
enum class FaultKind : uint8_t {
  None,
  NotPresent,
  Reserved,
  Permission,
  NonCanonical,
  AddressSize,
  Misaligned,
  AccessedDirty
};

// Members of Port and Stage, for arrays indexed by them.
constexpr size_t kPorts = size_t(Port::Nested) + 1;
constexpr size_t kStages = size_t(Stage::Nested) + 1;

const char* to_string(Mode);
const char* to_string(Access);
const char* to_string(Port);
const char* to_string(Table);
const char* to_string(Stage);
const char* to_string(FaultKind);
bool parse_mode(const std::string&, Mode&);
bool parse_access(const std::string&, Access&);

// The x86 permission check of an access against accumulated permissions (CR0.WP=1): a write
// needs RW, a fetch needs no NX, a user access needs US. The walk's leaf checks, the nested
// dimension's (always a user access) and the MMU's TLB hits all use this one.
inline bool permits(const Perms& p, Access a, bool user) {
  return (!user || p.user) && (a != Access::Write || p.write) && (a != Access::Fetch || p.exec);
}

// The RISC-V check (privileged spec, "Virtual Address Translation Process" step 6): U-mode needs
// U; S-mode may load/store U pages only with SUM and never fetches from them; a load needs R, or
// X with MXR. G-stage checks pass user = true (every G-stage access is treated as U-mode).
inline bool rv_permits(const Perms& p, Access a, bool user, bool sum, bool mxr) {
  if (user ? !p.user : (p.user && (a == Access::Fetch || !sum))) return false;
  if (a == Access::Read) return p.read || (mxr && p.exec);
  return a == Access::Write ? p.write : p.exec;
}

// The first dimension's check in the format's ISA: the walk's leaf check and the MMU's TLB hits.
inline bool permits(const Format& f, const Perms& p, Access a, bool user, bool sum = false, bool mxr = false) {
  return f.riscv() ? rv_permits(p, a, user, sum, mxr) : permits(p, a, user);
}

// x86 #PF error-code bits; nested faults add AMD #NPF's "final gPA" / "guest table" bits.
namespace ec {
constexpr uint64_t P = 1ull << 0;             // 1: protection/reserved violation, 0: not present
constexpr uint64_t W = 1ull << 1;             // access was a write
constexpr uint64_t U = 1ull << 2;             // access was a user-mode access
constexpr uint64_t RSVD = 1ull << 3;          // reserved bit set in a paging-structure entry
constexpr uint64_t I = 1ull << 4;             // access was an instruction fetch
constexpr uint64_t FINAL = 1ull << 32;        // nested fault translating the final gPA
constexpr uint64_t GUEST_TABLE = 1ull << 33;  // nested fault translating a guest table pointer
}  // namespace ec

// Root registers of one address space (per VMID/ASID in the MMU).
struct Roots {
  uint64_t hroot = 0;  // hPA of the host's native table
  uint64_t groot = 0;  // gPA of the guest table root
  uint64_t nroot = 0;  // hPA of the nested table root
  uint64_t sroot = 0;  // hPA of the shadow table root
  uint64_t croot = 0;  // compound root: an hPA, or a gPA when croot_is_gpa (fully nested)
  bool croot_is_gpa = false;
  bool operator==(const Roots& o) const {
    return hroot == o.hroot && groot == o.groot && nroot == o.nroot && sroot == o.sroot && croot == o.croot &&
           croot_is_gpa == o.croot_is_gpa;
  }
};

struct WalkRequest {
  uint64_t va = 0;
  Access access = Access::Read;
  bool user = false;
  Mode mode = Mode::Native;
  // RISC-V status bits (ignored by x86): SUM and MXR of the first dimension (for a guest,
  // vsstatus.SUM and vsstatus.MXR|sstatus.MXR), and the MXR that applies to the G-stage
  // (sstatus.MXR of HS-mode).
  bool sum = false;
  bool mxr = false;
  bool g_mxr = false;
};

struct MemRef {
  uint64_t addr = 0;  // hPA of the 8-byte entry read or written
  Port port = Port::Compound;
  Table table = Table::Native;
  uint8_t level = 0;   // level within `table`, 1 = root
  bool write = false;  // the write half of a locked A/D read-modify-write
  uint64_t old = 0;    // write: the entry's value before (as the walk read it)
  uint64_t data = 0;   // write: the value written (old with A, and D where due, set)
  bool operator==(const MemRef& o) const {
    return addr == o.addr && port == o.port && table == o.table && level == o.level && write == o.write &&
           (!write || (old == o.old && data == o.data));
  }
  bool operator!=(const MemRef& o) const { return !(*this == o); }
};

struct Fault {
  Stage stage = Stage::None;
  FaultKind kind = FaultKind::None;
  uint8_t level = 0;  // level of the faulting entry in its table (0: before any read)
  // Faulting address: the VA for first-dimension faults, the gPA for nested. RISC-V: stval is
  // always the request's VA; for a guest-page fault `addr` is the gPA that htval/mtval2 report
  // (shifted right by 2 there): the final gPA, or the gPA of the VS-stage PTE being read.
  uint64_t addr = 0;
  uint64_t error_code = 0;  // x86: see namespace ec; RISC-V: the scause value (rv::k*Fault)
  bool operator==(const Fault& o) const {
    return stage == o.stage && kind == o.kind && level == o.level && addr == o.addr && error_code == o.error_code;
  }
};

struct Translation {
  uint64_t hpa = 0;
  uint64_t gpa = 0;               // final gPA when the walk went through the nested dimension, else 0
  PageSize size = PageSize::k4K;  // effective size: min of guest and nested page sizes
  Perms perms;
  // Every leaf this translation went through has D set (first-dimension leaf, and the nested
  // leaf of the final gPA when the nested table has A/D): a write through it needs no A/D
  // update. A TLB entry that is not dirty must not serve a write (x86 walks again to set D).
  bool dirty = false;
};

constexpr int kMaxReads = 5 * (5 + 1) + 5;  // 5-level guest over 5-level nested, no caches
// Every read may be followed by its A/D write, and each guest level by the D write of the nested
// leaf that maps its page-table page.
constexpr int kMaxRefs = 2 * kMaxReads + 5;
constexpr int8_t kNeverNested = -1;

struct WalkResult {
  bool ok = false;
  Translation tr;
  Fault fault;
  // Agile: level of the first nested-style compound entry (1..L), 0 if croot itself was a gPA,
  // kNeverNested if the walk stayed shadow-style. Nested mode reports 0, others kNeverNested.
  int8_t switch_level = kNeverNested;
  uint8_t nrefs = 0;  // reads and writes, in order
  uint8_t nwrites = 0;
  std::array<MemRef, kMaxRefs> refs{};
  unsigned nreads() const { return nrefs - nwrites; }
};

// Walk-cache hooks. Implementations tag entries with whatever context they need (ASID, VMID);
// the walk only supplies addresses. A hit may only return what an earlier fill stored.
struct PwcEntry {
  uint64_t next = 0;  // address of the next-level node (hPA, or gPA when next_is_gpa)
  bool next_is_gpa = false;
  Table table = Table::Native;         // table the cached entry belongs to (tags shadow vs nested style)
  Perms perms;                         // permissions accumulated down to and including the cached entry
  uint8_t level = 0;                   // level of the cached (non-leaf) entry
  int8_t switch_level = kNeverNested;  // the filling walk's switch level so far
};
struct NestedEntry {  // nested TLB: gPA page -> hPA page
  uint64_t hpa_base = 0;
  PageSize size = PageSize::k4K;
  Perms perms;
  // The nested leaf as it is in memory after the filling walk (its D says whether a write to the
  // page still has to set it) and where it is: enough to set D without walking again.
  uint64_t leaf_addr = 0;
  uint64_t leaf_pte = 0;
};
struct NestedPwcEntry {
  uint64_t next = 0;  // hPA of the next nested node
  Perms perms;
  uint8_t level = 0;
};
class WalkCaches {
 public:
  virtual ~WalkCaches() = default;
  // Deepest cached non-leaf entry on the path of `va` in the first dimension, if any.
  virtual bool pwc_lookup(Mode mode, uint64_t va, PwcEntry& out) = 0;
  virtual void pwc_fill(Mode mode, uint64_t va, const PwcEntry& e) = 0;
  virtual bool ntlb_lookup(uint64_t gpa, NestedEntry& out) = 0;
  virtual void ntlb_fill(uint64_t gpa, const NestedEntry& e) = 0;
  virtual bool npwc_lookup(uint64_t gpa, NestedPwcEntry& out) = 0;
  virtual void npwc_fill(uint64_t gpa, const NestedPwcEntry& e) = 0;
};

class Walk {
 public:
  Walk() = default;
  void start(const Format& fmt, const Roots& roots, const WalkRequest& req, WalkCaches* caches = nullptr);

  // A memory reference is due: next_ref() says which (a read, or a write with its data).
  bool needs_mem() const { return phase_ != Phase::Done && phase_ != Phase::Idle; }
  bool done() const { return phase_ == Phase::Done; }
  const MemRef& next_ref() const { return pending_; }
  // Completes next_ref(): for a read, the entry's value; for a write the value is ignored.
  // Advances to the next reference or the end.
  void feed(uint64_t value);

  const WalkResult& result() const { return res_; }
  const WalkRequest& request() const { return req_; }
  // Cache consultations so far (each costs the lookup latency of its structure in timed models).
  unsigned pwc_lookups() const { return pwc_lookups_; }
  unsigned ntlb_lookups() const { return ntlb_lookups_; }
  unsigned npwc_lookups() const { return npwc_lookups_; }

 private:
  // FirstDimRead: a read of the first dimension's table (native, guest, shadow or compound).
  enum class Phase : uint8_t { Idle, FirstDimRead, NestedRead, Write, Done };
  static constexpr uint8_t kFinal = 0;  // nested translation of the final gPA (data page)

  void prepare_first_dim();
  void begin_nested(uint64_t gpa, uint8_t purpose);
  void nested_done(const NestedEntry& found, bool fresh);
  void step_first_dim(uint64_t v);
  void step_nested(uint64_t v);
  // A/D of the entry just read (at pending_): queues its write when `bits` are not all set yet.
  // Returns the entry's value afterwards.
  uint64_t set_bits(uint64_t v, uint64_t bits);
  // A guest-table entry needs an A/D write: the guest page holding it is written, which the
  // nested translation of that page must allow; its nested leaf gets D. False: faulted.
  bool guest_page_write();
  void queue_write(const MemRef& r, uint64_t old, uint64_t data);
  // Queued writes go out before whatever the walk does next.
  void settle();
  void finish(uint64_t hpa, PageSize size, const Perms& perms, bool dirty);
  void fail(Stage st, FaultKind k, uint8_t level, uint64_t addr, uint64_t code);
  uint64_t access_code() const;
  uint64_t nested_code() const;
  uint64_t rv_cause(Stage st) const;
  bool first_permits() const;
  bool nested_permits(const Perms& p, bool final) const;
  // RISC-V Svade: a missing A/D bit is a fault instead of a write. True: faulted.
  bool ad_fault(Stage st, uint8_t level, uint64_t addr);
  Stage stage_of(Table t) const;

  Format fmt_;
  uint64_t reserved_ = 0;  // fmt_.reserved_always()
  Roots roots_;
  WalkRequest req_;
  WalkCaches* caches_ = nullptr;
  Phase phase_ = Phase::Idle;
  MemRef pending_;
  WalkResult res_;
  // A/D writes due before the walk goes on; then it resumes with resume_ (phase and reference).
  std::array<MemRef, 3> wq_{};
  uint8_t wq_n_ = 0, wq_i_ = 0;
  Phase resume_phase_ = Phase::Idle;
  MemRef resume_ref_;

  // First dimension (native / shadow / compound / guest table).
  Table first_table_ = Table::Native;
  uint8_t first_level_ = 1;
  uint64_t first_node_ = 0;
  Perms first_perms_;
  PageSize first_size_ = PageSize::k4K;
  bool first_dirty_ = false;  // the first-dimension leaf has D
  // Nested dimension.
  uint64_t ngpa_ = 0;
  uint8_t nlevel_ = 1;
  uint8_t npurpose_ = kFinal;  // guest level whose node pointer is being translated, or kFinal
  uint64_t nnode_ = 0;
  Perms nperms_;
  NestedEntry node_leaf_;  // nested translation of the guest-table node being read (its leaf)

  unsigned pwc_lookups_ = 0, ntlb_lookups_ = 0, npwc_lookups_ = 0;
};

// Runs a walk to completion against `mem`, performing its A/D writes. The convenience form for
// tests and tools.
WalkResult walk(PhysMem& mem, const Format& fmt, const Roots& roots, const WalkRequest& req,
                WalkCaches* caches = nullptr);
// The same walk without touching memory: its writes are listed (the walk itself sees them) but
// not performed. What the translation is now, and what a walk would do.
WalkResult probe(const PhysMem& mem, const Format& fmt, const Roots& roots, const WalkRequest& req);

// Runs a started walk to the end, reading entries with read(const MemRef&) and keeping its own
// writes in an overlay instead of performing them, so later reads of the walk see them as the
// real walk would (nested entries shared by several nested walks get A once).
template <class Read>
const WalkResult& run_unperformed(Walk& w, Read&& read) {
  std::array<std::pair<uint64_t, uint64_t>, kMaxRefs> written;
  size_t n = 0;
  while (w.needs_mem()) {
    const MemRef& r = w.next_ref();
    if (r.write) {
      written[n++] = {r.addr, r.data};
      w.feed(0);
      continue;
    }
    uint64_t v = read(r);
    for (size_t i = n; i-- > 0;)
      if (written[i].first == r.addr) {
        v = written[i].second;
        break;
      }
    w.feed(v);
  }
  return w.result();
}

}  // namespace agilemmu::pt
