// The element-type list (core/dtype.hpp): traits of every dtype, the type-set concepts, and
// what every dtype does in the I/O that depends on the traits: .npy round trips (the header's
// descr and the payload bytes, which numpy reads as its own dtype), digests of the element
// bits, poison patterns.
#include <ptoref/io/npy.hpp>
#include <ptoref/ptoref.hpp>
#include <ptoref/testing/digest.hpp>
#include <ptoref/testing/sha256.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace pl = ptoref::pl;
using namespace ptoref;

static_assert(element_type<std::int8_t> && element_type<std::int64_t> && element_type<std::uint8_t> &&
              element_type<std::uint32_t> && element_type<fp8e4m3fn> && element_type<fp8e5m2>);
static_assert(!element_type<double> && !element_type<std::int16_t> && !element_type<char> &&
              !element_type<std::uint64_t> && !element_type<bool>);
static_assert(integer_element<std::int8_t> && integer_element<std::uint32_t> && !integer_element<fp8e5m2>);
static_assert(signed_integer_element<std::int64_t> && !signed_integer_element<std::uint8_t>);
static_assert(unsigned_integer_element<std::uint8_t> && !unsigned_integer_element<std::int32_t>);
static_assert(float_element<fp8e4m3fn> && fp8_element<fp8e5m2> && !arithmetic_element<fp8e4m3fn>);
static_assert(arithmetic_element<std::uint32_t> && arithmetic_element<bf16>);
static_assert(std::is_same_v<decltype(pl::INT8)::type, std::int8_t> &&
              std::is_same_v<decltype(pl::UINT32)::type, std::uint32_t> &&
              std::is_same_v<decltype(pl::FP8E5M2)::type, fp8e5m2>);

namespace {

std::string file_bytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

template <class T>
std::vector<T> sample(std::size_t n)
{
    std::vector<T> v;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t b = 0x9e3779b97f4a7c15ull * (i + 1) ^ (i << 3);
        v.push_back(dtype_traits<T>::from_bits(static_cast<typename dtype_traits<T>::bits_type>(b)));
    }
    return v;
}

template <class T>
void npy_round_trip(const char* descr)
{
    INFO(dtype_traits<T>::name);
    CHECK(dtype_traits<T>::npy_descr == descr);
    const std::vector<T> v = sample<T>(12);
    const auto t = tensor_from<T>({3, 4}, v);
    const std::string path = "/tmp/ptoref_test_dtype_" + std::string(dtype_traits<T>::name) + ".npy";
    io::save_npy(path, t);
    const std::string bytes = file_bytes(path);
    // The header names numpy's dtype and shape; the payload is the little-endian element bits.
    CHECK(bytes.find("'descr': '" + std::string(descr) + "'") != std::string::npos);
    CHECK(bytes.find("'shape': (3, 4)") != std::string::npos);
    const std::size_t payload = bytes.size() - 12 * sizeof(T);
    for (std::size_t i = 0; i < 12; ++i) {
        std::uint64_t b = 0;
        for (std::size_t k = 0; k < sizeof(T); ++k)
            b |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[payload + i * sizeof(T) + k])) << (8 * k);
        CHECK(b == static_cast<std::uint64_t>(dtype_traits<T>::to_bits(v[i])));
    }
    const auto back = io::load_npy<T>(path);
    CHECK(back.shape() == dims{3, 4});
    const std::vector<T> got = back.to_vector();
    for (std::size_t i = 0; i < 12; ++i)
        CHECK(dtype_traits<T>::to_bits(got[i]) == dtype_traits<T>::to_bits(v[i]));
    CHECK(testing::digest(back) == testing::digest(t));
    std::remove(path.c_str());
}

} // namespace

TEST_CASE("dtype traits: names, widths, poison patterns")
{
    CHECK(dtype_traits<std::int8_t>::name == "INT8");
    CHECK(dtype_traits<std::int64_t>::name == "INT64");
    CHECK(dtype_traits<std::uint8_t>::name == "UINT8");
    CHECK(dtype_traits<std::uint32_t>::name == "UINT32");
    CHECK(dtype_traits<fp8e4m3fn>::name == "FP8E4M3FN");
    CHECK(dtype_traits<fp8e5m2>::name == "FP8E5M2");
    CHECK(dtype_traits<std::int64_t>::bits == 64);
    CHECK(dtype_traits<fp8e5m2>::bits == 8);
    CHECK(dtype_traits<std::int32_t>::poison_bits == 0xa5a5a5a5u); // unchanged
    CHECK(dtype_traits<std::int64_t>::poison_bits == 0xa5a5a5a5a5a5a5a5ull);
    CHECK(dtype_traits<std::uint8_t>::poison_bits == 0xa5u);
    // FP8 poison is NaN: e4m3fn's only NaN, e5m2 a signalling one.
    CHECK(fp8e4m3fn::from_bits(dtype_traits<fp8e4m3fn>::poison_bits).is_nan());
    CHECK(fp8e5m2::from_bits(dtype_traits<fp8e5m2>::poison_bits).is_nan());
    const auto c = pl::create_tensor({2}, pl::INT64);
    CHECK(static_cast<std::uint64_t>(c.to_vector()[0]) == 0xa5a5a5a5a5a5a5a5ull);
    const auto f8 = pl::create_tensor({2}, pl::FP8E5M2);
    CHECK(f8.to_vector()[1].bits == 0x7d);
    CHECK(c.describe().find("INT64[2]") != std::string::npos);
}

TEST_CASE(".npy round trips for every new dtype, with numpy's descr and raw little-endian bits")
{
    npy_round_trip<std::int8_t>("|i1");
    npy_round_trip<std::int64_t>("<i8");
    npy_round_trip<std::uint8_t>("|u1");
    npy_round_trip<std::uint32_t>("<u4");
    npy_round_trip<fp8e4m3fn>("|u1");
    npy_round_trip<fp8e5m2>("|u1");
    npy_round_trip<std::int32_t>("<i4");
}

TEST_CASE(".npy: a dtype mismatch names both dtypes")
{
    const auto t = tensor_from<std::int64_t>({2}, {1, -1});
    io::save_npy("/tmp/ptoref_test_dtype_mismatch.npy", t);
    CHECK_THROWS_WITH(io::load_npy<std::int32_t>("/tmp/ptoref_test_dtype_mismatch.npy"),
                      Catch::Contains("dtype <i8 does not match INT32 (expected <i4)"));
    CHECK_THROWS_WITH(io::load_npy<std::uint8_t>("/tmp/ptoref_test_dtype_mismatch.npy"),
                      Catch::Contains("does not match UINT8"));
    std::remove("/tmp/ptoref_test_dtype_mismatch.npy");
}

TEST_CASE("digests hash the little-endian element bits of the new dtypes, strided views too")
{
    const auto t = tensor_from<std::int64_t>({2, 2}, {1, -2, 0x0102030405060708, INT64_MIN});
    testing::sha256 h;
    std::vector<unsigned char> bytes;
    for (std::int64_t v : {std::int64_t{1}, std::int64_t{0x0102030405060708}, std::int64_t{-2}, INT64_MIN})
        for (int k = 0; k < 8; ++k)
            bytes.push_back(static_cast<unsigned char>(static_cast<std::uint64_t>(v) >> (8 * k)));
    h.update(bytes.data(), bytes.size());
    CHECK(testing::digest(pl::transpose(t, 0, 1)) == testing::to_hex(h.finish())); // the strided path
    const auto e =
        tensor_from<fp8e4m3fn>({3}, {fp8e4m3fn::from_bits(1), fp8e4m3fn::from_bits(0x7f), fp8e4m3fn::from_bits(0x80)});
    testing::sha256 h2;
    const unsigned char b2[] = {0x01, 0x7f, 0x80};
    h2.update(b2, 3);
    CHECK(testing::digest(e) == testing::to_hex(h2.finish()));
}
