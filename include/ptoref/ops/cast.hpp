// pl::cast(x, target_type, mode) — elementwise conversion with one of the seven rounding modes.
// The default mode is round (ties away from zero), as in the DSL; torch's .to() is rint.
#pragma once

#include <string_view>

#include "ptoref/check/config.hpp"
#include "ptoref/core/convert.hpp"
#include "ptoref/ops/operand.hpp"
#include "ptoref/simd/convert_bf16.hpp"

namespace ptoref {
namespace detail {

// What the A2A3 device does with mode="odd" for this pair (pto-isa TCvt.hpp): round-to-odd
// exists only for FP32 -> FP16; elsewhere the mode falls to the pair's default. "" when the
// device agrees (that pair, or an exact widening where no rounding happens).
template <element_type To, element_type From>
constexpr std::string_view odd_divergence() noexcept
{
    if constexpr (std::is_same_v<From, float> && std::is_same_v<To, fp16>)
        return "";
    else if constexpr (std::is_same_v<To, float> && !std::is_same_v<From, std::int32_t>)
        return ""; // bf16/fp16 -> fp32 is exact
    else if constexpr (std::is_same_v<To, std::int32_t>)
        return "mode=\"odd\" into INT32: the A2A3 device has no round-to-odd for this pair and truncates";
    else if constexpr (std::is_same_v<From, std::int32_t>)
        return "mode=\"odd\" from INT32: the A2A3 device ignores the mode here (an un-suffixed conversion whose "
               "rounding is unspecified)";
    else
        return "mode=\"odd\": the A2A3 device has round-to-odd only for FP32 -> FP16 and rounds to nearest even "
               "here";
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
    if (mode == cast_mode::odd && check::enabled()) {
        constexpr std::string_view why = ptoref::detail::odd_divergence<To, From>();
        if (!why.empty())
            check::deliver::divergence({check::op_site{std::string(op), loc, access_kind::write},
                                        std::string(why) + " (" + std::string(dtype_traits<From>::name) + " -> " +
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
            o[i] = convert<To>(dx.data[i], mode);
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
