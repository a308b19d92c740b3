// pl::gather: the index form gather(input, dim, index) and the mask form
// gather(input, mask_pattern[, output_dtype]) (docs/semantics.md §9.2; ops-semantics-2.md §3).
//
// Index form: out has index's shape and out[..., k, ...] = input[..., index[..., k, ...], ...]
// along dim. An index outside [0, input.shape[dim]) is an error (the device does not check;
// torch.gather, the goldens' op, raises). The input is read whole (its valid region), as the
// device loads the tile before gathering from it.
// Mask form: the columns the pattern keeps, compacted; output_dtype (same width) reinterprets
// the bits (it is not a value cast).
#pragma once

#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "ptoref/ops/mask_pattern.hpp"
#include "ptoref/ops/operand.hpp"
#include "ptoref/ops/view.hpp"

namespace ptoref {
namespace detail {

template <class I>
inline constexpr bool index_element = std::is_integral_v<I>&& std::is_signed_v<I> && (sizeof(I) == 4 || sizeof(I) == 2);

// The index of an index tensor's element, as int64 (for messages and bounds checks).
template <class I>
index index_value(I v) noexcept
{
    return static_cast<index>(v);
}

} // namespace detail

namespace pl {

template <element_type T, element_type I>
Tensor<T> gather(const Tensor<T>& input, index dim, const Tensor<I>& index_t,
                 source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::gather";
    static_assert(detail::index_element<I>, "pl::gather: the index is INT32 (or INT16 for 16-bit inputs)");
    detail::require_handle(static_cast<bool>(input), op, "the input", loc);
    detail::require_handle(static_cast<bool>(index_t), op, "the index", loc);
    const int r = input.rank();
    const int ax = detail::normalize_axis(dim, r, op, loc);
    if constexpr (sizeof(I) == 2)
        if (sizeof(T) != 2)
            throw error(std::string(op),
                        "an INT16 index needs a 16-bit input, not " + input.describe() + " (use an INT32 index)", loc);
    bool shapes_ok = index_t.rank() == r;
    for (int d = 0; shapes_ok && d < r; ++d)
        shapes_ok = d == ax || index_t.shape()[d] == input.shape()[d];
    if (!shapes_ok)
        throw error(std::string(op),
                    "index " + index_t.describe() + " must have the shape of input " + input.describe() +
                        " except along dim " + std::to_string(dim),
                    loc);
    const detail::dense<T> di = detail::read_dense(input, op, loc);
    const detail::dense<I> dx = detail::read_dense(index_t, op, loc);
    const dims& os = index_t.shape();
    Tensor<T> out = detail::new_tensor<T>(os, op, loc);
    T* o = out.storage().data();
    const index n = out.numel();
    const index extent = input.shape()[ax];
    const dims in_strides = row_major_strides(input.shape());
    const bool track = di.defined || dx.defined;
    std::vector<std::uint8_t> def;
    if (track)
        def.assign(static_cast<std::size_t>(n), 1);
    dims idx = dims::filled(r, 0);
    for (index i = 0; i < n; ++i, advance_row_major(idx, os)) {
        if (!dx.is_defined(i)) { // an undefined index (padding, never written) gathers nothing
            o[i] = detail::poison_value<T>();
            def[static_cast<std::size_t>(i)] = 0;
            continue;
        }
        const index k = detail::index_value(dx.data[i]);
        if (k < 0 || k >= extent)
            throw error(std::string(op),
                        "index value " + std::to_string(k) + " at " + to_string(idx) + " of " + index_t.describe() +
                            " is outside [0, " + std::to_string(extent) + ") of input " + input.describe() +
                            " along dim " + std::to_string(dim),
                        loc);
        index f = 0;
        for (int d = 0; d < r; ++d)
            f += (d == ax ? k : idx[d]) * in_strides[d];
        o[i] = di.data[f];
        if (track)
            def[static_cast<std::size_t>(i)] = di.is_defined(f) ? 1 : 0;
    }
    detail::finish_output(out, track ? def.data() : nullptr, op, loc, dx.origin.empty() ? di.origin : dx.origin);
    return Tensor<T>(out.storage_ptr(), os, out.strides(), 0, index_t.valid_shape());
}

// Mask form with the bits kept in dtype U (same width as T).
template <element_type U, element_type T>
Tensor<U> gather(const Tensor<T>& input, MaskPattern mask_pattern, dtype_tag<U> /*output_dtype*/,
                 source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::gather";
    detail::require_handle(static_cast<bool>(input), op, "the input", loc);
    if constexpr (sizeof(U) != sizeof(T)) {
        throw error(std::string(op),
                    "output_dtype " + std::string(dtype_traits<U>::name) + " must have the bit width of input " +
                        input.describe() + " (it reinterprets bits)",
                    loc);
    } else {
        const detail::mask_geometry m = detail::mask_of(mask_pattern, op, loc);
        const int r = input.rank();
        const index cols = input.shape()[r - 1];
        if (cols % m.stride != 0)
            throw error(std::string(op),
                        "the last dim of " + input.describe() + " is not a multiple of the mask pattern's stride " +
                            std::to_string(m.stride),
                        loc);
        const detail::dense<T> di = detail::read_dense(input, op, loc);
        dims os = input.shape();
        os[r - 1] = cols / m.stride;
        Tensor<U> out = detail::new_tensor<U>(os, op, loc);
        U* o = out.storage().data();
        const index rows = cols == 0 ? 0 : input.numel() / cols, oc = os[r - 1];
        std::vector<std::uint8_t> def;
        if (di.defined)
            def.assign(static_cast<std::size_t>(out.numel()), 1);
        for (index i = 0; i < rows; ++i)
            for (index j = 0; j < oc; ++j) {
                const index f = i * cols + j * m.stride + m.phase;
                std::memcpy(static_cast<void*>(o + i * oc + j), static_cast<const void*>(di.data + f), sizeof(T));
                if (di.defined)
                    def[static_cast<std::size_t>(i * oc + j)] = di.defined[f];
            }
        detail::finish_output(out, di.defined ? def.data() : nullptr, op, loc, di.origin);
        dims valid = input.valid_shape();
        valid[r - 1] = detail::kept_columns(valid[r - 1], m);
        return Tensor<U>(out.storage_ptr(), os, out.strides(), 0, valid);
    }
}

template <element_type T>
Tensor<T> gather(const Tensor<T>& input, MaskPattern mask_pattern, source_location loc = source_location::current())
{
    return gather(input, mask_pattern, dtype_tag<T>{}, loc);
}

} // namespace pl
} // namespace ptoref
