#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::dims;
using ptoref::tensor_from;

namespace {
// Steps every extent through 1..3 (an odometer); false after the last combination.
bool next_extents(dims& e)
{
    for (int d = e.size() - 1; d >= 0; --d) {
        if (++e[d] <= 3)
            return true;
        e[d] = 1;
    }
    return false;
}

ptoref::Tensor<float> iota(const dims& shape)
{
    std::vector<float> v(static_cast<std::size_t>(shape.product()));
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = static_cast<float>(i);
    return tensor_from<float>(shape, v);
}
} // namespace

TEST_CASE("every slice of every small shape maps each element to the right parent element")
{
    // Exhaustive in the mdspan style: ranks 1-3, extents 1-3, every offset and window.
    std::size_t checked = 0;
    for (int rank = 1; rank <= 3; ++rank) {
        dims shape = dims::filled(rank, 1);
        do {
            auto t = iota(shape);
            const auto strides = ptoref::row_major_strides(shape);
            dims off = dims::filled(rank, 0);
            do {
                dims ext = dims::filled(rank, 1);
                do {
                    bool fits = true;
                    for (int d = 0; d < rank; ++d)
                        fits = fits && off[d] + ext[d] <= shape[d];
                    if (!fits)
                        continue;
                    const auto s = pl::slice(t, ext, off);
                    dims idx = dims::filled(rank, 0);
                    const auto vals = s.to_vector();
                    std::size_t k = 0;
                    do {
                        ptoref::index flat = 0;
                        for (int d = 0; d < rank; ++d)
                            flat += (off[d] + idx[d]) * strides[d];
                        REQUIRE(vals[k++] == static_cast<float>(flat));
                        ++checked;
                    } while (ptoref::advance_row_major(idx, ext));
                } while (next_extents(ext));
            } while (ptoref::advance_row_major(off, shape));
        } while (next_extents(shape));
    }
    CHECK(checked > 1000);
}

TEST_CASE("slices are views: writes through the parent are visible")
{
    auto t = pl::full({4, 4}, pl::FP32, 0.0f);
    auto s = pl::slice(t, {2, 2}, {1, 1});
    t = pl::assemble(t, pl::full({1, 1}, pl::FP32, 7.0f), {2, 2});
    CHECK(pl::slice(t, {2, 2}, {1, 1}).to_vector() == std::vector<float>{0, 0, 0, 7});
    CHECK(s.to_vector()[3] == 7.0f); // host inspection sees the buffer
}

TEST_CASE("slice bounds and valid_shape errors")
{
    auto t = iota({64, 64}).name("x");
    CHECK_THROWS_WITH(pl::slice(t, {4, 4}, {0, 62}), Catch::Contains("pl::slice") && Catch::Contains("out of bounds") &&
                                                         Catch::Contains("[0, 62]") && Catch::Contains("[4, 4]") &&
                                                         Catch::Contains("'x' FP32[64, 64]") &&
                                                         Catch::Contains("test_view.cpp:"));
    CHECK_THROWS_WITH(pl::slice(t, {4, 4}, {-1, 0}), Catch::Contains("out of bounds"));
    CHECK_THROWS_WITH(pl::slice(t, {4, 4}, {0, 0}, {5, 4}), Catch::Contains("valid_shape [5, 4]"));
    CHECK_THROWS_WITH(pl::slice(t, {4, 4}, {0, 0}, {4}), Catch::Contains("valid_shape [4]"));
    CHECK_THROWS_WITH(pl::slice(t, {4, 4}, {0}), Catch::Contains("do not fit the rank"));
}

TEST_CASE("valid_shape is clamped to the source's valid region; lower-rank shapes drop leading dims")
{
    auto t = iota({4, 6});
    auto part = pl::slice(t, {4, 6}, {0, 0}, {3, 4});
    auto s = pl::slice(part, {2, 4}, {2, 1});
    CHECK(s.valid_shape() == dims{1, 3});
    auto row = pl::slice(t, {6}, {2, 0});
    CHECK(row.shape() == dims{6});
    CHECK(row.to_vector() == std::vector<float>{12, 13, 14, 15, 16, 17});
    auto three = iota({2, 3, 4});
    auto r2 = pl::slice(three, {2, 4}, {1, 1, 0});
    CHECK(r2.to_vector() == std::vector<float>{16, 17, 18, 19, 20, 21, 22, 23});
}

TEST_CASE("reshape: a view for dense and many strided sources, a copy otherwise, row-major always")
{
    auto t = iota({4, 6});
    auto r = pl::reshape(t, {2, 12});
    CHECK(r.storage_ptr() == t.storage_ptr());
    auto rows = pl::slice(t, {2, 6}, {1, 0});
    auto rv = pl::reshape(rows, {12});
    CHECK(rv.storage_ptr() == t.storage_ptr());
    CHECK(rv.to_vector()[0] == 6.0f);
    auto tr = pl::transpose(t, 0, 1); // [6, 4], not expressible as a flat view
    auto flat = pl::reshape(tr, {24});
    CHECK(flat.storage_ptr() != t.storage_ptr());
    CHECK(flat.to_vector() == tr.to_vector());
    auto one = pl::reshape(pl::slice(iota({2, 1, 8}), {1, 1, 4}, {1, 0, 2}), {1, 4});
    CHECK(one.to_vector() == std::vector<float>{10, 11, 12, 13});
    CHECK_THROWS_WITH(pl::reshape(t, {5, 5}), Catch::Contains("24 elements") && Catch::Contains("25 elements"));
    CHECK_THROWS_WITH(pl::reshape(pl::slice(t, {4, 6}, {0, 0}, {2, 6}), {24}), Catch::Contains("partially valid"));
}

TEST_CASE("transpose swaps axes, negative axes count from the end")
{
    auto t = iota({2, 3, 4});
    auto tr = pl::transpose(t, -1, 0);
    CHECK(tr.shape() == dims{4, 3, 2});
    CHECK(tr.get({3, 2, 1}) == t.get({1, 2, 3}));
    CHECK_THROWS_WITH(pl::transpose(t, 0, 3), Catch::Contains("axis 3 is out of range for rank 3"));
}
