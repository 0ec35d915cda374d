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
  // A 4 KiB frame from the top of the range, for page-table pages: data frames (alloc, from the
  // bottom) then land where they would with no tables at all, so a data page has the same frame
  // in every paging mode and the modes' caches and DRAM rows see the same data addresses.
  uint64_t alloc_high();
  void free(uint64_t addr, pt::PageSize size = pt::PageSize::k4K);  // either kind
  uint64_t base() const { return base_; }
  uint64_t limit() const { return limit_; }
  uint64_t used_bytes() const { return used_; }
  bool contains(uint64_t addr) const { return addr >= base_ && addr < limit_; }

 private:
  [[noreturn]] void exhausted(pt::PageSize size) const;
  std::string name_;
  uint64_t base_, limit_, next_, high_, used_ = 0;  // [base_, next_) bottom-up, [high_, limit_) top-down
  std::vector<uint64_t> free_[3];                   // per page size: LIFO reuse keeps runs deterministic
  std::vector<uint64_t> free_high_;
};

}  // namespace agilemmu::vmm
