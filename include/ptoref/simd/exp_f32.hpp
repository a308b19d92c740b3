// Placeholder: the array form of math::exp_cr (a vectorised version replaces this).
#pragma once

#include <cstddef>

#include "ptoref/math/exp.hpp"
#include "ptoref/simd/features.hpp"

namespace ptoref::simd {

inline void exp_cr(const float* in, float* out, std::size_t n, path which = active_path())
{
    (void)which;
    for (std::size_t i = 0; i < n; ++i)
        out[i] = math::exp_cr(in[i]);
}

} // namespace ptoref::simd
