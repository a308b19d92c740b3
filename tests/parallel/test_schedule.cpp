#include <ptoref/parallel/schedule.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

namespace pl = ptoref::pl;
using pl::schedule;

TEST_CASE("parse every form")
{
    CHECK(schedule::parse("sequential").which() == schedule::kind::sequential);
    CHECK(schedule::parse("reverse").which() == schedule::kind::reverse);
    CHECK(schedule::parse("shuffled:7").seed() == 7);
    CHECK(schedule::parse("shuffled").seed() == 0);
    CHECK(schedule::parse("threads:4").thread_count() == 4);
    CHECK(schedule::parse("threads").thread_count() >= 1);
    CHECK(schedule::parse("shuffled:7").str() == "shuffled:7");
    CHECK(schedule::parse("threads:3").str() == "threads:3");
}

TEST_CASE("bad schedules are errors naming the text")
{
    CHECK_THROWS_WITH(schedule::parse("bogus"), Catch::Contains("unknown schedule \"bogus\""));
    CHECK_THROWS_WITH(schedule::parse("threads:x"), Catch::Contains("bad number \"x\""));
    CHECK_THROWS_WITH(schedule::parse("threads:5000"), Catch::Contains("above 1024"));
    CHECK_THROWS_WITH(schedule::parse("reverse:1"), Catch::Contains("unknown schedule"));
    CHECK_THROWS_WITH(schedule::parse("shuffled:99999999999999999999999"), Catch::Contains("bad number"));
}

TEST_CASE("orders: a permutation; reverse is reversed; shuffled is seed-deterministic")
{
    for (const schedule& s :
         {schedule::sequential(), schedule::reverse(), schedule::shuffled(3), schedule::threads(2)}) {
        auto o = s.order(50);
        std::sort(o.begin(), o.end());
        std::vector<ptoref::index> iota(50);
        std::iota(iota.begin(), iota.end(), 0);
        CHECK(o == iota);
    }
    CHECK(schedule::reverse().order(4) == std::vector<ptoref::index>{3, 2, 1, 0});
    // Pinned: the permutation must be the same on every platform and compiler.
    CHECK(schedule::shuffled(7).order(8) == std::vector<ptoref::index>{1, 4, 5, 2, 6, 0, 3, 7});
    CHECK(schedule::shuffled(7).order(8) != schedule::shuffled(8).order(8));
    CHECK(schedule::shuffled(7).order(0).empty());
}

TEST_CASE("the process default can be set")
{
    const schedule saved = pl::default_schedule();
    pl::set_default_schedule(schedule::reverse());
    CHECK(pl::default_schedule().which() == schedule::kind::reverse);
    pl::set_default_schedule(saved);
}
