#include "config/workload_config.h"

#include <utility>

namespace agilemmu::sys {

bool parse_pattern(const std::string& s, Pattern& p) {
  static const std::pair<const char*, Pattern> names[] = {{"sequential", Pattern::Sequential},
                                                          {"strided", Pattern::Strided},
                                                          {"uniform", Pattern::Uniform},
                                                          {"zipf", Pattern::Zipf},
                                                          {"pointer_chase", Pattern::PointerChase}};
  for (const auto& [n, v] : names)
    if (s == n) {
      p = v;
      return true;
    }
  return false;
}

}  // namespace agilemmu::sys
