// Exhaustive: for every cast mode and all 2^32 inputs, the SIMD fp32 -> bf16 conversion equals
// the scalar bit-trick path, which equals the generic exact-rounding definition.
#include <ptoref/simd/convert_bf16.hpp>

#include <catch2/catch.hpp>

#include "../math/exhaustive.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

using ptoref::bf16;
using ptoref::cast_mode;

namespace {

template <class Arch>
std::uint64_t sweep(cast_mode mode, bool also_generic)
{
    std::atomic<std::uint64_t> bad{0};
    ptoref_test::split_all_floats([&](unsigned, std::uint64_t lo, std::uint64_t hi) {
        constexpr std::size_t chunk = 1u << 16;
        std::vector<float> in(chunk);
        std::vector<bf16> out(chunk);
        std::uint64_t local = 0;
        for (std::uint64_t base = lo; base < hi; base += chunk) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, hi - base));
            for (std::size_t i = 0; i < n; ++i)
                in[i] = std::bit_cast<float>(static_cast<std::uint32_t>(base + i));
            ptoref::simd::f32_to_bf16<Arch>(in.data(), out.data(), n, mode);
            for (std::size_t i = 0; i < n; ++i) {
                const auto u = static_cast<std::uint32_t>(base + i);
                const std::uint16_t scalar = ptoref::detail::f32_to_bf16_bits(u, mode);
                local += out[i].bits != scalar;
                if (also_generic)
                    local += scalar != ptoref::detail::round_to_format(ptoref::detail::decompose(in[i]), mode,
                                                                       ptoref::detail::bf16_format);
            }
        }
        bad += local;
    });
    return bad.load();
}

} // namespace

TEST_CASE("SIMD == scalar == generic fp32 -> bf16 on all 2^32 inputs, every mode (default arch)")
{
    for (cast_mode mode : ptoref::all_cast_modes) {
        const auto t0 = std::chrono::steady_clock::now();
        const std::uint64_t bad = sweep<xsimd::default_arch>(mode, true);
        std::printf("fp32->bf16 %-5s on %s: %.1f s\n", std::string(ptoref::to_string(mode)).c_str(),
                    xsimd::default_arch::name(),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        INFO("mode " << ptoref::to_string(mode));
        CHECK(bad == 0);
    }
}

#if XSIMD_WITH_SSE2
TEST_CASE("SIMD == scalar with 4-lane SSE2 batches too, for the two nearest modes")
{
    CHECK(sweep<xsimd::sse2>(cast_mode::rint, false) == 0);
    CHECK(sweep<xsimd::sse2>(cast_mode::round, false) == 0);
}
#endif

TEST_CASE("lengths that are not a multiple of the batch take the scalar tail")
{
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{17}, std::size_t{33}}) {
        std::vector<float> in(n);
        std::vector<bf16> out(n);
        for (std::size_t i = 0; i < n; ++i)
            in[i] = std::bit_cast<float>(0x3f808000u + static_cast<std::uint32_t>(i) * 0x10000u);
        ptoref::simd::f32_to_bf16(in.data(), out.data(), n, cast_mode::round);
        for (std::size_t i = 0; i < n; ++i)
            CHECK(out[i].bits ==
                  ptoref::detail::f32_to_bf16_bits(std::bit_cast<std::uint32_t>(in[i]), cast_mode::round));
    }
}
