// dims (shapes, offsets, strides), row-major helpers and strided enumeration.
#include <ptoref/core/shape.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <span>
#include <string>
#include <algorithm>
#include <vector>

using ptoref::dims;
using ptoref::index;

namespace {

// Every multi-index of `shape` in row-major order, by plain nested loops (recursion over dims).
std::vector<std::vector<index>> nested_loops(const dims& shape)
{
    std::vector<std::vector<index>> out;
    std::vector<index> idx(static_cast<std::size_t>(shape.size()));
    std::function<void(int)> loop = [&](int d) {
        if (d == shape.size()) {
            out.push_back(idx);
            return;
        }
        for (index i = 0; i < shape[d]; ++i) {
            idx[static_cast<std::size_t>(d)] = i;
            loop(d + 1);
        }
    };
    loop(0);
    return out;
}

// The library's protocol: start at zeros, visit, advance; product() elements in all.
std::vector<std::vector<index>> by_advance(const dims& shape, bool& last_returned_false, bool& reset_to_zero)
{
    std::vector<std::vector<index>> out;
    dims idx = dims::filled(shape.size(), 0);
    last_returned_false = true;
    for (index n = 0; n < shape.product(); ++n) {
        out.push_back(idx.to_vector());
        const bool more = ptoref::advance_row_major(idx, shape);
        if (more != (n + 1 < shape.product()))
            last_returned_false = false;
    }
    reset_to_zero = idx == dims::filled(shape.size(), 0);
    return out;
}

const std::vector<dims> shapes = {
    dims{},        dims{1},          dims{5},       dims{2, 3},          dims{3, 1},
    dims{1, 4, 1}, dims{2, 1, 3, 2}, dims{3, 3, 3}, dims{1, 1, 1, 1, 1}, dims{2, 2, 2, 2, 2, 2, 2, 2},
    dims{0},       dims{2, 0},       dims{0, 3},    dims{2, 0, 3},       dims{4, 1, 0},
};

} // namespace

TEST_CASE("dims from brace lists, vectors and spans")
{
    const dims d{2, 64, 512};
    CHECK(d.size() == 3);
    CHECK(d[0] == 2);
    CHECK(d[2] == 512);
    CHECK(d.back() == 512);
    CHECK_FALSE(d.empty());
    CHECK(d.product() == 2 * 64 * 512);
    CHECK(d.to_vector() == std::vector<index>{2, 64, 512});
    CHECK(dims(std::vector<index>{1, 2}) == dims{1, 2});
    const index raw[] = {7, 8, 9};
    CHECK(dims(std::span<const index>(raw)) == dims{7, 8, 9});
    CHECK(dims{}.empty());
    CHECK(dims{}.size() == 0);
    CHECK(dims{-3, 4}[0] == -3); // signed: a negative offset is kept, for the ops to report
    CHECK(dims::filled(3, 7) == dims{7, 7, 7});
    CHECK(dims::filled(0, 7) == dims{});
    CHECK_FALSE(dims{1, 2} == dims{1, 2, 0}); // rank is part of equality
    CHECK_FALSE(dims{1, 2} == dims{2, 1});
    dims m{1, 2};
    m[1] = 5;
    m.push_back(6);
    CHECK(m == dims{1, 5, 6});
    index sum = 0;
    for (index e : m)
        sum += e;
    CHECK(sum == 12);
    constexpr dims c{3, 4};
    static_assert(c.product() == 12 && c.size() == 2);
}

TEST_CASE("product and to_string")
{
    CHECK(dims{}.product() == 1); // rank 0: one element
    CHECK(dims{5}.product() == 5);
    CHECK(dims{2, 0, 3}.product() == 0);
    CHECK(dims{16, 4096, 64, 128}.product() == index{16} * 4096 * 64 * 128); // no 32-bit overflow
    CHECK(ptoref::to_string(dims{2, 64, 512}) == "[2, 64, 512]");
    CHECK(ptoref::to_string(dims{}) == "[]");
    CHECK(ptoref::to_string(dims{-1}) == "[-1]");
    CHECK(ptoref::to_string(dims{1, 2, 3, 4, 5, 6, 7, 8}) == "[1, 2, 3, 4, 5, 6, 7, 8]");
}

TEST_CASE("rank above 8: the op that gets the shape reports it, with its name and the caller's line")
{
    CHECK_NOTHROW(dims{1, 2, 3, 4, 5, 6, 7, 8});
    CHECK(dims{1, 2, 3, 4, 5, 6, 7, 8}.size() == 8);
    // A brace list converts before the op's body runs, so dims only records the rank asked for
    // (it holds no extents) and the receiving op throws (tests/core/test_misuse.cpp has one per op).
    const dims nine{1, 2, 3, 4, 5, 6, 7, 8, 9};
    CHECK(nine.size() == 0);
    CHECK(nine.excess_rank() == 9);
    CHECK(ptoref::to_string(nine) == "[rank 9 shape]");
    CHECK_FALSE(nine == dims{});
    CHECK(dims(std::vector<index>(9, 1)).excess_rank() == 9);
    const std::vector<index> twelve(12, 2);
    CHECK(dims(std::span<const index>(twelve)).excess_rank() == 12);
    // The call sits on a line of its own (compilers differ on the line of a multi-line macro).
    const auto line = std::to_string(__LINE__ + 1);
    auto report = [&] { ptoref::detail::check_rank(nine, "op", "the shape", ptoref::source_location::current()); };
    CHECK_THROWS_WITH(report(),
                      "op: the shape has 9 dims: rank exceeds the maximum of 8 (at test_shape.cpp:" + line + ")");
    dims d = dims::filled(8, 1);
    CHECK_THROWS_WITH(d.push_back(1), Catch::Contains("rank exceeds the maximum of 8") &&
                                          Catch::Contains("ptoref::dims::push_back") &&
                                          Catch::Contains("test_shape.cpp:"));
    CHECK(d.size() == 8); // unchanged by the failed push
}

TEST_CASE("row-major strides")
{
    CHECK(ptoref::row_major_strides(dims{2, 3, 4}) == dims{12, 4, 1});
    CHECK(ptoref::row_major_strides(dims{5}) == dims{1});
    CHECK(ptoref::row_major_strides(dims{3, 1, 2}) == dims{2, 2, 1});
    CHECK(ptoref::row_major_strides(dims{}) == dims{});
    CHECK(ptoref::row_major_strides(dims{2, 0, 3}) == dims{0, 3, 1});
    CHECK(ptoref::row_major_strides(dims{16, 4096, 8, 128}) == dims{4096 * 8 * 128, 8 * 128, 128, 1});
    // The flat index of every multi-index under these strides counts 0, 1, 2, ... in row-major order.
    for (const dims& shape : shapes) {
        const dims s = ptoref::row_major_strides(shape);
        index expect = 0;
        for (const auto& idx : nested_loops(shape)) {
            index f = 0;
            for (int d = 0; d < shape.size(); ++d)
                f += idx[static_cast<std::size_t>(d)] * s[d];
            REQUIRE(f == expect++);
        }
    }
}

TEST_CASE("advance_row_major visits every index exactly once, in the order of nested loops")
{
    for (const dims& shape : shapes) {
        INFO("shape " << ptoref::to_string(shape));
        bool last_false = false, reset = false;
        const auto got = by_advance(shape, last_false, reset);
        CHECK(got == nested_loops(shape));
        CHECK(static_cast<index>(got.size()) == shape.product());
        CHECK(last_false); // true after every index but the last, false after the last
        if (shape.product() > 0)
            CHECK(reset); // and the index wraps back to all zeros
    }
    // The rank-0 index is the one element; advancing ends at once.
    dims none{};
    CHECK_FALSE(ptoref::advance_row_major(none, dims{}));
    static_assert([] {
        dims i{0, 0};
        int n = 1;
        while (ptoref::advance_row_major(i, dims{2, 3}))
            ++n;
        return n;
    }() == 6);
}

TEST_CASE("for_each_offset enumerates a strided box in row-major order")
{
    std::vector<index> got;
    ptoref::for_each_offset(dims{2, 3}, dims{10, 2}, 5, [&](index f) { got.push_back(f); });
    CHECK(got == std::vector<index>{5, 7, 9, 15, 17, 19});
    // Against nested loops for many shapes, with strides of every kind: dense, padded, zero
    // (broadcast), negative (reversed), transposed.
    const std::vector<std::pair<dims, dims>> cases = {
        {dims{}, dims{}},
        {dims{4}, dims{3}},
        {dims{3, 4}, dims{4, 1}},
        {dims{3, 4}, dims{1, 3}},
        {dims{3, 4}, dims{10, 2}},
        {dims{2, 3}, dims{0, 1}},
        {dims{2, 3}, dims{-3, -1}},
        {dims{1, 5, 1}, dims{99, 2, 7}},
        {dims{2, 2, 2, 2}, dims{100, 10, 1, 1000}},
        {dims{2, 0}, dims{1, 1}},
        {dims{0, 4}, dims{4, 1}},
        {dims{3, 0, 2}, dims{0, 2, 1}},
    };
    for (const auto& [shape, strides] : cases) {
        INFO("shape " << ptoref::to_string(shape) << " strides " << ptoref::to_string(strides));
        std::vector<index> want;
        for (const auto& idx : nested_loops(shape)) {
            index f = 100;
            for (int d = 0; d < shape.size(); ++d)
                f += idx[static_cast<std::size_t>(d)] * strides[d];
            want.push_back(f);
        }
        got.clear();
        ptoref::for_each_offset(shape, strides, 100, [&](index f) { got.push_back(f); });
        CHECK(got == want);
    }
}

TEST_CASE("for_each_run covers exactly the elements for_each_offset visits, as runs of consecutive offsets")
{
    const std::vector<std::pair<dims, dims>> cases = {
        {dims{}, dims{}},
        {dims{4}, dims{3}},
        {dims{4}, dims{1}},
        {dims{4}, dims{-1}},
        {dims{3, 4}, dims{4, 1}},
        {dims{3, 4}, dims{1, 3}},  // transposed: runs along dim 0
        {dims{3, 4}, dims{10, 2}}, // no unit stride: one-element runs
        {dims{2, 3}, dims{0, 1}},  // broadcast rows: the same run twice
        {dims{2, 3}, dims{-3, -1}},
        {dims{3, 3}, dims{1, 1}}, // overlapping rows
        {dims{1, 5, 1}, dims{99, 2, 7}},
        {dims{2, 2, 2, 2}, dims{100, 10, 1, 1000}},
        {dims{2, 0}, dims{1, 1}},
        {dims{0, 4}, dims{4, 1}},
        {dims{5, 1}, dims{1, 1}},
    };
    for (const auto& [shape, strides] : cases) {
        INFO("shape " << ptoref::to_string(shape) << " strides " << ptoref::to_string(strides));
        std::vector<index> want, got;
        ptoref::for_each_offset(shape, strides, 100, [&](index f) { want.push_back(f); });
        ptoref::for_each_run(shape, strides, 100, [&](index lo, index hi) {
            CHECK(lo < hi);
            for (index f = lo; f < hi; ++f)
                got.push_back(f);
        });
        std::sort(want.begin(), want.end());
        std::sort(got.begin(), got.end());
        CHECK(got == want);
    }
    // Unit-stride views come as whole rows.
    int calls = 0;
    ptoref::for_each_run(dims{3, 64}, dims{128, 1}, 0, [&](index lo, index hi) {
        CHECK(hi - lo == 64);
        CHECK(lo % 128 == 0);
        ++calls;
    });
    CHECK(calls == 3);
    // Contiguous outer dims join the run: a dense view is one run, a window of whole rows too.
    std::vector<std::pair<index, index>> runs;
    auto collect = [&](index lo, index hi) { runs.emplace_back(lo, hi); };
    ptoref::for_each_run(dims{2, 3, 4}, dims{12, 4, 1}, 5, collect);
    CHECK(runs == std::vector<std::pair<index, index>>{{5, 29}});
    runs.clear();
    ptoref::for_each_run(dims{2, 3, 4}, dims{24, 4, 1}, 0, collect);
    CHECK(runs == std::vector<std::pair<index, index>>{{0, 12}, {24, 36}});
    runs.clear();
    ptoref::for_each_run(dims{2, 3, 4}, dims{-12, 4, 1}, 12, collect); // a reversed outer dim stops the join
    CHECK(runs == std::vector<std::pair<index, index>>{{12, 24}, {0, 12}});
}
