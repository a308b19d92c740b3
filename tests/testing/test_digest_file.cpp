// Digests of .npy files equal the digests of the loaded tensors (whatever the header or byte
// order), digest files parse strictly, and comparisons report every mismatch and missing entry.
#include <ptoref/io/npy.hpp>
#include <ptoref/ops/cast.hpp>
#include <ptoref/ops/view.hpp>
#include <ptoref/testing/digest.hpp>
#include <ptoref/testing/digest_file.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace pl = ptoref::pl;
using Catch::Matchers::Contains;

namespace {

std::string temp_path(const std::string& name)
{
    return (std::filesystem::temp_directory_path() / ("ptoref_test_digest_file_" + name)).string();
}

void write_bytes(const std::string& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A v1.0 .npy file with the given header dict and payload, padded as numpy pads.
std::string npy(const std::string& dict, const std::string& payload)
{
    std::string h = dict;
    while ((10 + h.size() + 1) % 64 != 0)
        h += ' ';
    h += '\n';
    std::string out("\x93NUMPY\x01\x00", 8);
    out += static_cast<char>(h.size() & 0xff);
    out += static_cast<char>(h.size() >> 8);
    return out + h + payload;
}

} // namespace

TEST_CASE("digest_npy equals testing::digest of the saved and loaded tensors")
{
    auto f = ptoref::tensor_from<float>({2, 3}, {1.0f, -2.0f, 0.5f, 0.0f, -0.0f, 3.25f});
    auto b = pl::cast(f, pl::BF16);
    auto i = ptoref::tensor_from<std::int32_t>({3}, {1, -1, 7});
    const std::string pf = temp_path("f.npy"), pb = temp_path("b.npy"), pi = temp_path("i.npy");
    ptoref::io::save_npy(pf, f);
    ptoref::io::save_npy(pb, b);
    ptoref::io::save_npy(pi, i);
    CHECK(ptoref::testing::digest_npy(pf).sha256 == ptoref::testing::digest(f));
    CHECK(ptoref::testing::digest_npy(pb).sha256 == ptoref::testing::digest(b));
    CHECK(ptoref::testing::digest_npy(pi).sha256 == ptoref::testing::digest(i));
    const auto d = ptoref::testing::digest_npy(pf);
    CHECK(d.descr == "<f4");
    CHECK(d.shape == std::vector<std::int64_t>{2, 3});
    // A transposed view hashes its logical (row-major) order, like the file of its copy.
    auto t = pl::transpose(f, 0, 1);
    ptoref::io::save_npy(pf, t);
    CHECK(ptoref::testing::digest_npy(pf).sha256 == ptoref::testing::digest(t));
    for (const auto& p : {pf, pb, pi})
        std::filesystem::remove(p);
}

TEST_CASE("digest_npy: big-endian files hash like their little-endian twins; headers do not matter")
{
    const std::string le = temp_path("le.npy"), be = temp_path("be.npy"), alt = temp_path("alt.npy");
    write_bytes(le, npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
                        std::string("\x01\x00\x00\x00\x02\x00\x00\x00", 8)));
    write_bytes(be, npy("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }",
                        std::string("\x00\x00\x00\x01\x00\x00\x00\x02", 8)));
    write_bytes(alt, npy("{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<i4\"}",
                         std::string("\x01\x00\x00\x00\x02\x00\x00\x00", 8)));
    const auto a = ptoref::testing::digest_npy(le);
    CHECK(ptoref::testing::digest_npy(be).sha256 == a.sha256);
    CHECK(ptoref::testing::digest_npy(be).descr == "<i4");
    CHECK(ptoref::testing::digest_npy(alt).sha256 == a.sha256);
    CHECK(a.sha256 == ptoref::testing::digest(ptoref::tensor_from<std::int32_t>({2}, {1, 2})));
    for (const auto& p : {le, be, alt})
        std::filesystem::remove(p);
}

TEST_CASE("digest_npy rejects what it cannot hash, naming the file")
{
    const std::string p = temp_path("bad.npy");
    write_bytes(p, npy("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", std::string(12, 'a')));
    CHECK_THROWS_WITH(ptoref::testing::digest_npy(p), Contains("bad.npy") && Contains("not a plain numeric type"));
    write_bytes(p, npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", std::string(16, '\0')));
    CHECK_THROWS_WITH(ptoref::testing::digest_npy(p), Contains("Fortran-order"));
    write_bytes(p, npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", std::string(8, '\0')));
    CHECK_THROWS_WITH(ptoref::testing::digest_npy(p), Contains("truncated payload"));
    CHECK_THROWS_WITH(ptoref::testing::digest_npy(temp_path("absent.npy")), Contains("cannot open"));
    std::filesystem::remove(p);
}

TEST_CASE("digest files: format, comments, strict errors, comparison report")
{
    const std::string a(64, 'a'), b(64, 'b'), c(64, 'c');
    std::istringstream good("# a comment\n\n" + a + "  seed/attn_out.npy\r\n" + b + "  op/with spaces\n");
    const auto e = ptoref::testing::parse_digests(good, "d.txt");
    REQUIRE(e.size() == 2);
    CHECK(e[0].sha256 == a);
    CHECK(e[0].name == "seed/attn_out.npy");
    CHECK(e[0].line == 3);
    CHECK(e[1].name == "op/with spaces");
    CHECK(ptoref::testing::digest_line(a, "x") == a + "  x");

    std::istringstream short_hash("abc  name\n");
    CHECK_THROWS_WITH(ptoref::testing::parse_digests(short_hash, "d.txt"), Contains("d.txt:1"));
    std::istringstream upper(std::string(64, 'A') + "  name\n");
    CHECK_THROWS_WITH(ptoref::testing::parse_digests(upper, "d.txt"), Contains("lowercase"));
    std::istringstream one_space(a + " name\n");
    CHECK_THROWS(ptoref::testing::parse_digests(one_space, "d.txt"));
    std::istringstream dup(a + "  n\n" + b + "  n\n");
    CHECK_THROWS_WITH(ptoref::testing::parse_digests(dup, "d.txt"), Contains("d.txt:2") && Contains("line 1"));

    const auto bad = ptoref::testing::compare_digests(e, {{"seed/attn_out.npy", c}});
    REQUIRE(bad.size() == 2);
    CHECK(bad[0].actual == c);
    CHECK(bad[1].actual.empty());
    const std::string report = ptoref::testing::digest_report(bad, e.size());
    CHECK_THAT(report, Contains("MISMATCH seed/attn_out.npy: expected " + a + ", got " + c));
    CHECK_THAT(report, Contains("MISSING  op/with spaces"));
    CHECK_THAT(report, Contains("0 of 2 digests match"));
    CHECK(ptoref::testing::compare_digests(e, {{"seed/attn_out.npy", a}, {"op/with spaces", b}}).empty());
}
