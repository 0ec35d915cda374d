#include <agilemmu/vmm/frame_alloc.h>

#include <algorithm>
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
    if (batch_.empty()) {
      const uint64_t room = high_ > next_ ? (high_ - std::max(next_, base_)) / 4096 : 0;
      // At most a sixteenth of what is left, so a small memory keeps room for data.
      const uint64_t n = std::min<uint64_t>(kHighBatch, std::max<uint64_t>(room / 16, std::min<uint64_t>(room, 1)));
      if (n == 0) exhausted(pt::PageSize::k4K);
      for (uint64_t i = 0; i < n; ++i) batch_.push_back(high_ - (n - i) * 4096);
      high_ -= n * 4096;
      // Fisher-Yates with xorshift64: cheap, deterministic, independent of the standard library.
      for (size_t i = batch_.size() - 1; i > 0; --i) {
        rng_ ^= rng_ << 13, rng_ ^= rng_ >> 7, rng_ ^= rng_ << 17;
        std::swap(batch_[i], batch_[rng_ % (i + 1)]);
      }
    }
    a = batch_.back();
    batch_.pop_back();
  }
  used_ += 4096;
  return a;
}

uint64_t FrameAllocator::alloc_high_block(uint64_t bytes) {
  if (bytes < 4096 || (bytes & (bytes - 1))) throw std::invalid_argument(name_ + ": block size must be a power of two");
  const uint64_t a = (high_ - bytes) & ~(bytes - 1);
  if (high_ < bytes || a < std::max(next_, base_)) exhausted(pt::PageSize::k4K);
  for (uint64_t g = a + bytes; g < high_; g += 4096) free_high_.push_back(g);  // the alignment gap
  high_ = a;
  used_ += bytes;
  return a;
}

void FrameAllocator::free(uint64_t addr, pt::PageSize size) {
  used_ -= pt::page_bytes(size);
  (addr >= high_ ? free_high_ : free_[static_cast<unsigned>(size)]).push_back(addr);
}

}  // namespace agilemmu::vmm
