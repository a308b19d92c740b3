#include <ptoref/core/error.hpp>

#include <catch2/catch.hpp>

TEST_CASE("error messages read 'op: detail (at file:line)'")
{
    const auto loc = ptoref::source_location::current("/a/b/prog.cpp", 42, "main");
    const ptoref::error e("pl::slice", "window out of bounds", loc);
    CHECK(std::string(e.what()) == "pl::slice: window out of bounds (at prog.cpp:42)");
    CHECK(e.op() == "pl::slice");
    CHECK(e.where().line() == 42);
}

TEST_CASE("an empty op and an unknown location are left out")
{
    CHECK(std::string(ptoref::error("", "just this").what()) == "just this");
    CHECK(std::string(ptoref::error("op", "detail").what()) == "op: detail");
}

TEST_CASE("ptoref::error is a std::runtime_error")
{
    try {
        throw ptoref::error("x", "y");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "x: y");
    }
}
