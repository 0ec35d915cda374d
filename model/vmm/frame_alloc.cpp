#include <agilemmu/vmm/frame_alloc.h>

#include <stdexcept>

namespace agilemmu::vmm {

FrameAllocator::FrameAllocator(std::string name, uint64_t base, uint64_t size)
    : name_(std::move(name)), base_(base), limit_(base + size), next_(base), high_(base + size) {
  if (base & 0xfff) throw std::invalid_argument(name_ + ": base must be 4 KiB aligned");
}

MemoryExhausted::MemoryExhausted(const std::string& memory, pt::PageSize size, uint64_t total_bytes)
    : std::runtime_error(memory + " memory exhausted allocating a " + pt::to_string(size) + " frame (" +
                         std::to_string(total_bytes >> 20) + " MiB in all)"),
      memory_(memory),
      size_(size) {}

uint64_t FrameAllocator::alloc(pt::PageSize size) {
  if (const auto a = try_alloc(size)) return *a;
  exhausted(size);
}

std::optional<uint64_t> FrameAllocator::try_alloc(pt::PageSize size) {
  const uint64_t bytes = pt::page_bytes(size);
  auto& fl = free_[static_cast<unsigned>(size)];
  if (!fl.empty()) {
    const uint64_t a = fl.back();
    fl.pop_back();
    used_ += bytes;
    return a;
  }
  const uint64_t a = (next_ + bytes - 1) & ~(bytes - 1);
  if (a + bytes > high_ || a + bytes < a) return std::nullopt;
  used_ += bytes;
  // Skipped alignment gap becomes 4 KiB frames for later small allocations.
  for (uint64_t g = next_; g < a; g += 4096) free_[0].push_back(g);
  next_ = a + bytes;
  return a;
}

uint64_t FrameAllocator::alloc_high() {
  uint64_t a;
  if (!free_high_.empty()) {
    a = free_high_.back();
    free_high_.pop_back();
  } else {
    if (high_ - 4096 < next_ || high_ < base_ + 4096) exhausted(pt::PageSize::k4K);
    a = high_ -= 4096;
  }
  used_ += 4096;
  return a;
}

void FrameAllocator::free(uint64_t addr, pt::PageSize size) {
  used_ -= pt::page_bytes(size);
  (addr >= high_ ? free_high_ : free_[static_cast<unsigned>(size)]).push_back(addr);
}

}  // namespace agilemmu::vmm
