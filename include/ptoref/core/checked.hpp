// Checked size arithmetic: the one place where extents, offsets, strides and byte counts are
// added and multiplied. Every result either fits in int64 or is reported as "no value", so a
// caller can name its op, shapes and site in the error instead of computing with a wrapped
// number (signed overflow is undefined behaviour, and a wrapped size is a heap overflow later).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace ptoref {

// a + b, or nullopt when it does not fit in int64.
constexpr std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b) noexcept
{
    std::int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r))
        return std::nullopt;
    return r;
}

// a * b, or nullopt when it does not fit in int64.
constexpr std::optional<std::int64_t> checked_mul(std::int64_t a, std::int64_t b) noexcept
{
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r))
        return std::nullopt;
    return r;
}

// The product of extents (1 for none), or nullopt when an extent is negative or the product of
// the non-zero extents overflows int64. Zeros do not excuse the others (numpy's rule): strides
// are products of trailing extents, so [0, 2^62, 2^62] would overflow in its strides anyway.
template <class Range>
constexpr std::optional<std::int64_t> checked_product(const Range& extents) noexcept
{
    std::int64_t nonzero = 1;
    bool any_zero = false;
    for (const auto e : extents) {
        const auto v = static_cast<std::int64_t>(e);
        if (v < 0)
            return std::nullopt;
        if (v == 0) {
            any_zero = true;
            continue;
        }
        const auto p = checked_mul(nonzero, v);
        if (!p)
            return std::nullopt;
        nonzero = *p;
    }
    return any_zero ? 0 : nonzero;
}

// "4 TiB", "100 bytes", "1.0 KiB (1028 bytes)": sizes in error messages, exact when not whole.
inline std::string format_bytes(std::uint64_t n)
{
    static constexpr const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    double v = static_cast<double>(n);
    while (v >= 1024.0 && u < 6) {
        v /= 1024.0;
        ++u;
    }
    if (u == 0)
        return std::to_string(n) + " bytes";
    char buf[32];
    const bool whole = v == static_cast<double>(static_cast<std::uint64_t>(v));
    std::snprintf(buf, sizeof buf, whole ? "%.0f %s" : "%.1f %s", v, units[u]);
    return whole ? std::string(buf) : std::string(buf) + " (" + std::to_string(n) + " bytes)";
}

// Text from outside (file headers, paths, arguments) made safe for a one-line message: bytes
// outside printable ASCII as \xNN, cut after max_chars characters with a note of how much was
// left out. Messages stay short and cannot carry terminal escapes. Idempotent on its output
// (shorter than max_chars), so a message may be escaped again as a whole.
inline std::string escape_excerpt(std::string_view s, std::size_t max_chars = 200)
{
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    std::size_t i = 0;
    for (; i < s.size() && out.size() < max_chars; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    if (i < s.size())
        out += "... (" + std::to_string(s.size() - i) + " more bytes)";
    return out;
}

} // namespace ptoref
