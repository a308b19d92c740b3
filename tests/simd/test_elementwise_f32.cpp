// The SIMD elementwise kernels and row reductions give the scalar definitions' bits: binary ops
// on every pair of special values and on random bits, at every length and both broadcast forms;
// unary ops on all 2^32 inputs (the [exhaustive] case); row sums and row max/min at every length.
#include <ptoref/simd/elementwise_f32.hpp>
#include <ptoref/testing/random.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <thread>
#include <vector>

namespace simd = ptoref::simd;
using ix = ptoref::index;

namespace {

const std::uint32_t specials[] = {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00001u,
                                  0x7f800001u, 0x00000001u, 0x80000001u, 0x007fffffu, 0x00800000u, 0x7f7fffffu,
                                  0xff7fffffu, 0x3f800000u, 0xbf800000u, 0x3f800001u, 0x40490fdbu, 0x1e800000u};

float pick(ptoref::testing::splitmix64& r)
{
    const std::uint64_t x = r.next();
    if (x % 4 == 0)
        return std::bit_cast<float>(specials[(x >> 8) % (sizeof specials / sizeof specials[0])]);
    return std::bit_cast<float>(static_cast<std::uint32_t>(x >> 16));
}

std::uint32_t bits(float x)
{
    return std::bit_cast<std::uint32_t>(x);
}

std::vector<simd::path> vector_paths()
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

const simd::binary_f32 binary_ops[] = {simd::binary_f32::add, simd::binary_f32::sub,     simd::binary_f32::mul,
                                       simd::binary_f32::div, simd::binary_f32::maximum, simd::binary_f32::minimum};
const simd::unary_f32 unary_ops[] = {simd::unary_f32::neg, simd::unary_f32::abs, simd::unary_f32::sqrt,
                                     simd::unary_f32::rsqrt_hp, simd::unary_f32::recip};

} // namespace

TEST_CASE("binary_row: every path == the scalar definition, every special pair, every length")
{
    const std::size_t ns = sizeof specials / sizeof specials[0];
    for (simd::path p : vector_paths())
        for (simd::binary_f32 op : binary_ops) {
            // All pairs of special values.
            std::vector<float> a, b;
            for (std::size_t i = 0; i < ns; ++i)
                for (std::size_t j = 0; j < ns; ++j) {
                    a.push_back(std::bit_cast<float>(specials[i]));
                    b.push_back(std::bit_cast<float>(specials[j]));
                }
            std::vector<float> got(a.size());
            simd::binary_row(op, a.data(), 1, b.data(), 1, got.data(), static_cast<ix>(a.size()), p);
            for (std::size_t i = 0; i < a.size(); ++i) {
                INFO("op " << static_cast<int>(op) << " path " << simd::to_string(p) << " a " << std::hex << bits(a[i])
                           << " b " << bits(b[i]));
                REQUIRE(bits(got[i]) == bits(simd::detail::binary_scalar(op, a[i], b[i])));
            }
            // Random rows of every length, with each operand broadcast or not.
            ptoref::testing::splitmix64 r(static_cast<std::uint64_t>(op) + 1);
            for (ix n = 0; n <= 70; ++n)
                for (ix sa : {0, 1})
                    for (ix sb : {0, 1}) {
                        std::vector<float> x(static_cast<std::size_t>(n + 1)), y(x.size()), out(x.size() + 1, 7.0f);
                        for (std::size_t i = 0; i < x.size(); ++i) {
                            x[i] = pick(r);
                            y[i] = pick(r);
                        }
                        simd::binary_row(op, x.data(), sa, y.data(), sb, out.data(), n, p);
                        for (ix j = 0; j < n; ++j)
                            REQUIRE(bits(out[static_cast<std::size_t>(j)]) ==
                                    bits(simd::detail::binary_scalar(op, x[static_cast<std::size_t>(j * sa)],
                                                                     y[static_cast<std::size_t>(j * sb)])));
                        REQUIRE(out[static_cast<std::size_t>(n)] == 7.0f); // nothing written past n
                    }
        }
}

TEST_CASE("unary_row, row_sum, row_minmax: every path == the scalar definition")
{
    ptoref::testing::splitmix64 r(99);
    for (simd::path p : vector_paths()) {
        for (simd::unary_f32 op : unary_ops)
            for (ix n = 0; n <= 40; ++n) {
                std::vector<float> x(static_cast<std::size_t>(n)), out(x.size() + 1, 7.0f);
                for (float& v : x)
                    v = pick(r);
                simd::unary_row(op, x.data(), out.data(), n, p);
                for (ix j = 0; j < n; ++j)
                    REQUIRE(bits(out[static_cast<std::size_t>(j)]) ==
                            bits(simd::detail::unary_scalar(op, x[static_cast<std::size_t>(j)])));
                REQUIRE(out[static_cast<std::size_t>(n)] == 7.0f);
            }
        for (ix n = 1; n <= 200; ++n)
            for (int trial = 0; trial < 4; ++trial) {
                std::vector<float> x(static_cast<std::size_t>(n));
                for (float& v : x)
                    v = trial == 0 ? pick(r) // moderate values of both signs, so sums cancel and round
                                   : std::bit_cast<float>(static_cast<std::uint32_t>(
                                         (0x3f000000u + r.next() % 0x1000000u) ^ ((r.next() & 1) << 31)));
                INFO("path " << simd::to_string(p) << " n " << n << " trial " << trial);
                REQUIRE(bits(simd::row_sum(x.data(), n, p)) == bits(ptoref::detail::canonical_row_sum(x.data(), n)));
                REQUIRE(bits(simd::row_minmax(x.data(), n, true, p)) ==
                        bits(simd::row_minmax(x.data(), n, true, simd::path::scalar)));
                REQUIRE(bits(simd::row_minmax(x.data(), n, false, p)) ==
                        bits(simd::row_minmax(x.data(), n, false, simd::path::scalar)));
            }
    }
    // The zero rules of IEEE maximum/minimum, in the reduction.
    const float z[] = {-0.0f, 0.0f, -0.0f};
    for (simd::path p : vector_paths()) {
        CHECK(bits(simd::row_minmax(z, 3, true, p)) == 0x00000000u);
        CHECK(bits(simd::row_minmax(z, 3, false, p)) == 0x80000000u);
    }
}

// The AVX-512 path is the one with its own code (AVX2 and AVX-512-BF16 run the scalar definitions
// and the AVX-512 code respectively), so it is the one swept.
TEST_CASE("unary_row == the scalar definition on all 2^32 inputs, AVX-512 path", "[.][exhaustive]")
{
    if (!simd::cpu_has(simd::path::avx512)) {
        WARN("skipped: this CPU has no AVX-512");
        return;
    }
    for (simd::path p : {simd::path::avx512})
        for (simd::unary_f32 op : unary_ops) {
            std::uint64_t bad[2] = {0, 0};
            auto sweep = [&](std::uint64_t lo, std::uint64_t hi, std::uint64_t& nbad) {
                constexpr std::size_t chunk = 1 << 16;
                std::vector<float> x(chunk), y(chunk);
                for (std::uint64_t base = lo; base < hi; base += chunk) {
                    for (std::size_t i = 0; i < chunk; ++i)
                        x[i] = std::bit_cast<float>(static_cast<std::uint32_t>(base + i));
                    simd::unary_row(op, x.data(), y.data(), static_cast<ix>(chunk), p);
                    for (std::size_t i = 0; i < chunk; ++i)
                        nbad += bits(y[i]) != bits(simd::detail::unary_scalar(op, x[i]));
                }
            };
            constexpr std::uint64_t half = std::uint64_t{1} << 31;
            std::thread t([&] { sweep(half, 2 * half, bad[1]); });
            sweep(0, half, bad[0]);
            t.join();
            INFO("op " << static_cast<int>(op) << " path " << simd::to_string(p));
            CHECK(bad[0] + bad[1] == 0);
        }
}
