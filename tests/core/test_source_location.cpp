// ptoref::source_location: captured at the caller by default arguments; printed as base name:line.
#include <ptoref/core/source_location.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <string_view>

namespace {
ptoref::source_location where_called(ptoref::source_location loc = ptoref::source_location::current())
{
    return loc;
}
// An API layer that forwards its caller's location (how ops pass it to helpers).
ptoref::source_location api(int, ptoref::source_location loc = ptoref::source_location::current())
{
    return where_called(loc);
}
} // namespace

TEST_CASE("a defaulted source_location parameter captures the caller's line, file and function")
{
    const auto line = __LINE__ + 1;
    const auto loc = where_called();
    CHECK(loc.line() == static_cast<std::uint_least32_t>(line));
    CHECK(loc.known());
    CHECK_THAT(std::string(loc.file_name()), Catch::EndsWith("test_source_location.cpp"));
    // The function is the test case's, not where_called (which would mean callee capture).
    CHECK(std::string_view(loc.function_name()) != "where_called");
    CHECK(std::strlen(loc.function_name()) > 0);
    CHECK(ptoref::to_string(loc) == "test_source_location.cpp:" + std::to_string(line));
}

TEST_CASE("a forwarded location still names the original call site")
{
    const auto a = api(1), b = api(2); // same line: same location
    CHECK(a.line() == b.line());
    const auto line = __LINE__ + 1;
    const auto c = api(3);
    CHECK(c.line() == static_cast<std::uint_least32_t>(line));
    CHECK(c.line() == a.line() + 3);
}

TEST_CASE("to_string gives the base name and line, never a directory")
{
    using ptoref::source_location;
    CHECK(ptoref::to_string(source_location::current("/some/deep/dir/file.cpp", 7, "f")) == "file.cpp:7");
    CHECK(ptoref::to_string(source_location::current("C:\\x\\y.cpp", 3, "g")) == "y.cpp:3");
    CHECK(ptoref::to_string(source_location::current("a/b\\c.hpp", 12, "g")) == "c.hpp:12");
    CHECK(ptoref::to_string(source_location::current("plain.cpp", 1, "h")) == "plain.cpp:1");
    CHECK(ptoref::to_string(source_location::current("./rel/x.cpp", 4294967295u, "h")) == "x.cpp:4294967295");
    // Whatever directory this test was compiled from, only the base name shows.
    const std::string here = ptoref::to_string(source_location::current());
    CHECK(here.find('/') == std::string::npos);
    CHECK(here.find('\\') == std::string::npos);
    CHECK_THAT(here, Catch::StartsWith("test_source_location.cpp:"));
}

TEST_CASE("a default-constructed location is unknown")
{
    constexpr ptoref::source_location loc;
    static_assert(!loc.known() && loc.line() == 0);
    CHECK(std::string(loc.file_name()) == "<unknown>");
    CHECK(std::string(loc.function_name()).empty());
    CHECK(ptoref::to_string(loc) == "<unknown>:0");
}

TEST_CASE("current() is usable in constant expressions")
{
    constexpr auto loc = ptoref::source_location::current("k.cpp", 9, "fn");
    static_assert(loc.line() == 9 && loc.known());
    CHECK(std::string(loc.function_name()) == "fn");
}

#if defined(__cpp_lib_source_location)
TEST_CASE("a std::source_location converts implicitly")
{
    const auto line = __LINE__ + 1;
    const ptoref::source_location loc = std::source_location::current();
    CHECK(loc.line() == static_cast<std::uint_least32_t>(line));
    CHECK(ptoref::to_string(loc) == "test_source_location.cpp:" + std::to_string(line));
}
#endif
