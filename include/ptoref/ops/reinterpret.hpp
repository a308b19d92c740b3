// pl::reinterpret_view(t, dtype, shape=None): t's bytes read as another dtype
// (docs/semantics.md §9.8; ops-semantics-2.md §7.7). Without shape the last dim scales by the
// byte ratio; with it, the byte count must match.
//
// pypto's op is a zero-copy view. ptoref's buffers are typed, so a view of a buffer under another
// element type cannot be expressed: the result is a COPY of the bytes. Consequences: a later
// in-place write (assemble, write) through the result does not change t, nor the reverse; and the
// race checker sees a read of t here and a write of a new buffer, not accesses of one buffer.
// Programs that only read the reinterpreted tensor (pypto-lib's uses) are unaffected.
#pragma once

#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "ptoref/ops/operand.hpp"

namespace ptoref::pl {

template <element_type U, element_type T>
Tensor<U> reinterpret_view(const Tensor<T>& t, dtype_tag<U> /*dtype*/, const dims& shape = {},
                           source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::reinterpret_view";
    detail::require_handle(static_cast<bool>(t), op, "the input", loc);
    if constexpr (std::is_same_v<T, U>) {
        throw error(std::string(op),
                    "the target dtype must differ from the source dtype " + std::string(dtype_traits<T>::name), loc);
    } else {
        constexpr index st = sizeof(T), su = sizeof(U);
        const int r = t.rank();
        dims os = shape;
        dims valid;
        if (shape.empty()) {
            os = t.shape();
            const auto bytes = checked_mul(t.shape()[r - 1], st);
            if (!bytes || *bytes % su != 0)
                throw error(std::string(op),
                            "the last dim of " + t.describe() + " (" + std::to_string(t.shape()[r - 1]) + " x " +
                                std::to_string(st) + " bytes) is not a whole number of " +
                                std::string(dtype_traits<U>::name) + " elements",
                            loc);
            os[r - 1] = *bytes / su;
            valid = t.valid_shape();
            if ((valid[r - 1] * st) % su != 0)
                throw error(std::string(op),
                            "the valid columns of " + t.describe() + " are not a whole number of " +
                                std::string(dtype_traits<U>::name) + " elements",
                            loc);
            valid[r - 1] = valid[r - 1] * st / su;
        } else {
            detail::check_shape(shape, op, loc);
            const auto in_bytes = checked_mul(t.numel(), st), out_bytes = checked_mul(shape.product(), su);
            if (!in_bytes || !out_bytes || *in_bytes != *out_bytes)
                throw error(std::string(op),
                            "shape " + to_string(shape) + " of " + std::string(dtype_traits<U>::name) +
                                " does not hold the bytes of " + t.describe(),
                            loc);
            if (!t.fully_valid())
                throw error(std::string(op),
                            "an explicit shape needs a fully valid input, got " + t.describe() + " (fillpad it first)",
                            loc);
            valid = shape;
        }
        const detail::dense<T> d = detail::read_dense(t, op, loc);
        Tensor<U> out = detail::new_tensor<U>(os, op, loc);
        const index n = out.numel();
        if (n > 0)
            std::memcpy(static_cast<void*>(out.storage().data()), static_cast<const void*>(d.data),
                        static_cast<std::size_t>(n * su));
        std::vector<std::uint8_t> def;
        if (d.defined) {
            def.assign(static_cast<std::size_t>(n), 1);
            // Output element j covers bytes [j*su, (j+1)*su), i.e. source elements
            // j*su/st .. ((j+1)*su - 1)/st.
            for (index j = 0; j < n; ++j)
                for (index k = j * su / st; k <= ((j + 1) * su - 1) / st; ++k)
                    if (!d.is_defined(k))
                        def[static_cast<std::size_t>(j)] = 0;
        }
        detail::finish_output(out, d.defined ? def.data() : nullptr, op, loc, d.origin);
        return Tensor<U>(out.storage_ptr(), os, out.strides(), 0, valid);
    }
}

} // namespace ptoref::pl
