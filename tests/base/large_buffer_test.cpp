#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <thread>
#include <vector>

#include "base/large_buffer.hpp"

using privflow::LargeVector;

TEST_CASE("large buffers: huge-page aligned, kept and reused when freed", "[base][large_buffer]") {
  constexpr std::size_t kHuge = std::size_t{1} << 21;
  const std::size_t n = (std::size_t{3} << 20) / sizeof(double);  // 3 MiB: two huge pages
  const double* first = nullptr;
  {
    LargeVector<double> v(n, 1.5);
    first = v.data();
    CHECK(reinterpret_cast<std::uintptr_t>(first) % kHuge == 0);
    CHECK(std::accumulate(v.begin(), v.end(), 0.0) == 1.5 * static_cast<double>(n));
  }
  // Freed, the block is kept: the next request of a size it fits gets it back (no fresh pages),
  // and a value-initialised vector still reads zeros (the allocator hands raw memory).
  LargeVector<double> again(n - 1000);
  CHECK(again.data() == first);
  CHECK(std::all_of(again.begin(), again.end(), [](double x) { return x == 0; }));
  // A block in use is not handed out again.
  LargeVector<double> other(n);
  CHECK(other.data() != first);
}

TEST_CASE("large buffers: small arrays use the standard allocator; threads may free each other's", "[base][large_buffer]") {
  LargeVector<int> tiny(100, 7);
  CHECK(tiny[99] == 7);
  std::vector<LargeVector<double>> made(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < made.size(); ++i)
    threads.emplace_back([&made, i] { made[i].assign((std::size_t{1} << 19) + i, static_cast<double>(i)); });
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < made.size(); ++i) CHECK(made[i].back() == static_cast<double>(i));
  std::thread([&made] { made.clear(); }).join();  // freed on another thread than the one that made them
  CHECK(made.empty());
}
