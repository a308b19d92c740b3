#include <ptoref/io/xtensor.hpp>
#include <ptoref/ptoref.hpp>

#include <catch2/catch.hpp>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>

namespace pl = ptoref::pl;

TEST_CASE("from_xtensor copies shape and values row-major")
{
    xt::xarray<float> a = {{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}};
    auto t = ptoref::io::from_xtensor(a);
    CHECK(t.shape() == ptoref::dims{2, 3});
    CHECK(t.to_vector() == std::vector<float>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("from_xtensor evaluates expressions, including column-major and transposed ones")
{
    xt::xarray<std::int32_t, xt::layout_type::column_major> c = {{1, 2}, {3, 4}};
    auto t = ptoref::io::from_xtensor(c);
    CHECK(t.to_vector() == std::vector<std::int32_t>{1, 2, 3, 4});
    auto tt = ptoref::io::from_xtensor(xt::transpose(c));
    CHECK(tt.to_vector() == std::vector<std::int32_t>{1, 3, 2, 4});
    auto r = ptoref::io::from_xtensor(xt::arange<std::int32_t>(0, 6));
    CHECK(r.shape() == ptoref::dims{6});
}

TEST_CASE("to_xarray copies a strided, transposed view in its logical order")
{
    auto base = ptoref::tensor_from<float>({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    auto v = pl::transpose(pl::slice(base, {2, 2}, {1, 1}), 0, 1); // [[5, 9], [6, 10]]
    xt::xarray<float> x = ptoref::io::to_xarray(v);
    REQUIRE(x.shape().size() == 2);
    CHECK(x(0, 0) == 5.0f);
    CHECK(x(0, 1) == 9.0f);
    CHECK(x(1, 0) == 6.0f);
    CHECK(x(1, 1) == 10.0f);
}

TEST_CASE("bf16 tensors round trip through xtensor bit for bit")
{
    std::vector<pl::bf16> v = {pl::bf16::from_bits(0x7fc0), pl::bf16::from_bits(0x8001), pl::bf16::from_bits(0x3f80)};
    auto t = ptoref::tensor_from<pl::bf16>({3}, v);
    auto back = ptoref::io::from_xtensor(ptoref::io::to_xarray(t));
    const auto w = back.to_vector();
    for (std::size_t i = 0; i < v.size(); ++i)
        CHECK(w[i].bits == v[i].bits);
}

TEST_CASE("from_xtensor rejects rank > 8")
{
    xt::xarray<float> a(std::vector<std::size_t>(9, 1));
    REQUIRE_THROWS_AS(ptoref::io::from_xtensor(a), ptoref::error);
}
