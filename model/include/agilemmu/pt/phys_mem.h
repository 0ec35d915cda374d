// Sparse host-physical memory of 4 KiB frames. Page tables live here as real bytes, so the
// reference walk, the SystemC walker, the DRAM model and the RTL co-simulation read one image.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include <agilemmu/pt/zeroed_array.h>

namespace agilemmu::pt {

class PhysMem {
 public:
  static constexpr uint64_t kFrame = 4096;
  using Frame = std::array<uint8_t, kFrame>;

  // Unbacked memory reads as zero: a walk through it sees not-present entries and faults.
  uint64_t read64(uint64_t addr) const {
    const Frame* f = find(addr >> 12);
    if (!f) return 0;
    uint64_t v;
    std::memcpy(&v, f->data() + (addr & 0xff8), 8);  // PTE reads are 8-byte aligned
    return v;
  }
  void write64(uint64_t addr, uint64_t v) { std::memcpy(frame(addr >> 12).data() + (addr & 0xff8), &v, 8); }

  // Byte access for data traffic; may cross frames.
  void read(uint64_t addr, void* dst, size_t n) const;
  void write(uint64_t addr, const void* src, size_t n);

  // The frame holding `pfn`, created zeroed on first use.
  Frame& frame(uint64_t pfn);
  const Frame* find(uint64_t pfn) const {
    Slot& s = recent_[pfn & (kRecent - 1)];
    if (s.pfn == pfn) return s.frame;
    s = {pfn, lookup(pfn)};  // unbacked is remembered too
    return s.frame;
  }
  void zero_frame(uint64_t pfn) {
    if (Frame* f = const_cast<Frame*>(find(pfn))) f->fill(0);
  }
  size_t frames() const { return frames_; }

 private:
  // Frames are never removed, so cached pointers stay valid. A small direct-mapped cache of
  // recent frames keeps page-table reads off the hash map (walks touch few frames, often). It
  // holds unbacked frames as nullptr as well (data reads of pages nothing wrote); frame() is the
  // only place a frame is created and it overwrites the slot.
  static constexpr size_t kRecent = 512;
  struct Slot {
    uint64_t pfn = ~0ull;
    Frame* frame = nullptr;
  };
  // The frame index: open addressing with linear probing, a power-of-two capacity at most half
  // full, a multiplicative hash. One probe is usually one cache line, where a node-based hash map
  // costs a bucket division and two dependent loads (data traffic over a large footprint misses
  // the recent-frame cache every time and lands here).
  struct IndexSlot {
    uint64_t pfn = kNoFrame;
    Frame* frame = nullptr;
  };
  static constexpr uint64_t kNoFrame = ~0ull;  // no pfn is this large (addresses have <= 64 bits)
  size_t home(uint64_t pfn) const { return (pfn * 0x9e3779b97f4a7c15ull) >> shift_; }
  Frame* lookup(uint64_t pfn) const {
    for (size_t i = home(pfn);; i = (i + 1) & (index_.size() - 1)) {
      if (index_[i].pfn == pfn) return index_[i].frame;
      if (index_[i].pfn == kNoFrame) return nullptr;
    }
  }
  void grow();
  Frame* new_frame();
  std::vector<IndexSlot> index_ = std::vector<IndexSlot>(1024);
  unsigned shift_ = 64 - 10;  // 64 - log2(index_.size())
  // Frames come from slabs of kSlab frames taken zeroed from calloc (zero pages the OS maps on
  // first touch): no allocation and no fill per frame, where populating a large region made one
  // of each per page.
  static constexpr size_t kSlab = 256;
  std::vector<ZeroedArray<Frame>> slabs_;
  size_t slab_used_ = kSlab;  // frames handed out from the last slab
  size_t frames_ = 0;
  mutable std::array<Slot, kRecent> recent_{};
};

}  // namespace agilemmu::pt
