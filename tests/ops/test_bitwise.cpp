// Bitwise ops and shifts (ops/bitwise.hpp) on INT32 against 64-bit oracles, every shift amount,
// and the shift-range errors.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::tensor_from;

TEST_CASE("and_/or_/xor_/not_ and their scalar forms: the stored bits, with broadcasting", "[bitwise]")
{
    rng g(5);
    std::vector<std::int32_t> av, bv;
    for (int i = 0; i < 48; ++i)
        av.push_back(static_cast<std::int32_t>(g.bits32())), bv.push_back(static_cast<std::int32_t>(g.bits32()));
    av[0] = INT32_MIN, av[1] = -1, av[2] = 0, bv[3] = INT32_MAX;
    auto a = tensor_from<std::int32_t>({6, 8}, av);
    auto b = tensor_from<std::int32_t>({6, 8}, bv);
    auto row = tensor_from<std::int32_t>({1, 8}, std::vector<std::int32_t>(bv.begin(), bv.begin() + 8));
    const auto ra = pl::and_(a, b).to_vector(), ro = pl::or_(a, b).to_vector(), rx = pl::xor_(a, b).to_vector();
    const auto rn = pl::not_(a).to_vector(), rb = pl::xor_(a, row).to_vector();
    const auto sa = pl::ands(a, 0x0f0f).to_vector(), so = pl::ors(a, -2).to_vector(), sx = pl::xors(a, 7).to_vector();
    for (std::size_t i = 0; i < av.size(); ++i) {
        const auto ua = static_cast<std::uint32_t>(av[i]), ub = static_cast<std::uint32_t>(bv[i]);
        CHECK(static_cast<std::uint32_t>(ra[i]) == (ua & ub));
        CHECK(static_cast<std::uint32_t>(ro[i]) == (ua | ub));
        CHECK(static_cast<std::uint32_t>(rx[i]) == (ua ^ ub));
        CHECK(static_cast<std::uint32_t>(rn[i]) == ~ua);
        CHECK(static_cast<std::uint32_t>(rb[i]) == (ua ^ static_cast<std::uint32_t>(bv[i % 8])));
        CHECK(static_cast<std::uint32_t>(sa[i]) == (ua & 0x0f0fu));
        CHECK(static_cast<std::uint32_t>(so[i]) == (ua | 0xfffffffeu));
        CHECK(static_cast<std::uint32_t>(sx[i]) == (ua ^ 7u));
    }
    CHECK(pl::and_(a, 3).to_vector() == pl::ands(a, 3).to_vector());
}

TEST_CASE("shl/shr: every amount 0..31; shr is arithmetic on INT32", "[bitwise]")
{
    const std::vector<std::int32_t> vals = {0, 1, -1, 5, -5, INT32_MIN, INT32_MAX, 0x12345678, -0x12345678};
    std::vector<std::int32_t> av, nv;
    for (std::int32_t v : vals)
        for (int n = 0; n < 32; ++n)
            av.push_back(v), nv.push_back(n);
    const ix len = static_cast<ix>(av.size());
    auto a = tensor_from<std::int32_t>({len}, av), n = tensor_from<std::int32_t>({len}, nv);
    const auto l = pl::shl(a, n).to_vector(), r = pl::shr(a, n).to_vector();
    for (std::size_t i = 0; i < av.size(); ++i) {
        const std::int64_t v = av[i];
        CHECK(static_cast<std::uint32_t>(l[i]) == static_cast<std::uint32_t>(static_cast<std::uint64_t>(v) << nv[i]));
        // floor(v / 2^n): the arithmetic shift
        const std::int64_t p = std::int64_t{1} << nv[i];
        const std::int64_t fl = v >= 0 ? v / p : -((-v + p - 1) / p);
        CHECK(r[i] == fl);
    }
    CHECK(pl::shls(a, 3).to_vector() == pl::shl(a, 3).to_vector());
    CHECK(pl::shrs(tensor_from<std::int32_t>({2}, {-8, 8}), 1).to_vector() == std::vector<std::int32_t>{-4, 4});
}

TEST_CASE("shifts: amounts outside [0, 32) are errors naming the op and the amount", "[bitwise]")
{
    auto a = tensor_from<std::int32_t>({2}, {1, 2});
    REQUIRE_THROWS_WITH(pl::shls(a, 32), Catch::Contains("pl::shls: shift amount 32 is outside [0, 32) for INT32"));
    REQUIRE_THROWS_WITH(pl::shrs(a, -1), Catch::Contains("pl::shrs: shift amount -1 is outside"));
    REQUIRE_THROWS_WITH(pl::shl(a, tensor_from<std::int32_t>({2}, {0, 40})),
                        Catch::Contains("pl::shl: shift amount 40"));
    REQUIRE_THROWS_WITH(pl::shr(a, tensor_from<std::int32_t>({2}, {-3, 0})),
                        Catch::Contains("pl::shr: shift amount -3"));
    REQUIRE_THROWS_WITH(pl::shrs(a, 1ull << 40), Catch::Contains("shift amount 1099511627776"));
    REQUIRE_THROWS_WITH(pl::and_(a, tensor_from<std::int32_t>({3}, {1, 2, 3})), Catch::Contains("pl::and_"));
}
