// rtl_pkg_check PACKAGE.sv: the build runs this before Verilating the walker, and fails when
// rtl/agilemmu_pkg.sv and the C++ encodings differ (the co-simulation compares raw port values).
// Every enum value, error-code bit, PTE bit and mask in the package is read from its text and
// checked against <agilemmu/pt/...>, and every one the C++ side expects must be there.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include <agilemmu/pt/format.h>
#include <agilemmu/pt/walk.h>

using namespace agilemmu;

namespace {

template <class E>
uint64_t v(E e) {
  return static_cast<uint64_t>(e);
}
uint64_t bit(uint64_t mask) {  // position of the single bit in mask
  uint64_t b = 0;
  for (; !(mask & 1); mask >>= 1) ++b;
  return b;
}

std::map<std::string, uint64_t> expected() {
  return {
      {"MODE_NATIVE", v(pt::Mode::Native)},
      {"MODE_NESTED", v(pt::Mode::Nested)},
      {"MODE_SHADOW", v(pt::Mode::Shadow)},
      {"MODE_AGILE", v(pt::Mode::Agile)},
      {"ACC_READ", v(pt::Access::Read)},
      {"ACC_WRITE", v(pt::Access::Write)},
      {"ACC_FETCH", v(pt::Access::Fetch)},
      {"PORT_COMPOUND", v(pt::Port::Compound)},
      {"PORT_NESTED", v(pt::Port::Nested)},
      {"TBL_NATIVE", v(pt::Table::Native)},
      {"TBL_SHADOW", v(pt::Table::Shadow)},
      {"TBL_COMPOUND", v(pt::Table::Compound)},
      {"TBL_GUEST", v(pt::Table::Guest)},
      {"TBL_NESTED", v(pt::Table::Nested)},
      {"STAGE_NONE", v(pt::Stage::None)},
      {"STAGE_NATIVE", v(pt::Stage::Native)},
      {"STAGE_SHADOW", v(pt::Stage::Shadow)},
      {"STAGE_COMPOUND", v(pt::Stage::Compound)},
      {"STAGE_GUEST", v(pt::Stage::Guest)},
      {"STAGE_NESTED", v(pt::Stage::Nested)},
      {"FK_NONE", v(pt::FaultKind::None)},
      {"FK_NOT_PRESENT", v(pt::FaultKind::NotPresent)},
      {"FK_RESERVED", v(pt::FaultKind::Reserved)},
      {"FK_PERMISSION", v(pt::FaultKind::Permission)},
      {"FK_NON_CANONICAL", v(pt::FaultKind::NonCanonical)},
      {"FK_ADDRESS_SIZE", v(pt::FaultKind::AddressSize)},
      {"PS_4K", v(pt::PageSize::k4K)},
      {"PS_2M", v(pt::PageSize::k2M)},
      {"PS_1G", v(pt::PageSize::k1G)},
      {"EC_P", pt::ec::P},
      {"EC_W", pt::ec::W},
      {"EC_U", pt::ec::U},
      {"EC_RSVD", pt::ec::RSVD},
      {"EC_I", pt::ec::I},
      {"EC_FINAL", pt::ec::FINAL},
      {"EC_GUEST_TABLE", pt::ec::GUEST_TABLE},
      {"PTE_P", bit(pt::pte::P)},
      {"PTE_RW", bit(pt::pte::RW)},
      {"PTE_US", bit(pt::pte::US)},
      {"PTE_A", bit(pt::pte::A)},
      {"PTE_D", bit(pt::pte::D)},
      {"PTE_PS", bit(pt::pte::PS)},
      {"PTE_NX", bit(pt::pte::NX)},
      {"PTE_A_MASK", pt::pte::A},
      {"PTE_D_MASK", pt::pte::D},
      {"ADDR_FIELD", pt::Format::kAddrField},
  };
}

// Enum items (NAME = 3'd4), int parameters (localparam int NAME = 5;) and 64-bit constants
// (localparam logic [63:0] NAME = 64'h0000_0020;) of the package text.
std::map<std::string, uint64_t> declared(const std::string& text) {
  std::map<std::string, uint64_t> found;
  const std::regex item(R"(\b([A-Z][A-Z0-9_]*)\s*=\s*(?:\d+'d(\d+)|(\d+)\s*;|64'h([0-9a-fA-F_]+)))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), item); it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    uint64_t value = 0;
    if (m[2].matched) {
      value = std::stoull(m[2]);
    } else if (m[3].matched) {
      value = std::stoull(m[3]);
    } else {
      std::string hex = m[4];
      hex.erase(std::remove(hex.begin(), hex.end(), '_'), hex.end());
      value = std::stoull(hex, nullptr, 16);
    }
    found[m[1]] = value;
  }
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: rtl_pkg_check PACKAGE.sv\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "rtl_pkg_check: cannot read %s\n", argv[1]);
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const auto found = declared(ss.str());
  const auto want = expected();
  unsigned differences = 0;
  for (const auto& [name, value] : found) {
    if (!want.count(name)) {
      std::fprintf(stderr, "%s: %s has no C++ counterpart to check it against\n", argv[1], name.c_str());
      ++differences;
    } else if (value != want.at(name)) {
      std::fprintf(stderr, "%s: %s = %llu, but the C++ encoding is %llu\n", argv[1], name.c_str(),
                   static_cast<unsigned long long>(value), static_cast<unsigned long long>(want.at(name)));
      ++differences;
    }
  }
  for (const auto& [name, value] : want)
    if (!found.count(name)) {
      std::fprintf(stderr, "%s: %s (C++ value %llu) is missing\n", argv[1], name.c_str(),
                   static_cast<unsigned long long>(value));
      ++differences;
    }
  if (differences) return 1;
  std::printf("rtl_pkg_check: %s equals the C++ encodings (%zu names)\n", argv[1], found.size());
  return 0;
}
