#include "sys/mm_replay.h"

#include <algorithm>
#include <iterator>

namespace agilemmu::sys {

namespace {
constexpr uint64_t kPage = 4096;
uint64_t down(uint64_t a) { return a & ~(kPage - 1); }
uint64_t up(uint64_t a) { return a > ~0ull - (kPage - 1) ? ~0ull & ~(kPage - 1) : (a + kPage - 1) & ~(kPage - 1); }
uint64_t end_of(uint64_t va, uint64_t len) { return up(len > ~0ull - va ? ~0ull : va + len); }
}  // namespace

pt::Perms MemoryMapReplay::perms_of(uint32_t prot) {
  pt::Perms p;
  p.write = (prot & linux_abi::kProtWrite) != 0;
  p.exec = (prot & linux_abi::kProtExec) != 0;
  return p;
}

const MemoryMapReplay::Vma* MemoryMapReplay::vma_at(uint64_t va, uint64_t* start) const {
  auto it = vmas_.upper_bound(va);
  if (it == vmas_.begin()) return nullptr;
  --it;
  if (va >= it->second.end) return nullptr;
  if (start) *start = it->first;
  return &it->second;
}

void MemoryMapReplay::clear_vma(uint64_t lo, uint64_t hi) {
  auto it = vmas_.lower_bound(lo);
  if (it != vmas_.begin()) {  // a region starting below lo: keep its head (and tail past hi)
    auto p = std::prev(it);
    if (p->second.end > lo) {
      const Vma v = p->second;
      p->second.end = lo;
      if (v.end > hi) vmas_[hi] = v;
    }
  }
  for (it = vmas_.lower_bound(lo); it != vmas_.end() && it->first < hi;) {
    if (it->second.end > hi) vmas_[hi] = it->second;  // keep its tail
    it = vmas_.erase(it);
  }
}

void MemoryMapReplay::set_vma(uint64_t lo, uint64_t hi, uint32_t prot) {
  clear_vma(lo, hi);
  if (lo < hi) vmas_[lo] = {hi, prot};
}

std::vector<uint64_t> MemoryMapReplay::mapped_pages(uint64_t lo, uint64_t hi) const {
  std::vector<uint64_t> v;
  const auto& g = as_.guest_mappings();
  auto it = g.upper_bound(lo);
  if (it != g.begin() && std::prev(it)->first + pt::page_bytes(std::prev(it)->second.size) > lo) --it;
  for (; it != g.end() && it->first < hi; ++it) v.push_back(it->first);
  return v;
}

void MemoryMapReplay::drop(uint64_t lo, uint64_t hi) {
  for (uint64_t p : mapped_pages(lo, hi)) dropped_ += vmm_.unmap(p);
}

bool MemoryMapReplay::fault_perms(uint64_t va, pt::Perms dflt, pt::Perms& out) const {
  const Vma* v = vma_at(va);
  if (!v) {
    out = dflt;
    return true;
  }
  if (!(v->prot & (linux_abi::kProtRead | linux_abi::kProtWrite | linux_abi::kProtExec))) return false;
  out = perms_of(v->prot);
  return true;
}

void MemoryMapReplay::apply(const WorkloadOp& ev) {
  if (!is_mm_event(ev.kind)) return;
  ++counts_[ev.kind - WorkloadOp::Mmap];
  const uint64_t lo = down(ev.va), hi = end_of(ev.va, ev.len);
  switch (ev.kind) {
    case WorkloadOp::Mmap:  // a new region; whatever it covers is replaced (MAP_FIXED)
      drop(lo, hi);
      set_vma(lo, hi, ev.prot);
      break;
    case WorkloadOp::Munmap:
      drop(lo, hi);
      clear_vma(lo, hi);
      break;
    case WorkloadOp::Mremap: {
      const uint64_t lo2 = down(ev.va2), hi2 = end_of(ev.va2, ev.len2);
      const Vma* v = vma_at(lo);
      const bool known = v != nullptr;
      const uint32_t prot = known ? v->prot : 0;
      if (lo2 == lo) {  // resized in place
        if (hi2 < hi) {
          drop(hi2, hi);
          clear_vma(hi2, hi);
        }
        if (known && hi2 > hi) set_vma(hi, hi2, prot);
        break;
      }
      // Moved: the kernel moves the page-table entries; the pages keep their frames.
      const uint64_t keep = std::min(hi - lo, hi2 - lo2);
      drop(lo2, hi2);
      for (uint64_t p : mapped_pages(lo, lo + keep))
        if (p >= lo) vmm_.move(p, lo2 + (p - lo));
      drop(lo, hi);  // what did not fit (a shrinking move), or a large page straddling lo
      clear_vma(lo, hi);
      if (known) set_vma(lo2, hi2, prot);
      break;
    }
    case WorkloadOp::Brk:  // a shrinking break frees the heap pages above it
      if (brk_ && ev.va < brk_) drop(up(ev.va), up(brk_));
      brk_ = ev.va;
      break;
    case WorkloadOp::Mprotect: {
      set_vma(lo, hi, ev.prot);
      const bool none = !(ev.prot & (linux_abi::kProtRead | linux_abi::kProtWrite | linux_abi::kProtExec));
      for (uint64_t p : mapped_pages(lo, hi)) {
        if (none)
          dropped_ += vmm_.unmap(p);
        else
          vmm_.protect(p, perms_of(ev.prot));
      }
      break;
    }
    case WorkloadOp::Madvise:
      if (ev.prot == linux_abi::kMadvDontneed) {
        drop(lo, hi);  // the pages fault back in (zero-filled) on their next touch
      } else {         // MADV_FREE: the pages stay, their dirty bits are cleared so a rewrite is seen
        for (uint64_t p : mapped_pages(lo, hi)) {
          uint64_t gpa;
          pt::Perms perms;
          pt::PageSize s;
          if (as_.guest_translate(p, gpa, perms, s)) vmm_.protect(p, perms, true);
        }
      }
      break;
    case WorkloadOp::Exit:
    case WorkloadOp::Exec:
      vmm_.exit_process();
      vmas_.clear();
      brk_ = 0;
      break;
    default:
      break;
  }
}

}  // namespace agilemmu::sys
