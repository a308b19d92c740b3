// Tensor<T>: a view (shape, strides, offset, valid shape) over a shared buffer; host-side
// inspection; names and descriptions for messages; handle versions; the access observer.
// Only tensor/ is used here: views are built with the Tensor constructor, not with ops.
#include <ptoref/tensor/tensor.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

using ptoref::bf16;
using ptoref::dims;
using ptoref::fp16;
using ptoref::Tensor;
using ptoref::tensor_from;

namespace {

std::vector<float> iota(int n)
{
    std::vector<float> v(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        v[static_cast<std::size_t>(i)] = static_cast<float>(i);
    return v;
}

std::vector<ptoref::index> flats(const Tensor<float>& t)
{
    std::vector<ptoref::index> out;
    t.for_each_flat([&](ptoref::index f) { out.push_back(f); });
    return out;
}

struct recorder : ptoref::detail::access_observer {
    struct created {
        const ptoref::detail::buffer_base* buffer;
        std::string op;
        std::uint_least32_t line;
    };
    std::vector<created> creations;
    std::vector<ptoref::access_event> events;
    void on_create(ptoref::detail::buffer_base& b, std::string_view op, const ptoref::source_location& loc) override
    {
        creations.push_back({&b, std::string(op), loc.line()});
    }
    void on_access(const ptoref::access_event& e) override { events.push_back(e); }
    void on_undefined_read(const ptoref::access_event&, const std::string&) override {}
};

} // namespace

TEST_CASE("tensor_from and to_vector round trip for every element type; values are copied")
{
    std::vector<float> v = {1, 2, 3, 4, 5, 6};
    auto t = tensor_from<float>({2, 3}, v);
    v[0] = 99;
    CHECK(t.to_vector() == std::vector<float>{1, 2, 3, 4, 5, 6});
    CHECK(t.rank() == 2);
    CHECK(t.numel() == 6);
    CHECK(t.shape() == dims{2, 3});
    CHECK(t.strides() == dims{3, 1});
    CHECK(t.offset() == 0);
    CHECK(t.valid_shape() == dims{2, 3});
    CHECK(t.fully_valid());
    CHECK(t.is_contiguous());
    CHECK(static_cast<bool>(t));
    CHECK(t.storage().size() == 6);
    CHECK(t.storage().root_shape() == dims{2, 3});
    CHECK(t.storage().dtype_name() == "FP32");
    CHECK(t.storage().all_defined());

    const std::vector<std::int32_t> iv = {-1, 0, INT32_MAX, INT32_MIN};
    CHECK(tensor_from<std::int32_t>({4}, iv).to_vector() == iv);
    auto b = tensor_from<bf16>({1, 2}, {bf16::from_bits(0x3f80), bf16::from_bits(0xffc1)});
    const auto bv = b.to_vector();
    REQUIRE(bv.size() == 2);
    CHECK(bv[0].bits == 0x3f80);
    CHECK(bv[1].bits == 0xffc1); // bits are copied, NaN payload and all
    CHECK(b.storage().dtype_name() == "BF16");
    auto h = tensor_from<fp16>({1}, {fp16::from_bits(0x7c01)});
    CHECK(h.to_vector()[0].bits == 0x7c01);

    auto empty = tensor_from<float>({0, 3}, std::vector<float>{});
    CHECK(empty.numel() == 0);
    CHECK(empty.to_vector().empty());
}

TEST_CASE("tensor_from rejects a wrong value count and unsupported shapes, naming the call site")
{
    const auto v = iota(6);
    // The call sits on a line of its own (compilers differ on the line of a multi-line macro).
    const auto line = std::to_string(__LINE__ + 1);
    auto too_many = [&] { return tensor_from<float>({2, 2}, v); };
    CHECK_THROWS_WITH(too_many(),
                      "ptoref::tensor_from: 6 values do not fill shape [2, 2] (at test_tensor.cpp:" + line + ")");
    CHECK_THROWS_WITH(tensor_from<float>({}, std::vector<float>{1}),
                      Catch::Contains("rank-0 shapes are not supported"));
    CHECK_THROWS_AS(tensor_from<float>({7}, v), ptoref::error);
}

TEST_CASE("get checks its index and names the tensor")
{
    auto t = tensor_from<std::int32_t>({2, 2}, {1, 2, 3, 4}).name("m");
    CHECK(t.get({0, 0}) == 1);
    CHECK(t.get({1, 0}) == 3);
    CHECK(t.get({1, 1}) == 4);
    CHECK_THROWS_WITH(
        t.get({2, 0}),
        Catch::StartsWith("ptoref::Tensor::get: index [2, 0] is outside 'm' INT32[2, 2] (at test_tensor.cpp:"));
    CHECK_THROWS_WITH(t.get({0, -1}), Catch::Contains("index [0, -1] is outside 'm'"));
    CHECK_THROWS_WITH(t.get({0}), Catch::Contains("index [0] is outside 'm' INT32[2, 2]")); // wrong rank
    CHECK_THROWS_AS(t.get({0, 0, 0}), ptoref::error);
    CHECK(t.is_defined({0, 1}));
    CHECK_THROWS_AS(t.is_defined({5, 5}), ptoref::error);
    // An unnamed tensor is described by where it was made.
    auto u = tensor_from<float>({1}, {0.5f});
    CHECK_THROWS_WITH(u.get({1}), Catch::Contains("is outside <tensor_from result from test_tensor.cpp:"));
}

TEST_CASE("name(): on lvalues it returns the same handle, on rvalues a new one; views share it")
{
    auto t = tensor_from<float>({2, 3}, iota(6));
    CHECK(t.name().empty());
    static_assert(std::is_same_v<decltype(t.name("x")), Tensor<float>&>);
    Tensor<float>& same = t.name("x");
    CHECK(&same == &t);
    CHECK(t.name() == "x");

    static_assert(std::is_same_v<decltype(tensor_from<float>({1}, {1.0f}).name("y")), Tensor<float>>);
    const Tensor<float> r = tensor_from<float>({2}, {1.0f, 2.0f}).name("y");
    CHECK(r.name() == "y");
    CHECK(r.to_vector() == std::vector<float>{1, 2});

    // The name belongs to the buffer: a view sees it, renaming through the view renames all.
    Tensor<float> view(t.storage_ptr(), dims{1, 2}, dims{3, 1}, 4, dims{1, 2});
    CHECK(view.name() == "x");
    view.name("renamed");
    CHECK(t.name() == "renamed");

    Tensor<float> empty;
    CHECK(empty.name().empty());
    CHECK_THROWS_WITH(empty.name("z"), Catch::Contains("empty tensor handle"));
}

TEST_CASE("describe() gives name or origin, dtype, shape and a partial valid shape")
{
    auto t = tensor_from<float>({2, 3}, iota(6)).name("x");
    CHECK(t.describe() == "'x' FP32[2, 3]");
    Tensor<float> part(t.storage_ptr(), dims{1, 2}, dims{3, 1}, 4, dims{1, 1});
    CHECK(part.describe() == "'x' FP32[1, 2] valid [1, 1]");
    CHECK_FALSE(part.fully_valid());
    const auto line = std::to_string(__LINE__ + 1);
    auto u = tensor_from<std::int32_t>({4}, {1, 2, 3, 4});
    CHECK(u.describe() == "<tensor_from result from test_tensor.cpp:" + line + "> INT32[4]");
    CHECK(tensor_from<bf16>({1, 1}, {bf16{}}).name("b").describe() == "'b' BF16[1, 1]");
    CHECK(tensor_from<fp16>({3}, {fp16{}, fp16{}, fp16{}}).name("h").describe() == "'h' FP16[3]");
    Tensor<float> empty;
    CHECK_FALSE(static_cast<bool>(empty));
    CHECK(empty.describe() == "<empty tensor>");
    CHECK_THROWS_WITH(empty.storage(), Catch::Contains("empty tensor handle"));
    CHECK(empty.storage_ptr() == nullptr);
}

TEST_CASE("is_contiguous for dense, strided and transposed layouts")
{
    auto base = tensor_from<float>({3, 4}, iota(12));
    auto buf = base.storage_ptr();
    CHECK(base.is_contiguous());
    // a block of whole rows at an offset: dense
    CHECK(Tensor<float>(buf, dims{2, 4}, dims{4, 1}, 4, dims{2, 4}).is_contiguous());
    // columns 1 and 3 (stride 2 in the last dim)
    CHECK_FALSE(Tensor<float>(buf, dims{3, 2}, dims{4, 2}, 1, dims{3, 2}).is_contiguous());
    // a column block: rows are not adjacent
    CHECK_FALSE(Tensor<float>(buf, dims{3, 2}, dims{4, 1}, 0, dims{3, 2}).is_contiguous());
    // the transpose [4, 3] with strides [1, 4]
    CHECK_FALSE(Tensor<float>(buf, dims{4, 3}, dims{1, 4}, 0, dims{4, 3}).is_contiguous());
    // extent-1 dims ignore their stride
    CHECK(Tensor<float>(buf, dims{1, 4}, dims{99, 1}, 8, dims{1, 4}).is_contiguous());
    CHECK(Tensor<float>(buf, dims{3, 1, 4}, dims{4, 7, 1}, 0, dims{3, 1, 4}).is_contiguous());
    // a single column: shape [3, 1], strides [4, 1] -> the 3 elements are 4 apart
    CHECK_FALSE(Tensor<float>(buf, dims{3, 1}, dims{4, 1}, 0, dims{3, 1}).is_contiguous());
    // a broadcast (stride 0) is not contiguous
    CHECK_FALSE(Tensor<float>(buf, dims{3, 4}, dims{0, 1}, 0, dims{3, 4}).is_contiguous());
    // a reshape view [2, 6] of the same dense buffer is
    CHECK(Tensor<float>(buf, dims{2, 6}, dims{6, 1}, 0, dims{2, 6}).is_contiguous());
}

TEST_CASE("for_each_flat and to_vector walk a strided view in row-major order")
{
    auto base = tensor_from<float>({3, 4}, iota(12));
    auto buf = base.storage_ptr();
    const Tensor<float> cols(buf, dims{3, 2}, dims{4, 2}, 1, dims{3, 2}); // columns 1 and 3
    CHECK(flats(cols) == std::vector<ptoref::index>{1, 3, 5, 7, 9, 11});
    CHECK(cols.to_vector() == std::vector<float>{1, 3, 5, 7, 9, 11});
    const Tensor<float> tr(buf, dims{4, 3}, dims{1, 4}, 0, dims{4, 3}); // transpose
    CHECK(flats(tr) == std::vector<ptoref::index>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
    const Tensor<float> rev(buf, dims{2, 3}, dims{-4, -1}, 11, dims{2, 3}); // reversed rows and columns
    CHECK(rev.to_vector() == std::vector<float>{11, 10, 9, 7, 6, 5});
    const Tensor<float> bcast(buf, dims{2, 3}, dims{0, 1}, 4, dims{2, 3}); // row 1, twice
    CHECK(bcast.to_vector() == std::vector<float>{4, 5, 6, 4, 5, 6});
    // flat_index and get agree with the walk
    CHECK(cols.flat_index({2, 1}) == 11);
    CHECK(cols.get({2, 1}) == 11.0f);
    CHECK(tr.get({3, 0}) == 3.0f);
    // to_vector of a partially valid view still lists the whole physical shape
    const Tensor<float> part(buf, dims{2, 2}, dims{4, 1}, 5, dims{1, 1});
    CHECK(part.to_vector() == std::vector<float>{5, 6, 9, 10});
}

TEST_CASE("geometry and valid_geometry describe the accessed elements")
{
    auto base = tensor_from<float>({3, 4}, iota(12));
    const Tensor<float> part(base.storage_ptr(), dims{3, 2}, dims{4, 2}, 1, dims{2, 1});
    const ptoref::view_geometry g = part.geometry();
    CHECK(g.shape == dims{3, 2});
    CHECK(g.strides == dims{4, 2});
    CHECK(g.offset == 1);
    CHECK(g.count() == 6);
    const ptoref::view_geometry vg = part.valid_geometry();
    CHECK(vg.shape == dims{2, 1});
    CHECK(vg.strides == dims{4, 2});
    CHECK(vg.offset == 1);
    CHECK(vg.count() == 2);
    std::vector<ptoref::index> touched;
    ptoref::for_each_offset(vg.shape, vg.strides, vg.offset, [&](ptoref::index f) { touched.push_back(f); });
    CHECK(touched == std::vector<ptoref::index>{1, 5});
}

TEST_CASE("definedness is read through the view")
{
    auto t = tensor_from<float>({2, 3}, iota(6));
    t.storage().set_defined(4, false); // element [1, 1]
    CHECK_FALSE(t.is_defined({1, 1}));
    CHECK(t.is_defined({1, 2}));
    CHECK(t.defined_mask() == std::vector<std::uint8_t>{1, 1, 1, 1, 0, 1});
    const Tensor<float> col(t.storage_ptr(), dims{2}, dims{3}, 1, dims{2}); // column 1
    CHECK(col.defined_mask() == std::vector<std::uint8_t>{1, 0});
}

TEST_CASE("copies share the buffer; handle versions follow the assignment rules")
{
    auto t = tensor_from<float>({4, 2}, iota(8));
    const auto buf = t.storage_ptr();
    CHECK(t.handle_version() == 0);
    Tensor<float> copy = t;
    CHECK(copy.storage_ptr() == buf);
    copy.storage().data()[0] = 42.0f;
    CHECK(t.get({0, 0}) == 42.0f);

    // Handles of the same view made at different buffer versions.
    buf->bump_version();
    buf->bump_version();
    const Tensor<float> newer(buf, t.shape(), t.strides(), 0, t.valid_shape()); // takes the current version
    CHECK(newer.handle_version() == 2);
    const Tensor<float> older(buf, t.shape(), t.strides(), 0, t.valid_shape(), 1);
    CHECK(older.handle_version() == 1);

    Tensor<float> var = older;
    CHECK(var.handle_version() == 1);
    var = newer; // same view, newer: the variable moves forward
    CHECK(var.handle_version() == 2);
    var = older; // same view, older: the variable keeps the newer version
    CHECK(var.handle_version() == 2);
    var = Tensor<float>(older); // also through a move
    CHECK(var.handle_version() == 2);

    // Any other view is a plain copy, version included.
    const Tensor<float> row(buf, dims{1, 2}, dims{2, 1}, 2, dims{1, 2}, 1);
    var = row;
    CHECK(var.shape() == dims{1, 2});
    CHECK(var.offset() == 2);
    CHECK(var.handle_version() == 1);
    const Tensor<float> other = tensor_from<float>({1}, {3.0f});
    var = other;
    CHECK(var.storage_ptr() == other.storage_ptr());
    CHECK(var.to_vector() == std::vector<float>{3.0f});

    // Moving leaves the source empty and the target complete.
    Tensor<float> moved = std::move(copy);
    CHECK(moved.storage_ptr() == buf);
    CHECK(moved.handle_version() == 0);
}

TEST_CASE("concurrent same-view assignments leave the newest version")
{
    auto t = tensor_from<float>({2}, {1, 2});
    auto buf = t.storage_ptr();
    std::vector<Tensor<float>> handles;
    for (std::uint64_t v = 0; v < 64; ++v)
        handles.emplace_back(buf, t.shape(), t.strides(), 0, t.valid_shape(), v);
    Tensor<float> shared = handles[0];
    auto assign = [&](std::size_t first) {
        for (int round = 0; round < 200; ++round)
            for (std::size_t i = first; i < handles.size(); i += 2)
                shared = handles[handles.size() - 1 - i];
    };
    std::thread th(assign, 1);
    assign(0);
    th.join();
    CHECK(shared.handle_version() == 63);
}

TEST_CASE("the observer sees the creation and the write of tensor_from's buffer")
{
    recorder r;
    const auto line = __LINE__ + 4;
    Tensor<float> t;
    {
        ptoref::detail::observer_scope scope(&r);
        t = tensor_from<float>({2, 3}, iota(6));
    }
    REQUIRE(r.creations.size() == 1);
    CHECK(r.creations[0].buffer == &t.storage());
    CHECK(r.creations[0].op == "tensor_from");
    CHECK(r.creations[0].line == line);
    REQUIRE(r.events.size() == 1);
    const ptoref::access_event& e = r.events[0];
    CHECK(e.buffer == &t.storage());
    CHECK(e.kind == ptoref::access_kind::write);
    CHECK(e.op == "tensor_from");
    CHECK(e.where.line() == line);
    CHECK(e.geometry.shape == dims{2, 3});
    CHECK(e.geometry.strides == dims{3, 1});
    CHECK(e.geometry.offset == 0);
    CHECK(e.handle_version == 0);

    // Outside the scope nothing is reported.
    (void)tensor_from<float>({1}, {1.0f});
    CHECK(r.creations.size() == 1);
    CHECK(r.events.size() == 1);
}

TEST_CASE("observer scopes nest and restore the previous observer")
{
    recorder outer, inner;
    CHECK(ptoref::detail::current_observer() == nullptr);
    {
        ptoref::detail::observer_scope a(&outer);
        (void)tensor_from<float>({1}, {1.0f});
        {
            ptoref::detail::observer_scope b(&inner);
            CHECK(ptoref::detail::current_observer() == &inner);
            (void)tensor_from<float>({2}, {1.0f, 2.0f});
        }
        CHECK(ptoref::detail::current_observer() == &outer);
        // A read of a strided view reports exactly the view's valid geometry.
        auto base = tensor_from<float>({3, 4}, iota(12));
        const Tensor<float> part(base.storage_ptr(), dims{3, 2}, dims{4, 2}, 1, dims{2, 2});
        ptoref::detail::notify_access(part, part.valid_geometry(), ptoref::access_kind::read, "test_read",
                                      ptoref::source_location::current());
    }
    CHECK(ptoref::detail::current_observer() == nullptr);
    CHECK(outer.creations.size() == 2);
    REQUIRE(outer.events.size() == 3);
    CHECK(outer.events[2].kind == ptoref::access_kind::read);
    CHECK(outer.events[2].op == "test_read");
    CHECK(outer.events[2].geometry.shape == dims{2, 2});
    CHECK(outer.events[2].geometry.strides == dims{4, 2});
    CHECK(outer.events[2].geometry.offset == 1);
    CHECK(inner.creations.size() == 1);
    CHECK(inner.events.size() == 1);
    CHECK(inner.events[0].geometry.shape == dims{2});
}

TEST_CASE("each thread has its own observer")
{
    recorder mine, theirs;
    ptoref::detail::observer_scope scope(&mine);
    std::thread th([&] {
        CHECK(ptoref::detail::current_observer() == nullptr); // the default observer, not this thread's
        ptoref::detail::observer_scope s(&theirs);
        (void)tensor_from<float>({1}, {1.0f});
    });
    th.join();
    CHECK(mine.creations.empty());
    CHECK(theirs.creations.size() == 1);
}
