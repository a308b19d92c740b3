// Exhaustive: every one of the 2^32 FP32 bit patterns converted to FP8E4M3FN and FP8E5M2 in each
// of the seven modes (core/convert.hpp), against cast_oracle.hpp's slow oracle. One test case
// per mode (ctest runs them as separate tests, under PTOREF_EXHAUSTIVE_TESTS).
//
// The oracle is too slow to call 2^32 times, so it is called where it matters: rounding is
// monotone in the value and the value is monotone in the bit pattern within each sign half, so
// every FP8 result's preimage is one interval of patterns. The intervals are found by binary
// search with the oracle (a few thousand calls), and the sweep checks every pattern against the
// interval it lies in.
#include <catch2/catch.hpp>

#include "../math/exhaustive.hpp"
#include "cast_oracle.hpp"

#include <ptoref/core/convert.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <vector>

using cast_oracle::D;
using ptoref::cast_mode;

namespace {

struct segment {
    std::uint64_t start; // first pattern of the interval
    std::uint32_t bits;  // the FP8 result for every pattern in it
};

std::uint32_t oracle(D d, std::uint32_t u, cast_mode m)
{
    const cast_oracle::val x = cast_oracle::decode(D::f32, u);
    return static_cast<std::uint32_t>(cast_oracle::encode(d, cast_oracle::cast(x, D::f32, d, m)));
}

void add_half(std::vector<segment>& segs, D d, std::uint32_t lo, std::uint32_t hi, cast_mode m)
{
    std::uint64_t start = lo;
    while (start <= hi) {
        const std::uint32_t r = oracle(d, static_cast<std::uint32_t>(start), m);
        std::uint64_t good = start, bad = std::uint64_t{hi} + 1; // oracle(good) == r, bad is past it
        while (bad - good > 1) {
            const std::uint64_t mid = good + (bad - good) / 2;
            (oracle(d, static_cast<std::uint32_t>(mid), m) == r ? good : bad) = mid;
        }
        segs.push_back({start, r});
        start = good + 1;
    }
}

std::vector<segment> segments(D d, cast_mode m)
{
    std::vector<segment> s;
    add_half(s, d, 0x00000000u, 0x7f800000u, m);
    s.push_back({0x7f800001u, cast_oracle::format(d).nan});
    add_half(s, d, 0x80000000u, 0xff800000u, m);
    s.push_back({0xff800001u, cast_oracle::format(d).nan});
    return s;
}

template <class F8>
std::uint64_t sweep(const std::vector<segment>& segs, cast_mode m, std::vector<std::uint32_t>& first)
{
    std::atomic<std::uint64_t> failures{0};
    std::mutex mu;
    ptoref_test::split_all_floats([&](unsigned, std::uint64_t lo, std::uint64_t hi) {
        auto it = std::upper_bound(segs.begin(), segs.end(), lo,
                                   [](std::uint64_t u, const segment& s) { return u < s.start; }) -
                  1;
        std::uint64_t next = it + 1 == segs.end() ? ~0ull : (it + 1)->start;
        std::uint64_t local = 0;
        for (std::uint64_t u = lo; u < hi; ++u) {
            if (u == next) {
                ++it;
                next = it + 1 == segs.end() ? ~0ull : (it + 1)->start;
            }
            const F8 got = ptoref::convert<F8>(std::bit_cast<float>(static_cast<std::uint32_t>(u)), m);
            if (got.bits != it->bits) {
                if (local++ < 4) {
                    std::lock_guard<std::mutex> lock(mu);
                    first.push_back(static_cast<std::uint32_t>(u));
                }
            }
        }
        failures += local;
    });
    return failures.load();
}

void check_mode(cast_mode m)
{
    for (D d : {D::e4m3, D::e5m2}) {
        const std::vector<segment> segs = segments(d, m);
        // Sanity of the construction: about two intervals per FP8 value, both signs.
        CHECK(segs.size() > 200);
        CHECK(segs.size() < 1100);
        std::vector<std::uint32_t> first;
        const std::uint64_t bad =
            d == D::e4m3 ? sweep<ptoref::fp8e4m3fn>(segs, m, first) : sweep<ptoref::fp8e5m2>(segs, m, first);
        INFO(cast_oracle::name(d) << " mode " << ptoref::to_string(m) << ": " << bad << " failures");
        for (std::uint32_t u : first)
            UNSCOPED_INFO("  input 0x" << std::hex << u << " want 0x" << oracle(d, u, m));
        CHECK(bad == 0);
    }
}

} // namespace

TEST_CASE("all 2^32 FP32 patterns to FP8, mode none", "[exhaustive][none]")
{
    check_mode(cast_mode::none);
}
TEST_CASE("all 2^32 FP32 patterns to FP8, mode rint", "[exhaustive][rint]")
{
    check_mode(cast_mode::rint);
}
TEST_CASE("all 2^32 FP32 patterns to FP8, mode round", "[exhaustive][round]")
{
    check_mode(cast_mode::round);
}
TEST_CASE("all 2^32 FP32 patterns to FP8, mode floor", "[exhaustive][floor]")
{
    check_mode(cast_mode::floor);
}
TEST_CASE("all 2^32 FP32 patterns to FP8, mode ceil", "[exhaustive][ceil]")
{
    check_mode(cast_mode::ceil);
}
TEST_CASE("all 2^32 FP32 patterns to FP8, mode trunc", "[exhaustive][trunc]")
{
    check_mode(cast_mode::trunc);
}
TEST_CASE("all 2^32 FP32 patterns to FP8, mode odd", "[exhaustive][odd]")
{
    check_mode(cast_mode::odd);
}
