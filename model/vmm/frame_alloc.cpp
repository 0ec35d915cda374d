#include <agilemmu/vmm/frame_alloc.h>

#include <stdexcept>

namespace agilemmu::vmm {

FrameAllocator::FrameAllocator(std::string name, uint64_t base, uint64_t size)
    : name_(std::move(name)), base_(base), limit_(base + size), next_(base) {
  if (base & 0xfff) throw std::invalid_argument(name_ + ": base must be 4 KiB aligned");
}

uint64_t FrameAllocator::alloc(pt::PageSize size) {
  const uint64_t bytes = pt::page_bytes(size);
  auto& fl = free_[static_cast<unsigned>(size)];
  used_ += bytes;
  if (!fl.empty()) {
    const uint64_t a = fl.back();
    fl.pop_back();
    return a;
  }
  const uint64_t a = (next_ + bytes - 1) & ~(bytes - 1);
  if (a + bytes > limit_ || a + bytes < a) {
    used_ -= bytes;
    throw std::runtime_error(name_ + " memory exhausted allocating a " + pt::to_string(size) + " frame (" +
                             std::to_string((limit_ - base_) >> 20) + " MiB in all)");
  }
  // Skipped alignment gap becomes 4 KiB frames for later small allocations.
  for (uint64_t g = next_; g < a; g += 4096) free_[0].push_back(g);
  next_ = a + bytes;
  return a;
}

void FrameAllocator::free(uint64_t addr, pt::PageSize size) {
  used_ -= pt::page_bytes(size);
  free_[static_cast<unsigned>(size)].push_back(addr);
}

}  // namespace agilemmu::vmm
