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
  return false;
}

std::string to_string(const Perms& p) {
  std::string s = "r";
  s += p.write ? 'w' : '-';
  s += p.exec ? 'x' : '-';
  s += p.user ? 'u' : 's';
  return s;
}

std::string Format::validate() const {
  if (levels != 4 && levels != 5) return "levels must be 4 or 5";
  if (nested_levels != 4 && nested_levels != 5) return "nested_levels must be 4 or 5";
  if (maxphyaddr < 32 || maxphyaddr > 52) return "maxphyaddr must be between 32 and 52";
  if (!selector_bit_allowed(selector_bit)) return "selector_bit must be a software-available PTE bit (9-11 or 52-58)";
  return {};
}

}  // namespace agilemmu::pt
