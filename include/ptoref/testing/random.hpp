// splitmix64: a tiny fixed-seed generator whose sequence is the same on every platform and
// under every compiler flag (integer arithmetic only). For test data, seeded example inputs and
// the shuffled schedule; never use std:: distributions for data whose bits must be reproducible.
#pragma once

#include <cstdint>

namespace ptoref::testing {

class splitmix64 {
public:
    explicit constexpr splitmix64(std::uint64_t seed) noexcept : state_(seed) {}

    constexpr std::uint64_t next() noexcept
    {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }

    // Uniform in [-1, 1) on a grid of 2^-23: an integer, then an exact float scaling.
    float uniform() noexcept
    {
        const auto k = static_cast<std::int32_t>(next() >> 40) - (1 << 23); // [-2^23, 2^23)
        return static_cast<float>(k) * 0x1p-23f;
    }

private:
    std::uint64_t state_;
};

} // namespace ptoref::testing
