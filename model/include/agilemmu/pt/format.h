// Page-table entry encodings and table geometry: x86-64 long mode and RISC-V (Sv39/Sv48/Sv57,
// G-stage Sv39x4/Sv48x4/Sv57x4 of the hypervisor extension).
// Levels are numbered from the root: 1 = root (PML4, or PML5 with LA57) ... L = leaf (PT); in
// RISC-V terms level l is the spec's i = L - l.
#pragma once
#include <cstdint>
#include <string>

namespace agilemmu::pt {

namespace pte {
constexpr uint64_t P = 1ull << 0;
constexpr uint64_t RW = 1ull << 1;
constexpr uint64_t US = 1ull << 2;
constexpr uint64_t PWT = 1ull << 3;
constexpr uint64_t PCD = 1ull << 4;
constexpr uint64_t A = 1ull << 5;
constexpr uint64_t D = 1ull << 6;
constexpr uint64_t PS = 1ull << 7;
constexpr uint64_t G = 1ull << 8;
constexpr uint64_t NX = 1ull << 63;
}  // namespace pte

// RISC-V PTE bits (privileged spec, "Sv39" section; Sv48/Sv57 use the same layout).
namespace rv {
constexpr uint64_t V = 1ull << 0;
constexpr uint64_t R = 1ull << 1;
constexpr uint64_t W = 1ull << 2;
constexpr uint64_t X = 1ull << 3;
constexpr uint64_t U = 1ull << 4;
constexpr uint64_t G = 1ull << 5;
constexpr uint64_t A = 1ull << 6;
constexpr uint64_t D = 1ull << 7;
constexpr uint64_t RSW = 3ull << 8;  // reserved for supervisor software: the walk ignores it
constexpr unsigned kPpnShift = 10;   // PPN in bits 53:10
constexpr uint64_t kPpnMask = ((1ull << 44) - 1) << kPpnShift;
constexpr uint64_t kReserved = 0x7full << 54;  // bits 60:54, reserved for future standard use
constexpr uint64_t PBMT = 3ull << 61;          // Svpbmt (not implemented here: reserved, must be 0)
constexpr uint64_t N = 1ull << 63;             // Svnapot (not implemented here: reserved, must be 0)
// scause values of the faults a walk raises (privileged spec, "scause" / "mcause" tables).
constexpr uint64_t kInstPageFault = 12, kLoadPageFault = 13, kStorePageFault = 15;
constexpr uint64_t kInstGuestPageFault = 20, kLoadGuestPageFault = 21, kStoreGuestPageFault = 23;
const char* cause_name(uint64_t scause);  // "load page fault", "store/AMO guest-page fault", ...
// A PTE pointing at / mapping physical address `pa` with `flags`.
constexpr uint64_t make_pte(uint64_t pa, uint64_t flags) { return ((pa >> 12) << kPpnShift) | flags; }
}  // namespace rv

enum class Isa : uint8_t { X86_64, RiscV };
const char* to_string(Isa);
bool parse_isa(const std::string&, Isa&);  // "x86-64" (also "x86_64", "x86"), "riscv"

// RISC-V superpages reach 512 GiB (Sv48 root) and 256 TiB (Sv57 root); x86 stops at 1 GiB.
enum class PageSize : uint8_t { k4K = 0, k2M = 1, k1G = 2, k512G = 3, k256T = 4 };

constexpr unsigned kPageShift = 12;  // a 4 KiB page; each level above covers 9 more bits
constexpr uint64_t page_bytes(PageSize s) { return 1ull << (kPageShift + 9 * static_cast<unsigned>(s)); }
// The 4 KiB page number of an address (what walks in flight are merged on).
constexpr uint64_t page_number(uint64_t addr) { return addr >> kPageShift; }
const char* to_string(PageSize s);
// Parses "4K", "2M", "1G" (also 4096, 2097152, 1073741824). Returns false on anything else.
bool parse_page_size(const std::string& text, PageSize& out);

// Effective permissions of a translation (combined over all levels that produced it).
// x86 entries are always readable; a RISC-V leaf may be execute-only (read is false then).
struct Perms {
  bool write = true;
  bool user = true;
  bool exec = true;
  bool read = true;
  bool operator==(const Perms& o) const {
    return write == o.write && user == o.user && exec == o.exec && read == o.read;
  }
  // (Bitwise & on the bools: the same values without a branch per field.)
  Perms operator&(const Perms& o) const {
    return {(write & o.write) != 0, (user & o.user) != 0, (exec & o.exec) != 0, (read & o.read) != 0};
  }
  // Folds one PTE's permission bits in: RW and US are ANDed, NX is ORed (as x86 does).
  static Perms of_pte(uint64_t v) { return {(v & pte::RW) != 0, (v & pte::US) != 0, (v & pte::NX) == 0}; }
  // A RISC-V leaf's R/W/X/U (non-leaf entries carry no permissions).
  static Perms of_rv_leaf(uint64_t v) {
    return {(v & rv::W) != 0, (v & rv::U) != 0, (v & rv::X) != 0, (v & rv::R) != 0};
  }
};
std::string to_string(const Perms& p);  // e.g. "rwxu", "r-x-", "--xs"

// Bits that are available to software in every x86-64 paging-structure entry; the compound-table
// selector must be one of them so it never changes the meaning of an ordinary entry.
constexpr bool selector_bit_allowed(unsigned bit) { return (bit >= 9 && bit <= 11) || (bit >= 52 && bit <= 58); }
// RISC-V: the two RSW bits (8, 9), which the spec leaves to supervisor software -- the hypervisor
// builds the compound table, so it is that software. (A reserved bit 54-60 would be taken by a
// future standard extension, as bits 61-63 were by Svpbmt and Svnapot.) Docs: docs/riscv.md.
constexpr bool rv_selector_bit_allowed(unsigned bit) { return bit == 8 || bit == 9; }
constexpr unsigned kRvSelectorBit = 8;

// The deepest table any Format has (LA57); statistics indexed by level are sized by it.
constexpr unsigned kMaxLevels = 5;

// How a walk's leaf entry decodes (see Format::decode).
enum class EntryKind : uint8_t { Invalid, Reserved, Pointer, Leaf, Misaligned };
struct Entry {
  EntryKind kind = EntryKind::Invalid;
  uint64_t addr = 0;  // Pointer: the next node; Leaf: the page base (aligned to the page size)
  Perms perms;        // permissions this entry contributes (all true where it contributes none)
};

struct Format {
  unsigned levels = 4;         // guest / compound / shadow / native table depth: 4 or 5 (LA57); RISC-V 3-5
  unsigned nested_levels = 4;  // nested (gPA->hPA) table depth: 4 or 5; RISC-V G-stage 3-5 (SvNNx4)
  unsigned maxphyaddr = 52;    // physical address width; address bits above it are reserved
  unsigned selector_bit = 52;  // compound-table bit that marks a nested-style entry
  bool nx_enabled = true;      // EFER.NXE: when false, bit 63 is reserved
  bool nested_ad = true;       // EPT-style accessed/dirty flags in the nested table (walks set them)
  // RISC-V: A/D updated by the walk (Svadu) or a page fault when a leaf lacks them (Svade).
  bool ad_hw = true;
  Isa isa = Isa::X86_64;  // (last: platforms initialise the members above by position)

  bool riscv() const { return isa == Isa::RiscV; }
  // The accessed / dirty bits of this ISA's entries.
  uint64_t a_bit() const { return riscv() ? rv::A : pte::A; }
  uint64_t d_bit() const { return riscv() ? rv::D : pte::D; }
  // x86 sets A in every entry a walk uses; RISC-V only in leaves (A/D of a non-leaf are reserved).
  bool ad_in_pointers() const { return !riscv(); }
  // Index of `gpa` in the nested table at `level`: a RISC-V G-stage root (SvNNx4) has 2048
  // entries (16 KiB), two more gPA bits than the VS-stage/native format of the same depth.
  unsigned nested_index(uint64_t gpa, unsigned level) const {
    const unsigned mask = riscv() && level == 1 ? 0x7ff : 0x1ff;
    return static_cast<unsigned>((gpa >> shift(nested_levels, level)) & mask);
  }

  static unsigned shift(unsigned lvls, unsigned level) { return 12 + 9 * (lvls - level); }
  static unsigned index(unsigned lvls, uint64_t addr, unsigned level) {
    return static_cast<unsigned>((addr >> shift(lvls, level)) & 0x1ff);
  }
  // Leaf at `level` maps this page size (only meaningful for levels that may be leaves).
  static PageSize size_at(unsigned lvls, unsigned level) { return static_cast<PageSize>(lvls - level); }
  // PS=1 makes a large-page leaf only at the 1 GiB and 2 MiB levels; at levels above it is reserved.
  static bool large_allowed(unsigned lvls, unsigned level) { return level + 2 >= lvls && level < lvls; }
  // Lowest level (closest to the root = smallest number) at which a page of size `s` is a leaf.
  static unsigned level_of(unsigned lvls, PageSize s) { return lvls - static_cast<unsigned>(s); }

  uint64_t addr_mask() const { return ((maxphyaddr >= 64 ? ~0ull : (1ull << maxphyaddr)) - 1) & ~0xfffull; }
  // Bits 51:12 of an entry: the address field as the hardware reads it (before reserved checks).
  static constexpr uint64_t kAddrField = 0x000ffffffffff000ull;
  unsigned va_bits() const { return 12 + 9 * levels; }
  unsigned gpa_bits() const { return 12 + 9 * nested_levels + (riscv() ? 2 : 0); }
  bool canonical(uint64_t va) const {
    const unsigned b = va_bits();
    const int64_t s = static_cast<int64_t>(va << (64 - b)) >> (64 - b);
    return static_cast<uint64_t>(s) == va;
  }
  // Reserved bits of an entry at `level` of a table with `lvls` levels; `ps` = the entry's PS bit.
  uint64_t reserved_mask(unsigned lvls, unsigned level, bool ps) const {
    return reserved_always() | reserved_by_ps(lvls, level, ps);
  }
  // The part reserved in every entry: address bits at and above MAXPHYADDR, and NX unless enabled.
  // (The walk computes it once per walk and adds reserved_by_ps for each entry it reads.)
  // RISC-V: bits 63:54 (reserved, PBMT, N; Svpbmt and Svnapot are not modelled).
  uint64_t reserved_always() const {
    if (riscv()) return rv::kReserved | rv::PBMT | rv::N;
    return (kAddrField & ~addr_mask()) | (nx_enabled ? 0 : pte::NX);
  }
  // The part that depends on PS: reserved at levels where PS may not make a leaf; for a large
  // leaf, bit 12 is PAT and the bits between 13 and the page boundary must be zero.
  static uint64_t reserved_by_ps(unsigned lvls, unsigned level, bool ps) {
    if (!ps || level >= lvls) return 0;
    if (!large_allowed(lvls, level)) return pte::PS;  // PS in PML5E/PML4E is reserved
    return (page_bytes(size_at(lvls, level)) - 1) & ~0x1fffull;
  }
  // Decodes the entry `v` read at `level` of a table with `lvls` levels; `reserved` is
  // reserved_always(). x86: not present, reserved bits, pointer, leaf (PS or last level).
  // RISC-V (privileged spec, "Virtual Address Translation Process" steps 3-6, 8): V=0 is
  // Invalid; W without R, reserved bits, or A/D/U in a non-leaf are Reserved; R or X makes a
  // leaf at any level; a non-leaf at the last level is Reserved; a superpage whose PPN is not
  // aligned to its size is Misaligned.
  Entry decode(unsigned lvls, unsigned level, uint64_t v, uint64_t reserved) const {
    Entry e;
    if (riscv()) {
      if (!(v & rv::V)) return e;
      e.kind = EntryKind::Reserved;
      if ((v & reserved) || ((v & rv::W) && !(v & rv::R))) return e;
      const uint64_t pa = ((v & rv::kPpnMask) >> rv::kPpnShift) << 12;
      if (!(v & (rv::R | rv::X))) {
        if (level >= lvls || (v & (rv::A | rv::D | rv::U))) return e;
        e.kind = EntryKind::Pointer;
        e.addr = pa;
        return e;
      }
      e.perms = Perms::of_rv_leaf(v);
      const uint64_t mask = page_bytes(size_at(lvls, level)) - 1;
      e.kind = pa & mask ? EntryKind::Misaligned : EntryKind::Leaf;
      e.addr = pa & ~mask;
      return e;
    }
    if (!(v & pte::P)) return e;
    const bool ps = v & pte::PS;
    e.kind = EntryKind::Reserved;
    if (v & (reserved | reserved_by_ps(lvls, level, ps))) return e;
    e.perms = Perms::of_pte(v);
    const bool leaf = level == lvls || (ps && large_allowed(lvls, level));
    e.kind = leaf ? EntryKind::Leaf : EntryKind::Pointer;
    e.addr = v & kAddrField & (leaf ? ~(page_bytes(size_at(lvls, level)) - 1) : ~0ull);
    return e;
  }
  // The entry encoder: the one place page-table entries are composed for this ISA (guest OS,
  // VMM tables, shadow and compound copies). decode() above is its inverse.
  // Present (x86 P) / valid (RISC-V V).
  bool present(uint64_t v) const { return (v & (riscv() ? rv::V : pte::P)) != 0; }
  // A present entry at `level` of a `lvls`-level table that points at a node (not a leaf).
  bool is_pointer(unsigned lvls, unsigned level, uint64_t v) const {
    if (!present(v) || level >= lvls) return false;
    return riscv() ? !(v & (rv::R | rv::X)) : !(v & pte::PS);
  }
  // The address an entry holds: a node, or a page base (low bits of a misaligned one kept).
  uint64_t target(uint64_t v) const {
    return riscv() ? ((v & rv::kPpnMask) >> rv::kPpnShift) << kPageShift : v & kAddrField;
  }
  // A non-leaf entry for the node at `addr`. x86 directory entries are permissive (RW, US; the
  // leaves carry the permissions); a RISC-V non-leaf has no permission, A, D or U bits.
  uint64_t pointer(uint64_t addr) const {
    return riscv() ? rv::make_pte(addr, rv::V) : (addr & kAddrField) | pte::P | pte::RW | pte::US;
  }
  // A leaf mapping the page of `size` at `pa` with `p` (x86: PS above 4 KiB, NX only with NXE;
  // RISC-V: a leaf is readable unless it is execute-only, so R or X is always set).
  uint64_t leaf(uint64_t pa, PageSize size, const Perms& p, bool accessed = false, bool dirty = false) const {
    if (riscv()) {
      uint64_t f =
          rv::V | (p.read || !p.exec ? rv::R : 0) | (p.write ? rv::W : 0) | (p.exec ? rv::X : 0) | (p.user ? rv::U : 0);
      return rv::make_pte(pa, f | (accessed || dirty ? rv::A : 0) | (dirty ? rv::D : 0));
    }
    uint64_t f = pte::P | (p.write ? pte::RW : 0) | (p.user ? pte::US : 0) | (!p.exec && nx_enabled ? pte::NX : 0);
    if (size != PageSize::k4K) f |= pte::PS;
    return (pa & kAddrField) | f | (accessed || dirty ? pte::A : 0) | (dirty ? pte::D : 0);
  }
  // The bit that grants writes (cleared to write-protect a leaf until it is dirty).
  uint64_t write_bit() const { return riscv() ? rv::W : pte::RW; }
  // The compound-table bit that marks a nested-style entry.
  uint64_t selector() const { return 1ull << selector_bit; }
  // An entry is a leaf where the walk stops: x86 last level or PS, RISC-V R or X.
  bool is_leaf(unsigned lvls, unsigned level, uint64_t v) const { return present(v) && !is_pointer(lvls, level, v); }

  // Returns an empty string when the format is usable, otherwise what is wrong with it.
  std::string validate() const;
};

inline uint64_t make_pte(uint64_t addr, uint64_t flags) { return (addr & Format::kAddrField) | flags; }

}  // namespace agilemmu::pt
