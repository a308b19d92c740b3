#include <ptoref/core/source_location.hpp>

#include <catch2/catch.hpp>

namespace {
ptoref::source_location where_called(ptoref::source_location loc = ptoref::source_location::current())
{
    return loc;
}
} // namespace

TEST_CASE("a defaulted source_location parameter captures the caller's line")
{
    const auto line = __LINE__ + 1;
    const auto loc = where_called();
    CHECK(loc.line() == static_cast<std::uint_least32_t>(line));
    CHECK(loc.known());
    CHECK(ptoref::to_string(loc) == "test_source_location.cpp:" + std::to_string(line));
}

TEST_CASE("to_string gives the base name only, never a directory")
{
    const auto loc = ptoref::source_location::current("/some/deep/dir/file.cpp", 7, "f");
    CHECK(ptoref::to_string(loc) == "file.cpp:7");
    CHECK(ptoref::to_string(ptoref::source_location::current("C:\\x\\y.cpp", 3, "g")) == "y.cpp:3");
    CHECK(ptoref::to_string(ptoref::source_location::current("plain.cpp", 1, "h")) == "plain.cpp:1");
}

TEST_CASE("a default-constructed location is unknown")
{
    const ptoref::source_location loc;
    CHECK_FALSE(loc.known());
    CHECK(std::string(loc.file_name()) == "<unknown>");
}
