#pragma once
// Large numeric arrays (the PLD grids and FFT work buffers of dp/) on transparent huge pages,
// kept for reuse when freed. On a virtual machine a 4 KiB page fault costs ~10-20 µs: one
// `privflow account` at δ 1e-8 faulted ~5000 of them (a third of its time), most of them
// again and again as each refinement level freed its arrays and the next one allocated fresh
// memory. A block of 256 KiB or more is rounded up to a multiple of 2 MiB, aligned to 2 MiB
// and marked MADV_HUGEPAGE (one fault per 2 MiB where the kernel allows transparent huge
// pages; a hint only); freed, it is kept (up to kRetainedBytes in all) for the next request
// that fits it. Smaller arrays use std::allocator.
#include <cstddef>
#include <memory>
#include <vector>

namespace privflow {

namespace large_buffer {
inline constexpr std::size_t kThreshold = std::size_t{1} << 18;  // 256 KiB
inline constexpr std::size_t kRetainedBytes = std::size_t{1} << 28;  // 256 MiB kept at most
/// A block of at least `bytes` (≥ kThreshold), 2 MiB aligned; throws std::bad_alloc.
void* take(std::size_t bytes);
/// Gives a block from take(bytes) back (kept for reuse, or freed beyond kRetainedBytes).
void give(void* p, std::size_t bytes) noexcept;
}  // namespace large_buffer

/// std::allocator, except that arrays of large_buffer::kThreshold bytes or more come from
/// large_buffer (huge pages, reused).
template <class T>
struct LargeBufferAllocator {
  using value_type = T;
  LargeBufferAllocator() = default;
  template <class U>
  LargeBufferAllocator(const LargeBufferAllocator<U>&) {}  // NOLINT: rebinding, as the standard allocators
  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= large_buffer::kThreshold) return static_cast<T*>(large_buffer::take(bytes));
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= large_buffer::kThreshold) large_buffer::give(p, bytes);
    else std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  bool operator==(const LargeBufferAllocator<U>&) const { return true; }
};

/// A vector of numbers that may be large: see LargeBufferAllocator.
template <class T>
using LargeVector = std::vector<T, LargeBufferAllocator<T>>;

}  // namespace privflow
