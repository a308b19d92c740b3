// In-place writes (ops/assemble.hpp): pl::assemble, pl::write, and the scalar read pl::read.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::tensor_from;

TEST_CASE("assemble writes in place, returns the target and bumps the buffer version")
{
    auto t = pl::full({3, 4}, pl::FP32, 0.0f);
    auto same = t;
    const auto v0 = t.storage().version();
    auto r = pl::assemble(t, tensor_from<float>({1, 2}, {1, 2}), {1, 1});
    CHECK(r.storage_ptr() == t.storage_ptr());
    CHECK(r.shape() == t.shape());
    CHECK(r.strides() == t.strides());
    CHECK(r.offset() == t.offset());
    CHECK(same.to_vector() == std::vector<float>{0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0});
    CHECK(t.storage().version() == v0 + 1);
    CHECK(r.handle_version() == v0 + 1);
    CHECK(t.handle_version() == v0); // the old handle is now older than the buffer
    r = pl::assemble(r, tensor_from<float>({1, 1}, {5}), {0, 0});
    CHECK(t.storage().version() == v0 + 2);
    CHECK(r.handle_version() == v0 + 2);
    // Rebinding the same view (the DSL idiom) keeps the newest version.
    t = r;
    CHECK(t.handle_version() == v0 + 2);
}

TEST_CASE("assemble against an oracle: every source valid region at every offset")
{
    // Source [2, 3] with every valid region, target [4, 5] at every in-bounds offset.
    auto src_base = tensor_from<float>({2, 3}, {1, 2, 3, 4, 5, 6});
    std::size_t cases = 0;
    for (ix v0 = 0; v0 <= 2; ++v0)
        for (ix v1 = 0; v1 <= 3; ++v1)
            for (ix o0 = 0; o0 + 2 <= 4; ++o0)
                for (ix o1 = 0; o1 + 3 <= 5; ++o1) {
                    auto t = iota({4, 5}, 100);
                    auto src = pl::slice(src_base, {2, 3}, {0, 0}, {v0, v1});
                    t = pl::assemble(t, src, {o0, o1});
                    const auto got = t.to_vector();
                    for (ix i = 0; i < 4; ++i)
                        for (ix j = 0; j < 5; ++j) {
                            const ix si = i - o0, sj = j - o1;
                            const bool copied = si >= 0 && si < v0 && sj >= 0 && sj < v1;
                            const float want =
                                copied ? static_cast<float>(si * 3 + sj + 1) : static_cast<float>(100 + i * 5 + j);
                            REQUIRE(got[static_cast<std::size_t>(i * 5 + j)] == want);
                        }
                    REQUIRE(t.storage().all_defined());
                    ++cases;
                }
    CHECK(cases == 3 * 4 * 3 * 3);
}

TEST_CASE("a lower-rank source gets leading extent-1 dims")
{
    auto t = pl::full({2, 3, 4}, pl::FP32, 0.0f);
    t = pl::assemble(t, tensor_from<float>({1, 4}, {1, 2, 3, 4}), {1, 2, 0});
    CHECK(pl::slice(t, {4}, {1, 2, 0}).to_vector() == std::vector<float>{1, 2, 3, 4});
    t = pl::assemble(t, tensor_from<float>({2}, {7, 8}), {0, 1, 2});
    CHECK(pl::slice(t, {4}, {0, 1, 0}).to_vector() == std::vector<float>{0, 0, 7, 8});
    std::vector<float> want(24, 0.0f);
    want[1 * 12 + 2 * 4 + 0] = 1, want[1 * 12 + 2 * 4 + 1] = 2, want[1 * 12 + 2 * 4 + 2] = 3,
                          want[1 * 12 + 2 * 4 + 3] = 4;
    want[0 * 12 + 1 * 4 + 2] = 7, want[0 * 12 + 1 * 4 + 3] = 8;
    CHECK(t.to_vector() == want);
    // The qwen3 pattern: [1, hidden] into [batch, seq, hidden] at [b, pos, 0], with a partially valid source.
    auto cache = pl::full({2, 4, 3}, pl::FP32, -1.0f);
    auto row = pl::slice(tensor_from<float>({1, 3}, {5, 6, 7}), {1, 3}, {0, 0}, {1, 2});
    cache = pl::assemble(cache, row, {1, 3, 0});
    CHECK(pl::slice(cache, {3}, {1, 3, 0}).to_vector() == std::vector<float>{5, 6, -1});
    // A leading dim that is not 1 in the window would not fit: the source's own dims are kept.
    CHECK_THROWS_WITH(pl::assemble(cache, pl::full({3, 3}, pl::FP32, 0.0f), {0, 2, 0}),
                      Catch::Contains("out of bounds"));
}

TEST_CASE("a higher-rank source with extent-1 leading dims: they are dropped (a [1, M, N] batch-matmul result "
          "into a 2-D target)")
{
    const std::vector<float> v{1, 2, 3, 4, 5, 6};
    for (const dims& lead : {dims{1}, dims{1, 1}}) {
        dims shape = lead;
        shape.push_back(2);
        shape.push_back(3);
        auto a = pl::full({4, 5}, pl::FP32, 0.0f), b = pl::full({4, 5}, pl::FP32, 0.0f);
        a = pl::assemble(a, tensor_from<float>(shape, v), {1, 2});
        b = pl::assemble(b, tensor_from<float>({2, 3}, v), {1, 2});
        CHECK(a.to_vector() == b.to_vector());
        CHECK(a.defined_mask() == b.defined_mask());
    }
    // Partly valid: only the valid rows are written, and only they must fit.
    auto src = pl::slice(tensor_from<float>({1, 2, 3}, v), {1, 2, 3}, {0, 0, 0}, {1, 1, 3});
    auto t = pl::full({3, 3}, pl::FP32, -1.0f);
    t = pl::assemble(t, src, {2, 0});
    CHECK(t.to_vector() == std::vector<float>{-1, -1, -1, -1, -1, -1, 1, 2, 3});
    // A dropped dim of valid extent 0: nothing is valid, nothing is written.
    auto none = pl::slice(tensor_from<float>({1, 2, 3}, v), {1, 2, 3}, {0, 0, 0}, {0, 2, 3});
    t = pl::assemble(t, none, {0, 0});
    CHECK(t.to_vector() == std::vector<float>{-1, -1, -1, -1, -1, -1, 1, 2, 3});
    // The offset has the target's rank; a leading dim of extent > 1 cannot be dropped.
    CHECK_THROWS_WITH(pl::assemble(t, tensor_from<float>({1, 2, 3}, v), {0, 0, 0}),
                      Catch::Contains("does not fit the rank"));
    CHECK_THROWS_WITH(pl::assemble(t, tensor_from<float>({2, 1, 3}, v), {0, 0}),
                      Catch::Contains("needs extent-1 leading dims"));
}

TEST_CASE("assemble into views: the window is in the view's coordinates")
{
    // Target is a transposed slice of a bigger buffer.
    auto base = iota({4, 6});
    auto view = pl::transpose(pl::slice(base, {3, 4}, {1, 2}), 0, 1); // [4, 3]: view[i, j] = base[1 + j, 2 + i]
    view = pl::assemble(view, tensor_from<float>({2, 2}, {-1, -2, -3, -4}), {1, 1});
    // view[1,1] = base[2,3], view[1,2] = base[3,3], view[2,1] = base[2,4], view[2,2] = base[3,4]
    CHECK(base.get({2, 3}) == -1.0f);
    CHECK(base.get({3, 3}) == -2.0f);
    CHECK(base.get({2, 4}) == -3.0f);
    CHECK(base.get({3, 4}) == -4.0f);
    ix changed = 0;
    const auto vals = base.to_vector();
    for (ix k = 0; k < 24; ++k)
        changed += vals[static_cast<std::size_t>(k)] != static_cast<float>(k);
    CHECK(changed == 4);
    // Source is a transposed view: its logical (row-major) order is what lands.
    auto t = pl::full({2, 3}, pl::FP32, 0.0f);
    t = pl::assemble(t, pl::transpose(tensor_from<float>({3, 2}, {1, 2, 3, 4, 5, 6}), 0, 1), {0, 0});
    CHECK(t.to_vector() == std::vector<float>{1, 3, 5, 2, 4, 6});
}

TEST_CASE("assemble: bounds are judged on the source's valid region, which is all it writes")
{
    // A fixed [4, 3] tile whose valid rows end at the target's edge, for every valid row count.
    for (ix rows = 0; rows <= 2; ++rows) {
        auto dst = pl::full({5, 3}, pl::FP32, -1.0f);
        auto tile = pl::slice(iota<float>({4, 3}), {4, 3}, {0, 0}, {rows, 3});
        dst = pl::assemble(dst, tile, {5 - rows, 0});
        std::vector<float> want(15, -1.0f);
        for (ix k = 0; k < rows * 3; ++k)
            want[static_cast<std::size_t>((5 - rows) * 3 + k)] = static_cast<float>(k);
        CHECK(dst.to_vector() == want);
    }
    auto dst = pl::full({5, 3}, pl::FP32, 0.0f);
    CHECK_THROWS_WITH(pl::assemble(dst, pl::slice(iota<float>({4, 3}), {4, 3}, {0, 0}, {3, 3}), {3, 0}),
                      Catch::Contains("valid [3, 3] at offset [3, 0] is out of bounds of target"));
}

TEST_CASE("assemble errors: bounds and rank, naming the tensors, the offset and the call site")
{
    auto t = pl::full({4, 4}, pl::FP32, 0.0f).name("dst");
    CHECK_THROWS_AS(pl::assemble(t, pl::full({2, 2}, pl::FP32, 1.0f), {3, 0}), ptoref::error);
    CHECK_THROWS_WITH(pl::assemble(t, pl::full({2, 2}, pl::FP32, 1.0f).name("src"), {3, 0}),
                      Catch::Contains("pl::assemble") && Catch::Contains("source 'src' FP32[2, 2]") &&
                          Catch::Contains("at offset [3, 0] is out of bounds of target 'dst' FP32[4, 4]") &&
                          Catch::Contains("test_assemble.cpp:"));
    CHECK_THROWS_WITH(pl::assemble(t, pl::full({2, 2}, pl::FP32, 1.0f), {-1, 0}),
                      Catch::Contains("[-1, 0] is out of bounds"));
    CHECK_THROWS_WITH(pl::assemble(t, pl::full({2, 5}, pl::FP32, 1.0f), {0, 0}), Catch::Contains("out of bounds"));
    CHECK_THROWS_WITH(pl::assemble(t, pl::full({2, 2}, pl::FP32, 1.0f), {0}),
                      Catch::Contains("pl::assemble") && Catch::Contains("does not fit the rank") &&
                          Catch::Contains("test_assemble.cpp:"));
    CHECK_THROWS_WITH(pl::assemble(t, pl::full({2, 1, 1}, pl::FP32, 1.0f), {0, 0}),
                      Catch::Contains("does not fit the rank") &&
                          Catch::Contains("(a source of higher rank needs extent-1 leading dims)"));
    // A failed assemble changes nothing, not even the version.
    const auto v = t.storage().version();
    CHECK_THROWS(pl::assemble(t, pl::full({2, 2}, pl::FP32, 1.0f), {3, 3}));
    CHECK(t.storage().version() == v);
    CHECK(t.to_vector() == std::vector<float>(16, 0.0f));
    // A partially valid source needs only its valid region to fit (its padding may overhang).
    t = pl::assemble(t, pl::slice(pl::full({2, 2}, pl::FP32, 1.0f), {2, 2}, {0, 0}, {1, 1}), {3, 3});
    CHECK(t.get({3, 3}) == 1.0f);
    CHECK_THROWS_WITH(pl::assemble(t, pl::slice(pl::full({2, 2}, pl::FP32, 1.0f), {2, 2}, {0, 0}, {2, 1}), {3, 3}),
                      Catch::Contains("out of bounds"));
}

TEST_CASE("overlapping self-assemble reads the whole source before writing")
{
    auto t = tensor_from<float>({1, 6}, {1, 2, 3, 4, 5, 6});
    t = pl::assemble(t, pl::slice(t, {1, 4}, {0, 0}), {0, 2}); // shift right
    CHECK(t.to_vector() == std::vector<float>{1, 2, 1, 2, 3, 4});
    auto u = tensor_from<float>({1, 6}, {1, 2, 3, 4, 5, 6});
    u = pl::assemble(u, pl::slice(u, {1, 4}, {0, 2}), {0, 0}); // shift left
    CHECK(u.to_vector() == std::vector<float>{3, 4, 5, 6, 5, 6});
    auto m = iota({3, 3});
    m = pl::assemble(m, pl::transpose(m, 0, 1), {0, 0}); // in-place transpose
    CHECK(m.to_vector() == std::vector<float>{0, 3, 6, 1, 4, 7, 2, 5, 8});
    auto w = iota({3, 3});
    w = pl::assemble(w, pl::slice(w, {2, 2}, {0, 0}), {1, 1}); // 2-D diagonal overlap
    CHECK(w.to_vector() == std::vector<float>{0, 1, 2, 3, 0, 1, 6, 3, 4});
}

TEST_CASE("definedness is copied with the data; outside the valid region nothing changes")
{
    auto t = pl::create_tensor({2, 2}, pl::FP32);
    auto src = pl::create_tensor({1, 2}, pl::FP32);
    src = pl::write(src, {0, 0}, 5.0f);
    t = pl::assemble(t, src, {1, 0});
    CHECK(t.defined_mask() == std::vector<std::uint8_t>{0, 0, 1, 0});
    CHECK(t.to_vector()[2] == 5.0f);
    t = pl::assemble(t, pl::full({2, 2}, pl::FP32, 1.0f), {0, 0});
    CHECK(t.storage().all_defined());
    // Overwriting defined elements with undefined ones makes them undefined.
    t = pl::assemble(t, pl::create_tensor({1, 1}, pl::FP32), {0, 1});
    CHECK(t.defined_mask() == std::vector<std::uint8_t>{1, 0, 1, 1});
    CHECK(bits_of(t)[1] == 0x7fa5a5a5u);
    // A partially valid source: the window outside its valid region keeps its values and its
    // (un)definedness.
    auto target = pl::create_tensor({3, 3}, pl::FP32);
    target = pl::write(target, {0, 2}, 8.0f); // defined, in the window but outside the valid region
    auto part = pl::slice(pl::full({3, 3}, pl::FP32, 2.0f), {3, 3}, {0, 0}, {2, 2});
    target = pl::assemble(target, part, {0, 0});
    CHECK(target.defined_mask() == std::vector<std::uint8_t>{1, 1, 1, 1, 1, 0, 0, 0, 0});
    CHECK(target.to_vector()[2] == 8.0f);
    CHECK(bits_of(target)[5] == 0x7fa5a5a5u);
    CHECK(target.to_vector()[4] == 2.0f);
}

TEST_CASE("read: the scalar, bounds errors, padding reads as poison")
{
    ptoref::check::collector c; // undefined scalars are reported here instead of thrown
    auto t = tensor_from<float>({2, 3}, {1, 2, 3, 4, 5, 6}).name("s");
    CHECK(pl::read(t, {1, 2}) == 6.0f);
    CHECK(pl::read(pl::transpose(t, 0, 1), {2, 1}) == 6.0f);
    CHECK(pl::read(pl::slice(t, {2, 2}, {0, 1}), {1, 0}) == 5.0f);
    CHECK(c.undefined().empty());
    CHECK_THROWS_AS(pl::read(t, {2, 0}), ptoref::error);
    CHECK_THROWS_WITH(pl::read(t, {2, 0}), Catch::Contains("pl::read") &&
                                               Catch::Contains("index [2, 0] is out of bounds of 's' FP32[2, 3]") &&
                                               Catch::Contains("test_assemble.cpp:"));
    CHECK_THROWS_WITH(pl::read(t, {0, -1}), Catch::Contains("index [0, -1] is out of bounds"));
    CHECK_THROWS_WITH(pl::read(t, {1}), Catch::Contains("index [1]"));
    CHECK_THROWS_WITH(pl::read(t, {0, 0, 0}), Catch::Contains("index [0, 0, 0]"));
    // Padding: the poison value of each dtype, and a definedness report.
    auto v = pl::slice(t, {2, 3}, {0, 0}, {1, 2});
    CHECK(pl::read(v, {0, 1}) == 2.0f);
    CHECK(c.undefined().empty());
    CHECK(bits(pl::read(v, {1, 0})) == 0x7fa5a5a5u);
    CHECK(bits(pl::read(v, {0, 2})) == 0x7fa5a5a5u);
    CHECK(c.undefined().size() == 2);
    auto h = pl::slice(pl::full({2}, pl::BF16, 1.0f), {2}, {0}, {1});
    CHECK(pl::read(h, {1}).bits == 0x7fa5);
    auto i = pl::slice(pl::full({2}, pl::INT32, 3), {2}, {0}, {0});
    CHECK(pl::read(i, {0}) == static_cast<std::int32_t>(0xa5a5a5a5u));
    // A never-written element reads the buffer's poison and is reported.
    auto u = pl::create_tensor({2}, pl::FP32);
    CHECK(bits(pl::read(u, {0})) == 0x7fa5a5a5u);
    CHECK(c.undefined().size() == 5);
}

TEST_CASE("write: stores one element in place, marks it defined, returns the target")
{
    ptoref::check::collector c;
    auto u = pl::create_tensor({2, 2}, pl::INT32).name("w");
    const auto v0 = u.storage().version();
    auto r = pl::write(u, {1, 0}, 7);
    CHECK(r.storage_ptr() == u.storage_ptr());
    CHECK(u.storage().version() == v0 + 1);
    CHECK(r.handle_version() == v0 + 1);
    CHECK(u.defined_mask() == std::vector<std::uint8_t>{0, 0, 1, 0});
    CHECK(pl::read(r, {1, 0}) == 7);
    CHECK(c.undefined().empty());
    // Through a transposed view.
    r = pl::write(pl::transpose(r, 0, 1), {1, 0}, 9);
    CHECK(u.get({0, 1}) == 9);
    // Into the padding of a partially valid view: allowed (the element exists), but it stays padding for reads.
    auto f = pl::full({2, 2}, pl::FP32, 0.0f);
    auto pv = pl::slice(f, {2, 2}, {0, 0}, {1, 1});
    pv = pl::write(pv, {1, 1}, 3.0f);
    CHECK(f.get({1, 1}) == 3.0f);
    CHECK(bits(pl::read(pv, {1, 1})) == 0x7fa5a5a5u);
    // Bounds.
    CHECK_THROWS_AS(pl::write(u, {2, 0}, 1), ptoref::error);
    CHECK_THROWS_WITH(pl::write(u, {2, 0}, 1), Catch::Contains("pl::write") &&
                                                   Catch::Contains("index [2, 0] is out of bounds of 'w'") &&
                                                   Catch::Contains("test_assemble.cpp:"));
    CHECK_THROWS_WITH(pl::write(u, {0}, 1), Catch::Contains("pl::write") && Catch::Contains("index [0]"));
    // NaN payloads are stored as given (data movement, not arithmetic).
    auto g = pl::full({1}, pl::FP32, 0.0f);
    g = pl::write(g, {0}, f32(0xffa00001u));
    CHECK(bits_of(g) == std::vector<std::uint32_t>{0xffa00001u});
    g = pl::assemble(pl::full({2}, pl::FP32, 0.0f), g, {1});
    CHECK(bits_of(g) == std::vector<std::uint32_t>{0u, 0xffa00001u});
}
