// ptoref::error: "op: detail (at file:line)", with the op and the location kept for tests.
#include <ptoref/core/error.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <type_traits>

namespace {
// How the library raises errors: the API takes the caller's location by default argument.
void api(bool fail, ptoref::source_location loc = ptoref::source_location::current())
{
    if (fail)
        throw ptoref::error("pl::api", "it failed", loc);
}
} // namespace

TEST_CASE("error messages read 'op: detail (at file:line)'")
{
    const auto loc = ptoref::source_location::current("/a/b/prog.cpp", 42, "main");
    const ptoref::error e("pl::slice", "window [0, 70) out of bounds [64]", loc);
    CHECK(std::string(e.what()) == "pl::slice: window [0, 70) out of bounds [64] (at prog.cpp:42)");
    CHECK(e.op() == "pl::slice");
    CHECK(e.where().line() == 42);
    CHECK(std::string(e.where().file_name()) == "/a/b/prog.cpp"); // the full path is kept, only printing shortens
    CHECK(std::string(e.where().function_name()) == "main");
}

TEST_CASE("an empty op leaves out the prefix; an unknown location leaves out the suffix")
{
    const auto loc = ptoref::source_location::current("x.cpp", 5, "f");
    CHECK(std::string(ptoref::error("", "just this").what()) == "just this");
    CHECK(std::string(ptoref::error("", "detail", loc).what()) == "detail (at x.cpp:5)");
    CHECK(std::string(ptoref::error("op", "detail").what()) == "op: detail");
    CHECK(ptoref::error("", "d").op().empty());
    CHECK_FALSE(ptoref::error("op", "d").where().known());
    CHECK(std::string(ptoref::error("op", "").what()) == "op: ");
}

TEST_CASE("an error thrown through an API names the caller's line")
{
    // The call sits on a line of its own (compilers differ on the line of a multi-line macro).
    const auto line = __LINE__ + 1;
    auto fail = [] { api(true); };
    CHECK_THROWS_WITH(fail(), "pl::api: it failed (at test_error.cpp:" + std::to_string(line) + ")");
    CHECK_NOTHROW(api(false));
    const auto line2 = __LINE__ + 2;
    try {
        api(true);
        FAIL("no exception");
    } catch (const ptoref::error& e) {
        CHECK(e.where().line() == static_cast<std::uint_least32_t>(line2));
        CHECK(e.op() == "pl::api");
    }
}

TEST_CASE("ptoref::error is a std::runtime_error and copies keep everything")
{
    static_assert(std::is_base_of_v<std::runtime_error, ptoref::error>);
    try {
        throw ptoref::error("x", "y", ptoref::source_location::current("f.cpp", 2, "g"));
    } catch (const std::exception& e) {
        CHECK(std::string(e.what()) == "x: y (at f.cpp:2)");
        const auto* pe = dynamic_cast<const ptoref::error*>(&e);
        REQUIRE(pe != nullptr);
        const ptoref::error copy = *pe;
        CHECK(std::string(copy.what()) == e.what());
        CHECK(copy.op() == "x");
        CHECK(copy.where().line() == 2);
    }
}
