#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::dims;
using ptoref::tensor_from;

TEST_CASE("assemble writes in place and returns the target")
{
    auto t = pl::full({3, 4}, pl::FP32, 0.0f);
    auto same = t;
    auto r = pl::assemble(t, tensor_from<float>({1, 2}, {1, 2}), {1, 1});
    CHECK(r.storage_ptr() == t.storage_ptr());
    CHECK(same.to_vector() == std::vector<float>{0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0});
    CHECK(r.handle_version() == t.handle_version() + 1);
}

TEST_CASE("only the source's valid region is copied; the rest of the window is untouched")
{
    auto t = pl::full({2, 4}, pl::FP32, 9.0f);
    auto src = pl::slice(tensor_from<float>({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}), {2, 4}, {0, 0}, {1, 2});
    t = pl::assemble(t, src, {0, 0});
    CHECK(t.to_vector() == std::vector<float>{1, 2, 9, 9, 9, 9, 9, 9});
}

TEST_CASE("a lower-rank source gets leading extent-1 dims")
{
    auto t = pl::full({2, 3, 4}, pl::FP32, 0.0f);
    t = pl::assemble(t, tensor_from<float>({1, 4}, {1, 2, 3, 4}), {1, 2, 0});
    CHECK(pl::slice(t, {4}, {1, 2, 0}).to_vector() == std::vector<float>{1, 2, 3, 4});
    CHECK(pl::row_sum(pl::reshape(t, {1, 24})).to_vector()[0] == 10.0f);
}

TEST_CASE("assemble errors: bounds and rank, with the call site")
{
    auto t = pl::full({4, 4}, pl::FP32, 0.0f).name("dst");
    CHECK_THROWS_WITH(pl::assemble(t, pl::full({2, 2}, pl::FP32, 1.0f), {3, 0}),
                      Catch::Contains("pl::assemble") &&
                          Catch::Contains("at offset [3, 0] is out of bounds of target 'dst'") &&
                          Catch::Contains("test_assemble.cpp:"));
    CHECK_THROWS_WITH(pl::assemble(t, pl::full({2, 2}, pl::FP32, 1.0f), {0}), Catch::Contains("does not fit the rank"));
    CHECK_THROWS_WITH(pl::assemble(t, pl::full({1, 1, 1}, pl::FP32, 1.0f), {0, 0}), Catch::Contains("does not fit"));
}

TEST_CASE("overlapping self-assemble reads the source before writing")
{
    auto t = tensor_from<float>({1, 6}, {1, 2, 3, 4, 5, 6});
    t = pl::assemble(t, pl::slice(t, {1, 4}, {0, 0}), {0, 2});
    CHECK(t.to_vector() == std::vector<float>{1, 2, 1, 2, 3, 4});
}

TEST_CASE("definedness travels with the data")
{
    auto t = pl::create_tensor({2, 2}, pl::FP32);
    auto src = pl::create_tensor({1, 2}, pl::FP32);
    src = pl::write(src, {0, 0}, 5.0f);
    t = pl::assemble(t, src, {1, 0});
    CHECK(t.defined_mask() == std::vector<std::uint8_t>{0, 0, 1, 0});
    t = pl::assemble(t, pl::full({2, 2}, pl::FP32, 1.0f), {0, 0});
    CHECK(t.storage().all_defined());
}

TEST_CASE("read and write: bounds, padding reads as poison, write marks defined")
{
    ptoref::check::collector c; // an undefined scalar is reported to the collector
    auto t = pl::full({2, 3}, pl::FP32, 4.0f).name("s");
    CHECK(pl::read(t, {1, 2}) == 4.0f);
    CHECK_THROWS_WITH(pl::read(t, {2, 0}),
                      Catch::Contains("pl::read") && Catch::Contains("index [2, 0] is out of bounds of 's'"));
    CHECK_THROWS_WITH(pl::read(t, {1}), Catch::Contains("index [1]"));
    auto v = pl::slice(t, {2, 3}, {0, 0}, {1, 3});
    CHECK(bits(pl::read(v, {1, 0})) == 0x7fa5a5a5u);
    CHECK(c.undefined().size() == 1);
    auto u = pl::create_tensor({2}, pl::INT32);
    u = pl::write(u, {1}, 7);
    CHECK(u.defined_mask() == std::vector<std::uint8_t>{0, 1});
    CHECK(pl::read(u, {1}) == 7);
    CHECK_THROWS_WITH(pl::write(u, {2}, 1), Catch::Contains("pl::write"));
}
