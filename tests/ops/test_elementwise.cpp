// Elementwise ops (ops/elementwise.hpp, ops/scalar.hpp) against slow, obvious oracles.
//
// fp32 oracle: the operation in double, rounded once to float. Double has 53 >= 2*24 + 2 bits,
// so for + - * / sqrt that double rounding is innocuous: the oracle is the IEEE result.
// bf16/fp16 oracle: the same double result rounded once by the independent rounding oracle of
// ops_test_util.hpp (which shares no code with ptoref::convert).
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

#include <functional>
#include <string>

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::fp16;
using ptoref::tensor_from;

namespace {

using binop = std::function<double(double, double)>;

// IEEE 754-2019 maximum / minimum on doubles, written from the definition.
double max_oracle(double x, double y)
{
    if (std::isnan(x) || std::isnan(y))
        return std::numeric_limits<double>::quiet_NaN();
    if (x == 0 && y == 0)
        return (std::signbit(x) && std::signbit(y)) ? -0.0 : 0.0;
    return x > y ? x : y;
}
double min_oracle(double x, double y)
{
    if (std::isnan(x) || std::isnan(y))
        return std::numeric_limits<double>::quiet_NaN();
    if (x == 0 && y == 0)
        return (std::signbit(x) || std::signbit(y)) ? -0.0 : 0.0;
    return x < y ? x : y;
}

std::uint32_t f32_oracle(double r)
{
    return bits(canon(static_cast<float>(r)));
}

template <class T>
std::uint16_t half_oracle(double r)
{
    if constexpr (std::is_same_v<T, bf16>)
        return bf16_rne(r);
    else
        return fp16_rne(r);
}

std::vector<float> random_floats(rng& r, std::size_t n)
{
    std::vector<float> v(n);
    for (float& f : v)
        f = r.interesting();
    return v;
}

} // namespace

TEST_CASE("fp32 + - * / max min are IEEE with canonical NaN, on edge values x edge values")
{
    const auto ev = edge_values();
    const auto n = static_cast<ix>(ev.size());
    auto a = tensor_from<float>({n, 1}, ev);
    auto b = tensor_from<float>({1, n}, ev); // broadcasting builds the full cross product
    const auto add = bits_of(pl::add(a, b)), sub = bits_of(pl::sub(a, b)), mul = bits_of(pl::mul(a, b)),
               div = bits_of(pl::div(a, b)), mx = bits_of(pl::maximum(a, b)), mn = bits_of(pl::minimum(a, b));
    for (std::size_t i = 0; i < ev.size(); ++i)
        for (std::size_t j = 0; j < ev.size(); ++j) {
            const std::size_t k = i * ev.size() + j;
            const double x = ev[i], y = ev[j];
            INFO("x = " << ev[i] << " (0x" << std::hex << bits(ev[i]) << "), y = " << ev[j] << " (0x" << bits(ev[j])
                        << ")");
            REQUIRE(add[k] == f32_oracle(x + y));
            REQUIRE(sub[k] == f32_oracle(x - y));
            REQUIRE(mul[k] == f32_oracle(x * y));
            REQUIRE(div[k] == f32_oracle(x / y));
            REQUIRE(mx[k] == f32_oracle(max_oracle(x, y)));
            REQUIRE(mn[k] == f32_oracle(min_oracle(x, y)));
        }
}

TEST_CASE("fp32 binary ops on 50 000 random pairs of every class equal the double-rounded oracle")
{
    rng r(1001);
    const std::size_t n = 50000;
    const auto av = random_floats(r, n), bv = random_floats(r, n);
    auto a = tensor_from<float>({static_cast<ix>(n)}, av), b = tensor_from<float>({static_cast<ix>(n)}, bv);
    const auto add = bits_of(pl::add(a, b)), sub = bits_of(pl::sub(a, b)), mul = bits_of(pl::mul(a, b)),
               div = bits_of(pl::div(a, b)), mx = bits_of(pl::maximum(a, b)), mn = bits_of(pl::minimum(a, b));
    std::size_t subnormal_results = 0, nan_results = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = av[i], y = bv[i];
        REQUIRE(add[i] == f32_oracle(x + y));
        REQUIRE(sub[i] == f32_oracle(x - y));
        REQUIRE(mul[i] == f32_oracle(x * y));
        REQUIRE(div[i] == f32_oracle(x / y));
        REQUIRE(mx[i] == f32_oracle(max_oracle(x, y)));
        REQUIRE(mn[i] == f32_oracle(min_oracle(x, y)));
        subnormal_results += (mul[i] & 0x7f800000u) == 0 && (mul[i] & 0x7fffffu) != 0;
        nan_results += add[i] == qnan;
    }
    // The data reaches the classes that matter.
    CHECK(subnormal_results > 100);
    CHECK(nan_results > 100);
}

TEST_CASE("maximum/minimum: NaN-propagating, max(-0,+0)=+0, min(-0,+0)=-0 in both argument orders")
{
    auto z = tensor_from<float>({4}, {0.0f, -0.0f, 0.0f, -0.0f});
    auto zr = tensor_from<float>({4}, {-0.0f, 0.0f, 0.0f, -0.0f});
    CHECK(bits_of(pl::maximum(z, zr)) == std::vector<std::uint32_t>{0, 0, 0, 0x80000000u});
    CHECK(bits_of(pl::maximum(zr, z)) == std::vector<std::uint32_t>{0, 0, 0, 0x80000000u});
    CHECK(bits_of(pl::minimum(z, zr)) == std::vector<std::uint32_t>{0x80000000u, 0x80000000u, 0, 0x80000000u});
    CHECK(bits_of(pl::minimum(zr, z)) == std::vector<std::uint32_t>{0x80000000u, 0x80000000u, 0, 0x80000000u});
    // NaN in either position, quiet or signalling, any sign/payload -> canonical NaN.
    auto n = tensor_from<float>({3}, {f32(0xffc00001u), 1.0f, f32(0x7f800001u)});
    auto m = tensor_from<float>({3}, {1.0f, f32(0x7fa00000u), f32(0xff800000u)});
    for (const auto& t : {pl::maximum(n, m), pl::maximum(m, n), pl::minimum(n, m), pl::minimum(m, n)})
        CHECK(bits_of(t) == std::vector<std::uint32_t>(3, qnan));
    // Not fmax/fmin (which would return the number).
    CHECK_FALSE(bits(std::fmax(f32(0x7fc00000u), 1.0f)) == qnan);
    // Scalar forms.
    CHECK(bits_of(pl::maximum(tensor_from<float>({2}, {-0.0f, -3.0f}), 0.0)) == std::vector<std::uint32_t>{0, 0});
    CHECK(bits_of(pl::minimum(tensor_from<float>({2}, {0.0f, 3.0f}), -0.0)) ==
          std::vector<std::uint32_t>{0x80000000u, 0x80000000u});
    CHECK(bits_of(pl::maximum(tensor_from<float>({1}, {2.0f}), std::nan(""))) == std::vector<std::uint32_t>{qnan});
    // 16-bit: NaN is the 16-bit canonical NaN, zeros ordered.
    auto hb = tensor_from<bf16>({3}, {bf16::from_bits(0x8000), bf16::from_bits(0xffa1), bf16::from_bits(0x3f80)});
    auto hb2 = tensor_from<bf16>({3}, {bf16::from_bits(0x0000), bf16::from_bits(0x3f80), bf16::from_bits(0x3f80)});
    CHECK(bits_of(pl::maximum(hb, hb2)) == std::vector<std::uint16_t>{0x0000, 0x7fc0, 0x3f80});
    CHECK(bits_of(pl::minimum(hb2, hb)) == std::vector<std::uint16_t>{0x8000, 0x7fc0, 0x3f80});
    auto hh = tensor_from<fp16>({2}, {fp16::from_bits(0x8000), fp16::from_bits(0x7d00)});
    auto hh2 = tensor_from<fp16>({2}, {fp16::from_bits(0x0000), fp16::from_bits(0x0001)});
    CHECK(bits_of(pl::minimum(hh, hh2)) == std::vector<std::uint16_t>{0x8000, 0x7e00});
}

TEMPLATE_TEST_CASE("16-bit + - * / sqrt: computed in fp32, rounded once, equal to the correctly rounded result", "",
                   bf16, fp16)
{
    using T = TestType;
    rng r(std::is_same_v<T, bf16> ? 7 : 8);
    const std::size_t n = 40000;
    std::vector<T> av(n), bv(n);
    for (std::size_t i = 0; i < n; ++i) {
        // Raw bit patterns (every class), biased towards nearby exponents for ties and cancellation.
        av[i] = T::from_bits(r.bits16());
        bv[i] = T::from_bits(i % 2 ? r.bits16() : static_cast<std::uint16_t>(av[i].bits ^ (r.bits16() & 0x80ff)));
    }
    auto a = tensor_from<T>({static_cast<ix>(n)}, av), b = tensor_from<T>({static_cast<ix>(n)}, bv);
    const auto add = bits_of(pl::add(a, b)), sub = bits_of(pl::sub(a, b)), mul = bits_of(pl::mul(a, b)),
               div = bits_of(pl::div(a, b)), sq = bits_of(pl::sqrt(a)), mx = bits_of(pl::maximum(a, b)),
               mn = bits_of(pl::minimum(a, b));
    std::size_t inexact = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = value_of(av[i]), y = value_of(bv[i]);
        INFO("x bits 0x" << std::hex << av[i].bits << ", y bits 0x" << bv[i].bits);
        REQUIRE(add[i] == half_oracle<T>(x + y));
        REQUIRE(sub[i] == half_oracle<T>(x - y));
        REQUIRE(mul[i] == half_oracle<T>(x * y)); // exact in double
        REQUIRE(div[i] == half_oracle<T>(x / y));
        REQUIRE(sq[i] == half_oracle<T>(std::sqrt(x)));
        REQUIRE(mx[i] == half_oracle<T>(max_oracle(x, y)));
        REQUIRE(mn[i] == half_oracle<T>(min_oracle(x, y)));
        inexact += value_of(T::from_bits(mul[i])) != x * y;
    }
    CHECK(inexact > n / 4); // rounding really happens
}

TEST_CASE("int32 ops wrap, divide toward zero, and reject division by zero")
{
    auto a = tensor_from<std::int32_t>({4}, {INT32_MAX, INT32_MIN, -7, 7});
    auto b = tensor_from<std::int32_t>({4}, {1, -1, 2, -2});
    CHECK(pl::add(a, b).to_vector() == std::vector<std::int32_t>{INT32_MIN, INT32_MAX, -5, 5});
    CHECK(pl::sub(a, b).to_vector() == std::vector<std::int32_t>{INT32_MAX - 1, INT32_MIN + 1, -9, 9});
    CHECK(pl::div(a, b).to_vector() == std::vector<std::int32_t>{INT32_MAX, INT32_MIN, -3, -3});
    CHECK(pl::mul(a, b).to_vector() == std::vector<std::int32_t>{INT32_MAX, INT32_MIN, -14, -14});
    CHECK(pl::neg(a).to_vector() == std::vector<std::int32_t>{-INT32_MAX, INT32_MIN, 7, -7});
    CHECK(pl::abs(a).to_vector() == std::vector<std::int32_t>{INT32_MAX, INT32_MIN, 7, 7});
    CHECK(pl::maximum(a, b).to_vector() == std::vector<std::int32_t>{INT32_MAX, -1, 2, 7});
    CHECK(pl::minimum(a, b).to_vector() == std::vector<std::int32_t>{1, INT32_MIN, -7, -2});
    CHECK(pl::div(a, 2).to_vector() == std::vector<std::int32_t>{1073741823, -1073741824, -3, 3});
    CHECK(pl::div(a, -1).to_vector() == std::vector<std::int32_t>{-INT32_MAX, INT32_MIN, 7, -7});
}

TEST_CASE("int32 ops on random pairs equal a 64-bit oracle reduced mod 2^32")
{
    rng r(2002);
    const std::size_t n = 20000;
    std::vector<std::int32_t> av(n), bv(n);
    for (std::size_t i = 0; i < n; ++i) {
        av[i] = static_cast<std::int32_t>(r.bits32());
        bv[i] = i % 3 ? r.between(-1000, 1000) : static_cast<std::int32_t>(r.bits32());
        if (bv[i] == 0)
            bv[i] = 3;
    }
    av[0] = INT32_MIN;
    bv[0] = -1;
    auto a = tensor_from<std::int32_t>({static_cast<ix>(n)}, av),
         b = tensor_from<std::int32_t>({static_cast<ix>(n)}, bv);
    const auto add = pl::add(a, b).to_vector(), sub = pl::sub(a, b).to_vector(), mul = pl::mul(a, b).to_vector(),
               div = pl::div(a, b).to_vector(), mx = pl::maximum(a, b).to_vector(), mn = pl::minimum(a, b).to_vector();
    const auto wrap = [](std::int64_t v) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(v)); };
    for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t x = av[i], y = bv[i];
        REQUIRE(add[i] == wrap(x + y));
        REQUIRE(sub[i] == wrap(x - y));
        REQUIRE(mul[i] == wrap(x * y));
        REQUIRE(div[i] == wrap(x / y)); // C++ / on int64 truncates; INT32_MIN / -1 wraps to INT32_MIN
        REQUIRE(mx[i] == std::max(av[i], bv[i]));
        REQUIRE(mn[i] == std::min(av[i], bv[i]));
    }
}

TEST_CASE("int32 division by zero throws, naming the op and the call site")
{
    auto a = tensor_from<std::int32_t>({4}, {1, 2, 3, 4});
    auto zero = tensor_from<std::int32_t>({4}, {1, 1, 0, 1});
    // (Catch2 v2 combined matchers hold references to their parts: build them in place.)
#define DIV_BY_ZERO_MSG                                                                                                \
    Catch::Contains("pl::div") && Catch::Contains("division by zero") && Catch::Contains("test_elementwise.cpp:")
    CHECK_THROWS_AS(pl::div(a, zero), ptoref::error);
    CHECK_THROWS_WITH(pl::div(a, zero), DIV_BY_ZERO_MSG);
    CHECK_THROWS_WITH(pl::div(a, 0), DIV_BY_ZERO_MSG);
    CHECK_THROWS_WITH(pl::div(a, tensor_from<std::int32_t>({1}, {0})), DIV_BY_ZERO_MSG); // broadcast divisor
    CHECK_THROWS_WITH(
        pl::row_expand_div(tensor_from<std::int32_t>({2, 2}, {1, 2, 3, 4}), tensor_from<std::int32_t>({2, 1}, {5, 0})),
        Catch::Contains("pl::row_expand_div") && Catch::Contains("division by zero") &&
            Catch::Contains("test_elementwise.cpp:"));
#undef DIV_BY_ZERO_MSG
    // Floating-point division by zero is IEEE, not an error.
    CHECK(bits_of(pl::div(tensor_from<float>({3}, {1.0f, -1.0f, 0.0f}), 0.0)) ==
          std::vector<std::uint32_t>{0x7f800000u, 0xff800000u, qnan});
}

TEST_CASE("neg and abs touch only the sign bit, NaN payload included")
{
    rng r(3003);
    std::vector<float> v = edge_values();
    for (int i = 0; i < 2000; ++i)
        v.push_back(f32(r.bits32()));
    auto x = tensor_from<float>({static_cast<ix>(v.size())}, v);
    const auto ng = bits_of(pl::neg(x)), ab = bits_of(pl::abs(x));
    for (std::size_t i = 0; i < v.size(); ++i) {
        REQUIRE(ng[i] == (bits(v[i]) ^ 0x80000000u));
        REQUIRE(ab[i] == (bits(v[i]) & 0x7fffffffu));
    }
    auto h = tensor_from<bf16>({3}, {bf16::from_bits(0x7fa5), bf16::from_bits(0x8000), bf16::from_bits(0xc0c0)});
    CHECK(bits_of(pl::neg(h)) == std::vector<std::uint16_t>{0xffa5, 0x0000, 0x40c0});
    CHECK(bits_of(pl::abs(h)) == std::vector<std::uint16_t>{0x7fa5, 0x0000, 0x40c0});
    auto g = tensor_from<fp16>({2}, {fp16::from_bits(0xfd5a), fp16::from_bits(0x0001)});
    CHECK(bits_of(pl::neg(g)) == std::vector<std::uint16_t>{0x7d5a, 0x8001});
    CHECK(bits_of(pl::abs(g)) == std::vector<std::uint16_t>{0x7d5a, 0x0001});
}

TEST_CASE("sqrt, rsqrt (correctly rounded; high_precision: sqrt rounded, then 1/x rounded), recip on random fp32")
{
    rng r(4004);
    std::vector<float> v = edge_values();
    for (int i = 0; i < 30000; ++i)
        v.push_back(i % 2 ? std::fabs(r.interesting()) : r.interesting());
    auto x = tensor_from<float>({static_cast<ix>(v.size())}, v);
    const auto sq = bits_of(pl::sqrt(x)), rs = bits_of(pl::rsqrt(x, true)), rc = bits_of(pl::recip(x));
    const auto cr = bits_of(pl::rsqrt(x));
    std::size_t hp_not_correctly_rounded = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const double d = v[i];
        const float s = canon(static_cast<float>(std::sqrt(d)));
        REQUIRE(sq[i] == bits(s));
        REQUIRE(rs[i] == f32_oracle(1.0 / static_cast<double>(s)));
        REQUIRE(rc[i] == f32_oracle(1.0 / d));
        REQUIRE(cr[i] == bits(ptoref::math::rsqrt_cr(v[i]))); // proven correctly rounded in test_rsqrt
        hp_not_correctly_rounded += rs[i] != cr[i];
    }
    // The two roundings are visible: high_precision is not the correctly rounded 1/sqrt(x).
    CHECK(hp_not_correctly_rounded > 100);
    // Specials.
    auto s = tensor_from<float>({5}, {-0.0f, 0.0f, -1.0f, f32(0x7f800000u), f32(0x00000002u)}); // 2^-148
    CHECK(bits_of(pl::sqrt(s)) == std::vector<std::uint32_t>{0x80000000u, 0, qnan, 0x7f800000u, bits(0x1p-74f)});
    CHECK(bits_of(pl::rsqrt(s)) == std::vector<std::uint32_t>{0xff800000u, 0x7f800000u, qnan, 0, bits(0x1p74f)});
    CHECK(bits_of(pl::rsqrt(s, true)) == std::vector<std::uint32_t>{0xff800000u, 0x7f800000u, qnan, 0, bits(0x1p74f)});
    CHECK(bits_of(pl::recip(s)) == std::vector<std::uint32_t>{0xff800000u, 0x7f800000u, 0xbf800000u, 0, 0x7f800000u});
}

TEMPLATE_TEST_CASE("16-bit sqrt/rsqrt/recip/exp round through fp32 once per op", "", bf16, fp16)
{
    using T = TestType;
    rng r(std::is_same_v<T, bf16> ? 5005 : 5006);
    std::vector<T> v;
    for (int i = 0; i < 8000; ++i)
        v.push_back(T::from_bits(r.bits16()));
    auto x = tensor_from<T>({static_cast<ix>(v.size())}, v);
    const auto rs = bits_of(pl::rsqrt(x, true)), rc = bits_of(pl::recip(x)), ex = bits_of(pl::exp(x)),
               lg = bits_of(pl::log(x)), cr = bits_of(pl::rsqrt(x));
    for (std::size_t i = 0; i < v.size(); ++i) {
        const double d = value_of(v[i]);
        const double s = value_of(T::from_bits(half_oracle<T>(std::sqrt(d)))); // sqrt rounded to T
        REQUIRE(rs[i] == half_oracle<T>(1.0 / s));
        REQUIRE(rc[i] == half_oracle<T>(1.0 / d));
        // rsqrt, exp, log: the correctly rounded fp32 result, rounded once more to T.
        REQUIRE(cr[i] == half_oracle<T>(ptoref::math::rsqrt_cr(static_cast<float>(d))));
        REQUIRE(ex[i] == half_oracle<T>(ptoref::math::exp_cr(static_cast<float>(d))));
        REQUIRE(lg[i] == half_oracle<T>(ptoref::math::log_cr(static_cast<float>(d))));
    }
}

TEST_CASE("exp and log are math::exp_cr / math::log_cr, element for element")
{
    rng r(6006);
    std::vector<float> v = edge_values();
    for (int i = 0; i < 20000; ++i)
        v.push_back(i % 2 ? f32(r.bits32()) : r.value(-7, 6));
    auto x = tensor_from<float>({static_cast<ix>(v.size())}, v);
    const auto ex = bits_of(pl::exp(x)), lg = bits_of(pl::log(x));
    std::size_t near_libm = 0, compared = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        REQUIRE(ex[i] == bits(ptoref::math::exp_cr(v[i])));
        REQUIRE(lg[i] == bits(ptoref::math::log_cr(v[i])));
        // An independent sanity check: libm's double exp, rounded to float, agrees except in
        // (astronomically rare) double-rounding cases; allow none on this fixed data.
        if (std::isfinite(v[i]) && std::fabs(v[i]) < 80) {
            ++compared;
            near_libm += ex[i] == bits(static_cast<float>(std::exp(static_cast<double>(v[i]))));
        }
    }
    CHECK(near_libm == compared);
    auto s = tensor_from<float>({6}, {0.0f, -0.0f, f32(0xff800000u), f32(0x7f800000u), 1.0f, -1.0f});
    CHECK(bits_of(pl::exp(s)) == std::vector<std::uint32_t>{0x3f800000u, 0x3f800000u, 0, 0x7f800000u,
                                                            bits(ptoref::math::exp_cr(1.0f)),
                                                            bits(ptoref::math::exp_cr(-1.0f))});
    CHECK(bits_of(pl::log(s)) == std::vector<std::uint32_t>{0xff800000u, 0xff800000u, qnan, 0x7f800000u, 0, qnan});
    CHECK(bits_of(pl::exp(tensor_from<float>({1}, {f32(0xffa5a5a5u)}))) == std::vector<std::uint32_t>{qnan});
}

TEST_CASE("broadcasting: rank-different operands and extent-1 stretching, against an ix oracle")
{
    // Every pair of shapes of rank 1..3 with extents in {1, 2, 3} that broadcast.
    rng r(7007);
    std::size_t pairs = 0;
    std::vector<dims> shapes;
    for (int rank = 1; rank <= 3; ++rank) {
        dims s = dims::filled(rank, 1);
        do {
            shapes.push_back(s);
        } while ([&] {
            for (int d = rank - 1; d >= 0; --d) {
                if (++s[d] <= 3)
                    return true;
                s[d] = 1;
            }
            return false;
        }());
    }
    for (const dims& sa : shapes)
        for (const dims& sb : shapes) {
            const int ro = std::max(sa.size(), sb.size());
            dims out = dims::filled(ro, 1);
            bool ok = true;
            for (int i = 0; i < ro; ++i) {
                const int ia = sa.size() - ro + i, ib = sb.size() - ro + i;
                const ix ea = ia >= 0 ? sa[ia] : 1, eb = ib >= 0 ? sb[ib] : 1;
                ok = ok && (ea == eb || ea == 1 || eb == 1);
                out[i] = std::max(ea, eb);
            }
            std::vector<float> av(static_cast<std::size_t>(sa.product())), bv(static_cast<std::size_t>(sb.product()));
            for (float& f : av)
                f = r.value();
            for (float& f : bv)
                f = r.value();
            auto a = tensor_from<float>(sa, av), b = tensor_from<float>(sb, bv);
            if (!ok) {
                REQUIRE_THROWS_WITH(pl::sub(a, b), Catch::Contains("do not broadcast") &&
                                                       Catch::Contains(ptoref::to_string(sa)) &&
                                                       Catch::Contains(ptoref::to_string(sb)));
                continue;
            }
            ++pairs;
            const auto got = pl::sub(a, b);
            REQUIRE(got.shape() == out);
            const auto gv = bits_of(got);
            dims idx = dims::filled(ro, 0);
            std::size_t k = 0;
            do {
                ix fa = 0, fb = 0;
                for (int i = 0; i < ro; ++i) {
                    const int ia = sa.size() - ro + i, ib = sb.size() - ro + i;
                    if (ia >= 0)
                        fa = fa * sa[ia] + (sa[ia] == 1 ? 0 : idx[i]);
                    if (ib >= 0)
                        fb = fb * sb[ib] + (sb[ib] == 1 ? 0 : idx[i]);
                }
                REQUIRE(gv[k++] == f32_oracle(static_cast<double>(av[static_cast<std::size_t>(fa)]) -
                                              bv[static_cast<std::size_t>(fb)]));
            } while (ptoref::advance_row_major(idx, out));
        }
    CHECK(pairs > 500);
}

TEST_CASE("non-broadcastable shapes: the error names both shapes and the dim")
{
    auto a = pl::full({4, 8}, pl::FP32, 0.0f), b = pl::full({4, 3}, pl::FP32, 0.0f);
    CHECK_THROWS_AS(pl::add(a, b), ptoref::error);
    CHECK_THROWS_WITH(pl::add(a, b), Catch::Contains("pl::add") &&
                                         Catch::Contains("shapes [4, 8] and [4, 3] do not broadcast (dim 1: 8 vs 3)") &&
                                         Catch::Contains("test_elementwise.cpp:"));
    // Rank-different: dims are counted in the (right-aligned) result.
    CHECK_THROWS_WITH(pl::maximum(pl::full({2, 3, 4}, pl::FP32, 0.0f), pl::full({5, 4}, pl::FP32, 0.0f)),
                      Catch::Contains("pl::maximum") &&
                          Catch::Contains("shapes [2, 3, 4] and [5, 4] do not broadcast (dim 1: 3 vs 5)"));
    CHECK_THROWS_WITH(pl::div(pl::full({2}, pl::INT32, 1), pl::full({3}, pl::INT32, 1)),
                      Catch::Contains("pl::div") && Catch::Contains("(dim 0: 2 vs 3)"));
}

TEST_CASE("tensor (+) scalar: the scalar becomes the tensor's dtype first, and is the right operand")
{
    auto x = tensor_from<float>({3}, {1.0f, -2.0f, 8.0f});
    // 0.1 as a double becomes the float 0.1f (one RNE conversion), like the DSL's FP32 literal.
    CHECK(bits(pl::add(x, 0.1).to_vector()[0]) == bits(1.0f + 0.1f));
    CHECK(pl::sub(x, 3).to_vector() == std::vector<float>{-2.0f, -5.0f, 5.0f});
    CHECK(pl::mul(x, 0.5f).to_vector() == std::vector<float>{0.5f, -1.0f, 4.0f});
    CHECK(pl::div(x, 4.0).to_vector() == std::vector<float>{0.25f, -0.5f, 2.0f});
    CHECK(pl::maximum(x, 0).to_vector() == std::vector<float>{1.0f, 0.0f, 8.0f});
    CHECK(pl::minimum(x, 0).to_vector() == std::vector<float>{0.0f, -2.0f, 0.0f});
    // Not computed in double: 2^-24 + 2^-50 becomes 2^-24 first, so 1 + it is a tie (-> 1),
    // while 1 + (2^-24 + 2^-50) rounded once would be 1 + 2^-23.
    CHECK(bits(pl::add(tensor_from<float>({1}, {1.0f}), 0x1p-24 + 0x1p-50).to_vector()[0]) == 0x3f800000u);
    CHECK(f32_oracle(1.0 + (0x1p-24 + 0x1p-50)) == 0x3f800001u);
    // Random: tensor-scalar equals tensor-tensor with a broadcast [1] operand.
    rng r(8008);
    std::vector<float> v(257);
    for (float& f : v)
        f = r.interesting();
    auto t = tensor_from<float>({257}, v);
    for (int i = 0; i < 20; ++i) {
        const float s = r.interesting();
        auto st = tensor_from<float>({1}, {s});
        REQUIRE(bits_of(pl::add(t, s)) == bits_of(pl::add(t, st)));
        REQUIRE(bits_of(pl::sub(t, s)) == bits_of(pl::sub(t, st)));
        REQUIRE(bits_of(pl::mul(t, s)) == bits_of(pl::mul(t, st)));
        REQUIRE(bits_of(pl::div(t, s)) == bits_of(pl::div(t, st)));
        REQUIRE(bits_of(pl::maximum(t, s)) == bits_of(pl::maximum(t, st)));
        REQUIRE(bits_of(pl::minimum(t, s)) == bits_of(pl::minimum(t, st)));
    }
    auto i = tensor_from<std::int32_t>({3}, {5, INT32_MAX, -7});
    CHECK(pl::sub(i, 7).to_vector() == std::vector<std::int32_t>{-2, INT32_MAX - 7, -14});
    CHECK(pl::add(i, 1).to_vector() == std::vector<std::int32_t>{6, INT32_MIN, -6});
    CHECK(pl::mul(i, 2).to_vector() == std::vector<std::int32_t>{10, -2, -14});
    CHECK(pl::div(i, 2).to_vector() == std::vector<std::int32_t>{2, 1073741823, -3});
    CHECK(pl::maximum(i, 0).to_vector() == std::vector<std::int32_t>{5, INT32_MAX, 0});
    CHECK(pl::minimum(i, 0).to_vector() == std::vector<std::int32_t>{0, 0, -7});
}

TEST_CASE("strided, offset and transposed inputs give the same results as dense copies")
{
    rng r(9009);
    std::vector<float> v(6 * 8 * 5);
    for (float& f : v)
        f = r.interesting();
    auto base = tensor_from<float>({6, 8, 5}, v);
    // A [3, 4] window of a transposed 3-D tensor: offset, strides > 1, non-monotone strides.
    auto view = pl::slice(pl::transpose(base, 0, 2), {3, 4}, {1, 2, 1}); // of [5, 8, 6]: [1, 2:5, 1:5]
    REQUIRE(view.shape() == dims{3, 4});
    REQUIRE_FALSE(view.is_contiguous());
    auto dense = tensor_from<float>({3, 4}, view.to_vector());
    auto other = tensor_from<float>({3, 4}, std::vector<float>(v.begin(), v.begin() + 12));
    auto col = pl::slice(base, {3, 1}, {0, 0, 0}); // [3, 1], stride 40
    auto col_dense = tensor_from<float>({3, 1}, col.to_vector());
    CHECK(bits_of(pl::mul(view, other)) == bits_of(pl::mul(dense, other)));
    CHECK(bits_of(pl::sub(other, view)) == bits_of(pl::sub(other, dense)));
    CHECK(bits_of(pl::div(view, view)) == bits_of(pl::div(dense, dense)));
    CHECK(bits_of(pl::add(view, col)) == bits_of(pl::add(dense, col_dense)));
    CHECK(bits_of(pl::maximum(col, view)) == bits_of(pl::maximum(col_dense, dense)));
    CHECK(bits_of(pl::exp(view)) == bits_of(pl::exp(dense)));
    CHECK(bits_of(pl::neg(view)) == bits_of(pl::neg(dense)));
    CHECK(bits_of(pl::rsqrt(view)) == bits_of(pl::rsqrt(dense)));
    CHECK(bits_of(pl::mul(view, 3.0)) == bits_of(pl::mul(dense, 3.0)));
    // The source is unchanged and the result is a fresh dense tensor.
    const auto res = pl::add(view, view);
    CHECK(res.is_contiguous());
    CHECK(res.storage_ptr() != base.storage_ptr());
    std::vector<std::uint32_t> vb;
    for (float f : v)
        vb.push_back(bits(f));
    CHECK(bits_of(base) == vb);
}

TEST_CASE("results keep the intersection of the inputs' valid regions; padding is undefined")
{
    auto base = pl::full({4, 4}, pl::FP32, 1.0f);
    auto part = pl::slice(base, {4, 4}, {0, 0}, {2, 3});
    auto full = pl::full({4, 4}, pl::FP32, 2.0f);
    auto s = pl::add(part, full);
    CHECK(s.valid_shape() == dims{2, 3});
    CHECK(pl::add(full, part).valid_shape() == dims{2, 3});
    CHECK(pl::add(part, pl::slice(base, {4, 4}, {0, 0}, {3, 1})).valid_shape() == dims{2, 1});
    // Padding reads as poison: its results are poison-derived NaNs and undefined.
    CHECK(s.defined_mask() == std::vector<std::uint8_t>{1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    CHECK(s.to_vector()[0] == 3.0f);
    CHECK(std::isnan(s.to_vector()[3]));
    // Unary and scalar ops keep the valid region.
    CHECK(pl::exp(part).valid_shape() == dims{2, 3});
    CHECK(pl::mul(part, 2.0).valid_shape() == dims{2, 3});
    CHECK(pl::mul(part, 2.0).defined_mask() == s.defined_mask());
    // A broadcast extent-1 dim covers the whole extent.
    auto row = pl::slice(base, {1, 4}, {0, 0}, {1, 2});
    CHECK(pl::mul(full, row).valid_shape() == dims{4, 2});
    auto vec = pl::slice(pl::full({4}, pl::FP32, 1.0f), {4}, {0}, {3});
    CHECK(pl::mul(full, vec).valid_shape() == dims{4, 3}); // lower rank: leading dims unconstrained
    // ... but an extent-1 operand with nothing valid makes nothing valid.
    auto empty_row = pl::slice(base, {1, 4}, {0, 0}, {0, 4});
    const auto e = pl::add(full, empty_row);
    CHECK(e.valid_shape() == dims{0, 4});
    CHECK(e.defined_mask() == std::vector<std::uint8_t>(16, 0));
    const auto ec = pl::add(full, pl::slice(base, {4, 1}, {0, 0}, {4, 0}));
    CHECK(ec.valid_shape() == dims{4, 0});
    CHECK(ec.defined_mask() == std::vector<std::uint8_t>(16, 0));
}

TEST_CASE("undefined inputs (create_tensor) make exactly the affected outputs undefined")
{
    auto a = pl::create_tensor({2, 3}, pl::FP32);
    a = pl::write(a, {0, 1}, 5.0f);
    a = pl::write(a, {1, 2}, 6.0f);
    auto b = pl::full({1, 3}, pl::FP32, 1.0f);
    CHECK(pl::add(a, b).defined_mask() == std::vector<std::uint8_t>{0, 1, 0, 0, 0, 1});
    CHECK(pl::add(b, a).defined_mask() == std::vector<std::uint8_t>{0, 1, 0, 0, 0, 1});
    CHECK(pl::sqrt(a).defined_mask() == std::vector<std::uint8_t>{0, 1, 0, 0, 0, 1});
    // Broadcasting an undefined element spreads it along the broadcast axis.
    auto c = pl::create_tensor({2, 1}, pl::FP32);
    c = pl::write(c, {1, 0}, 1.0f);
    CHECK(pl::mul(pl::full({2, 3}, pl::FP32, 1.0f), c).defined_mask() == std::vector<std::uint8_t>{0, 0, 0, 1, 1, 1});
}

TEST_CASE("zero-extent tensors are fine")
{
    auto a = pl::full({0, 3}, pl::FP32, 1.0f);
    auto b = pl::full({1, 3}, pl::FP32, 1.0f);
    CHECK(pl::add(a, b).shape() == dims{0, 3});
    CHECK(pl::exp(a).numel() == 0);
    CHECK(pl::add(b, pl::full({3, 0, 1}, pl::FP32, 1.0f)).shape() == dims{3, 0, 3});
}

TEST_CASE("tensor-scalar on BF16/FP16: the scalar becomes FP32, then the dtype; the op rounds once", "[elementwise]")
{
    // 1 + 2^-8 + 2^-30 as a double: FP32 keeps 2^-30, so BF16 rounds 1.00390625 up (above the
    // tie); a direct double -> BF16 rounding would agree here, 1 + 2^-8 exactly would tie to 1.
    rng g(41);
    const std::vector<double> scalars = {0.1, -3.0, 1.0 + 0x1p-8 + 0x1p-30, 1.0 + 0x1p-8, 65504.0, 1e-8, 7};
    std::vector<bf16> hb;
    std::vector<fp16> hh;
    for (int i = 0; i < 512; ++i)
        hb.push_back(bf16::from_bits(g.bits16())), hh.push_back(fp16::from_bits(g.bits16()));
    auto tb = tensor_from<bf16>({512}, hb);
    auto th = tensor_from<fp16>({512}, hh);
    for (double sd : scalars) {
        const float sf = static_cast<float>(sd);
        const bf16 sb = ptoref::convert<bf16>(sf, ptoref::cast_mode::rint);
        const fp16 sh = ptoref::convert<fp16>(sf, ptoref::cast_mode::rint);
        const auto ab = pl::adds(tb, sd).to_vector(), mb = pl::muls(tb, sd).to_vector();
        const auto sbv = pl::subs(tb, sd).to_vector(), db = pl::divs(tb, sd).to_vector();
        const auto ah = pl::add(th, sd).to_vector(), xh = pl::maximums(th, sd).to_vector();
        for (std::size_t i = 0; i < 512; ++i) {
            const float x = hb[i].to_float(), s = sb.to_float();
            const auto rb = [](float v) { return ptoref::convert<bf16>(canon(v), ptoref::cast_mode::rint).bits; };
            CHECK(ab[i].bits == rb(x + s));
            CHECK(mb[i].bits == rb(x * s));
            CHECK(sbv[i].bits == rb(x - s));
            CHECK(db[i].bits == rb(x / s));
            const float y = hh[i].to_float(), t = sh.to_float();
            CHECK(ah[i].bits == ptoref::convert<fp16>(canon(y + t), ptoref::cast_mode::rint).bits);
            CHECK(xh[i].bits ==
                  pl::maximum(tensor_from<fp16>({1}, {hh[i]}), tensor_from<fp16>({1}, {sh})).to_vector()[0].bits);
        }
    }
    CHECK(pl::adds(tensor_from<bf16>({1}, {bf16::from_bits(0x3f80)}), 1.0 + 0x1p-8 + 0x1p-30).to_vector()[0].bits ==
          0x4000); // 1 + 1.0078125 = 2.0078125 -> BF16 2.0 (the scalar is 1.0078125 in BF16)
}

TEST_CASE("tensor-scalar on BF16 notes that A2A3 has no such op; FP16 does not", "[elementwise]")
{
    ptoref::check::collector c;
    pl::adds(pl::full({2}, pl::BF16, 1.0), 1.0);
    REQUIRE(c.divergences().size() == 1);
    CHECK(c.divergences()[0].detail.find("no BF16 scalar op") != std::string::npos);
    pl::adds(pl::full({2}, pl::FP16, 1.0), 1.0);
    CHECK(c.divergences().size() == 1);
}

TEST_CASE("div/recip/log high_precision: the correctly rounded default, bit for bit", "[elementwise]")
{
    rng g(42);
    std::vector<float> v;
    for (int i = 0; i < 4096; ++i)
        v.push_back(g.interesting());
    auto x = tensor_from<float>({4096}, v);
    CHECK(bits_of(pl::recip(x, true)) == bits_of(pl::recip(x)));
    CHECK(bits_of(pl::log(x, true)) == bits_of(pl::log(x)));
    CHECK(bits_of(pl::div(x, x, true)) == bits_of(pl::div(x, x)));
    auto hb = pl::cast(x, pl::BF16);
    CHECK(bits_of(pl::recip(hb, true)) == bits_of(pl::recip(hb)));
}
