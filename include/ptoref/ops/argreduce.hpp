// row_argmax, row_argmin ([..., M, N] -> [..., M, 1]) and col_argmax, col_argmin
// ([..., M, N] -> [..., 1, N]): the INT32 position of the extreme (docs/semantics.md §9.7;
// ops-semantics-2.md §7.1). Ties give the first position (the device's col_argmax, the
// simulator, torch.argmax). A NaN is the extreme of both: the first NaN's position wins
// (torch.argmax/argmin; the device's rule is unspecified). +0 and -0 tie. Integers compare as
// integers. Like row_max, the whole physical extent is reduced; a result is undefined when an
// element it was chosen among is undefined (padding, never written).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ptoref/ops/operand.hpp"
#include "ptoref/ops/scalar.hpp"

namespace ptoref {
namespace detail {

// v replaces the current best (strictly better; NaN beats every number, not another NaN).
template <class T>
bool arg_better(T v, T best, bool want_max) noexcept
{
    if constexpr (std::is_integral_v<T>) {
        return want_max ? v > best : v < best;
    } else {
        const float x = scalar::widen(v), b = scalar::widen(best);
        if (b != b)
            return false;
        if (x != x)
            return true;
        return want_max ? x > b : x < b;
    }
}

template <element_type T>
Tensor<std::int32_t> arg_reduce(const Tensor<T>& x, bool along_rows, bool want_max, std::string_view op,
                                const source_location& loc)
{
    require_handle(static_cast<bool>(x), op, "the input", loc);
    const dims& s = x.shape();
    const int r = s.size();
    const int ax = along_rows ? r - 1 : r - 2;
    if (ax < 0 || s[ax] < 1)
        throw error(std::string(op),
                    std::string("needs ") + (along_rows ? "a last axis" : "a second-to-last axis") +
                        " with at least one element, got " + x.describe(),
                    loc);
    if (s[ax] - 1 > INT32_MAX)
        throw error(std::string(op), "positions of " + x.describe() + " do not fit INT32", loc);
    const dense<T> dx = read_dense(x, op, loc);
    dims os = s;
    os[ax] = 1;
    Tensor<std::int32_t> out = new_tensor<std::int32_t>(os, op, loc);
    std::int32_t* o = out.storage().data();
    const index n = s[ax];
    const index inner = along_rows ? 1 : s[r - 1];
    const index outer = os.product() / (inner == 0 ? 1 : inner);
    std::vector<std::uint8_t> def;
    if (dx.defined)
        def.assign(static_cast<std::size_t>(out.numel()), 1);
    for (index a = 0; a < (out.numel() == 0 ? 0 : outer); ++a)
        for (index c = 0; c < inner; ++c) {
            const index base = a * n * inner + c;
            index best = 0;
            bool all_defined = true;
            for (index k = 0; k < n; ++k) {
                const index f = base + k * inner;
                all_defined = all_defined && dx.is_defined(f);
                if (k > 0 && arg_better(dx.data[f], dx.data[base + best * inner], want_max))
                    best = k;
            }
            o[a * inner + c] = static_cast<std::int32_t>(best);
            if (dx.defined)
                def[static_cast<std::size_t>(a * inner + c)] = all_defined ? 1 : 0;
        }
    finish_output(out, dx.defined ? def.data() : nullptr, op, loc, dx.origin);
    dims valid = x.valid_shape();
    valid[ax] = valid[ax] > 0 ? 1 : 0;
    return Tensor<std::int32_t>(out.storage_ptr(), os, out.strides(), 0, valid);
}

} // namespace detail

namespace pl {

template <element_type T>
Tensor<std::int32_t> row_argmax(const Tensor<T>& x, source_location loc = source_location::current())
{
    return detail::arg_reduce(x, true, true, "pl::row_argmax", loc);
}
template <element_type T>
Tensor<std::int32_t> row_argmin(const Tensor<T>& x, source_location loc = source_location::current())
{
    return detail::arg_reduce(x, true, false, "pl::row_argmin", loc);
}
template <element_type T>
Tensor<std::int32_t> col_argmax(const Tensor<T>& x, source_location loc = source_location::current())
{
    return detail::arg_reduce(x, false, true, "pl::col_argmax", loc);
}
template <element_type T>
Tensor<std::int32_t> col_argmin(const Tensor<T>& x, source_location loc = source_location::current())
{
    return detail::arg_reduce(x, false, false, "pl::col_argmin", loc);
}

} // namespace pl
} // namespace ptoref
