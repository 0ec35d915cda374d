// Fuzz target: both trace readers on arbitrary bytes. Any input gives records or a
// std::runtime_error naming the file and line/record — never a crash, a hang or another exception.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "sys/workload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  for (int binary = 0; binary < 2; ++binary) {
    try {
      std::unique_ptr<agilemmu::sys::Source> s;
      if (binary)
        s = std::make_unique<agilemmu::sys::BinaryTraceSource>(std::make_unique<std::istringstream>(bytes), "f");
      else
        s = std::make_unique<agilemmu::sys::LackeyTraceSource>(std::make_unique<std::istringstream>(bytes), "f");
      agilemmu::sys::Item it;
      uint64_t n = 0;
      while (s->next(it))
        if (++n > size + 1) __builtin_trap();  // more records than bytes: a reader that does not advance
    } catch (const std::runtime_error& e) {
      if (std::string(e.what()).rfind("f:", 0) != 0) __builtin_trap();  // errors name their file
    }
  }
  return 0;
}
