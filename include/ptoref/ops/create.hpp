// pl::create_tensor and pl::full: new buffers.
//
// create_tensor's contents are unspecified in the DSL (device scratch memory holds garbage), so
// here every element is the poison pattern (a signalling NaN for floats) and marked undefined;
// the definedness checks report undefined data that reaches an output, a scalar read or an
// index.
#pragma once

#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "ptoref/ops/operand.hpp"

namespace ptoref::pl {

template <element_type T>
Tensor<T> create_tensor(const dims& shape, dtype_tag<T> /*dtype*/, source_location loc = source_location::current())
{
    Tensor<T> t = detail::new_tensor<T>(shape, "pl::create_tensor", loc, detail::for_overwrite);
    std::fill(t.storage().data(), t.storage().data() + t.numel(), detail::poison_value<T>());
    // The definedness shadow is one more byte per element, allocated here.
    detail::guard_allocation<T>(shape, "pl::create_tensor", loc, [&] { t.storage().mark_all_undefined(); });
    t.storage().set_poison_origin("pl::create_tensor at " + to_string(loc) + " (never written)");
    // Creation counts as a write by the creating iteration: a buffer created in one parallel
    // iteration and used by another is a cross-iteration dependency.
    detail::notify_access(t, t.geometry(), access_kind::write, "pl::create_tensor", loc);
    return t;
}

// A DSL literal stored into an element of type T: for floats an FP32 literal (one RNE
// conversion from the source value), rounded to nearest-even into 16- and 8-bit types; integers
// exactly (literal_value's caller checks the range: pl::full, the Python front end).
template <element_type T, class V>
requires std::is_arithmetic_v<V> T literal_value(V value)
{
    if constexpr (integer_element<T>) {
        static_assert(std::is_integral_v<V>, "an integer element takes an integer value");
        return static_cast<T>(value);
    } else if constexpr (std::is_same_v<T, float>) {
        return static_cast<float>(value);
    } else {
        return convert<T>(static_cast<float>(value), cast_mode::rint);
    }
}

// literal_value, with an integer literal outside T's range an error (never a silent wrap).
template <element_type T, class V>
requires std::is_arithmetic_v<V> T checked_literal(V value, std::string_view op, const source_location& loc)
{
    if constexpr (integer_element<T> && std::is_integral_v<V>) {
        if (!std::in_range<T>(value))
            throw error(std::string(op),
                        "value " + std::to_string(value) + " is out of range for " + std::string(dtype_traits<T>::name),
                        loc);
    }
    return literal_value<T>(value);
}

// Every element = literal_value<T>(value).
template <element_type T, class V>
requires std::is_arithmetic_v<V> Tensor<T> full(const dims& shape, dtype_tag<T> /*dtype*/, V value,
                                                source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::full";
    const T v = checked_literal<T>(value, op, loc);
    Tensor<T> t = detail::new_tensor<T>(shape, op, loc, detail::for_overwrite);
    std::fill(t.storage().data(), t.storage().data() + t.numel(), v);
    detail::finish_output(t, nullptr, op, loc);
    return t;
}

// create_tensor(shape, dtype, init_value=v): the host fills the new buffer before any kernel
// runs (ops-semantics-2.md §7.7). v = 0 gives all-zero bits in every dtype; otherwise the
// value is static_cast<T>(double v): FP32 rounds to nearest-even, an integer dtype takes only
// an integral value in its range, and NaN, infinities and non-zero FP16/BF16 values are
// rejected, as pypto rejects them.
template <element_type T, class V>
requires std::is_arithmetic_v<V> Tensor<T> create_tensor(const dims& shape, dtype_tag<T> /*dtype*/, V init_value,
                                                         source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::create_tensor";
    const auto v = static_cast<double>(init_value);
    const std::string what = "init_value " + std::to_string(init_value) + " for " + std::string(dtype_traits<T>::name);
    T fill{};
    if (v != v || v - v != 0)
        throw error(std::string(op), what + ": NaN and infinities are rejected", loc);
    if constexpr (std::is_integral_v<T>) {
        if (v != static_cast<double>(static_cast<std::int64_t>(v)) ||
            v < static_cast<double>(std::numeric_limits<T>::min()) ||
            v > static_cast<double>(std::numeric_limits<T>::max()))
            throw error(std::string(op), what + ": not an integer the dtype holds", loc);
        fill = static_cast<T>(static_cast<std::int64_t>(v));
    } else if constexpr (std::is_same_v<T, float>) {
        fill = static_cast<float>(v);
        if (fill - fill != 0)
            throw error(std::string(op), what + ": out of the FP32 range", loc);
    } else {
        if (v != 0)
            throw error(std::string(op), what + ": only 0 is accepted for a 16-bit or 8-bit float dtype", loc);
    }
    Tensor<T> t = detail::new_tensor<T>(shape, op, loc, detail::for_overwrite);
    if (v == 0)
        std::memset(static_cast<void*>(t.storage().data()), 0, static_cast<std::size_t>(t.numel()) * sizeof(T));
    else
        std::fill(t.storage().data(), t.storage().data() + t.numel(), fill);
    detail::finish_output(t, nullptr, op, loc);
    return t;
}

} // namespace ptoref::pl
