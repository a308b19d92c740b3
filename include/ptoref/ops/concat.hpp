// pl::concat(a, b): 2-D, same dtype and row count, joined along columns into a new tensor.
#pragma once

#include <string>

#include "ptoref/ops/operand.hpp"

namespace ptoref::pl {

template <element_type T>
Tensor<T> concat(const Tensor<T>& a, const Tensor<T>& b, source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::concat";
    detail::require_handle(static_cast<bool>(a), op, "a", loc);
    detail::require_handle(static_cast<bool>(b), op, "b", loc);
    if (a.rank() != 2 || b.rank() != 2 || a.shape()[0] != b.shape()[0])
        throw error(std::string(op),
                    "needs two 2-D tensors with the same row count, got " + a.describe() + " and " + b.describe(), loc);
    const detail::dense<T> da = detail::read_dense(a, op, loc);
    const detail::dense<T> db = detail::read_dense(b, op, loc);
    const index m = a.shape()[0], na = a.shape()[1], nb = b.shape()[1];
    const auto n_out = checked_add(na, nb); // [0, INT64_MAX] and [0, 1] exist; their join does not
    if (!n_out)
        throw error(std::string(op),
                    "the joined column count of " + a.describe() + " and " + b.describe() + " overflows int64", loc);
    Tensor<T> out = detail::new_tensor<T>(dims{m, *n_out}, op, loc);
    T* o = out.storage().data();
    const bool track = da.defined || db.defined;
    std::vector<std::uint8_t> def;
    if (track)
        def.resize(static_cast<std::size_t>(m * (na + nb)));
    // No elements, no loop: [2^40, 0] and [2^40, 0] would otherwise walk 2^40 empty rows.
    for (index i = 0; i < (out.numel() == 0 ? 0 : m); ++i) {
        for (index j = 0; j < na; ++j) {
            o[i * (na + nb) + j] = da.data[i * na + j];
            if (track)
                def[static_cast<std::size_t>(i * (na + nb) + j)] = da.is_defined(i * na + j);
        }
        for (index j = 0; j < nb; ++j) {
            o[i * (na + nb) + na + j] = db.data[i * nb + j];
            if (track)
                def[static_cast<std::size_t>(i * (na + nb) + na + j)] = db.is_defined(i * nb + j);
        }
    }
    detail::finish_output(out, track ? def.data() : nullptr, op, loc, da.origin.empty() ? db.origin : da.origin);
    // Valid: the common valid rows; columns run contiguously only while a is fully valid.
    const index vrows = a.valid_shape()[0] < b.valid_shape()[0] ? a.valid_shape()[0] : b.valid_shape()[0];
    const index vcols = a.valid_shape()[1] == na ? na + b.valid_shape()[1] : a.valid_shape()[1];
    return Tensor<T>(out.storage_ptr(), out.shape(), out.strides(), 0, dims{vrows, vcols});
}

} // namespace ptoref::pl
