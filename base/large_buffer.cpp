#include "base/large_buffer.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>

namespace privflow::large_buffer {
namespace {

constexpr std::size_t kHuge = std::size_t{1} << 21;  // the transparent huge page size on x86-64

std::size_t rounded(std::size_t bytes) { return (bytes + kHuge - 1) / kHuge * kHuge; }

/// Freed blocks by size (a multiset: several of one size), shared by all threads: a grid may
/// be freed on another thread than the one that made it (a cached composition).
struct Retained {
  std::mutex mu;
  std::multimap<std::size_t, void*> blocks;
  std::size_t bytes = 0;
};
Retained& retained() {
  static auto* r = new Retained;  // never destroyed: vectors may be freed during static destruction
  return *r;
}

}  // namespace

void* take(std::size_t bytes) {
  const std::size_t size = rounded(bytes);
  {
    Retained& r = retained();
    std::lock_guard<std::mutex> lock(r.mu);
    // The smallest kept block that fits, if it is not more than twice the size asked.
    auto it = r.blocks.lower_bound(size);
    if (it != r.blocks.end() && it->first <= 2 * size) {
      void* p = it->second;
      r.bytes -= it->first;
      r.blocks.erase(it);
      return p;
    }
  }
  void* p = std::aligned_alloc(kHuge, size);
  if (!p) throw std::bad_alloc();
  ::madvise(p, size, MADV_HUGEPAGE);  // a hint: without transparent huge pages, small pages
  return p;
}

void give(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  const std::size_t size = rounded(bytes);
  Retained& r = retained();
  {
    std::lock_guard<std::mutex> lock(r.mu);
    if (r.bytes + size <= kRetainedBytes) {
      try {
        r.blocks.emplace(size, p);
        r.bytes += size;
        return;
      } catch (...) {  // no memory for the bookkeeping: free the block instead
      }
    }
  }
  std::free(p);
}

}  // namespace privflow::large_buffer
