// pl::spmd blocks with pl::system::syncall barriers, and pl::split_aiv lanes: phase-by-phase
// execution (a block sees the other blocks' earlier phases), race judgement within a phase
// only, the skipped / extra barrier error (never a hang) under every schedule, and the lane
// index rules. Built with -fsanitize=thread too (label threads).
#include <ptoref/ptoref.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#if defined(__SANITIZE_THREAD__)
#define PTOREF_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PTOREF_TEST_TSAN 1
#endif
#endif

namespace pl = ptoref::pl;

namespace {

const std::vector<pl::schedule>& every_schedule()
{
    static const std::vector<pl::schedule> s = {
        pl::schedule::sequential(), pl::schedule::reverse(),  pl::schedule::shuffled(7), pl::schedule::shuffled(123),
        pl::schedule::threads(2),   pl::schedule::threads(3), pl::schedule::threads(8)};
    return s;
}

bool has(const std::string& s, const std::string& part)
{
    return s.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("syncall: each block reads its neighbour's phase-0 result in phase 1, race-free, under every schedule")
{
    for (const pl::schedule& s : every_schedule()) {
        INFO(s.str());
        const pl::index n = 5;
        auto stage = pl::full({n}, pl::INT32, 0).name("stage");
        auto out = pl::full({n}, pl::INT32, 0).name("out");
        ptoref::check::collector c;
        pl::spmd(n, pl::on(s), [&](pl::index b) {
            stage = pl::write(stage, {b}, static_cast<std::int32_t>(10 * (b + 1)));
            pl::system::syncall();
            const std::int32_t right = pl::read(stage, {(b + 1) % n});
            pl::system::syncall();
            // phase 2 overwrites stage, which phase 1 read in other blocks: ordered by the barrier
            stage = pl::write(stage, {b}, right);
            out = pl::write(out, {b}, right + 1);
        });
        CHECK(c.races().empty());
        for (pl::index b = 0; b < n; ++b) {
            CHECK(pl::read(out, {b}) == 10 * ((b + 1) % n + 1) + 1);
            CHECK(pl::read(stage, {b}) == 10 * ((b + 1) % n + 1));
        }
    }
}

TEST_CASE("syncall: without the barrier the same program races; within a phase accesses still conflict")
{
    for (const pl::schedule& s : every_schedule()) {
#ifdef PTOREF_TEST_TSAN
        if (s.which() == pl::schedule::kind::threads)
            continue; // a real data race on threads: not under TSan
#endif
        INFO(s.str());
        auto stage = pl::full({4}, pl::INT32, 0).name("stage");
        ptoref::check::collector c;
        pl::spmd(4, pl::on(s), [&](pl::index b) {
            stage = pl::write(stage, {b}, 1);
            (void)pl::read(stage, {(b + 1) % 4}); // same phase: a race with block b+1's write
        });
        CHECK(c.races().size() >= 1);
    }
    // After a barrier, a conflict in the second phase is still found, and only there.
    auto t = pl::full({2}, pl::INT32, 0).name("t");
    ptoref::check::collector c;
    pl::spmd(2, [&](pl::index b) {
        t = pl::write(t, {b}, 1); // phase 0: disjoint
        pl::system::syncall();
        t = pl::write(t, {0}, static_cast<std::int32_t>(b)); // phase 1: both write t[0]
    });
    REQUIRE(c.races().size() == 1);
    const auto& r = c.races()[0];
    CHECK(r.kind == ptoref::check::race_kind::waw);
    CHECK(ptoref::check::boxes_to_string(r.tensor, r.region) == "t[0]");
    CHECK(r.elements == 1);
}

TEST_CASE("syncall: a block that skips a barrier is an error naming the launch and the counts, never a hang")
{
    for (const pl::schedule& s : every_schedule()) {
        INFO(s.str());
        auto t = pl::full({4}, pl::INT32, 0).name("t");
        const int line = __LINE__ + 2;
        auto launch = [&] {
            pl::spmd(4, pl::on(s), [&](pl::index b) {
                t = pl::write(t, {b}, 1);
                if (b != 1)
                    pl::system::syncall();
                t = pl::write(t, {b}, 2);
            });
        };
        try {
            launch();
            FAIL("no error");
        } catch (const ptoref::error& e) {
            const std::string m = e.what();
            INFO(m);
            CHECK(has(m, "pl.system.syncall: the blocks of the pl.spmd launch of 4 blocks reach different numbers "
                         "of barriers: "));
            CHECK(has(m, "block 1 ended after 0 barriers"));
            CHECK(has(m, "(every block must reach every barrier; on the device the others would wait forever)"));
            CHECK(has(m, "(at test_spmd.cpp:" + std::to_string(line)));
        }
    }
}

TEST_CASE("syncall: the exact text when the last block skips the second barrier (sequential)")
{
    auto t = pl::full({3}, pl::INT32, 0).name("t");
    try {
        pl::spmd(3, pl::on(pl::schedule::sequential()), [&](pl::index b) {
            pl::system::syncall();
            if (b != 2)
                pl::system::syncall();
            t = pl::write(t, {b}, 1);
        });
        FAIL("no error");
    } catch (const ptoref::error& e) {
        const std::string m = e.what();
        CHECK(m.substr(0, m.find(" (at ")) ==
              "pl.system.syncall: the blocks of the pl.spmd launch of 3 blocks reach different numbers of barriers: "
              "block 2 ended after 1 barrier; blocks 0, 1 reached barrier 2 (every block must reach every barrier; "
              "on the device the others would wait forever)");
    }
    // The values of the phases that ran are kept; the library is usable afterwards.
    pl::spmd(3, [&](pl::index b) {
        pl::system::syncall();
        t = pl::write(t, {b}, 7);
    });
    CHECK(pl::read(t, {2}) == 7);
}

TEST_CASE("syncall: a block reaching an extra barrier, the first block skipping, and an error inside a phase")
{
    for (const pl::schedule& s : every_schedule()) {
        INFO(s.str());
        // Block 0 runs first under sequential: it ends with no barrier while another reaches one.
        CHECK_THROWS_WITH(pl::spmd(3, pl::on(s),
                                   [&](pl::index b) {
                                       if (b != 0)
                                           pl::system::syncall();
                                   }),
                          Catch::Contains("block 0 ended after 0 barriers"));
        CHECK_THROWS_WITH(pl::spmd(3, pl::on(s),
                                   [&](pl::index b) {
                                       pl::system::syncall();
                                       if (b == 2)
                                           pl::system::syncall();
                                   }),
                          Catch::Contains("block 2 reached barrier 2"));
        // An exception in one block's phase releases the blocks waiting at the barrier.
        CHECK_THROWS_WITH(pl::spmd(4, pl::on(s),
                                   [&](pl::index b) {
                                       pl::system::syncall();
                                       if (b == 3)
                                           throw ptoref::error("user", "boom");
                                       pl::system::syncall();
                                   }),
                          Catch::Contains("user: boom"));
    }
}

TEST_CASE("syncall: errors outside a launch and inside a split_aiv lane; one block is its own barrier")
{
    CHECK_THROWS_WITH(pl::system::syncall(), Catch::Contains("called outside a pl.spmd launch"));
    CHECK_THROWS_WITH(
        pl::spmd(2,
                 [&](pl::index) { pl::split_aiv(2, pl::split_mode::none, [&](pl::index) { pl::system::syncall(); }); }),
        Catch::Contains("called inside a pl.split_aiv lane"));
    int phases = 0;
    pl::spmd(1, [&](pl::index) {
        ++phases;
        pl::system::syncall();
        ++phases;
    });
    CHECK(phases == 2);
    // Too many barrier-synchronised blocks is refused at the first barrier.
    CHECK_THROWS_WITH(pl::spmd(600, [&](pl::index) { pl::system::syncall(); }),
                      Catch::Contains("ptoref runs at most 512 barrier-synchronised blocks"));
}

TEST_CASE("syncall under runtime ordering: the launch is one task; its phases do not change the task verdict")
{
    ptoref::check::runtime_ordering_run run;
    auto t = pl::full({4}, pl::INT32, 0).name("t");
    ptoref::check::collector c;
    pl::spmd(4, [&](pl::index b) {
        t = pl::write(t, {b}, 1);
        pl::system::syncall();
        t = pl::write(t, {(b + 1) % 4}, 2);
    });
    run.finish();
    CHECK(c.races().empty());
    CHECK(c.orderings().empty());
    CHECK(pl::read(t, {0}) == 2);
}

TEST_CASE("split_aiv: two concurrent lanes, get_subblock_idx, the lane-disjoint twin and a lane race")
{
    for (const pl::schedule& s : every_schedule()) {
        INFO(s.str());
        auto y = pl::full({4, 2}, pl::INT32, 0).name("y");
        ptoref::check::collector c;
        CHECK(pl::get_subblock_idx() == 0);
        pl::spmd(4, pl::on(s), [&](pl::index core) {
            pl::split_aiv(2, pl::split_mode::none, [&](pl::index aiv_id) {
                CHECK(aiv_id == pl::get_subblock_idx());
                const pl::index lane = core * 2 + aiv_id; // hc_pre's lane numbering
                y = pl::write(y, {core, aiv_id}, static_cast<std::int32_t>(lane));
            });
            CHECK(pl::get_subblock_idx() == 0);
        });
        CHECK(c.races().empty());
        for (pl::index k = 0; k < 8; ++k)
            CHECK(pl::read(y, {k / 2, k % 2}) == k);
    }
    // Both lanes run the whole body: an unsharded write happens twice, a race between the lanes.
    auto z = pl::full({2}, pl::INT32, 0).name("z");
    ptoref::check::collector c;
    pl::split_aiv(2, pl::split_mode::none, [&](pl::index) { z = pl::write(z, {0}, 1); });
    REQUIRE(c.races().size() == 1);
    CHECK(c.races()[0].loop == "pl.split_aiv");
    CHECK(c.races()[0].kind == ptoref::check::race_kind::waw);
}

TEST_CASE("split_aiv: argument errors")
{
    auto body = [](pl::index) {};
    CHECK_THROWS_WITH(
        pl::split_aiv(4, pl::split_mode::none, body),
        Catch::Contains("pl.split_aiv: the lane count must be 2 (the two AIV lanes of a cluster), got 4"));
    CHECK_THROWS_WITH(pl::split_aiv(2, pl::split_mode::up_down, body),
                      Catch::Contains("mode UP_DOWN halves every vector tile"));
    CHECK_THROWS_WITH(pl::split_aiv(2, pl::split_mode::left_right, body), Catch::Contains("mode LEFT_RIGHT"));
}
