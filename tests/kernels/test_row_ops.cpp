// The AVX-512 pieces of the fused kernel give the scalar definitions' bits: every valid length of
// a tile row, rows mixing NaN, infinities, signed zeros, subnormals and huge values, and the merge
// and final-divide steps on the same kind of data.
#include <ptoref/kernels/row_ops.hpp>
#include <ptoref/simd/exp_f32.hpp>
#include <ptoref/testing/random.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

namespace kd = ptoref::kernels::detail;
namespace simd = ptoref::simd;

namespace {

float special_or_random(ptoref::testing::splitmix64& r, int mix)
{
    static const std::uint32_t specials[] = {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
                                             0xffc12345u, 0x00000001u, 0x80000001u, 0x007fffffu, 0x7f7fffffu,
                                             0xff7fffffu, 0x42c80000u, 0xc2c80000u, 0x3f800000u};
    const std::uint64_t x = r.next();
    if (mix > 0 && x % static_cast<std::uint64_t>(mix) == 0)
        return std::bit_cast<float>(specials[(x >> 8) % (sizeof specials / sizeof specials[0])]);
    // Scores of realistic size, sometimes spread far enough to underflow exp.
    const double spread = (x >> 40) % 4 == 0 ? 200.0 : 8.0;
    return static_cast<float>((static_cast<double>(x >> 11) * 0x1p-53 - 0.5) * spread);
}

std::uint32_t bits(float x)
{
    return std::bit_cast<std::uint32_t>(x);
}

} // namespace

TEST_CASE("softmax_tile_row: AVX-512 == scalar for every valid length and special values", "[kernels]")
{
    if (!simd::cpu_has(simd::path::avx512)) {
        WARN("skipped: this CPU has no AVX-512 (the scalar definition is the only path)");
        return;
    }
    ptoref::testing::splitmix64 r(4242);
    const float scales[] = {0.125f, 0.088388346f, 1.0f};
    long rows = 0;
    for (int mix : {0, 3, 17}) {
        for (int trial = 0; trial < 40; ++trial) {
            float raw[64];
            for (float& x : raw)
                x = special_or_random(r, mix);
            for (ptoref::index valid = 1; valid <= 64; ++valid) {
                const float scale = scales[static_cast<std::size_t>(trial % 3)];
                float p1[64], p2[64], m1, m2, l1, l2;
                std::uint32_t q1[32], q2[32];
                const bool ok1 = kd::softmax_tile_row_scalar(raw, valid, scale, p1, q1, m1, l1);
                const bool ok2 = kd::softmax_tile_row(raw, valid, scale, p2, q2, m2, l2, true);
                INFO("mix " << mix << " trial " << trial << " valid " << valid);
                REQUIRE(ok1 == ok2);
                REQUIRE(bits(m1) == bits(m2));
                REQUIRE(bits(l1) == bits(l2));
                for (int j = 0; j < 64; ++j)
                    REQUIRE(bits(p1[j]) == bits(p2[j]));
                for (int j = 0; j < 32; ++j)
                    REQUIRE(q1[j] == q2[j]);
                ++rows;
            }
        }
    }
    CHECK(rows == 3 * 40 * 64);
}

TEST_CASE("softmax_tile_row: IEEE maximum's zero and NaN rules", "[kernels]")
{
    float raw[64];
    for (float& x : raw)
        x = -0.0f;
    float p[64], m, l;
    std::uint32_t q[32];
    for (bool vector : {false, true}) {
        if (vector && !simd::cpu_has(simd::path::avx512))
            continue;
        raw[5] = -0.0f;
        kd::softmax_tile_row(raw, 64, 1.0f, p, q, m, l, vector);
        CHECK(bits(m) == 0x80000000u); // all -0: the max is -0
        raw[5] = 0.0f;
        kd::softmax_tile_row(raw, 64, 1.0f, p, q, m, l, vector);
        CHECK(bits(m) == 0x00000000u); // one +0 wins
        raw[7] = std::bit_cast<float>(0xffc00001u);
        kd::softmax_tile_row(raw, 64, 1.0f, p, q, m, l, vector);
        CHECK(bits(m) == 0x7fc00000u); // NaN anywhere: the canonical NaN
        CHECK(bits(l) == 0x7fc00000u);
        kd::softmax_tile_row(raw, 7, 1.0f, p, q, m, l, vector); // the NaN is padding now
        CHECK(bits(m) == 0x00000000u);
        CHECK(p[8] == 0.0f);
        raw[5] = -0.0f;
        raw[7] = -0.0f;
    }
}

TEST_CASE("merge_row and finish_row: AVX-512 == scalar", "[kernels]")
{
    if (!simd::cpu_has(simd::path::avx512)) {
        WARN("skipped: this CPU has no AVX-512");
        return;
    }
    ptoref::testing::splitmix64 r(99);
    for (int trial = 0; trial < 300; ++trial) {
        const ptoref::index n = 1 + static_cast<ptoref::index>(r.next() % 140);
        std::vector<float> o(static_cast<std::size_t>(n)), t(static_cast<std::size_t>(n));
        for (auto& x : o)
            x = special_or_random(r, 5);
        for (auto& x : t)
            x = special_or_random(r, 5);
        const float alpha = special_or_random(r, 4), beta = special_or_random(r, 4);
        std::vector<float> o1 = o, o2 = o;
        kd::merge_row_scalar(o1.data(), t.data(), alpha, beta, n);
        kd::merge_row(o2.data(), t.data(), alpha, beta, n, true);
        for (ptoref::index d = 0; d < n; ++d)
            REQUIRE(bits(o1[static_cast<std::size_t>(d)]) == bits(o2[static_cast<std::size_t>(d)]));
        const float l = special_or_random(r, 4);
        std::vector<ptoref::bf16> b1(static_cast<std::size_t>(n)), b2(static_cast<std::size_t>(n));
        kd::finish_row_scalar(o.data(), l, b1.data(), n);
        kd::finish_row(o.data(), l, b2.data(), n, true);
        for (ptoref::index d = 0; d < n; ++d)
            REQUIRE(b1[static_cast<std::size_t>(d)].bits == b2[static_cast<std::size_t>(d)].bits);
    }
}

TEST_CASE("rope_row and cast_row: AVX-512 == scalar", "[kernels]")
{
    if (!simd::cpu_has(simd::path::avx512)) {
        WARN("skipped: this CPU has no AVX-512");
        return;
    }
    ptoref::testing::splitmix64 r(7);
    for (ptoref::index half = 1; half <= 70; ++half)
        for (int trial = 0; trial < 20; ++trial) {
            const std::size_t n = static_cast<std::size_t>(2 * half);
            std::vector<float> x(n), c(n), s(n);
            for (std::size_t i = 0; i < n; ++i) {
                x[i] = special_or_random(r, trial % 2 ? 6 : 0);
                c[i] = special_or_random(r, trial % 3 ? 9 : 0);
                s[i] = special_or_random(r, trial % 3 ? 9 : 0);
            }
            std::vector<ptoref::bf16> a(n), b(n);
            kd::rope_row_scalar(x.data(), c.data(), s.data(), half, a.data());
            kd::rope_row(x.data(), c.data(), s.data(), half, b.data(), true);
            for (std::size_t i = 0; i < n; ++i)
                REQUIRE(a[i].bits == b[i].bits);
            kd::cast_row_scalar(x.data(), a.data(), static_cast<ptoref::index>(n));
            kd::cast_row(x.data(), b.data(), static_cast<ptoref::index>(n), true);
            for (std::size_t i = 0; i < n; ++i)
                REQUIRE(a[i].bits == b[i].bits);
        }
}

namespace {

// Mismatches of exp_bf16_row's vector path against bf16(exp_cr(x)) over bit patterns [lo, hi).
// The reference uses simd::exp_cr, itself proven equal to math::exp_cr on all inputs.
std::uint64_t exp_bf16_sweep(std::uint64_t lo, std::uint64_t hi, std::uint32_t& first)
{
    constexpr std::size_t chunk = 1 << 16;
    std::vector<float> x(chunk), e(chunk);
    std::vector<ptoref::bf16> got(chunk);
    std::uint64_t bad = 0;
    for (std::uint64_t base = lo; base < hi; base += chunk) {
        for (std::size_t i = 0; i < chunk; ++i)
            x[i] = std::bit_cast<float>(static_cast<std::uint32_t>(base + i));
        simd::exp_cr(x.data(), e.data(), chunk);
        kd::exp_bf16_row(x.data(), got.data(), chunk, true);
        for (std::size_t i = 0; i < chunk; ++i)
            if (got[i].bits != kd::to_bf16(ptoref::detail::scalar::canon(e[i])).bits && bad++ == 0)
                first = static_cast<std::uint32_t>(base + i);
    }
    return bad;
}

} // namespace

TEST_CASE("exp_bf16_row: the float evaluation with its bf16 interval test == bf16(exp_cr(x)), special values",
          "[kernels]")
{
    const float xs[] = {0.0f,
                        -0.0f,
                        -1e-30f,
                        -0.5f,
                        -1.0f,
                        -85.9f,
                        -86.0f,
                        -86.1f,
                        -87.5f,
                        -104.0f,
                        -200.0f,
                        -std::numeric_limits<float>::infinity(),
                        std::numeric_limits<float>::infinity(),
                        1.0f,
                        88.0f,
                        std::bit_cast<float>(0x7fc00000u),
                        std::bit_cast<float>(0xffc00001u),
                        std::bit_cast<float>(0x80000001u)};
    std::vector<float> in;
    for (int rep = 0; rep < 2; ++rep)
        for (float x : xs)
            in.push_back(x);
    std::vector<ptoref::bf16> a(in.size()), b(in.size());
    kd::exp_bf16_row(in.data(), a.data(), static_cast<ptoref::index>(in.size()), false);
    if (simd::cpu_has(simd::path::avx512)) {
        kd::exp_bf16_row(in.data(), b.data(), static_cast<ptoref::index>(in.size()), true);
        for (std::size_t i = 0; i < in.size(); ++i)
            REQUIRE(a[i].bits == b[i].bits);
    }
    CHECK(a[0].bits == 0x3f80u);  // e^0 = 1
    CHECK(a[11].bits == 0x0000u); // e^-inf = +0
    CHECK(a[15].bits == 0x7fc0u); // NaN
}

TEST_CASE("exp_bf16_row == bf16(exp_cr(x)) on all 2^32 inputs", "[.][exhaustive]")
{
    if (!simd::cpu_has(simd::path::avx512)) {
        WARN("skipped: this CPU has no AVX-512 (the scalar definition is the only path)");
        return;
    }
    constexpr std::uint64_t half = std::uint64_t{1} << 31;
    std::uint32_t first[2] = {0, 0};
    std::uint64_t bad[2] = {0, 0};
    std::thread t([&] { bad[1] = exp_bf16_sweep(half, 2 * half, first[1]); });
    bad[0] = exp_bf16_sweep(0, half, first[0]);
    t.join();
    INFO("first mismatch at input bits " << std::hex << (bad[0] ? first[0] : first[1]));
    CHECK(bad[0] + bad[1] == 0);
}
