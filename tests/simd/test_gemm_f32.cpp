// Every SIMD path of the register-blocked GEMM gives the scalar fma chain's bits: random shapes
// that hit every block size and remainder, leading dimensions wider than the matrices, and the
// values that break careless kernels (NaN, +-0, +-inf, subnormals, cancellation).
#include <ptoref/simd/gemm_f32.hpp>
#include <ptoref/testing/random.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <vector>

namespace simd = ptoref::simd;
using ix = ptoref::index;

namespace {

float edge_or_random(ptoref::testing::splitmix64& r)
{
    static const std::uint32_t edges[] = {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
                                          0xffc00001u, 0x00000001u, 0x80000001u, 0x007fffffu, 0x00800000u,
                                          0x7f7fffffu, 0x3f800000u, 0xbf800000u, 0x1e800000u, 0x9e800000u};
    const std::uint64_t x = r.next();
    if (x % 11 == 0)
        return std::bit_cast<float>(edges[(x >> 8) % (sizeof edges / sizeof edges[0])]);
    const int e = static_cast<int>((x >> 20) % 60) - 30;
    const float m = 1.0f + static_cast<float>((x >> 32) & 0xfffff) * 0x1p-20f;
    return ((x >> 60) & 1 ? -1.0f : 1.0f) * std::ldexp(m, e);
}

// The definition, written independently of the kernel's scalar remainder code.
void oracle(const simd::gemm_f32_args& p)
{
    for (ix i = 0; i < p.m; ++i)
        for (ix j = 0; j < p.n; ++j)
            for (ix k = 0; k < p.k; ++k)
                p.c[i * p.ldc + j] = std::fma(p.a[i * p.lda + k], p.b[k * p.ldb + j], p.c[i * p.ldc + j]);
}

// Equal bits, except that any NaN equals any NaN: which NaN operand an FMA propagates depends on
// the instruction form the compiler picks, so the kernel leaves payloads unspecified and its
// callers canonicalise (docs/semantics.md).
bool same_bits(const std::vector<float>& x, const std::vector<float>& y)
{
    if (x.size() != y.size())
        return false;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!(std::isnan(x[i]) && std::isnan(y[i])) &&
            std::bit_cast<std::uint32_t>(x[i]) != std::bit_cast<std::uint32_t>(y[i]))
            return false;
    return true;
}

} // namespace

TEST_CASE("gemm_f32: every path equals the k-ascending fma chain bit for bit")
{
    ptoref::testing::splitmix64 r(77);
    for (simd::path p : {simd::path::scalar, simd::path::avx2, simd::path::avx512, simd::path::avx512bf16}) {
        if (!simd::cpu_has(p)) {
            WARN("SIMD path " << simd::to_string(p) << " is not available on this CPU: skipped");
            continue;
        }
        for (int trial = 0; trial < 400; ++trial) {
            const ix m = 1 + static_cast<ix>(r.next() % 11), n = 1 + static_cast<ix>(r.next() % 150),
                     k = static_cast<ix>(r.next() % 70);
            const ix lda = k + static_cast<ix>(r.next() % 3), ldb = n + static_cast<ix>(r.next() % 3),
                     ldc = n + static_cast<ix>(r.next() % 3);
            std::vector<float> a(static_cast<std::size_t>(m * lda + 1)), b(static_cast<std::size_t>(k * ldb + 1)),
                c(static_cast<std::size_t>(m * ldc + 1));
            for (float& v : a)
                v = edge_or_random(r);
            for (float& v : b)
                v = edge_or_random(r);
            for (float& v : c)
                v = (r.next() & 3) ? 0.0f : edge_or_random(r);
            std::vector<float> want = c, got = c;
            oracle({a.data(), lda, b.data(), ldb, want.data(), ldc, m, n, k});
            simd::gemm_f32_accumulate({a.data(), lda, b.data(), ldb, got.data(), ldc, m, n, k}, p);
            INFO("path " << simd::to_string(p) << " m=" << m << " n=" << n << " k=" << k);
            REQUIRE(same_bits(want, got)); // padding columns between rows are untouched too
        }
    }
}

TEST_CASE("gemm_f32: overwrite starts every chain at +0 without reading c")
{
    ptoref::testing::splitmix64 r(5);
    for (simd::path p : {simd::path::scalar, simd::path::avx2, simd::path::avx512}) {
        if (!simd::cpu_has(p))
            continue;
        const ix m = 7, n = 70, k = 33;
        std::vector<float> a(m * k), b(k * n), zero(m * n, 0.0f), junk(m * n, std::bit_cast<float>(0x7fc00000u));
        for (float& v : a)
            v = edge_or_random(r);
        for (float& v : b)
            v = edge_or_random(r);
        oracle({a.data(), k, b.data(), n, zero.data(), n, m, n, k});
        simd::gemm_f32_accumulate({a.data(), k, b.data(), n, junk.data(), n, m, n, k, true}, p);
        CHECK(same_bits(zero, junk));
    }
}

TEST_CASE("gemm_f32: empty shapes touch nothing")
{
    std::vector<float> c(4, 1.5f);
    const float a = 2.0f, b = 3.0f;
    simd::gemm_f32_accumulate({&a, 1, &b, 1, c.data(), 1, 0, 4, 1});
    simd::gemm_f32_accumulate({&a, 1, &b, 1, c.data(), 1, 4, 0, 1});
    simd::gemm_f32_accumulate({&a, 1, &b, 1, c.data(), 1, 4, 1, 0}); // k = 0: c unchanged
    CHECK(c == std::vector<float>(4, 1.5f));
}
