// Golden-text tests of the reports, produced by real runs.
#include <ptoref/ptoref.hpp>

#include <catch2/catch.hpp>

namespace pl = ptoref::pl;

namespace {
// The message of the exception f throws (a macro spanning lines would blur the call's line).
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

std::string at(int line)
{
    return "test_records.cpp:" + std::to_string(line);
}
} // namespace

TEST_CASE("race report: headline, both accesses, region, summary")
{
    auto k = pl::full({8, 4}, pl::FP32, 0.0f).name("k_cache");
    auto row = pl::full({4, 4}, pl::FP32, 1.0f);
    ptoref::check::collector c;
    const int loop_line = __LINE__ + 1;
    pl::parallel(0, 2, 1, [&](pl::index b) { k = pl::assemble(k, row, {b * 2, 0}); });
    REQUIRE(c.races().size() == 1);
    const auto& r = c.races()[0];
    const int wl = loop_line; // the body is on the loop's line
    CHECK(r.str() == "WARNING: ptoref: data race (WAW) on k_cache in pl.parallel at " + at(loop_line) +
                         "\n"
                         "  Write by iteration [1] in pl::assemble at " +
                         at(wl) +
                         "\n"
                         "  Previous write by iteration [0] in pl::assemble at " +
                         at(wl) +
                         "\n"
                         "  Region: k_cache[2:4, 0:4] of k_cache[8, 4], 8 elements\n"
                         "SUMMARY: ptoref: data race WAW on k_cache between iterations [0] and [1] of pl.parallel at " +
                         at(loop_line) + "\n");
    CHECK(r.first_iteration == std::vector<pl::index>{0});
    CHECK(r.second_iteration == std::vector<pl::index>{1});
    CHECK(r.elements == 8);
}

TEST_CASE("RAW report with a nested index path and a read op")
{
    auto x = pl::full({4}, pl::FP32, 0.0f).name("x");
    ptoref::check::collector c;
    const int loop_line = __LINE__ + 2;
    pl::range(3, 4, [&](pl::index) {
        pl::parallel(0, 2, 1, [&](pl::index i) {
            if (i == 0)
                x = pl::write(x, {3}, 1.0f);
            else
                (void)pl::neg(pl::slice(x, {2}, {2}));
        });
    });
    REQUIRE(c.races().size() == 1);
    CHECK(c.races()[0].str() ==
          "WARNING: ptoref: data race (RAW) on x in pl.parallel at " + at(loop_line) +
              "\n"
              "  Read by iteration [3, 1] in pl::neg at " +
              at(loop_line + 4) +
              "\n"
              "  Previous write by iteration [3, 0] in pl::write at " +
              at(loop_line + 2) +
              "\n"
              "  Region: x[3] of x[4], 1 element\n"
              "SUMMARY: ptoref: data race RAW on x between iterations [3, 0] and [3, 1] of pl.parallel at " +
              at(loop_line) + "\n");
}

TEST_CASE("without a collector the loop throws race_error carrying the records")
{
    auto x = pl::full({2}, pl::FP32, 0.0f).name("x");
    try {
        pl::spmd(2, [&](pl::index) { x = pl::write(x, {0}, 1.0f); });
        FAIL("no race_error");
    } catch (const ptoref::race_error& e) {
        REQUIRE(e.records().size() == 1);
        CHECK(std::string(e.what()) == e.records()[0].str());
        CHECK(e.records()[0].loop == "pl.spmd");
    }
}

TEST_CASE("definedness reports: a scalar read and an output check")
{
    const int create_line = __LINE__ + 1;
    auto s = pl::create_tensor({2, 2}, pl::FP32).name("scratch");
    s = pl::write(s, {0, 0}, 1.0f);
    const int read_line = __LINE__ + 1;
    const std::string msg = message_of([&] { (void)pl::read(s, {1, 1}); });
    CHECK(msg == "WARNING: ptoref: undefined data reaches pl::read at " + at(read_line) + "\n" +
                     "  1 undefined element: scratch[1, 1] of scratch[2, 2]\n" + "  Origin: pl::create_tensor at " +
                     at(create_line) + " (never written)\n" + "SUMMARY: ptoref: undefined data in scratch at " +
                     at(read_line) + "\n");
    CHECK(pl::read(s, {0, 0}) == 1.0f);
    const int add_line = __LINE__ + 1;
    auto out = pl::add(s, 1.0);
    ptoref::check::collector c;
    const int check_line = __LINE__ + 1;
    ptoref::check::require_defined(out, "out");
    REQUIRE(c.undefined().size() == 1);
    CHECK(c.undefined()[0].str() == "WARNING: ptoref: undefined data reaches output 'out' at " + at(check_line) +
                                        "\n"
                                        "  3 undefined elements: <pl::add result from " +
                                        at(add_line) + ">[0, 1], <pl::add result from " + at(add_line) +
                                        ">[1, 0:2] of <pl::add result from " + at(add_line) +
                                        ">[2, 2]\n"
                                        "  Origin: pl::create_tensor at " +
                                        at(create_line) +
                                        " (never written)\n"
                                        "SUMMARY: ptoref: undefined data in <pl::add result from " +
                                        at(add_line) + "> at " + at(check_line) + "\n");
}

TEST_CASE("stale reads: through an old handle of overwritten elements only")
{
    auto t = pl::full({4, 4}, pl::FP32, 0.0f).name("t");
    auto old = t;
    const int write_line = __LINE__ + 1;
    t = pl::assemble(t, pl::full({1, 4}, pl::FP32, 1.0f), {2, 0});
    CHECK_NOTHROW(pl::neg(pl::slice(old, {2, 4}, {0, 0}))); // rows 0-1 were not rewritten
    CHECK_NOTHROW(pl::neg(t));                              // the rebound handle is current
    ptoref::check::collector c;
    const int read_line = __LINE__ + 1;
    (void)pl::row_sum(old);
    REQUIRE(c.stale().size() == 1);
    const auto& r = c.stale()[0];
    CHECK(r.str() == "WARNING: ptoref: stale read of t in pl::row_sum at " + at(read_line) +
                         "\n"
                         "  The handle is version 0; pl::assemble at " +
                         at(write_line) +
                         " wrote version 1 of these elements\n"
                         "  Region: t[2, 0:4] of t[4, 4], 4 elements\n"
                         "SUMMARY: ptoref: stale read of t at " +
                         at(read_line) + "\n");
}

TEST_CASE("a stale read throws stale_error when no collector is active")
{
    auto x = pl::full({2}, pl::FP32, 0.0f).name("x");
    auto x0 = x;
    x = pl::write(x, {1}, 2.0f);
    CHECK_THROWS_AS(pl::neg(x0), ptoref::stale_error);
    CHECK_NOTHROW(pl::neg(pl::slice(x0, {1}, {0})));
}

TEST_CASE("with checks disabled nothing is reported")
{
    ptoref::check::enabled_scope off(false);
    auto s = pl::create_tensor({1}, pl::FP32);
    CHECK_NOTHROW(pl::read(s, {0}));
    auto t = pl::full({2}, pl::FP32, 0.0f);
    auto old = t;
    t = pl::write(t, {0}, 1.0f);
    CHECK_NOTHROW(pl::neg(old));
}
