#include <ptoref/ptoref.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <vector>

namespace pl = ptoref::pl;
using ptoref::dims;
using ptoref::Tensor;
using ptoref::tensor_from;

namespace {
struct recorder : ptoref::detail::access_observer {
    std::vector<std::string> log;
    void on_create(ptoref::detail::buffer_base&, std::string_view op, const ptoref::source_location&) override
    {
        log.push_back("create " + std::string(op));
    }
    void on_access(const ptoref::access_event& e) override
    {
        log.push_back(std::string(e.kind == ptoref::access_kind::write ? "write " : "read ") + std::string(e.op) + " " +
                      ptoref::to_string(e.geometry.shape) + "@" + std::to_string(e.geometry.offset));
    }
    void on_undefined_read(const ptoref::access_event&, const std::string&) override { log.push_back("undefined"); }
};
} // namespace

TEST_CASE("tensor_from and to_vector round trip; values are copied")
{
    std::vector<float> v = {1, 2, 3, 4, 5, 6};
    auto t = tensor_from<float>({2, 3}, v);
    v[0] = 99;
    CHECK(t.to_vector() == std::vector<float>{1, 2, 3, 4, 5, 6});
    CHECK(t.rank() == 2);
    CHECK(t.numel() == 6);
    CHECK(t.is_contiguous());
    CHECK(t.fully_valid());
    CHECK_THROWS_WITH(tensor_from<float>({2, 2}, v), Catch::Contains("6 values do not fill shape [2, 2]"));
}

TEST_CASE("names are shared by every view of a buffer; describe() is used in messages")
{
    auto t = tensor_from<float>({2, 3}, {1, 2, 3, 4, 5, 6}).name("x");
    auto v = pl::slice(t, {1, 2}, {1, 1}, {1, 1});
    CHECK(v.name() == "x");
    CHECK(v.describe() == "'x' FP32[1, 2] valid [1, 1]");
    Tensor<float> empty;
    CHECK_FALSE(static_cast<bool>(empty));
    CHECK(empty.describe() == "<empty tensor>");
    CHECK_THROWS_WITH(empty.storage(), Catch::Contains("empty tensor handle"));
}

TEST_CASE("get and is_defined check their index")
{
    auto t = tensor_from<std::int32_t>({2, 2}, {1, 2, 3, 4}).name("m");
    CHECK(t.get({1, 0}) == 3);
    CHECK_THROWS_WITH(t.get({2, 0}), Catch::Contains("index [2, 0] is outside 'm' INT32[2, 2]"));
    CHECK_THROWS_AS(t.get({0}), ptoref::error);
    CHECK(t.is_defined({0, 1}));
}

TEST_CASE("layout: contiguity, strided traversal order, geometry")
{
    auto base = tensor_from<float>({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    Tensor<float> cols(base.storage_ptr(), dims{3, 2}, dims{4, 2}, 1, dims{3, 2}); // columns 1 and 3
    CHECK_FALSE(cols.is_contiguous());
    CHECK(cols.to_vector() == std::vector<float>{1, 3, 5, 7, 9, 11});
    Tensor<float> row(base.storage_ptr(), dims{1, 4}, dims{99, 1}, 8, dims{1, 4}); // extent-1 dims ignore stride
    CHECK(row.is_contiguous());
    auto tr = pl::transpose(base, 0, 1);
    CHECK_FALSE(tr.is_contiguous());
    CHECK(tr.to_vector() == std::vector<float>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
    CHECK(cols.geometry().count() == 6);
    Tensor<float> part(base.storage_ptr(), dims{3, 4}, dims{4, 1}, 0, dims{2, 1});
    CHECK(part.valid_geometry().shape == dims{2, 1});
    CHECK(part.flat_index({2, 3}) == 11);
}

TEST_CASE("the observer sees creation and the writes and reads of ops")
{
    recorder r;
    {
        ptoref::detail::observer_scope scope(&r);
        auto t = tensor_from<float>({2}, {1, 2});
        (void)pl::neg(pl::slice(t, {1}, {1}));
    }
    REQUIRE(r.log.size() == 4);
    CHECK(r.log[0] == "create tensor_from");
    CHECK(r.log[1] == "read pl::neg [1]@1");
    CHECK(r.log[2] == "create pl::neg");
    CHECK(r.log[3] == "write pl::neg [1]@0");
}

TEST_CASE("assigning a handle of the same view keeps the newest version; other assignments copy")
{
    auto t = pl::full({4, 2}, pl::FP32, 0.0f);
    const auto v0 = t.handle_version();
    auto newer = pl::assemble(t, pl::full({1, 2}, pl::FP32, 1.0f), {0, 0});
    CHECK(newer.handle_version() == v0 + 1);
    auto older = t;
    older = newer;
    CHECK(older.handle_version() == v0 + 1);
    older = t; // same view, older version: the variable keeps the newer one
    CHECK(older.handle_version() == v0 + 1);
    auto other = pl::full({1}, pl::FP32, 0.0f);
    older = other;
    CHECK(older.shape() == dims{1});
    CHECK(older.storage_ptr() == other.storage_ptr());
}
