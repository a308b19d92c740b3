// The .npy byte layer: byte-exact numpy.save headers, round trips, and a precise error for every
// kind of malformed file.
#include <ptoref/io/npy_format.hpp>
#include <ptoref/testing/sha256.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

using namespace ptoref::io;
using shape_t = std::vector<std::int64_t>;

namespace {

// A .npy file around a hand-written header dict (no padding, so any alignment).
std::string file(const std::string& dict, const std::string& payload = "", int major = 1, int minor = 0)
{
    std::string out = "\x93NUMPY";
    out += static_cast<char>(major);
    out += static_cast<char>(minor);
    for (int i = 0; i < (major == 1 ? 2 : 4); ++i)
        out += static_cast<char>((dict.size() >> (8 * i)) & 0xff);
    return out + dict + payload;
}

npy_header parse(const std::string& bytes)
{
    std::istringstream in(bytes);
    return parse_npy_header(in, "x.npy");
}

std::string header(const std::string& descr, const shape_t& shape)
{
    std::ostringstream out;
    write_npy_header(out, descr, shape);
    return out.str();
}

// A well-formed dict with one entry replaced, for the malformed cases.
std::string dict_with(const std::string& descr, const std::string& order, const std::string& shape)
{
    return "{'descr': " + descr + ", 'fortran_order': " + order + ", 'shape': " + shape + ", }";
}

// Golden bytes from numpy 1.24.2 (Debian bookworm python3-numpy), produced by
//   b = io.BytesIO(); numpy.lib.format._write_array_header(b, {'descr': d, 'fortran_order': False,
//   'shape': s}); b.getvalue()        -- headers, as numpy.save writes them
//   b = io.BytesIO(); numpy.save(b, a); b.getvalue()                       -- whole files
// Octal escapes, so that no escape runs into the next character.
struct golden {
    const char* descr;
    shape_t shape;
    std::string bytes;
};

const golden golden_headers[] = {
    // The common case: 118 header bytes after the 10-byte preamble.
    {"<f4",
     {2, 64, 512},
     std::string("\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': False, 'shape': (2, 64, 512), }         "
                 "                                           \012",
                 128)},
    // Exactly 128 bytes before padding: numpy's formula then pads a whole 64 more.
    {"<f4",
     {3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 123},
     std::string("\223NUMPY\001\000\266\000{'descr': '<f4', 'fortran_order': False, 'shape': (3, 1, 1, 1, 1, 1, 1,"
                 " 1, 1, 1, 1, 1, 1, 123), }                                                                      "
                 "              \012",
                 192)},
    // The spare spaces for growing the first axis (21 - digits of 7) push this one past 128.
    {"<f2",
     {7, 4096, 4096, 4096, 4096, 1, 1, 1, 1, 1, 1},
     std::string("\223NUMPY\001\000\266\000{'descr': '<f2', 'fortran_order': False, 'shape': (7, 4096, 4096, 4096,"
                 " 4096, 1, 1, 1, 1, 1, 1), }                                                                     "
                 "              \012",
                 192)},
};

struct golden_file {
    const char* descr;
    shape_t shape;
    std::size_t elem_size;
    std::string payload;
    std::string bytes;
};

const golden_file golden_files[] = {
    // numpy.arange(6, dtype='<f4').reshape(2, 3)
    {"<f4",
     {2, 3},
     4,
     std::string("\0\0\0\0\0\0\200\077\0\0\0@\0\0@@\0\0\200@\0\0\240@", 24),
     std::string("\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }               "
                 "                                           \012\000\000\000\000\000\000\200\077\000\000\000@\000"
                 "\000@@\000\000\200@\000\000\240@",
                 152)},
    // numpy.array([1, 2, 3, 0xffff, 0x3f80], dtype='<u2')
    {"<u2",
     {5},
     2,
     std::string("\1\0\2\0\3\0\377\377\200\077", 10),
     std::string("\223NUMPY\001\000v\000{'descr': '<u2', 'fortran_order': False, 'shape': (5,), }                 "
                 "                                           \012\001\000\002\000\003\000\377\377\200\077",
                 138)},
    // numpy.array(-7, dtype='<i4'): a scalar, shape (), and no spare spaces
    {"<i4",
     {},
     4,
     std::string("\371\377\377\377", 4),
     std::string("\223NUMPY\001\000v\000{'descr': '<i4', 'fortran_order': False, 'shape': (), }                   "
                 "                                           \012\371\377\377\377",
                 132)},
    // numpy.zeros((0,), dtype='<f4')
    {"<f4",
     {0},
     4,
     std::string(),
     std::string("\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }                 "
                 "                                           \012",
                 128)},
};

} // namespace

TEST_CASE("write_npy_header produces numpy.save's exact bytes")
{
    for (const golden& g : golden_headers) {
        INFO(g.descr << " rank " << g.shape.size());
        CHECK(header(g.descr, g.shape) == g.bytes);
        const npy_header h = parse(g.bytes);
        CHECK(h.descr == g.descr);
        CHECK(h.shape == g.shape);
        CHECK(h.data_offset == g.bytes.size());
    }
}

TEST_CASE("whole numpy.save files: byte-exact to write, and read back")
{
    for (const golden_file& g : golden_files) {
        INFO(g.descr << " rank " << g.shape.size());
        CHECK(header(g.descr, g.shape) + g.payload == g.bytes);
        std::istringstream in(g.bytes);
        const npy_header h = parse_npy_header(in, "g.npy");
        CHECK(h.descr == g.descr);
        CHECK(h.shape == g.shape);
        CHECK_FALSE(h.fortran_order);
        CHECK(h.data_offset == g.bytes.size() - g.payload.size());
        const std::vector<std::uint8_t> data = read_npy_payload(in, h, g.elem_size, "g.npy");
        CHECK(std::string(data.begin(), data.end()) == g.payload);
    }
}

TEST_CASE("a header beyond 65535 bytes is written as version 2.0, as numpy.save does")
{
    // numpy: _write_array_header(b, {'descr': '<f4', 'fortran_order': False, 'shape': (1,) * 25000})
    const shape_t shape(25000, 1);
    const std::string h = header("<f4", shape);
    REQUIRE(h.size() == 75136);
    CHECK(h.substr(0, 12) == std::string("\223NUMPY\002\000t\045\001\000", 12));
    CHECK(ptoref::testing::sha256_hex(h.data(), h.size()) ==
          "94da449bb7577e5219906a8ecf3ab9e742ab65e8981755d312926a6856521e21");
    const npy_header back = parse(h);
    CHECK(back.shape == shape);
    CHECK(back.data_offset == h.size());
}

TEST_CASE("headers round trip for several shapes and descrs")
{
    const std::vector<shape_t> shapes{{},
                                      {0},
                                      {7},
                                      {1, 1},
                                      {3, 0, 2},
                                      {2, 3, 4, 5, 6, 7, 8, 9},
                                      {123456789012, 2},
                                      {0, 1ll << 40, 1ll << 22},
                                      {std::numeric_limits<std::int64_t>::max()}};
    for (const char* descr : {"<f4", "<i4", "<f2", "<u2", "|u1", ">f8", "<M8[ns]"}) {
        for (const shape_t& shape : shapes) {
            const std::string bytes = header(descr, shape);
            INFO(bytes);
            const npy_header h = parse(bytes);
            CHECK(h.descr == descr);
            CHECK(h.shape == shape);
            CHECK_FALSE(h.fortran_order);
            CHECK(h.data_offset == bytes.size());
            CHECK(bytes.size() % 64 == 0);
            CHECK(bytes.back() == '\n');
        }
    }
}

TEST_CASE("accepts any key order, either quote, any whitespace and alignment, Python 2 longs, v2 and v3")
{
    const std::string odd = "{\"shape\":\t( 3 ,\n4L ),\"fortran_order\":False,'descr':\"<u2\"}";
    auto h = parse(file(odd));
    CHECK(h.shape == shape_t{3, 4});
    CHECK(h.descr == "<u2");
    CHECK(h.data_offset == 10 + odd.size()); // not a multiple of 64: fine on read

    const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2)}";
    CHECK(parse(file(dict, "", 2)).data_offset == 12 + dict.size());
    CHECK(parse(file(dict, "", 3)).shape == shape_t{1, 2});
    CHECK(parse(file("{'descr':'<f4','fortran_order':False,'shape':(),}\n")).shape.empty());
}

TEST_CASE("a malformed preamble is an error naming the file and the problem")
{
    CHECK_THROWS_WITH(parse("NOTNUMPY"), Catch::Contains("x.npy: not a .npy file (bad magic)"));
    CHECK_THROWS_WITH(parse(""), Catch::Contains("x.npy: not a .npy file (bad magic)"));
    CHECK_THROWS_WITH(parse("\x93NUMP"), Catch::Contains("bad magic"));
    CHECK_THROWS_WITH(parse("\x93NUMPY\x01"), Catch::Contains("x.npy: truncated preamble"));
    CHECK_THROWS_WITH(parse(file("{}", "", 9)), Catch::Contains("x.npy: unsupported .npy version 9.0"));
    CHECK_THROWS_WITH(parse(file("{}", "", 0)), Catch::Contains("unsupported .npy version 0.0"));
    CHECK_THROWS_WITH(parse(file("{}", "", 1, 1)), Catch::Contains("unsupported .npy version 1.1"));
    CHECK_THROWS_WITH(parse(std::string("\x93NUMPY\x01\x00\x05", 9)),
                      Catch::Contains("x.npy: truncated preamble: the header length field is cut off"));
    CHECK_THROWS_WITH(parse(std::string("\x93NUMPY\x02\x00\x05\x00\x00", 11)),
                      Catch::Contains("header length field is cut off"));
    // The header length runs past the end of the file.
    CHECK_THROWS_WITH(parse(std::string("\x93NUMPY\x01\x00\xff\x00{'descr'", 18)),
                      Catch::Contains("x.npy: truncated header: the length field says 255 bytes, but only 8 follow"));
    CHECK_THROWS_WITH(parse(std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff{}", 14)),
                      Catch::Contains("x.npy: header length 4294967295 exceeds the limit"));
}

TEST_CASE("a malformed header dict is an error naming the file and the problem")
{
    const auto bad = [](const std::string& dict) { return parse(file(dict)); };
    const std::string ok_descr = "'<f4'", ok_order = "False", ok_shape = "(1,)";

    // Keys: missing, unexpected, repeated.
    CHECK_THROWS_WITH(bad("{'descr': '<f4', 'shape': (1,)}"),
                      Catch::Contains("x.npy: malformed header: missing key 'fortran_order'"));
    CHECK_THROWS_WITH(bad("{}"), Catch::Contains("missing key 'descr'"));
    CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, "(1,), 'x': 1")), Catch::Contains("unexpected key 'x'"));
    CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, "(1,), 'descr': '<i4'")),
                      Catch::Contains("duplicate key 'descr'"));

    // Structure: not a dict, cut short, garbage before or after, separators.
    CHECK_THROWS_WITH(bad(""), Catch::Contains("unexpected end of the header"));
    CHECK_THROWS_WITH(bad("[1, 2]"), Catch::Contains("expected '{'"));
    CHECK_THROWS_WITH(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)"),
                      Catch::Contains("unexpected end of the header"));
    CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, ok_shape) + " junk"),
                      Catch::Contains("garbage after the header dictionary"));
    CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, ok_shape) + std::string(3, '\0')),
                      Catch::Contains("garbage after the header dictionary"));
    CHECK_THROWS_WITH(bad("{'descr' '<f4', 'fortran_order': False, 'shape': (1,)}"),
                      Catch::Contains("expected ':' after 'descr'"));
    CHECK_THROWS_WITH(bad("{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}"),
                      Catch::Contains("expected ',' or '}' after the value of 'descr'"));
    CHECK_THROWS_WITH(bad("{, 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}"),
                      Catch::Contains("expected a quoted string"));

    // Quotes: unbalanced, mixed, escapes.
    CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, ok_shape) + "'"), Catch::Contains("garbage after"));
    CHECK_THROWS_WITH(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'abc}"),
                      Catch::Contains("malformed header: unterminated string"));
    CHECK_THROWS_WITH(bad("{'descr\": '<f4', 'fortran_order': False, 'shape': (1,)}"),
                      Catch::Contains("unexpected key 'descr\": '"));
    CHECK_THROWS_WITH(bad(dict_with("'<f4", ok_order, ok_shape)), Catch::Contains("'descr' is not a dtype string"));
    CHECK_THROWS_WITH(bad(dict_with("'<f4\"", ok_order, ok_shape)), Catch::Contains("'descr' is not a dtype string"));
    CHECK_THROWS_WITH(bad(dict_with("'\\x3cf4'", ok_order, ok_shape)),
                      Catch::Contains("escape sequences in strings are not supported"));
    CHECK_THROWS_WITH(bad("{'descr': '<f4\n', 'fortran_order': False, 'shape': (1,)}"),
                      Catch::Contains("unterminated string"));

    // descr: not a string, empty, structured.
    CHECK_THROWS_WITH(bad(dict_with("f4", ok_order, ok_shape)), Catch::Contains("expected a quoted string"));
    CHECK_THROWS_WITH(bad(dict_with("''", ok_order, ok_shape)), Catch::Contains("'descr' is not a dtype string: ''"));
    CHECK_THROWS_WITH(bad(dict_with("[('a', '<f4')]", ok_order, ok_shape)),
                      Catch::Contains("structured dtypes (a list as 'descr') are not supported"));

    // fortran_order: not a bool, or True.
    for (const char* v : {"Maybe", "1", "'False'", "Truest", "false"})
        CHECK_THROWS_WITH(bad(dict_with(ok_descr, v, ok_shape)),
                          Catch::Contains("'fortran_order' must be True or False"));
    CHECK_THROWS_WITH(bad(dict_with(ok_descr, "True", ok_shape)),
                      Catch::Equals("x.npy: Fortran-order arrays are not supported"));

    // shape: not a tuple, non-integer or negative entries, too large.
    CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, "[1]")), Catch::Contains("'shape' must be a tuple"));
    CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, "5")), Catch::Contains("'shape' must be a tuple"));
    CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, "(5)")),
                      Catch::Contains("'shape' (5) is an integer, not a tuple; a 1-D shape is (5,)"));
    for (const char* s : {"(a,)", "('1',)", "(,)", "(1,,)", "(+1,)", "((1),)", "(1, None)"})
        CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, s)),
                          Catch::Contains("expected a non-negative integer dimension in the shape"));
    for (const char* s : {"(1.5,)", "(1e3,)", "(1_000,)", "(1 2)", "(0x10,)"})
        CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, s)), Catch::Contains("expected ',' or ')' in the shape"));
    CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, "(2, -1)")),
                      Catch::Contains("malformed header: negative dimension in the shape"));
    CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, "(012,)")), Catch::Contains("leading zero"));
    CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, "(9223372036854775808,)")),
                      Catch::Contains("dimension does not fit in 64 bits"));
    CHECK(bad(dict_with(ok_descr, ok_order, "(9223372036854775807,)")).shape ==
          shape_t{std::numeric_limits<std::int64_t>::max()});
    CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, "(4294967296, 4294967296)")),
                      Catch::Contains("x.npy: element count of shape (4294967296, 4294967296) overflows"));
    // numpy rejects this too: a zero makes no elements, but the strides still overflow.
    CHECK_THROWS_WITH(bad(dict_with(ok_descr, ok_order, "(0, 4294967296, 4294967296)")), Catch::Contains("overflows"));

    // Python 2 longs only where numpy filters them: v1.0 and v2.0.
    CHECK(parse(file(dict_with(ok_descr, ok_order, "(3L,)"), "", 2)).shape == shape_t{3});
    CHECK_THROWS_WITH(parse(file(dict_with(ok_descr, ok_order, "(3L,)"), "", 3)),
                      Catch::Contains("expected ',' or ')' in the shape"));
}

TEST_CASE("write_npy_header refuses what it cannot write faithfully")
{
    std::ostringstream out;
    CHECK_THROWS_WITH(write_npy_header(out, "<f4", {2, -1}), Catch::Contains("negative dimension in shape (2, -1)"));
    CHECK_THROWS_WITH(write_npy_header(out, "", {1}), Catch::Contains("'' is not a dtype string"));
    CHECK_THROWS_WITH(write_npy_header(out, "<f'4", {1}), Catch::Contains("is not a dtype string"));
    CHECK_THROWS_WITH(write_npy_header(out, "<f4", {1ll << 40, 1ll << 40}), Catch::Contains("overflows"));
    CHECK(out.str().empty());
}

TEST_CASE("payload reads check the size, overflow and truncation")
{
    npy_header h;
    h.descr = "<f4";
    h.shape = {4};
    std::istringstream in(std::string(10, 'x'));
    CHECK_THROWS_WITH(read_npy_payload(in, h, 4, "p.npy"),
                      Catch::Equals("p.npy: truncated payload: expected 16 bytes, got 10"));

    // A lying header: a terabyte claimed, three bytes present. Memory follows the bytes read.
    h.shape = {1ll << 20, 1ll << 20};
    std::istringstream tiny("abc");
    CHECK_THROWS_WITH(read_npy_payload(tiny, h, 4, "p.npy"),
                      Catch::Contains("truncated payload: expected 4398046511104 bytes, got 3"));

    std::istringstream none("");
    h.shape = {1ll << 40, 1ll << 40};
    CHECK_THROWS_WITH(read_npy_payload(none, h, 4, "p.npy"), Catch::Contains("p.npy: element count"));
    h.shape = {1ll << 62};
    CHECK_THROWS_WITH(read_npy_payload(none, h, 4, "p.npy"), Catch::Contains("payload size of shape"));
    h.shape = {3, -2};
    CHECK_THROWS_WITH(read_npy_payload(none, h, 4, "p.npy"), Catch::Contains("negative dimension in shape (3, -2)"));
    h.shape = {3};
    CHECK_THROWS_WITH(read_npy_payload(none, h, 0, "p.npy"), Catch::Contains("element size 0"));

    // Trailing bytes are left in the stream; empty and scalar shapes read 0 and 1 element.
    h.shape = {2};
    std::istringstream trailing("abcdefgh-trailing");
    CHECK(read_npy_payload(trailing, h, 4, "p.npy") ==
          std::vector<std::uint8_t>{'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'});
    CHECK(trailing.get() == '-');
    h.shape = {3, 0};
    CHECK(read_npy_payload(none, h, 4, "p.npy").empty());
    h.shape = {};
    std::istringstream scalar("wxyz");
    CHECK(read_npy_payload(scalar, h, 4, "p.npy").size() == 4);
}

TEST_CASE("a payload larger than one read chunk arrives whole")
{
    const shape_t shape{3, 1 << 19}; // 6 MiB of '<f4': several doublings of the read buffer
    std::string bytes = header("<f4", shape);
    const std::size_t offset = bytes.size();
    for (std::size_t i = 0; i < (std::size_t{3} << 19) * 4; ++i)
        bytes += static_cast<char>((i * 131) >> 3);
    std::istringstream in(bytes);
    const npy_header h = parse_npy_header(in, "big.npy");
    REQUIRE(h.data_offset == offset);
    const std::vector<std::uint8_t> data = read_npy_payload(in, h, 4, "big.npy");
    REQUIRE(data.size() == bytes.size() - offset);
    CHECK(std::equal(data.begin(), data.end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset),
                     [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }));
}
