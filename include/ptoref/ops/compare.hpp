// cmp / cmps (elementwise comparison) and sel / sels (select by a mask).
//
// cmp's result is the tensor form's (pypto lowers tensor cmp to a packed mask and then
// sel(mask, 1, 0)): 0 or 1 in lhs's shape and dtype. The tile form's bit-packed UINT8 mask is
// not modelled; sel/sels take such a 0/1 tensor (any dtype) as their mask, an element being
// "set" when it is non-zero (docs/semantics.md §3.11).
#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include "ptoref/check/config.hpp"
#include "ptoref/ops/elementwise.hpp"

namespace ptoref {
namespace detail {

// pypto's cmp_type codes (pto_ops_shared.cpp; pto-isa CmpMode).
inline constexpr int cmp_eq = 0, cmp_ne = 1, cmp_lt = 2, cmp_le = 3, cmp_gt = 4, cmp_ge = 5;

inline void check_cmp_type(int cmp_type, std::string_view op, const source_location& loc)
{
    if (cmp_type < cmp_eq || cmp_type > cmp_ge)
        throw error(
            std::string(op),
            "cmp_type " + std::to_string(cmp_type) + " is not a comparison (0 eq, 1 ne, 2 lt, 3 le, 4 gt, 5 ge)", loc);
}

// IEEE comparisons: every one but ne is false when an operand is NaN; -0 == +0.
template <class T>
bool compare(T a, T b, int cmp_type) noexcept
{
    if constexpr (float_element<T>) {
        const float x = scalar::widen(a), y = scalar::widen(b);
        switch (cmp_type) {
        case cmp_eq:
            return x == y;
        case cmp_ne:
            return x != y;
        case cmp_lt:
            return x < y;
        case cmp_le:
            return x <= y;
        case cmp_gt:
            return x > y;
        default:
            return x >= y;
        }
    } else {
        switch (cmp_type) {
        case cmp_eq:
            return a == b;
        case cmp_ne:
            return a != b;
        case cmp_lt:
            return a < b;
        case cmp_le:
            return a <= b;
        case cmp_gt:
            return a > b;
        default:
            return a >= b;
        }
    }
}

template <class T>
T truth_value(bool v) noexcept
{
    if constexpr (float_element<T>)
        return scalar::narrow<T>(v ? 1.0f : 0.0f);
    else
        return static_cast<T>(v ? 1 : 0);
}

template <class T>
bool mask_set(T m) noexcept
{
    if constexpr (float_element<T>)
        return scalar::widen(m) != 0.0f; // NaN counts as set; -0 does not
    else
        return m != 0;
}

// A2A3 compares 32-bit integers for equality only (pto-isa TCmp.hpp, issue #321): every mode but
// ne computes eq there. ptoref keeps the comparison asked for and notes how many results differ.
template <class T>
void note_int_cmp(const Tensor<T>& out, const std::vector<std::uint8_t>& eq, int cmp_type, std::string_view op,
                  const source_location& loc)
{
    if constexpr (std::is_integral_v<T> && sizeof(T) == 4) {
        if (cmp_type == cmp_eq || cmp_type == cmp_ne || !check::enabled())
            return;
        const T* o = out.storage().data();
        index differ = 0;
        for (std::size_t i = 0; i < eq.size(); ++i)
            differ += (o[i] != 0) != (eq[i] != 0);
        if (differ > 0)
            check::deliver::divergence({check::op_site{std::string(op), loc, access_kind::write},
                                        "INT32 lt/le/gt/ge: the A2A3 device compares for equality instead "
                                        "(pto-isa issue #321; pypto #2809 works around it)",
                                        differ, static_cast<index>(eq.size())});
    } else {
        (void)out, (void)eq, (void)cmp_type, (void)op, (void)loc;
    }
}

template <class T>
Tensor<T> cmp_op(const Tensor<T>& lhs, const Tensor<T>& rhs, int cmp_type, std::string_view op,
                 const source_location& loc)
{
    check_cmp_type(cmp_type, op, loc);
    std::vector<std::uint8_t> eq;
    const bool note = std::is_integral_v<T> && sizeof(T) == 4 && cmp_type >= cmp_lt && check::enabled();
    Tensor<T> out = binary_op(lhs, rhs, op, loc, [&](T a, T b) {
        if (note)
            eq.push_back(a == b);
        return truth_value<T>(compare(a, b, cmp_type));
    });
    if (note)
        note_int_cmp(out, eq, cmp_type, op, loc);
    return out;
}

template <class T>
Tensor<T> cmps_op(const Tensor<T>& lhs, T s, int cmp_type, std::string_view op, const source_location& loc)
{
    check_cmp_type(cmp_type, op, loc);
    std::vector<std::uint8_t> eq;
    const bool note = std::is_integral_v<T> && sizeof(T) == 4 && cmp_type >= cmp_lt && check::enabled();
    Tensor<T> out = unary_op(lhs, op, loc, [&](T a) {
        if (note)
            eq.push_back(a == s);
        return truth_value<T>(compare(a, s, cmp_type));
    });
    if (note)
        note_int_cmp(out, eq, cmp_type, op, loc);
    return out;
}

inline void require_same_shape(const dims& a, const dims& b, std::string_view what_a, std::string_view what_b,
                               std::string_view op, const source_location& loc)
{
    if (a != b)
        throw error(std::string(op),
                    std::string(what_a) + " has shape " + to_string(a) + " but " + std::string(what_b) + " has shape " +
                        to_string(b) + " (they must be equal)",
                    loc);
}

inline dims min_dims(const dims& a, const dims& b)
{
    dims r = a;
    for (int i = 0; i < r.size(); ++i)
        if (b[i] < r[i])
            r[i] = b[i];
    return r;
}

// out[i] = set(mask[i]) ? pick_a(i) : pick_b(i); defined iff the mask and the chosen value are.
template <class M, class T, class A, class B>
Tensor<T> select_op(const Tensor<M>& mask, const Tensor<T>& like, std::string_view op, const source_location& loc,
                    const dense<T>* da, const dense<T>* db, A pick_a, B pick_b, dims valid)
{
    const dense<M> dm = read_dense(mask, op, loc);
    Tensor<T> out = new_tensor<T>(like.shape(), op, loc);
    T* o = out.storage().data();
    const index n = dm.size();
    const bool track = dm.defined || (da && da->defined) || (db && db->defined);
    std::vector<std::uint8_t> def;
    if (track)
        def.resize(static_cast<std::size_t>(n));
    std::string origin = dm.origin;
    for (const dense<T>* d : {da, db})
        if (d && origin.empty())
            origin = d->origin;
    for (index i = 0; i < n; ++i) {
        const bool set = mask_set(dm.data[i]);
        o[i] = set ? pick_a(i) : pick_b(i);
        if (track) {
            const dense<T>* chosen = set ? da : db;
            def[static_cast<std::size_t>(i)] = dm.is_defined(i) && (chosen == nullptr || chosen->is_defined(i));
        }
    }
    finish_output(out, track ? def.data() : nullptr, op, loc, origin);
    return Tensor<T>(out.storage_ptr(), out.shape(), out.strides(), 0, min_dims(valid, mask.valid_shape()));
}

} // namespace detail

namespace pl {

// cmp(lhs, rhs, cmp_type): 1 where `lhs <cmp> rhs`, else 0, in lhs's dtype; rhs broadcasts as in
// the elementwise ops.
template <element_type T>
Tensor<T> cmp(const Tensor<T>& lhs, const Tensor<T>& rhs, int cmp_type = 0,
              source_location loc = source_location::current())
{
    return detail::cmp_op(lhs, rhs, cmp_type, "pl::cmp", loc);
}
template <element_type T, class S>
requires std::is_arithmetic_v<S> Tensor<T> cmp(const Tensor<T>& lhs, S rhs, int cmp_type = 0,
                                               source_location loc = source_location::current())
{
    return detail::cmps_op(lhs, detail::scalar_operand<T>(rhs), cmp_type, "pl::cmp", loc);
}
template <element_type T, class S>
requires std::is_arithmetic_v<S> Tensor<T> cmps(const Tensor<T>& lhs, S rhs, int cmp_type = 0,
                                                source_location loc = source_location::current())
{
    return detail::cmps_op(lhs, detail::scalar_operand<T>(rhs), cmp_type, "pl::cmps", loc);
}

// sel(mask, lhs, rhs): lhs where the mask is set, else rhs (pto-isa TSEL.md). All three shapes equal.
template <element_type M, element_type T>
Tensor<T> sel(const Tensor<M>& mask, const Tensor<T>& lhs, const Tensor<T>& rhs,
              source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::sel";
    detail::require_handle(static_cast<bool>(mask), op, "mask", loc);
    detail::require_handle(static_cast<bool>(lhs), op, "lhs", loc);
    detail::require_handle(static_cast<bool>(rhs), op, "rhs", loc);
    detail::require_same_shape(mask.shape(), lhs.shape(), "mask", "lhs", op, loc);
    detail::require_same_shape(lhs.shape(), rhs.shape(), "lhs", "rhs", op, loc);
    const detail::dense<T> da = detail::read_dense(lhs, op, loc);
    const detail::dense<T> db = detail::read_dense(rhs, op, loc);
    return detail::select_op(
        mask, lhs, op, loc, &da, &db, [&](index i) { return da.data[i]; }, [&](index i) { return db.data[i]; },
        detail::min_dims(lhs.valid_shape(), rhs.valid_shape()));
}

// sels(mask, src, scalar): src where the mask is set, else the scalar (pto-isa TSELS.md).
template <element_type M, element_type T, class S>
requires std::is_arithmetic_v<S> Tensor<T> sels(const Tensor<M>& mask, const Tensor<T>& src, S scalar,
                                                source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::sels";
    detail::require_handle(static_cast<bool>(mask), op, "mask", loc);
    detail::require_handle(static_cast<bool>(src), op, "src", loc);
    detail::require_same_shape(mask.shape(), src.shape(), "mask", "src", op, loc);
    const T s = detail::scalar_operand<T>(scalar);
    const detail::dense<T> da = detail::read_dense(src, op, loc);
    return detail::select_op(
        mask, src, op, loc, &da, static_cast<const detail::dense<T>*>(nullptr), [&](index i) { return da.data[i]; },
        [&](index) { return s; }, src.valid_shape());
}

} // namespace pl
} // namespace ptoref
