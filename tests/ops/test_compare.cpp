// cmp / cmps / sel / sels (ops/compare.hpp) against obvious oracles: every code on special
// values and random data, the INT32 device-divergence note, mask semantics, errors.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

#include <string>

using namespace ops_test;
using ptoref::bf16;
using ptoref::fp16;
using ptoref::tensor_from;

namespace {

bool oracle(double a, double b, int c)
{
    switch (c) {
    case 0:
        return a == b;
    case 1:
        return a != b;
    case 2:
        return a < b;
    case 3:
        return a <= b;
    case 4:
        return a > b;
    default:
        return a >= b;
    }
}

} // namespace

TEST_CASE("cmp: every code on every pair of FP32 specials, 1.0/0.0 in lhs's dtype", "[compare]")
{
    const std::vector<float> sp = {0.0f,      -0.0f, 1.0f, -1.0f, f32(1),           f32(0x7f7fffffu), INFINITY,
                                   -INFINITY, NAN,   -NAN, 2.5f,  f32(0x7fa5a5a5u), f32(0x80000001u)};
    std::vector<float> av, bv;
    for (float a : sp)
        for (float b : sp)
            av.push_back(a), bv.push_back(b);
    const ix n = static_cast<ix>(av.size());
    auto a = tensor_from<float>({n}, av), b = tensor_from<float>({n}, bv);
    for (int c = 0; c <= 5; ++c) {
        const auto r = pl::cmp(a, b, c).to_vector();
        for (std::size_t i = 0; i < av.size(); ++i) {
            INFO("code " << c << " a=" << av[i] << " b=" << bv[i]);
            CHECK(bits(r[i]) == bits(oracle(av[i], bv[i], c) ? 1.0f : 0.0f));
        }
        const auto rs = pl::cmps(a, 1.0, c).to_vector();
        for (std::size_t i = 0; i < av.size(); ++i)
            CHECK(bits(rs[i]) == bits(oracle(av[i], 1.0, c) ? 1.0f : 0.0f));
    }
    CHECK(bits_of(pl::cmp(a, b)) == bits_of(pl::cmp(a, b, 0))); // default code is eq
}

TEST_CASE("cmp: INT32, BF16 and FP16 against the oracle on random data, with broadcasting", "[compare]")
{
    rng g(11);
    std::vector<std::int32_t> ai, bi;
    for (int i = 0; i < 64; ++i)
        ai.push_back(g.between(-3, 3)), bi.push_back(i % 8 == 0 ? INT32_MIN : g.between(-3, 3));
    auto a = tensor_from<std::int32_t>({8, 8}, ai);
    auto b = tensor_from<std::int32_t>({1, 8}, std::vector<std::int32_t>(bi.begin(), bi.begin() + 8));
    for (int c = 0; c <= 5; ++c) {
        const auto r = pl::cmp(a, b, c).to_vector();
        for (int i = 0; i < 64; ++i)
            CHECK(r[static_cast<std::size_t>(i)] == (oracle(ai[i], bi[i % 8], c) ? 1 : 0));
        const auto rs = pl::cmps(a, -1, c).to_vector();
        for (int i = 0; i < 64; ++i)
            CHECK(rs[static_cast<std::size_t>(i)] == (oracle(ai[i], -1, c) ? 1 : 0));
    }
    std::vector<bf16> hb;
    std::vector<fp16> hh;
    for (int i = 0; i < 64; ++i) {
        hb.push_back(bf16::from_bits(g.bits16()));
        hh.push_back(fp16::from_bits(g.bits16()));
    }
    auto tb = tensor_from<bf16>({64}, hb);
    auto th = tensor_from<fp16>({64}, hh);
    for (int c = 0; c <= 5; ++c) {
        const auto rb = bits_of(pl::cmps(tb, 0.0, c));
        const auto rh = bits_of(pl::cmps(th, 0.0, c));
        for (int i = 0; i < 64; ++i) {
            CHECK(rb[static_cast<std::size_t>(i)] ==
                  (oracle(hb[static_cast<std::size_t>(i)].to_float(), 0, c) ? 0x3f80 : 0));
            CHECK(rh[static_cast<std::size_t>(i)] ==
                  (oracle(hh[static_cast<std::size_t>(i)].to_float(), 0, c) ? 0x3c00 : 0));
        }
    }
}

TEST_CASE("cmp: INT32 lt/le/gt/ge keep their meaning and note where the device's EQ differs", "[compare]")
{
    auto a = tensor_from<std::int32_t>({4}, {1, 2, 3, 4});
    auto b = tensor_from<std::int32_t>({4}, {2, 2, 2, 2});
    ptoref::check::collector c;
    CHECK(pl::cmp(a, b, 2).to_vector() == std::vector<std::int32_t>{1, 0, 0, 0});
    REQUIRE(c.divergences().size() == 1);
    CHECK(c.divergences()[0].elements == 2); // lt vs eq differ at 1 and 2
    CHECK(c.divergences()[0].where.op == "pl::cmp");
    pl::cmp(a, b, 0); // eq and ne are what the device computes: no note
    pl::cmp(a, b, 1);
    pl::cmps(a, 9, 5); // ge vs eq: none is ge and none equal: identical, no note
    CHECK(c.divergences().size() == 1);
    pl::cmps(a, 2, 5);
    CHECK(c.divergences().size() == 2);
    auto f = tensor_from<float>({2}, {1.0f, 2.0f});
    pl::cmp(f, f, 2); // floats compare correctly on the device
    CHECK(c.divergences().size() == 2);
}

TEST_CASE("cmp: errors name the op and the code", "[compare]")
{
    auto a = tensor_from<float>({2}, {1.0f, 2.0f});
    REQUIRE_THROWS_WITH(pl::cmp(a, a, 6), Catch::Contains("pl::cmp: cmp_type 6 is not a comparison"));
    REQUIRE_THROWS_WITH(pl::cmps(a, 1.0, -1), Catch::Contains("pl::cmps: cmp_type -1"));
    auto b = tensor_from<float>({3}, {1.0f, 2.0f, 3.0f});
    REQUIRE_THROWS_WITH(pl::cmp(a, b, 0), Catch::Contains("do not broadcast"));
}

TEST_CASE("sel/sels: lhs (src) where the mask is non-zero, else rhs (the scalar)", "[compare]")
{
    auto m = tensor_from<float>({6}, {1.0f, 0.0f, -0.0f, NAN, -2.0f, f32(1)});
    auto a = tensor_from<float>({6}, {10, 11, 12, 13, 14, 15});
    auto b = tensor_from<float>({6}, {20, 21, 22, 23, 24, 25});
    CHECK(pl::sel(m, a, b).to_vector() == std::vector<float>{10, 21, 22, 13, 14, 15});
    CHECK(pl::sels(m, a, 7.0).to_vector() == std::vector<float>{10, 7, 7, 13, 14, 15});
    auto mi = tensor_from<std::int32_t>({3}, {0, 5, INT32_MIN});
    auto ai = tensor_from<std::int32_t>({3}, {1, 2, 3});
    CHECK(pl::sels(mi, ai, -1).to_vector() == std::vector<std::int32_t>{-1, 2, 3});
    auto hb = tensor_from<bf16>({3}, {bf16::from_bits(1), bf16::from_bits(2), bf16::from_bits(3)});
    CHECK(bits_of(pl::sel(mi, hb, hb)) == std::vector<std::uint16_t>{1, 2, 3});
    // cmp then sel is where(x < y, x, y)
    auto x = tensor_from<float>({3}, {1, 5, 3}), y = tensor_from<float>({3}, {4, 2, 3});
    CHECK(pl::sel(pl::cmp(x, y, 2), x, y).to_vector() == std::vector<float>{1, 2, 3});
}

TEST_CASE("sel: definedness follows the chosen operand; the valid region is the intersection", "[compare]")
{
    auto m = tensor_from<float>({2, 2}, {1, 0, 1, 0});
    auto a = tensor_from<float>({2, 2}, {1, 2, 3, 4});
    auto b = pl::slice(tensor_from<float>({2, 2}, {5, 6, 7, 8}), {2, 2}, {0, 0}, {2, 1}); // col 1 is padding
    auto r = pl::sel(m, a, b);
    CHECK(r.valid_shape() == ptoref::dims{2, 1});
    CHECK(r.storage().is_defined(0));
    CHECK(!r.storage().is_defined(1)); // rhs chosen, and it is padding
    CHECK(r.storage().is_defined(2));
}

TEST_CASE("sel/sels: shape errors name the op and both shapes", "[compare]")
{
    auto m = tensor_from<float>({2}, {1, 0});
    auto a = tensor_from<float>({3}, {1, 2, 3});
    REQUIRE_THROWS_WITH(pl::sel(m, a, a), Catch::Contains("pl::sel: mask has shape [2] but lhs has shape [3]"));
    REQUIRE_THROWS_WITH(pl::sels(m, a, 1.0), Catch::Contains("pl::sels: mask has shape [2] but src has shape [3]"));
    REQUIRE_THROWS_WITH(pl::sel(m, pl::slice(a, {2}, {0}), a), Catch::Contains("lhs has shape [2] but rhs"));
    REQUIRE_THROWS_WITH(pl::sel(ptoref::Tensor<float>{}, a, a), Catch::Contains("mask is an empty tensor handle"));
}
