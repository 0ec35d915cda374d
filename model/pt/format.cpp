#include <agilemmu/pt/format.h>

namespace agilemmu::pt {

const char* to_string(PageSize s) {
  switch (s) {
    case PageSize::k4K:
      return "4K";
    case PageSize::k2M:
      return "2M";
    case PageSize::k1G:
      return "1G";
    case PageSize::k512G:
      return "512G";
    case PageSize::k256T:
      return "256T";
  }
  return "?";
}

bool parse_page_size(const std::string& t, PageSize& out) {
  if (t == "4K" || t == "4k" || t == "4KiB" || t == "4096") {
    out = PageSize::k4K;
    return true;
  }
  if (t == "2M" || t == "2m" || t == "2MiB" || t == "2097152") {
    out = PageSize::k2M;
    return true;
  }
  if (t == "1G" || t == "1g" || t == "1GiB" || t == "1073741824") {
    out = PageSize::k1G;
    return true;
  }
  if (t == "512G" || t == "512g" || t == "512GiB") {
    out = PageSize::k512G;
    return true;
  }
  if (t == "256T" || t == "256t" || t == "256TiB") {
    out = PageSize::k256T;
    return true;
  }
  return false;
}

const char* to_string(Isa i) { return i == Isa::RiscV ? "riscv" : "x86-64"; }

bool parse_isa(const std::string& t, Isa& out) {
  if (t == "x86-64" || t == "x86_64" || t == "x86") {
    out = Isa::X86_64;
    return true;
  }
  if (t == "riscv" || t == "riscv64" || t == "rv64") {
    out = Isa::RiscV;
    return true;
  }
  return false;
}

const char* rv::cause_name(uint64_t scause) {
  switch (scause) {
    case kInstPageFault:
      return "instruction page fault";
    case kLoadPageFault:
      return "load page fault";
    case kStorePageFault:
      return "store/AMO page fault";
    case kInstGuestPageFault:
      return "instruction guest-page fault";
    case kLoadGuestPageFault:
      return "load guest-page fault";
    case kStoreGuestPageFault:
      return "store/AMO guest-page fault";
  }
  return "?";
}

std::string to_string(const Perms& p) {
  std::string s(1, p.read ? 'r' : '-');
  s += p.write ? 'w' : '-';
  s += p.exec ? 'x' : '-';
  s += p.user ? 'u' : 's';
  return s;
}

std::string Format::validate() const {
  if (riscv()) {
    if (levels < 3 || levels > 5) return "levels must be 3, 4 or 5 (Sv39, Sv48, Sv57)";
    if (nested_levels < 3 || nested_levels > 5) return "nested_levels must be 3, 4 or 5 (Sv39x4, Sv48x4, Sv57x4)";
    if (!rv_selector_bit_allowed(selector_bit)) return "selector_bit must be an RSW bit of a RISC-V PTE (8 or 9)";
    return {};
  }
  if (levels != 4 && levels != 5) return "levels must be 4 or 5";
  if (nested_levels != 4 && nested_levels != 5) return "nested_levels must be 4 or 5";
  if (maxphyaddr < 32 || maxphyaddr > 52) return "maxphyaddr must be between 32 and 52";
  if (!selector_bit_allowed(selector_bit)) return "selector_bit must be a software-available PTE bit (9-11 or 52-58)";
  return {};
}

}  // namespace agilemmu::pt
