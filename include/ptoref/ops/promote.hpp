// The DSL's dtype promotion for mixed-dtype operands (pypto's PromoteDataTypes): same dtype ->
// that dtype; float beats int; otherwise the wider bit width wins; equal width, both float ->
// the first operand's type; equal width, both integers -> the signed one. pypto-lib programs cast explicitly almost
// everywhere, but a few add an FP32 accumulator to a BF16 matmul result; the C++ API stays strictly typed (a mismatch
// is a compile error), and the Python front end promotes with these rules.
//
// An operand is converted to the promoted type with round-to-nearest-even (the IEEE default;
// every conversion the rules produce from a 16-bit float to FP32 is exact).
#pragma once

#include <type_traits>

#include "ptoref/ops/cast.hpp"

namespace ptoref {
namespace detail {
template <class T>
inline constexpr int dtype_bits = static_cast<int>(sizeof(T) * 8);
} // namespace detail

namespace pl {

template <element_type A, element_type B>
struct promoted {
    using type = std::conditional_t<
        std::is_same_v<A, B>, A,
        std::conditional_t<
            float_element<A> != float_element<B>, std::conditional_t<float_element<A>, A, B>,
            std::conditional_t<
                (ptoref::detail::dtype_bits<A> != ptoref::detail::dtype_bits<B>),
                std::conditional_t<(ptoref::detail::dtype_bits<A> > ptoref::detail::dtype_bits<B>), A, B>,
                std::conditional_t<float_element<A> || dtype_traits<A>::is_signed || !dtype_traits<B>::is_signed, A,
                                   B>>>>;
};
template <element_type A, element_type B>
using promoted_t = typename promoted<A, B>::type;

// x converted to the promoted type To (a no-op handle copy when it already is To).
template <element_type To, element_type From>
Tensor<To> promote_operand(const Tensor<From>& x, source_location loc = source_location::current())
{
    if constexpr (std::is_same_v<To, From>)
        return x;
    else
        return cast(x, dtype_tag<To>{}, cast_mode::rint, loc);
}

} // namespace pl
} // namespace ptoref
