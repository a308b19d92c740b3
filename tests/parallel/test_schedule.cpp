// pl::schedule: parsing ("sequential", "reverse", "shuffled[:SEED]", "threads[:N]"), the
// iteration orders, and the process default (set_default_schedule, PTOREF_SCHEDULE).
#include <ptoref/parallel/schedule.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <numeric>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace pl = ptoref::pl;
using pl::schedule;
using order_t = std::vector<ptoref::index>;

namespace {
std::string at(int line)
{
    return " (at test_schedule.cpp:" + std::to_string(line) + ")";
}

int hardware_threads()
{
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

template <class F>
std::string message_of(F f)
{
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "<no exception>";
}

order_t iota(ptoref::index n)
{
    order_t v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), ptoref::index{0});
    return v;
}
} // namespace

TEST_CASE("parse: every form")
{
    CHECK(schedule::parse("sequential").which() == schedule::kind::sequential);
    CHECK(schedule::parse("reverse").which() == schedule::kind::reverse);

    const schedule s0 = schedule::parse("shuffled");
    CHECK(s0.which() == schedule::kind::shuffled);
    CHECK(s0.seed() == 0);
    CHECK(schedule::parse("shuffled:7").seed() == 7);
    CHECK(schedule::parse("shuffled:0").seed() == 0);
    CHECK(schedule::parse("shuffled:007").seed() == 7);
    CHECK(schedule::parse("shuffled:18446744073709551615").seed() == UINT64_MAX); // every 64-bit seed

    const schedule t0 = schedule::parse("threads");
    CHECK(t0.which() == schedule::kind::threads);
    CHECK(t0.thread_count() == hardware_threads()); // one per hardware thread
    CHECK(schedule::parse("threads:0").thread_count() == hardware_threads());
    CHECK(schedule::parse("threads:1").thread_count() == 1);
    CHECK(schedule::parse("threads:4").thread_count() == 4);
    CHECK(schedule::parse("threads:1024").thread_count() == 1024);

    // The factories agree with the text forms.
    CHECK(schedule::threads(3).thread_count() == 3);
    CHECK(schedule::threads(0).thread_count() == hardware_threads());
    CHECK(schedule::threads(-2).thread_count() == hardware_threads());
    CHECK(schedule::sequential().thread_count() == 1);
    CHECK(schedule::shuffled(9).seed() == 9);
}

TEST_CASE("str() and parse() round-trip")
{
    CHECK(schedule::sequential().str() == "sequential");
    CHECK(schedule::reverse().str() == "reverse");
    CHECK(schedule::shuffled(7).str() == "shuffled:7");
    CHECK(schedule::threads(3).str() == "threads:3");
    for (const schedule& s : {schedule::sequential(), schedule::reverse(), schedule::shuffled(0),
                              schedule::shuffled(123456789012345ull), schedule::threads(1), schedule::threads(5)}) {
        INFO(s.str());
        const schedule p = schedule::parse(s.str());
        CHECK(p.which() == s.which());
        CHECK(p.seed() == s.seed());
        CHECK(p.thread_count() == s.thread_count());
        CHECK(p.str() == s.str());
    }
}

TEST_CASE("parse: bad schedules are errors naming the text and the call site")
{
    // Each parse call sits alone on its line (a macro spanning lines would blur the call's line).
    int line = __LINE__ + 1;
    std::string msg = message_of([] { schedule::parse("bogus"); });
    CHECK(msg == "ptoref::pl::schedule: unknown schedule \"bogus\" (expected sequential, reverse, shuffled[:SEED] or "
                 "threads[:N])" +
                     at(line));
    line = __LINE__ + 1;
    msg = message_of([] { schedule::parse("threads:x"); });
    CHECK(msg == "ptoref::pl::schedule: bad number \"x\" in schedule \"threads:x\"" + at(line));
    line = __LINE__ + 1;
    msg = message_of([] { schedule::parse("threads:5000"); });
    CHECK(msg == "ptoref::pl::schedule: thread count 5000 is above 1024" + at(line));
    CHECK_THROWS_AS(schedule::parse("bogus"), ptoref::error);

    for (const char* bad : {"",
                            "Sequential",
                            " sequential",
                            "sequential ",
                            "sequential:1",
                            "reverse:1",
                            "sequential:",
                            "random",
                            "thread",
                            "threads:1025",
                            "threads:-1",
                            "threads:+2",
                            "threads: 2",
                            "threads:2x",
                            "shuffled:-7",
                            "shuffled:7.5",
                            "shuffled:0x10",
                            "shuffled:18446744073709551616",
                            "shuffled:99999999999999999999999",
                            "shuffled:",
                            "threads:",
                            "threads:2:3"}) {
        INFO("\"" << bad << "\"");
        CHECK_THROWS_AS(schedule::parse(bad), ptoref::error);
    }
    CHECK_THROWS_WITH(schedule::parse("shuffled:"), Catch::Contains("missing number after ':'"));
    CHECK_THROWS_WITH(schedule::parse("shuffled:18446744073709551616"), Catch::Contains("bad number"));
    CHECK_THROWS_WITH(schedule::parse(""), Catch::Contains("unknown schedule \"\""));
}

TEST_CASE("order(): a permutation of 0..n-1 for every kind")
{
    for (const schedule& s : {schedule::sequential(), schedule::reverse(), schedule::shuffled(0), schedule::shuffled(3),
                              schedule::shuffled(UINT64_MAX), schedule::threads(2)})
        for (ptoref::index n : {0, 1, 2, 3, 7, 8, 50, 257}) {
            INFO(s.str() << ", n = " << n);
            order_t o = s.order(n);
            REQUIRE(static_cast<ptoref::index>(o.size()) == n);
            std::sort(o.begin(), o.end());
            CHECK(o == iota(n));
        }
}

TEST_CASE("order(): sequential and threads are in order, reverse is reversed")
{
    for (ptoref::index n : {0, 1, 5, 64}) {
        CHECK(schedule::sequential().order(n) == iota(n));
        CHECK(schedule::threads(4).order(n) == iota(n)); // work is handed out in index order
        order_t r = iota(n);
        std::reverse(r.begin(), r.end());
        CHECK(schedule::reverse().order(n) == r);
    }
    CHECK(schedule::reverse().order(4) == order_t{3, 2, 1, 0});
}

TEST_CASE("order(): shuffled is seed-deterministic and pinned")
{
    // Pinned: Fisher-Yates over splitmix64, the same permutation on every platform and compiler.
    CHECK(schedule::shuffled(7).order(8) == order_t{1, 4, 5, 2, 6, 0, 3, 7});
    CHECK(schedule::parse("shuffled:7").order(8) == order_t{1, 4, 5, 2, 6, 0, 3, 7});
    // Same seed, same order, every time; a different seed gives another order.
    for (std::uint64_t seed : {0ull, 1ull, 7ull, 42ull, 0xdeadbeefull}) {
        INFO("seed " << seed);
        CHECK(schedule::shuffled(seed).order(100) == schedule::shuffled(seed).order(100));
        CHECK(schedule::shuffled(seed).order(100) != schedule::shuffled(seed + 1).order(100));
        CHECK(schedule::shuffled(seed).order(100) != iota(100));
    }
    CHECK(schedule::shuffled(7).order(8) != schedule::shuffled(8).order(8));
    CHECK(schedule::shuffled(7).order(0).empty());
    CHECK(schedule::shuffled(7).order(1) == order_t{0});
    // Over many seeds, every position receives every value: no fixed points built in.
    std::set<ptoref::index> firsts;
    for (std::uint64_t seed = 0; seed < 200; ++seed)
        firsts.insert(schedule::shuffled(seed).order(8)[0]);
    CHECK(firsts.size() == 8);
}

TEST_CASE("the process default: set_default_schedule")
{
    const schedule saved = pl::default_schedule();
    pl::set_default_schedule(schedule::reverse());
    CHECK(pl::default_schedule().which() == schedule::kind::reverse);
    pl::set_default_schedule(schedule::shuffled(11));
    CHECK(pl::default_schedule().str() == "shuffled:11");
    pl::set_default_schedule(schedule::threads(2));
    CHECK(pl::default_schedule().str() == "threads:2");
    pl::set_default_schedule(saved);
    CHECK(pl::default_schedule().str() == saved.str());
}

TEST_CASE("the process default: PTOREF_SCHEDULE is read on first use")
{
    // The default is read once, on first use; to test the environment path in-process, put the
    // slot back into its never-used state (the tests of this file do not run loops).
    const schedule saved = pl::default_schedule();
    auto reset = [] {
        auto& slot = pl::detail::default_slot();
        std::lock_guard<std::mutex> lock(slot.mutex);
        slot.initialised = false;
        slot.value = schedule::sequential();
    };
    reset();
    ::setenv("PTOREF_SCHEDULE", "shuffled:11", 1);
    CHECK(pl::default_schedule().str() == "shuffled:11");
    ::setenv("PTOREF_SCHEDULE", "threads:3", 1);
    CHECK(pl::default_schedule().str() == "shuffled:11"); // read once only
    reset();
    CHECK(pl::default_schedule().str() == "threads:3");
    reset();
    ::setenv("PTOREF_SCHEDULE", "", 1); // empty = unset
    CHECK(pl::default_schedule().which() == schedule::kind::sequential);
    reset();
    ::unsetenv("PTOREF_SCHEDULE");
    CHECK(pl::default_schedule().which() == schedule::kind::sequential);
    reset();
    ::setenv("PTOREF_SCHEDULE", "bogus", 1); // a bad value is an error, not silently sequential
    CHECK_THROWS_WITH(pl::default_schedule(), Catch::Contains("unknown schedule \"bogus\""));
    CHECK_THROWS_AS(pl::default_schedule(), ptoref::error); // on every use
    ::unsetenv("PTOREF_SCHEDULE");
    pl::set_default_schedule(saved);
    CHECK(pl::default_schedule().str() == saved.str());
}
