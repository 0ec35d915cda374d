// Physical frame allocator over one address range (guest-physical or host-physical).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <agilemmu/pt/format.h>

namespace agilemmu::vmm {

class FrameAllocator {
 public:
  FrameAllocator(std::string name, uint64_t base, uint64_t size);
  // A naturally aligned block of `size` bytes; throws std::runtime_error when the range is full.
  uint64_t alloc(pt::PageSize size = pt::PageSize::k4K);
  void free(uint64_t addr, pt::PageSize size = pt::PageSize::k4K);
  uint64_t base() const { return base_; }
  uint64_t limit() const { return limit_; }
  uint64_t used_bytes() const { return used_; }
  bool contains(uint64_t addr) const { return addr >= base_ && addr < limit_; }

 private:
  std::string name_;
  uint64_t base_, limit_, next_, used_ = 0;
  std::vector<uint64_t> free_[3];  // per page size: LIFO reuse keeps runs deterministic
};

}  // namespace agilemmu::vmm
