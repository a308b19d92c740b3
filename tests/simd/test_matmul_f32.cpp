// Every SIMD path of the fp32 matmul kernel gives the scalar definition's bits, on random data
// and on the values that break careless kernels (NaN, +-0, +-inf, subnormals, cancellation).
#include <ptoref/ptoref.hpp>
#include <ptoref/simd/matmul_f32.hpp>
#include <ptoref/testing/random.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdio>
#include <vector>

namespace simd = ptoref::simd;

namespace {

float edge_or_random(ptoref::testing::splitmix64& r)
{
    static const std::uint32_t edges[] = {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
                                          0x00000001u, 0x80000001u, 0x007fffffu, 0x00800000u, 0x7f7fffffu,
                                          0x3f800000u, 0xbf800000u, 0x1e800000u, 0x9e800000u};
    const std::uint64_t x = r.next();
    if (x % 13 == 0)
        return std::bit_cast<float>(edges[(x >> 8) % (sizeof edges / sizeof edges[0])]);
    // Random significands over a wide exponent range, so the order of additions matters.
    const int e = static_cast<int>((x >> 20) % 60) - 30;
    const float m = 1.0f + static_cast<float>((x >> 32) & 0xfffff) * 0x1p-20f;
    return ((x >> 60) & 1 ? -1.0f : 1.0f) * std::ldexp(m, e);
}

} // namespace

TEST_CASE("every available SIMD path equals the scalar fma chain bit for bit")
{
    ptoref::testing::splitmix64 r(2024);
    int paths_checked = 0;
    for (simd::path p : {simd::path::avx2, simd::path::avx512}) {
        if (!simd::cpu_has(p)) {
            WARN("SIMD path " << simd::to_string(p) << " is not available on this CPU: skipped");
            continue;
        }
        ++paths_checked;
        for (int trial = 0; trial < 300; ++trial) {
            const ptoref::index m = 1 + static_cast<ptoref::index>(r.next() % 9),
                                n = 1 + static_cast<ptoref::index>(r.next() % 150),
                                k = 1 + static_cast<ptoref::index>(r.next() % 70);
            const bool a_trans = r.next() & 1;
            std::vector<float> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n)),
                init(static_cast<std::size_t>(m * n));
            for (float& v : a)
                v = edge_or_random(r);
            for (float& v : b)
                v = edge_or_random(r);
            for (float& v : init)
                v = (r.next() & 3) ? 0.0f : edge_or_random(r);
            const ptoref::index a_si = a_trans ? 1 : k, a_sk = a_trans ? m : 1;
            std::vector<float> want = init, got = init;
            simd::matmul_f32_accumulate({a.data(), a_si, a_sk, b.data(), m, n, k, want.data()}, simd::path::scalar);
            simd::matmul_f32_accumulate({a.data(), a_si, a_sk, b.data(), m, n, k, got.data()}, p);
            for (std::size_t i = 0; i < want.size(); ++i) {
                const bool both_nan = std::isnan(want[i]) && std::isnan(got[i]); // payloads are canonicalised later
                REQUIRE((both_nan || std::bit_cast<std::uint32_t>(want[i]) == std::bit_cast<std::uint32_t>(got[i])));
            }
        }
    }
    std::printf("matmul kernel: %d SIMD path(s) checked against scalar\n", paths_checked);
}

TEST_CASE("pl::matmul gives the same bits on every path, bf16 and fp32, all transposes")
{
    namespace pl = ptoref::pl;
    ptoref::testing::splitmix64 r(7);
    std::vector<float> av(40 * 96), bv(96 * 72);
    for (float& v : av)
        v = edge_or_random(r);
    for (float& v : bv)
        v = edge_or_random(r);
    auto a = ptoref::tensor_from<float>({40, 96}, av);
    auto b = ptoref::tensor_from<float>({96, 72}, bv);
    auto ab = pl::cast(a, pl::BF16, "rint"), bb = pl::cast(b, pl::BF16, "rint");
    auto run = [&] {
        std::vector<std::uint32_t> bits;
        for (const auto& t : {pl::matmul(a, b, pl::FP32), pl::matmul(ab, bb, pl::FP32),
                              pl::matmul(ab, pl::transpose(bb, 0, 1), pl::FP32, false, true),
                              pl::matmul(pl::transpose(ab, 0, 1), bb, pl::FP32, true, false)})
            for (float f : t.to_vector())
                bits.push_back(std::bit_cast<std::uint32_t>(f));
        return bits;
    };
    std::vector<std::uint32_t> reference;
    {
        simd::path_scope scalar(simd::path::scalar);
        reference = run();
    }
    for (simd::path p : {simd::path::avx2, simd::path::avx512}) {
        if (!simd::cpu_has(p))
            continue;
        simd::path_scope scope(p);
        CHECK(run() == reference);
    }
}

TEST_CASE("paths: names, detection and forcing")
{
    CHECK(simd::parse_path("avx2") == simd::path::avx2);
    CHECK_THROWS_WITH(simd::parse_path("sse9"), Catch::Contains("unknown SIMD path \"sse9\""));
    CHECK(simd::cpu_has(simd::path::scalar));
    {
        simd::path_scope s(simd::path::scalar);
        CHECK(simd::active_path() == simd::path::scalar);
    }
    if (!simd::cpu_has(simd::path::avx512bf16))
        CHECK_THROWS_WITH(simd::force_path(simd::path::avx512bf16), Catch::Contains("cannot run"));
}
