// pl::concat (ops/concat.hpp): 2-D, same row count, joined along columns into a new tensor.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::tensor_from;

TEST_CASE("concat joins along columns")
{
    auto a = tensor_from<float>({2, 2}, {1, 2, 3, 4});
    auto b = tensor_from<float>({2, 1}, {5, 6});
    auto c = pl::concat(a, b);
    CHECK(c.shape() == dims{2, 3});
    CHECK(c.to_vector() == std::vector<float>{1, 2, 5, 3, 4, 6});
    CHECK(c.fully_valid());
    CHECK(c.storage().all_defined());
    CHECK(c.storage_ptr() != a.storage_ptr());
    CHECK(pl::concat(b, a).to_vector() == std::vector<float>{5, 1, 2, 6, 3, 4});
    CHECK(pl::concat(pl::transpose(a, 0, 1), b).to_vector() == std::vector<float>{1, 3, 5, 2, 4, 6});
    CHECK(pl::concat(a, pl::full({2, 0}, pl::FP32, 0.0f)).to_vector() == a.to_vector());
    CHECK(pl::concat(pl::full({0, 2}, pl::FP32, 0.0f), pl::full({0, 3}, pl::FP32, 0.0f)).shape() == dims{0, 5});
}

TEST_CASE("concat against an index oracle on random shapes, dtypes and strided views")
{
    rng r(61);
    for (int trial = 0; trial < 50; ++trial) {
        const ix m = 1 + r.below(6), na = 1 + r.below(7), nb = 1 + r.below(7);
        std::vector<std::int32_t> av(static_cast<std::size_t>(m * na)), bv(static_cast<std::size_t>(m * nb));
        for (auto& x : av)
            x = static_cast<std::int32_t>(r.bits32());
        for (auto& x : bv)
            x = static_cast<std::int32_t>(r.bits32());
        // b is given as a transposed view of its transpose (strided), a as a dense tensor.
        std::vector<std::int32_t> bt(bv.size());
        for (ix i = 0; i < m; ++i)
            for (ix j = 0; j < nb; ++j)
                bt[static_cast<std::size_t>(j * m + i)] = bv[static_cast<std::size_t>(i * nb + j)];
        auto a = tensor_from<std::int32_t>({m, na}, av);
        auto b = pl::transpose(tensor_from<std::int32_t>({nb, m}, bt), 0, 1);
        const auto c = pl::concat(a, b);
        REQUIRE(c.shape() == dims{m, na + nb});
        const auto got = c.to_vector();
        for (ix i = 0; i < m; ++i)
            for (ix j = 0; j < na + nb; ++j)
                REQUIRE(got[static_cast<std::size_t>(i * (na + nb) + j)] ==
                        (j < na ? av[static_cast<std::size_t>(i * na + j)]
                                : bv[static_cast<std::size_t>(i * nb + j - na)]));
    }
    // Bits are moved, not converted: NaN payloads survive (bf16 and fp32).
    auto h = tensor_from<bf16>({1, 1}, {bf16::from_bits(0xffa1)});
    CHECK(bits_of(pl::concat(h, h)) == std::vector<std::uint16_t>{0xffa1, 0xffa1});
    auto f = tensor_from<float>({1, 1}, {f32(0x7fa00001u)});
    CHECK(bits_of(pl::concat(f, f)) == std::vector<std::uint32_t>{0x7fa00001u, 0x7fa00001u});
}

TEST_CASE("concat valid region and definedness")
{
    auto base_a = pl::full({3, 2}, pl::FP32, 1.0f), base_b = pl::full({3, 3}, pl::FP32, 2.0f);
    // Valid rows: the common ones. Valid columns: a's, and b's too only when a is fully valid in columns.
    auto a_rows = pl::slice(base_a, {3, 2}, {0, 0}, {1, 2});
    CHECK(pl::concat(a_rows, base_b).valid_shape() == dims{1, 5});
    CHECK(pl::concat(base_b, pl::slice(base_b, {3, 3}, {0, 0}, {2, 1})).valid_shape() == dims{2, 4});
    auto a_cols = pl::slice(base_a, {3, 2}, {0, 0}, {3, 1});
    const auto c = pl::concat(a_cols, base_b);
    CHECK(c.valid_shape() == dims{3, 1}); // b's columns are not adjacent to a's valid ones
    // Padding of an input is undefined in the result; everything else is defined.
    CHECK(c.defined_mask() == std::vector<std::uint8_t>{1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1});
    CHECK(c.to_vector()[2] == 2.0f);
    CHECK(bits_of(c)[1] == 0x7fa5a5a5u);
    // Undefined (create_tensor) elements stay undefined.
    auto u = pl::create_tensor({3, 1}, pl::FP32);
    u = pl::write(u, {1, 0}, 4.0f);
    CHECK(pl::concat(u, base_a).defined_mask() == std::vector<std::uint8_t>{0, 1, 1, 1, 1, 1, 0, 1, 1});
    CHECK(pl::concat(base_a, u).defined_mask() == std::vector<std::uint8_t>{1, 1, 0, 1, 1, 1, 1, 1, 0});
}

TEST_CASE("concat errors name both tensors and the call site")
{
    auto b = pl::full({2, 3}, pl::FP32, 2.0f).name("b");
    CHECK_THROWS_AS(pl::concat(b, pl::full({3, 1}, pl::FP32, 0.0f)), ptoref::error);
    CHECK_THROWS_WITH(pl::concat(b, pl::full({3, 1}, pl::FP32, 0.0f).name("c")),
                      Catch::Contains("pl::concat") && Catch::Contains("same row count") &&
                          Catch::Contains("'b' FP32[2, 3]") && Catch::Contains("'c' FP32[3, 1]") &&
                          Catch::Contains("test_concat.cpp:"));
    CHECK_THROWS_WITH(pl::concat(pl::full({2}, pl::FP32, 0.0f), b), Catch::Contains("2-D"));
    CHECK_THROWS_WITH(pl::concat(b, pl::full({1, 2, 3}, pl::FP32, 0.0f)), Catch::Contains("2-D"));
}
