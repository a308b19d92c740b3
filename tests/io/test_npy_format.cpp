#include <ptoref/io/npy_format.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace ptoref::io;

namespace {
std::string file(const std::string& dict, const std::string& payload = "", int major = 1)
{
    std::string out = "\x93NUMPY";
    out += static_cast<char>(major);
    out += '\0';
    if (major == 1) {
        out += static_cast<char>(dict.size() & 0xff);
        out += static_cast<char>(dict.size() >> 8);
    } else {
        for (int i = 0; i < 4; ++i)
            out += static_cast<char>((dict.size() >> (8 * i)) & 0xff);
    }
    return out + dict + payload;
}
npy_header parse(const std::string& bytes)
{
    std::istringstream in(bytes);
    return parse_npy_header(in, "x.npy");
}
} // namespace

TEST_CASE("writes the exact numpy.save v1.0 header")
{
    std::ostringstream out;
    write_npy_header(out, "<f4", {2, 64, 512});
    const std::string h = out.str();
    REQUIRE(h.size() == 128);
    CHECK(h.substr(0, 10) == std::string("\x93NUMPY\x01\x00\x76\x00", 10));
    const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 64, 512), }";
    CHECK(h.substr(10, dict.size()) == dict);
    CHECK(h.find_first_not_of(' ', 10 + dict.size()) == h.size() - 1); // space padding, then '\n'
    CHECK(h.back() == '\n');
    std::ostringstream one;
    write_npy_header(one, "<u2", {5});
    CHECK(one.str().find("'shape': (5,)") != std::string::npos);
    CHECK(one.str().size() % 64 == 0);
}

TEST_CASE("headers round trip for several shapes and descrs")
{
    for (const auto& shape :
         std::vector<std::vector<std::int64_t>>{{}, {0}, {7}, {1, 1}, {3, 0, 2}, {2, 3, 4, 5, 6, 7, 8, 9}}) {
        std::ostringstream out;
        write_npy_header(out, "<i4", shape);
        const npy_header h = parse(out.str());
        CHECK(h.descr == "<i4");
        CHECK(h.shape == shape);
        CHECK_FALSE(h.fortran_order);
        CHECK(h.data_offset == out.str().size());
    }
}

TEST_CASE("accepts any key order, double quotes, whitespace, Python 2 longs and v2 headers")
{
    auto h = parse(file("{\"shape\": ( 3 , 4L ), \"fortran_order\":False,'descr':'<u2'}\n"));
    CHECK(h.shape == std::vector<std::int64_t>{3, 4});
    CHECK(h.descr == "<u2");
    const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
    auto v2 = parse(file(dict, "", 2));
    CHECK(v2.data_offset == 12 + dict.size());
}

TEST_CASE("malformed headers are errors naming the file and the problem")
{
    CHECK_THROWS_WITH(parse("NOTNUMPY"), Catch::Contains("x.npy") && Catch::Contains("bad magic"));
    CHECK_THROWS_WITH(parse(file("{}", "", 9)), Catch::Contains("unsupported .npy version 9"));
    CHECK_THROWS_WITH(parse(std::string("\x93NUMPY\x01\x00\xff\x00{'descr'", 18)), Catch::Contains("truncated header"));
    CHECK_THROWS_WITH(parse(file("{'descr': '<f4', 'shape': (1,)}")), Catch::Contains("lacks one of"));
    CHECK_THROWS_WITH(parse(file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}")),
                      Catch::Contains("unexpected key 'x'"));
    CHECK_THROWS_WITH(parse(file("{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}")),
                      Catch::Contains("malformed"));
    CHECK_THROWS_WITH(parse(file("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}")),
                      Catch::Contains("non-negative integer"));
    CHECK_THROWS_WITH(parse(file("{'descr': '<f4', 'fortran_order': False, 'shape': (a,)}")),
                      Catch::Contains("non-negative integer"));
    CHECK_THROWS_WITH(parse(file("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}")),
                      Catch::Contains("True or False"));
    CHECK_THROWS_WITH(parse(file("{'descr': '<f4', 'fortran_order': True, 'shape': (1,)}")),
                      Catch::Contains("Fortran-order arrays are not supported"));
    CHECK_THROWS_WITH(parse(file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk")),
                      Catch::Contains("garbage after"));
    CHECK_THROWS_WITH(parse(file("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}")),
                      Catch::Contains("too large"));
}

TEST_CASE("payload reads check the size and overflow")
{
    std::istringstream in(std::string(10, 'x'));
    npy_header h;
    h.shape = {4};
    CHECK_THROWS_WITH(read_npy_payload(in, h, 4, "p.npy"),
                      Catch::Contains("p.npy: truncated payload: expected 16 bytes, got 10"));
    h.shape = {1ll << 40, 1ll << 40};
    std::istringstream in2("");
    CHECK_THROWS_WITH(read_npy_payload(in2, h, 4, "p.npy"), Catch::Contains("overflows"));
    h.shape = {2};
    std::istringstream in3("abcdefgh-trailing");
    CHECK(read_npy_payload(in3, h, 4, "p.npy").size() == 8);
}
