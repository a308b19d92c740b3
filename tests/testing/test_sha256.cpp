// SHA-256 against the FIPS 180-4 / NIST example vectors, the padding boundaries, and any split.
#include <ptoref/simd/features.hpp>
#include <ptoref/testing/sha256.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <utility>

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
    const std::string long_two_blocks = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                                        "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    CHECK(sha256_hex(long_two_blocks.data(), long_two_blocks.size()) ==
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

namespace {
std::string test_message(std::size_t n)
{
    std::string msg;
    for (std::size_t i = 0; i < n; ++i)
        msg += static_cast<char>((i * 37 + 11) & 0xff);
    return msg;
}
} // namespace

TEST_CASE("SHA-256 around the padding boundaries (55/56 bytes fit the length or not)")
{
    // Digests from Python's hashlib.sha256 of test_message(n).
    const std::pair<std::size_t, const char*> cases[] = {
        {55, "2900465fcb533e05a158fd2b3be0e5e3b03740d83060aa3580e0d98a96bf2384"},
        {56, "31454ff48ef36af2f08fd511bdc37d9d5855ac23e992e5ff5445cb6b7674a674"},
        {57, "bcc0a5d3791b985b7550e04ca660a6c63a589ba1edd2283c8e110e5b515df124"},
        {63, "5f6401b96532c36de4e65beec0409b69b1d181864c8009b7a04f43e5d56350d1"},
        {64, "94eb5de4943613fd048dc93393ab06877405faa39c11f53e9386083339833e7e"},
        {65, "fc518669b6eb4b4dd91827ecacef86689c725bd5bab888fd3b26dbb196eec954"},
        {119, "b0dc41b1a384e2f1203f0351b38fbeaafceef577ce1191d5bfc25da39f721eae"},
        {120, "5df24dd802ac26132ce608dcb5f09841eef039ee0f152acf98d26d17fe4e88e6"},
        {128, "0aedd4856f8eba0963627336ad5144a9a7dbe12498e6066f0165fc97d8ddee4c"},
    };
    for (const auto& [n, hex] : cases) {
        INFO("length " << n);
        const std::string msg = test_message(n);
        CHECK(sha256_hex(msg.data(), msg.size()) == hex);
    }
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
    const std::string msg = test_message(200);
    const std::string whole = sha256_hex(msg.data(), msg.size());
    for (std::size_t split = 0; split <= msg.size(); ++split) {
        sha256 h;
        h.update(msg.data(), split);
        h.update(msg.data() + split, msg.size() - split);
        REQUIRE(to_hex(h.finish()) == whole);
    }
    // Byte by byte, and with empty updates between.
    sha256 h;
    for (char c : msg) {
        h.update(&c, 1);
        h.update(nullptr, 0);
    }
    CHECK(to_hex(h.finish()) == whole);
}

TEST_CASE("the SHA-extension and portable compressions give the same digests")
{
    // With PTOREF_SIMD=scalar forced, the portable C++ rounds run; otherwise the SHA extensions
    // where the CPU has them. Every length up to a few blocks, and a long message in odd pieces.
    for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{55}, std::size_t{56}, std::size_t{63},
                            std::size_t{64}, std::size_t{65}, std::size_t{119}, std::size_t{128}, std::size_t{200},
                            std::size_t{1000}, std::size_t{4096 + 17}, std::size_t{100000}}) {
        const std::string msg = test_message(len);
        std::string portable;
        {
            ptoref::simd::path_scope scalar(ptoref::simd::path::scalar);
            portable = sha256_hex(msg.data(), msg.size());
        }
        INFO("length " << len);
        CHECK(sha256_hex(msg.data(), msg.size()) == portable);
        sha256 h; // whole blocks from the input mixed with buffered pieces
        for (std::size_t at = 0, step = 1; at < msg.size(); at += step, step = step * 7 % 301 + 1)
            h.update(msg.data() + at, std::min(step, msg.size() - at));
        CHECK(to_hex(h.finish()) == portable);
    }
}
