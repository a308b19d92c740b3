// Runs a check over all 2^32 float bit patterns on every hardware thread (test helper).
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <thread>
#include <vector>

namespace ptoref_test {

// check(u) returns true when bit pattern u passes. Returns the number of failures; the first
// few failing patterns land in `first` (in no particular order).
template <class Check>
std::uint64_t for_all_floats(Check check, std::vector<std::uint32_t>& first, std::size_t max_first = 8)
{
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::atomic<std::uint64_t> failures{0};
    std::vector<std::vector<std::uint32_t>> found(threads);
    auto work = [&](unsigned t) {
        const std::uint64_t lo = (std::uint64_t{1} << 32) * t / threads;
        const std::uint64_t hi = (std::uint64_t{1} << 32) * (t + 1) / threads;
        std::uint64_t local = 0;
        for (std::uint64_t b = lo; b < hi; ++b)
            if (!check(static_cast<std::uint32_t>(b))) {
                if (found[t].size() < max_first)
                    found[t].push_back(static_cast<std::uint32_t>(b));
                ++local;
            }
        failures += local;
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool)
        th.join();
    for (auto& f : found)
        for (std::uint32_t u : f)
            if (first.size() < max_first)
                first.push_back(u);
    return failures.load();
}

inline float f32(std::uint32_t u)
{
    return std::bit_cast<float>(u);
}
inline std::uint32_t bits(float f)
{
    return std::bit_cast<std::uint32_t>(f);
}

} // namespace ptoref_test
