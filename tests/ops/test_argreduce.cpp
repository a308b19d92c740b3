// row_argmax, row_argmin, col_argmax, col_argmin (ops/argreduce.hpp).
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::tensor_from;

namespace {
// The oracle, from the spec: the first position holding a NaN if any; else the first position
// of the largest (smallest) value, +0 == -0.
ix oracle(const std::vector<double>& xs, bool want_max)
{
    for (std::size_t i = 0; i < xs.size(); ++i)
        if (std::isnan(xs[i]))
            return static_cast<ix>(i);
    ix best = 0;
    for (std::size_t i = 1; i < xs.size(); ++i)
        if (want_max ? xs[i] > xs[static_cast<std::size_t>(best)] : xs[i] < xs[static_cast<std::size_t>(best)])
            best = static_cast<ix>(i);
    return best;
}
} // namespace

TEST_CASE("argmax/argmin against an oracle: rows and columns, FP32, BF16 and INT32, ties and NaN")
{
    rng r(3);
    for (int trial = 0; trial < 60; ++trial) {
        const ix m = 1 + r.below(6), n = 1 + r.below(9);
        std::vector<float> f(static_cast<std::size_t>(m * n));
        std::vector<std::int32_t> in(f.size());
        for (std::size_t i = 0; i < f.size(); ++i) {
            const int c = r.below(10);
            f[i] = c == 0 ? f32(qnan) : (c == 1 ? -0.0f : (c < 5 ? static_cast<float>(r.below(3)) : r.value()));
            // Large magnitudes wrap to int32 (C++20 modular conversion) so INT32_MIN-adjacent keys occur.
            in[i] = static_cast<std::int32_t>(std::int64_t{r.between(-3, 3)} * (r.below(2) ? 1 : 1000000000));
        }
        if (trial % 3 == 0) // rows without NaN, too
            for (auto& x : f)
                if (x != x)
                    x = 1.0f;
        const auto tf = tensor_from<float>({m, n}, f);
        const auto ti = tensor_from<std::int32_t>({m, n}, in);
        std::vector<bf16> hb;
        for (float x : f)
            hb.push_back(ptoref::convert<bf16>(x, ptoref::cast_mode::rint));
        const auto th = tensor_from<bf16>({m, n}, hb);
        for (const bool want_max : {true, false}) {
            std::vector<std::int32_t> rf, ri, rh, cf, ci;
            for (ix i = 0; i < m; ++i) {
                std::vector<double> a, b, c;
                for (ix j = 0; j < n; ++j) {
                    a.push_back(f[static_cast<std::size_t>(i * n + j)]);
                    b.push_back(in[static_cast<std::size_t>(i * n + j)]);
                    c.push_back(hb[static_cast<std::size_t>(i * n + j)].to_float());
                }
                rf.push_back(static_cast<std::int32_t>(oracle(a, want_max)));
                ri.push_back(static_cast<std::int32_t>(oracle(b, want_max)));
                rh.push_back(static_cast<std::int32_t>(oracle(c, want_max)));
            }
            for (ix j = 0; j < n; ++j) {
                std::vector<double> a, b;
                for (ix i = 0; i < m; ++i) {
                    a.push_back(f[static_cast<std::size_t>(i * n + j)]);
                    b.push_back(in[static_cast<std::size_t>(i * n + j)]);
                }
                cf.push_back(static_cast<std::int32_t>(oracle(a, want_max)));
                ci.push_back(static_cast<std::int32_t>(oracle(b, want_max)));
            }
            const auto row_f = want_max ? pl::row_argmax(tf) : pl::row_argmin(tf);
            REQUIRE(row_f.shape() == dims{m, 1});
            REQUIRE(row_f.to_vector() == rf);
            REQUIRE((want_max ? pl::row_argmax(ti) : pl::row_argmin(ti)).to_vector() == ri);
            REQUIRE((want_max ? pl::row_argmax(th) : pl::row_argmin(th)).to_vector() == rh);
            const auto col_f = want_max ? pl::col_argmax(tf) : pl::col_argmin(tf);
            REQUIRE(col_f.shape() == dims{1, n});
            REQUIRE(col_f.to_vector() == cf);
            REQUIRE((want_max ? pl::col_argmax(ti) : pl::col_argmin(ti)).to_vector() == ci);
        }
    }
}

TEST_CASE("argmax edge cases: first tie, signed zeros, infinities, rank 3, valid regions, errors")
{
    CHECK(pl::row_argmax(tensor_from<float>({1, 4}, {1, 3, 3, 2})).to_vector() == std::vector<std::int32_t>{1});
    CHECK(pl::row_argmin(tensor_from<float>({1, 3}, {0.0f, -0.0f, 0.0f})).to_vector() == std::vector<std::int32_t>{0});
    CHECK(pl::row_argmax(tensor_from<float>({1, 3}, {f32(0xff800000u), f32(0xff800000u), -1e38f})).to_vector() ==
          std::vector<std::int32_t>{2});
    CHECK(pl::row_argmax(tensor_from<float>({1, 3}, {1, f32(0xffc00001u), f32(qnan)})).to_vector() ==
          std::vector<std::int32_t>{1});
    CHECK(pl::row_argmin(tensor_from<std::int32_t>({1, 3}, {INT32_MIN, 5, INT32_MIN})).to_vector() ==
          std::vector<std::int32_t>{0});
    CHECK(pl::col_argmax(iota<float>({2, 3, 2})).to_vector() == std::vector<std::int32_t>{2, 2, 2, 2});
    CHECK(pl::col_argmax(iota<float>({2, 3, 2})).shape() == dims{2, 1, 2});
    CHECK(pl::row_argmin(iota<float>({2, 3, 2})).shape() == dims{2, 3, 1});
    // Valid regions: like row_max, the result is valid for the valid rows; undefined inputs make
    // the position undefined.
    auto part = pl::slice(iota<float>({2, 4}), {2, 4}, {0, 0}, {1, 3});
    const auto ra = pl::row_argmax(part);
    CHECK(ra.valid_shape() == dims{1, 1});
    CHECK(ra.defined_mask() == std::vector<std::uint8_t>{0, 0});
    CHECK(pl::row_argmax(pl::slice(iota<float>({2, 4}), {2, 4}, {0, 0}, {2, 0})).valid_shape() == dims{2, 0});
    CHECK(pl::col_argmin(part).valid_shape() == dims{1, 3});
    CHECK_THROWS_WITH(pl::row_argmax(pl::full({2, 0}, pl::FP32, 0.0f)),
                      Catch::Contains("a last axis with at least one"));
    CHECK_THROWS_WITH(pl::col_argmax(pl::full({0, 2}, pl::FP32, 0.0f)), Catch::Contains("second-to-last axis"));
    CHECK_THROWS_WITH(pl::col_argmax(pl::full({4}, pl::FP32, 0.0f)), Catch::Contains("second-to-last axis"));
    CHECK_THROWS_WITH(pl::row_argmax(ptoref::Tensor<float>{}), Catch::Contains("empty tensor handle"));
}
