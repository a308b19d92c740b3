// Runs a check over all 2^32 float bit patterns on every hardware thread (test helper).
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <thread>
#include <vector>

namespace ptoref_test {

// Splits [0, 2^32) into one contiguous range per hardware thread and runs work(t, lo, hi) on each.
template <class Work>
void split_all_floats(Work work)
{
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    auto run = [&](unsigned t) {
        work(t, (std::uint64_t{1} << 32) * t / threads, (std::uint64_t{1} << 32) * (t + 1) / threads);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(run, t);
    run(0);
    for (auto& th : pool)
        th.join();
}

// check(u) returns true when bit pattern u passes. Returns the number of failures; the first
// few failing patterns land in `first` (in no particular order).
template <class Check>
std::uint64_t for_all_floats(Check check, std::vector<std::uint32_t>& first, std::size_t max_first = 8)
{
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::atomic<std::uint64_t> failures{0};
    std::vector<std::vector<std::uint32_t>> found(threads);
    split_all_floats([&](unsigned t, std::uint64_t lo, std::uint64_t hi) {
        std::uint64_t local = 0;
        for (std::uint64_t b = lo; b < hi; ++b)
            if (!check(static_cast<std::uint32_t>(b))) {
                if (found[t].size() < max_first)
                    found[t].push_back(static_cast<std::uint32_t>(b));
                ++local;
            }
        failures += local;
    });
    for (auto& f : found)
        for (std::uint32_t u : f)
            if (first.size() < max_first)
                first.push_back(u);
    return failures.load();
}

// A correctly-rounded binary32 function checked on all 2^32 inputs against the oracle
// (float)f((double)x). Where the oracle disagrees (it rounds twice), f computed in long double
// settles the case, and lib must match it; `settled` counts those cases. NaN results must be
// the canonical 0x7FC00000.
template <class Lib, class Wide>
std::uint64_t correctly_rounded_sweep(Lib lib, Wide f, std::atomic<std::uint64_t>& settled,
                                      std::vector<std::uint32_t>& first)
{
    return for_all_floats(
        [&](std::uint32_t u) {
            const float x = std::bit_cast<float>(u);
            const std::uint32_t got = std::bit_cast<std::uint32_t>(lib(x));
            const float o = static_cast<float>(f(static_cast<double>(x)));
            if (o != o)
                return got == 0x7fc00000u;
            if (got == std::bit_cast<std::uint32_t>(o))
                return true;
            if (got != std::bit_cast<std::uint32_t>(static_cast<float>(f(static_cast<long double>(x)))))
                return false;
            ++settled;
            return true;
        },
        first);
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
