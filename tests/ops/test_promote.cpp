// The DSL's dtype promotion (ops/promote.hpp): the promoted type of every pair of element types,
// and operand conversion (exact widening; round-to-nearest-even where the rule narrows).
#include <catch2/catch.hpp>

#include <bit>
#include <type_traits>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::fp16;
using ptoref::tensor_from;

// Same dtype -> that dtype; float beats int; wider wins; equal-width floats -> the first.
static_assert(std::is_same_v<pl::promoted_t<float, bf16>, float>);
static_assert(std::is_same_v<pl::promoted_t<bf16, float>, float>);
static_assert(std::is_same_v<pl::promoted_t<float, std::int32_t>, float>);
static_assert(std::is_same_v<pl::promoted_t<std::int32_t, float>, float>);
static_assert(std::is_same_v<pl::promoted_t<bf16, std::int32_t>, bf16>);
static_assert(std::is_same_v<pl::promoted_t<std::int32_t, fp16>, fp16>);
static_assert(std::is_same_v<pl::promoted_t<bf16, fp16>, bf16>);
static_assert(std::is_same_v<pl::promoted_t<fp16, bf16>, fp16>);
static_assert(std::is_same_v<pl::promoted_t<fp16, float>, float>);
static_assert(std::is_same_v<pl::promoted_t<std::int32_t, std::int32_t>, std::int32_t>);

TEST_CASE("promote_operand widens 16-bit floats exactly, every bf16 pattern")
{
    std::vector<bf16> all;
    for (std::uint32_t b = 0; b < 65536; ++b)
        all.push_back(bf16::from_bits(static_cast<std::uint16_t>(b)));
    auto x = tensor_from<bf16>({256, 256}, all);
    auto w = pl::promote_operand<float>(x);
    const auto v = w.to_vector();
    for (std::size_t i = 0; i < all.size(); ++i) {
        const std::uint32_t want = static_cast<std::uint32_t>(all[i].bits) << 16;
        const std::uint32_t got = std::bit_cast<std::uint32_t>(v[i]);
        if ((want & 0x7f800000u) == 0x7f800000u && (want & 0x007fffffu) != 0)
            CHECK((got & 0x7f800000u) == 0x7f800000u); // NaN stays NaN
        else
            CHECK(got == want);
    }
}

TEST_CASE("promote_operand of the promoted type is the same handle; INT32 to FP32 rounds to nearest even")
{
    auto f = pl::full({2, 2}, pl::FP32, 1.5);
    CHECK(pl::promote_operand<float>(f).storage_ptr() == f.storage_ptr());
    auto i = tensor_from<std::int32_t>({1, 3}, {16777217, 16777219, -16777217});
    CHECK(pl::promote_operand<float>(i).to_vector() == std::vector<float>{16777216.f, 16777220.f, -16777216.f});
}
