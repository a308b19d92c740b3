// row_max, row_min, row_sum: reduce the last axis, keepdim ([..., M, N] -> [..., M, 1]).
//
// The dtype is unchanged (a bf16 row_sum accumulates in bf16, each addition rounded; an integer
// row_sum wraps modulo 2^bits, which no order can change).
// max/min are order-independent by construction (NaN-propagating IEEE maximum, -0 < +0).
// row_sum has one canonical order, independent of SIMD width and threads (docs/semantics.md):
// 16 partial sums, lane l adding elements l, l+16, l+32, ... in ascending order starting from
// -0 (the exact additive identity), then combined by the fixed tree
// (l, l+8) -> (l, l+4) -> (l, l+2) -> (l, l+1). One AVX-512 register, two AVX2 registers or 16
// scalars all produce the same bits.
#pragma once

#include <array>
#include <string>

#include "ptoref/ops/operand.hpp"
#include "ptoref/simd/elementwise_f32.hpp"
#include "ptoref/ops/scalar.hpp"

namespace ptoref {
namespace detail {

enum class row_reduction { max, min, sum };

template <class T>
Tensor<T> reduce_rows(const Tensor<T>& x, row_reduction kind, std::string_view op, const source_location& loc)
{
    static_assert(arithmetic_element<T>, "FP8 types are storage only: cast to FP32 before reducing");
    require_handle(static_cast<bool>(x), op, "x", loc);
    const dims& s = x.shape();
    if (s.size() < 1 || s.back() < 1)
        throw error(std::string(op), "needs a last axis with at least one element, got shape " + to_string(s), loc);
    const dense<T> dx = read_dense(x, op, loc);
    dims out_shape = s;
    out_shape[s.size() - 1] = 1;
    Tensor<T> out = new_tensor<T>(out_shape, op, loc);
    const index rows = out_shape.product();
    const index n = s.back();
    T* o = out.storage().data();
    std::vector<std::uint8_t> def;
    if (dx.defined)
        def.assign(static_cast<std::size_t>(rows), 1);
    const simd::path path = simd::active_path();
    for (index r = 0; r < rows; ++r) {
        const T* row = dx.data + r * n;
        if constexpr (std::is_same_v<T, float>) { // SIMD rows: the same bits (simd/elementwise_f32.hpp)
            o[r] = kind == row_reduction::sum ? simd::row_sum(row, n, path)
                                              : simd::row_minmax(row, n, kind == row_reduction::max, path);
        } else if (kind == row_reduction::sum) {
            o[r] = canonical_row_sum(row, n);
        } else {
            T acc = row[0];
            for (index j = 1; j < n; ++j)
                acc = kind == row_reduction::max ? scalar::maximum(acc, row[j]) : scalar::minimum(acc, row[j]);
            o[r] = acc;
        }
        if (dx.defined)
            for (index j = 0; j < n; ++j)
                if (!dx.defined[r * n + j])
                    def[static_cast<std::size_t>(r)] = 0;
    }
    finish_output(out, dx.defined ? def.data() : nullptr, op, loc, dx.origin);
    dims valid = x.valid_shape();
    valid[valid.size() - 1] = valid.back() > 0 ? 1 : 0;
    return Tensor<T>(out.storage_ptr(), out_shape, out.strides(), 0, valid);
}

} // namespace detail

namespace pl {

template <element_type T>
Tensor<T> row_max(const Tensor<T>& x, source_location loc = source_location::current())
{
    return detail::reduce_rows(x, detail::row_reduction::max, "pl::row_max", loc);
}
template <element_type T>
Tensor<T> row_min(const Tensor<T>& x, source_location loc = source_location::current())
{
    return detail::reduce_rows(x, detail::row_reduction::min, "pl::row_min", loc);
}
template <element_type T>
Tensor<T> row_sum(const Tensor<T>& x, source_location loc = source_location::current())
{
    return detail::reduce_rows(x, detail::row_reduction::sum, "pl::row_sum", loc);
}

} // namespace pl
} // namespace ptoref
