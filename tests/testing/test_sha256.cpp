#include <ptoref/testing/sha256.hpp>

#include <catch2/catch.hpp>

#include <string>

using ptoref::testing::sha256;
using ptoref::testing::sha256_hex;
using ptoref::testing::to_hex;

TEST_CASE("SHA-256 of the FIPS 180-4 example messages")
{
    CHECK(sha256_hex("", 0) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc", 3) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK(sha256_hex(two_blocks.data(), two_blocks.size()) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("SHA-256 of one million 'a' fed in uneven chunks")
{
    sha256 h;
    const std::string chunk(997, 'a');
    std::size_t left = 1000000;
    std::size_t step = 1;
    while (left > 0) {
        const std::size_t n = std::min({left, step, chunk.size()});
        h.update(chunk.data(), n);
        left -= n;
        step = step * 3 % 1000 + 1;
    }
    CHECK(to_hex(h.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("incremental updates at every split point equal the one-shot digest")
{
    std::string msg;
    for (int i = 0; i < 200; ++i)
        msg += static_cast<char>((i * 37 + 11) & 0xff);
    const std::string whole = sha256_hex(msg.data(), msg.size());
    for (std::size_t split = 0; split <= msg.size(); ++split) {
        sha256 h;
        h.update(msg.data(), split);
        h.update(msg.data() + split, msg.size() - split);
        REQUIRE(to_hex(h.finish()) == whole);
    }
}
