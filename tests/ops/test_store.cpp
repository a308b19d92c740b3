// pl::store (ops/store.hpp): an in-place assemble of a tile; FP32 into BF16/FP16 narrows with
// round-to-nearest-even on the way (FIXPIPE).
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::tensor_from;

static_assert(pl::storable<float, float>);
static_assert(pl::storable<bf16, float>);
static_assert(pl::storable<ptoref::fp16, float>);
static_assert(!pl::storable<float, bf16>);
static_assert(!pl::storable<std::int32_t, float>);

TEST_CASE("store of the same dtype is assemble")
{
    auto out = pl::full({3, 4}, pl::FP32, 0.0);
    auto r = pl::store(tensor_from<float>({1, 2}, {1, 2}), {1, 1}, out);
    CHECK(r.storage_ptr() == out.storage_ptr());
    CHECK(out.to_vector() == std::vector<float>{0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0});
}

TEST_CASE("store of FP32 into BF16 rounds ties to even, not away, and copies only the valid region")
{
    // 1 + 2^-8 is a bf16 tie between 1 and 1 + 2^-7: even is 1 (ties-away would give 1 + 2^-7).
    // 1 + 3*2^-8 ties between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
    auto tile = tensor_from<float>({1, 3}, {1.00390625f, 1.01171875f, 7.0f});
    auto part = pl::slice(tile, {1, 3}, {0, 0}, {1, 2});
    auto out = pl::full({1, 3}, pl::BF16, -1.0);
    pl::store(part, {0, 0}, out);
    const auto v = out.to_vector();
    CHECK(v[0].bits == 0x3f80);
    CHECK(v[1].bits == 0x3f82);
    CHECK(v[2].bits == 0xbf80); // outside the valid region: untouched
    CHECK(pl::store(tile, {0, 0}, out).to_vector()[1].bits ==
          pl::cast(tile, pl::BF16, ptoref::cast_mode::rint).to_vector()[1].bits);
}
