// pl::gather_row (ops/gather_row.hpp): a window of src copied into acc in place.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::dims;

TEST_CASE("gather_row copies a window into the accumulator, optionally transposed or partly")
{
    auto pool = iota<float>({6, 4}); // row r = 4r .. 4r+3
    auto acc = pl::full({3, 4}, pl::FP32, -1.0f);
    auto old = acc;
    acc = pl::gather_row(acc, pool, {0, 0}, {5, 0}, {1, 4});
    acc = pl::gather_row(acc, pool, {2, 1}, {1, 1}, {1, 3});
    CHECK(acc.to_vector() == std::vector<float>{20, 21, 22, 23, -1, -1, -1, -1, -1, 5, 6, 7});
    CHECK(acc.storage_ptr() == old.storage_ptr()); // in place
    CHECK(acc.handle_version() > old.handle_version());
    // valid_shape: only the top-left part of the window moves.
    acc = pl::gather_row(acc, pool, {1, 0}, {2, 0}, {1, 4}, false, {1, 2});
    CHECK(acc.to_vector() == std::vector<float>{20, 21, 22, 23, 8, 9, -1, -1, -1, 5, 6, 7});
    // transpose: the [1, 3] row lands as a [3, 1] column.
    auto accT = pl::full({3, 2}, pl::FP32, 0.0f);
    accT = pl::gather_row(accT, pool, {0, 1}, {3, 1}, {1, 3}, true);
    CHECK(accT.to_vector() == std::vector<float>{0, 13, 0, 14, 0, 15});
    // Bits move verbatim (BF16 NaN payloads).
    auto hb = ptoref::tensor_from<ptoref::bf16>({1, 1}, {ptoref::bf16::from_bits(0xffa1)});
    CHECK(bits_of(pl::gather_row(pl::full({1, 1}, pl::BF16, 0.0f), hb, {0, 0}, {0, 0}, {1, 1})) ==
          std::vector<std::uint16_t>{0xffa1});
}

TEST_CASE("gather_row with valid_shape: bounds are judged on the transferred box, not the window")
{
    // A fixed [4, 4] window whose run of 2 rows lands at acc's last rows and comes from src's last
    // rows: the window overhangs both, the box does not.
    auto pool = iota<float>({6, 4});
    for (ix run = 0; run <= 2; ++run) {
        auto acc = pl::full({5, 4}, pl::FP32, -1.0f);
        acc = pl::gather_row(acc, pool, {5 - run, 0}, {6 - run, 0}, {4, 4}, false, {run, 4});
        std::vector<float> want(20, -1.0f);
        for (ix r = 0; r < run; ++r)
            for (ix c = 0; c < 4; ++c)
                want[static_cast<std::size_t>((5 - run + r) * 4 + c)] = static_cast<float>((6 - run + r) * 4 + c);
        CHECK(acc.to_vector() == want);
    }
    auto acc = pl::full({5, 4}, pl::FP32, 0.0f);
    CHECK_THROWS_WITH(pl::gather_row(acc, pool, {4, 0}, {0, 0}, {4, 4}, false, {2, 4}),
                      Catch::Contains("out of bounds of target"));
    CHECK_THROWS_WITH(pl::gather_row(acc, pool, {0, 0}, {5, 0}, {4, 4}, false, {2, 4}),
                      Catch::Contains("(valid [2, 4])") && Catch::Contains("out of bounds of src"));
}

TEST_CASE("gather_row errors")
{
    auto pool = iota<float>({6, 4});
    auto acc = pl::full({3, 4}, pl::FP32, 0.0f);
    CHECK_THROWS_WITH(pl::gather_row(acc, pool, {0, 0}, {6, 0}, {1, 4}), Catch::Contains("out of bounds of src"));
    CHECK_THROWS_WITH(pl::gather_row(acc, pool, {0, 0}, {0, 1}, {1, 4}), Catch::Contains("out of bounds of src"));
    CHECK_THROWS_WITH(pl::gather_row(acc, pool, {0, 0}, {-1, 0}, {1, 4}), Catch::Contains("out of bounds of src"));
    CHECK_THROWS_WITH(pl::gather_row(acc, pool, {3, 0}, {0, 0}, {1, 4}), Catch::Contains("out of bounds of target"));
    CHECK_THROWS_WITH(pl::gather_row(acc, pool, {0, 0}, {0, 0}, {1, 4}, true),
                      Catch::Contains("out of bounds of target"));
    CHECK_THROWS_WITH(pl::gather_row(acc, pool, {0, 0}, {0, 0}, {1, 4}, true, {1, 2}),
                      Catch::Contains("not supported together with transpose"));
    CHECK_THROWS_WITH(pl::gather_row(acc, pool, {0, 0}, {0, 0}, {1, 4}, false, {2, 2}),
                      Catch::Contains("must lie within the window"));
    CHECK_THROWS_WITH(pl::gather_row(acc, pool, {0, 0}, {0, 0, 0}, {1, 4}), Catch::Contains("needs 2-D"));
    CHECK_THROWS_WITH(pl::gather_row(acc, iota<float>({6}), {0, 0}, {0, 0}, {1, 4}), Catch::Contains("needs 2-D"));
}
