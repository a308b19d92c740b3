// Golden-text tests of the reports (race_record, definedness_record, stale_record ::str()),
// produced by real runs and compared to full expected strings. Call-site lines are captured with
// __LINE__ next to the call, so editing the file does not break the goldens; file names in the
// reports are base names ("test_records.cpp:42").
// Also: how findings are delivered (race_error / definedness_error / stale_error without a
// collector, records with one) and that check::set_enabled(false) / enabled_scope turn all of it
// off.
#include <ptoref/ptoref.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace pl = ptoref::pl;
using path = std::vector<pl::index>;

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

// ---- races --------------------------------------------------------------------------------------

TEST_CASE("race report (WAW): headline, both accesses, region, summary")
{
    auto k = pl::full({8, 4}, pl::FP32, 0.0f).name("k_cache");
    auto rows = pl::full({4, 4}, pl::FP32, 1.0f);
    ptoref::check::collector c;
    const int loop_line = __LINE__ + 1;
    pl::parallel(0, 2, 1, [&](pl::index b) { k = pl::assemble(k, rows, {b * 2, 0}); });
    REQUIRE(c.races().size() == 1);
    const auto& r = c.races()[0];
    CHECK(r.str() == "WARNING: ptoref: data race (WAW) on k_cache in pl.parallel at " + at(loop_line) +
                         "\n"
                         "  Write by iteration [1] in pl::assemble at " +
                         at(loop_line) +
                         "\n"
                         "  Previous write by iteration [0] in pl::assemble at " +
                         at(loop_line) +
                         "\n"
                         "  Region: k_cache[2:4, 0:4] of k_cache[8, 4], 8 elements\n"
                         "SUMMARY: ptoref: data race WAW on k_cache between iterations [0] and [1] of pl.parallel at " +
                         at(loop_line) + "\n");
    // The structured record behind the text.
    CHECK(r.tensor == "k_cache");
    CHECK(r.kind == ptoref::check::race_kind::waw);
    CHECK(r.loop == "pl.parallel");
    CHECK(r.loop_site.line() == static_cast<unsigned>(loop_line));
    CHECK(r.first_iteration == path{0});
    CHECK(r.second_iteration == path{1});
    CHECK(r.first.op == "pl::assemble");
    CHECK(r.first.kind == ptoref::access_kind::write);
    CHECK(r.tensor_shape == ptoref::dims{8, 4});
    REQUIRE(r.region.size() == 1);
    CHECK(r.region[0] == ptoref::check::box{{2, 0}, {4, 4}});
    CHECK(r.elements == 8);
    CHECK(c.report() == r.str());
}

TEST_CASE("race report (WAR): a read, then another iteration's write; separate op sites")
{
    auto x = pl::full({2, 8}, pl::FP32, 0.0f).name("x");
    ptoref::check::collector c;
    int read_line = 0, write_line = 0;
    const int loop_line = __LINE__ + 1;
    pl::parallel(2, [&](pl::index i) {
        if (i == 0) {
            read_line = __LINE__ + 1;
            (void)pl::row_sum(x);
        } else {
            write_line = __LINE__ + 1;
            x = pl::assemble(x, pl::full({1, 3}, pl::FP32, 1.0f), {1, 5});
        }
    });
    REQUIRE(c.races().size() == 1);
    CHECK(c.races()[0].str() ==
          "WARNING: ptoref: data race (WAR) on x in pl.parallel at " + at(loop_line) +
              "\n"
              "  Write by iteration [1] in pl::assemble at " +
              at(write_line) +
              "\n"
              "  Previous read by iteration [0] in pl::row_sum at " +
              at(read_line) +
              "\n"
              "  Region: x[1, 5:8] of x[2, 8], 3 elements\n"
              "SUMMARY: ptoref: data race WAR on x between iterations [0] and [1] of pl.parallel at " +
              at(loop_line) + "\n");
}

TEST_CASE("race report (RAW) with a nested index path, a single element and a read op")
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

TEST_CASE("race report on an unnamed buffer in pl.spmd, with a region of several boxes")
{
    const int make_line = __LINE__ + 1;
    auto t = pl::full({3, 4}, pl::FP32, 0.0f);
    ptoref::check::collector c;
    const int loop_line = __LINE__ + 1;
    pl::spmd(2, [&](pl::index b) { t = pl::assemble(t, pl::full({2, 3}, pl::FP32, 1.0f), {b, b}); });
    // Block 0 writes [0:2, 0:3], block 1 writes [1:3, 1:4]: they share [1, 1:3].
    REQUIRE(c.races().size() == 1);
    const std::string name = "<pl::full result from " + at(make_line) + ">";
    CHECK(c.races()[0].str() == "WARNING: ptoref: data race (WAW) on " + name + " in pl.spmd at " + at(loop_line) +
                                    "\n"
                                    "  Write by iteration [1] in pl::assemble at " +
                                    at(loop_line) +
                                    "\n"
                                    "  Previous write by iteration [0] in pl::assemble at " +
                                    at(loop_line) + "\n" + "  Region: " + name + "[1, 1:3] of " + name +
                                    "[3, 4], 2 elements\n" + "SUMMARY: ptoref: data race WAW on " + name +
                                    " between iterations [0] and [1] of pl.spmd at " + at(loop_line) + "\n");

    // A region that is not one box lists every box.
    auto u = pl::full({2, 4}, pl::FP32, 0.0f).name("u");
    pl::parallel(2, [&](pl::index i) {
        if (i == 0)
            u = pl::assemble(u, pl::full({2, 4}, pl::FP32, 1.0f), {0, 0});
        else
            (void)pl::neg(pl::slice(pl::reshape(u, {8}), {5}, {3})); // flat [3, 8): u[0, 3], u[1, 0:4]
    });
    REQUIRE(c.races().size() == 2);
    CHECK_THAT(c.races()[1].str(), Catch::Contains("  Region: u[0, 3], u[1, 0:4] of u[2, 4], 5 elements\n"));
}

TEST_CASE("without a collector a racy loop throws race_error carrying every record; what() is their text")
{
    auto x = pl::full({4, 2}, pl::FP32, 0.0f).name("x");
    bool caught = false;
    try {
        pl::parallel(3, [&](pl::index i) { x = pl::assemble(x, pl::full({2, 2}, pl::FP32, 1.0f), {i, 0}); });
    } catch (const ptoref::race_error& e) {
        caught = true;
        REQUIRE(e.records().size() == 2); // (0, 1) on row 1, (1, 2) on row 2
        CHECK(e.records()[0].first_iteration == path{0});
        CHECK(e.records()[0].second_iteration == path{1});
        CHECK(ptoref::check::boxes_to_string("x", e.records()[0].region) == "x[1, 0:2]");
        CHECK(e.records()[1].first_iteration == path{1});
        CHECK(e.records()[1].second_iteration == path{2});
        CHECK(ptoref::check::boxes_to_string("x", e.records()[1].region) == "x[2, 0:2]");
        CHECK(std::string(e.what()) == e.records()[0].str() + e.records()[1].str());
        CHECK(std::string(e.what()) == ptoref::check::records_to_string(e.records()));
    }
    CHECK(caught);
    // race_error is a ptoref::error; spmd records say so.
    auto y = pl::full({2}, pl::FP32, 0.0f).name("y");
    try {
        pl::spmd(2, [&](pl::index) { y = pl::write(y, {0}, 1.0f); });
        FAIL("no race_error");
    } catch (const ptoref::error& e) {
        const auto* re = dynamic_cast<const ptoref::race_error*>(&e);
        REQUIRE(re != nullptr);
        REQUIRE(re->records().size() == 1);
        CHECK(re->records()[0].loop == "pl.spmd");
        CHECK(std::string(e.what()) == re->records()[0].str());
    }
    // A race-free loop throws nothing.
    CHECK_NOTHROW(pl::parallel(4, [&](pl::index i) { x = pl::write(x, {i, 0}, 2.0f); }));
}

// ---- definedness --------------------------------------------------------------------------------

TEST_CASE("definedness report from pl::read of a create_tensor element")
{
    const int create_line = __LINE__ + 1;
    auto s = pl::create_tensor({2, 2}, pl::FP32).name("scratch");
    s = pl::write(s, {0, 0}, 1.0f);
    const std::string origin = "pl::create_tensor at " + at(create_line) + " (never written)";
    const int read_line = __LINE__ + 1;
    const std::string msg = message_of([&] { (void)pl::read(s, {1, 1}); });
    const std::string want = "WARNING: ptoref: undefined data reaches pl::read at " + at(read_line) + "\n" +
                             "  1 undefined element: scratch[1, 1] of scratch[2, 2]\n" + "  Origin: " + origin + "\n" +
                             "SUMMARY: ptoref: undefined data in scratch at " + at(read_line) + "\n";
    CHECK(msg == want);
    CHECK(pl::read(s, {0, 0}) == 1.0f); // a written element is defined

    // The exception type and its record.
    bool caught = false;
    try {
        (void)pl::read(s, {1, 0});
    } catch (const ptoref::definedness_error& e) {
        caught = true;
        CHECK(e.record().tensor == "scratch");
        CHECK(e.record().where.op == "pl::read");
        CHECK(e.record().tensor_shape == ptoref::dims{2, 2});
        CHECK(ptoref::check::boxes_to_string("scratch", e.record().region) == "scratch[1, 0]");
        CHECK(e.record().elements == 1);
        CHECK(e.record().origin == origin);
        CHECK(std::string(e.what()) == e.record().str());
    }
    CHECK(caught);

    // With a collector: recorded, not thrown; the read still returns (the poison value).
    ptoref::check::collector c;
    const int read2_line = __LINE__ + 1;
    (void)pl::read(s, {0, 1});
    REQUIRE(c.undefined().size() == 1);
    CHECK(c.undefined()[0].str() == "WARNING: ptoref: undefined data reaches pl::read at " + at(read2_line) + "\n" +
                                        "  1 undefined element: scratch[0, 1] of scratch[2, 2]\n" +
                                        "  Origin: " + origin + "\n" +
                                        "SUMMARY: ptoref: undefined data in scratch at " + at(read2_line) + "\n");
    CHECK(c.races().empty());
    CHECK(c.stale().empty());
    CHECK_FALSE(c.clean());
}

TEST_CASE("definedness report from require_defined: undefined data flowing through an op to an output")
{
    const int create_line = __LINE__ + 1;
    auto s = pl::create_tensor({2, 2}, pl::FP32).name("scratch");
    s = pl::write(s, {0, 0}, 1.0f);
    const int add_line = __LINE__ + 1;
    auto out = pl::add(s, 1.0); // undefined elements may flow through ops...
    const std::string name = "<pl::add result from " + at(add_line) + ">";
    {
        ptoref::check::collector c;
        const int check_line = __LINE__ + 1;
        ptoref::check::require_defined(out, "out"); // ...but not reach an output
        REQUIRE(c.undefined().size() == 1);
        CHECK(c.undefined()[0].str() ==
              "WARNING: ptoref: undefined data reaches output 'out' at " + at(check_line) + "\n" +
                  "  3 undefined elements: " + name + "[0, 1], " + name + "[1, 0:2] of " + name + "[2, 2]\n" +
                  "  Origin: pl::create_tensor at " + at(create_line) + " (never written)\n" +
                  "SUMMARY: ptoref: undefined data in " + name + " at " + at(check_line) + "\n");
    }
    // Without a collector: definedness_error, naming the output.
    auto named = pl::mul(s, 2.0).name("attn_out");
    bool caught = false;
    try {
        ptoref::check::require_defined(named, "attn_out");
    } catch (const ptoref::definedness_error& e) {
        caught = true;
        CHECK(e.record().tensor == "attn_out");
        CHECK(e.record().where.op == "output 'attn_out'");
        CHECK(e.record().elements == 3);
        CHECK(std::string(e.what()) == e.record().str());
    }
    CHECK(caught);
    // A fully written output passes.
    s = pl::assemble(s, pl::full({2, 2}, pl::FP32, 0.0f), {0, 0});
    CHECK_NOTHROW(ptoref::check::require_defined(pl::add(s, 1.0), "out"));
}

TEST_CASE("definedness report for padding outside valid_shape")
{
    auto t = pl::full({2, 4}, pl::FP32, 1.0f).name("t");
    auto part = pl::slice(t, {2, 4}, {0, 0}, {1, 4});
    ptoref::check::collector c;
    const int check_line = __LINE__ + 1;
    ptoref::check::require_defined(part, "part");
    REQUIRE(c.undefined().size() == 1);
    CHECK(c.undefined()[0].str() == "WARNING: ptoref: undefined data reaches output 'part' at " + at(check_line) +
                                        "\n"
                                        "  4 undefined elements: t[1, 0:4] of t[2, 4]\n"
                                        "  Origin: padding outside valid_shape [1, 4]\n"
                                        "SUMMARY: ptoref: undefined data in t at " +
                                        at(check_line) + "\n");
    const int read_line = __LINE__ + 1;
    (void)pl::read(part, {1, 2});
    REQUIRE(c.undefined().size() == 2);
    CHECK(c.undefined()[1].str() == "WARNING: ptoref: undefined data reaches pl::read at " + at(read_line) +
                                        "\n"
                                        "  1 undefined element: t[1, 2] of t[2, 4]\n"
                                        "  Origin: padding outside valid_shape [1, 4] of 't' FP32[2, 4] valid [1, 4]\n"
                                        "SUMMARY: ptoref: undefined data in t at " +
                                        at(read_line) + "\n");
}

// ---- stale versions -----------------------------------------------------------------------------

TEST_CASE("stale report: a read through an old handle of the elements an in-place assemble rewrote")
{
    auto t = pl::full({4, 4}, pl::FP32, 0.0f).name("t");
    auto old = t;
    const int write_line = __LINE__ + 1;
    t = pl::assemble(t, pl::full({1, 4}, pl::FP32, 1.0f), {2, 0});
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
    CHECK(r.read.op == "pl::row_sum");
    CHECK(r.write.op == "pl::assemble");
    CHECK(r.handle_version == 0);
    CHECK(r.write_version == 1);
    CHECK(r.elements == 4);
    CHECK(c.races().empty());
    CHECK(c.undefined().empty());
}

TEST_CASE("stale report names the newest write over the region; pl::write counts too")
{
    auto t = pl::full({2, 4}, pl::FP32, 0.0f).name("t");
    auto old = t;
    t = pl::assemble(t, pl::full({1, 4}, pl::FP32, 1.0f), {0, 0}); // version 1, row 0
    const int write_line = __LINE__ + 1;
    t = pl::write(t, {1, 3}, 2.0f); // version 2, one element of row 1
    ptoref::check::collector c;
    const int read_line = __LINE__ + 1;
    (void)pl::neg(old);
    REQUIRE(c.stale().size() == 1);
    CHECK(c.stale()[0].str() == "WARNING: ptoref: stale read of t in pl::neg at " + at(read_line) +
                                    "\n"
                                    "  The handle is version 0; pl::write at " +
                                    at(write_line) +
                                    " wrote version 2 of these elements\n"
                                    "  Region: t[0, 0:4], t[1, 3] of t[2, 4], 5 elements\n"
                                    "SUMMARY: ptoref: stale read of t at " +
                                    at(read_line) + "\n");
}

TEST_CASE("stale_error without a collector; no report for untouched regions or rebound handles")
{
    auto t = pl::full({4, 4}, pl::FP32, 0.0f).name("t");
    auto old = t;
    auto old_rows01 = pl::slice(t, {2, 4}, {0, 0});
    auto old_rows23 = pl::slice(t, {2, 4}, {2, 0});
    t = pl::assemble(t, pl::full({2, 4}, pl::FP32, 1.0f), {2, 0}); // in place over rows 2-3

    bool caught = false;
    try {
        (void)pl::neg(old_rows23); // same region through an old handle
    } catch (const ptoref::stale_error& e) {
        caught = true;
        CHECK(e.record().tensor == "t");
        CHECK(ptoref::check::boxes_to_string("t", e.record().region) == "t[2:4, 0:4]");
        CHECK(e.record().elements == 8);
        CHECK(std::string(e.what()) == e.record().str());
    }
    CHECK(caught);
    CHECK_THROWS_AS(pl::read(old, {3, 0}), ptoref::stale_error); // a scalar read is a read too

    // A view made from an old handle after the write is as old as the handle.
    {
        ptoref::check::collector v;
        (void)pl::neg(pl::slice(old, {1, 4}, {3, 0}));
        REQUIRE(v.stale().size() == 1);
        CHECK(ptoref::check::boxes_to_string("t", v.stale()[0].region) == "t[3, 0:4]");
        (void)pl::neg(pl::reshape(old, {16}));
        (void)pl::neg(pl::transpose(old, 0, 1));
        REQUIRE(v.stale().size() == 3);
        CHECK(ptoref::check::boxes_to_string("t", v.stale()[1].region) == "t[2:4, 0:4]");
        CHECK(ptoref::check::boxes_to_string("t", v.stale()[2].region) == "t[2:4, 0:4]");
        (void)pl::neg(pl::transpose(pl::slice(old, {2, 4}, {0, 0}), 0, 1)); // rows 0-1 are still fine
        CHECK(v.stale().size() == 3);
        // Views of the current handle are current.
        (void)pl::neg(pl::reshape(pl::slice(t, {2, 4}, {2, 0}), {8}));
        CHECK(v.stale().size() == 3);
    }
    ptoref::check::collector c;
    (void)pl::neg(old_rows01);                     // an old handle, but rows 0-1 were not rewritten
    (void)pl::neg(pl::slice(old, {2, 4}, {0, 0})); // a new view of an old handle, same rows
    CHECK(pl::read(old, {1, 3}) == 0.0f);
    (void)pl::neg(t); // the rebound handle (t = pl::assemble(t, ...)) is current
    CHECK(pl::read(t, {3, 3}) == 1.0f);
    auto copy = t; // copies of a current handle are current
    (void)pl::row_sum(copy);
    // Writing through an old handle is not a read: no report, and the result is current.
    auto again = pl::assemble(old, pl::full({1, 4}, pl::FP32, 2.0f), {3, 0});
    (void)pl::neg(again);
    CHECK(c.clean());
    CHECK(c.report().empty());
}

// ---- switching checks off -----------------------------------------------------------------------

namespace {
// One of each finding; returns how many a collector saw (with checks on, 3).
std::size_t provoke_all()
{
    ptoref::check::collector c;
    auto x = pl::full({2}, pl::FP32, 0.0f).name("x");
    pl::parallel(2, [&](pl::index) { x = pl::write(x, {0}, 1.0f); }); // WAW
    auto s = pl::create_tensor({1}, pl::FP32);
    (void)pl::read(s, {0}); // undefined
    auto old = x;
    x = pl::write(x, {1}, 2.0f);
    (void)pl::neg(old); // stale
    return c.races().size() + c.undefined().size() + c.stale().size();
}

void provoke_throwing()
{
    auto x = pl::full({2}, pl::FP32, 0.0f).name("x");
    pl::parallel(2, [&](pl::index) { x = pl::write(x, {0}, 1.0f); });
    auto s = pl::create_tensor({1}, pl::FP32);
    (void)pl::read(s, {0});
    ptoref::check::require_defined(s, "s");
    auto old = x;
    x = pl::write(x, {1}, 2.0f);
    (void)pl::neg(old);
}
} // namespace

TEST_CASE("set_enabled(false) and enabled_scope turn every check off")
{
    REQUIRE(ptoref::check::enabled());
    CHECK(provoke_all() == 3);
    CHECK_THROWS_AS(provoke_throwing(), ptoref::race_error);

    ptoref::check::set_enabled(false);
    CHECK_FALSE(ptoref::check::enabled());
    CHECK(provoke_all() == 0);
    CHECK_NOTHROW(provoke_throwing());
    {
        ptoref::check::enabled_scope on(true); // a scope can turn them back on...
        CHECK(ptoref::check::enabled());
        CHECK(provoke_all() == 3);
    }
    CHECK_FALSE(ptoref::check::enabled()); // ...and restores the previous setting
    ptoref::check::set_enabled(true);

    {
        ptoref::check::enabled_scope off(false);
        CHECK_FALSE(ptoref::check::enabled());
        CHECK(provoke_all() == 0);
        CHECK_NOTHROW(provoke_throwing());
        {
            ptoref::check::enabled_scope nested(false);
            CHECK(provoke_all() == 0);
        }
        CHECK_FALSE(ptoref::check::enabled());
    }
    CHECK(ptoref::check::enabled());
    CHECK(provoke_all() == 3);
}

TEST_CASE("device-divergence notes: golden text, once per site, never a failure")
{
    ptoref::check::collector c;
    auto x = pl::full({2, 3}, pl::FP32, 1.0f / 3.0f);
    pl::index line = 0;
    for (int i = 0; i < 3; ++i) {
        line = __LINE__ + 1;
        auto b = pl::cast(x, pl::BF16, ptoref::cast_mode::odd);
        (void)b;
    }
    auto h = pl::cast(x, pl::FP16, ptoref::cast_mode::odd); // the device has round-to-odd here: no note
    (void)h;
    const pl::index div_line = __LINE__ + 1;
    auto d = pl::div(ptoref::tensor_from<float>({1, 4}, {5.0f, 7.0f, 9.0f, 2.0f}), 3.0f); // 5, 7 differ
    (void)d;
    auto exact = pl::div(pl::full({1, 4}, pl::FP32, 1.0f), 4.0f); // x * fl(1/4) == x / 4: no note
    (void)exact;
    REQUIRE(c.divergences().size() == 2);
    CHECK(c.clean());
    CHECK(c.divergences()[0].str() ==
          "NOTE: ptoref: device divergence in pl::cast at test_records.cpp:" + std::to_string(line) +
              "\n  mode=\"odd\": the A2A3 device has round-to-odd only for FP32 -> FP16 and rounds to nearest even "
              "here (FP32 -> BF16)\n");
    const auto& dv = c.divergences()[1];
    CHECK(dv.elements == 2);
    CHECK(dv.of == 4);
    CHECK(dv.str() ==
          "NOTE: ptoref: device divergence in pl::div at test_records.cpp:" + std::to_string(div_line) +
              "\n  tensor / scalar: when the output aliases the input, the A2A3 device computes x * fl(1/s) "
              "instead of x / s (" +
              std::to_string(dv.elements) + " of 4 elements differ here)\n");
    CHECK(c.report().find("device divergence in pl::div") != std::string::npos);
}
