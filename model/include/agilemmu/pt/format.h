// x86-64 long-mode page-table entry encoding and table geometry.
// Levels are numbered from the root: 1 = root (PML4, or PML5 with LA57) ... L = leaf (PT).
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

enum class PageSize : uint8_t { k4K = 0, k2M = 1, k1G = 2 };

constexpr unsigned kPageShift = 12;  // a 4 KiB page; each level above covers 9 more bits
constexpr uint64_t page_bytes(PageSize s) { return 1ull << (kPageShift + 9 * static_cast<unsigned>(s)); }
// The 4 KiB page number of an address (what walks in flight are merged on).
constexpr uint64_t page_number(uint64_t addr) { return addr >> kPageShift; }
const char* to_string(PageSize s);
// Parses "4K", "2M", "1G" (also 4096, 2097152, 1073741824). Returns false on anything else.
bool parse_page_size(const std::string& text, PageSize& out);

// Effective permissions of a translation (combined over all levels that produced it).
struct Perms {
  bool write = true;
  bool user = true;
  bool exec = true;
  bool operator==(const Perms& o) const { return write == o.write && user == o.user && exec == o.exec; }
  // (Bitwise & on the bools: the same values without a branch per field.)
  Perms operator&(const Perms& o) const { return {(write & o.write) != 0, (user & o.user) != 0, (exec & o.exec) != 0}; }
  // Folds one PTE's permission bits in: RW and US are ANDed, NX is ORed (as x86 does).
  static Perms of_pte(uint64_t v) { return {(v & pte::RW) != 0, (v & pte::US) != 0, (v & pte::NX) == 0}; }
};
std::string to_string(const Perms& p);  // e.g. "rwxu", "r-x-"

// Bits that are available to software in every x86-64 paging-structure entry; the compound-table
// selector must be one of them so it never changes the meaning of an ordinary entry.
constexpr bool selector_bit_allowed(unsigned bit) { return (bit >= 9 && bit <= 11) || (bit >= 52 && bit <= 58); }

// The deepest table any Format has (LA57); statistics indexed by level are sized by it.
constexpr unsigned kMaxLevels = 5;

struct Format {
  unsigned levels = 4;         // guest / compound / shadow / native table depth: 4 or 5 (LA57)
  unsigned nested_levels = 4;  // nested (gPA->hPA) table depth: 4 or 5
  unsigned maxphyaddr = 52;    // physical address width; address bits above it are reserved
  unsigned selector_bit = 52;  // compound-table bit that marks a nested-style entry
  bool nx_enabled = true;      // EFER.NXE: when false, bit 63 is reserved
  bool nested_ad = true;       // EPT-style accessed/dirty flags in the nested table (walks set them)

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
  unsigned gpa_bits() const { return 12 + 9 * nested_levels; }
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
  uint64_t reserved_always() const { return (kAddrField & ~addr_mask()) | (nx_enabled ? 0 : pte::NX); }
  // The part that depends on PS: reserved at levels where PS may not make a leaf; for a large
  // leaf, bit 12 is PAT and the bits between 13 and the page boundary must be zero.
  static uint64_t reserved_by_ps(unsigned lvls, unsigned level, bool ps) {
    if (!ps || level >= lvls) return 0;
    if (!large_allowed(lvls, level)) return pte::PS;  // PS in PML5E/PML4E is reserved
    return (page_bytes(size_at(lvls, level)) - 1) & ~0x1fffull;
  }
  // Returns an empty string when the format is usable, otherwise what is wrong with it.
  std::string validate() const;
};

inline uint64_t make_pte(uint64_t addr, uint64_t flags) { return (addr & Format::kAddrField) | flags; }

}  // namespace agilemmu::pt
