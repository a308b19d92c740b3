// The size cap: the largest buffer one tensor may have, in bytes.
//
// A size past the cap (or past what the allocator gives) is a ptoref::error naming the op, the
// dtype, the shape and the site, never std::bad_alloc or a crash. The cap also keeps sizes that
// no machine can hold away from the allocator, which under a sanitizer or a fuzzer would abort.
// Order: ptoref::set_max_bytes(n) if called with n > 0, else the environment variable
// PTOREF_MAX_BYTES (bytes, optionally with a K, M, G or T suffix for KiB..TiB), else 1 TiB.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ptoref/core/checked.hpp"
#include "ptoref/core/error.hpp"

namespace ptoref {

inline constexpr std::uint64_t default_max_bytes = std::uint64_t{1} << 40;

namespace detail {

inline std::atomic<std::uint64_t>& max_bytes_setting() noexcept
{
    static std::atomic<std::uint64_t> v{0}; // 0: not set, use the environment or the default
    return v;
}

// "1073741824", "64M", "2G", "1T"; nullopt for anything else (or 0, or more than 2^64 - 1).
inline std::optional<std::uint64_t> parse_byte_count(std::string_view s) noexcept
{
    int shift = 0;
    if (!s.empty()) {
        const char u = s.back();
        shift = u == 'K' ? 10 : u == 'M' ? 20 : u == 'G' ? 30 : u == 'T' ? 40 : 0;
        if (shift)
            s.remove_suffix(1);
    }
    if (s.empty() || s.size() > 20)
        return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9' || __builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, c - '0', &v))
            return std::nullopt;
    }
    if (v == 0 || v > (~std::uint64_t{0} >> shift))
        return std::nullopt;
    return v << shift;
}

} // namespace detail

// Sets the cap for this process; 0 goes back to PTOREF_MAX_BYTES or the default.
inline void set_max_bytes(std::uint64_t bytes) noexcept
{
    detail::max_bytes_setting().store(bytes, std::memory_order_relaxed);
}

// The cap in force. A malformed PTOREF_MAX_BYTES is an error on every use, never ignored.
inline std::uint64_t max_bytes(source_location loc = source_location::current())
{
    if (const std::uint64_t set = detail::max_bytes_setting().load(std::memory_order_relaxed))
        return set;
    static const char* env = std::getenv("PTOREF_MAX_BYTES");
    if (env == nullptr || *env == '\0')
        return default_max_bytes;
    static const std::optional<std::uint64_t> parsed = detail::parse_byte_count(env);
    if (!parsed)
        throw error("PTOREF_MAX_BYTES",
                    "'" + escape_excerpt(env, 40) + "' is not a byte count such as 1073741824, 64M, 2G or 1T", loc);
    return *parsed;
}

} // namespace ptoref
