#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::tensor_from;

namespace {
float canon(float x)
{
    return x != x ? f32(0x7fc00000u) : x;
}

// bf16 oracle: the exact result in double, rounded once to bf16 (nearest even) by search.
std::uint16_t bf16_of_double(double v)
{
    if (std::isnan(v))
        return 0x7fc0;
    const float f = static_cast<float>(v); // may round; fix below by checking neighbours
    std::uint16_t best = ptoref::convert<bf16>(f, ptoref::cast_mode::rint).bits;
    // Try the candidates around and keep the nearest to v (ties to even mantissa).
    double best_err = std::fabs(static_cast<double>(bf16::from_bits(best).to_float()) - v);
    for (int d : {-1, 1}) {
        const auto c = static_cast<std::uint16_t>(best + d);
        const float cf = bf16::from_bits(c).to_float();
        if (std::isnan(cf) || (std::signbit(cf) != std::signbit(bf16::from_bits(best).to_float()) && cf != 0))
            continue;
        const double err = std::fabs(static_cast<double>(cf) - v);
        if (err < best_err || (err == best_err && !(c & 1))) {
            best = c;
            best_err = err;
        }
    }
    return best;
}
} // namespace

TEST_CASE("fp32 binary ops are IEEE with canonical NaN, on edge values x edge values")
{
    const auto ev = edge_values();
    const auto n = static_cast<ptoref::index>(ev.size());
    auto a = tensor_from<float>({n, 1}, ev);
    auto b = tensor_from<float>({1, n}, ev); // broadcasting builds the full cross product
    const auto add = pl::add(a, b).to_vector(), sub = pl::sub(a, b).to_vector(), mul = pl::mul(a, b).to_vector(),
               div = pl::div(a, b).to_vector();
    for (std::size_t i = 0; i < ev.size(); ++i)
        for (std::size_t j = 0; j < ev.size(); ++j) {
            const std::size_t k = i * ev.size() + j;
            REQUIRE(bits(add[k]) == bits(canon(ev[i] + ev[j])));
            REQUIRE(bits(sub[k]) == bits(canon(ev[i] - ev[j])));
            REQUIRE(bits(mul[k]) == bits(canon(ev[i] * ev[j])));
            REQUIRE(bits(div[k]) == bits(canon(ev[i] / ev[j])));
        }
}

TEST_CASE("maximum/minimum propagate NaN and order -0 < +0 in both argument orders")
{
    auto z = tensor_from<float>({2}, {0.0f, -0.0f});
    auto zr = tensor_from<float>({2}, {-0.0f, 0.0f});
    CHECK(bits_of(pl::maximum(z, zr)) == std::vector<std::uint32_t>{0, 0});
    CHECK(bits_of(pl::minimum(z, zr)) == std::vector<std::uint32_t>{0x80000000u, 0x80000000u});
    auto n = tensor_from<float>({2}, {f32(0xffc00001u), 1.0f});
    auto m = tensor_from<float>({2}, {1.0f, f32(0x7fa00000u)});
    CHECK(bits_of(pl::maximum(n, m)) == std::vector<std::uint32_t>{0x7fc00000u, 0x7fc00000u});
    CHECK(bits_of(pl::minimum(m, n)) == std::vector<std::uint32_t>{0x7fc00000u, 0x7fc00000u});
    CHECK(pl::maximum(tensor_from<float>({1}, {-3.0f}), -5.0).to_vector()[0] == -3.0f);
}

TEST_CASE("bf16 arithmetic equals the correctly rounded bf16 result (fp32 then one rounding)")
{
    rng r(42);
    std::vector<bf16> av, bv;
    for (int i = 0; i < 20000; ++i) {
        av.push_back(ptoref::convert<bf16>(r.value(-20, 20), ptoref::cast_mode::rint));
        bv.push_back(ptoref::convert<bf16>(r.value(-20, 20), ptoref::cast_mode::rint));
    }
    auto a = tensor_from<bf16>({20000}, av), b = tensor_from<bf16>({20000}, bv);
    const auto add = bits_of(pl::add(a, b)), sub = bits_of(pl::sub(a, b)), mul = bits_of(pl::mul(a, b)),
               div = bits_of(pl::div(a, b)), sq = bits_of(pl::sqrt(pl::abs(a)));
    for (std::size_t i = 0; i < av.size(); ++i) {
        const double x = av[i].to_float(), y = bv[i].to_float();
        REQUIRE(add[i] == bf16_of_double(x + y));
        REQUIRE(sub[i] == bf16_of_double(x - y));
        REQUIRE(mul[i] == bf16_of_double(x * y));
        REQUIRE(div[i] == bf16_of_double(x / y));
        REQUIRE(sq[i] == bf16_of_double(std::sqrt(std::fabs(x))));
    }
}

TEST_CASE("int32 ops wrap, divide toward zero, and reject division by zero")
{
    auto a = tensor_from<std::int32_t>({4}, {INT32_MAX, INT32_MIN, -7, 7});
    auto b = tensor_from<std::int32_t>({4}, {1, -1, 2, -2});
    CHECK(pl::add(a, b).to_vector() == std::vector<std::int32_t>{INT32_MIN, INT32_MAX, -5, 5});
    CHECK(pl::div(a, b).to_vector() == std::vector<std::int32_t>{INT32_MAX, INT32_MIN, -3, -3});
    CHECK(pl::mul(a, b).to_vector() == std::vector<std::int32_t>{INT32_MAX, INT32_MIN, -14, -14});
    CHECK(pl::neg(a).to_vector() == std::vector<std::int32_t>{-INT32_MAX, INT32_MIN, 7, -7});
    CHECK(pl::abs(a).to_vector() == std::vector<std::int32_t>{INT32_MAX, INT32_MIN, 7, 7});
    CHECK(pl::div(a, 2).to_vector() == std::vector<std::int32_t>{1073741823, -1073741824, -3, 3});
    auto zero = tensor_from<std::int32_t>({4}, {1, 1, 0, 1});
    CHECK_THROWS_WITH(pl::div(a, zero), Catch::Contains("pl::div") && Catch::Contains("division by zero") &&
                                            Catch::Contains("test_elementwise.cpp:"));
    CHECK_THROWS_WITH(pl::div(a, 0), Catch::Contains("division by zero"));
}

TEST_CASE("neg and abs touch only the sign bit, NaN payload included")
{
    auto x = tensor_from<float>({3}, {f32(0x7fa5a5a5u), -0.0f, 2.0f});
    CHECK(bits_of(pl::neg(x)) == std::vector<std::uint32_t>{0xffa5a5a5u, 0x00000000u, 0xc0000000u});
    CHECK(bits_of(pl::abs(pl::neg(x))) == std::vector<std::uint32_t>{0x7fa5a5a5u, 0x00000000u, 0x40000000u});
}

TEST_CASE("sqrt, rsqrt (two roundings), recip, exp, log")
{
    const auto ev = edge_values();
    auto x = tensor_from<float>({static_cast<ptoref::index>(ev.size())}, ev);
    const auto sq = pl::sqrt(x).to_vector(), rs = pl::rsqrt(x).to_vector(), rc = pl::recip(x).to_vector(),
               ex = pl::exp(x).to_vector(), lg = pl::log(x).to_vector();
    for (std::size_t i = 0; i < ev.size(); ++i) {
        CHECK(bits(sq[i]) == bits(canon(std::sqrt(ev[i]))));
        CHECK(bits(rs[i]) == bits(canon(1.0f / canon(std::sqrt(ev[i])))));
        CHECK(bits(rc[i]) == bits(canon(1.0f / ev[i])));
        CHECK(bits(ex[i]) == bits(ptoref::math::exp_cr(ev[i])));
        CHECK(bits(lg[i]) == bits(ptoref::math::log_cr(ev[i])));
    }
    // rsqrt is not a correctly rounded 1/sqrt: 2 rounds twice.
    CHECK(pl::rsqrt(tensor_from<float>({1}, {2.0f})).to_vector()[0] == 1.0f / std::sqrt(2.0f));
}

TEST_CASE("broadcasting: rank-different operands, extent-1 stretching, and the error message")
{
    auto a = tensor_from<float>({2, 1, 3}, {1, 2, 3, 4, 5, 6});
    auto b = tensor_from<float>({2, 1}, {10, 20});
    auto c = pl::add(a, b); // -> [2, 2, 3]
    REQUIRE(c.shape() == dims{2, 2, 3});
    CHECK(c.to_vector() == std::vector<float>{11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26});
    CHECK_THROWS_WITH(
        pl::add(tensor_from<float>({4, 8}, std::vector<float>(32)), tensor_from<float>({4, 3}, std::vector<float>(12))),
        Catch::Contains("shapes [4, 8] and [4, 3] do not broadcast (dim 1: 8 vs 3)") && Catch::Contains("pl::add"));
}

TEST_CASE("strided and transposed inputs give the same results as dense copies")
{
    rng r(3);
    std::vector<float> v(48);
    for (float& f : v)
        f = r.value();
    auto base = tensor_from<float>({6, 8}, v);
    auto view = pl::transpose(pl::slice(base, {4, 3}, {1, 2}), 0, 1); // [3, 4], strided
    auto dense = tensor_from<float>({3, 4}, view.to_vector());
    auto other = tensor_from<float>({3, 4}, std::vector<float>(v.begin(), v.begin() + 12));
    CHECK(bits_of(pl::mul(view, other)) == bits_of(pl::mul(dense, other)));
    CHECK(bits_of(pl::exp(view)) == bits_of(pl::exp(dense)));
}

TEST_CASE("results keep the intersection of the inputs' valid regions; padding is undefined")
{
    auto base = pl::full({4, 4}, pl::FP32, 1.0f);
    auto part = pl::slice(base, {4, 4}, {0, 0}, {2, 3});
    auto full = pl::full({4, 4}, pl::FP32, 2.0f);
    auto s = pl::add(part, full);
    CHECK(s.valid_shape() == dims{2, 3});
    CHECK(s.is_defined({1, 2}));
    CHECK_FALSE(s.is_defined({2, 0}));
    auto row = pl::slice(base, {1, 4}, {0, 0}, {1, 2});
    CHECK(pl::mul(full, row).valid_shape() == dims{4, 2}); // a broadcast extent-1 dim covers all rows
}

TEST_CASE("tensor-scalar ops convert the scalar to the tensor's dtype first")
{
    auto x = tensor_from<float>({1}, {1.0f});
    // 0.1 as a double becomes the float 0.1f (one RNE conversion), like the DSL's FP32 literal.
    CHECK(bits(pl::add(x, 0.1).to_vector()[0]) == bits(1.0f + 0.1f));
    CHECK(pl::sub(tensor_from<std::int32_t>({1}, {5}), 7).to_vector()[0] == -2);
}
