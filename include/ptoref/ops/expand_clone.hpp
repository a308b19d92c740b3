// pl::expand_clone(src, target): a new tensor of target's shape holding src broadcast to it
// (docs/semantics.md §9.8; ops-semantics-2.md §7.2). Rank 3 only, and at most one dim may
// broadcast (from extent 1), as pypto requires. Only target's shape is used: its data is not
// read. (The device lowering stores the copy into target's buffer; ptoref returns a new
// tensor, the documented meaning, and leaves target unchanged.)
#pragma once

#include <string>
#include <vector>

#include "ptoref/ops/operand.hpp"

namespace ptoref::pl {

template <element_type T, element_type U>
Tensor<T> expand_clone(const Tensor<T>& src, const Tensor<U>& target, source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::expand_clone";
    detail::require_handle(static_cast<bool>(src), op, "src", loc);
    detail::require_handle(static_cast<bool>(target), op, "the target", loc);
    if (src.rank() != 3 || target.rank() != 3)
        throw error(std::string(op), "needs rank-3 src and target, got " + src.describe() + " and " + target.describe(),
                    loc);
    int broadcast = 0;
    for (int d = 0; d < 3; ++d)
        if (src.shape()[d] != target.shape()[d]) {
            if (src.shape()[d] != 1)
                throw error(std::string(op),
                            "src " + src.describe() + " cannot expand to " + to_string(target.shape()) + " at dim " +
                                std::to_string(d) + " (only extent 1 broadcasts)",
                            loc);
            ++broadcast;
        }
    if (broadcast > 1)
        throw error(std::string(op),
                    "at most one dim may broadcast, but " + src.describe() + " -> " + to_string(target.shape()) +
                        " broadcasts " + std::to_string(broadcast),
                    loc);
    const detail::dense<T> ds = detail::read_dense(src, op, loc);
    const dims& shape = target.shape();
    Tensor<T> out = detail::new_tensor<T>(shape, op, loc);
    T* o = out.storage().data();
    const dims st = detail::broadcast_strides(src.shape(), shape);
    std::vector<std::uint8_t> def;
    if (ds.defined)
        def.assign(static_cast<std::size_t>(out.numel()), 1);
    detail::for_each_broadcast(shape, st, st, [&](index i, index a, index) {
        o[i] = ds.data[a];
        if (ds.defined)
            def[static_cast<std::size_t>(i)] = ds.defined[a];
    });
    detail::finish_output(out, ds.defined ? def.data() : nullptr, op, loc, ds.origin);
    dims valid = shape;
    for (int d = 0; d < 3; ++d)
        valid[d] = src.shape()[d] == shape[d] ? src.valid_shape()[d] : (src.valid_shape()[d] == 0 ? 0 : shape[d]);
    return Tensor<T>(out.storage_ptr(), shape, out.strides(), 0, valid);
}

} // namespace ptoref::pl
