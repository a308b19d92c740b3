// pl::matmul / pl::matmul_acc (ops/matmul.hpp) against the naive triple loop of the contract.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

#include <ptoref/simd/features.hpp>

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::fp16;
using ptoref::tensor_from;

namespace {

// The contract's loop (DESIGN.md): acc starts at +0.0f, k ascending, acc = fma(a, b, acc).
// a is stored [M, K] ([K, M] if at), b is stored [K, N] ([N, K] if bt). Values widened to float.
std::vector<float> oracle(const std::vector<float>& a, const std::vector<float>& b, ix m, ix n, ix k, bool at, bool bt,
                          const std::vector<float>* init = nullptr)
{
    std::vector<float> c(static_cast<std::size_t>(m * n));
    for (ix i = 0; i < m; ++i)
        for (ix j = 0; j < n; ++j) {
            float acc = init ? (*init)[static_cast<std::size_t>(i * n + j)] : 0.0f;
            for (ix p = 0; p < k; ++p) {
                const float x = a[static_cast<std::size_t>(at ? p * m + i : i * k + p)];
                const float y = b[static_cast<std::size_t>(bt ? j * k + p : p * n + j)];
                acc = std::fma(x, y, acc);
            }
            c[static_cast<std::size_t>(i * n + j)] = acc;
        }
    return c;
}

// The same loop with the product rounded before the addition (what a non-fused loop would do).
std::vector<float> oracle_unfused(const std::vector<float>& a, const std::vector<float>& b, ix m, ix n, ix k)
{
    std::vector<float> c(static_cast<std::size_t>(m * n));
    for (ix i = 0; i < m; ++i)
        for (ix j = 0; j < n; ++j) {
            float acc = 0.0f;
            for (ix p = 0; p < k; ++p) {
                // volatile: the product is rounded on its own even under -ffp-contract=fast.
                const volatile float prod =
                    a[static_cast<std::size_t>(i * k + p)] * b[static_cast<std::size_t>(p * n + j)];
                acc = acc + prod;
            }
            c[static_cast<std::size_t>(i * n + j)] = acc;
        }
    return c;
}

std::vector<float> random_values(rng& r, ix count, int lo = -12, int hi = 12)
{
    std::vector<float> v(static_cast<std::size_t>(count));
    for (float& f : v)
        f = r.value(lo, hi);
    return v;
}

template <class T>
std::vector<T> narrow_all(const std::vector<float>& v)
{
    std::vector<T> out;
    for (float f : v)
        out.push_back(T::from_bits(static_cast<std::uint16_t>(round_bits(f, std::is_same_v<T, bf16> ? BF16 : F16))));
    return out;
}
template <class T>
std::vector<float> widen_all(const std::vector<T>& v)
{
    std::vector<float> out;
    for (T x : v)
        out.push_back(x.to_float());
    return out;
}

std::vector<ptoref::simd::path> available_paths()
{
    std::vector<ptoref::simd::path> out;
    for (auto p : {ptoref::simd::path::scalar, ptoref::simd::path::avx2, ptoref::simd::path::avx512,
                   ptoref::simd::path::avx512bf16})
        if (ptoref::simd::cpu_has(p))
            out.push_back(p);
    return out;
}

struct mnk {
    ix m, n, k;
};
constexpr mnk shapes[] = {{1, 1, 1}, {7, 9, 33}, {5, 40, 17}, {3, 67, 64}, {16, 16, 1}, {2, 35, 130}, {4, 3, 0}};

// The logical matrices a [m, k] and b [k, n] (row-major), stored as the transpose flags say:
// the element vectors and the tensors over them.
template <class T>
struct flagged_operands {
    std::vector<T> as, bs;
    ptoref::Tensor<T> ta, tb;
};
template <class T>
flagged_operands<T> store_as_flagged(const std::vector<T>& a, const std::vector<T>& b, const mnk& s, bool at, bool bt)
{
    flagged_operands<T> o{std::vector<T>(a.size()), std::vector<T>(b.size()), {}, {}};
    for (ix i = 0; i < s.m; ++i)
        for (ix p = 0; p < s.k; ++p)
            o.as[static_cast<std::size_t>(at ? p * s.m + i : i * s.k + p)] = a[static_cast<std::size_t>(i * s.k + p)];
    for (ix p = 0; p < s.k; ++p)
        for (ix j = 0; j < s.n; ++j)
            o.bs[static_cast<std::size_t>(bt ? j * s.k + p : p * s.n + j)] = b[static_cast<std::size_t>(p * s.n + j)];
    o.ta = tensor_from<T>(at ? dims{s.k, s.m} : dims{s.m, s.k}, o.as);
    o.tb = tensor_from<T>(bt ? dims{s.n, s.k} : dims{s.k, s.n}, o.bs);
    return o;
}

} // namespace

TEST_CASE("fp32 matmul equals the naive fma loop for every transpose combination, shape and SIMD path")
{
    rng r(17);
    std::size_t unfused_differs = 0, outputs = 0;
    for (const mnk& s : shapes) {
        const auto a = random_values(r, s.m * s.k), b = random_values(r, s.k * s.n);
        const auto want_plain = oracle(a, b, s.m, s.n, s.k, false, false);
        const auto unfused = oracle_unfused(a, b, s.m, s.n, s.k);
        for (std::size_t i = 0; i < unfused.size(); ++i)
            unfused_differs += bits(unfused[i]) != bits(want_plain[i]);
        outputs += unfused.size();
        for (auto path : available_paths()) {
            ptoref::simd::path_scope scope(path);
            for (bool at : {false, true})
                for (bool bt : {false, true}) {
                    INFO("m " << s.m << " n " << s.n << " k " << s.k << " a_trans " << at << " b_trans " << bt
                              << " path " << ptoref::simd::to_string(path));
                    // The same logical matrices, stored as the flags say.
                    const auto [as, bs, ta, tb] = store_as_flagged(a, b, s, at, bt);
                    const auto c = pl::matmul(ta, tb, pl::FP32, at, bt);
                    REQUIRE(c.shape() == dims{s.m, s.n});
                    REQUIRE(c.fully_valid());
                    const auto want = oracle(as, bs, s.m, s.n, s.k, at, bt);
                    REQUIRE(want == want_plain);
                    std::vector<std::uint32_t> wb;
                    for (float f : want)
                        wb.push_back(bits(f));
                    REQUIRE(bits_of(c) == wb);
                }
        }
    }
    // The fused step is observable on this data, so the test pins it.
    CHECK(unfused_differs > outputs / 10);
}

TEST_CASE("fp32 matmul specials: +0 start, NaN canonical, inf, K = 0")
{
    // acc starts at +0: fma(-1, 0, +0) = +0 and fma(-1, +0, ...) chains stay +0; a -0 start would give -0.
    auto a = tensor_from<float>({1, 2}, {-1.0f, -1.0f});
    auto b = tensor_from<float>({2, 1}, {0.0f, 0.0f});
    CHECK(bits_of(pl::matmul(a, b)) == std::vector<std::uint32_t>{0u});
    // K = 0: every output is the accumulator's start, +0.
    CHECK(bits_of(pl::matmul(pl::full({3, 0}, pl::FP32, 1.0f), pl::full({0, 2}, pl::FP32, 1.0f))) ==
          std::vector<std::uint32_t>(6, 0u));
    // NaN (any payload), inf - inf and 0 * inf give the canonical NaN; inf survives.
    auto x = tensor_from<float>({3, 2}, {f32(0xffa5a5a5u), 1.0f, f32(0x7f800000u), 1.0f, f32(0x7f800000u), 0.0f});
    auto y = tensor_from<float>({2, 2}, {1.0f, 1.0f, f32(0xff800000u), 1.0f});
    CHECK(bits_of(pl::matmul(x, y)) == std::vector<std::uint32_t>{qnan, qnan, qnan, 0x7f800000u, qnan, 0x7f800000u});
    // Subnormal products and sums are kept (no flush to zero): 2^-70 * 2^-70 = 2^-140.
    CHECK(bits_of(pl::matmul(tensor_from<float>({1, 1}, {0x1p-70f}), tensor_from<float>({1, 1}, {0x1p-70f}))) ==
          std::vector<std::uint32_t>{0x200u});
    auto s = tensor_from<float>({1, 3}, {0x1p-70f, 0x1p-75f, -0x1p-72f});
    auto t = tensor_from<float>({3, 1}, {0x1p-70f, 0x1p-74f, 0x1p-75f});
    CHECK(bits_of(pl::matmul(s, t)) ==
          std::vector<std::uint32_t>{bits(std::fma(-0x1p-72f, 0x1p-75f, std::fma(0x1p-75f, 0x1p-74f, 0x1p-140f)))});
}

TEMPLATE_TEST_CASE("16-bit inputs accumulate in fp32 and narrow once to nearest-even", "", bf16, fp16)
{
    using T = TestType;
    rng r(std::is_same_v<T, bf16> ? 23 : 24);
    for (const mnk& s : shapes) {
        const auto a = narrow_all<T>(random_values(r, s.m * s.k, -6, 6));
        const auto b = narrow_all<T>(random_values(r, s.k * s.n, -6, 6));
        const auto af = widen_all(a), bf = widen_all(b);
        for (bool at : {false, true})
            for (bool bt : {false, true}) {
                const auto [as, bs, ta, tb] = store_as_flagged(a, b, s, at, bt);
                const auto want = oracle(af, bf, s.m, s.n, s.k, false, false);
                const auto c32 = bits_of(pl::matmul(ta, tb, pl::FP32, at, bt));
                const auto c16 = bits_of(pl::matmul(ta, tb, ptoref::dtype_tag<T>{}, at, bt));
                for (std::size_t i = 0; i < want.size(); ++i) {
                    REQUIRE(c32[i] == bits(want[i]));
                    REQUIRE(c16[i] == round_bits(want[i], std::is_same_v<T, bf16> ? BF16 : F16, mode::rint));
                }
                if (!at && !bt) // without out_dtype: the operands' dtype
                    REQUIRE(bits_of(pl::matmul(ta, tb)) == c16);
            }
    }
    // For 16-bit inputs every product is exact in fp32, so fused == unfused: the narrowing is what
    // distinguishes rint from the cast default (round): find a tie and check it goes to even.
    auto a = tensor_from<T>({1, 2}, narrow_all<T>({1.0f, 1.0f}));
    const float tie = std::is_same_v<T, bf16> ? 0x1p-8f : 0x1p-11f; // half an ulp of 1
    auto b = tensor_from<T>({2, 1}, narrow_all<T>({1.0f, tie}));
    CHECK(bits_of(pl::matmul(a, b, ptoref::dtype_tag<T>{}))[0] == (std::is_same_v<T, bf16> ? 0x3f80u : 0x3c00u));
}

TEST_CASE("bf16 matmul equals the naive fma loop when rows of a or all of b leave VDPBF16PS's exact range")
{
    // Row kinds of a: in range, with a subnormal, with a tiny normal (below 2^-51), with a NaN,
    // with an infinity, with a large value (above 2^48), all zeros of both signs. The rows in
    // range take the VDPBF16PS kernel (where the CPU has it), the others the fp32 kernel; with
    // every row in range, b transposed and M >= 16 the kernel computes c^T = b a^T.
    rng r(31);
    const std::uint16_t odd_values[] = {0x0001u, 0x8043u, 0x2000u, 0x7fc1u, 0xff80u, 0x5800u, 0x8000u};
    for (const mnk& s :
         {mnk{7, 19, 33}, mnk{9, 64, 64}, mnk{5, 70, 1}, mnk{13, 16, 130}, mnk{16, 64, 128}, mnk{19, 33, 7}})
        for (int variant : {0, 1, 2}) { // 0: b in range, 1: b out of range, 2: every row of a in range too
            const bool b_in_range = variant != 1;
            std::vector<bf16> a(static_cast<std::size_t>(s.m * s.k)), b(static_cast<std::size_t>(s.k * s.n));
            for (ix i = 0; i < s.m; ++i)
                for (ix p = 0; p < s.k; ++p) {
                    const ix kind = variant == 2 && i % 8 != 7 ? 0 : i % 8; // 0: in range
                    bf16& x = a[static_cast<std::size_t>(i * s.k + p)];
                    x = narrow_all<bf16>({r.value(-20, 20)})[0];
                    if (kind == 7)
                        x = bf16::from_bits(p % 2 ? 0x8000u : 0x0000u);
                    else if (kind > 0 && p == (i * 5) % s.k)
                        x = bf16::from_bits(odd_values[kind - 1]);
                }
            for (bf16& y : b)
                y = narrow_all<bf16>({r.value(-20, 20)})[0];
            if (!b_in_range)
                b[b.size() / 2] = bf16::from_bits(0x0003u);
            const auto af = widen_all(a), bf = widen_all(b);
            const auto want = oracle(af, bf, s.m, s.n, s.k, false, false);
            for (auto path : available_paths()) {
                ptoref::simd::path_scope scope(path);
                for (bool at : {false, true})
                    for (bool bt : {false, true}) {
                        const auto [as, bs, ta, tb] = store_as_flagged(a, b, s, at, bt);
                        const auto c32 = bits_of(pl::matmul(ta, tb, pl::FP32, at, bt));
                        for (std::size_t i = 0; i < want.size(); ++i) {
                            INFO("path " << ptoref::simd::to_string(path) << " m n k " << s.m << " " << s.n << " "
                                         << s.k << " a_trans " << at << " b_trans " << bt << " element " << i);
                            if (std::isnan(want[i]))
                                REQUIRE(c32[i] == 0x7fc00000u); // NaN results are canonical
                            else
                                REQUIRE(c32[i] == bits(want[i]));
                        }
                    }
            }
        }
}

TEMPLATE_TEST_CASE("integer matmul and matmul_acc equal the k-ascending wrapping chain, both dtypes, every transpose",
                   "", std::int8_t, std::int32_t)
{
    // The loops are reordered for contiguous inner loops (sums modulo 2^32 do not depend on the
    // order); the oracle is the plain chain: int32 of each operand, products and sums mod 2^32.
    using T = TestType;
    rng r(31);
    auto to_u = [](T x) { return static_cast<std::uint32_t>(static_cast<std::int32_t>(x)); };
    for (const mnk& s : {mnk{1, 1, 1}, mnk{3, 5, 2}, mnk{17, 33, 70}, mnk{16, 64, 128}, mnk{2, 9, 257}}) {
        std::vector<T> a(static_cast<std::size_t>(s.m * s.k)), b(static_cast<std::size_t>(s.k * s.n));
        for (auto& x : a)
            x = static_cast<T>(r.bits32() * 0x9e3779b97f4a7c15ull);
        for (auto& x : b)
            x = static_cast<T>(r.bits32() * 0xc2b2ae3d27d4eb4full);
        std::vector<std::int32_t> start(static_cast<std::size_t>(s.m * s.n));
        for (auto& x : start)
            x = static_cast<std::int32_t>(r.bits32());
        for (bool at : {false, true})
            for (bool bt : {false, true}) {
                const auto stored = store_as_flagged(a, b, s, at, bt);
                const auto c = pl::matmul(stored.ta, stored.tb, pl::INT32, at, bt).to_vector();
                const auto c_acc =
                    pl::matmul_acc(tensor_from<std::int32_t>({s.m, s.n}, start), stored.ta, stored.tb, at, bt).to_vector();
                for (ix i = 0; i < s.m; ++i)
                    for (ix j = 0; j < s.n; ++j) {
                        std::uint32_t chain = 0, chain_acc = static_cast<std::uint32_t>(start[static_cast<std::size_t>(i * s.n + j)]);
                        for (ix p = 0; p < s.k; ++p) {
                            const std::uint32_t prod = to_u(a[static_cast<std::size_t>(i * s.k + p)]) *
                                                       to_u(b[static_cast<std::size_t>(p * s.n + j)]);
                            chain += prod;
                            chain_acc += prod;
                        }
                        const auto o = static_cast<std::size_t>(i * s.n + j);
                        REQUIRE(c[o] == static_cast<std::int32_t>(chain));
                        REQUIRE(c_acc[o] == static_cast<std::int32_t>(chain_acc));
                    }
            }
    }
}

TEST_CASE("int32 matmul accumulates in int32, wrapping, for every transpose combination")
{
    rng r(29);
    const ix m = 5, n = 7, k = 9;
    std::vector<std::int32_t> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n));
    for (auto& x : a)
        x = static_cast<std::int32_t>(r.bits32());
    for (auto& x : b)
        x = r.between(-100000, 100000);
    for (bool at : {false, true})
        for (bool bt : {false, true}) {
            const auto stored = store_as_flagged(a, b, mnk{m, n, k}, at, bt);
            const auto c = pl::matmul(stored.ta, stored.tb, pl::INT32, at, bt).to_vector();
            for (ix i = 0; i < m; ++i)
                for (ix j = 0; j < n; ++j) {
                    std::uint32_t acc = 0;
                    for (ix p = 0; p < k; ++p)
                        acc += static_cast<std::uint32_t>(a[static_cast<std::size_t>(i * k + p)]) *
                               static_cast<std::uint32_t>(b[static_cast<std::size_t>(p * n + j)]);
                    REQUIRE(c[static_cast<std::size_t>(i * n + j)] == static_cast<std::int32_t>(acc));
                }
        }
    auto x = tensor_from<std::int32_t>({1, 2}, {INT32_MAX, 1});
    auto y = tensor_from<std::int32_t>({2, 1}, {1, 1});
    CHECK(pl::matmul(x, y).to_vector()[0] == INT32_MIN);
    CHECK(pl::matmul(x, y, pl::FP32).to_vector()[0] == -0x1p31f); // int32 accumulator, then converted
}

TEST_CASE("matmul + matmul_acc over split K gives the bits of one matmul, for every split")
{
    rng r(31);
    const ix m = 4, n = 19, k = 40;
    const auto af = random_values(r, m * k, -20, 20), bf = random_values(r, k * n, -20, 20);
    const auto a16 = narrow_all<bf16>(af), b16 = narrow_all<bf16>(bf);
    for (bool at : {false, true})
        for (bool bt : {false, true}) {
            // Stored layouts; the K halves are slices of the stored tensors.
            auto ta = at ? pl::transpose(tensor_from<float>({m, k}, af), 0, 1) : tensor_from<float>({m, k}, af);
            auto tb = bt ? pl::transpose(tensor_from<float>({k, n}, bf), 0, 1) : tensor_from<float>({k, n}, bf);
            ta = tensor_from<float>(ta.shape(), ta.to_vector()); // dense, in the stored layout
            tb = tensor_from<float>(tb.shape(), tb.to_vector());
            auto ha = tensor_from<bf16>(ta.shape(), narrow_all<bf16>(ta.to_vector()));
            auto hb = tensor_from<bf16>(tb.shape(), narrow_all<bf16>(tb.to_vector()));
            const auto whole = bits_of(pl::matmul(ta, tb, pl::FP32, at, bt));
            const auto whole16 = bits_of(pl::matmul(ha, hb, pl::FP32, at, bt));
            auto a_part = [&](auto& t, ix k0, ix len) {
                return at ? pl::slice(t, {len, m}, {k0, 0}) : pl::slice(t, {m, len}, {0, k0});
            };
            auto b_part = [&](auto& t, ix k0, ix len) {
                return bt ? pl::slice(t, {n, len}, {0, k0}) : pl::slice(t, {len, n}, {k0, 0});
            };
            for (ix k1 = 0; k1 <= k; ++k1) {
                INFO("a_trans " << at << " b_trans " << bt << " k1 " << k1);
                auto first = pl::matmul(a_part(ta, 0, k1), b_part(tb, 0, k1), pl::FP32, at, bt);
                auto acc = pl::matmul_acc(first, a_part(ta, k1, k - k1), b_part(tb, k1, k - k1), at, bt);
                REQUIRE(bits_of(acc) == whole);
                auto first16 = pl::matmul(a_part(ha, 0, k1), b_part(hb, 0, k1), pl::FP32, at, bt);
                REQUIRE(bits_of(pl::matmul_acc(first16, a_part(ha, k1, k - k1), b_part(hb, k1, k - k1), at, bt)) ==
                        whole16);
            }
            // Three pieces.
            auto c = pl::matmul(a_part(ta, 0, 7), b_part(tb, 0, 7), pl::FP32, at, bt);
            c = pl::matmul_acc(c, a_part(ta, 7, 20), b_part(tb, 7, 20), at, bt);
            c = pl::matmul_acc(c, a_part(ta, 27, 13), b_part(tb, 27, 13), at, bt);
            CHECK(bits_of(c) == whole);
        }
    // The result of matmul_acc is a new tensor; acc itself is not modified.
    auto acc0 = pl::full({m, n}, pl::FP32, 1.0f);
    auto res = pl::matmul_acc(acc0, tensor_from<float>({m, k}, af), tensor_from<float>({k, n}, bf));
    CHECK(acc0.to_vector() == std::vector<float>(static_cast<std::size_t>(m * n), 1.0f));
    std::vector<float> ones(static_cast<std::size_t>(m * n), 1.0f);
    const auto want = oracle(af, bf, m, n, k, false, false, &ones);
    CHECK(res.to_vector() == want);
    // int32 chain.
    auto ia = tensor_from<std::int32_t>({1, 3}, {INT32_MAX, 2, 3});
    auto ib = tensor_from<std::int32_t>({3, 1}, {1, 1, 1});
    auto ic = pl::matmul_acc(pl::full({1, 1}, pl::INT32, 5), ia, ib);
    CHECK(ic.to_vector()[0] == static_cast<std::int32_t>(5u + 0x7fffffffu + 5u));
}

TEST_CASE("shape errors name both shapes, the flags and both Ks, and the call site")
{
    auto a = pl::full({64, 128}, pl::BF16, 1.0f);
    auto b = pl::full({64, 64}, pl::BF16, 1.0f);
    CHECK_THROWS_AS(pl::matmul(a, b, pl::FP32), ptoref::error);
    CHECK_THROWS_WITH(pl::matmul(a, b, pl::FP32), Catch::Contains("pl::matmul") && Catch::Contains("K mismatch") &&
                                                      Catch::Contains("a is [64, 128] with a_trans=false (K=128)") &&
                                                      Catch::Contains("b is [64, 64] with b_trans=false (K=64)") &&
                                                      Catch::Contains("test_matmul.cpp:"));
    CHECK_THROWS_WITH(pl::matmul(b, a, pl::FP32, true, true), Catch::Contains("K mismatch") &&
                                                                  Catch::Contains("a_trans=true (K=64)") &&
                                                                  Catch::Contains("b_trans=true (K=128)"));
    CHECK_NOTHROW(pl::matmul(a, b, pl::FP32, true, false)); // [128, 64]^T @ ... K = 64
    CHECK_THROWS_WITH(pl::matmul(pl::full({2, 2, 2}, pl::FP32, 1.0f), pl::full({2, 2}, pl::FP32, 1.0f)),
                      Catch::Contains("pl::matmul") && Catch::Contains("must be 2-D") && Catch::Contains("[2, 2, 2]") &&
                          Catch::Contains("test_matmul.cpp:"));
    CHECK_THROWS_WITH(pl::matmul(pl::full({2, 2}, pl::FP32, 1.0f), pl::full({2}, pl::FP32, 1.0f)),
                      Catch::Contains("must be 2-D"));
    CHECK_THROWS_WITH(pl::matmul_acc(pl::full({3, 3}, pl::FP32, 0.0f), a, pl::full({128, 2}, pl::BF16, 1.0f)),
                      Catch::Contains("pl::matmul_acc") && Catch::Contains("acc has shape [3, 3]") &&
                          Catch::Contains("[64, 2]"));
    CHECK_THROWS_WITH(pl::matmul_acc(pl::full({64, 64}, pl::FP32, 0.0f), a, b),
                      Catch::Contains("pl::matmul_acc") && Catch::Contains("K mismatch"));
}

TEST_CASE("strided and transposed operand views equal dense copies")
{
    rng r(37);
    const auto v = random_values(r, 12 * 20);
    auto base = tensor_from<float>({12, 20}, v);
    auto a = pl::slice(base, {5, 7}, {2, 3});                       // [5, 7] strided
    auto b = pl::transpose(pl::slice(base, {9, 7}, {3, 11}), 0, 1); // [7, 9] transposed view
    auto ad = tensor_from<float>({5, 7}, a.to_vector()), bd = tensor_from<float>({7, 9}, b.to_vector());
    CHECK(bits_of(pl::matmul(a, b)) == bits_of(pl::matmul(ad, bd)));
    CHECK(bits_of(pl::matmul(pl::transpose(a, 0, 1), b, pl::FP32, true, false)) == bits_of(pl::matmul(ad, bd)));
    CHECK(bits_of(pl::matmul(a, pl::transpose(b, 0, 1), pl::FP32, false, true)) == bits_of(pl::matmul(ad, bd)));
}

TEST_CASE("definedness: a poisoned row of a or column of b makes only that output row/column undefined")
{
    auto a = pl::create_tensor({3, 4}, pl::FP32);
    a = pl::assemble(a, pl::full({1, 4}, pl::FP32, 1.0f), {0, 0});
    a = pl::assemble(a, pl::full({1, 4}, pl::FP32, 2.0f), {2, 0}); // row 1 stays create_tensor poison
    auto b = pl::full({4, 2}, pl::FP32, 1.0f);
    auto c = pl::matmul(a, b, pl::FP32);
    CHECK(c.defined_mask() == std::vector<std::uint8_t>{1, 1, 0, 0, 1, 1});
    CHECK(c.to_vector()[0] == 4.0f);
    CHECK(c.to_vector()[4] == 8.0f);
    CHECK(std::isnan(c.to_vector()[2]));
    // One poisoned element of b spoils its column only.
    auto pb = pl::create_tensor({4, 2}, pl::FP32);
    pb = pl::assemble(pb, pl::full({4, 1}, pl::FP32, 1.0f), {0, 0});
    pb = pl::assemble(pb, pl::full({3, 1}, pl::FP32, 1.0f), {0, 1}); // (3, 1) undefined
    CHECK(pl::matmul(pl::full({3, 4}, pl::FP32, 1.0f), pb).defined_mask() ==
          std::vector<std::uint8_t>{1, 0, 1, 0, 1, 0});
    // With a_trans the poisoned *column* of the stored a is the output row.
    auto at = pl::create_tensor({4, 3}, pl::FP32);
    at = pl::assemble(at, pl::full({4, 2}, pl::FP32, 1.0f), {0, 0}); // stored column 2 undefined
    CHECK(pl::matmul(at, b, pl::FP32, true, false).defined_mask() == std::vector<std::uint8_t>{1, 1, 1, 1, 0, 0});
    // bf16 inputs and a bf16 output: the same rule.
    auto ha = pl::cast(a, pl::BF16);
    CHECK(pl::matmul(ha, pl::full({4, 2}, pl::BF16, 1.0f)).defined_mask() ==
          std::vector<std::uint8_t>{1, 1, 0, 0, 1, 1});
    // matmul_acc: an undefined acc element stays undefined; the rest follows a and b.
    auto acc = pl::create_tensor({3, 2}, pl::FP32);
    acc = pl::assemble(acc, pl::full({3, 1}, pl::FP32, 0.0f), {0, 0});
    CHECK(pl::matmul_acc(acc, a, b).defined_mask() == std::vector<std::uint8_t>{1, 0, 0, 0, 1, 0});
}

TEST_CASE("valid region: valid rows of a x valid columns of b (and of acc)")
{
    auto a = pl::slice(pl::full({4, 3}, pl::FP32, 1.0f), {4, 3}, {0, 0}, {2, 3});
    auto b = pl::slice(pl::full({3, 5}, pl::FP32, 1.0f), {3, 5}, {0, 0}, {3, 4});
    auto c = pl::matmul(a, b);
    CHECK(c.valid_shape() == dims{2, 4});
    CHECK(c.defined_mask() == std::vector<std::uint8_t>{1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    // With the flags, the valid extents of the stored M and N dims.
    CHECK(pl::matmul(pl::transpose(a, 0, 1), b, pl::FP32, true, false).valid_shape() == dims{2, 4});
    CHECK(pl::matmul(a, pl::transpose(b, 0, 1), pl::FP32, false, true).valid_shape() == dims{2, 4});
    // matmul_acc: a partially valid acc limits the result too (its padding reads as poison).
    auto acc = pl::slice(pl::full({4, 5}, pl::FP32, 0.0f), {4, 5}, {0, 0}, {1, 5});
    auto r = pl::matmul_acc(acc, pl::full({4, 3}, pl::FP32, 1.0f), pl::full({3, 5}, pl::FP32, 1.0f));
    CHECK(r.valid_shape() == dims{1, 5});
    CHECK(r.to_vector()[0] == 3.0f);
    CHECK_FALSE(r.is_defined({1, 0}));
}

TEST_CASE("definedness equals the obvious rule for every transpose combination, on random undefined elements")
{
    ptoref::testing::splitmix64 rng(77);
    for (int trial = 0; trial < 60; ++trial) {
        const pl::index m = 1 + static_cast<pl::index>(rng.next() % 5), n = 1 + static_cast<pl::index>(rng.next() % 5),
                        k = 1 + static_cast<pl::index>(rng.next() % 6);
        const bool at = trial % 2 != 0, bt = trial / 2 % 2 != 0;
        // Operands start undefined; most elements are then written (defined).
        auto operand = [&](pl::index r, pl::index c) {
            auto t = pl::create_tensor({r, c}, pl::FP32);
            for (pl::index i = 0; i < r; ++i)
                for (pl::index j = 0; j < c; ++j)
                    if (rng.next() % 8 != 0)
                        t = pl::write(t, {i, j}, 1.0f);
            return t;
        };
        const auto a = at ? operand(k, m) : operand(m, k);
        const auto b = bt ? operand(n, k) : operand(k, n);
        std::vector<std::uint8_t> want;
        for (pl::index i = 0; i < m; ++i)
            for (pl::index j = 0; j < n; ++j) {
                bool ok = true;
                for (pl::index kk = 0; kk < k; ++kk)
                    ok = ok && a.is_defined(at ? ptoref::dims{kk, i} : ptoref::dims{i, kk}) &&
                         b.is_defined(bt ? ptoref::dims{j, kk} : ptoref::dims{kk, j});
                want.push_back(ok ? 1 : 0);
            }
        INFO("trial " << trial << " m=" << m << " n=" << n << " k=" << k << " a_trans=" << at << " b_trans=" << bt);
        CHECK(pl::matmul(a, b, pl::FP32, at, bt).defined_mask() == want);
    }
}
