// pl::fillpad_expand(x, shape, pad_value): a new tensor of the (larger or equal) shape with x's
// valid region at the top left and the pad value (as pl::fillpad's) everywhere else
// (docs/semantics.md §9.8; ops-semantics-2.md §7.7). The result is fully valid.
#pragma once

#include <string>
#include <vector>

#include "ptoref/ops/fillpad.hpp"

namespace ptoref::pl {

template <element_type T>
Tensor<T> fillpad_expand(const Tensor<T>& x, const dims& shape, PadValue pad_value = PadValue::zero,
                         source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::fillpad_expand";
    detail::require_handle(static_cast<bool>(x), op, "the input", loc);
    detail::check_shape(shape, op, loc);
    if (pad_value != PadValue::zero && pad_value != PadValue::min && pad_value != PadValue::max)
        throw error(std::string(op),
                    "pad value " + std::to_string(static_cast<int>(pad_value)) + " is not zero, min or max", loc);
    bool ok = shape.size() == x.rank();
    for (int d = 0; ok && d < x.rank(); ++d)
        ok = shape[d] >= x.shape()[d];
    if (!ok)
        throw error(std::string(op),
                    "shape " + to_string(shape) + " must have the rank of " + x.describe() +
                        " and be at least as large in every dim",
                    loc);
    const detail::dense<T> dx = detail::read_dense(x, op, loc);
    Tensor<T> out = detail::new_tensor<T>(shape, op, loc);
    T* o = out.storage().data();
    const T pad = pad_value_of<T>(pad_value);
    const int r = x.rank();
    const dims xs = row_major_strides(x.shape());
    const index n = out.numel();
    std::vector<std::uint8_t> def;
    if (dx.defined)
        def.assign(static_cast<std::size_t>(n), 1);
    dims idx = dims::filled(r, 0);
    for (index i = 0; i < n; ++i, advance_row_major(idx, shape)) {
        bool in_valid = true;
        index f = 0;
        for (int d = 0; d < r; ++d) {
            in_valid = in_valid && idx[d] < x.valid_shape()[d];
            f += idx[d] * xs[d];
        }
        o[i] = in_valid ? dx.data[f] : pad;
        if (dx.defined && in_valid)
            def[static_cast<std::size_t>(i)] = dx.defined[f];
    }
    detail::finish_output(out, dx.defined ? def.data() : nullptr, op, loc, dx.origin);
    return out;
}

} // namespace ptoref::pl
