// pl::cast(x, target_type, mode) — elementwise conversion with one of the seven rounding modes,
// between any two element types. The default mode is round (ties away from zero), as in the DSL;
// torch's .to() is rint. Each element is ptoref::cast_value: the A2A3 chain of hops, each in the
// user's mode (core/cast_chain.hpp).
#pragma once

#include <limits>
#include <string_view>
#include <utility>

#include "ptoref/check/config.hpp"
#include "ptoref/core/cast_chain.hpp"
#include "ptoref/ops/operand.hpp"
#include "ptoref/simd/convert_bf16.hpp"

namespace ptoref {
namespace detail {

// Whether every value of From is a value of To (the conversion cannot round or overflow).
template <class To, class From>
constexpr bool exact_conversion() noexcept
{
    if constexpr (std::is_same_v<To, From>)
        return true;
    else if constexpr (integer_element<From> && integer_element<To>)
        return std::cmp_less_equal(std::numeric_limits<To>::min(), std::numeric_limits<From>::min()) &&
               std::cmp_less_equal(std::numeric_limits<From>::max(), std::numeric_limits<To>::max());
    else if constexpr (integer_element<From>)
        return std::numeric_limits<From>::digits <= format_of<To>().p;
    else if constexpr (integer_element<To>)
        return false;
    else {
        constexpr float_format f = format_of<From>(), t = format_of<To>();
        return f.p <= t.p && f.emin - f.p >= t.emin - t.p && f.emax <= t.emax;
    }
}

// Whether the A2A3 device computes a hop From -> To in mode="odd" as ptoref does.
template <class To, class From>
constexpr bool odd_hop_agrees() noexcept
{
    return exact_conversion<To, From>() || (std::is_same_v<From, float> && std::is_same_v<To, fp16>);
}
template <class To, class From, class... Via>
constexpr bool odd_chain_agrees(type_list<Via...>) noexcept
{
    if constexpr (sizeof...(Via) == 0)
        return odd_hop_agrees<To, From>();
    else
        return [&]<class V, class... Rest>(type_list<V, Rest...>) {
            return odd_hop_agrees<V, From>() && odd_chain_agrees<To, V>(type_list<Rest...>{});
        }(type_list<Via...>{});
}

template <class T>
concept original_element =
    std::is_same_v<T, float> || std::is_same_v<T, bf16> || std::is_same_v<T, fp16> || std::is_same_v<T, std::int32_t>;

// What the A2A3 device does with mode="odd" for this pair (pto-isa TCvt.hpp): round-to-odd
// exists only for FP32 -> FP16; elsewhere the mode falls to the pair's default. "" when the
// device agrees (that pair, or an exact widening where no rounding happens).
template <element_type To, element_type From>
constexpr std::string_view odd_divergence() noexcept
{
    using via = typename cast_route<To, From>::via;
    if constexpr (odd_chain_agrees<To, From>(via{}))
        return "";
    else if constexpr (!original_element<To> || !original_element<From>)
        return "mode=\"odd\": the A2A3 device has round-to-odd only for FP32 -> FP16; its other conversions round "
               "to nearest even (into a float) or truncate (into an integer)";
    else if constexpr (std::is_same_v<To, std::int32_t>)
        return "mode=\"odd\" into INT32: the A2A3 device has no round-to-odd for this pair and truncates";
    else if constexpr (std::is_same_v<From, std::int32_t>)
        return "mode=\"odd\" from INT32: the A2A3 device ignores the mode here (an un-suffixed conversion whose "
               "rounding is unspecified)";
    else
        return "mode=\"odd\": the A2A3 device has round-to-odd only for FP32 -> FP16 and rounds to nearest even "
               "here";
}

// Pairs pypto cannot lower for A2A3 at all: ptoref still defines them (one rounding of the
// exact value), and the note tells the user the program will not compile for that device.
template <element_type To, element_type From>
constexpr std::string_view lowering_divergence() noexcept
{
    if constexpr (a2a3_lowered<To, From>())
        return "";
    else if constexpr (fp8_element<To> || fp8_element<From>)
        return "FP8 types exist on A5 only: pypto rejects this cast for A2A3 (ptoref converts the exact value, "
               "rounded once)";
    else if constexpr (std::is_same_v<To, std::uint32_t> || std::is_same_v<From, std::uint32_t>)
        return "UINT32 has no conversion on A2A3: pypto rejects this cast at compile time (ptoref converts the "
               "exact value, rounded once, clamped to the range)";
    else
        return "pypto's A2A3 lowering has no chain for this pair and rejects it (ptoref converts the exact value, "
               "rounded once)";
}

} // namespace detail
} // namespace ptoref

namespace ptoref::pl {

using ptoref::cast_mode;

template <element_type To, element_type From>
Tensor<To> cast(const Tensor<From>& x, dtype_tag<To> /*target_type*/, cast_mode mode = default_cast_mode,
                source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::cast";
    check_cast_mode(mode, op, loc);
    if (check::enabled()) { // one note per site: both reasons in one text
        std::string why(ptoref::detail::lowering_divergence<To, From>());
        if (mode == cast_mode::odd) {
            constexpr std::string_view odd = ptoref::detail::odd_divergence<To, From>();
            if (!odd.empty())
                why += (why.empty() ? "" : "; ") + std::string(odd);
        }
        if (!why.empty())
            check::deliver::divergence({check::op_site{std::string(op), loc, access_kind::write},
                                        why + " (" + std::string(dtype_traits<From>::name) + " -> " +
                                            std::string(dtype_traits<To>::name) + ")",
                                        0, 0});
    }
    const detail::dense<From> dx = detail::read_dense(x, op, loc);
    Tensor<To> out = detail::new_tensor<To>(x.shape(), op, loc);
    To* o = out.storage().data();
    const index n = dx.size();
    if constexpr (std::is_same_v<From, float> && std::is_same_v<To, bf16>) {
        simd::f32_to_bf16(dx.data, o, static_cast<std::size_t>(n), mode); // same bits, faster
    } else {
        for (index i = 0; i < n; ++i)
            o[i] = cast_value<To>(dx.data[i], mode);
    }
    detail::finish_output(out, dx.defined, op, loc, dx.origin);
    return Tensor<To>(out.storage_ptr(), out.shape(), out.strides(), 0, x.valid_shape());
}

// The DSL's string spelling: pl.cast(x, target_type=pl.BF16, mode="rint").
template <element_type To, element_type From>
Tensor<To> cast(const Tensor<From>& x, dtype_tag<To> target, std::string_view mode,
                source_location loc = source_location::current())
{
    return cast(x, target, parse_cast_mode(mode, loc), loc);
}

// pl::cast<pl::bf16>(x) as shorthand.
template <element_type To, element_type From>
Tensor<To> cast(const Tensor<From>& x, cast_mode mode = default_cast_mode,
                source_location loc = source_location::current())
{
    return cast(x, dtype_tag<To>{}, mode, loc);
}

} // namespace ptoref::pl
