// The reference page walk: native, nested (2-D), shadow and agile (compound) translation.
//
// This is the only implementation of the walk semantics in the project. It is a step machine:
// the caller asks for the next memory reference, reads the 64-bit PTE from wherever it models
// memory (PhysMem directly, a TLM socket, the RTL's memory port) and feeds the value back.
// Optional walk caches (page-walk caches, nested TLB) are consulted through WalkCaches at the
// points where hardware would consult them; with no caches the walk makes every reference.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "pt/format.h"
#include "pt/phys_mem.h"

namespace agilemmu::pt {

enum class Mode : uint8_t { Native, Nested, Shadow, Agile };
enum class Access : uint8_t { Read, Write, Fetch };
// Which walker port a reference goes out on: compound-side tables (compound, shadow, guest,
// native) or the nested table.
enum class Port : uint8_t { Compound, Nested };
// Which table a reference reads (the "dimension" of a 2-D walk is Nested vs everything else).
enum class Table : uint8_t { Native, Shadow, Compound, Guest, Nested };
enum class Stage : uint8_t { None, Native, Shadow, Compound, Guest, Nested };
enum class FaultKind : uint8_t { None, NotPresent, Reserved, Permission, NonCanonical, AddressSize };

const char* to_string(Mode);
const char* to_string(Access);
const char* to_string(Port);
const char* to_string(Table);
const char* to_string(Stage);
const char* to_string(FaultKind);
bool parse_mode(const std::string&, Mode&);
bool parse_access(const std::string&, Access&);

// x86 #PF error-code bits; nested faults add AMD #NPF's "final gPA" / "guest table" bits.
namespace ec {
constexpr uint64_t P = 1ull << 0;      // 1: protection/reserved violation, 0: not present
constexpr uint64_t W = 1ull << 1;      // access was a write
constexpr uint64_t U = 1ull << 2;      // access was a user-mode access
constexpr uint64_t RSVD = 1ull << 3;   // reserved bit set in a paging-structure entry
constexpr uint64_t I = 1ull << 4;      // access was an instruction fetch
constexpr uint64_t FINAL = 1ull << 32;       // nested fault translating the final gPA
constexpr uint64_t GUEST_TABLE = 1ull << 33; // nested fault translating a guest table pointer
}  // namespace ec

// Root registers of one address space (per VMID/ASID in the MMU).
struct Roots {
  uint64_t hroot = 0;        // hPA of the host's native table
  uint64_t groot = 0;        // gPA of the guest table root
  uint64_t nroot = 0;        // hPA of the nested table root
  uint64_t sroot = 0;        // hPA of the shadow table root
  uint64_t croot = 0;        // compound root: an hPA, or a gPA when croot_is_gpa (fully nested)
  bool croot_is_gpa = false;
};

struct WalkRequest {
  uint64_t va = 0;
  Access access = Access::Read;
  bool user = false;
  Mode mode = Mode::Native;
};

struct MemRef {
  uint64_t addr = 0;  // hPA of the 8-byte entry read
  Port port = Port::Compound;
  Table table = Table::Native;
  uint8_t level = 0;  // level within `table`, 1 = root
  bool operator==(const MemRef& o) const {
    return addr == o.addr && port == o.port && table == o.table && level == o.level;
  }
  bool operator!=(const MemRef& o) const { return !(*this == o); }
};

struct Fault {
  Stage stage = Stage::None;
  FaultKind kind = FaultKind::None;
  uint8_t level = 0;        // level of the faulting entry in its table (0: before any read)
  uint64_t addr = 0;        // faulting address: the VA for first-dimension faults, the gPA for nested
  uint64_t error_code = 0;  // see namespace ec
  bool operator==(const Fault& o) const {
    return stage == o.stage && kind == o.kind && level == o.level && addr == o.addr && error_code == o.error_code;
  }
};

struct Translation {
  uint64_t hpa = 0;
  uint64_t gpa = 0;  // final gPA when the walk went through the nested dimension, else 0
  PageSize size = PageSize::k4K;  // effective size: min of guest and nested page sizes
  Perms perms;
};

constexpr int kMaxRefs = 5 * (5 + 1) + 5;  // 5-level guest over 5-level nested, no caches
constexpr int8_t kNeverNested = -1;

struct WalkResult {
  bool ok = false;
  Translation tr;
  Fault fault;
  // Agile: level of the first nested-style compound entry (1..L), 0 if croot itself was a gPA,
  // kNeverNested if the walk stayed shadow-style. Nested mode reports 0, others kNeverNested.
  int8_t switch_level = kNeverNested;
  uint8_t nrefs = 0;
  std::array<MemRef, kMaxRefs> refs{};
};

// Walk-cache hooks. Implementations tag entries with whatever context they need (ASID, VMID);
// the walk only supplies addresses. A hit may only return what an earlier fill stored.
struct PwcEntry {
  uint64_t next = 0;      // address of the next-level node (hPA, or gPA when next_is_gpa)
  bool next_is_gpa = false;
  Table table = Table::Native;  // table the cached entry belongs to (tags shadow vs nested style)
  Perms perms;            // permissions accumulated down to and including the cached entry
  uint8_t level = 0;      // level of the cached (non-leaf) entry
  int8_t switch_level = kNeverNested;  // the filling walk's switch level so far
};
struct NestedEntry {  // nested TLB: gPA page -> hPA page
  uint64_t hpa_base = 0;
  PageSize size = PageSize::k4K;
  Perms perms;
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

  bool needs_read() const { return phase_ == Phase::GuestRead || phase_ == Phase::NestedRead; }
  bool done() const { return phase_ == Phase::Done; }
  const MemRef& next_ref() const { return pending_; }
  // Supplies the value of the entry at next_ref() and advances to the next read or the end.
  void feed(uint64_t value);

  const WalkResult& result() const { return res_; }
  const WalkRequest& request() const { return req_; }
  // Cache consultations so far (each costs the lookup latency of its structure in timed models).
  unsigned pwc_lookups() const { return pwc_lookups_; }
  unsigned ntlb_lookups() const { return ntlb_lookups_; }
  unsigned npwc_lookups() const { return npwc_lookups_; }

 private:
  enum class Phase : uint8_t { Idle, GuestRead, NestedRead, Done };
  static constexpr uint8_t kFinal = 0;  // nested translation of the final gPA (data page)

  void prepare_first_dim();
  void begin_nested(uint64_t gpa, uint8_t purpose);
  void nested_done(uint64_t hpa, PageSize size, const Perms& perms);
  void step_first_dim(uint64_t v);
  void step_nested(uint64_t v);
  void finish(uint64_t hpa, PageSize size, const Perms& perms);
  void fail(Stage st, FaultKind k, uint8_t level, uint64_t addr, uint64_t code);
  uint64_t access_code() const;
  uint64_t nested_code() const;
  bool allowed(const Perms& p, bool check_user) const;
  Stage stage_of(Table t) const;

  Format fmt_;
  uint64_t reserved_ = 0;  // fmt_.reserved_always()
  Roots roots_;
  WalkRequest req_;
  WalkCaches* caches_ = nullptr;
  Phase phase_ = Phase::Idle;
  MemRef pending_;
  WalkResult res_;

  // First dimension (native / shadow / compound / guest table).
  Table gtable_ = Table::Native;
  uint8_t glevel_ = 1;
  uint64_t gnode_ = 0;
  bool gnode_is_gpa_ = false;
  Perms gperms_;
  PageSize gsize_ = PageSize::k4K;
  uint64_t final_gpa_ = 0;
  // Nested dimension.
  uint64_t ngpa_ = 0;
  uint8_t nlevel_ = 1;
  uint8_t npurpose_ = kFinal;  // guest level whose node pointer is being translated, or kFinal
  uint64_t nnode_ = 0;
  Perms nperms_;

  unsigned pwc_lookups_ = 0, ntlb_lookups_ = 0, npwc_lookups_ = 0;
};

// Runs a walk to completion against `mem`. The convenience form for tests and tools.
WalkResult walk(const PhysMem& mem, const Format& fmt, const Roots& roots, const WalkRequest& req,
                WalkCaches* caches = nullptr);

}  // namespace agilemmu::pt
