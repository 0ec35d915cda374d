// Counts calls of the global operator new while `counting` is set (alloc_count.cpp replaces it).
#pragma once
#include <cstdint>

namespace alloc_count {
extern bool counting;
extern uint64_t allocations;
}  // namespace alloc_count
