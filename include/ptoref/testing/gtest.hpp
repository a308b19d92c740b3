// GoogleTest predicates for ptoref tensors:
//   EXPECT_TRUE(ptoref::testing::IsAllClose(actual, expected, 2e-3, 2e-3));
//   EXPECT_TRUE(ptoref::testing::HasDigestOf(actual, "9f86d0..."));
// A failure message carries the comparator's full report.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "ptoref/testing/compare.hpp"
#include "ptoref/testing/digest.hpp"

namespace ptoref::testing {

template <element_type T>
::testing::AssertionResult IsAllClose(const Tensor<T>& actual, const Tensor<T>& expected, double rtol = 1e-5,
                                      double atol = 1e-8)
{
    const compare_report r = allclose(actual, expected, rtol, atol);
    if (r.passed)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << r.str();
}

template <element_type T>
::testing::AssertionResult IsRatioAllClose(const Tensor<T>& actual, const Tensor<T>& expected, double atol = 1e-5,
                                           double rtol = 1e-5, double max_error_ratio = 0.005)
{
    const compare_report r = ratio_allclose(actual, expected, atol, rtol, max_error_ratio);
    if (r.passed)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << r.str();
}

template <element_type T>
::testing::AssertionResult HasDigestOf(const Tensor<T>& actual, const std::string& hex)
{
    const std::string d = digest(actual);
    if (d == hex)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << actual.describe() << " has SHA-256 " << d << ", expected " << hex;
}

} // namespace ptoref::testing
