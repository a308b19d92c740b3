// fmod/fmods/rem/rems (ops/remainder.hpp) against exact oracles in long double arithmetic on
// special values and random bit patterns, the integer sign rules and errors, and the FP32
// device-divergence note.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::fp16;
using ptoref::tensor_from;

namespace {

// Exact fmod by repeated subtraction of scaled divisors (long division on the exact values).
double fmod_oracle(double a, double b)
{
    if (std::isnan(a) || std::isnan(b) || std::isinf(a) || b == 0)
        return NAN;
    if (std::isinf(b))
        return a;
    double r = std::fabs(a);
    const double d = std::fabs(b);
    while (r >= d) {
        double s = d;
        while (s * 2 <= r) // exact: powers of two scaling
            s *= 2;
        r -= s; // exact: r and s within a factor of 2 (Sterbenz)
    }
    return std::copysign(r, a);
}

float rem_oracle(float a, float b)
{
    const double r = fmod_oracle(a, b);
    if (std::isnan(r))
        return NAN;
    if (r == 0)
        return std::copysign(0.0f, b);
    if (std::signbit(r) != std::signbit(b))
        return static_cast<float>(static_cast<double>(r) + b); // exact in double, one rounding to float
    return static_cast<float>(r);
}

} // namespace

TEST_CASE("fmod/rem FP32: exact remainder, sign of dividend/divisor, specials", "[remainder]")
{
    rng g(3);
    std::vector<float> av, bv;
    const std::vector<float> sp = {
        0.0f, -0.0f, 1.0f, -1.0f, 3.0f, -3.0f, 0.1f, f32(1), INFINITY, -INFINITY, NAN, f32(0x7f7fffffu), 1e-30f, -7.5f};
    for (float a : sp)
        for (float b : sp)
            av.push_back(a), bv.push_back(b);
    for (int i = 0; i < 3000; ++i)
        av.push_back(g.interesting()), bv.push_back(i % 3 ? g.value(-10, 10) : g.interesting());
    const ix n = static_cast<ix>(av.size());
    auto a = tensor_from<float>({n}, av), b = tensor_from<float>({n}, bv);
    const auto f = pl::fmod(a, b).to_vector(), r = pl::rem(a, b).to_vector();
    for (std::size_t i = 0; i < av.size(); ++i) {
        INFO("a=" << av[i] << " b=" << bv[i]);
        CHECK(bits(f[i]) == bits(canon(static_cast<float>(fmod_oracle(av[i], bv[i])))));
        CHECK(bits(r[i]) == bits(canon(rem_oracle(av[i], bv[i]))));
    }
    const auto fs = pl::fmods(a, -0.75).to_vector(), rs = pl::rems(a, -0.75).to_vector();
    for (std::size_t i = 0; i < av.size(); ++i) {
        CHECK(bits(fs[i]) == bits(canon(static_cast<float>(fmod_oracle(av[i], -0.75)))));
        CHECK(bits(rs[i]) == bits(canon(rem_oracle(av[i], -0.75f))));
    }
    CHECK(bits(pl::rem(tensor_from<float>({1}, {-1e-30f}), 1.0).to_vector()[0]) == bits(1.0f)); // rounded once
    CHECK(pl::rem(tensor_from<float>({1}, {-1.0f}), INFINITY).to_vector()[0] == INFINITY);
}

TEST_CASE("fmod/rem on BF16 and FP16: the exact results, rounded once", "[remainder]")
{
    rng g(4);
    std::vector<bf16> ab, bb;
    std::vector<fp16> ah, bh;
    for (int i = 0; i < 2000; ++i) {
        ab.push_back(bf16::from_bits(g.bits16())), bb.push_back(bf16::from_bits(g.bits16()));
        ah.push_back(fp16::from_bits(g.bits16())), bh.push_back(fp16::from_bits(g.bits16()));
    }
    const auto fb = pl::fmod(tensor_from<bf16>({2000}, ab), tensor_from<bf16>({2000}, bb)).to_vector();
    const auto rh = pl::rem(tensor_from<fp16>({2000}, ah), tensor_from<fp16>({2000}, bh)).to_vector();
    for (std::size_t i = 0; i < 2000; ++i) {
        const float fo = static_cast<float>(fmod_oracle(ab[i].to_float(), bb[i].to_float()));
        CHECK(fb[i].bits == ptoref::convert<bf16>(canon(fo), ptoref::cast_mode::rint).bits);
        const float ro = rem_oracle(ah[i].to_float(), bh[i].to_float());
        CHECK(rh[i].bits == ptoref::convert<fp16>(canon(ro), ptoref::cast_mode::rint).bits);
    }
}

TEST_CASE("fmod/rem INT32: truncated vs floored, INT32_MIN by -1, division by zero", "[remainder]")
{
    std::vector<std::int32_t> av, bv;
    for (std::int32_t x : {7, -7, 0, 6, -6, INT32_MIN, INT32_MAX})
        for (std::int32_t y : {3, -3, 1, -1, 7, INT32_MIN, INT32_MAX})
            av.push_back(x), bv.push_back(y);
    const ix n = static_cast<ix>(av.size());
    auto a = tensor_from<std::int32_t>({n}, av), b = tensor_from<std::int32_t>({n}, bv);
    const auto f = pl::fmod(a, b).to_vector(), r = pl::rem(a, b).to_vector();
    for (std::size_t i = 0; i < av.size(); ++i) {
        const std::int64_t x = av[i], y = bv[i];
        const std::int64_t t = x % y;
        CHECK(f[i] == t);
        CHECK(r[i] == ((t != 0 && ((t < 0) != (y < 0))) ? t + y : t));
    }
    CHECK(pl::rems(tensor_from<std::int32_t>({2}, {-7, 7}), 3).to_vector() == std::vector<std::int32_t>{2, 1});
    CHECK(pl::fmods(tensor_from<std::int32_t>({2}, {-7, 7}), 3).to_vector() == std::vector<std::int32_t>{-1, 1});
    REQUIRE_THROWS_WITH(pl::rems(a, 0), Catch::Contains("pl::rems: integer division by zero"));
    REQUIRE_THROWS_WITH(pl::fmod(a, pl::full({n}, pl::INT32, 0)),
                        Catch::Contains("pl::fmod: integer division by zero"));
}

TEST_CASE("fmod/rem FP32: a note counts the results the device's rounded sequence changes", "[remainder]")
{
    ptoref::check::collector c;
    pl::fmod(tensor_from<float>({2}, {7.0f, -7.0f}), tensor_from<float>({2}, {2.0f, 2.0f})); // exact either way
    CHECK(c.divergences().empty());
    pl::fmods(tensor_from<float>({2}, {5.0f, 0.25f}), 0.1); // fl(5/0.1f) = 50: the device gives 0, not 0.0999999
    REQUIRE(c.divergences().size() == 1);
    CHECK(c.divergences()[0].elements == 1);
    CHECK(c.divergences()[0].where.op == "pl::fmods");
}
