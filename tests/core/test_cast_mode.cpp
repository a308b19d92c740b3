// The seven pl.cast modes: names, pypto's indices, parsing, the default.
#include <ptoref/core/cast_mode.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

using ptoref::cast_mode;

TEST_CASE("the DSL default is round (ties away from zero)")
{
    static_assert(ptoref::default_cast_mode == cast_mode::round);
    CHECK(ptoref::to_string(ptoref::default_cast_mode) == "round");
}

TEST_CASE("names and indices match pypto's CAST_MODE_NAMES")
{
    const std::string_view names[] = {"none", "rint", "round", "floor", "ceil", "trunc", "odd"};
    REQUIRE(std::size(ptoref::all_cast_modes) == 7);
    for (int i = 0; i < 7; ++i) {
        const cast_mode m = ptoref::all_cast_modes[i];
        CHECK(static_cast<int>(m) == i);
        CHECK(ptoref::to_string(m) == names[i]);
    }
    static_assert(ptoref::to_string(cast_mode::odd) == "odd"); // usable at compile time
    CHECK(ptoref::to_string(static_cast<cast_mode>(42)) == "?");
}

TEST_CASE("parse_cast_mode round trips every name")
{
    for (cast_mode m : ptoref::all_cast_modes) {
        CHECK(ptoref::parse_cast_mode(ptoref::to_string(m)) == m);
        CHECK(ptoref::parse_cast_mode(std::string(ptoref::to_string(m))) == m);
    }
}

TEST_CASE("an unknown mode name is an error naming it and the call site")
{
    const auto line = std::to_string(__LINE__ + 2);
    try {
        (void)ptoref::parse_cast_mode("nearest");
        FAIL("no exception");
    } catch (const ptoref::error& e) {
        CHECK(e.op() == "pl::cast");
        CHECK(e.where().line() == std::stoul(line));
        const std::string what = e.what();
        CHECK_THAT(what, Catch::StartsWith("pl::cast: unknown cast mode \"nearest\""));
        CHECK_THAT(what, Catch::Contains("none, rint, round, floor, ceil, trunc or odd"));
        CHECK_THAT(what, Catch::EndsWith("(at test_cast_mode.cpp:" + line + ")"));
    }
    // Names are exact: no case folding, no trimming, no empty default.
    for (const char* bad : {"RINT", "Round", " round", "round ", "", "ties_even", "rint\n"})
        CHECK_THROWS_AS(ptoref::parse_cast_mode(bad), ptoref::error);
    CHECK_THROWS_WITH(ptoref::parse_cast_mode(""), Catch::Contains("unknown cast mode \"\""));
}
