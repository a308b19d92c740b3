// pl::fillpad(x, pad_value): the valid region of x copied, every other element set to the pad
// value; the result is fully valid. Pad values are the device's (pto-isa PadValueMap):
// min = -inf for floats / the integer type's minimum (0 for unsigned), max = +inf / its
// maximum, zero = all-zero bits. FP8E4M3FN has no inf: min/max are -448/+448, its extremes
// (the identities of max/min, as -inf/+inf are elsewhere; decision).
// (torch_codegen uses the finite lowest/highest instead; see docs/semantics.md.)
#pragma once

#include <bit>
#include <climits>
#include <cstdint>
#include <limits>
#include <string>

#include "ptoref/ops/operand.hpp"

namespace ptoref::pl {

enum class PadValue { zero, min, max };

template <element_type T>
T pad_value_of(PadValue p) noexcept
{
    if constexpr (integer_element<T>) {
        return p == PadValue::zero
                   ? T{0}
                   : (p == PadValue::min ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max());
    } else if constexpr (std::is_same_v<T, fp8e4m3fn>) {
        return fp8e4m3fn::from_bits(p == PadValue::zero ? 0x00u : (p == PadValue::min ? 0xfeu : 0x7eu));
    } else {
        const float v =
            p == PadValue::zero ? 0.0f : std::bit_cast<float>(p == PadValue::min ? 0xff800000u : 0x7f800000u);
        return convert<T>(v, cast_mode::rint); // exact: 0 and +-inf exist in every float type
    }
}

template <element_type T>
Tensor<T> fillpad(const Tensor<T>& x, PadValue pad_value = PadValue::zero,
                  source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::fillpad";
    if (pad_value != PadValue::zero && pad_value != PadValue::min && pad_value != PadValue::max)
        throw error(std::string(op),
                    "pad value " + std::to_string(static_cast<int>(pad_value)) + " is not zero, min or max", loc);
    const detail::dense<T> dx = detail::read_dense(x, op, loc);
    Tensor<T> out = detail::new_tensor<T>(x.shape(), op, loc);
    T* o = out.storage().data();
    const T pad = pad_value_of<T>(pad_value);
    const int r = x.rank();
    dims idx = dims::filled(r, 0);
    const index n = x.numel();
    std::vector<std::uint8_t> def;
    if (dx.defined)
        def.assign(static_cast<std::size_t>(n), 1);
    for (index i = 0; i < n; ++i) {
        bool in_valid = true;
        for (int d = 0; d < r; ++d)
            in_valid = in_valid && idx[d] < x.valid_shape()[d];
        o[i] = in_valid ? dx.data[i] : pad;
        if (dx.defined && in_valid)
            def[static_cast<std::size_t>(i)] = dx.defined[i];
        advance_row_major(idx, x.shape());
    }
    detail::finish_output(out, dx.defined ? def.data() : nullptr, op, loc, dx.origin);
    return out;
}

} // namespace ptoref::pl
