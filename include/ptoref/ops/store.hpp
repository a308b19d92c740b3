// pl::store(tile, offsets, output): the tile-level store. It writes the tile into the tensor at
// offsets, in place, exactly as pl::assemble does (valid region only). A store from an FP32
// accumulator into a BF16 or FP16 tensor narrows on the way out, as the device's FIXPIPE does,
// with round-to-nearest-even (the only narrowing FIXPIPE performs: f32 -> bf16/f16).
#pragma once

#include <type_traits>

#include "ptoref/ops/assemble.hpp"
#include "ptoref/ops/cast.hpp"

namespace ptoref::pl {

template <element_type To, element_type From>
inline constexpr bool storable = std::is_same_v<To, From> || (std::is_same_v<From, float> &&
                                                              (std::is_same_v<To, bf16> || std::is_same_v<To, fp16>));

template <element_type To, element_type From>
requires storable<To, From> Tensor<To> store(const Tensor<From>& tile, const dims& offsets, const Tensor<To>& output,
                                             source_location loc = source_location::current())
{
    if constexpr (std::is_same_v<To, From>)
        return assemble(output, tile, offsets, loc);
    else
        return assemble(output, cast(tile, dtype_tag<To>{}, cast_mode::rint, loc), offsets, loc);
}

} // namespace ptoref::pl
