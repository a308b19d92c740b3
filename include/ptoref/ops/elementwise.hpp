// Elementwise ops: add sub mul div maximum minimum (tensor (+) tensor with broadcasting, and
// tensor (+) scalar, also spelt adds subs muls divs maximums minimums), and neg abs exp sqrt
// rsqrt recip log.
//
// Result dtype = the operands' dtype (mixed dtypes are a compile error: the DSL needs an
// explicit pl.cast there). Scalars become an FP32 literal first, as the DSL's ConstFloat is,
// and are then narrowed to the tensor's dtype (the tile op's rule, docs/semantics.md §3.10).
#pragma once

#include <bit>
#include <string>
#include <type_traits>
#include <vector>

#include "ptoref/check/config.hpp"
#include "ptoref/ops/operand.hpp"
#include "ptoref/ops/scalar.hpp"
#include "ptoref/simd/elementwise_f32.hpp"
#include "ptoref/simd/exp_f32.hpp"

namespace ptoref {
namespace detail {

// No SIMD kernel: the scalar definition f runs element by element.
inline constexpr int no_simd = -1;

// Calls body(sx, sy) with sx, sy = la, lb as compile-time constants (each 0 or 1).
template <class Body>
void with_unit_steps(index la, index lb, Body&& body)
{
    using zero = std::integral_constant<index, 0>;
    using one = std::integral_constant<index, 1>;
    if (la != 0 && lb != 0)
        body(one{}, one{});
    else if (la != 0)
        body(one{}, zero{});
    else if (lb != 0)
        body(zero{}, one{});
    else
        body(zero{}, zero{});
}

// `kind` (a simd::binary_f32, or no_simd) lets FP32 rows run on the SIMD kernel, which gives
// f's bits (simd/elementwise_f32.hpp).
template <class T, class F>
Tensor<T> binary_op(const Tensor<T>& a, const Tensor<T>& b, std::string_view op, const source_location& loc, F f,
                    int kind = no_simd)
{
    static_assert(arithmetic_element<T>, "FP8 types are storage only: cast to FP32 first");
    require_handle(static_cast<bool>(a), op, "lhs", loc);
    require_handle(static_cast<bool>(b), op, "rhs", loc);
    const dims out_shape = broadcast_shapes(a.shape(), b.shape(), op, loc);
    const dense<T> da = read_dense(a, op, loc);
    const dense<T> db = read_dense(b, op, loc);
    Tensor<T> out = new_tensor<T>(out_shape, op, loc);
    const dims sa = broadcast_strides(a.shape(), out_shape);
    const dims sb = broadcast_strides(b.shape(), out_shape);
    T* o = out.storage().data();
    const bool track = da.defined || db.defined;
    std::vector<std::uint8_t> def;
    if (track)
        def.resize(static_cast<std::size_t>(out_shape.product()));
    // The operands are dense, so along the last axis each steps by 1 or by 0 (one value per
    // row): row by row, with loops specialised on those steps. Each element is still f of the
    // same two elements (or the SIMD kernel with f's bits), only the loop changes.
    [[maybe_unused]] simd::path path = simd::path::scalar;
    if constexpr (std::is_same_v<T, float>)
        if (kind != no_simd)
            path = simd::active_path();
    const bool vector = path != simd::path::scalar;
    static constexpr std::uint8_t all_defined = 1; // stands for an operand without a mask, step 0
    auto row = [&](index oi, index ia, index ib, index len, index la, index lb) {
        T* orow = o + oi;
        const T* x = da.data + ia;
        const T* y = db.data + ib;
        if constexpr (std::is_same_v<T, float>)
            if (vector)
                simd::binary_row(static_cast<simd::binary_f32>(kind), x, la, y, lb, orow, len, path);
        if (!vector)
            with_unit_steps(la, lb, [&](auto sx, auto sy) {
                for (index j = 0; j < len; ++j)
                    orow[j] = f(x[j * sx], y[j * sy]);
            });
        if (track) {
            std::uint8_t* drow = def.data() + oi;
            const std::uint8_t* px = da.defined ? da.defined + ia : &all_defined;
            const std::uint8_t* py = db.defined ? db.defined + ib : &all_defined;
            with_unit_steps(da.defined ? la : 0, db.defined ? lb : 0, [&](auto sx, auto sy) {
                for (index j = 0; j < len; ++j)
                    // int operands: a branch-free and that vectorises (clang warns on bool & bool).
                    drow[j] = static_cast<std::uint8_t>(int{px[j * sx] != 0} & int{py[j * sy] != 0});
            });
        }
    };
    if (out_shape.size() > 0)
        for_each_broadcast_row(out_shape, sa, sb, row);
    else
        row(0, 0, 0, 1, 0, 0); // rank 0: one element
    finish_output(out, track ? def.data() : nullptr, op, loc, da.origin.empty() ? db.origin : da.origin);
    dims valid = broadcast_valid(out_shape, a.shape(), a.valid_shape(), out_shape);
    valid = broadcast_valid(out_shape, b.shape(), b.valid_shape(), valid);
    return Tensor<T>(out.storage_ptr(), out.shape(), out.strides(), 0, valid);
}

template <class T, class F>
Tensor<T> unary_op(const Tensor<T>& a, std::string_view op, const source_location& loc, F f)
{
    static_assert(arithmetic_element<T>, "FP8 types are storage only: cast to FP32 first");
    const dense<T> da = read_dense(a, op, loc);
    Tensor<T> out = new_tensor<T>(a.shape(), op, loc);
    T* o = out.storage().data();
    const index n = da.size();
    for (index i = 0; i < n; ++i)
        o[i] = f(da.data[i]);
    finish_output(out, da.defined, op, loc, da.origin);
    return Tensor<T>(out.storage_ptr(), out.shape(), out.strides(), 0, a.valid_shape());
}

// unary_op for kernels that take a whole array: f(in, out, n).
template <class T, class F>
Tensor<T> unary_op_array(const Tensor<T>& a, std::string_view op, const source_location& loc, F f)
{
    const dense<T> da = read_dense(a, op, loc);
    Tensor<T> out = new_tensor<T>(a.shape(), op, loc);
    f(da.data, out.storage().data(), da.size());
    finish_output(out, da.defined, op, loc, da.origin);
    return Tensor<T>(out.storage_ptr(), out.shape(), out.strides(), 0, a.valid_shape());
}

template <class T>
void check_int_divisor(T b, std::string_view op, const source_location& loc)
{
    if (b == T{0})
        throw error(std::string(op), "integer division by zero", loc);
}

// The division functor: integer division by zero is an error naming the op and call site.
template <class T>
auto divide(std::string_view op, const source_location& loc)
{
    if constexpr (integer_element<T>)
        return [op, loc](T a, T b) {
            check_int_divisor<T>(b, op, loc);
            return scalar::div(a, b);
        };
    else
        return [](T a, T b) { return scalar::div(a, b); };
}

// A2A3's TDIVS computes x * fl(1/s) instead of x / s when its output aliases its input (pto-isa
// TDivS.hpp); whether the compiler reuses the buffer is its choice, so ptoref cannot tell. It
// divides (the documented meaning) and notes the site when the two would differ here.
inline void note_divs_alias(const Tensor<float>& x, const Tensor<float>& out, float s, const source_location& loc)
{
    const float r = 1.0f / s;
    // Host inspection, not an access: x may be a strided view; out is the op's fresh dense result.
    const std::vector<float> xv = x.to_vector();
    const float* ov = out.storage().data();
    index differ = 0;
    for (std::size_t i = 0; i < xv.size(); ++i)
        differ += std::bit_cast<std::uint32_t>(scalar::canon(xv[i] * r)) !=
                  std::bit_cast<std::uint32_t>(scalar::canon(ov[i]));
    if (differ > 0)
        check::deliver::divergence({check::op_site{"pl::div", loc, access_kind::write},
                                    "tensor / scalar: when the output aliases the input, the A2A3 device computes "
                                    "x * fl(1/s) instead of x / s",
                                    differ, static_cast<index>(xv.size())});
}

// A2A3 has no BF16 TADDS/TMULS/TMAXS/TDIVS: such a program cannot run on the device.
template <class T>
void note_bf16_scalar(std::string_view op, const source_location& loc)
{
    if constexpr (std::is_same_v<T, bf16>)
        if (check::enabled())
            check::deliver::divergence({check::op_site{std::string(op), loc, access_kind::write},
                                        "tensor (+) scalar on BF16: the A2A3 device has no BF16 scalar op "
                                        "(TADDS/TMULS/TMAXS/TDIVS), so this cannot run there",
                                        0, 0});
}

// The scalar as the tile op sees it: the DSL's FP32 literal (one RNE conversion from the C++
// value), narrowed to a 16-bit tensor's dtype by a second RNE conversion (pypto narrows the f32
// constant to the tile dtype); an integer tensor takes an integer scalar.
template <element_type T, class S>
T scalar_operand(S s)
{
    static_assert(std::is_arithmetic_v<S>, "the scalar operand must be an arithmetic value");
    if constexpr (float_element<T>)
        return scalar::narrow<T>(static_cast<float>(s));
    else {
        static_assert(std::is_integral_v<S>,
                      "an integer tensor takes an integer scalar (a float scalar would promote the result to FP32 "
                      "in the DSL; cast the tensor first)");
        return static_cast<T>(s);
    }
}

} // namespace detail

namespace pl {

#define PTOREF_BINARY_OP(NAME, DSL)                                                                                    \
    template <element_type T>                                                                                          \
    Tensor<T> NAME(const Tensor<T>& lhs, const Tensor<T>& rhs, source_location loc = source_location::current())       \
    {                                                                                                                  \
        return detail::binary_op(                                                                                      \
            lhs, rhs, DSL, loc, [](T a, T b) { return detail::scalar::NAME(a, b); },                                   \
            static_cast<int>(simd::binary_f32::NAME));                                                                 \
    }                                                                                                                  \
    template <element_type T, class S>                                                                                 \
    requires std::is_arithmetic_v<S> Tensor<T> NAME(const Tensor<T>& lhs, S rhs,                                       \
                                                    source_location loc = source_location::current())                  \
    {                                                                                                                  \
        static_assert(arithmetic_element<T>, "tensor-scalar ops are not defined on FP8 tensors (storage only): cast "  \
                                             "to a 16- or 32-bit type first");                                         \
        const T s = detail::scalar_operand<T>(rhs);                                                                    \
        detail::note_bf16_scalar<T>(DSL, loc);                                                                         \
        if constexpr (std::is_same_v<T, float>)                                                                        \
            return detail::unary_op_array(lhs, DSL, loc, [s](const float* in, float* out, index n) {                   \
                simd::binary_row(simd::binary_f32::NAME, in, 1, &s, 0, out, n);                                        \
            });                                                                                                        \
        else                                                                                                           \
            return detail::unary_op(lhs, DSL, loc, [s](T a) { return detail::scalar::NAME(a, s); });                   \
    }

PTOREF_BINARY_OP(add, "pl::add")
PTOREF_BINARY_OP(sub, "pl::sub")
PTOREF_BINARY_OP(mul, "pl::mul")
PTOREF_BINARY_OP(maximum, "pl::maximum")
PTOREF_BINARY_OP(minimum, "pl::minimum")
#undef PTOREF_BINARY_OP

template <element_type T>
Tensor<T> div(const Tensor<T>& lhs, const Tensor<T>& rhs, source_location loc = source_location::current())
{
    return detail::binary_op(lhs, rhs, "pl::div", loc, detail::divide<T>("pl::div", loc),
                             static_cast<int>(simd::binary_f32::div));
}
template <element_type T, class S>
requires std::is_arithmetic_v<S> Tensor<T> div(const Tensor<T>& lhs, S rhs,
                                               source_location loc = source_location::current())
{
    static_assert(
        arithmetic_element<T>,
        "tensor-scalar ops are not defined on FP8 tensors (storage only): cast to a 16- or 32-bit type first");
    const T s = detail::scalar_operand<T>(rhs);
    detail::note_bf16_scalar<T>("pl::div", loc);
    if constexpr (integer_element<T>)
        detail::check_int_divisor<T>(s, "pl::div", loc);
    if constexpr (std::is_same_v<T, float>) {
        Tensor<T> out = detail::unary_op_array(lhs, "pl::div", loc, [s](const float* in, float* out, index n) {
            simd::binary_row(simd::binary_f32::div, in, 1, &s, 0, out, n);
        });
        if (check::enabled())
            detail::note_divs_alias(lhs, out, s, loc);
        return out;
    } else {
        return detail::unary_op(lhs, "pl::div", loc, [s](T a) { return detail::scalar::div(a, s); });
    }
}

// high_precision: A2A3 ignores the flag for div (pto-isa TDIV.md) and A5's high-precision
// division aims at the correctly rounded quotient, which the IEEE division already is; so the
// flag never changes a bit (docs/semantics.md §3.10).
template <element_type T>
Tensor<T> div(const Tensor<T>& lhs, const Tensor<T>& rhs, bool high_precision,
              source_location loc = source_location::current())
{
    (void)high_precision;
    return div(lhs, rhs, loc);
}

// The tensor-scalar spellings of pypto's tensor namespace (and tile maximums/minimums).
#define PTOREF_SCALAR_ALIAS(ALIAS, NAME)                                                                               \
    template <element_type T, class S>                                                                                 \
    requires std::is_arithmetic_v<S> Tensor<T> ALIAS(const Tensor<T>& lhs, S rhs,                                      \
                                                     source_location loc = source_location::current())                 \
    {                                                                                                                  \
        return NAME(lhs, rhs, loc);                                                                                    \
    }
PTOREF_SCALAR_ALIAS(adds, add)
PTOREF_SCALAR_ALIAS(subs, sub)
PTOREF_SCALAR_ALIAS(muls, mul)
PTOREF_SCALAR_ALIAS(divs, div)
PTOREF_SCALAR_ALIAS(maximums, maximum)
PTOREF_SCALAR_ALIAS(minimums, minimum)
#undef PTOREF_SCALAR_ALIAS

template <element_type T>
Tensor<T> neg(const Tensor<T>& x, source_location loc = source_location::current())
{
    if constexpr (std::is_same_v<T, float>)
        return detail::unary_op_array(x, "pl::neg", loc, [](const float* in, float* out, index n) {
            simd::unary_row(simd::unary_f32::neg, in, out, n);
        });
    else
        return detail::unary_op(x, "pl::neg", loc, [](T a) { return detail::scalar::neg(a); });
}
template <element_type T>
Tensor<T> abs(const Tensor<T>& x, source_location loc = source_location::current())
{
    if constexpr (std::is_same_v<T, float>)
        return detail::unary_op_array(x, "pl::abs", loc, [](const float* in, float* out, index n) {
            simd::unary_row(simd::unary_f32::abs, in, out, n);
        });
    else
        return detail::unary_op(x, "pl::abs", loc, [](T a) { return detail::scalar::abs(a); });
}

#define PTOREF_FLOAT_UNARY_OP(NAME, DSL)                                                                               \
    template <element_type T>                                                                                          \
    Tensor<T> NAME(const Tensor<T>& x, source_location loc = source_location::current())                               \
    {                                                                                                                  \
        static_assert(float_element<T> && !fp8_element<T>,                                                             \
                      DSL " is defined for floating-point tensors; cast integers to FP32 first");                      \
        return detail::unary_op(x, DSL, loc, [](T a) { return detail::scalar::NAME(a); });                             \
    }

// exp on FP32 runs the SIMD exp_cr (simd/exp_f32.hpp: the same bits on all 2^32 inputs).
template <element_type T>
Tensor<T> exp(const Tensor<T>& x, source_location loc = source_location::current())
{
    static_assert(float_element<T> && !fp8_element<T>,
                  "pl::exp is defined for floating-point tensors; cast integers to FP32 first");
    if constexpr (std::is_same_v<T, float>)
        return detail::unary_op_array(x, "pl::exp", loc, [](const float* in, float* out, index n) {
            simd::exp_cr(in, out, static_cast<std::size_t>(n));
        });
    else
        return detail::unary_op(x, "pl::exp", loc, [](T a) { return detail::scalar::exp(a); });
}
PTOREF_FLOAT_UNARY_OP(log, "pl::log")
#undef PTOREF_FLOAT_UNARY_OP

// sqrt, rsqrt and recip on FP32 run the SIMD kernels (simd/elementwise_f32.hpp: the same bits).
#define PTOREF_FLOAT_UNARY_SIMD_OP(NAME, DSL)                                                                          \
    template <element_type T>                                                                                          \
    Tensor<T> NAME(const Tensor<T>& x, source_location loc = source_location::current())                               \
    {                                                                                                                  \
        static_assert(float_element<T> && !fp8_element<T>,                                                             \
                      DSL " is defined for floating-point tensors; cast integers to FP32 first");                      \
        if constexpr (std::is_same_v<T, float>)                                                                        \
            return detail::unary_op_array(x, DSL, loc, [](const float* in, float* out, index n) {                      \
                simd::unary_row(simd::unary_f32::NAME, in, out, n);                                                    \
            });                                                                                                        \
        else                                                                                                           \
            return detail::unary_op(x, DSL, loc, [](T a) { return detail::scalar::NAME(a); });                         \
    }

PTOREF_FLOAT_UNARY_SIMD_OP(sqrt, "pl::sqrt")
PTOREF_FLOAT_UNARY_SIMD_OP(recip, "pl::recip")
#undef PTOREF_FLOAT_UNARY_SIMD_OP

// rsqrt(x, high_precision): by default the correctly rounded 1/sqrt(x) (math/rsqrt.hpp);
// high_precision = sqrt rounded, then 1/x rounded, the device's high-precision sequence
// (SIMD on FP32, the same bits).
template <element_type T>
Tensor<T> rsqrt(const Tensor<T>& x, bool high_precision = false, source_location loc = source_location::current())
{
    static_assert(float_element<T> && !fp8_element<T>,
                  "pl::rsqrt is defined for floating-point tensors; cast integers to FP32 first");
    if (!high_precision)
        return detail::unary_op(x, "pl::rsqrt", loc, [](T a) { return detail::scalar::rsqrt(a); });
    if constexpr (std::is_same_v<T, float>)
        return detail::unary_op_array(x, "pl::rsqrt", loc, [](const float* in, float* out, index n) {
            simd::unary_row(simd::unary_f32::rsqrt_hp, in, out, n);
        });
    else
        return detail::unary_op(x, "pl::rsqrt", loc, [](T a) { return detail::scalar::rsqrt_hp(a); });
}

// recip and log with high_precision: A2A3 ignores the flag (pto-isa TRECIP.md, TLOG.md); ptoref's
// default already is the correctly rounded result (recip: one IEEE division; log: math/log.hpp),
// which is what a high-precision algorithm aims at, so the flag never changes a bit.
template <element_type T>
Tensor<T> recip(const Tensor<T>& x, bool high_precision, source_location loc = source_location::current())
{
    (void)high_precision;
    return recip(x, loc);
}
template <element_type T>
Tensor<T> log(const Tensor<T>& x, bool high_precision, source_location loc = source_location::current())
{
    (void)high_precision;
    return log(x, loc);
}

} // namespace pl
} // namespace ptoref
