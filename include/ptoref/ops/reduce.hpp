// row_max, row_min, row_sum, row_prod: reduce the last axis, keepdim ([..., M, N] -> [..., M, 1]);
// col_sum, col_max, col_min, col_prod: reduce the second-to-last ([..., M, N] -> [..., 1, N]).
//
// The dtype is unchanged (a bf16 row_sum accumulates in bf16, each addition rounded; an integer
// row_sum wraps modulo 2^bits, which no order can change).
// max/min are order-independent by construction (NaN-propagating IEEE maximum, -0 < +0).
// row_sum has one canonical order, independent of SIMD width and threads (docs/semantics.md):
// 16 partial sums, lane l adding elements l, l+16, l+32, ... in ascending order starting from
// -0 (the exact additive identity), then combined by the fixed tree
// (l, l+8) -> (l, l+4) -> (l, l+2) -> (l, l+1). One AVX-512 register, two AVX2 registers or 16
// scalars all produce the same bits.
// row_prod and the col_* ops follow the A2A3 device's order, which is exact there (pto-isa
// TRowProd.hpp, TColSum.hpp, TColReduceOps.hpp): row_prod multiplies in 8 lanes (4-byte types)
// or 16 lanes (2-byte types) starting at 1, lane l taking x[l], x[l+L], ... in order, then the
// lanes left to right (2-byte floats widened to FP32 for that step, rounded once); col_* start
// from row 0 and fold rows 1, 2, ... in order.
#pragma once

#include <array>
#include <string>

#include "ptoref/ops/operand.hpp"
#include "ptoref/simd/elementwise_f32.hpp"
#include "ptoref/ops/scalar.hpp"

namespace ptoref {
namespace detail {

enum class row_reduction { max, min, sum, prod };

// The device's row product order (see the header comment).
template <class T>
T device_row_prod(const T* row, index n) noexcept
{
    constexpr int lanes = sizeof(T) == 2 ? 16 : 8;
    std::array<T, lanes> lane;
    if constexpr (float_element<T>)
        lane.fill(scalar::narrow<T>(1.0f));
    else
        lane.fill(T{1});
    for (index j = 0; j < n; ++j)
        lane[static_cast<std::size_t>(j % lanes)] = scalar::mul(lane[static_cast<std::size_t>(j % lanes)], row[j]);
    if constexpr (float_element<T> && sizeof(T) == 2) {
        float acc = scalar::widen(lane[0]);
        for (int l = 1; l < lanes; ++l)
            acc = scalar::canon(acc * scalar::widen(lane[static_cast<std::size_t>(l)]));
        return scalar::narrow<T>(acc);
    } else {
        T acc = lane[0];
        for (int l = 1; l < lanes; ++l)
            acc = scalar::mul(acc, lane[static_cast<std::size_t>(l)]);
        return acc;
    }
}

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
        if (kind == row_reduction::prod) {
            o[r] = device_row_prod(row, n);
        } else if constexpr (std::is_same_v<T, float>) { // SIMD rows: the same bits (simd/elementwise_f32.hpp)
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

enum class col_reduction { sum, max, min, prod };

template <class T>
Tensor<T> reduce_cols(const Tensor<T>& x, col_reduction kind, std::string_view op, const source_location& loc)
{
    require_handle(static_cast<bool>(x), op, "x", loc);
    const dims& s = x.shape();
    if (s.size() < 2 || s[s.size() - 2] < 1)
        throw error(std::string(op),
                    "needs at least 2 dims and a second-to-last axis with at least one element, got shape " +
                        to_string(s),
                    loc);
    const dense<T> dx = read_dense(x, op, loc);
    const int r = s.size();
    dims out_shape = s;
    out_shape[r - 2] = 1;
    Tensor<T> out = new_tensor<T>(out_shape, op, loc);
    const index m = s[r - 2], n = s[r - 1];
    const index blocks = n == 0 ? 0 : out_shape.product() / n;
    T* o = out.storage().data();
    std::vector<std::uint8_t> def;
    if (dx.defined)
        def.assign(static_cast<std::size_t>(out_shape.product()), 1);
    for (index b = 0; b < blocks; ++b)
        for (index j = 0; j < n; ++j) {
            const T* col = dx.data + b * m * n + j;
            T acc = col[0]; // dst = row 0, then each further row in order
            for (index i = 1; i < m; ++i) {
                const T v = col[i * n];
                switch (kind) {
                case col_reduction::sum:
                    acc = scalar::add(acc, v);
                    break;
                case col_reduction::max:
                    acc = scalar::maximum(acc, v);
                    break;
                case col_reduction::min:
                    acc = scalar::minimum(acc, v);
                    break;
                case col_reduction::prod:
                    acc = scalar::mul(acc, v);
                    break;
                }
            }
            o[b * n + j] = acc;
            if (dx.defined)
                for (index i = 0; i < m; ++i)
                    if (!dx.defined[b * m * n + i * n + j])
                        def[static_cast<std::size_t>(b * n + j)] = 0;
        }
    finish_output(out, dx.defined ? def.data() : nullptr, op, loc, dx.origin);
    dims valid = x.valid_shape();
    valid[r - 2] = valid[r - 2] > 0 ? 1 : 0;
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
template <element_type T>
Tensor<T> row_prod(const Tensor<T>& x, source_location loc = source_location::current())
{
    return detail::reduce_rows(x, detail::row_reduction::prod, "pl::row_prod", loc);
}

#define PTOREF_COL_REDUCE(NAME, KIND)                                                                                  \
    template <element_type T>                                                                                          \
    Tensor<T> NAME(const Tensor<T>& x, source_location loc = source_location::current())                               \
    {                                                                                                                  \
        return detail::reduce_cols(x, detail::col_reduction::KIND, "pl::" #NAME, loc);                                 \
    }
PTOREF_COL_REDUCE(col_sum, sum)
PTOREF_COL_REDUCE(col_max, max)
PTOREF_COL_REDUCE(col_min, min)
PTOREF_COL_REDUCE(col_prod, prod)
#undef PTOREF_COL_REDUCE

} // namespace pl
} // namespace ptoref
