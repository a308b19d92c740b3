// row_expand_* / col_expand_* (ops/broadcast.hpp) against an index-loop oracle, and every
// shape-rule violation.
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

enum class opk { add, sub, mul, div };
constexpr opk all_ops[] = {opk::add, opk::sub, opk::mul, opk::div};

double apply(opk o, double x, double y)
{
    switch (o) {
    case opk::add:
        return x + y;
    case opk::sub:
        return x - y;
    case opk::mul:
        return x * y;
    case opk::div:
        return x / y;
    }
    return 0;
}
std::int32_t apply_int(opk o, std::int32_t x, std::int32_t y)
{
    const std::int64_t a = x, b = y;
    const std::int64_t r = o == opk::add ? a + b : o == opk::sub ? a - b : o == opk::mul ? a * b : a / b;
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(r));
}

template <class T>
ptoref::Tensor<T> row_op(opk o, const ptoref::Tensor<T>& x, const ptoref::Tensor<T>& v)
{
    switch (o) {
    case opk::add:
        return pl::row_expand_add(x, v);
    case opk::sub:
        return pl::row_expand_sub(x, v);
    case opk::mul:
        return pl::row_expand_mul(x, v);
    case opk::div:
        return pl::row_expand_div(x, v);
    }
    return {};
}
template <class T>
ptoref::Tensor<T> col_op(opk o, const ptoref::Tensor<T>& x, const ptoref::Tensor<T>& v)
{
    switch (o) {
    case opk::add:
        return pl::col_expand_add(x, v);
    case opk::sub:
        return pl::col_expand_sub(x, v);
    case opk::mul:
        return pl::col_expand_mul(x, v);
    case opk::div:
        return pl::col_expand_div(x, v);
    }
    return {};
}

template <class T>
std::uint32_t oracle_bits(double r)
{
    if constexpr (std::is_same_v<T, float>)
        return bits(canon(static_cast<float>(r))); // innocuous double rounding (53 >= 2*24+2)
    else if constexpr (std::is_same_v<T, bf16>)
        return bf16_rne(r);
    else
        return fp16_rne(r);
}
template <class T>
std::uint32_t bits_at(const std::vector<T>& v, std::size_t i)
{
    if constexpr (std::is_same_v<T, float>)
        return bits(v[i]);
    else
        return v[i].bits;
}
template <class T>
T random_value(rng& r)
{
    if constexpr (std::is_same_v<T, float>)
        return r.interesting();
    else
        return T::from_bits(r.bits16());
}
double as_double(float f)
{
    return f;
}
template <class T>
double as_double(T h)
{
    return h.to_float();
}

// out[b, i, j] = x[b, i, j] op v[b, i, 0] (row) or v[b, 0, j] (col), for leading dims `lead`.
template <class T>
void check_against_oracle(std::uint64_t seed, const dims& lead, ix m, ix n)
{
    rng r(seed);
    dims xs = lead, rs = lead, cs = lead;
    xs.push_back(m), xs.push_back(n);
    rs.push_back(m), rs.push_back(1);
    cs.push_back(1), cs.push_back(n);
    const ix batch = lead.product();
    std::vector<T> xv(static_cast<std::size_t>(batch * m * n)), rv(static_cast<std::size_t>(batch * m)),
        cv(static_cast<std::size_t>(batch * n));
    for (T& t : xv)
        t = random_value<T>(r);
    for (T& t : rv)
        t = random_value<T>(r);
    for (T& t : cv)
        t = random_value<T>(r);
    auto x = tensor_from<T>(xs, xv), rowv = tensor_from<T>(rs, rv), colv = tensor_from<T>(cs, cv);
    for (opk o : all_ops) {
        const auto ro = row_op(o, x, rowv), co = col_op(o, x, colv);
        REQUIRE(ro.shape() == xs);
        REQUIRE(co.shape() == xs);
        const auto rg = ro.to_vector(), cg = co.to_vector();
        for (ix b = 0; b < batch; ++b)
            for (ix i = 0; i < m; ++i)
                for (ix j = 0; j < n; ++j) {
                    const auto k = static_cast<std::size_t>((b * m + i) * n + j);
                    const double xe = as_double(xv[k]);
                    REQUIRE(bits_at(rg, k) ==
                            oracle_bits<T>(apply(o, xe, as_double(rv[static_cast<std::size_t>(b * m + i)]))));
                    REQUIRE(bits_at(cg, k) ==
                            oracle_bits<T>(apply(o, xe, as_double(cv[static_cast<std::size_t>(b * n + j)]))));
                }
    }
}

} // namespace

TEST_CASE("row_expand_* applies v[i, 0] across row i; col_expand_* applies v[0, j] down column j")
{
    auto x = tensor_from<float>({2, 3}, {1, 2, 3, 4, 5, 6});
    auto v = tensor_from<float>({2, 1}, {10, 2});
    CHECK(pl::row_expand_add(x, v).to_vector() == std::vector<float>{11, 12, 13, 6, 7, 8});
    CHECK(pl::row_expand_sub(x, v).to_vector() == std::vector<float>{-9, -8, -7, 2, 3, 4});
    CHECK(pl::row_expand_mul(x, v).to_vector() == std::vector<float>{10, 20, 30, 8, 10, 12});
    CHECK(pl::row_expand_div(x, v).to_vector() == std::vector<float>{0.1f, 0.2f, 0.3f, 2, 2.5f, 3});
    auto c = tensor_from<float>({1, 3}, {1, 10, 100});
    CHECK(pl::col_expand_add(x, c).to_vector() == std::vector<float>{2, 12, 103, 5, 15, 106});
    CHECK(pl::col_expand_sub(x, c).to_vector() == std::vector<float>{0, -8, -97, 3, -5, -94});
    CHECK(pl::col_expand_mul(x, c).to_vector() == std::vector<float>{1, 20, 300, 4, 50, 600});
    CHECK(pl::col_expand_div(x, c).to_vector() == std::vector<float>{1, 0.2f, 0.03f, 4, 0.5f, 0.06f});
}

TEST_CASE("row/col expand equal the oracle on random fp32 data, 2-D to 4-D")
{
    check_against_oracle<float>(11, dims{}, 13, 17);
    check_against_oracle<float>(12, dims{3}, 5, 33);
    check_against_oracle<float>(13, dims{2, 3}, 4, 7);
    check_against_oracle<float>(14, dims{}, 1, 1);
    check_against_oracle<float>(15, dims{}, 1, 40);
    check_against_oracle<float>(16, dims{}, 40, 1);
}

TEST_CASE("row/col expand on bf16 and fp16 round once from the exact result")
{
    check_against_oracle<bf16>(21, dims{}, 37, 29);
    check_against_oracle<bf16>(22, dims{2}, 9, 16);
    check_against_oracle<fp16>(23, dims{}, 31, 23);
    check_against_oracle<fp16>(24, dims{3}, 4, 5);
}

TEST_CASE("row/col expand on int32 wrap and truncate")
{
    rng r(31);
    const ix m = 9, n = 11;
    std::vector<std::int32_t> xv(static_cast<std::size_t>(m * n)), rv(static_cast<std::size_t>(m)),
        cv(static_cast<std::size_t>(n));
    for (auto& t : xv)
        t = static_cast<std::int32_t>(r.bits32());
    for (auto& t : rv)
        t = r.between(1, 5000) * (r.below(2) ? -1 : 1);
    for (auto& t : cv)
        t = r.below(3) ? r.between(-70000, 70000) | 1 : static_cast<std::int32_t>(r.bits32() | 1u);
    xv[0] = INT32_MIN;
    rv[0] = -1;
    auto x = tensor_from<std::int32_t>({m, n}, xv), rowv = tensor_from<std::int32_t>({m, 1}, rv),
         colv = tensor_from<std::int32_t>({1, n}, cv);
    for (opk o : all_ops) {
        const auto rg = row_op(o, x, rowv).to_vector(), cg = col_op(o, x, colv).to_vector();
        for (ix i = 0; i < m; ++i)
            for (ix j = 0; j < n; ++j) {
                const auto k = static_cast<std::size_t>(i * n + j);
                REQUIRE(rg[k] == apply_int(o, xv[k], rv[static_cast<std::size_t>(i)]));
                REQUIRE(cg[k] == apply_int(o, xv[k], cv[static_cast<std::size_t>(j)]));
            }
    }
    CHECK(pl::row_expand_div(x, rowv).to_vector()[0] == INT32_MIN); // INT32_MIN / -1
}

TEST_CASE("int32 division by zero in row_expand_div / col_expand_div is an error")
{
    auto x = tensor_from<std::int32_t>({2, 2}, {4, 6, 8, 10});
    CHECK_THROWS_AS(pl::row_expand_div(x, tensor_from<std::int32_t>({2, 1}, {2, 0})), ptoref::error);
    CHECK_THROWS_WITH(pl::row_expand_div(x, tensor_from<std::int32_t>({2, 1}, {2, 0})),
                      Catch::Contains("pl::row_expand_div") && Catch::Contains("division by zero") &&
                          Catch::Contains("test_broadcast.cpp:"));
    CHECK_THROWS_WITH(pl::col_expand_div(x, tensor_from<std::int32_t>({1, 2}, {0, 1})),
                      Catch::Contains("pl::col_expand_div") && Catch::Contains("division by zero") &&
                          Catch::Contains("test_broadcast.cpp:"));
    // Float division by zero is IEEE.
    CHECK(bits_of(pl::row_expand_div(tensor_from<float>({1, 2}, {1.0f, 0.0f}), tensor_from<float>({1, 1}, {-0.0f}))) ==
          std::vector<std::uint32_t>{0xff800000u, qnan});
}

TEST_CASE("shape rules: every violation names the expected operand shape, both shapes and the call site")
{
    auto t = [](dims s) { return pl::full(s, pl::FP32, 1.0f); };
    struct bad {
        dims x, v;
    };
    // row_expand wants v = [..., M, 1]
    const bad row_cases[] = {
        {{2, 3}, {2, 2}},       // last dim not 1
        {{2, 3}, {3, 1}},       // row count differs
        {{2, 3}, {1, 1}},       // row count differs (no broadcasting of M)
        {{2, 3}, {2}},          // rank differs
        {{2, 3}, {1, 2, 1}},    // rank differs
        {{3}, {3}},             // x not 2-D
        {{3}, {1}},             // x not 2-D
        {{2, 4, 3}, {3, 4, 1}}, // leading dim differs
        {{2, 4, 3}, {1, 4, 1}}, // leading dim differs (no broadcasting of batch dims)
        {{2, 3}, {1, 3}},       // a col_expand operand
    };
    for (const bad& c : row_cases) {
        INFO("x " << ptoref::to_string(c.x) << ", v " << ptoref::to_string(c.v));
        CHECK_THROWS_AS(pl::row_expand_add(t(c.x), t(c.v)), ptoref::error);
        CHECK_THROWS_WITH(pl::row_expand_sub(t(c.x), t(c.v)),
                          Catch::Contains("pl::row_expand_sub") && Catch::Contains("[..., M, 1]") &&
                              Catch::Contains("x has shape " + ptoref::to_string(c.x)) &&
                              Catch::Contains("got " + ptoref::to_string(c.v)) &&
                              Catch::Contains("test_broadcast.cpp:"));
        CHECK_THROWS_WITH(pl::row_expand_mul(t(c.x), t(c.v)), Catch::Contains("[..., M, 1]"));
        CHECK_THROWS_WITH(pl::row_expand_div(t(c.x), t(c.v)), Catch::Contains("[..., M, 1]"));
        CHECK_THROWS_WITH(pl::row_expand_add(t(c.x), t(c.v)), Catch::Contains("pl::row_expand_add"));
    }
    // col_expand wants v = [..., 1, N]
    const bad col_cases[] = {
        {{2, 3}, {2, 3}},       // second-to-last not 1 (a plain elementwise op would accept it)
        {{2, 3}, {1, 2}},       // column count differs
        {{2, 3}, {1, 1}},       // column count differs (no broadcasting of N)
        {{2, 3}, {3}},          // rank differs
        {{3}, {3}},             // x not 2-D
        {{2, 4, 3}, {3, 1, 3}}, // leading dim differs
        {{2, 3}, {2, 1}},       // a row_expand operand
    };
    for (const bad& c : col_cases) {
        INFO("x " << ptoref::to_string(c.x) << ", v " << ptoref::to_string(c.v));
        CHECK_THROWS_WITH(pl::col_expand_mul(t(c.x), t(c.v)),
                          Catch::Contains("pl::col_expand_mul") && Catch::Contains("[..., 1, N]") &&
                              Catch::Contains("x has shape " + ptoref::to_string(c.x)) &&
                              Catch::Contains("got " + ptoref::to_string(c.v)) &&
                              Catch::Contains("test_broadcast.cpp:"));
        CHECK_THROWS_WITH(pl::col_expand_add(t(c.x), t(c.v)), Catch::Contains("[..., 1, N]"));
        CHECK_THROWS_WITH(pl::col_expand_sub(t(c.x), t(c.v)), Catch::Contains("[..., 1, N]"));
        CHECK_THROWS_WITH(pl::col_expand_div(t(c.x), t(c.v)), Catch::Contains("pl::col_expand_div"));
    }
    // Degenerate but legal: N = 1 for row_expand, M = 1 for col_expand (the RoPE case).
    CHECK(pl::row_expand_add(t({3, 1}), t({3, 1})).shape() == dims{3, 1});
    CHECK(pl::col_expand_mul(t({1, 64}), t({1, 64})).shape() == dims{1, 64});
}

TEST_CASE("expand ops on strided views equal the same ops on dense copies")
{
    rng r(41);
    std::vector<float> v(8 * 10);
    for (float& f : v)
        f = r.interesting();
    auto base = tensor_from<float>({8, 10}, v);
    auto x = pl::transpose(pl::slice(base, {6, 4}, {1, 3}), 0, 1); // [4, 6], strided
    auto xd = tensor_from<float>({4, 6}, x.to_vector());
    auto rowv = pl::slice(base, {4, 1}, {2, 9}); // column view, stride 10
    auto rowd = tensor_from<float>({4, 1}, rowv.to_vector());
    auto colv = pl::transpose(pl::slice(base, {6, 1}, {0, 0}), 0, 1); // [1, 6], stride 10
    auto cold = tensor_from<float>({1, 6}, colv.to_vector());
    for (opk o : all_ops) {
        CHECK(bits_of(row_op(o, x, rowv)) == bits_of(row_op(o, xd, rowd)));
        CHECK(bits_of(col_op(o, x, colv)) == bits_of(col_op(o, xd, cold)));
    }
}

TEST_CASE("expand ops: valid region and definedness follow the operands")
{
    auto base = pl::full({3, 4}, pl::FP32, 2.0f);
    auto x = pl::slice(base, {3, 4}, {0, 0}, {2, 3});
    auto v = pl::full({3, 1}, pl::FP32, 1.0f);
    const auto a = pl::row_expand_add(x, v);
    CHECK(a.valid_shape() == dims{2, 3});
    CHECK(a.defined_mask() == std::vector<std::uint8_t>{1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0});
    // v with fewer valid rows limits the rows.
    auto vp = pl::slice(pl::full({3, 1}, pl::FP32, 1.0f), {3, 1}, {0, 0}, {1, 1});
    const auto b = pl::row_expand_mul(base, vp);
    CHECK(b.valid_shape() == dims{1, 4});
    CHECK(b.defined_mask() == std::vector<std::uint8_t>{1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0});
    // v whose single column is padding: nothing is valid and nothing defined.
    auto vz = pl::slice(pl::full({3, 1}, pl::FP32, 1.0f), {3, 1}, {0, 0}, {3, 0});
    const auto z = pl::row_expand_sub(base, vz);
    CHECK(z.valid_shape() == dims{3, 0});
    CHECK(z.defined_mask() == std::vector<std::uint8_t>(12, 0));
    // col_expand with a partially valid v.
    auto cv = pl::slice(pl::full({1, 4}, pl::FP32, 1.0f), {1, 4}, {0, 0}, {1, 2});
    const auto c = pl::col_expand_div(base, cv);
    CHECK(c.valid_shape() == dims{3, 2});
    CHECK(c.defined_mask() == std::vector<std::uint8_t>{1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0});
    CHECK(c.to_vector()[0] == 2.0f);
    // An undefined element of v (create_tensor) spreads along its row.
    auto u = pl::create_tensor({3, 1}, pl::FP32);
    u = pl::write(u, {0, 0}, 1.0f);
    u = pl::write(u, {2, 0}, 1.0f);
    CHECK(pl::row_expand_add(base, u).defined_mask() == std::vector<std::uint8_t>{1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1});
}

TEST_CASE("row/col expand take a lower-rank operand where x's extra leading dims are 1")
{
    auto x = pl::full({1, 1, 2, 3}, pl::FP32, 1.0);
    auto r = pl::row_expand_mul(x, tensor_from<float>({2, 1}, {2, 3}));
    CHECK(r.shape() == ptoref::dims{1, 1, 2, 3});
    CHECK(r.to_vector() == std::vector<float>{2, 2, 2, 3, 3, 3});
    auto c = pl::col_expand_add(x, tensor_from<float>({1, 3}, {1, 2, 3}));
    CHECK(c.to_vector() == std::vector<float>{2, 3, 4, 2, 3, 4});
    // x's extra leading dim is 2: v would have to broadcast over it, which the DSL does not do.
    CHECK_THROWS_WITH(pl::row_expand_mul(pl::full({2, 2, 3}, pl::FP32, 1.0), tensor_from<float>({2, 1}, {2, 3})),
                      Catch::Contains("[..., M, 1]"));
}

TEST_CASE("row/col_expand_{max,min,expdif}, row_expand, col_expand, expands against index loops", "[broadcast]")
{
    rng g(21);
    std::vector<float> xv, rv, cv;
    for (int i = 0; i < 3 * 5; ++i)
        xv.push_back(g.interesting());
    for (int i = 0; i < 3; ++i)
        rv.push_back(i == 1 ? NAN : g.value(-3, 3));
    for (int j = 0; j < 5; ++j)
        cv.push_back(j == 2 ? -0.0f : g.value(-3, 3));
    auto x = tensor_from<float>({3, 5}, xv), r = tensor_from<float>({3, 1}, rv), c = tensor_from<float>({1, 5}, cv);
    const auto rmax = pl::row_expand_max(x, r).to_vector(), rmin = pl::row_expand_min(x, r).to_vector();
    const auto cmax = pl::col_expand_max(x, c).to_vector(), cmin = pl::col_expand_min(x, c).to_vector();
    const auto rexp = pl::row_expand_expdif(x, r).to_vector(), cexp = pl::col_expand_expdif(x, c).to_vector();
    const auto rexpand = pl::row_expand(x, r).to_vector(), cexpand = pl::col_expand(x, c).to_vector();
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 5; ++j) {
            const std::size_t k = static_cast<std::size_t>(i * 5 + j);
            const float a = xv[k], vr = rv[static_cast<std::size_t>(i)], vc = cv[static_cast<std::size_t>(j)];
            CHECK(bits(rmax[k]) == bits(pl::maximum(tensor_from<float>({1}, {a}), vr).to_vector()[0]));
            CHECK(bits(rmin[k]) == bits(pl::minimum(tensor_from<float>({1}, {a}), vr).to_vector()[0]));
            CHECK(bits(cmax[k]) == bits(pl::maximum(tensor_from<float>({1}, {a}), vc).to_vector()[0]));
            CHECK(bits(cmin[k]) == bits(pl::minimum(tensor_from<float>({1}, {a}), vc).to_vector()[0]));
            CHECK(bits(rexp[k]) == bits(canon(ptoref::math::exp_cr(canon(a - vr)))));
            CHECK(bits(cexp[k]) == bits(canon(ptoref::math::exp_cr(canon(a - vc)))));
            CHECK(bits(rexpand[k]) == bits(vr));
            CHECK(bits(cexpand[k]) == bits(vc));
        }
    // BF16 expdif rounds the difference to BF16 first (two rounded ops).
    auto hb = tensor_from<bf16>({1, 1}, {bf16::from_bits(0x3f81)}); // 1.0078125
    auto hv = tensor_from<bf16>({1, 1}, {bf16::from_bits(0x3c00)}); // 2^-7
    const float d = ptoref::convert<bf16>(1.0078125f - 0.0078125f, ptoref::cast_mode::rint).to_float();
    CHECK(pl::row_expand_expdif(hb, hv).to_vector()[0].bits ==
          ptoref::convert<bf16>(ptoref::math::exp_cr(d), ptoref::cast_mode::rint).bits);
    // expands: target's shape, dtype and valid_shape; the scalar rounded via FP32.
    auto t = pl::slice(pl::create_tensor({2, 3}, pl::BF16), {2, 3}, {0, 0}, {1, 3});
    auto e = pl::expands(t, 0.1);
    CHECK(e.valid_shape() == dims{1, 3});
    CHECK(e.shape() == dims{2, 3});
    CHECK(bits_of(e)[0] == ptoref::convert<bf16>(0.1f, ptoref::cast_mode::rint).bits);
    CHECK(pl::expands(pl::create_tensor({2}, pl::INT32), 7).to_vector() == std::vector<std::int32_t>{7, 7});
}

TEST_CASE("row_expand / col_expand read only the vector; valid region and errors", "[broadcast]")
{
    auto target = pl::create_tensor({2, 3}, pl::FP32); // undefined data: never read
    auto v = tensor_from<float>({2, 1}, {1.0f, 2.0f});
    ptoref::check::collector c;
    auto r = pl::row_expand(target, v);
    CHECK(c.clean());
    CHECK(r.to_vector() == std::vector<float>{1, 1, 1, 2, 2, 2});
    for (ix i = 0; i < 6; ++i)
        CHECK(r.storage().is_defined(i));
    auto tv = pl::slice(pl::full({2, 3}, pl::FP32, 0.0), {2, 3}, {0, 0}, {2, 2});
    CHECK(pl::col_expand(tv, tensor_from<float>({1, 3}, {1, 2, 3})).valid_shape() == dims{2, 2});
    REQUIRE_THROWS_WITH(
        pl::row_expand(target, tensor_from<float>({1, 3}, {1, 2, 3})),
        Catch::Contains("pl::row_expand: x has shape [2, 3], so the expanded operand must be [..., M, 1]"));
    REQUIRE_THROWS_WITH(pl::col_expand_max(target, v), Catch::Contains("pl::col_expand_max"));
    REQUIRE_THROWS_WITH(pl::expands(ptoref::Tensor<float>{}, 1.0), Catch::Contains("pl::expands: target is an empty"));
}
