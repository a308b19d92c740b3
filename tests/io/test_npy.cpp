#include <ptoref/io/npy.hpp>
#include <ptoref/ptoref.hpp>
#include <ptoref/testing/random.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include <unistd.h>

namespace pl = ptoref::pl;
using ptoref::tensor_from;

namespace {

std::string temp_path(const std::string& name)
{
    const auto dir = std::filesystem::temp_directory_path() / ("ptoref_test_npy_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return (dir / name).string();
}

std::string slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

// A v1.0 .npy file as numpy writes it: header padded with spaces to 64 bytes, ending in '\n'.
std::string npy_bytes(const std::string& dict, const std::string& payload)
{
    std::string header = dict;
    while ((10 + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(header.size() & 0xff);
    out += static_cast<char>(header.size() >> 8);
    return out + header + payload;
}

} // namespace

TEST_CASE("save_npy writes numpy's v1.0 layout byte for byte")
{
    const std::string p = temp_path("a.npy");
    ptoref::io::save_npy(p, tensor_from<float>({2, 1}, {1.0f, -2.0f}));
    const std::string payload("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8);
    CHECK(slurp(p) == npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }", payload));
    const std::string q = temp_path("b.npy");
    ptoref::io::save_npy(q, tensor_from<std::int32_t>({3}, {1, 2, 3}));
    CHECK(slurp(q).substr(10, 60).find("'shape': (3,)") != std::string::npos);
}

TEST_CASE("every dtype round trips bit for bit, and views are saved in their logical order")
{
    const std::string p = temp_path("rt.npy");
    auto f = tensor_from<float>({2, 3}, {0.0f, -0.0f, 1.5f, 3e38f, -1e-45f, 7.0f});
    ptoref::io::save_npy(p, pl::transpose(f, 0, 1));
    auto back = ptoref::io::load_npy<float>(p);
    CHECK(back.shape() == ptoref::dims{3, 2});
    CHECK(back.to_vector() == pl::transpose(f, 0, 1).to_vector());
    CHECK(back.name() == "rt");

    auto b = tensor_from<pl::bf16>(
        {3}, {pl::bf16::from_bits(0x7fc1), pl::bf16::from_bits(0x8001), pl::bf16::from_bits(0x3f80)});
    ptoref::io::save_npy(p, b);
    CHECK(slurp(p).find("'descr': '<u2'") != std::string::npos);
    const auto bb = ptoref::io::load_npy<pl::bf16>(p).to_vector();
    CHECK(bb[0].bits == 0x7fc1);
    CHECK(bb[1].bits == 0x8001);

    auto i = tensor_from<std::int32_t>({2}, {INT32_MIN, -7});
    ptoref::io::save_npy(p, i);
    CHECK(ptoref::io::load_npy<std::int32_t>(p).to_vector() == std::vector<std::int32_t>{INT32_MIN, -7});

    auto h = tensor_from<pl::fp16>({1}, {pl::fp16::from_bits(0x3c01)});
    ptoref::io::save_npy(p, h);
    CHECK(ptoref::io::load_npy<pl::fp16>(p).to_vector()[0].bits == 0x3c01);
}

TEST_CASE("a BF16 tensor also loads from <f4, rounded to nearest-even like torch")
{
    const std::string p = temp_path("f4.npy");
    // 0x3F808000 is a tie: ties-to-even gives 0x3F80 (the DSL's default cast would give 0x3F81).
    ptoref::io::save_npy(
        p, tensor_from<float>({2}, {std::bit_cast<float>(0x3f808000u), std::bit_cast<float>(0x3f818000u)}));
    const auto v = ptoref::io::load_npy<pl::bf16>(p).to_vector();
    CHECK(v[0].bits == 0x3f80);
    CHECK(v[1].bits == 0x3f82);
}

TEST_CASE("malformed or mismatched files are errors naming the file")
{
    const std::string p = temp_path("bad.npy");
    CHECK_THROWS_WITH(ptoref::io::load_npy<float>(temp_path("missing.npy")), Catch::Contains("missing.npy") &&
                                                                                 Catch::Contains("cannot open") &&
                                                                                 Catch::Contains("test_npy.cpp:"));
    ptoref::io::save_npy(p, tensor_from<std::int32_t>({1}, {1}));
    CHECK_THROWS_WITH(ptoref::io::load_npy<float>(p),
                      Catch::Contains("bad.npy") && Catch::Contains("<i4") && Catch::Contains("FP32"));
    spit(p, "not a numpy file at all");
    CHECK_THROWS_AS(ptoref::io::load_npy<float>(p), ptoref::error);
    spit(p, npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", std::string(7, '\0')));
    CHECK_THROWS_WITH(ptoref::io::load_npy<float>(p), Catch::Contains("bad.npy") && Catch::Contains("truncated"));
    spit(p, npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", std::string(4, '\0')));
    CHECK_THROWS_WITH(ptoref::io::load_npy<float>(p), Catch::Contains("Fortran"));
    spit(p,
         npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", std::string(4, '\0')));
    CHECK_THROWS_WITH(ptoref::io::load_npy<float>(p), Catch::Contains("exceeds 8"));
}

TEST_CASE("a 0-d numpy scalar loads as a one-element tensor")
{
    const std::string p = temp_path("scalar.npy");
    spit(p, npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (), }", std::string("\x05\x00\x00\x00", 4)));
    auto t = ptoref::io::load_npy<std::int32_t>(p);
    CHECK(t.shape() == ptoref::dims{1});
    CHECK(t.to_vector()[0] == 5);
}

namespace {

// A stream that cannot seek (as a pipe): read_npy takes the read-as-it-arrives path.
class unseekable_buf : public std::streambuf {
public:
    explicit unseekable_buf(std::string bytes) : bytes_(std::move(bytes))
    {
        setg(bytes_.data(), bytes_.data(), bytes_.data() + bytes_.size());
    }

private:
    std::string bytes_;
};

template <class T>
std::string read_both_ways(const std::string& image, std::vector<T>& seekable, std::vector<T>& unseekable)
{
    std::string errors;
    try {
        std::istringstream in(image);
        seekable = ptoref::io::read_npy<T>(in, "s.npy").to_vector();
    } catch (const ptoref::error& e) {
        errors += std::string(e.what()) + "|";
    }
    try {
        unseekable_buf buf(image);
        std::istream in(&buf);
        unseekable = ptoref::io::read_npy<T>(in, "s.npy").to_vector();
    } catch (const ptoref::error& e) {
        errors += std::string(e.what()) + "|";
    }
    return errors;
}

} // namespace

TEST_CASE("seekable and unseekable streams load the same tensors and refuse the same files")
{
    // 40000 elements: more than one chunk of the '<f4' -> BF16 conversion.
    constexpr std::size_t n = 40000;
    std::string f4, u2;
    std::vector<std::uint32_t> bits(n);
    ptoref::testing::splitmix64 rng(7);
    for (std::size_t i = 0; i < n; ++i) {
        bits[i] = static_cast<std::uint32_t>(rng.next() >> 32);
        for (int k = 0; k < 4; ++k)
            f4 += static_cast<char>((bits[i] >> (8 * k)) & 0xff);
        for (int k = 0; k < 2; ++k)
            u2 += static_cast<char>((bits[i] >> (8 * k)) & 0xff);
    }
    const std::string shape = "'shape': (" + std::to_string(n) + ",), }";
    const std::string f4_image = npy_bytes("{'descr': '<f4', 'fortran_order': False, " + shape, f4);
    const std::string u2_image = npy_bytes("{'descr': '<u2', 'fortran_order': False, " + shape, u2);

    std::vector<pl::bf16> a, b;
    CHECK(read_both_ways(f4_image, a, b).empty());
    REQUIRE(a.size() == n);
    REQUIRE(b.size() == n);
    for (std::size_t i = 0; i < n; ++i) { // the obvious oracle: one RNE conversion per element
        const pl::bf16 want = ptoref::convert<pl::bf16>(std::bit_cast<float>(bits[i]), ptoref::cast_mode::rint);
        CHECK(a[i].bits == want.bits);
        CHECK(b[i].bits == want.bits);
    }
    CHECK(read_both_ways(u2_image, a, b).empty());
    for (std::size_t i = 0; i < n; ++i) {
        CHECK(a[i].bits == static_cast<std::uint16_t>(bits[i]));
        CHECK(b[i].bits == static_cast<std::uint16_t>(bits[i]));
    }
    std::vector<float> fa, fb;
    CHECK(read_both_ways(f4_image + "trailing bytes are ignored", fa, fb).empty());
    REQUIRE(fa.size() == n);
    CHECK(std::memcmp(fa.data(), bits.data(), n * 4) == 0);
    CHECK(std::memcmp(fb.data(), bits.data(), n * 4) == 0);

    // Truncated payloads: the same message from both paths (the count of bytes present).
    const std::string cut = f4_image.substr(0, f4_image.size() - 5);
    const std::string want = "s.npy: truncated payload: expected 160000 bytes, got 159995";
    const std::string errors = read_both_ways(cut, fa, fb);
    CHECK(errors.find(want) != std::string::npos);
    CHECK(errors.find(want, errors.find(want) + 1) != std::string::npos);
    std::vector<pl::bf16> ca, cb;
    const std::string cut_errors = read_both_ways(cut, ca, cb);
    CHECK(cut_errors.find(want) != std::string::npos);
    CHECK(cut_errors.find(want, cut_errors.find(want) + 1) != std::string::npos);
}

TEST_CASE("save_npy of a contiguous window writes that window's bytes")
{
    const std::string p = temp_path("window.npy");
    std::vector<std::int32_t> v(6 * 4);
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = static_cast<std::int32_t>(i) - 7;
    const auto t = tensor_from<std::int32_t>({6, 4}, v);
    ptoref::io::save_npy(p, pl::slice(t, {2, 4}, {3, 0})); // rows 3..4: contiguous, at an offset
    CHECK(ptoref::io::load_npy<std::int32_t>(p).to_vector() ==
          std::vector<std::int32_t>(v.begin() + 12, v.begin() + 20));
    ptoref::io::save_npy(p, pl::slice(t, {3, 2}, {1, 1})); // strided
    CHECK(ptoref::io::load_npy<std::int32_t>(p).to_vector() == std::vector<std::int32_t>{-2, -1, 2, 3, 6, 7});
}
