// pl::AtomicType and the atomic-add forms of pl::assemble and pl::store (docs/semantics.md §9.6).
//
// assemble(target, source, offset, AtomicType::Add) adds the valid region of source into the
// window in place: target[w] = target[w] + source, one rounding in the target's dtype per add
// (the device's atomic unit holds the running sum in the GM dtype). The race checker sees an
// atomic add as a commutative update: atomic adds of different iterations to one element do not
// race with each other, but do race with a plain read or write of it (docs/checks.md). The adds
// of one call run in row-major order; concurrent calls (threaded schedules) are serialised, so
// the float result follows the order the schedule ran them in, as on the device.
#pragma once

#include <mutex>
#include <type_traits>

#include "ptoref/ops/assemble.hpp"
#include "ptoref/ops/scalar.hpp"
#include "ptoref/ops/store.hpp"

namespace ptoref {
namespace pl {
enum class AtomicType { None_, Add };
} // namespace pl

namespace detail {

// The dtypes pypto admits for an atomic add (fp32, bf16, fp16, int32, int16, int8).
template <class T>
inline constexpr bool atomic_addable =
    std::is_same_v<T, float> || std::is_same_v<T, bf16> || std::is_same_v<T, fp16> || std::is_same_v<T, std::int32_t> ||
    std::is_same_v<T, std::int16_t> || std::is_same_v<T, std::int8_t>;

// One atomic add: integers wrap (two's complement; the device's overflow is unspecified),
// floats round once to nearest-even in T (NaN canonical), as every ptoref add does.
template <class T>
T atomic_add_value(T old, T v) noexcept
{
    if constexpr (std::is_integral_v<T>) {
        using U = std::make_unsigned_t<T>;
        return static_cast<T>(static_cast<U>(static_cast<U>(old) + static_cast<U>(v)));
    } else {
        return scalar::add(old, v);
    }
}

inline std::mutex& atomic_mutex()
{
    static std::mutex m;
    return m;
}

template <element_type T>
Tensor<T> assemble_atomic(const Tensor<T>& target, const Tensor<T>& source, const dims& offset, pl::AtomicType atomic,
                          std::string_view op, const source_location& loc)
{
    if (atomic == pl::AtomicType::None_)
        return assemble_window(
            target, source, offset, op, access_kind::write, loc, [](T, T v) { return v; },
            [](bool, bool d) { return d; });
    if (atomic != pl::AtomicType::Add)
        throw error(std::string(op), "atomic type " + std::to_string(static_cast<int>(atomic)) + " is not None_ or Add",
                    loc);
    if constexpr (!atomic_addable<T>) {
        throw error(std::string(op),
                    "an atomic add into " + target.describe() +
                        " is not possible: the device adds only FP32, BF16, FP16, INT32, INT16 and INT8",
                    loc);
    } else {
        std::lock_guard<std::mutex> lock(atomic_mutex());
        return assemble_window(
            target, source, offset, op, access_kind::atomic_add, loc,
            [](T old, T v) { return atomic_add_value(old, v); }, [](bool a, bool b) { return a && b; });
    }
}

} // namespace detail

namespace pl {

// assemble with a combine mode: None_ overwrites (= the 3-argument assemble), Add adds in place.
template <element_type T>
Tensor<T> assemble(const Tensor<T>& target, const Tensor<T>& source, const dims& offset, AtomicType atomic,
                   source_location loc = source_location::current())
{
    return detail::assemble_atomic(target, source, offset, atomic, "pl::assemble", loc);
}

// store with a combine mode. An FP32 tile into a BF16/FP16 tensor is narrowed first (RNE, as
// FIXPIPE does), then added: the add rounds in the tensor's dtype.
template <element_type To, element_type From>
requires storable<To, From> Tensor<To> store(const Tensor<From>& tile, const dims& offsets, const Tensor<To>& output,
                                             AtomicType atomic, source_location loc = source_location::current())
{
    if constexpr (std::is_same_v<To, From>)
        return detail::assemble_atomic(output, tile, offsets, atomic, "pl::store", loc);
    else
        return detail::assemble_atomic(output, cast(tile, dtype_tag<To>{}, cast_mode::rint, loc), offsets, atomic,
                                       "pl::store", loc);
}

} // namespace pl
} // namespace ptoref
