// SHA-256 (FIPS 180-4), self-contained, for digests of tensor bits.
// Byte-oriented throughout, so the digest is the same on every host byte order. On x86 CPUs with
// the SHA extensions the compression runs on them (several times faster for the gigabyte outputs
// of full-size configs); PTOREF_SIMD=scalar selects the portable code, and the tests compare both.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "ptoref/simd/features.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace ptoref::testing {

class sha256 {
public:
    sha256() noexcept = default;

    void update(const void* data, std::size_t n) noexcept
    {
        const auto* p = static_cast<const std::uint8_t*>(data);
        length_ += n;
        if (used_ > 0) { // complete the pending block first
            const std::size_t take = n < 64 - used_ ? n : 64 - used_;
            for (std::size_t i = 0; i < take; ++i)
                block_[used_ + i] = p[i];
            used_ += take;
            p += take;
            n -= take;
            if (used_ < 64)
                return;
            compress_blocks(block_, 1);
            used_ = 0;
        }
        if (n >= 64) { // whole blocks straight from the input
            compress_blocks(p, n / 64);
            p += n / 64 * 64;
            n %= 64;
        }
        for (std::size_t i = 0; i < n; ++i)
            block_[i] = p[i];
        used_ = n;
    }

    // Pads and returns the digest. Call once: the object is spent afterwards.
    std::array<std::uint8_t, 32> finish() noexcept
    {
        const std::uint64_t bit_length = length_ * 8;
        const std::uint8_t pad = 0x80;
        update(&pad, 1);
        const std::uint8_t zero = 0;
        while (used_ != 56)
            update(&zero, 1);
        std::uint8_t len[8];
        for (int i = 0; i < 8; ++i)
            len[i] = static_cast<std::uint8_t>(bit_length >> (56 - 8 * i));
        update(len, 8);
        std::array<std::uint8_t, 32> out{};
        for (int i = 0; i < 8; ++i)
            for (int b = 0; b < 4; ++b)
                out[static_cast<std::size_t>(4 * i + b)] = static_cast<std::uint8_t>(h_[i] >> (24 - 8 * b));
        return out;
    }

private:
    static constexpr std::uint32_t rotr(std::uint32_t x, int n) noexcept { return (x >> n) | (x << (32 - n)); }

    // Runs the compression function over `count` consecutive 64-byte blocks: with the SHA
    // extensions where the CPU has them (the same function, so the same digest), else in C++.
    void compress_blocks(const std::uint8_t* p, std::size_t count) noexcept
    {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
        static const bool sha_ni = cpu_has_sha_extensions();
        if (sha_ni && simd::active_path() != simd::path::scalar) { // PTOREF_SIMD=scalar: portable code
            compress_sha_ni(h_, p, count);
            return;
        }
#endif
        for (std::size_t b = 0; b < count; ++b)
            compress(p + 64 * b);
    }

    static constexpr std::uint32_t k_[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    // CPUID: leaf 7 EBX bit 29 (SHA), leaf 1 ECX bit 19 (SSE4.1). (clang 14's
    // __builtin_cpu_supports does not know "sha".)
    static bool cpu_has_sha_extensions() noexcept
    {
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (!__get_cpuid(1, &a, &b, &c, &d) || !((c >> 19) & 1u))
            return false;
        if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
            return false;
        return (b >> 29) & 1u;
    }

    // The x86 SHA extensions: state as (A B E F) and (C D G H) lanes; each SHA256RNDS2 does two
    // rounds; SHA256MSG1/MSG2 extend the message schedule four words at a time.
    __attribute__((target("sha,sse4.1"))) static void compress_sha_ni(std::uint32_t* h, const std::uint8_t* p,
                                                                      std::size_t count) noexcept
    {
        const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
        __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h));
        __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4));
        const __m128i badc = _mm_shuffle_epi32(dcba, 0xB1);
        const __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
        __m128i abef = _mm_alignr_epi8(badc, efgh, 8);
        __m128i cdgh = _mm_blend_epi16(efgh, badc, 0xF0);
        for (std::size_t b = 0; b < count; ++b, p += 64) {
            const __m128i abef_in = abef, cdgh_in = cdgh;
            __m128i w[4];
            for (int i = 0; i < 4; ++i)
                w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)), bswap);
#pragma GCC unroll 16
            for (int g = 0; g < 16; ++g) {
                if (g >= 4) { // W_g from W_{g-4} .. W_{g-1}
                    __m128i t = _mm_sha256msg1_epu32(w[g % 4], w[(g + 1) % 4]);
                    t = _mm_add_epi32(t, _mm_alignr_epi8(w[(g + 3) % 4], w[(g + 2) % 4], 4));
                    w[g % 4] = _mm_sha256msg2_epu32(t, w[(g + 3) % 4]);
                }
                const __m128i msg =
                    _mm_add_epi32(w[g % 4], _mm_loadu_si128(reinterpret_cast<const __m128i*>(k_ + 4 * g)));
                cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);
                abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(msg, 0x0E));
            }
            abef = _mm_add_epi32(abef, abef_in);
            cdgh = _mm_add_epi32(cdgh, cdgh_in);
        }
        const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
        const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
        dcba = _mm_blend_epi16(feba, dchg, 0xF0);
        hgfe = _mm_alignr_epi8(dchg, feba, 8);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(h), dcba);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(h + 4), hgfe);
    }
#endif

    void compress(const std::uint8_t* block) noexcept
    {
        std::uint32_t w[64];
        for (int i = 0; i < 16; ++i)
            w[i] = static_cast<std::uint32_t>(block[4 * i]) << 24 | static_cast<std::uint32_t>(block[4 * i + 1]) << 16 |
                   static_cast<std::uint32_t>(block[4 * i + 2]) << 8 | static_cast<std::uint32_t>(block[4 * i + 3]);
        for (int i = 16; i < 64; ++i) {
            const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
        for (int i = 0; i < 64; ++i) {
            const std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k_[i] + w[i];
            const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h_[0] += a;
        h_[1] += b;
        h_[2] += c;
        h_[3] += d;
        h_[4] += e;
        h_[5] += f;
        h_[6] += g;
        h_[7] += h;
    }

    std::uint32_t h_[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                           0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::uint8_t block_[64] = {};
    std::size_t used_ = 0;
    std::uint64_t length_ = 0;
};

inline std::string to_hex(const std::array<std::uint8_t, 32>& d)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (std::uint8_t b : d) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

inline std::string sha256_hex(const void* data, std::size_t n)
{
    sha256 h;
    h.update(data, n);
    return to_hex(h.finish());
}

} // namespace ptoref::testing
