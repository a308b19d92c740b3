// relu / lrelu / prelu (ops/activation.hpp): on all 2^16 BF16 and FP16 inputs and FP32 specials
// and random bits against the obvious definitions; INT32 relu.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"
#include "../math/exhaustive.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::fp16;
using ptoref::tensor_from;

TEST_CASE("relu: max(x, 0); NaN -> canonical NaN, -0 -> +0 (FP32 random bits, all BF16/FP16)", "[activation]")
{
    rng g(1);
    std::vector<float> v = {-0.0f, 0.0f, NAN, -INFINITY, INFINITY, f32(0x80000001u), f32(0x7fa5a5a5u)};
    for (int i = 0; i < 4096; ++i)
        v.push_back(f32(g.bits32()));
    const auto r = pl::relu(tensor_from<float>({static_cast<ix>(v.size())}, v)).to_vector();
    for (std::size_t i = 0; i < v.size(); ++i) {
        const float want = std::isnan(v[i]) ? f32(qnan) : (v[i] > 0 ? v[i] : 0.0f);
        CHECK(bits(r[i]) == bits(want));
    }
    std::vector<bf16> hb;
    std::vector<fp16> hh;
    for (std::uint32_t u = 0; u < 65536; ++u)
        hb.push_back(bf16::from_bits(static_cast<std::uint16_t>(u))),
            hh.push_back(fp16::from_bits(static_cast<std::uint16_t>(u)));
    const auto rb = pl::relu(tensor_from<bf16>({65536}, hb)).to_vector();
    const auto rh = pl::relu(tensor_from<fp16>({65536}, hh)).to_vector();
    for (std::size_t i = 0; i < 65536; ++i) {
        const float xb = hb[i].to_float(), xh = hh[i].to_float();
        CHECK(rb[i].bits == (std::isnan(xb) ? 0x7fc0 : xb > 0 ? hb[i].bits : 0));
        CHECK(rh[i].bits == (std::isnan(xh) ? 0x7e00 : xh > 0 ? hh[i].bits : 0));
    }
    CHECK(pl::relu(tensor_from<std::int32_t>({3}, {-5, 0, INT32_MAX})).to_vector() ==
          std::vector<std::int32_t>{0, 0, INT32_MAX});
}

TEST_CASE("lrelu/prelu: x > 0 ? x : x * slope, rounded once", "[activation]")
{
    rng g(2);
    std::vector<float> v = {-0.0f, 0.0f, NAN, -INFINITY, INFINITY, -1.0f, 2.0f};
    std::vector<float> s = {0.1f, -2.0f, 0.5f, 0.0f, 3.0f, NAN, 0.25f};
    for (int i = 0; i < 1000; ++i)
        v.push_back(g.interesting()), s.push_back(g.value(-4, 1));
    const ix n = static_cast<ix>(v.size());
    auto x = tensor_from<float>({n}, v);
    const auto l = pl::lrelu(x, 0.1).to_vector();
    const auto p = pl::prelu(x, tensor_from<float>({n}, s)).to_vector();
    for (std::size_t i = 0; i < v.size(); ++i) {
        CHECK(bits(l[i]) == bits(canon(v[i] > 0 ? v[i] : v[i] * 0.1f)));
        CHECK(bits(p[i]) == bits(canon(v[i] > 0 ? v[i] : v[i] * s[i])));
    }
    auto hb = tensor_from<bf16>({2}, {bf16::from_bits(0xbf80), bf16::from_bits(0x3f80)}); // -1, 1
    CHECK(bits_of(pl::lrelu(hb, 0.1)) ==
          std::vector<std::uint16_t>{0xbdcd, 0x3f80}); // -0.1 in BF16 (0.1 -> fp32 -> bf16)
}

// The op is unary_op over detail::relu_value (checked at op level above); the definition itself
// on every FP32 input, on all hardware threads.
TEST_CASE("relu on all 2^32 FP32 inputs", "[.][exhaustive]")
{
    std::vector<std::uint32_t> first;
    const std::uint64_t bad = ptoref_test::for_all_floats(
        [](std::uint32_t u) {
            const float x = f32(u);
            const std::uint32_t want = std::isnan(x) ? qnan : x > 0 ? u : 0u;
            return bits(ptoref::detail::relu_value(x)) == want;
        },
        first);
    INFO("first failures: " << (first.empty() ? 0u : first[0]));
    CHECK(bad == 0);
    // And the op on a slice of 2^20 consecutive patterns around +-0 and the NaN boundary.
    for (std::uint32_t base : {0u, 0x7f700000u, 0xff700000u, 0x80000000u}) {
        std::vector<float> v;
        for (std::uint32_t i = 0; i < (1u << 20); ++i)
            v.push_back(f32(base + i));
        const auto r = pl::relu(tensor_from<float>({static_cast<ix>(v.size())}, v)).to_vector();
        for (std::size_t i = 0; i < v.size(); ++i)
            CHECK(bits(r[i]) == bits(ptoref::detail::relu_value(v[i])));
    }
}
