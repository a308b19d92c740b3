// pl::sort32 and pl::mrgsort (ops/sort.hpp): (value, index) records, descending, stable.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

#include <algorithm>
#include <numeric>

using namespace ops_test;
using ptoref::dims;
using ptoref::fp16;
using ptoref::tensor_from;

namespace {
// The oracle's order: a before b if a's value is larger; NaN after every number; otherwise
// (equal values, +0 == -0, or both NaN) the smaller index first. Written from the spec, with
// doubles, not with the library's comparator.
bool oracle_before(double va, std::uint32_t ia, double vb, std::uint32_t ib)
{
    const bool na = std::isnan(va), nb = std::isnan(vb);
    if (na != nb)
        return nb;
    if (!na && va != vb)
        return va > vb;
    return ia < ib;
}

// Records of a FP32 sort32/mrgsort result as (value bits, index bits).
std::vector<std::pair<std::uint32_t, std::uint32_t>> records(const ptoref::Tensor<float>& t)
{
    const auto b = bits_of(t);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
    for (std::size_t i = 0; i + 1 < b.size(); i += 2)
        out.emplace_back(b[i], b[i + 1]);
    return out;
}

float key_value(rng& r)
{
    switch (r.below(6)) {
    case 0:
        return static_cast<float>(r.below(4)); // many ties
    case 1:
        return r.below(2) ? 0.0f : -0.0f; // signed zeros tie
    case 2:
        return f32(r.below(2) ? 0x7fc00000u : 0xffc00001u); // NaN keys
    case 3:
        return f32(r.below(2) ? 0x7f800000u : 0xff800000u);
    default:
        return r.value(-4, 4);
    }
}
} // namespace

TEST_CASE("sort32 FP32 against an oracle: blocks of 32, descending, ties by index, NaN last")
{
    rng r(5);
    for (int trial = 0; trial < 40; ++trial) {
        const ix rows = 1 + r.below(3), n = 32 * (1 + r.below(3));
        std::vector<float> v(static_cast<std::size_t>(rows * n));
        for (auto& x : v)
            x = key_value(r);
        const bool per_row = r.below(2) == 1;
        std::vector<std::int32_t> idx(static_cast<std::size_t>((per_row ? rows : 1) * n));
        for (std::size_t i = 0; i < idx.size(); ++i) // distinct, unsorted, some with the top bit set
            idx[i] = static_cast<std::int32_t>((static_cast<std::uint32_t>(i) * 2654435761u) ^
                                               (i % 3 == 0 ? 0x80000000u : 0u));
        const auto out =
            pl::sort32(tensor_from<float>({rows, n}, v), tensor_from<std::int32_t>({per_row ? rows : 1, n}, idx));
        REQUIRE(out.shape() == dims{rows, 2 * n});
        const auto got = records(out);
        for (ix row = 0; row < rows; ++row)
            for (ix b = 0; b < n; b += 32) {
                std::vector<ix> ord(32);
                std::iota(ord.begin(), ord.end(), 0);
                auto id = [&](ix k) {
                    return static_cast<std::uint32_t>(idx[static_cast<std::size_t>((per_row ? row : 0) * n + b + k)]);
                };
                auto val = [&](ix k) { return static_cast<double>(v[static_cast<std::size_t>(row * n + b + k)]); };
                std::sort(ord.begin(), ord.end(),
                          [&](ix a, ix c) { return oracle_before(val(a), id(a), val(c), id(c)); });
                for (ix k = 0; k < 32; ++k) {
                    const auto& rec = got[static_cast<std::size_t>(row * n + b + k)];
                    REQUIRE(rec.first ==
                            bits(v[static_cast<std::size_t>(row * n + b + ord[static_cast<std::size_t>(k)])]));
                    REQUIRE(rec.second == id(ord[static_cast<std::size_t>(k)]));
                }
            }
    }
}

TEST_CASE("sort32 FP16 records are [value, 0, index low, index high]")
{
    std::vector<fp16> v(32);
    for (int i = 0; i < 32; ++i)
        v[static_cast<std::size_t>(i)] = fp16::from_bits(static_cast<std::uint16_t>(0x3c00 + (i % 4))); // 1.0 .. 1.0029
    std::vector<std::int32_t> idx(32);
    for (int i = 0; i < 32; ++i)
        idx[static_cast<std::size_t>(i)] = 0x00010000 * i + i;
    const auto out = pl::sort32(tensor_from<fp16>({1, 32}, v), tensor_from<std::int32_t>({1, 32}, idx));
    REQUIRE(out.shape() == dims{1, 128});
    const auto b = bits_of(out);
    // Largest value 0x3c03 at i = 3, 7, ..., 31 first, in index order.
    CHECK(b[0] == 0x3c03);
    CHECK(b[1] == 0);
    CHECK(b[2] == 3);
    CHECK(b[3] == 3);
    CHECK(b[4] == 0x3c03);
    CHECK(b[6] == 7);
    CHECK(b[124] == 0x3c00);
    CHECK(b[126] == 28);
    CHECK(b[127] == 28);
}

TEST_CASE("sort32 errors and definedness")
{
    auto v = pl::full({1, 32}, pl::FP32, 1.0f);
    auto idx = pl::arange(0, {1, 32});
    CHECK_THROWS_WITH(pl::sort32(pl::full({1, 48}, pl::FP32, 1.0f), pl::arange(0, {1, 48})),
                      Catch::Contains("multiple of 32"));
    CHECK_THROWS_WITH(pl::sort32(pl::full({1, 32}, pl::BF16, 1.0f), idx), Catch::Contains("FP32 and FP16 values only"));
    CHECK_THROWS_WITH(pl::sort32(pl::full({1, 32}, pl::INT32, 1), idx), Catch::Contains("not INT32"));
    CHECK_THROWS_WITH(pl::sort32(v, pl::full({1, 32}, pl::BF16, 0.0f)), Catch::Contains("4-byte dtype"));
    CHECK_THROWS_WITH(pl::sort32(pl::full({3, 32}, pl::FP32, 1.0f), pl::arange(0, {2, 32})),
                      Catch::Contains("leading dims"));
    CHECK_THROWS_WITH(pl::sort32(pl::full({3, 32}, pl::FP32, 1.0f), pl::full({2, 32}, pl::INT32, 0)),
                      Catch::Contains("idx [1 or R, N]"));
    CHECK_THROWS_WITH(pl::sort32(v, pl::full({1, 64}, pl::INT32, 0)), Catch::Contains("idx [1 or R, N]"));
    // Undefined values sort like the NaN they read as, and stay undefined with their index.
    auto part = pl::slice(tensor_from<float>({1, 32}, std::vector<float>(32, 2.0f)), {1, 32}, {0, 0}, {1, 31});
    const auto out = pl::sort32(part, idx);
    const auto d = out.defined_mask();
    CHECK(std::count(d.begin(), d.end(), 0) == 1);
    CHECK(d[62] == 0); // the padding element sorts last (its index, 31, is defined)
    CHECK(d[63] == 1);
    CHECK(bits_of(out)[63] == 31u);
}

TEST_CASE("sort32 then mrgsort(64) then mrgsort(256): a stable descending argsort of 512 values")
{
    rng r(99);
    std::vector<float> v(512);
    for (auto& x : v)
        x = key_value(r);
    auto s = pl::sort32(tensor_from<float>({1, 512}, v), pl::arange(0, {1, 512}));
    s = pl::mrgsort(s, 64);
    s = pl::mrgsort(s, 256);
    const auto got = records(s);
    std::vector<std::uint32_t> ord(512);
    std::iota(ord.begin(), ord.end(), 0u);
    std::stable_sort(ord.begin(), ord.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return oracle_before(v[a], a, v[b], b); });
    for (std::size_t k = 0; k < 512; ++k) {
        REQUIRE(got[k].second == ord[k]);
        REQUIRE(got[k].first == bits(v[ord[k]]));
    }
    // Intermediate: after mrgsort(64) each 128 records (256 elements) are one sorted run.
    auto s1 = pl::mrgsort(pl::sort32(tensor_from<float>({1, 512}, v), pl::arange(0, {1, 512})), 64);
    const auto g1 = records(s1);
    for (std::size_t k = 1; k < 512; ++k)
        if (k % 128 != 0)
            REQUIRE(!oracle_before(v[g1[k].second], g1[k].second, v[g1[k - 1].second], g1[k - 1].second));
}

TEST_CASE("mrgsort merge ties go to the earlier run or list; format 2 with 2, 3 and 4 lists")
{
    // Two runs of FP32 records with equal keys: the earlier run's records come first, each run in
    // its own order (indices chosen so that index order would say otherwise).
    auto rec = [](std::vector<std::pair<float, std::uint32_t>> rs) {
        std::vector<float> f;
        for (auto [v, i] : rs) {
            f.push_back(v);
            f.push_back(f32(i));
        }
        return tensor_from<float>({1, static_cast<ix>(f.size())}, f);
    };
    auto a = rec({{5, 9}, {1, 8}});
    auto b = rec({{5, 1}, {3, 0}, {1, 2}});
    auto c = rec({{f32(qnan), 4}});
    auto d = rec({{7, 6}, {-1, 5}});
    CHECK(records(pl::mrgsort(a, b)) == std::vector<std::pair<std::uint32_t, std::uint32_t>>{
                                            {bits(5), 9}, {bits(5), 1}, {bits(3), 0}, {bits(1), 8}, {bits(1), 2}});
    CHECK(records(pl::mrgsort(b, a)) == std::vector<std::pair<std::uint32_t, std::uint32_t>>{
                                            {bits(5), 1}, {bits(5), 9}, {bits(3), 0}, {bits(1), 2}, {bits(1), 8}});
    const auto m3 = records(pl::mrgsort(c, a, d));
    REQUIRE(m3.size() == 5);
    CHECK(m3.front() == std::pair<std::uint32_t, std::uint32_t>{bits(7), 6});
    CHECK(m3.back() == std::pair<std::uint32_t, std::uint32_t>{qnan, 4}); // NaN after every number
    CHECK(records(pl::mrgsort(a, b, c, d)).size() == 8);
    // exhausted: stop when one list runs out; the rest is unspecified (undefined here).
    auto e = pl::mrgsort(a, b, true);
    CHECK(records(e).size() == 5);
    CHECK(records(e)[0] == std::pair<std::uint32_t, std::uint32_t>{bits(5), 9});
    CHECK(records(e)[2] == std::pair<std::uint32_t, std::uint32_t>{bits(3), 0});
    CHECK(e.defined_mask() == std::vector<std::uint8_t>{1, 1, 1, 1, 1, 1, 1, 1, 0, 0});
    // Format 1 with FP16 records (4 elements each): block_len 64 = 16 records.
    std::vector<fp16> h(256);
    for (std::size_t i = 0; i < 256; i += 4) {
        const auto rec_no = static_cast<std::uint16_t>(i / 4);
        h[i] = fp16::from_bits(
            static_cast<std::uint16_t>(0x3c00 + (rec_no % 16 == 0 ? 100 : 50 - rec_no % 16))); // each run descending
        h[i + 1] = fp16::from_bits(0);
        h[i + 2] = fp16::from_bits(rec_no);
        h[i + 3] = fp16::from_bits(0);
    }
    const auto hb = bits_of(pl::mrgsort(tensor_from<fp16>({1, 256}, h), 64));
    CHECK(hb[0] == 0x3c00 + 100);
    CHECK(hb[2] == 0); // ties: run 0 first, then 16, 32, 48
    CHECK(hb[6] == 16);
    CHECK(hb[10] == 32);
    CHECK(hb[14] == 48);
}

TEST_CASE("mrgsort errors")
{
    auto s = pl::full({1, 256}, pl::FP32, 0.0f);
    CHECK_THROWS_WITH(pl::mrgsort(s, 32), Catch::Contains("multiple of 64"));
    CHECK_THROWS_WITH(pl::mrgsort(s, 0), Catch::Contains("multiple of 64"));
    CHECK_THROWS_WITH(pl::mrgsort(s, 128), Catch::Contains("1 to 255 times 4 * block_len"));
    CHECK_THROWS_WITH(pl::mrgsort(pl::full({2, 256}, pl::FP32, 0.0f), 64), Catch::Contains("single-row"));
    CHECK_THROWS_WITH(pl::mrgsort(pl::full({1, 256 * 256}, pl::FP32, 0.0f), 64), Catch::Contains("1 to 255"));
    CHECK_THROWS_WITH(pl::mrgsort(pl::full({1, 256}, pl::BF16, 0.0f), 64), Catch::Contains("FP32 and FP16"));
    CHECK_THROWS_WITH(pl::mrgsort(pl::full({1, 3}, pl::FP32, 0.0f), s),
                      Catch::Contains("multiple of the record width 2"));
    CHECK_THROWS_WITH(pl::mrgsort(pl::full({1, 4}, pl::FP16, 0.0f), pl::full({1, 6}, pl::FP16, 0.0f)),
                      Catch::Contains("record width 4"));
    CHECK_THROWS_WITH(pl::mrgsort(std::vector<ptoref::Tensor<float>>{s}), Catch::Contains("2 to 4 lists"));
    CHECK_THROWS_WITH(pl::mrgsort(std::vector<ptoref::Tensor<float>>(5, s)), Catch::Contains("2 to 4 lists"));
}
