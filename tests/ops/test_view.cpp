// Views (ops/view.hpp): pl::slice, pl::reshape, pl::transpose, pl::tile::transpose_view. Exhaustive layout tests in the
// kokkos/mdspan style: every small shape, every window, every element checked against index
// arithmetic done by hand.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

#include <functional>
#include <optional>
#include <string>

using namespace ops_test;
using ptoref::dims;
using ptoref::tensor_from;

namespace {

// Steps every extent through lo..3 (an odometer); false after the last combination.
bool next_extents(dims& e, ix lo = 1)
{
    for (int d = e.size() - 1; d >= 0; --d) {
        if (++e[d] <= 3)
            return true;
        e[d] = lo;
    }
    return false;
}

std::vector<dims> small_shapes(int max_rank = 3)
{
    std::vector<dims> out;
    for (int rank = 1; rank <= max_rank; ++rank) {
        dims s = dims::filled(rank, 1);
        do
            out.push_back(s);
        while (next_extents(s));
    }
    return out;
}

// Every shape of rank 1..3 whose extents multiply to n.
std::vector<dims> factorizations(ix n)
{
    std::vector<dims> out;
    for (ix a = 1; a <= n; ++a) {
        if (n % a)
            continue;
        if (a == n)
            out.push_back(dims{a});
        for (ix b = 1; b <= n / a; ++b) {
            if ((n / a) % b)
                continue;
            if (a * b == n)
                out.push_back(dims{a, b});
            out.push_back(dims{a, b, n / a / b});
        }
    }
    return out;
}

dims unravel(ix k, const dims& shape)
{
    dims idx = dims::filled(shape.size(), 0);
    for (int d = shape.size() - 1; d >= 0; --d) {
        idx[d] = k % shape[d];
        k /= shape[d];
    }
    return idx;
}

} // namespace

TEST_CASE("every slice of every small shape maps each element to the right parent element")
{
    // Ranks 1-3, extents 1-3, every offset and window; parents dense and transposed.
    std::size_t checked = 0;
    for (const dims& shape : small_shapes()) {
        const int rank = shape.size();
        for (int variant = 0; variant < 2; ++variant) {
            // variant 1: the parent is a transposed view (first and last axes swapped) of a dense
            // tensor of the swapped shape, so its strides are not row-major.
            dims stored = shape;
            std::swap(stored[0], stored[rank - 1]);
            auto parent = variant == 0 ? iota(shape) : pl::transpose(iota(stored), 0, rank - 1);
            REQUIRE(parent.shape() == shape);
            const dims ps = parent.strides();
            dims off = dims::filled(rank, 0);
            do {
                dims ext = dims::filled(rank, 1);
                do {
                    bool fits = true;
                    for (int d = 0; d < rank; ++d)
                        fits = fits && off[d] + ext[d] <= shape[d];
                    if (!fits)
                        continue;
                    const auto s = pl::slice(parent, ext, off);
                    REQUIRE(s.shape() == ext);
                    REQUIRE(s.valid_shape() == ext);
                    REQUIRE(s.storage_ptr() == parent.storage_ptr());
                    const auto vals = s.to_vector();
                    dims idx = dims::filled(rank, 0);
                    std::size_t k = 0;
                    do {
                        // The parent element (off + idx), located by hand in the stored buffer.
                        ix flat = 0;
                        for (int d = 0; d < rank; ++d)
                            flat += (off[d] + idx[d]) * ps[d];
                        REQUIRE(vals[k++] == static_cast<float>(flat));
                        dims pidx = idx;
                        for (int d = 0; d < rank; ++d)
                            pidx[d] += off[d];
                        REQUIRE(s.get(idx) == parent.get(pidx));
                        ++checked;
                    } while (ptoref::advance_row_major(idx, ext));
                } while (next_extents(ext));
            } while (ptoref::advance_row_major(off, shape));
        }
    }
    CHECK(checked > 5000);
}

TEST_CASE("lower-rank slice shapes drop leading extent-1 dims, exhaustively")
{
    std::size_t checked = 0;
    for (const dims& shape : small_shapes()) {
        if (shape.size() < 2)
            continue;
        auto parent = iota(shape);
        const dims ps = ptoref::row_major_strides(shape);
        for (int keep = 1; keep < shape.size(); ++keep) {
            const int lead = shape.size() - keep;
            dims off = dims::filled(shape.size(), 0);
            do {
                dims ext = dims::filled(keep, 1);
                do {
                    bool fits = true;
                    for (int d = 0; d < keep; ++d)
                        fits = fits && off[lead + d] + ext[d] <= shape[lead + d];
                    if (!fits)
                        continue;
                    const auto s = pl::slice(parent, ext, off);
                    REQUIRE(s.shape() == ext);
                    const auto vals = s.to_vector();
                    dims idx = dims::filled(keep, 0);
                    std::size_t k = 0;
                    do {
                        ix flat = 0;
                        for (int d = 0; d < shape.size(); ++d)
                            flat += (off[d] + (d >= lead ? idx[d - lead] : 0)) * ps[d];
                        REQUIRE(vals[k++] == static_cast<float>(flat));
                        ++checked;
                    } while (ptoref::advance_row_major(idx, ext));
                } while (next_extents(ext));
            } while (ptoref::advance_row_major(off, shape));
        }
    }
    CHECK(checked > 1000);
    auto three = iota({2, 3, 4});
    CHECK(pl::slice(three, {2, 4}, {1, 1, 0}).to_vector() == std::vector<float>{16, 17, 18, 19, 20, 21, 22, 23});
    CHECK(pl::slice(three, {4}, {1, 2, 0}).to_vector() == std::vector<float>{20, 21, 22, 23});
}

TEST_CASE("valid_shape: requested, then clamped to the source's valid region, exhaustively")
{
    // Parent [3, 3] with every valid region; every window; with and without a requested valid_shape.
    auto root = iota({3, 3});
    std::size_t checked = 0;
    for (ix pv0 = 0; pv0 <= 3; ++pv0)
        for (ix pv1 = 0; pv1 <= 3; ++pv1) {
            auto parent = pl::slice(root, {3, 3}, {0, 0}, {pv0, pv1});
            REQUIRE(parent.valid_shape() == dims{pv0, pv1});
            dims off = dims::filled(2, 0);
            do {
                dims ext = dims::filled(2, 1);
                do {
                    if (off[0] + ext[0] > 3 || off[1] + ext[1] > 3)
                        continue;
                    const auto clamp = [&](int d, ix want) {
                        const ix room = std::max<ix>(0, (d == 0 ? pv0 : pv1) - off[d]);
                        return std::min(want, room);
                    };
                    REQUIRE(pl::slice(parent, ext, off).valid_shape() == dims{clamp(0, ext[0]), clamp(1, ext[1])});
                    dims req = dims::filled(2, 0);
                    do {
                        if (req[0] > ext[0] || req[1] > ext[1])
                            continue;
                        REQUIRE(pl::slice(parent, ext, off, req).valid_shape() ==
                                dims{clamp(0, req[0]), clamp(1, req[1])});
                        ++checked;
                    } while (next_extents(req, 0));
                } while (next_extents(ext));
            } while (ptoref::advance_row_major(off, dims{3, 3}));
            // Lower rank: a dropped dim whose offset lies in the padding leaves nothing valid.
            for (ix r0 = 0; r0 < 3; ++r0) {
                const auto row = pl::slice(parent, {3}, {r0, 0});
                REQUIRE(row.valid_shape() == dims{r0 < pv0 ? pv1 : 0});
            }
        }
    CHECK(checked > 1000);
    // 3-D: a dropped leading dim plus clamping of the kept ones.
    auto part = pl::slice(iota({2, 4, 6}), {2, 4, 6}, {0, 0, 0}, {1, 3, 4});
    CHECK(pl::slice(part, {2, 4}, {0, 2, 1}).valid_shape() == dims{1, 3});
    CHECK(pl::slice(part, {2, 4}, {1, 2, 1}).valid_shape() == dims{0, 0});
    CHECK(pl::slice(part, {2, 4}, {0, 2, 1}, {2, 1}).valid_shape() == dims{1, 1});
}

TEST_CASE("slice errors: bounds (offset, shape, tensor and call site), rank, valid_shape")
{
    auto t = iota({64, 64}).name("x");
    CHECK_THROWS_AS(pl::slice(t, {4, 4}, {0, 62}), ptoref::error);
    CHECK_THROWS_WITH(pl::slice(t, {4, 4}, {0, 62}),
                      Catch::Contains("pl::slice") && Catch::Contains("out of bounds") &&
                          Catch::Contains("offset [0, 62]") && Catch::Contains("shape [4, 4]") &&
                          Catch::Contains("'x' FP32[64, 64]") && Catch::Contains("test_view.cpp:"));
    CHECK_THROWS_WITH(pl::slice(t, {4, 4}, {-1, 0}), Catch::Contains("out of bounds") &&
                                                         Catch::Contains("offset [-1, 0]") &&
                                                         Catch::Contains("test_view.cpp:"));
    CHECK_THROWS_WITH(pl::slice(t, {65, 1}, {0, 0}), Catch::Contains("out of bounds") && Catch::Contains("[65, 1]"));
    CHECK_THROWS_WITH(pl::slice(t, {4}, {64, 0}), Catch::Contains("out of bounds")); // dropped dim out of range
    CHECK_NOTHROW(pl::slice(t, {4, 4}, {60, 60}));
    CHECK_NOTHROW(pl::slice(t, {0, 4}, {64, 60})); // an empty window at the very end
    CHECK_THROWS_WITH(pl::slice(t, {4, 4}, {0}), Catch::Contains("pl::slice") &&
                                                     Catch::Contains("do not fit the rank") &&
                                                     Catch::Contains("test_view.cpp:"));
    CHECK_THROWS_WITH(pl::slice(t, {1, 4, 4}, {0, 0, 0}), Catch::Contains("do not fit the rank"));
    CHECK_THROWS_WITH(pl::slice(t, {4, 4}, {0, 0}, {5, 4}), Catch::Contains("valid_shape [5, 4]") &&
                                                                Catch::Contains("[4, 4]") &&
                                                                Catch::Contains("test_view.cpp:"));
    CHECK_THROWS_WITH(pl::slice(t, {4, 4}, {0, 0}, {4}), Catch::Contains("valid_shape [4]"));
    CHECK_THROWS_WITH(pl::slice(t, {4, 4}, {0, 0}, {-1, 4}), Catch::Contains("valid_shape [-1, 4]"));
    CHECK_THROWS_WITH(pl::slice(t, {4, -4}, {0, 0}), Catch::Contains("negative extent"));
    CHECK_THROWS_WITH(pl::slice(t, {}, {0, 0}), Catch::Contains("rank-0"));
}

TEST_CASE("an overhanging window copies its valid part; the rest is padding, exhaustively against an oracle")
{
    // Source [3, 4] with five valid regions, every window up to [5, 6] at every offset up to [4, 5],
    // every requested valid_shape, with and without clamp. Oracle: the requested valid part must fit
    // the source physically unless clamp cuts it to the edge; then the result is valid where that
    // part is and the source is valid, holds the source's elements there, and nothing else.
    const ix R = 3, C = 4;
    auto root = iota({R, C});
    std::size_t copies = 0, refused = 0;
    for (const auto& [pv0, pv1] : std::vector<std::pair<ix, ix>>{{0, 0}, {1, 2}, {2, 4}, {3, 1}, {3, 4}}) {
        auto src = pl::slice(root, {R, C}, {0, 0}, {pv0, pv1});
        for (ix o0 = 0; o0 <= 4; ++o0)
            for (ix o1 = 0; o1 <= 5; ++o1)
                for (ix e0 = 1; e0 <= 5; ++e0)
                    for (ix e1 = 1; e1 <= 6; ++e1) {
                        if (o0 + e0 <= R && o1 + e1 <= C)
                            continue; // in bounds: a view, tested above
                        for (ix q0 = 0; q0 <= e0; ++q0)
                            for (ix q1 = 0; q1 <= e1; ++q1)
                                for (bool clamp : {false, true}) {
                                    const ix room0 = std::max<ix>(0, R - o0), room1 = std::max<ix>(0, C - o1);
                                    const bool fits = q0 <= room0 && q1 <= room1;
                                    if (!fits && !clamp) {
                                        CHECK_THROWS_WITH(pl::slice(src, {e0, e1}, {o0, o1}, {q0, q1}, clamp),
                                                          Catch::Contains("out of bounds") &&
                                                              Catch::Contains("clamp=True"));
                                        ++refused;
                                        continue;
                                    }
                                    const ix v0 = std::min({q0, room0, std::max<ix>(0, pv0 - o0)});
                                    const ix v1 = std::min({q1, room1, std::max<ix>(0, pv1 - o1)});
                                    const auto out = pl::slice(src, {e0, e1}, {o0, o1}, {q0, q1}, clamp);
                                    REQUIRE(out.shape() == dims{e0, e1});
                                    REQUIRE(out.valid_shape() == dims{v0, v1});
                                    REQUIRE(out.storage_ptr() != root.storage_ptr()); // a copy
                                    for (ix i = 0; i < e0; ++i)
                                        for (ix j = 0; j < e1; ++j) {
                                            const bool valid = i < v0 && j < v1;
                                            REQUIRE(out.storage().is_defined(i * e1 + j) == valid);
                                            if (valid)
                                                REQUIRE(out.get({i, j}) == root.get({o0 + i, o1 + j}));
                                        }
                                    ++copies;
                                }
                    }
    }
    CHECK(copies > 10000);
    CHECK(refused > 10000);
    // Without a valid_shape the whole window is the valid part: an overhang is refused, as before.
    CHECK_THROWS_WITH(pl::slice(root, {4, 4}, {0, 0}), Catch::Contains("out of bounds"));
    CHECK(pl::slice(root, {4, 4}, {0, 0}, {}, true).valid_shape() == dims{3, 4});
    // Negative offsets and dropped dims out of range stay errors with clamp.
    CHECK_THROWS_WITH(pl::slice(root, {4, 4}, {-1, 0}, {1, 1}, true), Catch::Contains("out of bounds"));
    CHECK_THROWS_WITH(pl::slice(iota({2, 3, 4}), {4, 4}, {2, 0, 0}, {1, 1}, true), Catch::Contains("out of bounds"));
    // A fully padded window (offset past the edge, clamp) reads nothing and is all padding.
    const auto pad = pl::slice(root, {2, 2}, {3, 4}, {2, 2}, true);
    CHECK(pad.valid_shape() == dims{0, 0});
    CHECK(pad.storage().undefined_count() == 4);
}

TEST_CASE("slices are views: writes through the parent or the slice are seen by both")
{
    auto t = pl::full({4, 4}, pl::FP32, 0.0f);
    auto s = pl::slice(t, {2, 2}, {1, 1});
    t = pl::assemble(t, pl::full({1, 1}, pl::FP32, 7.0f), {2, 2});
    CHECK(s.to_vector() == std::vector<float>{0, 0, 0, 7}); // the old handle sees the buffer
    CHECK(pl::slice(t, {2, 2}, {1, 1}).to_vector() == std::vector<float>{0, 0, 0, 7});
    // Reading the superseded slice handle through an op is reported as a stale read.
    {
        ptoref::check::collector c;
        (void)pl::exp(s);
        CHECK(c.stale().size() == 1);
    }
    // Writes through a slice (assemble and write) land in the parent.
    auto s2 = pl::slice(t, {2, 2}, {2, 0});
    s2 = pl::assemble(s2, tensor_from<float>({1, 2}, {3, 4}), {1, 0});
    s2 = pl::write(s2, {0, 1}, 5.0f);
    CHECK(t.to_vector() == std::vector<float>{0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 7, 0, 3, 4, 0, 0});
    // ... also through a transposed slice.
    auto tr = pl::transpose(pl::slice(t, {2, 3}, {0, 1}), 0, 1); // [3, 2]
    tr = pl::write(tr, {2, 1}, 9.0f);                            // = t[1, 3]
    CHECK(t.get({1, 3}) == 9.0f);
}

TEST_CASE("reshape keeps row-major order for every small view and every target shape")
{
    // Sources: dense tensors, transposes of them, and windows of a bigger tensor (strided), and
    // transposes of those; targets: every shape of rank 1..3 with the same element count.
    std::size_t views = 0, copies = 0;
    for (const dims& shape : small_shapes()) {
        const int rank = shape.size();
        std::vector<std::function<ptoref::Tensor<float>()>> makers;
        makers.push_back([shape] { return iota(shape); });
        if (rank == 3)
            makers.push_back([shape] { return pl::slice(iota({4, 5, 6}), shape, {1, 1, 1}); });
        for (int a = 0; a < rank; ++a)
            for (int b = a + 1; b < rank; ++b) {
                makers.push_back([shape, a, b] {
                    dims st = shape;
                    std::swap(st[a], st[b]);
                    return pl::transpose(iota(st), a, b);
                });
                if (rank == 3)
                    makers.push_back([shape, a, b] {
                        dims st = shape;
                        std::swap(st[a], st[b]);
                        return pl::transpose(pl::slice(iota({4, 5, 6}), st, {0, 2, 1}), a, b);
                    });
            }
        for (const auto& make : makers) {
            const auto probe = make();
            REQUIRE(probe.shape() == shape);
            const auto src_vals = probe.to_vector();
            for (const dims& target : factorizations(shape.product())) {
                const auto view = make(); // fresh buffer: the write below must not affect others
                const auto r = pl::reshape(view, target);
                INFO("shape " << ptoref::to_string(shape) << " strides " << ptoref::to_string(view.strides()) << " -> "
                              << ptoref::to_string(target));
                REQUIRE(r.shape() == target);
                REQUIRE(r.fully_valid());
                REQUIRE(r.to_vector() == src_vals);
                if (view.is_contiguous())
                    REQUIRE(r.storage_ptr() == view.storage_ptr()); // dense sources always give views
                if (r.storage_ptr() == view.storage_ptr()) {
                    ++views;
                    // A view: writing element k of the reshape changes element k of the source.
                    for (ix k = 0; k < target.product(); ++k) {
                        (void)pl::write(r, unravel(k, target), -1.0f - static_cast<float>(k));
                        REQUIRE(view.to_vector()[static_cast<std::size_t>(k)] == -1.0f - static_cast<float>(k));
                    }
                } else {
                    ++copies;
                    (void)pl::write(r, unravel(0, target), -1.0f);
                    REQUIRE(view.to_vector() == src_vals); // a copy: the source is untouched
                }
            }
        }
    }
    CHECK(views > 500);
    CHECK(copies > 100);
}

TEST_CASE("reshape: a view when expressible, a copy otherwise; definedness travels with copies")
{
    auto t = iota({4, 6});
    CHECK(pl::reshape(t, {2, 12}).storage_ptr() == t.storage_ptr());
    auto rows = pl::slice(t, {2, 6}, {1, 0}); // whole rows: still expressible
    auto rv = pl::reshape(rows, {12});
    CHECK(rv.storage_ptr() == t.storage_ptr());
    CHECK(rv.to_vector()[0] == 6.0f);
    auto cols = pl::slice(t, {4, 3}, {0, 2}); // a column block: splitting dim 0 works, merging does not
    CHECK(pl::reshape(cols, {2, 2, 3}).storage_ptr() == t.storage_ptr());
    CHECK(pl::reshape(cols, {12}).storage_ptr() != t.storage_ptr());
    CHECK(pl::reshape(cols, {12}).to_vector() == std::vector<float>{2, 3, 4, 8, 9, 10, 14, 15, 16, 20, 21, 22});
    // A transposed view: the reshape gives the view's row-major order, not the buffer's.
    auto tr = pl::transpose(t, 0, 1); // [6, 4]
    auto flat = pl::reshape(tr, {24});
    CHECK(flat.storage_ptr() != t.storage_ptr());
    CHECK(flat.to_vector()[1] == 6.0f);
    CHECK(flat.to_vector() == tr.to_vector());
    CHECK(pl::reshape(tr, {2, 3, 4}).to_vector() == tr.to_vector());
    // Extent-1 juggling on a strided window is a view.
    auto one = pl::slice(iota({2, 1, 8}), {1, 1, 4}, {1, 0, 2});
    auto r1 = pl::reshape(one, {1, 4});
    CHECK(r1.to_vector() == std::vector<float>{10, 11, 12, 13});
    CHECK(r1.storage_ptr() == one.storage_ptr());
    CHECK(pl::reshape(one, {4, 1}).to_vector() == std::vector<float>{10, 11, 12, 13});
    // Copies carry definedness.
    auto u = pl::create_tensor({2, 3}, pl::FP32);
    u = pl::write(u, {0, 1}, 1.0f);
    CHECK(pl::reshape(pl::transpose(u, 0, 1), {6}).defined_mask() == std::vector<std::uint8_t>{0, 0, 1, 0, 0, 0});
    CHECK(pl::reshape(u, {3, 2}).defined_mask() == std::vector<std::uint8_t>{0, 1, 0, 0, 0, 0});
}

TEST_CASE("reshape errors: element count, partially valid source, bad shape")
{
    auto t = iota({4, 6}).name("r");
    CHECK_THROWS_AS(pl::reshape(t, {5, 5}), ptoref::error);
    CHECK_THROWS_WITH(pl::reshape(t, {5, 5}), Catch::Contains("pl::reshape") && Catch::Contains("'r' FP32[4, 6]") &&
                                                  Catch::Contains("24 elements") && Catch::Contains("[5, 5]") &&
                                                  Catch::Contains("25 elements") && Catch::Contains("test_view.cpp:"));
    CHECK_THROWS_WITH(pl::reshape(pl::slice(t, {4, 6}, {0, 0}, {2, 5}), {24}),
                      Catch::Contains("pl::reshape") && Catch::Contains("partially valid") &&
                          Catch::Contains("valid [2, 5]") && Catch::Contains("to [24]") && Catch::Contains("fillpad") &&
                          Catch::Contains("test_view.cpp:"));
    CHECK_NOTHROW(pl::reshape(pl::fillpad(pl::slice(t, {4, 6}, {0, 0}, {2, 5})), {24}));
    // Whole rows valid: the valid region is the prefix [0, 12) of the flat shape.
    CHECK(pl::reshape(pl::slice(t, {4, 6}, {0, 0}, {2, 6}), {24}).valid_shape() == dims{12});
    CHECK_THROWS_WITH(pl::reshape(t, {-4, -6}), Catch::Contains("negative extent"));
    CHECK_THROWS_WITH(pl::reshape(t, {}), Catch::Contains("rank-0"));
}

TEST_CASE("transpose swaps two axes (negative axes count from the end) as a view")
{
    auto t = iota({2, 3, 4});
    auto tr = pl::transpose(t, -1, 0);
    CHECK(tr.shape() == dims{4, 3, 2});
    CHECK(tr.storage_ptr() == t.storage_ptr());
    for (ix i = 0; i < 2; ++i)
        for (ix j = 0; j < 3; ++j)
            for (ix k = 0; k < 4; ++k)
                REQUIRE(tr.get({k, j, i}) == t.get({i, j, k}));
    CHECK(pl::transpose(t, 0, -1).shape() == dims{4, 3, 2});
    CHECK(pl::transpose(t, -2, -3).shape() == dims{3, 2, 4});
    CHECK(pl::transpose(t, 1, 1).to_vector() == t.to_vector());
    CHECK(pl::transpose(pl::transpose(t, 0, 2), 2, 0).to_vector() == t.to_vector());
    // The valid region is transposed too.
    auto p = pl::slice(t, {2, 3, 4}, {0, 0, 0}, {1, 2, 3});
    CHECK(pl::transpose(p, 0, 2).valid_shape() == dims{3, 2, 1});
    CHECK_THROWS_AS(pl::transpose(t, 0, 3), ptoref::error);
    CHECK_THROWS_WITH(pl::transpose(t, 0, 3), Catch::Contains("pl::transpose") &&
                                                  Catch::Contains("axis 3 is out of range for rank 3") &&
                                                  Catch::Contains("test_view.cpp:"));
    CHECK_THROWS_WITH(pl::transpose(t, -4, 0), Catch::Contains("axis -4 is out of range for rank 3"));
    CHECK_THROWS_WITH(pl::transpose(t, 1, -4), Catch::Contains("axis -4"));
}

namespace {

// The oracle of a partly valid reshape: map every valid element's row-major position to its
// index in the new shape; the result is valid iff those indices are exactly a top-left box
// (their bounding box has as many elements as they are). No valid element: the all-zero box.
std::optional<dims> mapped_box(const dims& shape, const dims& valid, const dims& target)
{
    dims hi = dims::filled(target.size(), 0);
    ix count = 0;
    const ix n = shape.product();
    for (ix k = 0; k < n; ++k) {
        const dims idx = unravel(k, shape);
        bool in = true;
        for (int d = 0; d < shape.size(); ++d)
            in = in && idx[d] < valid[d];
        if (!in)
            continue;
        ++count;
        const dims to = unravel(k, target);
        for (int d = 0; d < target.size(); ++d)
            hi[d] = std::max(hi[d], to[d] + 1);
    }
    if (count == 0)
        return dims::filled(target.size(), 0);
    return hi.product() == count ? std::optional<dims>(hi) : std::nullopt;
}

} // namespace

TEST_CASE("reshape of a partly valid tensor: accepted exactly when the valid elements map to a top-left box")
{
    std::vector<dims> shapes = small_shapes();
    for (const dims& extra : {dims{4, 6}, dims{6, 4}, dims{8, 1}, dims{2, 4, 3}, dims{1, 8}, dims{4, 2, 2}})
        shapes.push_back(extra);
    std::size_t accepted = 0, refused = 0;
    for (const dims& shape : shapes) {
        const ix n = shape.product();
        const auto src = iota(shape);
        // The same values through a transposed parent: not reshapable as a view, so a copy.
        const auto dense_swapped = pl::adds(pl::transpose(src, 0, shape.size() - 1), 0.0f);
        const auto strided = pl::transpose(dense_swapped, 0, shape.size() - 1);
        REQUIRE(strided.to_vector() == src.to_vector());
        dims valid = dims::filled(shape.size(), 0);
        do {
            for (const dims& target : factorizations(n)) {
                const auto want = mapped_box(shape, valid, target);
                for (int variant = 0; variant < 2; ++variant) {
                    const auto in =
                        pl::slice(variant == 0 ? src : strided, shape, dims::filled(shape.size(), 0), valid);
                    INFO(ptoref::to_string(shape) << " valid " << ptoref::to_string(valid) << " -> "
                                                  << ptoref::to_string(target) << " variant " << variant);
                    if (!want) {
                        CHECK_THROWS_WITH(pl::reshape(in, target),
                                          Catch::Contains("partially valid") && Catch::Contains("top-left box"));
                        ++refused;
                        continue;
                    }
                    const auto r = pl::reshape(in, target);
                    ++accepted;
                    REQUIRE(r.valid_shape() == *want);
                    // Every valid element is the source element at the same row-major position.
                    const auto vals = r.to_vector();
                    for (ix k = 0; k < n; ++k) {
                        const dims to = unravel(k, target);
                        bool in_box = true;
                        for (int d = 0; d < target.size(); ++d)
                            in_box = in_box && to[d] < (*want)[d];
                        if (in_box) {
                            CHECK(vals[static_cast<std::size_t>(k)] == static_cast<float>(k));
                            CHECK(r.is_defined(to));
                        }
                    }
                }
            }
        } while ([&] { // every valid box 0..shape per dim
            for (int d = valid.size() - 1; d >= 0; --d) {
                if (++valid[d] <= shape[d])
                    return true;
                valid[d] = 0;
            }
            return false;
        }());
    }
    CHECK(accepted > 1000);
    CHECK(refused > 1000);
}

TEST_CASE("reshape of a partly valid tensor: gate.py's row_sum result and the clear refusal")
{
    const auto t = pl::slice(iota({8, 1}), {8, 1}, {0, 0}, {1, 1});
    CHECK(pl::reshape(t, {8, 1}).valid_shape() == dims{1, 1});
    CHECK(pl::reshape(t, {1, 8}).valid_shape() == dims{1, 1});
    CHECK(pl::reshape(t, {2, 4}).valid_shape() == dims{1, 1});
    const auto rows = pl::slice(iota({4, 6}), {4, 6}, {0, 0}, {3, 6});
    CHECK_THROWS_WITH(pl::reshape(rows, {2, 2, 6}), Catch::Contains("valid [3, 6]") && Catch::Contains("[2, 2, 6]"));
    CHECK_THROWS_WITH(pl::reshape(rows, {3, 8}), Catch::Contains("top-left box"));
    CHECK(pl::reshape(pl::slice(iota({4, 6}), {4, 6}, {0, 0}, {2, 6}), {2, 2, 6}).valid_shape() == dims{1, 2, 6});
    CHECK(pl::reshape(pl::slice(iota({4, 6}), {4, 6}, {0, 0}, {2, 3}), {4, 2, 3}).valid_shape() == dims{2, 1, 3});
    CHECK(pl::reshape(pl::slice(iota({4, 6}), {4, 6}, {0, 0}, {0, 3}), {24}).valid_shape() == dims{0});
}

TEST_CASE("transpose_view swaps the trailing two dims as a view; it needs 2 dims")
{
    const auto t = pl::slice(iota({2, 3, 4}), {2, 3, 4}, {0, 0, 0}, {2, 2, 3});
    const auto v = pl::tile::transpose_view(t);
    CHECK(v.shape() == dims{2, 4, 3});
    CHECK(v.valid_shape() == dims{2, 3, 2});
    CHECK(v.storage_ptr() == t.storage_ptr());
    CHECK(v.get({1, 2, 1}) == t.get({1, 1, 2}));
    CHECK(pl::transpose_view(v).strides() == t.strides());
    CHECK_THROWS_WITH(pl::transpose_view(iota({5})), Catch::Contains("transpose_view") &&
                                                         Catch::Contains("at least 2 dims") &&
                                                         Catch::Contains("test_view.cpp:"));
    // The gate.py pattern: a Mat tile and its transpose_view feed matmuls as b and b_trans.
    const auto a = iota({2, 3}), b = iota({4, 3});
    CHECK(pl::matmul(a, pl::transpose_view(b), pl::FP32).to_vector() ==
          pl::matmul(a, b, pl::FP32, false, true).to_vector());
}
