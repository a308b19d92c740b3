// What pl.cast computes for a dtype pair: the A2A3 lowering's chain of conversion hops, each
// one ptoref::convert (core/convert.hpp) in the user's mode.
//
// pypto lowers a pl.cast the A2A3 device cannot do in one `tcvt` into the shortest chain of
// native ones, and every hop reuses the user's mode (pypto LegalizeTileCast pass and its
// documentation, docs/en/dev/passes/14-legalize_tile_cast.md; research notes ops-semantics-2
// §1.2). The chain is the meaning: FP32 -> INT8 is FP32 -> FP16 -> INT8, so it may round twice
// and it wraps, because FP16 -> INT8 keeps the low bits. Pairs the A2A3 lowering rejects (UINT32,
// FP8, and INT8/UINT8 -> wider types, BF16/FP16 -> INT64) are the exact value rounded once;
// pl::cast notes them (ops/cast.hpp). docs/semantics.md §3.10 has the table.
#pragma once

#include <type_traits>

#include "ptoref/core/convert.hpp"

namespace ptoref {
namespace detail {

// The intermediate types of the A2A3 chain From -> To (empty: one hop).
template <class To, class From>
struct cast_route {
    using via = type_list<>;
};
template <class To>
concept int8_like = std::is_same_v<To, std::int8_t> || std::is_same_v<To, std::uint8_t>;

template <class To>
requires int8_like<To>
struct cast_route<To, float> {
    using via = type_list<fp16>;
};
template <class To>
requires int8_like<To>
struct cast_route<To, std::int32_t> {
    using via = type_list<fp16>;
};
template <class To>
requires int8_like<To>
struct cast_route<To, bf16> {
    using via = type_list<float, fp16>;
};
template <class To>
requires int8_like<To>
struct cast_route<To, std::int64_t> {
    using via = type_list<float, fp16>;
};
template <>
struct cast_route<std::uint8_t, std::int8_t> {
    using via = type_list<fp16>;
};
template <>
struct cast_route<std::int8_t, std::uint8_t> {
    using via = type_list<fp16>;
};
template <>
struct cast_route<fp16, bf16> {
    using via = type_list<float>;
};
template <>
struct cast_route<bf16, fp16> {
    using via = type_list<float>;
};
template <>
struct cast_route<bf16, std::int32_t> {
    using via = type_list<float>;
};
template <>
struct cast_route<bf16, std::int64_t> {
    using via = type_list<float>;
};
template <>
struct cast_route<fp16, std::int64_t> {
    using via = type_list<float>;
};

// Whether pypto can lower the pair on A2A3 at all (its native tcvt graph plus chains).
template <class To, class From>
constexpr bool a2a3_lowered() noexcept
{
    if constexpr (std::is_same_v<To, From>)
        return true;
    else if constexpr (fp8_element<To> || fp8_element<From> || std::is_same_v<To, std::uint32_t> ||
                       std::is_same_v<From, std::uint32_t>)
        return false;
    else if constexpr (int8_like<From>)
        return std::is_same_v<To, fp16> || int8_like<To>;
    else if constexpr (std::is_same_v<To, std::int64_t>)
        return std::is_same_v<From, float> || std::is_same_v<From, std::int32_t>;
    else
        return true;
}

template <class To, class From, class... Via>
constexpr To apply_route(From x, cast_mode mode, type_list<Via...>) noexcept
{
    if constexpr (sizeof...(Via) == 0) {
        return convert<To>(x, mode);
    } else {
        return [&]<class V, class... Rest>(type_list<V, Rest...>) {
            return apply_route<To>(convert<V>(x, mode), mode, type_list<Rest...>{});
        }(type_list<Via...>{});
    }
}

} // namespace detail

// The value pl::cast gives for one element: the chain's hops, each in `mode`. FP8 sources
// widen to FP32 first (exact), then follow FP32's chain.
template <element_type To, element_type From>
constexpr To cast_value(From x, cast_mode mode = default_cast_mode) noexcept
{
    if constexpr (fp8_element<From> && !fp8_element<To> && !std::is_same_v<To, float>)
        return cast_value<To>(convert<float>(x, mode), mode);
    else
        return detail::apply_route<To>(x, mode, typename detail::cast_route<To, From>::via{});
}

} // namespace ptoref
