#include <agilemmu/pt/phys_mem.h>

#include <algorithm>

namespace agilemmu::pt {

PhysMem::Frame& PhysMem::frame(uint64_t pfn) {
  if (const Frame* f = find(pfn)) return *const_cast<Frame*>(f);
  if (2 * (frames_ + 1) > index_.size()) grow();
  Frame* f = new_frame();
  size_t i = home(pfn);
  while (index_[i].pfn != kNoFrame) i = (i + 1) & (index_.size() - 1);
  index_[i] = {pfn, f};
  recent_[pfn & (kRecent - 1)] = {pfn, f};
  return *f;
}

PhysMem::Frame* PhysMem::new_frame() {
  if (slab_used_ == kSlab) {
    slabs_.push_back(zeroed_array<Frame>(kSlab));
    slab_used_ = 0;
  }
  ++frames_;
  return &slabs_.back()[slab_used_++];
}

void PhysMem::grow() {
  std::vector<IndexSlot> old(index_.size() * 2);
  old.swap(index_);
  --shift_;
  for (const IndexSlot& e : old)
    if (e.pfn != kNoFrame) {
      size_t i = home(e.pfn);
      while (index_[i].pfn != kNoFrame) i = (i + 1) & (index_.size() - 1);
      index_[i] = e;
    }
}

void PhysMem::read(uint64_t addr, void* dst, size_t n) const {
  auto* out = static_cast<uint8_t*>(dst);
  while (n) {
    const size_t off = addr & (kFrame - 1), chunk = std::min<size_t>(n, kFrame - off);
    if (const Frame* f = find(addr >> 12))
      std::memcpy(out, f->data() + off, chunk);
    else
      std::memset(out, 0, chunk);
    out += chunk;
    addr += chunk;
    n -= chunk;
  }
}

void PhysMem::write(uint64_t addr, const void* src, size_t n) {
  auto* in = static_cast<const uint8_t*>(src);
  while (n) {
    const size_t off = addr & (kFrame - 1), chunk = std::min<size_t>(n, kFrame - off);
    std::memcpy(frame(addr >> 12).data() + off, in, chunk);
    in += chunk;
    addr += chunk;
    n -= chunk;
  }
}

}  // namespace agilemmu::pt
