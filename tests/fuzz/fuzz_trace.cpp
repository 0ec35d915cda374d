// Fuzz target: both trace readers on arbitrary bytes, and both again on the bytes decompressed as
// a zstd stream. Any input gives records or a std::runtime_error naming the file and line/record
// — never a crash, a hang or another exception.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <sstream>

#include "sys/workload.h"

namespace {
// The input, read in small blocks (as a pipe may deliver it).
class MemoryBlocks : public agilemmu::sys::BlockSource {
 public:
  explicit MemoryBlocks(std::string b) : b_(std::move(b)) {}
  size_t read(char* buf, size_t n) override {
    const size_t k = std::min({n, b_.size() - at_, size_t(777)});
    std::memcpy(buf, b_.data() + at_, k);
    at_ += k;
    return k;
  }

 private:
  std::string b_;
  size_t at_ = 0;
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  for (int pass = 0; pass < 4; ++pass) {
    const bool binary = pass & 1, zstd = pass & 2;
    // Without zstd's magic the decoder stops at once: worth trying only on what looks compressed.
    if (zstd && (size < 4 || std::memcmp(data, "\x28\xb5\x2f\xfd", 4) != 0)) continue;
    try {
      std::unique_ptr<std::istream> in;
      if (zstd)
        in = std::make_unique<agilemmu::sys::BlockIStream>(
            agilemmu::sys::zstd_blocks(std::make_unique<MemoryBlocks>(bytes), "f"));
      else
        in = std::make_unique<std::istringstream>(bytes);
      std::unique_ptr<agilemmu::sys::Source> s;
      if (binary)
        s = std::make_unique<agilemmu::sys::BinaryTraceSource>(std::move(in), "f");
      else
        s = std::make_unique<agilemmu::sys::LackeyTraceSource>(std::move(in), "f");
      agilemmu::sys::WorkloadOp it;
      uint64_t n = 0;
      while (s->prologue(it)) {  // a window's prologue (version 4) comes before its records
        if (!zstd && ++n > size + 1) __builtin_trap();
        if (zstd && ++n > 100000) return 0;
      }
      while (s->next(it)) {
        ++n;
        // More records than bytes: a reader that does not advance. Decompressed input may hold
        // far more bytes than the input (a zstd RLE block is 4 bytes for up to 128 KiB): stop
        // early there, to keep the fuzzer fast.
        if (!zstd && n > size + 1) __builtin_trap();
        if (zstd && n > 100000) break;
      }
    } catch (const std::runtime_error& e) {
      if (std::string(e.what()).rfind("f:", 0) != 0) __builtin_trap();  // errors name their file
    }
  }
  return 0;
}
