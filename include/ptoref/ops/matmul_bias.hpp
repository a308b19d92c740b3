// pl::matmul_bias(lhs, rhs, bias) (pl::tile::matmul_bias): lhs [M, K] @ rhs [K, N] + bias [1, N],
// the result in the accumulator dtype (FP32; INT32 for INT8/INT32 operands), bias in that dtype.
//
// The rounding order is the device's (a2a3 TMatmulBias starts L0C at the broadcast bias and
// accumulates the products onto it): every output's chain starts at bias[0, j] instead of +0 and
// then runs pl::matmul's k-ascending chain, i.e. matmul_bias(a, b, bias) has the bits of
// matmul_acc(bias broadcast to [M, N], a, b). It is not (a @ b) + bias, which rounds once more
// (what pto-isa's CPU simulator computes); docs/semantics.md has the reference.
#pragma once

#include "ptoref/ops/batch_matmul.hpp"

namespace ptoref {
namespace detail {

template <class T>
void require_matrix_operands(const Tensor<T>& a, const Tensor<T>& b, std::string_view op, const source_location& loc)
{
    require_handle(static_cast<bool>(a), op, "lhs", loc);
    require_handle(static_cast<bool>(b), op, "rhs", loc);
    if (a.rank() != 2 || b.rank() != 2)
        throw error(std::string(op),
                    "operands must be 2-D, got lhs " + to_string(a.shape()) + " and rhs " + to_string(b.shape()), loc);
}

} // namespace detail

namespace pl {

template <element_type T>
Tensor<detail::accumulator_t<T>> matmul_bias(const Tensor<T>& lhs, const Tensor<T>& rhs,
                                             const Tensor<detail::accumulator_t<T>>& bias,
                                             source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::matmul_bias";
    detail::require_matrix_operands(lhs, rhs, op, loc);
    return detail::product_impl<detail::accumulator_t<T>, T>({detail::chain_start::bias, &bias}, lhs, rhs, false, false,
                                                             0, op, loc);
}

namespace tile {
using pl::matmul_bias;
} // namespace tile

} // namespace pl
} // namespace ptoref
