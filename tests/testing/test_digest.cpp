#include <ptoref/ptoref.hpp>
#include <ptoref/testing/digest.hpp>

#include <catch2/catch.hpp>

namespace pl = ptoref::pl;
using ptoref::tensor_from;
using ptoref::testing::digest;

// Expected values: SHA-256 of the little-endian element bytes (computed independently).
TEST_CASE("digest hashes element bits little-endian, row-major")
{
    CHECK(digest(tensor_from<float>({2}, {1.0f, -2.0f})) ==
          "ee4ac73c2bd27756ab82780f27c73a7bc4d3f0bb6acb37e008bc27eccd7e588b");
    CHECK(digest(tensor_from<pl::bf16>(
              {3}, {pl::bf16::from_bits(0x3f80), pl::bf16::from_bits(0x7fc0), pl::bf16::from_bits(0x8001)})) ==
          "c8924b52a08b92aa1708f13d2b2125144ae65efe8e2ec75286bd538964514d94");
    CHECK(digest(tensor_from<std::int32_t>({3}, {1, -1, 7})) ==
          "648787c01291db4c63485737d25428be8d87050d0761a93102d1e228e9e12154");
}

TEST_CASE("digest of a view covers the viewed elements only, in the view's order")
{
    auto base = tensor_from<float>({2, 2}, {0, 1, 2, 3});
    CHECK(digest(base) == "4c9c4f354e74153db012329d71c8562ec23e498148174b2c49de58f45d47cdbe");
    CHECK(digest(pl::slice(base, {2, 1}, {0, 0})) ==
          "3f710ac088db33363087de2b9a657541fe5447821debaa9fe5cbd538eb1a5f29");
    CHECK(digest(pl::transpose(pl::transpose(base, 0, 1), 0, 1)) == digest(base));
}

TEST_CASE("digest tells -0 from +0 and distinguishes NaN payloads (it is about bits)")
{
    CHECK(digest(tensor_from<float>({1}, {0.0f})) != digest(tensor_from<float>({1}, {-0.0f})));
    auto a = tensor_from<pl::bf16>({1}, {pl::bf16::from_bits(0x7fc0)});
    auto b = tensor_from<pl::bf16>({1}, {pl::bf16::from_bits(0x7fc1)});
    CHECK(digest(a) != digest(b));
}

TEST_CASE("digest of an empty tensor is the SHA-256 of no bytes; large tensors cross the chunk boundary")
{
    CHECK(digest(pl::full({0}, pl::FP32, 1.0f)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // 3000 floats = 12000 bytes: several 4096-byte chunks plus a tail, equal to hashing in one go.
    std::vector<float> v(3000);
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = static_cast<float>(i);
    ptoref::testing::sha256 h;
    h.update(v.data(), v.size() * sizeof(float)); // this test runs on little-endian hosts only
    CHECK(digest(tensor_from<float>({3000}, v)) == ptoref::testing::to_hex(h.finish()));
}
