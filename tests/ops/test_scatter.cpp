// pl::scatter (index and mask forms) and pl::scatter_update (ops/scatter.hpp).
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::dims;
using ptoref::tensor_from;

TEST_CASE("scatter along the last dim against an oracle; duplicates: the last in row-major order wins")
{
    rng r(23);
    for (int trial = 0; trial < 60; ++trial) {
        const ix m = 1 + r.below(4), s = 1 + r.below(12), k = r.below(16);
        std::vector<std::int32_t> base(static_cast<std::size_t>(m * s)), idx(static_cast<std::size_t>(m * k)),
            src(idx.size());
        for (auto& x : base)
            x = static_cast<std::int32_t>(r.bits32());
        for (std::size_t p = 0; p < idx.size(); ++p) {
            idx[p] = r.between(0, static_cast<std::int32_t>(s - 1)); // duplicates are frequent
            src[p] = static_cast<std::int32_t>(p) + 1000;
        }
        std::vector<std::int32_t> want = base;
        for (ix i = 0; i < m; ++i)
            for (ix j = 0; j < k; ++j) // the oracle: a plain loop, later writes overwrite
                want[static_cast<std::size_t>(i * s + idx[static_cast<std::size_t>(i * k + j)])] =
                    src[static_cast<std::size_t>(i * k + j)];
        const auto out = pl::scatter(tensor_from<std::int32_t>({m, s}, base), -1,
                                     tensor_from<std::int32_t>({m, k}, idx), tensor_from<std::int32_t>({m, k}, src));
        REQUIRE(out.to_vector() == want);
    }
}

TEST_CASE("scatter: ends, other dims, unwritten positions keep the input, the input is unchanged")
{
    auto in = pl::full({2, 4}, pl::FP32, 9.0f);
    auto idx = tensor_from<std::int32_t>({2, 2}, {3, 0, 0, 0});
    auto src = tensor_from<float>({2, 2}, {1, 2, 3, 4});
    CHECK(pl::scatter(in, 1, idx, src).to_vector() == std::vector<float>{2, 9, 9, 1, 4, 9, 9, 9});
    CHECK(in.to_vector() == std::vector<float>(8, 9.0f));
    // dim 0: out[idx[k, j], j] = src[k, j].
    auto i0 = tensor_from<std::int32_t>({1, 4}, {1, 0, 1, 0});
    CHECK(pl::scatter(in, 0, i0, tensor_from<float>({1, 4}, {5, 6, 7, 8})).to_vector() ==
          std::vector<float>{9, 6, 9, 8, 5, 9, 7, 9});
    // Empty index: the input's copy.
    CHECK(pl::scatter(in, -1, pl::full({2, 0}, pl::INT32, 0), pl::full({2, 0}, pl::FP32, 0.0f)).to_vector() ==
          in.to_vector());
}

TEST_CASE("scatter: only the common valid region of index and src scatters; undefined indices are errors")
{
    auto in = pl::full({1, 4}, pl::INT32, 0);
    auto idx = pl::slice(tensor_from<std::int32_t>({1, 3}, {1, 2, 3}), {1, 3}, {0, 0}, {1, 2});
    auto src = tensor_from<std::int32_t>({1, 3}, {7, 8, 9});
    CHECK(pl::scatter(in, -1, idx, src).to_vector() == std::vector<std::int32_t>{0, 7, 8, 0});
    auto srcp = pl::slice(src, {1, 3}, {0, 0}, {1, 1});
    CHECK(pl::scatter(in, -1, tensor_from<std::int32_t>({1, 3}, {1, 2, 3}), srcp).to_vector() ==
          std::vector<std::int32_t>{0, 7, 0, 0});
    // An undefined index inside the valid region: there is nowhere to write.
    CHECK_THROWS_WITH(pl::scatter(in, -1, pl::create_tensor({1, 3}, pl::INT32), src),
                      Catch::Contains("index element [0, 0]") && Catch::Contains("is undefined"));
    // Undefined source values make the written elements undefined, the rest keeps the input's.
    auto u = pl::scatter(in, -1, tensor_from<std::int32_t>({1, 1}, {2}), pl::create_tensor({1, 1}, pl::INT32));
    CHECK(u.defined_mask() == std::vector<std::uint8_t>{1, 1, 0, 1});
    // The result is valid like the input.
    auto inp = pl::slice(in, {1, 4}, {0, 0}, {1, 3});
    CHECK(pl::scatter(inp, -1, tensor_from<std::int32_t>({1, 1}, {3}), tensor_from<std::int32_t>({1, 1}, {5}))
              .valid_shape() == dims{1, 3});
}

TEST_CASE("scatter errors")
{
    auto in = pl::full({2, 4}, pl::FP32, 0.0f);
    auto src = pl::full({2, 1}, pl::FP32, 1.0f);
    CHECK_THROWS_WITH(pl::scatter(in, -1, tensor_from<std::int32_t>({2, 1}, {0, 4}), src),
                      Catch::Contains("index value 4 at [1, 0]") && Catch::Contains("outside [0, 4)"));
    CHECK_THROWS_WITH(pl::scatter(in, -1, tensor_from<std::int32_t>({2, 1}, {-1, 0}), src),
                      Catch::Contains("index value -1"));
    CHECK_THROWS_WITH(pl::scatter(in, -1, tensor_from<std::int32_t>({2, 2}, {0, 0, 0, 0}), src),
                      Catch::Contains("must have one shape"));
    CHECK_THROWS_WITH(
        pl::scatter(in, -1, tensor_from<std::int32_t>({3, 1}, {0, 0, 0}), pl::full({3, 1}, pl::FP32, 1.0f)),
        Catch::Contains("except along dim -1"));
    CHECK_THROWS_WITH(pl::scatter(in, 5, tensor_from<std::int32_t>({2, 1}, {0, 0}), src),
                      Catch::Contains("axis 5 is out of range"));
}

TEST_CASE("scatter mask forms write input's columns into the pattern's columns of dst (all patterns)")
{
    const std::vector<std::pair<pl::MaskPattern, std::pair<ix, ix>>> pats = {
        {pl::MaskPattern::P0101, {2, 0}}, {pl::MaskPattern::P1010, {2, 1}}, {pl::MaskPattern::P0001, {4, 0}},
        {pl::MaskPattern::P0010, {4, 1}}, {pl::MaskPattern::P0100, {4, 2}}, {pl::MaskPattern::P1000, {4, 3}},
        {pl::MaskPattern::P1111, {1, 0}}};
    for (const auto& [p, sp] : pats) {
        const auto [stride, phase] = sp;
        auto in = iota<std::int32_t>({2, 3}, 100);
        auto dst = iota<std::int32_t>({2, 3 * stride});
        std::vector<std::int32_t> want = dst.to_vector();
        for (ix i = 0; i < 2; ++i)
            for (ix c = 0; c < 3; ++c)
                want[static_cast<std::size_t>(i * 3 * stride + c * stride + phase)] =
                    static_cast<std::int32_t>(100 + i * 3 + c);
        CHECK(pl::scatter(in, p, dst).to_vector() == want);
        // The inverse of the mask gather.
        CHECK(pl::gather(pl::scatter(in, p, dst), p).to_vector() == in.to_vector());
    }
    // Chaining two patterns into one dst interleaves (pypto-lib's RoPE idiom).
    auto evens = tensor_from<float>({1, 2}, {1, 3}), odds = tensor_from<float>({1, 2}, {2, 4});
    auto d = pl::scatter(odds, pl::MaskPattern::P1010,
                         pl::scatter(evens, pl::MaskPattern::P0101, pl::full({1, 4}, pl::FP32, 0.0f)));
    CHECK(d.to_vector() == std::vector<float>{1, 2, 3, 4});
    CHECK_THROWS_WITH(pl::scatter(evens, pl::MaskPattern::P0001, pl::full({1, 4}, pl::FP32, 0.0f)),
                      Catch::Contains("times the pattern's stride 4"));
    CHECK_THROWS_WITH(pl::scatter(evens, static_cast<pl::MaskPattern>(8), pl::full({1, 4}, pl::FP32, 0.0f)),
                      Catch::Contains("mask pattern 8"));
}

TEST_CASE("scatter_update replaces rows by flat index; the last duplicate wins; 2-D and 4-D forms")
{
    auto in = iota<float>({4, 2});                              // rows 0..3
    auto idx = tensor_from<std::int32_t>({2, 2}, {3, 0, 3, 1}); // row 3 twice: k = 2 wins
    auto src = tensor_from<float>({4, 2}, {10, 11, 20, 21, 30, 31, 40, 41});
    CHECK(pl::scatter_update(in, -2, idx, src).to_vector() == std::vector<float>{20, 21, 40, 41, 4, 5, 30, 31});
    CHECK(in.to_vector() == iota<float>({4, 2}).to_vector());
    // 4-D: input [blocks, block_size, 1, d], src [b, s, 1, d]; rows are (block, slot) flattened.
    auto in4 = pl::full({2, 2, 1, 3}, pl::INT32, 0);
    auto src4 = iota<std::int32_t>({1, 2, 1, 3}, 1);
    auto out4 = pl::scatter_update(in4, -2, tensor_from<std::int32_t>({1, 2}, {3, 0}), src4);
    CHECK(out4.to_vector() == std::vector<std::int32_t>{4, 5, 6, 0, 0, 0, 0, 0, 0, 1, 2, 3});
    CHECK_THROWS_WITH(
        pl::scatter_update(in, -2, tensor_from<std::int32_t>({1, 1}, {4}), pl::full({1, 2}, pl::FP32, 0.0f)),
        Catch::Contains("index value 4") && Catch::Contains("outside the 4 rows"));
    CHECK_THROWS_WITH(
        pl::scatter_update(in, -2, tensor_from<std::int32_t>({1, 1}, {-1}), pl::full({1, 2}, pl::FP32, 0.0f)),
        Catch::Contains("index value -1"));
    CHECK_THROWS_WITH(pl::scatter_update(in, -2, idx, pl::full({3, 2}, pl::FP32, 0.0f)),
                      Catch::Contains("needs input [rows, d]"));
    CHECK_THROWS_WITH(pl::scatter_update(in, -2, idx, pl::full({4, 3}, pl::FP32, 0.0f)),
                      Catch::Contains("needs input [rows, d]"));
    CHECK_THROWS_WITH(pl::scatter_update(in, -1, idx, src), Catch::Contains("dim must be -2"));
    CHECK_THROWS_WITH(pl::scatter_update(in, -2, pl::create_tensor({2, 2}, pl::INT32), src),
                      Catch::Contains("is undefined"));
    CHECK_THROWS_WITH(pl::scatter_update(in, -2, pl::slice(idx, {2, 2}, {0, 0}, {1, 2}), src),
                      Catch::Contains("must be fully valid"));
}
