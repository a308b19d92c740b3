// part_add / part_mul / part_max / part_min (ops/partial.hpp): where both operands are valid
// the op, where only the larger is valid its element; the result's valid region; errors.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::dims;
using ptoref::tensor_from;

TEST_CASE("part_*: the op inside the smaller valid region, a copy of the larger one elsewhere", "[partial]")
{
    std::vector<float> av, bv;
    for (int i = 0; i < 12; ++i)
        av.push_back(static_cast<float>(i + 1)), bv.push_back(static_cast<float>(10 * (i + 1)));
    auto a = tensor_from<float>({3, 4}, av);
    auto b = pl::slice(tensor_from<float>({3, 4}, bv), {3, 4}, {0, 0}, {2, 3});
    for (int k = 0; k < 4; ++k)
        for (bool swap : {false, true}) {
            const auto& l = swap ? b : a;
            const auto& r = swap ? a : b;
            ptoref::Tensor<float> out = k == 0   ? pl::part_add(l, r)
                                        : k == 1 ? pl::part_mul(l, r)
                                        : k == 2 ? pl::part_max(l, r)
                                                 : pl::part_min(l, r);
            CHECK(out.valid_shape() == dims{3, 4});
            const auto o = out.to_vector();
            for (int i = 0; i < 3; ++i)
                for (int j = 0; j < 4; ++j) {
                    const float x = av[static_cast<std::size_t>(i * 4 + j)],
                                y = bv[static_cast<std::size_t>(i * 4 + j)];
                    const float want = (i < 2 && j < 3) ? (k == 0   ? x + y
                                                           : k == 1 ? x * y
                                                           : k == 2 ? std::max(x, y)
                                                                    : std::min(x, y))
                                                        : x;
                    CHECK(o[static_cast<std::size_t>(i * 4 + j)] == want);
                }
            for (ix f = 0; f < 12; ++f)
                CHECK(out.storage().is_defined(f)); // every element came from valid data
        }
    // Equal valid regions: the plain op.
    CHECK(pl::part_add(a, a).to_vector() == pl::add(a, a).to_vector());
    auto ia = tensor_from<std::int32_t>({2}, {INT32_MAX, 3});
    auto ib = pl::slice(tensor_from<std::int32_t>({2}, {1, 4}), {2}, {0}, {1});
    CHECK(pl::part_add(ia, ib).to_vector() == std::vector<std::int32_t>{INT32_MIN, 3});
}

TEST_CASE("part_*: errors for unequal shapes and crossing valid regions", "[partial]")
{
    auto a = pl::full({2, 2}, pl::FP32, 1.0);
    REQUIRE_THROWS_WITH(pl::part_add(a, pl::full({2, 3}, pl::FP32, 1.0)),
                        Catch::Contains("pl::part_add: lhs has shape [2, 2] but rhs has shape [2, 3]"));
    auto l = pl::slice(a, {2, 2}, {0, 0}, {1, 2});
    auto r = pl::slice(a, {2, 2}, {0, 0}, {2, 1});
    REQUIRE_THROWS_WITH(
        pl::part_max(l, r),
        Catch::Contains("pl::part_max: the valid regions [1, 2] (lhs) and [2, 1] (rhs) are not nested"));
}
