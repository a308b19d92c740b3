// Catch2 (v2) matchers for ptoref tensors:
//   REQUIRE_THAT(actual, ptoref::testing::AllClose(expected, 2e-3, 2e-3));
//   REQUIRE_THAT(actual, ptoref::testing::HasDigest("9f86d0..."));
// On failure Catch prints the comparator's full report (mismatch count, first mismatches with
// indices, max abs/rel/ulp error).
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "ptoref/testing/compare.hpp"
#include "ptoref/testing/digest.hpp"

namespace ptoref::testing {

template <element_type T>
class AllCloseMatcher : public Catch::MatcherBase<Tensor<T>> {
public:
    AllCloseMatcher(Tensor<T> expected, double rtol, double atol, double max_error_ratio)
        : expected_(std::move(expected)), rtol_(rtol), atol_(atol), ratio_(max_error_ratio)
    {
    }
    bool match(const Tensor<T>& actual) const override
    {
        report_ = ratio_ < 0 ? allclose(actual, expected_, rtol_, atol_)
                             : ratio_allclose(actual, expected_, atol_, rtol_, ratio_);
        return report_.passed;
    }
    std::string describe() const override { return "is close to " + expected_.describe() + "\n" + report_.str(); }

private:
    Tensor<T> expected_;
    double rtol_, atol_, ratio_;
    mutable compare_report report_;
};

template <element_type T>
AllCloseMatcher<T> AllClose(const Tensor<T>& expected, double rtol = 1e-5, double atol = 1e-8)
{
    return AllCloseMatcher<T>(expected, rtol, atol, -1.0);
}

template <element_type T>
AllCloseMatcher<T> RatioAllClose(const Tensor<T>& expected, double atol = 1e-5, double rtol = 1e-5,
                                 double max_error_ratio = 0.005)
{
    return AllCloseMatcher<T>(expected, rtol, atol, max_error_ratio);
}

template <element_type T>
class DigestMatcher : public Catch::MatcherBase<Tensor<T>> {
public:
    explicit DigestMatcher(std::string hex) : expected_(std::move(hex)) {}
    bool match(const Tensor<T>& actual) const override
    {
        actual_ = digest(actual);
        return actual_ == expected_;
    }
    std::string describe() const override { return "has SHA-256 " + expected_ + " (actual " + actual_ + ")"; }

private:
    std::string expected_;
    mutable std::string actual_;
};

// The element type must be named: HasDigest<bf16>("...") — Catch2 v2 matchers are typed.
template <element_type T>
DigestMatcher<T> HasDigest(std::string hex)
{
    return DigestMatcher<T>(std::move(hex));
}

} // namespace ptoref::testing
