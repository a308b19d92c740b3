// pl::cast (ops/cast.hpp): all seven modes on every dtype pair, against the independent
// rounding oracle of ops_test_util.hpp (exact double arithmetic, no shared code with
// core/convert.hpp), plus the DSL default and the string spelling.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

#include <ptoref/simd/features.hpp>

#include <string>

using namespace ops_test;
using ptoref::bf16;
using ptoref::cast_mode;
using ptoref::dims;
using ptoref::fp16;
using ptoref::tensor_from;

namespace {

template <class T>
double as_double(T x)
{
    if constexpr (std::is_same_v<T, std::int32_t>)
        return x;
    else if constexpr (std::is_same_v<T, float>)
        return x;
    else
        return x.to_float();
}
template <class T>
std::uint32_t raw(T x)
{
    if constexpr (std::is_same_v<T, std::int32_t>)
        return static_cast<std::uint32_t>(x);
    else if constexpr (std::is_same_v<T, float>)
        return bits(x);
    else
        return x.bits;
}
// The oracle's answer for converting the exact value v to To under m, as raw bits.
template <class To>
std::uint32_t expected(double v, cast_mode m)
{
    if constexpr (std::is_same_v<To, std::int32_t>)
        return static_cast<std::uint32_t>(round_int32(v, m));
    else if constexpr (std::is_same_v<To, float>)
        return round_bits(v, F32, m);
    else if constexpr (std::is_same_v<To, bf16>)
        return round_bits(v, BF16, m);
    else
        return round_bits(v, F16, m);
}

template <class From>
std::vector<From> random_inputs(rng& r, std::size_t n)
{
    std::vector<From> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        if constexpr (std::is_same_v<From, float>) {
            // Raw patterns, plus values with a tie or near-tie for every narrower target.
            const std::uint32_t u = r.bits32();
            switch (i % 4) {
            case 0:
                v[i] = f32(u);
                break;
            case 1:
                v[i] = f32((u & 0xffff0000u) | 0x8000u); // bf16 tie
                break;
            case 2:
                v[i] = f32((u & 0x8fffe000u) | 0x38001000u); // fp16-range tie (fp16 has 13 fewer bits)
                break;
            default:
                v[i] = f32((u & 0x807fffffu) | ((u % 64 + 100) << 23)); // |x| in [2^-27, 2^37): int32 and fp16 range
            }
        } else if constexpr (std::is_same_v<From, std::int32_t>) {
            const std::uint32_t u = r.bits32();
            v[i] = static_cast<std::int32_t>(i % 2 ? u : (u >> (u % 31)));
        } else {
            v[i] = From::from_bits(r.bits16());
        }
    }
    return v;
}

template <class From, class To>
void check_pair(std::uint64_t seed)
{
    rng r(seed);
    const std::size_t n = 6001; // not a multiple of any SIMD width
    const auto v = random_inputs<From>(r, n);
    auto x = tensor_from<From>({static_cast<ix>(n)}, v);
    std::size_t modes_differ = 0;
    for (cast_mode m : ptoref::all_cast_modes) {
        const auto got = pl::cast(x, ptoref::dtype_tag<To>{}, m).to_vector();
        const auto by_name = pl::cast(x, ptoref::dtype_tag<To>{}, ptoref::to_string(m)).to_vector();
        for (std::size_t i = 0; i < n; ++i) {
            INFO("mode " << ptoref::to_string(m) << ", input bits 0x" << std::hex << raw(v[i]));
            REQUIRE(raw(got[i]) == expected<To>(as_double(v[i]), m));
            REQUIRE(raw(by_name[i]) == raw(got[i]));
            modes_differ += raw(got[i]) != expected<To>(as_double(v[i]), cast_mode::rint);
        }
    }
    // For narrowing pairs the modes must actually disagree on this data.
    if constexpr (!std::is_same_v<From, To> && (sizeof(To) < sizeof(From) || std::is_same_v<To, std::int32_t> ||
                                                (std::is_same_v<From, std::int32_t> && !std::is_same_v<To, float>)))
        CHECK(modes_differ > n);
}

} // namespace

TEST_CASE("pl::cast defaults to round (ties away); rint on request, by enum or by string")
{
    auto x = tensor_from<float>({4}, {f32(0x3f808000u), f32(0xbf808000u), f32(0x3f818000u), f32(0x3f807fffu)});
    // 0x3F808000 = 1 + 2^-8, exactly between bf16 0x3F80 and 0x3F81.
    CHECK(bits_of(pl::cast(x, pl::BF16)) == std::vector<std::uint16_t>{0x3f81, 0xbf81, 0x3f82, 0x3f80});
    CHECK(bits_of(pl::cast<bf16>(x)) == std::vector<std::uint16_t>{0x3f81, 0xbf81, 0x3f82, 0x3f80});
    CHECK(bits_of(pl::cast(x, pl::BF16, cast_mode::round)) ==
          std::vector<std::uint16_t>{0x3f81, 0xbf81, 0x3f82, 0x3f80});
    CHECK(bits_of(pl::cast(x, pl::BF16, "round")) == std::vector<std::uint16_t>{0x3f81, 0xbf81, 0x3f82, 0x3f80});
    CHECK(bits_of(pl::cast(x, pl::BF16, cast_mode::rint)) ==
          std::vector<std::uint16_t>{0x3f80, 0xbf80, 0x3f82, 0x3f80});
    CHECK(bits_of(pl::cast(x, pl::BF16, "rint")) == std::vector<std::uint16_t>{0x3f80, 0xbf80, 0x3f82, 0x3f80});
    CHECK(bits_of(pl::cast<bf16>(x, cast_mode::rint)) == std::vector<std::uint16_t>{0x3f80, 0xbf80, 0x3f82, 0x3f80});
    CHECK(bits_of(pl::cast(x, pl::BF16, "none")) == std::vector<std::uint16_t>{0x3f80, 0xbf80, 0x3f82, 0x3f80});
    CHECK(bits_of(pl::cast(x, pl::BF16, "floor")) == std::vector<std::uint16_t>{0x3f80, 0xbf81, 0x3f81, 0x3f80});
    CHECK(bits_of(pl::cast(x, pl::BF16, "ceil")) == std::vector<std::uint16_t>{0x3f81, 0xbf80, 0x3f82, 0x3f81});
    CHECK(bits_of(pl::cast(x, pl::BF16, "trunc")) == std::vector<std::uint16_t>{0x3f80, 0xbf80, 0x3f81, 0x3f80});
    CHECK(bits_of(pl::cast(x, pl::BF16, "odd")) == std::vector<std::uint16_t>{0x3f81, 0xbf81, 0x3f81, 0x3f81});
    // Float -> int: the default rounds halves away from zero.
    auto h = tensor_from<float>({6}, {0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 2.4999998f});
    CHECK(pl::cast(h, pl::INT32).to_vector() == std::vector<std::int32_t>{1, 2, 3, -1, -3, 2});
    CHECK(pl::cast(h, pl::INT32, "rint").to_vector() == std::vector<std::int32_t>{0, 2, 2, 0, -2, 2});
    CHECK(pl::cast(h, pl::INT32, "floor").to_vector() == std::vector<std::int32_t>{0, 1, 2, -1, -3, 2});
    CHECK(pl::cast(h, pl::INT32, "ceil").to_vector() == std::vector<std::int32_t>{1, 2, 3, 0, -2, 3});
    CHECK(pl::cast(h, pl::INT32, "trunc").to_vector() == std::vector<std::int32_t>{0, 1, 2, 0, -2, 2});
    CHECK(pl::cast(h, pl::INT32, "odd").to_vector() == std::vector<std::int32_t>{1, 1, 3, -1, -3, 3});
    // Int -> float: 2^24 + 1 is a tie in fp32.
    auto i = tensor_from<std::int32_t>({2}, {16777217, -16777219});
    CHECK(pl::cast(i, pl::FP32).to_vector() == std::vector<float>{16777218.0f, -16777220.0f});
    CHECK(pl::cast(i, pl::FP32, "rint").to_vector() == std::vector<float>{16777216.0f, -16777220.0f});
}

TEST_CASE("unknown mode strings are an error naming the string and the call site")
{
    auto x = tensor_from<float>({1}, {1.0f});
    CHECK_THROWS_AS(pl::cast(x, pl::BF16, "nearest"), ptoref::error);
    CHECK_THROWS_WITH(pl::cast(x, pl::BF16, "nearest"),
                      Catch::Contains("pl::cast") && Catch::Contains("unknown cast mode \"nearest\"") &&
                          Catch::Contains("rint") && Catch::Contains("test_cast.cpp:"));
    CHECK_THROWS_WITH(pl::cast(x, pl::INT32, "RINT"), Catch::Contains("unknown cast mode \"RINT\""));
    CHECK_THROWS_WITH(pl::cast(x, pl::FP16, ""), Catch::Contains("unknown cast mode \"\""));
}

TEST_CASE("every dtype pair under every mode equals the exact value rounded once")
{
    check_pair<float, bf16>(101);
    check_pair<float, fp16>(102);
    check_pair<float, std::int32_t>(103);
    check_pair<float, float>(104);
    check_pair<bf16, float>(105);
    check_pair<bf16, fp16>(106);
    check_pair<bf16, std::int32_t>(107);
    check_pair<bf16, bf16>(108);
    check_pair<fp16, float>(109);
    check_pair<fp16, bf16>(110);
    check_pair<fp16, std::int32_t>(111);
    check_pair<fp16, fp16>(112);
    check_pair<std::int32_t, float>(113);
    check_pair<std::int32_t, bf16>(114);
    check_pair<std::int32_t, fp16>(115);
    check_pair<std::int32_t, std::int32_t>(116);
}

TEST_CASE("policies: canonical NaN, saturation, overflow by mode, subnormals kept")
{
    auto n = tensor_from<float>({3}, {f32(0xffa5a5a5u), f32(0x7f800001u), f32(0xffc00000u)});
    CHECK(bits_of(pl::cast(n, pl::BF16)) == std::vector<std::uint16_t>(3, 0x7fc0));
    CHECK(bits_of(pl::cast(n, pl::FP16)) == std::vector<std::uint16_t>(3, 0x7e00));
    CHECK(bits_of(pl::cast(n, pl::FP32)) == std::vector<std::uint32_t>(3, qnan));
    CHECK(pl::cast(n, pl::INT32).to_vector() == std::vector<std::int32_t>(3, 0));
    auto big = tensor_from<float>({4}, {f32(0x7f800000u), f32(0xff800000u), 3e9f, -3e9f});
    CHECK(pl::cast(big, pl::INT32).to_vector() ==
          std::vector<std::int32_t>{INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN});
    // fp32 max -> bf16 / fp16 overflow per mode.
    auto m = tensor_from<float>({2}, {f32(0x7f7fffffu), f32(0xff7fffffu)});
    CHECK(bits_of(pl::cast(m, pl::BF16, "rint")) == std::vector<std::uint16_t>{0x7f80, 0xff80});
    CHECK(bits_of(pl::cast(m, pl::BF16, "trunc")) == std::vector<std::uint16_t>{0x7f7f, 0xff7f});
    CHECK(bits_of(pl::cast(m, pl::BF16, "floor")) == std::vector<std::uint16_t>{0x7f7f, 0xff80});
    CHECK(bits_of(pl::cast(m, pl::BF16, "ceil")) == std::vector<std::uint16_t>{0x7f80, 0xff7f});
    CHECK(bits_of(pl::cast(m, pl::BF16, "odd")) == std::vector<std::uint16_t>{0x7f7f, 0xff7f});
    CHECK(bits_of(pl::cast(m, pl::FP16)) == std::vector<std::uint16_t>{0x7c00, 0xfc00});
    CHECK(bits_of(pl::cast(m, pl::FP16, "trunc")) == std::vector<std::uint16_t>{0x7bff, 0xfbff});
    // fp32 subnormals round into bf16 subnormals (no flush).
    auto s = tensor_from<float>({3}, {f32(0x00010000u), f32(0x00018000u), f32(0x80008000u)});
    CHECK(bits_of(pl::cast(s, pl::BF16, "rint")) == std::vector<std::uint16_t>{0x0001, 0x0002, 0x8000});
    CHECK(bits_of(pl::cast(s, pl::BF16)) == std::vector<std::uint16_t>{0x0001, 0x0002, 0x8001});
    // Widening and data-preserving casts are exact: -0 stays -0.
    CHECK(bits_of(pl::cast(tensor_from<bf16>({1}, {bf16::from_bits(0x8000)}), pl::FP32)) ==
          std::vector<std::uint32_t>{0x80000000u});
    CHECK(pl::cast(tensor_from<float>({1}, {-0.0f}), pl::INT32).to_vector()[0] == 0);
}

TEST_CASE("the fp32 -> bf16 fast path equals ptoref::convert on every SIMD path, any length and layout")
{
    rng r(77);
    std::vector<float> v;
    for (int i = 0; i < 5000; ++i)
        v.push_back(i < 20 ? edge_values()[static_cast<std::size_t>(i)] : (i % 3 ? f32(r.bits32()) : r.interesting()));
    for (auto path : {ptoref::simd::path::scalar, ptoref::simd::path::avx2, ptoref::simd::path::avx512,
                      ptoref::simd::path::avx512bf16}) {
        if (!ptoref::simd::cpu_has(path))
            continue;
        ptoref::simd::path_scope scope(path);
        for (std::size_t len :
             {std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{17}, std::size_t{33}, std::size_t{4999}}) {
            auto x = tensor_from<float>({static_cast<ix>(len)},
                                        std::vector<float>(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(len)));
            for (cast_mode m : ptoref::all_cast_modes) {
                const auto got = bits_of(pl::cast(x, pl::BF16, m));
                for (std::size_t i = 0; i < len; ++i) {
                    INFO("path " << ptoref::simd::to_string(path) << " mode " << ptoref::to_string(m) << " bits 0x"
                                 << std::hex << bits(v[i]));
                    REQUIRE(got[i] == ptoref::convert<bf16>(v[i], m).bits);
                    REQUIRE(got[i] == round_bits(v[i], BF16, m));
                }
            }
        }
        // A strided source (the dense-copy path).
        auto base = tensor_from<float>({50, 100}, std::vector<float>(v.begin(), v.begin() + 5000));
        auto tv = pl::transpose(pl::slice(base, {40, 30}, {3, 5}), 0, 1);
        const auto vals = tv.to_vector();
        const auto got = bits_of(pl::cast(tv, pl::BF16));
        for (std::size_t i = 0; i < vals.size(); ++i)
            REQUIRE(got[i] == ptoref::convert<bf16>(vals[i], cast_mode::round).bits);
    }
}

TEST_CASE("cast keeps shape, valid region and definedness; the result is a new tensor")
{
    auto t = pl::create_tensor({2, 3}, pl::FP32);
    t = pl::assemble(t, pl::full({1, 3}, pl::FP32, 2.0f), {0, 0});
    auto v = pl::slice(t, {2, 3}, {0, 0}, {1, 3});
    auto c = pl::cast(v, pl::BF16);
    CHECK(c.shape() == dims{2, 3});
    CHECK(c.valid_shape() == dims{1, 3});
    CHECK(c.defined_mask() == std::vector<std::uint8_t>{1, 1, 1, 0, 0, 0});
    CHECK(bits_of(c)[0] == 0x4000);
    CHECK(bits_of(c)[3] == 0x7fc0); // padding read as poison, converted (NaN -> canonical)
    auto same = pl::cast(t, pl::FP32);
    CHECK(same.storage_ptr() != t.storage_ptr());
    CHECK(pl::cast(pl::full({2, 2, 2}, pl::INT32, 7), pl::FP16).shape() == dims{2, 2, 2});
}
