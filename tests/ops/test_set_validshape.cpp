// pl::set_validshape (ops/set_validshape.hpp): a view with another valid region.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::dims;

TEST_CASE("set_validshape narrows and widens the valid region of the same buffer")
{
    auto t = iota<float>({3, 4});
    auto v = pl::set_validshape(t, 2, 1);
    CHECK(v.valid_shape() == dims{2, 1});
    CHECK(v.storage_ptr() == t.storage_ptr());
    CHECK(pl::fillpad(v).to_vector() == std::vector<float>{0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0});
    // Widening, unlike slice, exposes the buffer's elements again.
    auto w = pl::set_validshape(pl::slice(t, {3, 4}, {0, 0}, {1, 1}), 3, 4);
    CHECK(w.fully_valid());
    CHECK(pl::fillpad(w).to_vector() == t.to_vector());
    // ... and what was never written stays undefined.
    auto c = pl::set_validshape(pl::slice(pl::create_tensor({2, 2}, pl::FP32), {2, 2}, {0, 0}, {0, 0}), 2, 2);
    CHECK(pl::fillpad(c).defined_mask() == std::vector<std::uint8_t>{0, 0, 0, 0});
    CHECK(pl::set_validshape(t, 0, 0).valid_shape() == dims{0, 0});
    CHECK(pl::set_validshape(t, 3, 4).fully_valid());
}

TEST_CASE("set_validshape errors")
{
    auto t = iota<float>({3, 4});
    CHECK_THROWS_WITH(pl::set_validshape(t, 4, 1), Catch::Contains("valid shape [4, 1] must lie within"));
    CHECK_THROWS_WITH(pl::set_validshape(t, 1, 5), Catch::Contains("must lie within"));
    CHECK_THROWS_WITH(pl::set_validshape(t, -1, 1), Catch::Contains("must lie within"));
    CHECK_THROWS_WITH(pl::set_validshape(iota<float>({2, 2, 2}), 1, 1), Catch::Contains("needs a 2-D tensor"));
    CHECK_THROWS_WITH(pl::set_validshape(ptoref::Tensor<float>{}, 1, 1), Catch::Contains("empty tensor handle"));
}
