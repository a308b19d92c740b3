// Element types and the DSL's dtype names (pl::FP32, pl::BF16, pl::FP16, pl::INT32, pl::INT8,
// pl::INT64, pl::UINT8, pl::UINT32, pl::FP8E4M3FN, pl::FP8E5M2).
//
// Tensors are templated on the element type, so a dtype is a type; the dtype objects are tags
// that carry it, letting a port write pl::cast(x, pl::BF16) or pl::create_tensor(s, pl::FP32)
// exactly like the Python.
//
// This file is the one list of element types: `element_types` and dtype_traits. Ops restrict
// themselves with the type-set concepts below (float_element, integer_element, ...), never by
// listing types again.
#pragma once

#include <bit>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "ptoref/core/float16.hpp"
#include "ptoref/core/float8.hpp"

namespace ptoref {

template <class T>
struct dtype_tag {
    using type = T;
};

template <class... T>
struct type_list {
};

// Every element type ptoref has, in dtype-id order (the Python binding's DType values).
using element_types = type_list<float, bf16, fp16, std::int32_t, std::int8_t, std::int64_t, std::uint8_t, std::uint32_t,
                                fp8e4m3fn, fp8e5m2>;

namespace detail {
template <class T, class List>
struct in_list;
template <class T, class... U>
struct in_list<T, type_list<U...>> : std::bool_constant<(std::is_same_v<T, U> || ...)> {
};

// The storage-type half of dtype_traits: raw bits in and out.
template <class T, class Bits>
struct bits_traits {
    using bits_type = Bits;
    static constexpr Bits to_bits(T v) noexcept
    {
        if constexpr (std::is_class_v<T>)
            return v.bits;
        else
            return std::bit_cast<Bits>(v);
    }
    static constexpr T from_bits(Bits b) noexcept
    {
        if constexpr (std::is_class_v<T>)
            return T::from_bits(b);
        else
            return std::bit_cast<T>(b);
    }
};

template <class T>
struct integer_traits : bits_traits<T, std::make_unsigned_t<T>> {
    static constexpr bool is_float = false;
    static constexpr bool is_signed = std::is_signed_v<T>;
    static constexpr int bits = static_cast<int>(sizeof(T) * 8);
    // 0xa5 in every byte: recognisable in a dump, and a large value of either sign.
    static constexpr std::make_unsigned_t<T> poison_bits = static_cast<std::make_unsigned_t<T>>(0xa5a5a5a5a5a5a5a5ull);
};
} // namespace detail

template <class T>
struct dtype_traits; // defined for the supported element types only

template <>
struct dtype_traits<float> : detail::bits_traits<float, std::uint32_t> {
    static constexpr std::string_view name = "FP32";
    static constexpr std::string_view npy_descr = "<f4";
    static constexpr bool is_float = true;
    static constexpr bool is_signed = true;
    static constexpr int bits = 32;
    // A signalling NaN with a recognisable payload: what uninitialised memory reads as.
    static constexpr std::uint32_t poison_bits = 0x7fa5a5a5u;
};
template <>
struct dtype_traits<bf16> : detail::bits_traits<bf16, std::uint16_t> {
    static constexpr std::string_view name = "BF16";
    static constexpr std::string_view npy_descr = "<u2"; // raw bits: numpy has no bfloat16
    static constexpr bool is_float = true;
    static constexpr bool is_signed = true;
    static constexpr int bits = 16;
    static constexpr std::uint16_t poison_bits = 0x7fa5u;
};
template <>
struct dtype_traits<fp16> : detail::bits_traits<fp16, std::uint16_t> {
    static constexpr std::string_view name = "FP16";
    static constexpr std::string_view npy_descr = "<f2";
    static constexpr bool is_float = true;
    static constexpr bool is_signed = true;
    static constexpr int bits = 16;
    static constexpr std::uint16_t poison_bits = 0x7d5au;
};
template <>
struct dtype_traits<fp8e4m3fn> : detail::bits_traits<fp8e4m3fn, std::uint8_t> {
    static constexpr std::string_view name = "FP8E4M3FN";
    static constexpr std::string_view npy_descr = "|u1"; // raw bits: numpy has no float8
    static constexpr bool is_float = true;
    static constexpr bool is_signed = true;
    static constexpr int bits = 8;
    static constexpr std::uint8_t poison_bits = 0x7fu; // the format's only NaN (no signalling NaN exists)
};
template <>
struct dtype_traits<fp8e5m2> : detail::bits_traits<fp8e5m2, std::uint8_t> {
    static constexpr std::string_view name = "FP8E5M2";
    static constexpr std::string_view npy_descr = "|u1"; // raw bits
    static constexpr bool is_float = true;
    static constexpr bool is_signed = true;
    static constexpr int bits = 8;
    static constexpr std::uint8_t poison_bits = 0x7du; // a signalling NaN (quiet bit clear)
};
template <>
struct dtype_traits<std::int32_t> : detail::integer_traits<std::int32_t> {
    static constexpr std::string_view name = "INT32";
    static constexpr std::string_view npy_descr = "<i4";
};
template <>
struct dtype_traits<std::int8_t> : detail::integer_traits<std::int8_t> {
    static constexpr std::string_view name = "INT8";
    static constexpr std::string_view npy_descr = "|i1";
};
template <>
struct dtype_traits<std::int64_t> : detail::integer_traits<std::int64_t> {
    static constexpr std::string_view name = "INT64";
    static constexpr std::string_view npy_descr = "<i8";
};
template <>
struct dtype_traits<std::uint8_t> : detail::integer_traits<std::uint8_t> {
    static constexpr std::string_view name = "UINT8";
    static constexpr std::string_view npy_descr = "|u1";
};
template <>
struct dtype_traits<std::uint32_t> : detail::integer_traits<std::uint32_t> {
    static constexpr std::string_view name = "UINT32";
    static constexpr std::string_view npy_descr = "<u4";
};

template <class T>
concept element_type = detail::in_list<T, element_types>::value;

// Type sets for ops that are defined on part of the element types.
template <class T>
concept float_element = element_type<T> && dtype_traits<T>::is_float;
template <class T>
concept integer_element = element_type<T> && !dtype_traits<T>::is_float;
template <class T>
concept signed_integer_element = integer_element<T> && dtype_traits<T>::is_signed;
template <class T>
concept unsigned_integer_element = integer_element<T> && !dtype_traits<T>::is_signed;
// The 8-bit floats: storage and conversion only (no arithmetic on any target).
template <class T>
concept fp8_element = std::is_same_v<T, fp8e4m3fn> || std::is_same_v<T, fp8e5m2>;
// Types the elementwise arithmetic and the reductions are defined on.
template <class T>
concept arithmetic_element = element_type<T> && !fp8_element<T>;

namespace pl {
using ptoref::bf16;
using ptoref::fp16;
using ptoref::fp8e4m3fn;
using ptoref::fp8e5m2;
inline constexpr dtype_tag<float> FP32{};
inline constexpr dtype_tag<bf16> BF16{};
inline constexpr dtype_tag<fp16> FP16{};
inline constexpr dtype_tag<std::int32_t> INT32{};
inline constexpr dtype_tag<std::int8_t> INT8{};
inline constexpr dtype_tag<std::int64_t> INT64{};
inline constexpr dtype_tag<std::uint8_t> UINT8{};
inline constexpr dtype_tag<std::uint32_t> UINT32{};
inline constexpr dtype_tag<fp8e4m3fn> FP8E4M3FN{};
inline constexpr dtype_tag<fp8e5m2> FP8E5M2{};
} // namespace pl

} // namespace ptoref
