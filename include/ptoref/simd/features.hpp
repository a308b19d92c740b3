// Which SIMD path the kernels take: detected at run time, and forcible for tests.
//
// Every path computes the same bits (the kernels implement the canonical definitions of
// docs/semantics.md lane for lane); the choice only changes speed. PTOREF_SIMD=scalar|avx2|
// avx512|avx512bf16 in the environment, or force_path(), selects a path; asking for a path the
// CPU lacks is an error, never a silent fallback.
#pragma once

#include <atomic>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ptoref/core/error.hpp"

// GCC 12's AVX-512 intrinsics start some results from _mm512_undefined_*(), which
// -Wuninitialized reports once they are inlined into a kernel; the values are fully overwritten.
// Kernels with AVX-512 intrinsics sit between these two.
#if defined(__GNUC__) && !defined(__clang__)
#define PTOREF_AVX512_WARNINGS_OFF                                                                                     \
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wuninitialized\"")                               \
        _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
#define PTOREF_AVX512_WARNINGS_ON _Pragma("GCC diagnostic pop")
#else
#define PTOREF_AVX512_WARNINGS_OFF
#define PTOREF_AVX512_WARNINGS_ON
#endif

namespace ptoref::simd {

enum class path : int { scalar = 0, avx2 = 1, avx512 = 2, avx512bf16 = 3 };

constexpr std::string_view to_string(path p) noexcept
{
    switch (p) {
    case path::scalar:
        return "scalar";
    case path::avx2:
        return "avx2";
    case path::avx512:
        return "avx512";
    case path::avx512bf16:
        return "avx512bf16";
    }
    return "?";
}

// What the CPU can run (x86-64 only; every other architecture uses the scalar path).
inline bool cpu_has(path p) noexcept
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    switch (p) {
    case path::scalar:
        return true;
    case path::avx2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case path::avx512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl");
    case path::avx512bf16:
        return cpu_has(path::avx512) && __builtin_cpu_supports("avx512bf16");
    }
    return false;
#else
    return p == path::scalar;
#endif
}

inline path best_path() noexcept
{
    for (path p : {path::avx512bf16, path::avx512, path::avx2})
        if (cpu_has(p))
            return p;
    return path::scalar;
}

inline path parse_path(std::string_view s)
{
    for (path p : {path::scalar, path::avx2, path::avx512, path::avx512bf16})
        if (to_string(p) == s)
            return p;
    throw error("ptoref::simd",
                "unknown SIMD path \"" + std::string(s) + "\" (expected scalar, avx2, avx512 or avx512bf16)");
}

namespace detail {
inline std::atomic<int>& path_slot()
{
    static std::atomic<int> slot{[] {
        const char* env = std::getenv("PTOREF_SIMD");
        if (!env || !*env)
            return static_cast<int>(best_path());
        const path p = parse_path(env); // a bad value is an error at the first kernel call
        if (!cpu_has(p))
            throw error("PTOREF_SIMD", "this CPU cannot run the " + std::string(to_string(p)) + " path");
        return static_cast<int>(p);
    }()};
    return slot;
}
} // namespace detail

// The path kernels use now.
inline path active_path()
{
    return static_cast<path>(detail::path_slot().load(std::memory_order_relaxed));
}

// Selects a path for the whole process; throws if this CPU cannot run it.
inline void force_path(path p)
{
    if (!cpu_has(p))
        throw error("ptoref::simd::force_path", "this CPU cannot run the " + std::string(to_string(p)) + " path");
    detail::path_slot().store(static_cast<int>(p), std::memory_order_relaxed);
}

// Forces a path for a scope (tests), restoring the previous one.
class path_scope {
public:
    explicit path_scope(path p) : saved_(active_path()) { force_path(p); }
    ~path_scope() { detail::path_slot().store(static_cast<int>(saved_), std::memory_order_relaxed); }
    path_scope(const path_scope&) = delete;
    path_scope& operator=(const path_scope&) = delete;

private:
    path saved_;
};

} // namespace ptoref::simd
