// Comparators for golden tests: allclose (pypto-lib's torch.allclose rule) and ratio_allclose
// (pypto-lib's ratio comparator), both with a report a human can act on.
//
// allclose: every element must satisfy |a - e| <= atol + rtol * |e|; NaN never matches (as
// torch.allclose with equal_nan=False); equal infinities match. The arithmetic is done in
// double, so a verdict can differ from torch's bf16-arithmetic one only when |a - e| is within
// one bf16 rounding of the bound.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "ptoref/tensor/tensor.hpp"

namespace ptoref::testing {

struct mismatch {
    dims index;
    double actual = 0;
    double expected = 0;
};

struct compare_report {
    std::string comparator; // "allclose" / "ratio_allclose"
    bool passed = true;
    index total = 0;
    index mismatches = 0;
    index allowed_mismatches = 0;
    std::vector<mismatch> first; // the first few, row-major
    double max_abs_error = 0;    // over all elements with finite values
    double max_rel_error = 0;    // |a - e| / |e| where e != 0
    std::uint64_t max_ulp_error = 0;
    dims shape;
    std::string dtype;
    double rtol = 0, atol = 0;

    explicit operator bool() const noexcept { return passed; }

    // pypto-lib style: a one-line verdict, the error summary, then the first mismatches.
    std::string str() const
    {
        std::ostringstream os;
        os.precision(9);
        os << comparator << "(rtol=" << rtol << ", atol=" << atol << ") on " << dtype << to_string(shape) << ": "
           << (passed ? "PASS" : "FAIL") << ", " << mismatches << "/" << total << " mismatches";
        if (comparator == "ratio_allclose")
            os << " (allowed " << allowed_mismatches << ")";
        os << "\n  max abs error " << max_abs_error << ", max rel error " << max_rel_error << ", max ulp error "
           << max_ulp_error << "\n";
        for (const mismatch& m : first)
            os << "  at " << to_string(m.index) << ": actual " << m.actual << ", expected " << m.expected << "\n";
        if (mismatches > static_cast<index>(first.size()))
            os << "  ... " << (mismatches - static_cast<index>(first.size())) << " more\n";
        return os.str();
    }
};

namespace detail {

template <class T>
double as_double(T v) noexcept
{
    if constexpr (std::is_integral_v<T>)
        return static_cast<double>(v); // INT64 beyond 2^53 rounds: comparisons are tolerances anyway
    else if constexpr (std::is_same_v<T, float>)
        return static_cast<double>(v);
    else
        return static_cast<double>(v.to_float());
}

// Position on a line where adjacent representable values are adjacent integers.
template <class T>
std::int64_t ordinal(T v) noexcept
{
    std::int64_t u;
    std::int64_t sign_bit;
    if constexpr (std::is_integral_v<T>)
        return static_cast<std::int64_t>(v);
    else if constexpr (std::is_same_v<T, float>) {
        u = std::bit_cast<std::uint32_t>(v);
        sign_bit = 0x80000000ll;
    } else {
        u = v.bits;
        sign_bit = std::int64_t{1} << (dtype_traits<T>::bits - 1);
    }
    return (u & sign_bit) ? -(u & (sign_bit - 1)) : u;
}

template <class T>
compare_report compare(const char* name, const Tensor<T>& actual, const Tensor<T>& expected, double rtol, double atol,
                       double max_error_ratio, std::size_t max_listed, const source_location& loc)
{
    if (!actual || !expected)
        throw error(std::string("ptoref::testing::") + name, "empty tensor handle", loc);
    if (!(actual.shape() == expected.shape()))
        throw error(std::string("ptoref::testing::") + name,
                    "shape mismatch: actual " + actual.describe() + ", expected " + expected.describe(), loc);
    compare_report r;
    r.comparator = name;
    r.total = actual.numel();
    r.shape = actual.shape();
    r.dtype = std::string(dtype_traits<T>::name);
    r.rtol = rtol;
    r.atol = atol;
    const std::vector<T> a = actual.to_vector();
    const std::vector<T> e = expected.to_vector();
    const bool ratio = max_error_ratio >= 0;
    dims idx = dims::filled(actual.rank(), 0);
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double x = as_double(a[i]), y = as_double(e[i]);
        bool ok;
        if (ratio && (!std::isfinite(x) || !std::isfinite(y)))
            ok = false; // the ratio comparator fails any NaN/Inf
        else if (std::isnan(x) || std::isnan(y))
            ok = false;
        else if (std::isinf(x) || std::isinf(y))
            ok = x == y;
        else
            ok = std::fabs(x - y) <= atol + rtol * std::fabs(y);
        if (std::isfinite(x) && std::isfinite(y)) {
            const double d = std::fabs(x - y);
            r.max_abs_error = d > r.max_abs_error ? d : r.max_abs_error;
            if (y != 0 && d / std::fabs(y) > r.max_rel_error)
                r.max_rel_error = d / std::fabs(y);
            std::uint64_t ulp;
            if constexpr (std::is_integral_v<T>) // the distance in unsigned arithmetic: no overflow for INT64
                ulp = a[i] > e[i] ? static_cast<std::uint64_t>(a[i]) - static_cast<std::uint64_t>(e[i])
                                  : static_cast<std::uint64_t>(e[i]) - static_cast<std::uint64_t>(a[i]);
            else {
                const std::int64_t od = ordinal(a[i]) - ordinal(e[i]);
                ulp = static_cast<std::uint64_t>(od < 0 ? -od : od);
            }
            r.max_ulp_error = ulp > r.max_ulp_error ? ulp : r.max_ulp_error;
        }
        if (!ok) {
            ++r.mismatches;
            if (r.first.size() < max_listed)
                r.first.push_back({idx, x, y});
        }
        advance_row_major(idx, actual.shape());
    }
    if (ratio) {
        r.allowed_mismatches = static_cast<index>(std::llround(max_error_ratio * static_cast<double>(r.total)));
        r.passed = r.mismatches <= r.allowed_mismatches;
    } else {
        r.passed = r.mismatches == 0;
    }
    return r;
}

} // namespace detail

// torch.allclose(actual, expected, rtol, atol) with a report; defaults are torch's.
template <element_type T>
compare_report allclose(const Tensor<T>& actual, const Tensor<T>& expected, double rtol = 1e-5, double atol = 1e-8,
                        std::size_t max_listed = 20, source_location loc = source_location::current())
{
    return detail::compare("allclose", actual, expected, rtol, atol, -1.0, max_listed, loc);
}

// pypto-lib's ratio_allclose: passes iff the elements violating |a - e| <= atol + rtol * |e|
// number at most round(max_error_ratio * numel); any NaN or Inf on either side is a violation.
template <element_type T>
compare_report ratio_allclose(const Tensor<T>& actual, const Tensor<T>& expected, double atol = 1e-5,
                              double rtol = 1e-5, double max_error_ratio = 0.005, std::size_t max_listed = 20,
                              source_location loc = source_location::current())
{
    return detail::compare("ratio_allclose", actual, expected, rtol, atol, max_error_ratio, max_listed, loc);
}

} // namespace ptoref::testing
