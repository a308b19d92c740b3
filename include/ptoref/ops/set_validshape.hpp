// pl::set_validshape(t, valid_rows, valid_cols): a view of the same 2-D tensor with another
// valid region (docs/semantics.md §9.8; ops-semantics-2.md §7.7). Metadata only; each value may
// be anything in [0, physical extent], so unlike slice it can widen the valid region and expose
// whatever the buffer holds there (undefined if never written, which the checks then track).
#pragma once

#include <string>

#include "ptoref/ops/operand.hpp"

namespace ptoref::pl {

template <element_type T>
Tensor<T> set_validshape(const Tensor<T>& t, index valid_rows, index valid_cols,
                         source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::set_validshape";
    detail::require_handle(static_cast<bool>(t), op, "the input", loc);
    if (t.rank() != 2)
        throw error(std::string(op), "needs a 2-D tensor, got " + t.describe(), loc);
    if (valid_rows < 0 || valid_rows > t.shape()[0] || valid_cols < 0 || valid_cols > t.shape()[1])
        throw error(std::string(op),
                    "valid shape [" + std::to_string(valid_rows) + ", " + std::to_string(valid_cols) +
                        "] must lie within " + t.describe(),
                    loc);
    return Tensor<T>(t.storage_ptr(), t.shape(), t.strides(), t.offset(), dims{valid_rows, valid_cols},
                     t.handle_version());
}

} // namespace ptoref::pl
