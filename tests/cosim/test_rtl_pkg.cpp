// rtl/agilemmu_pkg.sv must equal the C++ encodings (the co-simulation compares raw port values):
// every enum value, error-code bit, PTE bit and mask in the package is read from the source and
// checked against <agilemmu/pt/...>, and every one the C++ side expects must be there.
#define BOOST_TEST_MODULE rtl_pkg
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "agilemmu/pt/format.h"
#include "agilemmu/pt/walk.h"

using namespace agilemmu;

namespace {

template <class E>
uint64_t v(E e) {
  return static_cast<uint64_t>(e);
}
uint64_t bit(uint64_t mask) {  // position of the single bit in mask
  uint64_t b = 0;
  while (!(mask & 1)) mask >>= 1, ++b;
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

}  // namespace

BOOST_AUTO_TEST_CASE(package_equals_the_cpp_encodings) {
  std::ifstream in(AGILEMMU_RTL_PKG);
  BOOST_REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::map<std::string, uint64_t> found;
  // Enum items (NAME = 3'd4), int parameters (localparam int NAME = 5;), 64-bit constants
  // (localparam logic [63:0] NAME = 64'h0000_0020;).
  const std::regex item(R"(\b([A-Z][A-Z0-9_]*)\s*=\s*(?:\d+'d(\d+)|(\d+)\s*;|64'h([0-9a-fA-F_]+)))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), item); it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    uint64_t value = 0;
    if (m[2].matched)
      value = std::stoull(m[2]);
    else if (m[3].matched)
      value = std::stoull(m[3]);
    else {
      std::string hex = m[4];
      hex.erase(std::remove(hex.begin(), hex.end(), '_'), hex.end());
      value = std::stoull(hex, nullptr, 16);
    }
    found[m[1]] = value;
  }
  const auto want = expected();
  for (const auto& [name, value] : found) {
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(want.count(name) == 1u, "no C++ counterpart checked for " << name);
      if (want.count(name)) BOOST_TEST(value == want.at(name));
    }
  }
  for (const auto& [name, value] : want) BOOST_TEST(found.count(name) == 1u, name << " missing from agilemmu_pkg.sv");
}
