// One test per difference between the DSL's semantics and a torch golden (pypto-semantics.md
// §1.2; docs/semantics.md §5), each named after it. Each asserts the DSL behaviour and shows,
// on the same data, that the torch behaviour (emulated here in a few obvious lines) differs.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::tensor_from;

namespace {
// torch's float -> bfloat16 (c10::round_to_nearest_even): add 0x7FFF + lsb, truncate; NaN -> 0x7FC0.
std::uint16_t torch_to_bf16(float f)
{
    const std::uint32_t u = bits(f);
    if (f != f)
        return 0x7fc0;
    return static_cast<std::uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}
} // namespace

TEST_CASE("DSL vs torch 1: pl.cast defaults to round (ties away), torch .to() is rint (ties to even)")
{
    rng r(1);
    std::vector<float> v;
    for (int i = 0; i < 1000; ++i) // half exact ties, half arbitrary values
        v.push_back(f32(i % 2 ? r.bits32() & 0xbfffffffu : (r.bits32() & 0xbfff0000u) | 0x8000u));
    v.push_back(f32(0x3f808000u)); // 1 + 2^-8: exactly between bf16 1 and 1 + 2^-7
    auto x = tensor_from<float>({static_cast<ix>(v.size())}, v);
    const auto dsl = bits_of(pl::cast(x, pl::BF16));
    std::size_t differ = 0, ties = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const std::uint32_t u = bits(v[i]);
        const bool tie = (u & 0xffffu) == 0x8000u;
        ties += tie;
        // DSL: ties away from zero (0x8000 in the dropped half rounds the magnitude up).
        REQUIRE(dsl[i] == ((u >> 16) + ((u & 0xffffu) >= 0x8000u ? 1u : 0u)));
        differ += dsl[i] != torch_to_bf16(v[i]);
        // They differ exactly on ties whose kept part is even.
        REQUIRE((dsl[i] != torch_to_bf16(v[i])) == (tie && ((u >> 16) & 1u) == 0));
    }
    CHECK(dsl.back() == 0x3f81);
    CHECK(torch_to_bf16(v.back()) == 0x3f80);
    CHECK(differ > ties / 4);
    // mode="rint" is how a port (and pypto-lib's precision guide) gets torch's bits.
    const auto rint = bits_of(pl::cast(x, pl::BF16, "rint"));
    for (std::size_t i = 0; i < v.size(); ++i)
        REQUIRE(rint[i] == torch_to_bf16(v[i]));
}

TEST_CASE("DSL vs torch 2: PadValue.min is -inf, not finfo.min, so a fully padded row gives NaN in softmax")
{
    // Scores [2, 4]: row 0 has 2 valid columns, row 1 none (e.g. a sequence of length 0).
    auto scores = tensor_from<float>({2, 4}, {0.5f, 1.5f, 7, 7, 7, 7, 7, 7});
    auto masked = pl::slice(scores, {2, 4}, {0, 0}, {1, 2});
    CHECK(pl::slice(masked, {1, 4}, {1, 0}).valid_shape() == dims{0, 2}); // row 1: nothing valid
    // DSL: the pad is -inf.
    auto padded = pl::fillpad(masked, pl::PadValue::min);
    CHECK(bits_of(padded)[4] == 0xff800000u);
    auto mx = pl::row_max(padded);
    CHECK(bits_of(mx)[1] == 0xff800000u);
    auto e = pl::exp(pl::row_expand_sub(padded, mx));
    const auto eb = e.to_vector();
    for (int j = 4; j < 8; ++j)
        CHECK(std::isnan(eb[static_cast<std::size_t>(j)])); // -inf - (-inf) = NaN
    // torch_codegen / the pypto-lib golden: the pad is torch.finfo(float32).min. Same ops, same data:
    const float lowest = std::numeric_limits<float>::lowest();
    auto torch_padded = tensor_from<float>({2, 4}, {0.5f, 1.5f, lowest, lowest, lowest, lowest, lowest, lowest});
    auto tmx = pl::row_max(torch_padded);
    CHECK(tmx.to_vector()[1] == lowest);
    const auto te = pl::exp(pl::row_expand_sub(torch_padded, tmx)).to_vector();
    for (int j = 4; j < 8; ++j)
        CHECK(te[static_cast<std::size_t>(j)] == 1.0f); // lowest - lowest = 0, exp(0) = 1
    // Where a row is only partly padded, both agree (exp(-inf) = exp(lowest - max) = 0).
    for (int j = 0; j < 4; ++j)
        CHECK(bits(eb[static_cast<std::size_t>(j)]) == bits(te[static_cast<std::size_t>(j)]));
    CHECK(eb[2] == 0.0f);
}

TEST_CASE("DSL vs torch 3: assemble copies only the source's valid region, not the whole window")
{
    auto src_data = tensor_from<float>({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
    auto src = pl::slice(src_data, {2, 4}, {0, 0}, {1, 3}); // only [1, 2, 3] is valid
    auto target = pl::full({3, 5}, pl::FP32, -1.0f);
    target = pl::assemble(target, src, {1, 1});
    CHECK(target.to_vector() == std::vector<float>{-1, -1, -1, -1, -1, //
                                                   -1, 1, 2, 3, -1,    //
                                                   -1, -1, -1, -1, -1});
    // A whole-window copy (target[1:3, 1:5] = source, with the slice's real data behind it)
    // overwrites five more elements.
    std::vector<float> whole(15, -1.0f);
    const auto s = src_data.to_vector();
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 4; ++j)
            whole[static_cast<std::size_t>((1 + i) * 5 + 1 + j)] = s[static_cast<std::size_t>(i * 4 + j)];
    const auto dsl = target.to_vector();
    int differ = 0;
    for (std::size_t k = 0; k < whole.size(); ++k)
        differ += dsl[k] != whole[k];
    CHECK(differ == 5);
}

TEST_CASE("DSL vs torch 4: reductions keep the reduced dim ([M, 1], not [M])")
{
    rng r(4);
    std::vector<float> v(16);
    for (float& f : v)
        f = static_cast<float>(r.between(-8, 8));
    auto x = tensor_from<float>({4, 4}, v);
    auto s = pl::row_sum(x);
    CHECK(s.shape() == dims{4, 1}); // torch's x.sum(-1) has shape [4]
    CHECK(pl::row_max(x).shape() == dims{4, 1});
    const auto centered = pl::row_expand_sub(x, s).to_vector();
    // A [4]-shaped sum broadcast NumPy-style against [4, 4] pairs with columns, not rows.
    const auto wrong = pl::sub(x, pl::reshape(s, {4})).to_vector();
    const auto sv = s.to_vector();
    int differ = 0;
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
            const auto k = static_cast<std::size_t>(i * 4 + j);
            REQUIRE(centered[k] == v[k] - sv[static_cast<std::size_t>(i)]);
            REQUIRE(wrong[k] == v[k] - sv[static_cast<std::size_t>(j)]);
            differ += centered[k] != wrong[k];
        }
    CHECK(differ > 0);
    // And with M != N the [M] shape does not even broadcast.
    auto y = pl::full({3, 5}, pl::FP32, 1.0f);
    CHECK_THROWS_WITH(pl::sub(y, pl::reshape(pl::row_sum(y), {3})), Catch::Contains("do not broadcast"));
    CHECK(pl::row_expand_div(y, pl::row_sum(y)).to_vector() == std::vector<float>(15, 0.2f));
}

TEST_CASE("DSL vs torch 5: b_trans means b is stored [N, K] and used as b^T (a @ b.T)")
{
    rng r(5);
    const ix m = 3, n = 4, k = 4; // N == K, so a @ b (no transpose) is also legal, and wrong
    std::vector<float> av(static_cast<std::size_t>(m * k)), bv(static_cast<std::size_t>(n * k));
    for (float& f : av)
        f = static_cast<float>(r.between(-5, 5));
    for (float& f : bv)
        f = static_cast<float>(r.between(-5, 5));
    auto a = tensor_from<float>({m, k}, av);
    auto b = tensor_from<float>({n, k}, bv); // stored [N, K]
    const auto got = pl::matmul(a, b, pl::FP32, false, true).to_vector();
    const auto plain = pl::matmul(a, b, pl::FP32).to_vector(); // what "a @ b" would compute
    int differ = 0;
    for (ix i = 0; i < m; ++i)
        for (ix j = 0; j < n; ++j) {
            float want = 0.0f, untransposed = 0.0f;
            for (ix p = 0; p < k; ++p) {
                want = std::fma(av[static_cast<std::size_t>(i * k + p)], bv[static_cast<std::size_t>(j * k + p)], want);
                untransposed = std::fma(av[static_cast<std::size_t>(i * k + p)],
                                        bv[static_cast<std::size_t>(p * n + j)], untransposed);
            }
            REQUIRE(got[static_cast<std::size_t>(i * n + j)] == want);
            REQUIRE(plain[static_cast<std::size_t>(i * n + j)] == untransposed);
            differ += want != untransposed;
        }
    CHECK(differ > 0);
    // Non-square: [1, 2] @ [3, 2] only works as a @ b.T.
    auto a2 = tensor_from<float>({1, 2}, {1, 10});
    auto b2 = tensor_from<float>({3, 2}, {1, 2, 3, 4, 5, 6});
    CHECK(pl::matmul(a2, b2, pl::FP32, false, true).to_vector() == std::vector<float>{21, 43, 65});
    CHECK_THROWS_WITH(pl::matmul(a2, b2, pl::FP32), Catch::Contains("K mismatch"));
}

TEST_CASE("DSL vs torch 6: create_tensor is uninitialised (poison), not zero-filled")
{
    ptoref::check::collector c;
    auto t = pl::create_tensor({2, 3}, pl::FP32).name("scratch");
    t = pl::assemble(t, pl::full({1, 3}, pl::FP32, 1.0f), {0, 0}); // row 1 never written
    auto s = pl::row_sum(t);
    // DSL: the never-written row is poison; its sum is NaN and undefined, and reaching an output is reported.
    CHECK(s.to_vector()[0] == 3.0f);
    CHECK(std::isnan(s.to_vector()[1]));
    CHECK(s.defined_mask() == std::vector<std::uint8_t>{1, 0});
    ptoref::check::require_defined(s, "s");
    REQUIRE(c.undefined().size() == 1);
    CHECK(c.undefined()[0].origin.find("pl::create_tensor at test_dsl_vs_torch.cpp:") == 0);
    // torch_codegen's torch.zeros would give a silent, plausible 0 for the same program.
    auto zeros = pl::full({2, 3}, pl::FP32, 0.0f);
    zeros = pl::assemble(zeros, pl::full({1, 3}, pl::FP32, 1.0f), {0, 0});
    CHECK(pl::row_sum(zeros).to_vector() == std::vector<float>{3.0f, 0.0f});
}
