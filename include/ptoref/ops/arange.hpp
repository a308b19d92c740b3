// pl::ci / pl::arange(start, shape, dtype=INT32, descending=False): an integer sequence along
// the last dim (docs/semantics.md §9.1; ops-semantics-2.md §3).
//
// Element k of the last dim is start + k (start - k when descending). pypto requires every
// leading dim to be 1 and the last dim to differ from 1; a value the dtype cannot hold (the
// device's wrap is unspecified) is an error here, never a silent wrap.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>

#include "ptoref/ops/operand.hpp"

namespace ptoref::pl {

template <element_type T>
requires std::is_integral_v<T> Tensor<T> ci(std::int64_t start, const dims& shape, dtype_tag<T> /*dtype*/,
                                            bool descending = false, source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::arange";
    detail::check_shape(shape, op, loc);
    for (int d = 0; d + 1 < shape.size(); ++d)
        if (shape[d] != 1)
            throw error(
                std::string(op),
                "leading dims of shape " + to_string(shape) + " must be 1 (the sequence runs along the last dim)", loc);
    const index n = shape.back();
    if (n == 1)
        throw error(std::string(op), "the last dim of shape " + to_string(shape) + " must not be 1 (pypto's rule)",
                    loc);
    using lim = std::numeric_limits<T>;
    // The two ends, in int64 (n - 1 <= 2^63 - 1; |start| is checked against T's range first).
    const bool start_ok = start >= static_cast<std::int64_t>(lim::min()) &&
                          (std::is_same_v<T, std::uint64_t> || start <= static_cast<std::int64_t>(lim::max()));
    const auto last =
        n == 0 ? std::optional<index>(start) : (descending ? checked_add(start, -(n - 1)) : checked_add(start, n - 1));
    const bool last_ok = last && *last >= static_cast<std::int64_t>(lim::min()) &&
                         (std::is_same_v<T, std::uint64_t> || *last <= static_cast<std::int64_t>(lim::max()));
    if (!start_ok || !last_ok)
        throw error(std::string(op),
                    "the sequence " + std::to_string(start) + (descending ? " down" : " up") + " over " +
                        std::to_string(n) + " elements leaves the range of " + std::string(dtype_traits<T>::name),
                    loc);
    Tensor<T> out = detail::new_tensor<T>(shape, op, loc);
    T* o = out.storage().data();
    for (index k = 0; k < n; ++k)
        o[k] = static_cast<T>(descending ? start - k : start + k);
    detail::finish_output(out, nullptr, op, loc);
    return out;
}

template <element_type T>
requires std::is_integral_v<T> Tensor<T> arange(std::int64_t start, const dims& shape, dtype_tag<T> dtype,
                                                bool descending = false,
                                                source_location loc = source_location::current())
{
    return ci(start, shape, dtype, descending, loc);
}

inline Tensor<std::int32_t> ci(std::int64_t start, const dims& shape, source_location loc = source_location::current())
{
    return ci(start, shape, dtype_tag<std::int32_t>{}, false, loc);
}
inline Tensor<std::int32_t> arange(std::int64_t start, const dims& shape,
                                   source_location loc = source_location::current())
{
    return ci(start, shape, dtype_tag<std::int32_t>{}, false, loc);
}

} // namespace ptoref::pl
