// Element types and the DSL's dtype names (pl::FP32, pl::BF16, pl::FP16, pl::INT32).
//
// Tensors are templated on the element type, so a dtype is a type; the dtype objects are tags
// that carry it, letting a port write pl::cast(x, pl::BF16) or pl::create_tensor(s, pl::FP32)
// exactly like the Python.
#pragma once

#include <cstdint>
#include <string_view>
#include <type_traits>

#include "ptoref/core/float16.hpp"

namespace ptoref {

template <class T>
struct dtype_tag {
    using type = T;
};

template <class T>
struct dtype_traits; // defined for the supported element types only

template <>
struct dtype_traits<float> {
    static constexpr std::string_view name = "FP32";
    static constexpr std::string_view npy_descr = "<f4";
    static constexpr bool is_float = true;
    // A signalling NaN with a recognisable payload: what uninitialised memory reads as.
    static constexpr std::uint32_t poison_bits = 0x7fa5a5a5u;
};
template <>
struct dtype_traits<bf16> {
    static constexpr std::string_view name = "BF16";
    static constexpr std::string_view npy_descr = "<u2"; // raw bits: numpy has no bfloat16
    static constexpr bool is_float = true;
    static constexpr std::uint16_t poison_bits = 0x7fa5u;
};
template <>
struct dtype_traits<fp16> {
    static constexpr std::string_view name = "FP16";
    static constexpr std::string_view npy_descr = "<f2";
    static constexpr bool is_float = true;
    static constexpr std::uint16_t poison_bits = 0x7d5au;
};
template <>
struct dtype_traits<std::int32_t> {
    static constexpr std::string_view name = "INT32";
    static constexpr std::string_view npy_descr = "<i4";
    static constexpr bool is_float = false;
    static constexpr std::uint32_t poison_bits = 0xa5a5a5a5u;
};

template <class T>
concept element_type =
    std::is_same_v<T, float> || std::is_same_v<T, bf16> || std::is_same_v<T, fp16> || std::is_same_v<T, std::int32_t>;

template <class T>
concept float_element = element_type<T> && dtype_traits<T>::is_float;

namespace pl {
using ptoref::bf16;
using ptoref::fp16;
inline constexpr dtype_tag<float> FP32{};
inline constexpr dtype_tag<bf16> BF16{};
inline constexpr dtype_tag<fp16> FP16{};
inline constexpr dtype_tag<std::int32_t> INT32{};
} // namespace pl

} // namespace ptoref
