// Arrays of trivially copyable objects taken zeroed from calloc. The OS maps a large calloc'd
// block to zero pages on first touch, so an array whose all-zero element means "empty" costs
// nothing until it is used (PhysMem's frame slabs, SetAssoc's slots).
#pragma once
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>

namespace agilemmu::pt {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
template <class T>
using ZeroedArray = std::unique_ptr<T[], FreeDeleter>;

// n zeroed elements (at least one, so the pointer is never null); throws std::bad_alloc.
template <class T>
ZeroedArray<T> zeroed_array(size_t n) {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
  ZeroedArray<T> p(static_cast<T*>(std::calloc(n ? n : 1, sizeof(T))));
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace agilemmu::pt
