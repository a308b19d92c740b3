#include <ptoref/core/cast_mode.hpp>

#include <catch2/catch.hpp>

using ptoref::cast_mode;

TEST_CASE("the DSL default is round (ties away from zero)")
{
    CHECK(ptoref::default_cast_mode == cast_mode::round);
}

TEST_CASE("names round trip and match pypto's mode indices")
{
    int i = 0;
    for (cast_mode m : ptoref::all_cast_modes) {
        CHECK(static_cast<int>(m) == i++);
        CHECK(ptoref::parse_cast_mode(ptoref::to_string(m)) == m);
    }
    CHECK(ptoref::to_string(cast_mode::odd) == "odd");
}

TEST_CASE("an unknown mode name is an error naming it")
{
    CHECK_THROWS_WITH(ptoref::parse_cast_mode("nearest"), Catch::Contains("\"nearest\"") &&
                                                              Catch::Contains("pl::cast") &&
                                                              Catch::Contains("test_cast_mode.cpp:"));
}
