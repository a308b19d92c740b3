// pl::gemv(lhs, rhs, acc_phase), pl::gemv_acc(acc, lhs, rhs, acc_phase), pl::gemv_bias(lhs, rhs,
// bias, acc_phase) (also in pl::tile): the cube's matrix-vector forms (pypto tile_ops/matmul.cpp).
//
// lhs is one row, physically and logically ([1, K], valid rows 1); inputs are INT8 (-> INT32) or
// FP32/BF16/FP16 (-> FP32). The result is the accumulator tile the device writes: physically
// [16, N] with valid_shape [1, N] (rows 1..15 are padding: poison, undefined). The numbers are
// pl::matmul's, pl::matmul_acc's and pl::matmul_bias's: row 0 is lhs @ rhs by the same k-ascending
// chain. acc_phase is a unit-flag scheduling hint (pto-isa AccPhase) with no numeric effect; it
// is checked and otherwise ignored. gemv_acc's acc is such a [16, N] tile with valid [1, N].
#pragma once

#include <type_traits>

#include "ptoref/ops/matmul_bias.hpp"

namespace ptoref {
namespace pl {

enum class AccPhase { unspecified, partial, final };

} // namespace pl

namespace detail {

inline constexpr index gemv_rows = 16; // the accumulator's physical rows (one 16 x 16 fractal)

template <class T>
inline constexpr bool gemv_element =
    std::is_same_v<T, std::int8_t> || std::is_same_v<T, float> || std::is_same_v<T, bf16> || std::is_same_v<T, fp16>;

template <class T>
void gemv_checks(const Tensor<T>& a, const Tensor<T>& b, pl::AccPhase phase, std::string_view op,
                 const source_location& loc)
{
    static_assert(gemv_element<T>, "gemv takes INT8 (-> INT32) or FP32, BF16, FP16 (-> FP32) operands");
    require_matrix_operands(a, b, op, loc);
    if (phase != pl::AccPhase::unspecified && phase != pl::AccPhase::partial && phase != pl::AccPhase::final)
        throw error(
            std::string(op),
            "acc_phase " + std::to_string(static_cast<int>(phase)) + " is not one of unspecified, partial, final", loc);
    if (a.shape()[0] != 1 || a.valid_shape()[0] != 1)
        throw error(std::string(op), "lhs must be exactly one row, physically and logically, got " + a.describe(), loc);
}

} // namespace detail

namespace pl {

template <element_type T>
Tensor<detail::accumulator_t<T>> gemv(const Tensor<T>& lhs, const Tensor<T>& rhs,
                                      AccPhase acc_phase = AccPhase::unspecified,
                                      source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::gemv";
    detail::gemv_checks(lhs, rhs, acc_phase, op, loc);
    return detail::product_impl<detail::accumulator_t<T>, T>({}, lhs, rhs, false, false, detail::gemv_rows, op, loc);
}

template <element_type T>
Tensor<detail::accumulator_t<T>> gemv_acc(const Tensor<detail::accumulator_t<T>>& acc, const Tensor<T>& lhs,
                                          const Tensor<T>& rhs, AccPhase acc_phase = AccPhase::unspecified,
                                          source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::gemv_acc";
    detail::gemv_checks(lhs, rhs, acc_phase, op, loc);
    detail::require_handle(static_cast<bool>(acc), op, "acc", loc);
    const index n = rhs.shape()[1];
    if (acc.rank() != 2 || acc.shape()[0] != detail::gemv_rows || acc.shape()[1] != n || acc.valid_shape()[0] != 1 ||
        acc.valid_shape()[1] != rhs.valid_shape()[1])
        throw error(std::string(op),
                    "acc must be the [16, " + std::to_string(n) + "] accumulator with valid_shape [1, " +
                        std::to_string(rhs.valid_shape()[1]) + "] that gemv makes, got " + acc.describe(),
                    loc);
    return detail::product_impl<detail::accumulator_t<T>, T>({detail::chain_start::acc, &acc}, lhs, rhs, false, false,
                                                             detail::gemv_rows, op, loc);
}

template <element_type T>
Tensor<detail::accumulator_t<T>>
gemv_bias(const Tensor<T>& lhs, const Tensor<T>& rhs, const Tensor<detail::accumulator_t<T>>& bias,
          AccPhase acc_phase = AccPhase::unspecified, source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::gemv_bias";
    detail::gemv_checks(lhs, rhs, acc_phase, op, loc);
    detail::require_handle(static_cast<bool>(bias), op, "bias", loc);
    if (bias.rank() == 2 && bias.valid_shape()[0] != 1)
        throw error(std::string(op), "bias must have exactly one valid row, got " + bias.describe(), loc);
    return detail::product_impl<detail::accumulator_t<T>, T>({detail::chain_start::bias, &bias}, lhs, rhs, false, false,
                                                             detail::gemv_rows, op, loc);
}

namespace tile {
using pl::gemv;
using pl::gemv_acc;
using pl::gemv_bias;
} // namespace tile

} // namespace pl
} // namespace ptoref
