// pl::batch_matmul / pl::batch_matmul_acc (ops/batch_matmul.hpp) against a slow loop over every
// output element with the batch broadcast done by hand, and against pl::matmul batch by batch.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

#include <string>

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::tensor_from;

namespace {

dims cat(const dims& a, std::initializer_list<ix> tail)
{
    dims out = a;
    for (ix e : tail)
        out.push_back(e);
    return out;
}

// The source batch index of output batch `out` for an operand with batch dims `in` (right-aligned,
// an extent of 1 stays at 0), as a row-major flat index into the operand's batches.
ix source_batch(const dims& in, const dims& out_batch, const dims& out)
{
    ix flat = 0;
    const int lead = out_batch.size() - in.size();
    for (int i = 0; i < in.size(); ++i)
        flat = flat * in[i] + (in[i] == 1 ? 0 : out[lead + i]);
    return flat;
}

// The contract's loop per batch: acc starts at init (or +0), k ascending, acc = fma(a, b, acc).
// a's matrices are stored [M, K] ([K, M] if at), b's [K, N] ([N, K] if bt).
std::vector<float> oracle(const std::vector<float>& a, const dims& ab, const std::vector<float>& b, const dims& bb,
                          const dims& ob, ix m, ix n, ix k, bool at, bool bt, const std::vector<float>* init = nullptr)
{
    std::vector<float> c;
    dims idx = dims::filled(ob.size(), 0);
    const ix nb = ob.product();
    for (ix t = 0; t < nb; ++t) {
        const ix sa = source_batch(ab, ob, idx), sb = source_batch(bb, ob, idx);
        for (ix i = 0; i < m; ++i)
            for (ix j = 0; j < n; ++j) {
                float acc = init ? (*init)[static_cast<std::size_t>((t * m + i) * n + j)] : 0.0f;
                for (ix p = 0; p < k; ++p) {
                    const float x = a[static_cast<std::size_t>(sa * m * k + (at ? p * m + i : i * k + p))];
                    const float y = b[static_cast<std::size_t>(sb * k * n + (bt ? j * k + p : p * n + j))];
                    acc = std::fma(x, y, acc);
                }
                c.push_back(acc);
            }
        ptoref::advance_row_major(idx, ob);
    }
    return c;
}

std::vector<float> values(rng& r, ix count)
{
    std::vector<float> v(static_cast<std::size_t>(count));
    for (float& f : v)
        f = r.value(-10, 10);
    return v;
}

struct batch_case {
    dims a, b, out;
};

// Broadcast pairs: equal, missing on one side, extent 1 on one side, both sides, rank 2, empty.
const std::vector<batch_case> batch_cases = {
    {{}, {}, {}},          {{3}, {}, {3}},           {{}, {2}, {2}},
    {{3}, {3}, {3}},       {{3}, {1}, {3}},          {{1}, {4}, {4}},
    {{2, 1}, {3}, {2, 3}}, {{2, 3}, {1, 3}, {2, 3}}, {{1, 2}, {3, 1}, {3, 2}},
    {{0}, {1}, {0}},       {{2, 0}, {0}, {2, 0}},    {{1, 1, 2}, {2}, {1, 1, 2}},
};

} // namespace

TEST_CASE("batch_matmul equals the per-batch fma loop for every broadcast pair, transpose and shape")
{
    rng r(11);
    for (const auto& bc : batch_cases)
        for (ix m : {1, 3})
            for (ix n : {1, 4})
                for (ix k : {0, 1, 5, 17})
                    for (int flags = 0; flags < 4; ++flags) {
                        const bool at = flags & 1, bt = flags & 2;
                        const dims as = cat(bc.a, {at ? k : m, at ? m : k});
                        const dims bs = cat(bc.b, {bt ? n : k, bt ? k : n});
                        const auto av = values(r, as.product()), bv = values(r, bs.product());
                        const auto a = tensor_from<float>(as, av), b = tensor_from<float>(bs, bv);
                        INFO("a " << ptoref::to_string(as) << " b " << ptoref::to_string(bs));
                        const auto c = pl::batch_matmul(a, b, pl::FP32, at, bt);
                        CHECK(c.shape() == cat(bc.out, {m, n}));
                        std::vector<std::uint32_t> want;
                        for (float f : oracle(av, bc.a, bv, bc.b, bc.out, m, n, k, at, bt))
                            want.push_back(bits(canon(f)));
                        CHECK(bits_of(c) == want);
                        // Narrowed once to bf16, nearest-even.
                        const auto h = pl::batch_matmul(a, b, pl::BF16, at, bt);
                        std::vector<std::uint16_t> wh;
                        for (float f : oracle(av, bc.a, bv, bc.b, bc.out, m, n, k, at, bt))
                            wh.push_back(static_cast<std::uint16_t>(round_bits(f, BF16)));
                        CHECK(bits_of(h) == wh);
                    }
}

TEST_CASE("each batch has the bits of pl::matmul of that batch (bf16 operands, the SIMD kernel)")
{
    rng r(12);
    const ix m = 9, n = 33, k = 70;
    std::vector<float> av = values(r, 2 * 3 * m * k), bv = values(r, 3 * k * n);
    std::vector<bf16> ah, bh;
    for (float f : av)
        ah.push_back(bf16::from_bits(static_cast<std::uint16_t>(round_bits(f, BF16))));
    for (float f : bv)
        bh.push_back(bf16::from_bits(static_cast<std::uint16_t>(round_bits(f, BF16))));
    const auto a = tensor_from<bf16>({2, 3, m, k}, ah), b = tensor_from<bf16>({3, k, n}, bh);
    const auto c = pl::batch_matmul(a, b);
    static_assert(std::is_same_v<decltype(c), const ptoref::Tensor<float>>);
    const auto cb = pl::batch_matmul(a, b, pl::BF16);
    for (ix i = 0; i < 2; ++i)
        for (ix j = 0; j < 3; ++j) {
            const auto ai = pl::reshape(pl::slice(a, {m, k}, {i, j, 0, 0}), {m, k});
            const auto bj = pl::reshape(pl::slice(b, {k, n}, {j, 0, 0}), {k, n});
            const auto ci = pl::reshape(pl::slice(c, {m, n}, {i, j, 0, 0}), {m, n});
            const auto cbi = pl::reshape(pl::slice(cb, {m, n}, {i, j, 0, 0}), {m, n});
            CHECK(bits_of(ci) == bits_of(pl::matmul(ai, bj, pl::FP32)));
            CHECK(bits_of(cbi) == bits_of(pl::matmul(ai, bj)));
        }
    // Rank 2 x rank 2 is pl::matmul itself.
    const auto a2 = pl::reshape(pl::slice(a, {m, k}, {1, 2, 0, 0}), {m, k});
    const auto b2 = pl::reshape(pl::slice(b, {k, n}, {0, 0, 0}), {k, n});
    CHECK(bits_of(pl::batch_matmul(a2, b2)) == bits_of(pl::matmul(a2, b2, pl::FP32)));
}

TEST_CASE("integer batch_matmul: INT8 accumulates in INT32; INT32 wraps")
{
    rng r(13);
    std::vector<std::int8_t> a8, b8;
    for (int i = 0; i < 2 * 3 * 40; ++i)
        a8.push_back(static_cast<std::int8_t>(r.between(-128, 127)));
    for (int i = 0; i < 40 * 5; ++i)
        b8.push_back(static_cast<std::int8_t>(r.between(-128, 127)));
    const auto c = pl::batch_matmul(tensor_from<std::int8_t>({2, 3, 40}, a8), tensor_from<std::int8_t>({1, 40, 5}, b8));
    static_assert(std::is_same_v<decltype(c), const ptoref::Tensor<std::int32_t>>);
    REQUIRE(c.shape() == dims{2, 3, 5});
    std::vector<std::int32_t> want;
    for (ix t = 0; t < 2; ++t)
        for (ix i = 0; i < 3; ++i)
            for (ix j = 0; j < 5; ++j) {
                std::int64_t s = 0;
                for (ix p = 0; p < 40; ++p)
                    s += std::int64_t{a8[static_cast<std::size_t>((t * 3 + i) * 40 + p)]} *
                         b8[static_cast<std::size_t>(p * 5 + j)];
                want.push_back(static_cast<std::int32_t>(s));
            }
    CHECK(c.to_vector() == want);
    // INT32 operands: the chain wraps modulo 2^32 (the oracle sums in uint64, no signed overflow).
    std::vector<std::int32_t> ai, bi;
    for (int i = 0; i < 2 * 2 * 3; ++i)
        ai.push_back(r.between(INT32_MIN, INT32_MAX));
    for (int i = 0; i < 2 * 3 * 2; ++i)
        bi.push_back(r.between(INT32_MIN, INT32_MAX));
    const auto ci =
        pl::batch_matmul(tensor_from<std::int32_t>({2, 2, 3}, ai), tensor_from<std::int32_t>({2, 3, 2}, bi));
    std::vector<std::int32_t> wi;
    for (ix t = 0; t < 2; ++t)
        for (ix i = 0; i < 2; ++i)
            for (ix j = 0; j < 2; ++j) {
                std::uint64_t s = 0;
                for (ix p = 0; p < 3; ++p)
                    s += static_cast<std::uint64_t>(
                             static_cast<std::int64_t>(ai[static_cast<std::size_t>((t * 2 + i) * 3 + p)])) *
                         static_cast<std::uint64_t>(
                             static_cast<std::int64_t>(bi[static_cast<std::size_t>((t * 3 + p) * 2 + j)]));
                wi.push_back(static_cast<std::int32_t>(static_cast<std::uint32_t>(s)));
            }
    CHECK(ci.to_vector() == wi);
}

TEST_CASE("batch_matmul_acc continues each chain: split K gives the bits of one batch_matmul")
{
    rng r(14);
    const ix m = 3, n = 4, k = 23;
    const auto av = values(r, 2 * m * k), bv = values(r, k * n);
    const auto a = tensor_from<float>({2, m, k}, av), b = tensor_from<float>({1, k, n}, bv);
    const auto whole = pl::batch_matmul(a, b);
    for (ix split : {0, 1, 11, 23}) {
        auto acc = pl::batch_matmul(pl::slice(a, {2, m, split}, {0, 0, 0}), pl::slice(b, {1, split, n}, {0, 0, 0}));
        acc = pl::tile::batch_matmul_acc(acc, pl::slice(a, {2, m, k - split}, {0, 0, split}),
                                         pl::slice(b, {1, k - split, n}, {0, split, 0}));
        CHECK(bits_of(acc) == bits_of(whole));
    }
    // Against the oracle with a random start, and with the transposes.
    const auto iv = values(r, 2 * m * n);
    const auto init = tensor_from<float>({2, m, n}, iv);
    std::vector<std::uint32_t> want;
    for (float f : oracle(av, {2}, bv, {1}, {2}, m, n, k, false, false, &iv))
        want.push_back(bits(canon(f)));
    CHECK(bits_of(pl::batch_matmul_acc(init, a, b)) == want);
    CHECK(bits_of(pl::batch_matmul_acc(init, pl::transpose(pl::transpose(a, 1, 2), 1, 2), b)) == want);
    const auto at = pl::fillpad(pl::transpose(a, 1, 2)); // dense [2, K, M]
    CHECK(bits_of(pl::batch_matmul_acc(init, at, b, true, false)) == want);
}

TEST_CASE("batch_matmul definedness and valid regions follow each batch's operands")
{
    // Batch 1 of a has a poisoned row 0: only that batch's output row 0 is undefined.
    auto a = pl::create_tensor({2, 2, 3}, pl::FP32);
    a = pl::assemble(a, pl::full({1, 2, 3}, pl::FP32, 1.0f), {0, 0, 0});
    a = pl::assemble(a, pl::full({1, 1, 3}, pl::FP32, 2.0f), {1, 1, 0});
    const auto b = pl::full({3, 2}, pl::FP32, 1.0f);
    const auto c = pl::batch_matmul(a, b);
    CHECK(c.defined_mask() == std::vector<std::uint8_t>{1, 1, 1, 1, 0, 0, 1, 1});
    CHECK(c.to_vector()[6] == 6.0f);
    // Valid regions: M from lhs, N from rhs, batch dims from both (a broadcast extent 1 covers all).
    const auto pa = pl::slice(pl::full({3, 4, 2}, pl::FP32, 1.0f), {3, 4, 2}, {0, 0, 0}, {2, 3, 2});
    const auto pb = pl::slice(pl::full({1, 2, 5}, pl::FP32, 1.0f), {1, 2, 5}, {0, 0, 0}, {1, 2, 4});
    CHECK(pl::batch_matmul(pa, pb).valid_shape() == dims{2, 3, 4});
    const auto acc = pl::slice(pl::full({3, 4, 5}, pl::FP32, 0.0f), {3, 4, 5}, {0, 0, 0}, {3, 1, 5});
    CHECK(pl::batch_matmul_acc(acc, pa, pb).valid_shape() == dims{2, 1, 4});
    // An empty batch: no elements, nothing read.
    CHECK(pl::batch_matmul(pl::full({0, 2, 3}, pl::FP32, 1.0f), b).shape() == dims{0, 2, 2});
}

TEST_CASE("batch_matmul reports its reads and its write to the access observer")
{
    struct recorder : ptoref::detail::access_observer {
        std::vector<ptoref::access_event> events;
        void on_create(ptoref::detail::buffer_base&, std::string_view, const ptoref::source_location&) override {}
        void on_access(const ptoref::access_event& e) override { events.push_back(e); }
        void on_undefined_read(const ptoref::access_event&, const std::string&) override {}
    } rec;
    const auto a = pl::slice(pl::full({2, 4, 3}, pl::FP32, 1.0f), {2, 4, 3}, {0, 0, 0}, {2, 2, 3});
    const auto b = pl::full({3, 5}, pl::FP32, 1.0f);
    const auto acc = pl::full({2, 4, 5}, pl::FP32, 0.0f);
    {
        ptoref::detail::observer_scope scope(&rec);
        (void)pl::batch_matmul_acc(acc, a, b);
    }
    REQUIRE(rec.events.size() == 4);
    CHECK(rec.events[0].kind == ptoref::access_kind::read); // acc
    CHECK(rec.events[0].geometry.shape == dims{2, 4, 5});
    CHECK(rec.events[1].kind == ptoref::access_kind::read); // lhs: its valid region
    CHECK(rec.events[1].geometry.shape == dims{2, 2, 3});
    CHECK(rec.events[2].geometry.shape == dims{3, 5});
    CHECK(rec.events[3].kind == ptoref::access_kind::write);
    CHECK(rec.events[3].geometry.shape == dims{2, 4, 5});
    CHECK(rec.events[3].op == "pl::batch_matmul_acc");
}

TEST_CASE("batch_matmul errors name the op, the shapes and the call site")
{
    const auto a = pl::full({2, 3, 4}, pl::FP32, 1.0f);
    CHECK_THROWS_WITH(pl::batch_matmul(a, pl::full({2, 5, 6}, pl::FP32, 1.0f)),
                      Catch::Contains("pl::batch_matmul") && Catch::Contains("K mismatch") &&
                          Catch::Contains("[2, 3, 4]") && Catch::Contains("[2, 5, 6]") &&
                          Catch::Contains("test_batch_matmul.cpp:"));
    CHECK_THROWS_WITH(pl::batch_matmul(a, pl::full({3, 4, 6}, pl::FP32, 1.0f)),
                      Catch::Contains("batch dims") && Catch::Contains("[2, 3, 4]") && Catch::Contains("[3, 4, 6]") &&
                          Catch::Contains("do not broadcast") && Catch::Contains("test_batch_matmul.cpp:"));
    CHECK_THROWS_WITH(pl::batch_matmul(pl::full({4}, pl::FP32, 1.0f), pl::full({4, 2}, pl::FP32, 1.0f)),
                      Catch::Contains("at least 2 dims") && Catch::Contains("[4]"));
    CHECK_THROWS_WITH(pl::batch_matmul(a, pl::full({4, 6}, pl::FP32, 1.0f), pl::FP32, true, false),
                      Catch::Contains("a_trans=true") && Catch::Contains("K=3"));
    // acc is not broadcast: its batch dims must be the broadcast batch dims exactly.
    CHECK_THROWS_WITH(pl::batch_matmul_acc(pl::full({1, 3, 6}, pl::FP32, 0.0f), a, pl::full({4, 6}, pl::FP32, 1.0f)),
                      Catch::Contains("pl::batch_matmul_acc") && Catch::Contains("acc is [1, 3, 6]") &&
                          Catch::Contains("[2, 3, 6]") && Catch::Contains("not broadcast"));
    CHECK_THROWS_WITH(pl::batch_matmul_acc(pl::full({3, 6}, pl::FP32, 0.0f), a, pl::full({4, 6}, pl::FP32, 1.0f)),
                      Catch::Contains("acc is [3, 6]"));
    CHECK_THROWS_WITH(pl::batch_matmul(ptoref::Tensor<float>{}, a), Catch::Contains("lhs is an empty tensor handle"));
    // [M, N] past int64: an error, not an overflow, even with an empty batch.
    const ix big = ix{1} << 40;
    CHECK_THROWS_WITH(
        pl::batch_matmul(pl::create_tensor({0, big, 0}, pl::FP32), pl::create_tensor({0, 0, big}, pl::FP32)),
        Catch::Contains("more elements than int64"));
}
