// pl::gather (ops/gather.hpp): index form along a dim, and the mask-pattern forms.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::fp16;
using ptoref::tensor_from;

namespace {
// The slow oracle: out[i, k] = in[i, idx[i, k]] for 2-D along the last dim.
std::vector<std::uint32_t> gather_rows(const std::vector<std::uint32_t>& in, ix cols,
                                       const std::vector<std::int32_t>& idx, ix k)
{
    std::vector<std::uint32_t> out;
    for (std::size_t p = 0; p < idx.size(); ++p) {
        const ix row = static_cast<ix>(p) / k;
        out.push_back(in[static_cast<std::size_t>(row * cols + idx[p])]);
    }
    return out;
}
} // namespace

TEST_CASE("gather along the last dim against an oracle (random shapes, ends included)")
{
    rng r(11);
    for (int trial = 0; trial < 60; ++trial) {
        const ix m = 1 + r.below(5), n = 1 + r.below(40), k = r.below(50);
        std::vector<std::uint32_t> in(static_cast<std::size_t>(m * n));
        for (auto& x : in)
            x = r.bits32(); // any bits, NaN payloads included: gather moves bits
        std::vector<std::int32_t> idx(static_cast<std::size_t>(m * k));
        for (std::size_t p = 0; p < idx.size(); ++p)
            idx[p] = p % 5 == 0 ? 0
                                : (p % 5 == 1 ? static_cast<std::int32_t>(n - 1)
                                              : r.between(0, static_cast<std::int32_t>(n - 1)));
        std::vector<float> inf(in.size());
        for (std::size_t p = 0; p < in.size(); ++p)
            inf[p] = f32(in[p]);
        const auto out = pl::gather(tensor_from<float>({m, n}, inf), -1, tensor_from<std::int32_t>({m, k}, idx));
        REQUIRE(out.shape() == dims{m, k});
        REQUIRE(bits_of(out) == gather_rows(in, n, idx, k));
    }
}

TEST_CASE("gather along dim 0 and in rank 3; 16-bit and integer inputs")
{
    auto x = iota<std::int32_t>({3, 4}); // 0..11
    auto i0 = tensor_from<std::int32_t>({2, 4}, {2, 0, 1, 2, 0, 0, 0, 1});
    CHECK(pl::gather(x, 0, i0).to_vector() == std::vector<std::int32_t>{8, 1, 6, 11, 0, 1, 2, 7});
    auto x3 = iota<std::int32_t>({2, 2, 3});
    auto i3 = tensor_from<std::int32_t>({2, 2, 1}, {2, 0, 1, 2});
    CHECK(pl::gather(x3, 2, i3).to_vector() == std::vector<std::int32_t>{2, 3, 7, 11});
    CHECK(pl::gather(x3, -2, tensor_from<std::int32_t>({2, 1, 3}, {1, 0, 1, 0, 0, 1})).to_vector() ==
          std::vector<std::int32_t>{3, 1, 5, 6, 7, 11});
    auto h = tensor_from<bf16>({1, 3}, {bf16::from_bits(0x3f80), bf16::from_bits(0xffa1), bf16::from_bits(0x0001)});
    CHECK(bits_of(pl::gather(h, -1, tensor_from<std::int32_t>({1, 4}, {1, 1, 2, 0}))) ==
          std::vector<std::uint16_t>{0xffa1, 0xffa1, 0x0001, 0x3f80});
    auto f = tensor_from<fp16>({1, 2}, {fp16::from_bits(0x7e01), fp16::from_bits(0x8000)});
    CHECK(bits_of(pl::gather(f, 1, tensor_from<std::int32_t>({1, 2}, {1, 0}))) ==
          std::vector<std::uint16_t>{0x8000, 0x7e01});
    // Strided views of both operands.
    auto xt = pl::transpose(iota<std::int32_t>({4, 3}), 0, 1);                            // [3, 4]: x[i, j] = 3j + i
    auto it = pl::transpose(tensor_from<std::int32_t>({2, 3}, {3, 0, 1, 0, 2, 3}), 0, 1); // [3, 2]
    CHECK(pl::gather(xt, -1, it).to_vector() == std::vector<std::int32_t>{9, 0, 1, 7, 5, 11});
    // Empty index: an empty result.
    CHECK(pl::gather(x, -1, pl::full({3, 0}, pl::INT32, 0)).shape() == dims{3, 0});
}

TEST_CASE("gather errors: out-of-range index values, shapes, dims")
{
    auto x = iota<float>({2, 4});
    CHECK_THROWS_WITH(pl::gather(x, -1, tensor_from<std::int32_t>({2, 1}, {0, 4})),
                      Catch::Contains("index value 4 at [1, 0]") && Catch::Contains("outside [0, 4)"));
    CHECK_THROWS_WITH(pl::gather(x, -1, tensor_from<std::int32_t>({2, 1}, {-1, 0})),
                      Catch::Contains("index value -1 at [0, 0]"));
    CHECK_THROWS_WITH(pl::gather(x, 0, tensor_from<std::int32_t>({1, 4}, {0, 2, 0, 0})),
                      Catch::Contains("index value 2") && Catch::Contains("outside [0, 2)"));
    CHECK_THROWS_WITH(pl::gather(x, -1, tensor_from<std::int32_t>({3, 1}, {0, 0, 0})),
                      Catch::Contains("must have the shape of input") && Catch::Contains("except along dim -1"));
    CHECK_THROWS_WITH(pl::gather(x, -1, tensor_from<std::int32_t>({2}, {0, 0})),
                      Catch::Contains("must have the shape"));
    CHECK_THROWS_WITH(pl::gather(x, 2, tensor_from<std::int32_t>({2, 1}, {0, 0})),
                      Catch::Contains("axis 2 is out of range"));
    CHECK_THROWS_WITH(pl::gather(ptoref::Tensor<float>{}, -1, tensor_from<std::int32_t>({2, 1}, {0, 0})),
                      Catch::Contains("the input is an empty tensor handle"));
}

TEST_CASE("gather: valid regions and definedness")
{
    auto x = iota<float>({2, 4});
    // The result is valid where the index is; padding of the index gathers nothing (undefined).
    auto idx = pl::slice(tensor_from<std::int32_t>({2, 3}, {3, 2, 1, 0, 1, 2}), {2, 3}, {0, 0}, {1, 2});
    auto g = pl::gather(x, -1, idx);
    CHECK(g.valid_shape() == dims{1, 2});
    CHECK(g.defined_mask() == std::vector<std::uint8_t>{1, 1, 0, 0, 0, 0});
    CHECK(pl::slice(g, {1, 2}, {0, 0}).to_vector() == std::vector<float>{3, 2});
    // Gathering from the input's padding gives undefined elements, not an error.
    auto xp = pl::slice(x, {2, 4}, {0, 0}, {2, 2});
    auto gp = pl::gather(xp, -1, tensor_from<std::int32_t>({2, 2}, {1, 3, 0, 2}));
    CHECK(gp.defined_mask() == std::vector<std::uint8_t>{1, 0, 1, 0});
    CHECK(gp.fully_valid());
    // A never-written index gathers nothing and raises nothing.
    auto und = pl::create_tensor({2, 1}, pl::INT32);
    CHECK(pl::gather(x, -1, und).defined_mask() == std::vector<std::uint8_t>{0, 0});
}

TEST_CASE("gather mask forms keep the pattern's columns, compacted (all seven patterns)")
{
    const std::vector<std::pair<pl::MaskPattern, std::pair<ix, ix>>> pats = {
        {pl::MaskPattern::P0101, {2, 0}}, {pl::MaskPattern::P1010, {2, 1}}, {pl::MaskPattern::P0001, {4, 0}},
        {pl::MaskPattern::P0010, {4, 1}}, {pl::MaskPattern::P0100, {4, 2}}, {pl::MaskPattern::P1000, {4, 3}},
        {pl::MaskPattern::P1111, {1, 0}}};
    auto x = iota<std::int32_t>({3, 8});
    for (const auto& [p, sp] : pats) {
        const auto [stride, phase] = sp;
        const auto g = pl::gather(x, p);
        REQUIRE(g.shape() == dims{3, 8 / stride});
        std::vector<std::int32_t> want;
        for (ix i = 0; i < 3; ++i)
            for (ix c = 0; c < 8; ++c)
                if (c % stride == phase)
                    want.push_back(static_cast<std::int32_t>(i * 8 + c));
        CHECK(g.to_vector() == want);
        // Partly valid: the kept columns below the valid column count stay valid.
        const auto gv = pl::gather(pl::slice(x, {3, 8}, {0, 0}, {2, 5}), p);
        ix kept = 0;
        for (ix c = 0; c < 5; ++c)
            kept += c % stride == phase;
        CHECK(gv.valid_shape() == dims{2, kept});
    }
    // Rank 3 works along the last dim.
    CHECK(pl::gather(iota<std::int32_t>({2, 1, 4}), pl::MaskPattern::P1000).to_vector() ==
          std::vector<std::int32_t>{3, 7});
}

TEST_CASE("gather mask form output_dtype reinterprets bits (sort32 index lanes as INT32)")
{
    auto x = tensor_from<float>({1, 4}, {1.5f, f32(0x00000007u), -2.0f, f32(0x80000001u)});
    CHECK(pl::gather(x, pl::MaskPattern::P1010, pl::INT32).to_vector() ==
          std::vector<std::int32_t>{7, static_cast<std::int32_t>(0x80000001u)});
    CHECK(bits_of(pl::gather(x, pl::MaskPattern::P0101)) == std::vector<std::uint32_t>{bits(1.5f), bits(-2.0f)});
    auto h = tensor_from<fp16>({1, 2}, {fp16::from_bits(0x3c00), fp16::from_bits(0xfc00)});
    CHECK(bits_of(pl::gather(h, pl::MaskPattern::P1111, pl::BF16)) == std::vector<std::uint16_t>{0x3c00, 0xfc00});
    CHECK_THROWS_WITH(pl::gather(x, pl::MaskPattern::P0101, pl::BF16), Catch::Contains("must have the bit width"));
    CHECK_THROWS_WITH(pl::gather(iota<float>({1, 6}), pl::MaskPattern::P0001),
                      Catch::Contains("not a multiple of the mask pattern's stride 4"));
    CHECK_THROWS_WITH(pl::gather(x, static_cast<pl::MaskPattern>(9)), Catch::Contains("mask pattern 9 is not one of"));
    CHECK_THROWS_WITH(pl::gather(x, static_cast<pl::MaskPattern>(0)), Catch::Contains("mask pattern 0"));
    // Definedness moves with the bits.
    auto u = pl::create_tensor({1, 4}, pl::FP32);
    CHECK(pl::gather(u, pl::MaskPattern::P0101).defined_mask() == std::vector<std::uint8_t>{0, 0});
}
