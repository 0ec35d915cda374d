// Physical frame allocator over one address range (guest-physical or host-physical).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <agilemmu/pt/format.h>

namespace agilemmu::vmm {

// An allocator has no free frame of the size asked for. A run that meets it has a memory size too
// small for what it does: memory() names the allocator (Vm's kGuestPhysical or kHostPhysical).
class MemoryExhausted : public std::runtime_error {
 public:
  MemoryExhausted(const std::string& memory, pt::PageSize size, uint64_t total_bytes);
  const std::string& memory() const { return memory_; }
  pt::PageSize size() const { return size_; }

 private:
  std::string memory_;
  pt::PageSize size_;
};

class FrameAllocator {
 public:
  FrameAllocator(std::string name, uint64_t base, uint64_t size);
  // A naturally aligned block of `size` bytes; throws MemoryExhausted when none is free.
  uint64_t alloc(pt::PageSize size = pt::PageSize::k4K);
  // The same, or nothing when no block of that size is free (the caller falls back).
  std::optional<uint64_t> try_alloc(pt::PageSize size);
  // A 4 KiB frame from the top of the range, for page-table pages: data frames (alloc, from the
  // bottom) then land where they would with no tables at all, so a data page has the same frame
  // in every paging mode and the modes' caches and DRAM rows see the same data addresses.
  // The top is taken in batches of kHighBatch frames (2 MiB, fewer when the range is short) and
  // each batch is handed out in a seeded shuffled order, as a buddy allocator scatters page-table
  // pages. Handed out in address order, the tables a VMM grows together (nested, shadow,
  // compound...) interleaved frame by frame: each table's leaves got every fourth frame, a quarter
  // of the L2's page colours, and a mode's result moved with how many tables it grew beside the
  // one it walks. A batch spans every page colour of a cache up to 2 MiB per way.
  uint64_t alloc_high();
  static constexpr unsigned kHighBatch = 512;
  // A naturally aligned block of `bytes` (a power of two, 4 KiB or more) from the top, outside the
  // shuffled batches: a RISC-V G-stage root (16 KiB). Its frames are freed one by one.
  uint64_t alloc_high_block(uint64_t bytes);
  void free(uint64_t addr, pt::PageSize size = pt::PageSize::k4K);  // either kind
  uint64_t base() const { return base_; }
  uint64_t limit() const { return limit_; }
  uint64_t used_bytes() const { return used_; }
  bool contains(uint64_t addr) const { return addr >= base_ && addr < limit_; }

 private:
  [[noreturn]] void exhausted(pt::PageSize size) const { throw MemoryExhausted(name_, size, limit_ - base_); }
  std::string name_;
  uint64_t base_, limit_, next_, high_, used_ = 0;  // [base_, next_) bottom-up, [high_, limit_) top-down
  std::vector<uint64_t> free_[3];                   // per page size: LIFO reuse keeps runs deterministic
  std::vector<uint64_t> free_high_;
  std::vector<uint64_t> batch_;           // reserved top frames not yet handed out, shuffled
  uint64_t rng_ = 0x9e3779b97f4a7c15ull;  // fixed seed: every run places its tables alike
};

}  // namespace agilemmu::vmm
