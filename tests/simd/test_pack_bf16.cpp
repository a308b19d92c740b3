// The vector packing of bf16 operands (simd/pack_bf16.hpp) gives the scalar definition's words:
// every length 1..70 (odd ones end in a +0 half), every offset within a vector, random bf16 bit
// patterns with NaN, infinities, subnormals and zeros; and its range check answers as
// all_bf16_in_dot_range does on every bf16 pattern and on random arrays.
#include <ptoref/simd/pack_bf16.hpp>
#include <ptoref/testing/random.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace simd = ptoref::simd;
using ix = ptoref::index;
using ptoref::bf16;

namespace {

// Random patterns, a quarter of them special: NaN (payloads, both signs), +-inf, subnormals, +-0.
std::vector<bf16> random_bf16(ptoref::testing::splitmix64& r, ix n)
{
    static constexpr std::uint16_t special[] = {0x7fc0, 0xffc0, 0x7f81, 0xff81, 0x7fff, 0x7f80, 0xff80,
                                                0x0001, 0x807f, 0x0040, 0x0000, 0x8000, 0x2600, 0x5780};
    std::vector<bf16> v(static_cast<std::size_t>(n));
    for (auto& x : v) {
        const std::uint64_t u = r.next();
        x = bf16::from_bits(u % 4 == 0 ? special[(u >> 8) % (sizeof special / sizeof special[0])]
                                       : static_cast<std::uint16_t>(u >> 32));
    }
    return v;
}

std::vector<simd::path> vector_paths()
{
    std::vector<simd::path> ps;
    for (simd::path p : {simd::path::avx512, simd::path::avx512bf16})
        if (simd::cpu_has(p))
            ps.push_back(p);
    return ps;
}

} // namespace

TEST_CASE("pack_bf16_line gives the scalar words for lengths 1..70 and every offset")
{
    ptoref::testing::splitmix64 r(12);
    for (simd::path p : vector_paths())
        for (ix k = 1; k <= 70; ++k)
            for (ix off = 0; off < 33; ++off)
                for (int rep = 0; rep < 3; ++rep) {
                    const std::vector<bf16> x = random_bf16(r, off + k + 1);
                    const ix kp = (k + 1) / 2;
                    // One guard word past the end: the vector code must not write it.
                    std::vector<std::uint32_t> want(static_cast<std::size_t>(kp + 1), 0xdeadbeefu), got = want;
                    simd::detail::pack_bf16_line_scalar(x.data() + off, k, want.data());
                    simd::pack_bf16_line(x.data() + off, k, got.data(), p);
                    INFO("path " << simd::to_string(p) << " k " << k << " offset " << off);
                    REQUIRE(got == want);
                    if (k % 2)
                        REQUIRE((want[static_cast<std::size_t>(kp - 1)] & 0xffffu) == 0);
                }
}

TEST_CASE("pack_bf16_rows gives the scalar words, with and without a second row")
{
    ptoref::testing::splitmix64 r(13);
    for (simd::path p : vector_paths())
        for (ix n = 1; n <= 70; ++n)
            for (int rep = 0; rep < 8; ++rep) {
                const std::vector<bf16> r0 = random_bf16(r, n), r1 = random_bf16(r, n);
                for (const bf16* second : {r1.data(), static_cast<const bf16*>(nullptr)}) {
                    std::vector<std::uint32_t> want(static_cast<std::size_t>(n + 1), 0xdeadbeefu), got = want;
                    simd::detail::pack_bf16_rows_scalar(r0.data(), second, n, want.data());
                    simd::pack_bf16_rows(r0.data(), second, n, got.data(), p);
                    INFO("path " << simd::to_string(p) << " n " << n << " second row " << (second != nullptr));
                    REQUIRE(got == want);
                }
            }
}

TEST_CASE("bf16_line_in_dot_range answers as all_bf16_in_dot_range")
{
    std::vector<simd::path> paths = vector_paths();
    paths.push_back(simd::path::scalar);
    // Every pattern alone, and at every position of a 37-element line of in-range values.
    std::vector<bf16> line(37, bf16::from_bits(0x3f80)); // 1.0
    for (simd::path p : paths)
        for (std::uint32_t b = 0; b < 0x10000u; ++b) {
            const bf16 x = bf16::from_bits(static_cast<std::uint16_t>(b));
            const bool want = simd::bf16_in_dot_range(x.bits);
            INFO("path " << simd::to_string(p) << " bits " << b);
            REQUIRE(simd::bf16_line_in_dot_range(&x, 1, p) == want);
            const std::size_t at = b % line.size();
            line[at] = x;
            REQUIRE(simd::bf16_line_in_dot_range(line.data(), static_cast<ix>(line.size()), p) == want);
            line[at] = bf16::from_bits(0x3f80);
        }
    ptoref::testing::splitmix64 r(14);
    for (simd::path p : paths)
        for (ix n = 0; n <= 70; ++n)
            for (int rep = 0; rep < 20; ++rep) {
                std::vector<bf16> x = random_bf16(r, n);
                // Mostly in range, so that both answers occur.
                for (auto& v : x)
                    if (r.next() % 8 != 0)
                        v = bf16::from_bits(static_cast<std::uint16_t>((v.bits & 0x807fu) | 0x3f00u));
                INFO("path " << simd::to_string(p) << " n " << n);
                REQUIRE(simd::bf16_line_in_dot_range(x.data(), n, p) == simd::all_bf16_in_dot_range(x.data(), n));
            }
}
