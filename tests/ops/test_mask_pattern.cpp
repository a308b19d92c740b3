// pl::MaskPattern (ops/mask_pattern.hpp): stride and phase of each pattern, kept columns.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using ptoref::source_location;

TEST_CASE("mask patterns: pypto's numbering, stride and phase")
{
    namespace pl = ptoref::pl;
    const auto loc = source_location::current();
    const std::vector<std::tuple<pl::MaskPattern, int, ptoref::index, ptoref::index>> want = {
        {pl::MaskPattern::P0101, 1, 2, 0}, {pl::MaskPattern::P1010, 2, 2, 1}, {pl::MaskPattern::P0001, 3, 4, 0},
        {pl::MaskPattern::P0010, 4, 4, 1}, {pl::MaskPattern::P0100, 5, 4, 2}, {pl::MaskPattern::P1000, 6, 4, 3},
        {pl::MaskPattern::P1111, 7, 1, 0}};
    for (const auto& [p, num, stride, phase] : want) {
        CHECK(static_cast<int>(p) == num);
        const auto m = ptoref::detail::mask_of(p, "test", loc);
        CHECK(m.stride == stride);
        CHECK(m.phase == phase);
        for (ptoref::index v = 0; v < 13; ++v) {
            ptoref::index kept = 0;
            for (ptoref::index c = 0; c < v; ++c)
                kept += c % stride == phase;
            CHECK(ptoref::detail::kept_columns(v, m) == kept);
        }
    }
    CHECK_THROWS_WITH(ptoref::detail::mask_of(static_cast<pl::MaskPattern>(-1), "test", loc),
                      Catch::Contains("mask pattern -1 is not one of 1..7"));
}
