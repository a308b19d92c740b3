// pl::cast between every pair of the ten element types in all seven modes (core/cast_chain.hpp,
// core/convert.hpp, ops/cast.hpp), against the slow oracle of cast_oracle.hpp: exhaustively
// for every FP8 (both formats), INT8, UINT8, FP16 and BF16 input, and on edge values plus
// random bits for FP32, INT32, INT64 and UINT32. Also: the A2A3 wrap/clamp rules on hand-picked
// values, and which pairs and modes carry a device-divergence note.
#include <catch2/catch.hpp>

#include "cast_oracle.hpp"

#include <ptoref/check/config.hpp>
#include <ptoref/ptoref.hpp>
#include <ptoref/testing/random.hpp>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

namespace pl = ptoref::pl;
using cast_oracle::D;
using ptoref::cast_mode;

namespace {

template <class T>
constexpr D d_of()
{
    using namespace ptoref;
    if constexpr (std::is_same_v<T, float>)
        return D::f32;
    else if constexpr (std::is_same_v<T, bf16>)
        return D::bf16;
    else if constexpr (std::is_same_v<T, fp16>)
        return D::f16;
    else if constexpr (std::is_same_v<T, std::int32_t>)
        return D::i32;
    else if constexpr (std::is_same_v<T, std::int8_t>)
        return D::i8;
    else if constexpr (std::is_same_v<T, std::int64_t>)
        return D::i64;
    else if constexpr (std::is_same_v<T, std::uint8_t>)
        return D::u8;
    else if constexpr (std::is_same_v<T, std::uint32_t>)
        return D::u32;
    else if constexpr (std::is_same_v<T, fp8e4m3fn>)
        return D::e4m3;
    else
        return D::e5m2;
}

template <class T>
std::uint64_t bits_of(T v)
{
    return static_cast<std::uint64_t>(ptoref::dtype_traits<T>::to_bits(v));
}
template <class T>
T from_bits(std::uint64_t b)
{
    return ptoref::dtype_traits<T>::from_bits(static_cast<typename ptoref::dtype_traits<T>::bits_type>(b));
}

// Casts `in` (raw bits of From) to every type in every mode and compares with the oracle.
template <class From>
void check_all_targets(const std::vector<std::uint64_t>& in)
{
    std::vector<From> vals;
    for (std::uint64_t b : in)
        vals.push_back(from_bits<From>(b));
    const auto x = ptoref::tensor_from<From>({static_cast<pl::index>(vals.size())}, vals);
    [&]<class... To>(ptoref::type_list<To...>) {
        (
            [&] {
                for (cast_mode m : ptoref::all_cast_modes) {
                    const std::vector<To> got = pl::cast(x, ptoref::dtype_tag<To>{}, m).to_vector();
                    std::uint64_t bad = 0, first = 0;
                    std::uint64_t want_first = 0, got_first = 0;
                    for (std::size_t i = 0; i < in.size(); ++i) {
                        const std::uint64_t want =
                            cast_oracle::encode(d_of<To>(), cast_oracle::cast(cast_oracle::decode(d_of<From>(), in[i]),
                                                                              d_of<From>(), d_of<To>(), m));
                        if (bits_of(got[i]) != want && bad++ == 0) {
                            first = in[i];
                            want_first = want;
                            got_first = bits_of(got[i]);
                        }
                    }
                    INFO(cast_oracle::name(d_of<From>())
                         << " -> " << cast_oracle::name(d_of<To>()) << " mode " << ptoref::to_string(m)
                         << ": first bad input 0x" << std::hex << first << " got 0x" << got_first << " want 0x"
                         << want_first);
                    CHECK(bad == 0);
                }
            }(),
            ...);
    }(ptoref::element_types{});
}

std::vector<std::uint64_t> all_patterns(int bits)
{
    std::vector<std::uint64_t> v;
    for (std::uint64_t b = 0; b < (std::uint64_t{1} << bits); ++b)
        v.push_back(b);
    return v;
}

// Edge values of a type of `bits` bits (its bit patterns): 0, +-1, the ends, the bits near
// 2^k for every k, then random bits and random small values.
std::vector<std::uint64_t> edge_and_random(int bits, std::uint64_t seed, bool is_float32)
{
    const std::uint64_t mask = bits == 64 ? ~0ull : ((1ull << bits) - 1);
    std::vector<std::uint64_t> v;
    for (int k = 0; k < bits; ++k)
        for (std::int64_t d = -2; d <= 2; ++d) {
            v.push_back(((1ull << k) + static_cast<std::uint64_t>(d)) & mask);
            v.push_back((0ull - (1ull << k) + static_cast<std::uint64_t>(d)) & mask);
        }
    ptoref::testing::splitmix64 r(seed);
    for (int i = 0; i < 20000; ++i) {
        const std::uint64_t u = r.next();
        v.push_back(u & mask);
        v.push_back((u >> (u % 61)) & mask);             // small magnitudes
        v.push_back((0ull - ((u >> 8) % 70000)) & mask); // small negatives
        if (is_float32) {                                // values near 2^0..2^20
            const std::uint32_t e = 127u + static_cast<std::uint32_t>(u % 24);
            v.push_back(((u >> 63) << 31) | (e << 23) | ((u >> 20) & 0x7fffffu));
            const float h = static_cast<float>(static_cast<std::int64_t>((u >> 4) % 140000) - 70000) / 2.0f;
            v.push_back(std::bit_cast<std::uint32_t>(h)); // halves: the tie cases
        }
    }
    return v;
}

} // namespace

TEST_CASE("every FP8, INT8 and UINT8 value to every type in every mode")
{
    check_all_targets<ptoref::fp8e4m3fn>(all_patterns(8));
    check_all_targets<ptoref::fp8e5m2>(all_patterns(8));
    check_all_targets<std::int8_t>(all_patterns(8));
    check_all_targets<std::uint8_t>(all_patterns(8));
}

TEST_CASE("every FP16 and BF16 value to every type in every mode")
{
    check_all_targets<ptoref::fp16>(all_patterns(16));
    check_all_targets<ptoref::bf16>(all_patterns(16));
}

TEST_CASE("FP32, INT32, INT64 and UINT32 edge values and random bits to every type in every mode")
{
    check_all_targets<float>(edge_and_random(32, 1, true));
    check_all_targets<std::int32_t>(edge_and_random(32, 2, false));
    check_all_targets<std::int64_t>(edge_and_random(64, 3, false));
    check_all_targets<std::uint32_t>(edge_and_random(32, 4, false));
}

TEST_CASE("the A2A3 per-pair rules on hand-picked values")
{
    using ptoref::cast_value;
    // FP16 -> INT8/UINT8 keep the low bits (300 = 0x12c -> 0x2c = 44; -1 -> 255).
    CHECK(cast_value<std::int8_t>(ptoref::convert<ptoref::fp16>(300.0f, cast_mode::rint), cast_mode::rint) == 44);
    CHECK(cast_value<std::uint8_t>(ptoref::convert<ptoref::fp16>(-1.0f, cast_mode::rint), cast_mode::rint) == 255);
    // FP32 -> INT8 goes through FP16, so it wraps too (pto-isa's own example: 300.0f -> 44) ...
    CHECK(cast_value<std::int8_t>(300.0f, cast_mode::rint) == 44);
    // ... and rounds twice: 2.50048828125 is 2.5 in FP16 (ties to even there), then rint -> 2.
    CHECK(cast_value<std::int8_t>(2.50048828125f, cast_mode::rint) == 2);
    CHECK(ptoref::convert<std::int8_t>(2.50048828125f, cast_mode::rint) == 3); // one hop would give 3
    // while FP32 -> INT32 clamps, and INT64 -> INT32 wraps.
    CHECK(cast_value<std::int32_t>(3e9f, cast_mode::rint) == INT32_MAX);
    CHECK(cast_value<std::int32_t>(std::int64_t{0x1'0000'0005}, cast_mode::rint) == 5);
    CHECK(cast_value<std::int32_t>(std::int64_t{-0x1'8000'0000}, cast_mode::rint) == INT32_MIN);
    // FP16 overflow on the way (1e6 -> inf in FP16), then inf saturates into INT8.
    CHECK(cast_value<std::int8_t>(1e6f, cast_mode::rint) == 127);
    CHECK(cast_value<std::int8_t>(-1e6f, cast_mode::trunc) == 32); // -65504 = ...ffff0020 in two's complement
    // NaN -> 0 into every integer; none truncates into integers.
    CHECK(cast_value<std::int64_t>(std::bit_cast<float>(0x7fc00000u), cast_mode::rint) == 0);
    CHECK(cast_value<std::uint8_t>(std::bit_cast<float>(0xffc00001u), cast_mode::round) == 0);
    CHECK(cast_value<std::int64_t>(-2.75f, cast_mode::none) == -2);
    // UINT32 clamps (no A2A3 conversion; ptoref's own rule).
    CHECK(cast_value<std::uint32_t>(-5, cast_mode::rint) == 0u);
    CHECK(cast_value<std::int32_t>(4000000000u, cast_mode::rint) == INT32_MAX);
    CHECK(cast_value<std::uint32_t>(std::int64_t{1} << 40, cast_mode::rint) == UINT32_MAX);
    // FP8E4M3FN: no inf; overflow in a nearest mode is NaN (as torch), in trunc the largest 448.
    CHECK(ptoref::convert<ptoref::fp8e4m3fn>(464.0f, cast_mode::rint).bits == 0x7e); // tie -> even 448
    CHECK(ptoref::convert<ptoref::fp8e4m3fn>(464.5f, cast_mode::rint).bits == 0x7f);
    CHECK(ptoref::convert<ptoref::fp8e4m3fn>(-1e9f, cast_mode::trunc).bits == 0xfe);
    CHECK(ptoref::convert<ptoref::fp8e4m3fn>(std::bit_cast<float>(0x7f800000u), cast_mode::trunc).bits == 0x7f);
    CHECK(ptoref::convert<ptoref::fp8e5m2>(61440.0f, cast_mode::rint).bits == 0x7c); // tie -> even: inf
    CHECK(ptoref::convert<ptoref::fp8e5m2>(61439.0f, cast_mode::rint).bits == 0x7b);
    CHECK(ptoref::convert<ptoref::fp8e5m2>(std::bit_cast<float>(0xff812345u), cast_mode::rint).bits == 0x7e);
}

TEST_CASE("pl::cast notes pairs A2A3 cannot lower, and odd where the device lacks it")
{
    ptoref::check::collector c;
    const auto f = pl::full({2}, pl::FP32, 1.5);
    const auto i8 = pl::full({2}, pl::INT8, 3);
    (void)pl::cast(f, pl::INT8, cast_mode::rint);   // FP32 -> FP16 -> INT8: lowered, no note
    (void)pl::cast(i8, pl::FP16, cast_mode::odd);   // exact: no note
    (void)pl::cast(f, pl::INT64, cast_mode::trunc); // native
    REQUIRE(c.divergences().empty());
    (void)pl::cast(i8, pl::FP32);                // rejected by pypto's A2A3 lowering
    (void)pl::cast(f, pl::FP8E4M3FN);            // A5 only
    (void)pl::cast(i8, pl::UINT32);              // UINT32: no conversion
    (void)pl::cast(f, pl::INT8, cast_mode::odd); // FP16 -> INT8 has no odd on the device
    REQUIRE(c.divergences().size() == 4);
    CHECK(c.clean());
    CHECK(c.divergences()[0].str().find("no chain for this pair and rejects it") != std::string::npos);
    CHECK(c.divergences()[0].str().find("(INT8 -> FP32)") != std::string::npos);
    CHECK(c.divergences()[1].str().find("FP8 types exist on A5 only") != std::string::npos);
    CHECK(c.divergences()[2].str().find("UINT32 has no conversion on A2A3") != std::string::npos);
    CHECK(c.divergences()[3].str().find("round-to-odd only for FP32 -> FP16; its other conversions") !=
          std::string::npos);
}

TEST_CASE("cast keeps the valid region and propagates undefined elements for the new types")
{
    auto t = pl::create_tensor({2, 3}, pl::INT8);
    t = pl::assemble(t, pl::full({1, 3}, pl::INT8, -7), {0, 0});
    const auto v = pl::slice(t, {2, 3}, {0, 0}, {1, 3});
    ptoref::check::collector c;
    const auto r = pl::cast(v, pl::INT64);
    CHECK(r.valid_shape() == ptoref::dims{1, 3});
    CHECK(pl::read(r, {0, 2}) == -7);
    const auto m = r.defined_mask();
    CHECK(std::vector<std::uint8_t>(m.begin(), m.end()) == std::vector<std::uint8_t>{1, 1, 1, 0, 0, 0});
}
