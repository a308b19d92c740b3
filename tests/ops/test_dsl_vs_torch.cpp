// One test per difference between the DSL's semantics and a torch golden
// (pypto-semantics.md §1.2 and docs/semantics.md §5). Each asserts the DSL behaviour and shows
// that the torch behaviour would differ on the same data.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::tensor_from;

TEST_CASE("DSL vs torch 1: pl.cast defaults to ties-away, torch .to() is ties-to-even")
{
    auto x = tensor_from<float>({1}, {f32(0x3f808000u)}); // 1 + 2^-8, exactly between two bf16
    const auto dsl = pl::cast(x, pl::BF16).to_vector()[0].bits;
    const auto torch_like = pl::cast(x, pl::BF16, "rint").to_vector()[0].bits;
    CHECK(dsl == 0x3f81);
    CHECK(torch_like == 0x3f80);
}

TEST_CASE("DSL vs torch 2: PadValue.min is -inf, not finfo.min")
{
    auto s = pl::slice(pl::full({2, 4}, pl::FP32, 1.0f), {2, 4}, {0, 0}, {2, 0}); // rows fully padded
    auto masked = pl::fillpad(s, pl::PadValue::min);
    auto mx = pl::row_max(masked);
    CHECK(bits(mx.to_vector()[0]) == 0xff800000u);
    // exp(x - rowmax) of a fully padded row: -inf - (-inf) = NaN on the DSL ...
    CHECK(std::isnan(pl::exp(pl::row_expand_sub(masked, mx)).to_vector()[0]));
    // ... while with torch's finite finfo.min the same computation gives exp(0) = 1.
    const float lowest = std::numeric_limits<float>::lowest();
    CHECK(std::exp(lowest - lowest) == 1.0f);
}

TEST_CASE("DSL vs torch 3: assemble copies only the source's valid region")
{
    auto target = pl::full({1, 4}, pl::FP32, -1.0f);
    auto src = pl::slice(tensor_from<float>({1, 4}, {1, 2, 3, 4}), {1, 4}, {0, 0}, {1, 2});
    target = pl::assemble(target, src, {0, 0});
    CHECK(target.to_vector() == std::vector<float>{1, 2, -1, -1}); // a whole-window copy gives 1 2 3 4
}

TEST_CASE("DSL vs torch 4: reductions keep the reduced dim")
{
    auto r = pl::row_sum(pl::full({3, 5}, pl::FP32, 1.0f));
    CHECK(r.shape() == dims{3, 1}); // torch's x.sum(-1) has shape [3]
    CHECK(pl::row_expand_div(pl::full({3, 5}, pl::FP32, 1.0f), r).shape() == dims{3, 5});
}

TEST_CASE("DSL vs torch 5: b_trans means b is stored [N, K] (a @ b.T)")
{
    auto a = tensor_from<float>({1, 2}, {1, 10});
    auto b = tensor_from<float>({3, 2}, {1, 2, 3, 4, 5, 6}); // N=3 rows of K=2
    CHECK(pl::matmul(a, b, pl::FP32, false, true).to_vector() == std::vector<float>{21, 43, 65});
    CHECK_THROWS_AS(pl::matmul(a, b, pl::FP32), ptoref::error); // [1,2] @ [3,2] is a K mismatch
}

TEST_CASE("DSL vs torch 6: create_tensor is not zero-filled")
{
    auto t = pl::create_tensor({2}, pl::FP32);
    CHECK(std::isnan(t.to_vector()[0]));
    CHECK_FALSE(t.is_defined({0}));
}
