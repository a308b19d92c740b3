// simd::exp_cr gives math::exp_cr's bits on every path: all 2^32 inputs per available path
// (split over two threads), plus lengths 0..40 at odd offsets so every tail and alignment runs,
// and the inputs where the fast evaluation cannot decide the rounding.
#include <ptoref/simd/exp_f32.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

namespace simd = ptoref::simd;

namespace {

// Mismatches of the path against the scalar definition over inputs [lo, hi) (bit patterns).
std::uint64_t sweep(simd::path p, std::uint64_t lo, std::uint64_t hi, std::uint32_t& first_bad)
{
    constexpr std::size_t chunk = 1 << 16;
    std::vector<float> in(chunk), out(chunk);
    std::uint64_t bad = 0;
    for (std::uint64_t base = lo; base < hi; base += chunk) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, hi - base));
        for (std::size_t i = 0; i < n; ++i)
            in[i] = std::bit_cast<float>(static_cast<std::uint32_t>(base + i));
        simd::exp_cr(in.data(), out.data(), n, p);
        for (std::size_t i = 0; i < n; ++i)
            if (std::bit_cast<std::uint32_t>(out[i]) != std::bit_cast<std::uint32_t>(ptoref::math::exp_cr(in[i]))) {
                if (bad++ == 0)
                    first_bad = static_cast<std::uint32_t>(base + i);
            }
    }
    return bad;
}

std::vector<simd::path> available_paths()
{
    std::vector<simd::path> out;
    for (simd::path p : {simd::path::avx2, simd::path::avx512, simd::path::avx512bf16}) {
        if (simd::cpu_has(p))
            out.push_back(p);
        else
            WARN("SIMD path " << simd::to_string(p) << " is not available on this CPU: skipped");
    }
    return out;
}

} // namespace

TEST_CASE("simd::exp_cr: every length, offset and special value", "[simd][exp]")
{
    const std::uint32_t specials[] = {
        0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00001u, 0x7f800001u,
        0x42b17217u, 0x42b17218u, 0xc2d00000u, 0xc2cfffffu, 0xc2d00001u, 0xc2ce0000u, 0x00000001u,
        0x3f800000u, 0xbf800000u, 0x33800000u, 0xb3800000u, 0x7f7fffffu, 0xff7fffffu, 0x41200000u,
    };
    std::vector<float> base;
    for (int rep = 0; rep < 4; ++rep)
        for (std::uint32_t b : specials)
            base.push_back(std::bit_cast<float>(b + static_cast<std::uint32_t>(rep)));
    for (simd::path p : available_paths())
        for (std::size_t off = 0; off < 3; ++off)
            for (std::size_t n = 0; n + off <= 40 && n + off <= base.size(); ++n) {
                std::vector<float> out(n + 1, 12345.0f);
                simd::exp_cr(base.data() + off, out.data(), n, p);
                for (std::size_t i = 0; i < n; ++i)
                    REQUIRE(std::bit_cast<std::uint32_t>(out[i]) ==
                            std::bit_cast<std::uint32_t>(ptoref::math::exp_cr(base[off + i])));
                REQUIRE(out[n] == 12345.0f); // nothing written past n
                // in place
                std::vector<float> io(base.begin() + static_cast<std::ptrdiff_t>(off),
                                      base.begin() + static_cast<std::ptrdiff_t>(off + n));
                simd::exp_cr(io.data(), io.data(), n, p);
                for (std::size_t i = 0; i < n; ++i)
                    REQUIRE(std::bit_cast<std::uint32_t>(io[i]) == std::bit_cast<std::uint32_t>(out[i]));
            }
}

TEST_CASE("simd::exp_cr == math::exp_cr on all 2^32 inputs, every path", "[simd][exp][exhaustive]")
{
    for (simd::path p : available_paths()) {
        std::uint32_t first[2] = {0, 0};
        std::uint64_t bad[2] = {0, 0};
        constexpr std::uint64_t half = std::uint64_t{1} << 31;
        std::thread t([&] { bad[1] = sweep(p, half, 2 * half, first[1]); });
        bad[0] = sweep(p, 0, half, first[0]);
        t.join();
        INFO("path " << simd::to_string(p) << ": first mismatch at input bits " << std::hex
                     << (bad[0] ? first[0] : first[1]));
        CHECK(bad[0] + bad[1] == 0);
    }
}
