// The VDPBF16PS GEMM reproduces the canonical k-ascending fp32 fma chain exactly on inputs in its
// range (zero or 2^-51 <= |x| <= 2^48), including the extremes of that range, cancellation and
// exact zeros; the range test is checked on all 65536 bf16 patterns.
#include <ptoref/simd/gemm_bf16.hpp>
#include <ptoref/testing/random.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <vector>

namespace simd = ptoref::simd;
using ix = ptoref::index;

namespace {

// A bf16 in the exact range: zero (either sign), the range's ends, or a random value in it.
ptoref::bf16 in_range(ptoref::testing::splitmix64& r)
{
    const std::uint64_t x = r.next();
    const std::uint16_t sign = (x >> 63) ? 0x8000u : 0u;
    switch (x % 16) {
    case 0:
        return ptoref::bf16::from_bits(sign);
    case 1:
        return ptoref::bf16::from_bits(static_cast<std::uint16_t>(sign | 0x2600u)); // 2^-51
    case 2:
        return ptoref::bf16::from_bits(static_cast<std::uint16_t>(sign | 0x5780u)); // 2^48
    default: {
        // Mostly moderate exponents (so sums cancel and round), sometimes anywhere in the range.
        const std::uint16_t e = (x % 16 == 3) ? static_cast<std::uint16_t>(76 + (x >> 8) % 100)
                                              : static_cast<std::uint16_t>(120 + (x >> 8) % 14);
        return ptoref::bf16::from_bits(static_cast<std::uint16_t>(sign | (e << 7) | ((x >> 20) & 0x7f)));
    }
    }
}

} // namespace

TEST_CASE("bf16_in_dot_range on every bf16 pattern")
{
    for (std::uint32_t b = 0; b < 0x10000u; ++b) {
        const float v = std::fabs(ptoref::bf16::from_bits(static_cast<std::uint16_t>(b)).to_float());
        const bool want = v == 0.0f || (v >= 0x1p-51f && v <= 0x1p48f); // false for NaN
        INFO("bits " << b);
        REQUIRE(simd::bf16_in_dot_range(static_cast<std::uint16_t>(b)) == want);
    }
}

TEST_CASE("gemm_bf16 == the k-ascending fp32 fma chain, on every path")
{
    ptoref::testing::splitmix64 r(31);
    for (simd::path p : {simd::path::scalar, simd::path::avx512bf16}) {
        if (!simd::cpu_has(p)) {
            WARN("SIMD path " << simd::to_string(p) << " is not available on this CPU: skipped");
            continue;
        }
        for (int trial = 0; trial < 300; ++trial) {
            const ix m = 1 + static_cast<ix>(r.next() % 10), n = 1 + static_cast<ix>(r.next() % 140),
                     kp = static_cast<ix>(r.next() % 40), k = 2 * kp;
            std::vector<ptoref::bf16> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n));
            for (auto& x : a)
                x = in_range(r);
            for (auto& x : b)
                x = in_range(r);
            // Packed operands: pairs along k, swapped (x[k] high, x[k+1] low).
            std::vector<std::uint32_t> ap(static_cast<std::size_t>(m * kp)), bp(static_cast<std::size_t>(kp * n));
            for (ix i = 0; i < m; ++i)
                for (ix q = 0; q < kp; ++q)
                    ap[static_cast<std::size_t>(i * kp + q)] = simd::bf16_swapped_pair(
                        a[static_cast<std::size_t>(i * k + 2 * q)], a[static_cast<std::size_t>(i * k + 2 * q + 1)]);
            for (ix q = 0; q < kp; ++q)
                for (ix j = 0; j < n; ++j)
                    bp[static_cast<std::size_t>(q * n + j)] = simd::bf16_swapped_pair(
                        b[static_cast<std::size_t>(2 * q * n + j)], b[static_cast<std::size_t>((2 * q + 1) * n + j)]);
            std::vector<float> want(static_cast<std::size_t>(m * n), 0.0f), got(want.size(), 123.0f);
            for (ix i = 0; i < m; ++i)
                for (ix j = 0; j < n; ++j)
                    for (ix q = 0; q < k; ++q)
                        want[static_cast<std::size_t>(i * n + j)] =
                            std::fma(a[static_cast<std::size_t>(i * k + q)].to_float(),
                                     b[static_cast<std::size_t>(q * n + j)].to_float(),
                                     want[static_cast<std::size_t>(i * n + j)]);
            simd::gemm_bf16_accumulate({ap.data(), kp, bp.data(), n, got.data(), n, m, n, kp, true}, p);
            INFO("path " << simd::to_string(p) << " m=" << m << " n=" << n << " k=" << k);
            for (std::size_t i = 0; i < want.size(); ++i)
                REQUIRE(std::bit_cast<std::uint32_t>(got[i]) == std::bit_cast<std::uint32_t>(want[i]));
            // Accumulating onto a chain continues it: two halves of k give the one-pass bits.
            if (kp >= 2) {
                std::vector<float> two(want.size(), 0.0f);
                const ix h = kp / 2;
                simd::gemm_bf16_accumulate({ap.data(), kp, bp.data(), n, two.data(), n, m, n, h}, p);
                simd::gemm_bf16_accumulate({ap.data() + h, kp, bp.data() + h * n, n, two.data(), n, m, n, kp - h}, p);
                for (std::size_t i = 0; i < want.size(); ++i)
                    REQUIRE(std::bit_cast<std::uint32_t>(two[i]) == std::bit_cast<std::uint32_t>(want[i]));
            }
        }
    }
}
