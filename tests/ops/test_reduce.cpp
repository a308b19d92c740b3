// row_sum / row_max / row_min (ops/reduce.hpp) against independently written oracles.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::fp16;
using ptoref::tensor_from;

namespace {

// The documented order, written out from docs/semantics.md §3.4: 16 lanes starting at -0,
// lane l adds elements j = l, l+16, l+32, ... in ascending order; then lane[l] += lane[l+8]
// (l < 8), += lane[l+4] (l < 4), += lane[l+2] (l < 2), += lane[l+1] (l < 1). `add` is the
// rounded addition of the element type.
template <class V, class Add>
V canonical_sum(const std::vector<V>& row, V neg_zero, Add add)
{
    V lane[16];
    for (V& l : lane)
        l = neg_zero;
    for (std::size_t j = 0; j < row.size(); ++j)
        lane[j % 16] = add(lane[j % 16], row[j]);
    for (int w = 8; w >= 1; w /= 2)
        for (int l = 0; l < w; ++l)
            lane[l] = add(lane[l], lane[l + w]);
    return lane[0];
}

float f32_sum(const std::vector<float>& row)
{
    return canon(canonical_sum(row, -0.0f, [](float a, float b) { return a + b; }));
}
float sequential_sum(const std::vector<float>& row)
{
    float s = 0.0f;
    for (float f : row)
        s += f;
    return s;
}
// Pairwise (torch-like) halving: another plausible order that must not be what row_sum does.
float pairwise_sum(const float* p, std::size_t n)
{
    if (n == 1)
        return p[0];
    return pairwise_sum(p, n / 2) + pairwise_sum(p + n / 2, n - n / 2);
}

template <class T>
std::uint16_t half_add(std::uint16_t a, std::uint16_t b)
{
    const double x = T::from_bits(a).to_float(), y = T::from_bits(b).to_float();
    return std::is_same_v<T, bf16> ? bf16_rne(x + y) : fp16_rne(x + y);
}

// A row whose sum depends heavily on the order: big values of both signs that cancel, and small
// values that survive only when they meet each other before the big ones.
std::vector<float> cancelling_row(rng& r, int n)
{
    std::vector<float> row(static_cast<std::size_t>(n));
    for (float& f : row) {
        switch (r.below(4)) {
        case 0:
            f = r.value(20, 26);
            break;
        case 1:
            f = -r.value(20, 26);
            break;
        default:
            f = r.value(-6, 2);
        }
    }
    return row;
}

float ieee_max(float a, float b)
{
    if (a != a || b != b)
        return f32(qnan);
    if (a == 0 && b == 0)
        return std::signbit(a) && std::signbit(b) ? -0.0f : 0.0f;
    return a > b ? a : b;
}
float ieee_min(float a, float b)
{
    if (a != a || b != b)
        return f32(qnan);
    if (a == 0 && b == 0)
        return std::signbit(a) || std::signbit(b) ? -0.0f : 0.0f;
    return a < b ? a : b;
}

} // namespace

TEST_CASE("fp32 row_sum follows the canonical 16-lane order on rows of length 1..300")
{
    rng r(5);
    int differs_from_sequential = 0, differs_from_pairwise = 0, rows = 0;
    for (int kind = 0; kind < 2; ++kind)
        for (int n = 1; n <= 300; ++n) {
            std::vector<float> row;
            if (kind == 0) {
                row.resize(static_cast<std::size_t>(n));
                for (float& f : row)
                    f = r.value(-10, 24); // wide exponent range
            } else {
                row = cancelling_row(r, n);
            }
            const float got = pl::row_sum(tensor_from<float>({1, n}, row)).to_vector()[0];
            INFO("kind " << kind << ", n = " << n);
            REQUIRE(bits(got) == bits(f32_sum(row)));
            ++rows;
            differs_from_sequential += bits(sequential_sum(row)) != bits(got);
            differs_from_pairwise += bits(pairwise_sum(row.data(), row.size())) != bits(got);
        }
    // The order is really being tested: the other orders give other bits on many rows.
    CHECK(differs_from_sequential > rows / 4);
    CHECK(differs_from_pairwise > rows / 4);
}

TEST_CASE("row_sum over many rows of 2-D and 3-D tensors, and through strided views")
{
    rng r(6);
    const ix b = 3, m = 5, n = 77;
    std::vector<float> v(static_cast<std::size_t>(b * m * n));
    for (float& f : v)
        f = r.interesting();
    auto t = tensor_from<float>({b, m, n}, v);
    const auto s3 = pl::row_sum(t);
    REQUIRE(s3.shape() == dims{b, m, 1});
    const auto s2 = pl::row_sum(pl::reshape(t, {b * m, n}));
    REQUIRE(s2.shape() == dims{b * m, 1});
    for (ix row = 0; row < b * m; ++row) {
        const std::vector<float> rv(v.begin() + row * n, v.begin() + (row + 1) * n);
        REQUIRE(bits(s3.to_vector()[static_cast<std::size_t>(row)]) == bits(f32_sum(rv)));
        REQUIRE(bits(s2.to_vector()[static_cast<std::size_t>(row)]) == bits(f32_sum(rv)));
    }
    // Columns of a transposed view: a strided input gives the bits of its dense copy.
    auto tr = pl::transpose(pl::reshape(t, {b * m, n}), 0, 1); // [n, b*m]
    auto dense = tensor_from<float>({n, b * m}, tr.to_vector());
    CHECK(bits_of(pl::row_sum(tr)) == bits_of(pl::row_sum(dense)));
    CHECK(bits_of(pl::row_max(tr)) == bits_of(pl::row_max(dense)));
    CHECK(bits_of(pl::row_min(tr)) == bits_of(pl::row_min(dense)));
    // 1-D: [N] -> [1].
    auto one = pl::row_sum(tensor_from<float>({3}, {1.0f, 2.0f, 4.0f}));
    CHECK(one.shape() == dims{1});
    CHECK(one.to_vector()[0] == 7.0f);
}

TEST_CASE("row_sum specials: -0 identity, NaN canonical, infinities")
{
    for (int n = 1; n <= 40; ++n) {
        std::vector<float> row(static_cast<std::size_t>(n), -0.0f);
        REQUIRE(bits(pl::row_sum(tensor_from<float>({1, n}, row)).to_vector()[0]) == 0x80000000u);
        row[static_cast<std::size_t>(n - 1)] = 0.0f; // one +0 anywhere makes +0
        REQUIRE(bits(pl::row_sum(tensor_from<float>({1, n}, row)).to_vector()[0]) == 0u);
    }
    auto t = tensor_from<float>({4, 3}, {f32(0x7f800000u), f32(0xff800000u), 1.0f,    // inf + -inf
                                         f32(0xffa5a5a5u), 1.0f, 2.0f,                // sNaN with payload
                                         f32(0x7f800000u), 1.0f, f32(0x7f800000u),    // inf
                                         f32(0x7f7fffffu), f32(0x7f7fffffu), -1.0f}); // overflow to inf
    CHECK(bits_of(pl::row_sum(t)) == std::vector<std::uint32_t>{qnan, qnan, 0x7f800000u, 0x7f800000u});
    // Lanes matter even for 17 elements: 2^24 + 1 + ... element 16 meets element 0 first.
    std::vector<float> row(17, 0.0f);
    row[0] = 0x1p24f;
    row[16] = 1.0f;
    row[1] = 1.0f;
    // lane 0: 2^24 + 1 = 2^24 (tie to even); lane 1: 1. Tree: ... 2^24 + 1 -> 2^24 again.
    CHECK(pl::row_sum(tensor_from<float>({1, 17}, row)).to_vector()[0] == 0x1p24f);
    CHECK(sequential_sum(row) == 0x1p24f);
    row[3] = 1.0f; // lanes 1 and 3 meet in the tree before lane 0: 1 + 1 = 2, then 2^24 + 2 is exact
    CHECK(pl::row_sum(tensor_from<float>({1, 17}, row)).to_vector()[0] == 0x1p24f + 2.0f);
    CHECK(sequential_sum(row) == 0x1p24f); // sequential: 2^24 +1 +1 +1 each lost
}

TEMPLATE_TEST_CASE("16-bit row_sum rounds every addition to the element type", "", bf16, fp16)
{
    using T = TestType;
    rng r(std::is_same_v<T, bf16> ? 7 : 8);
    int differs_from_fp32_accumulation = 0;
    for (int n = 1; n <= 150; ++n) {
        std::vector<T> row(static_cast<std::size_t>(n));
        std::vector<std::uint16_t> rb(static_cast<std::size_t>(n));
        std::vector<float> wide(static_cast<std::size_t>(n));
        for (std::size_t j = 0; j < row.size(); ++j) {
            const float f = r.value(-4, 4);
            rb[j] = std::is_same_v<T, bf16> ? bf16_rne(f) : fp16_rne(f);
            row[j] = T::from_bits(rb[j]);
            wide[j] = row[j].to_float();
        }
        const auto got = pl::row_sum(tensor_from<T>({1, n}, row)).to_vector()[0];
        const std::uint16_t want = canonical_sum(rb, std::uint16_t{0x8000}, half_add<T>);
        INFO("n = " << n);
        REQUIRE(got.bits == want);
        const double acc32 = f32_sum(wide);
        differs_from_fp32_accumulation += got.bits != (std::is_same_v<T, bf16> ? bf16_rne(acc32) : fp16_rne(acc32));
    }
    CHECK(differs_from_fp32_accumulation > 50);
    // lane 0 = 1 + 2^-8 -> 1 (a tie, to even); the other 2^-8s meet each other in the tree first.
    if constexpr (std::is_same_v<T, bf16>) {
        std::vector<T> row(17, bf16::from_bits(0x3b80)); // 2^-8
        row[0] = bf16::from_bits(0x3f80);                // 1
        const auto got = pl::row_sum(tensor_from<T>({1, 17}, row)).to_vector()[0];
        std::vector<std::uint16_t> rb(17, 0x3b80);
        rb[0] = 0x3f80;
        CHECK(got.bits == canonical_sum(rb, std::uint16_t{0x8000}, half_add<T>));
        CHECK(got.bits != bf16_rne(1.0 + 16 * 0x1p-8)); // not the exact sum rounded once
    }
}

TEST_CASE("int32 row_sum wraps")
{
    auto t = tensor_from<std::int32_t>({2, 3}, {INT32_MAX, 1, 0, INT32_MIN, -1, 5});
    CHECK(pl::row_sum(t).to_vector() == std::vector<std::int32_t>{INT32_MIN, INT32_MIN + 4});
    rng r(9);
    std::vector<std::int32_t> v(1000);
    std::uint32_t want = 0;
    for (auto& x : v) {
        x = static_cast<std::int32_t>(r.bits32());
        want += static_cast<std::uint32_t>(x);
    }
    CHECK(pl::row_sum(tensor_from<std::int32_t>({1, 1000}, v)).to_vector()[0] == static_cast<std::int32_t>(want));
}

TEST_CASE("row_max / row_min equal an IEEE maximum/minimum fold on random rows")
{
    rng r(10);
    for (int n = 1; n <= 100; ++n) {
        std::vector<float> row(static_cast<std::size_t>(n));
        for (float& f : row) {
            const int c = r.below(200);
            f = c == 0   ? f32(0x7fa5a5a5u)
                : c < 5  ? 0.0f
                : c < 10 ? -0.0f
                : c < 12 ? f32(0xff800000u)
                : c < 14 ? f32(0x7f800000u)
                : c < 16 ? f32(0x80000003u)
                         : r.value(-3, 3);
        }
        float mx = row[0], mn = row[0];
        for (float f : row)
            mx = ieee_max(mx, f), mn = ieee_min(mn, f);
        auto t = tensor_from<float>({1, n}, row);
        REQUIRE(bits(pl::row_max(t).to_vector()[0]) == bits(canon(mx)));
        REQUIRE(bits(pl::row_min(t).to_vector()[0]) == bits(canon(mn)));
    }
}

TEST_CASE("row_max/row_min: NaN propagates, -0 < +0, in any position")
{
    auto t = tensor_from<float>({6, 3}, {-0.0f, 0.0f, -1.0f,                                   // max +0
                                         0.0f, -0.0f, -1.0f,                                   // max +0
                                         -0.0f, -0.0f, -1.0f,                                  // max -0
                                         1.0f, f32(0x7fc00001u), 2.0f,                         // NaN
                                         f32(0xff800000u), f32(0xff800000u), f32(0xff800000u), // all -inf
                                         -5.0f, -0.0f, f32(0xfff00000u)});                     // NaN last
    CHECK(bits_of(pl::row_max(t)) ==
          std::vector<std::uint32_t>{0x00000000u, 0x00000000u, 0x80000000u, qnan, 0xff800000u, qnan});
    CHECK(bits_of(pl::row_min(t)) ==
          std::vector<std::uint32_t>{0xbf800000u, 0xbf800000u, 0xbf800000u, qnan, 0xff800000u, qnan});
    auto z = tensor_from<float>({2, 2}, {0.0f, -0.0f, -0.0f, 0.0f});
    CHECK(bits_of(pl::row_min(z)) == std::vector<std::uint32_t>{0x80000000u, 0x80000000u});
    CHECK(bits_of(pl::row_max(z)) == std::vector<std::uint32_t>{0u, 0u});
    auto h = tensor_from<bf16>(
        {2, 2}, {bf16::from_bits(0x8000), bf16::from_bits(0x0000), bf16::from_bits(0x3f80), bf16::from_bits(0xffa5)});
    CHECK(bits_of(pl::row_max(h)) == std::vector<std::uint16_t>{0x0000, 0x7fc0});
    CHECK(bits_of(pl::row_min(h)) == std::vector<std::uint16_t>{0x8000, 0x7fc0});
    auto i = tensor_from<std::int32_t>({1, 3}, {3, INT32_MIN, 9});
    CHECK(pl::row_max(i).to_vector()[0] == 9);
    CHECK(pl::row_min(i).to_vector()[0] == INT32_MIN);
}

TEST_CASE("keepdim: [..., M, N] -> [..., M, 1] for 1-D, 2-D and 3-D inputs")
{
    for (const dims& s : {dims{7}, dims{4, 7}, dims{2, 3, 7}, dims{2, 1, 3, 7}}) {
        auto t = pl::full(s, pl::FP32, 1.0f);
        dims want = s;
        want[want.size() - 1] = 1;
        CHECK(pl::row_sum(t).shape() == want);
        CHECK(pl::row_max(t).shape() == want);
        CHECK(pl::row_min(t).shape() == want);
        CHECK(pl::row_sum(t).to_vector() == std::vector<float>(static_cast<std::size_t>(want.product()), 7.0f));
    }
    CHECK_THROWS_WITH(pl::row_sum(pl::full({2, 0}, pl::FP32, 1.0f)),
                      Catch::Contains("pl::row_sum") && Catch::Contains("at least one element") &&
                          Catch::Contains("[2, 0]") && Catch::Contains("test_reduce.cpp:"));
    CHECK_THROWS_WITH(pl::row_max(pl::full({0}, pl::FP32, 1.0f)), Catch::Contains("pl::row_max"));
}

TEST_CASE("padding participates: rows touching padding are poison-derived and undefined")
{
    auto base = pl::full({3, 4}, pl::FP32, 1.0f);
    auto v = pl::slice(base, {3, 4}, {0, 0}, {2, 4});
    auto s = pl::row_sum(v);
    CHECK(s.valid_shape() == dims{2, 1});
    CHECK(s.to_vector()[0] == 4.0f);
    CHECK(s.defined_mask() == std::vector<std::uint8_t>{1, 1, 0});
    CHECK(std::isnan(s.to_vector()[2]));
    // Padding columns: every row reads poison.
    auto w = pl::slice(base, {3, 4}, {0, 0}, {3, 2});
    CHECK(pl::row_max(w).valid_shape() == dims{3, 1});
    CHECK(pl::row_max(w).defined_mask() == std::vector<std::uint8_t>{0, 0, 0});
    CHECK(bits_of(pl::row_max(w)) == std::vector<std::uint32_t>(3, qnan));
    // No valid column at all: the result has no valid column either.
    CHECK(pl::row_min(pl::slice(base, {3, 4}, {0, 0}, {3, 0})).valid_shape() == dims{3, 0});
    // After fillpad with the identity the padding no longer matters.
    CHECK(pl::row_sum(pl::fillpad(w, pl::PadValue::zero)).to_vector() == std::vector<float>(3, 2.0f));
    CHECK(pl::row_max(pl::fillpad(w, pl::PadValue::min)).to_vector() == std::vector<float>(3, 1.0f));
    // An undefined element (create_tensor) makes its row undefined.
    auto u = pl::create_tensor({2, 2}, pl::FP32);
    u = pl::assemble(u, pl::full({1, 2}, pl::FP32, 3.0f), {0, 0});
    u = pl::write(u, {1, 0}, 1.0f);
    CHECK(pl::row_sum(u).defined_mask() == std::vector<std::uint8_t>{1, 0});
}

TEST_CASE("col_sum/col_max/col_min/col_prod: row 0, then each row in order", "[reduce]")
{
    ops_test::rng g(31);
    for (ops_test::ix m : {1, 2, 5, 17})
        for (ops_test::ix n : {1, 3, 8}) {
            std::vector<float> v;
            for (ops_test::ix i = 0; i < 2 * m * n; ++i)
                v.push_back(i % 7 == 3 ? g.interesting() : g.value(-4, 4));
            auto x = ptoref::tensor_from<float>({2, m, n}, v);
            const auto s = pl::col_sum(x), mx = pl::col_max(x), mn = pl::col_min(x), p = pl::col_prod(x);
            CHECK(s.shape() == ptoref::dims{2, 1, n});
            const auto sv = s.to_vector(), mxv = mx.to_vector(), mnv = mn.to_vector(), pv = p.to_vector();
            for (ops_test::ix b = 0; b < 2; ++b)
                for (ops_test::ix j = 0; j < n; ++j) {
                    float as = v[static_cast<std::size_t>(b * m * n + j)], am = as, an = as, ap = as;
                    for (ops_test::ix i = 1; i < m; ++i) {
                        const float e = v[static_cast<std::size_t>(b * m * n + i * n + j)];
                        as = ops_test::canon(as + e);
                        ap = ops_test::canon(ap * e);
                        am = (std::isnan(am) || std::isnan(e))
                                 ? NAN
                                 : (am == e ? (std::signbit(am) ? e : am) : std::max(am, e));
                        an = (std::isnan(an) || std::isnan(e))
                                 ? NAN
                                 : (an == e ? (std::signbit(an) ? an : e) : std::min(an, e));
                    }
                    const std::size_t k = static_cast<std::size_t>(b * n + j);
                    CHECK(ops_test::bits(sv[k]) == ops_test::bits(m == 1 ? as : ops_test::canon(as)));
                    CHECK(ops_test::bits(pv[k]) == ops_test::bits(ap));
                    CHECK(ops_test::bits(mxv[k]) == ops_test::bits(ops_test::canon(am)));
                    CHECK(ops_test::bits(mnv[k]) == ops_test::bits(ops_test::canon(an)));
                }
        }
    // INT32 wraps, BF16 rounds every addition.
    auto xi = ptoref::tensor_from<std::int32_t>({2, 2}, {INT32_MAX, 3, 1, -4});
    CHECK(pl::col_sum(xi).to_vector() == std::vector<std::int32_t>{INT32_MIN, -1});
    CHECK(pl::col_prod(xi).to_vector() == std::vector<std::int32_t>{INT32_MAX, -12});
    auto xb =
        ptoref::tensor_from<ptoref::bf16>({3, 1}, {ptoref::bf16::from_bits(0x3f80), ptoref::bf16::from_bits(0x3b80),
                                                   ptoref::bf16::from_bits(0x3b80)}); // 1, 2^-8, 2^-8
    CHECK(pl::col_sum(xb).to_vector()[0].bits == 0x3f80);                             // 1 + 2^-8 ties to 1, twice
}

TEST_CASE("row_prod: the device's 8/16-lane order", "[reduce]")
{
    ops_test::rng g(32);
    for (ops_test::ix n : {1, 7, 8, 9, 16, 17, 40}) {
        std::vector<float> v;
        for (ops_test::ix i = 0; i < n; ++i)
            v.push_back(g.value(-1, 1));
        float lane[8] = {1, 1, 1, 1, 1, 1, 1, 1};
        for (ops_test::ix j = 0; j < n; ++j)
            lane[j % 8] *= v[static_cast<std::size_t>(j)];
        float acc = lane[0];
        for (int l = 1; l < 8; ++l)
            acc *= lane[l];
        const auto r = pl::row_prod(ptoref::tensor_from<float>({1, n}, v));
        CHECK(r.shape() == ptoref::dims{1, 1});
        CHECK(ops_test::bits(r.to_vector()[0]) == ops_test::bits(acc));
        // FP16: 16 lanes in half, then the lanes multiplied in FP32 and rounded once.
        std::vector<ptoref::fp16> h;
        for (float f : v)
            h.push_back(ptoref::convert<ptoref::fp16>(f, ptoref::cast_mode::rint));
        ptoref::fp16 hl[16];
        for (auto& e : hl)
            e = ptoref::fp16::from_bits(0x3c00);
        for (ops_test::ix j = 0; j < n; ++j)
            hl[j % 16] = ptoref::convert<ptoref::fp16>(
                hl[j % 16].to_float() * h[static_cast<std::size_t>(j)].to_float(), ptoref::cast_mode::rint);
        float hacc = hl[0].to_float();
        for (int l = 1; l < 16; ++l)
            hacc *= hl[l].to_float();
        CHECK(pl::row_prod(ptoref::tensor_from<ptoref::fp16>({n}, h)).to_vector()[0].bits ==
              ptoref::convert<ptoref::fp16>(hacc, ptoref::cast_mode::rint).bits);
    }
    CHECK(pl::row_prod(ptoref::tensor_from<std::int32_t>({1, 3}, {65536, 65536, 3})).to_vector()[0] == 0);
}

TEST_CASE("col reductions: shape errors and the valid region", "[reduce]")
{
    REQUIRE_THROWS_WITH(pl::col_sum(pl::full({4}, pl::FP32, 1.0)),
                        Catch::Contains("pl::col_sum: needs at least 2 dims"));
    REQUIRE_THROWS_WITH(pl::col_max(pl::full({0, 3}, pl::FP32, 1.0)), Catch::Contains("pl::col_max"));
    REQUIRE_THROWS_WITH(pl::row_prod(pl::full({3, 0}, pl::FP32, 1.0)), Catch::Contains("pl::row_prod"));
    auto x = pl::slice(pl::full({4, 3}, pl::FP32, 1.0), {4, 3}, {0, 0}, {2, 2});
    auto s = pl::col_sum(x);
    CHECK(s.valid_shape() == ptoref::dims{1, 2});
    CHECK(!s.storage().is_defined(0)); // padding rows participate
}
