// log_cr: correctly rounded binary32 natural logarithm (round to nearest, ties to even).
//
// Correct rounding leaves exactly one right answer, so the bits are identical on every ISA,
// compiler and flag set, and a SIMD version can be checked lane for lane against this one.
//
// Method (the CORE-MATH technique, our own code and constants):
//   x = 2^E * m, m in [1, 2) (exact in double, subnormal x included); i = the top 7 bits of
//   m's fraction; for i >= 53 (m >= 1.414) count m as 2 * (m/2) so that log m/2 stays small.
//   t = m * R[i] - 1 is exact (R[i] has 24 bits), |t| < 2^-7, and
//   log x = e ln2 + L[i] + log1p(t), L[i] = -log R[i] (- ln2 for i >= 53), by a degree-7
//   polynomial. R[0] = 1 and R[127] = 1/2 make L = 0 next to x = 1: no cancellation there.
//   The double result has relative error < 2^-50 (see log_fast; 2^-51.4 observed); the
//   rounding test allows 2^-47. Where it fails (352 of the 2^31 positive finite inputs),
//   log_accurate redoes the sum in double-double (error < 2^-95; 2^-97 observed) and rounds
//   through round-to-odd. The float input nearest to a midpoint is 2^-57.8 (relative) from it,
//   so this settles every case; the exhaustive test checks all 2^32.
// Special values: NaN and x < 0 (incl. -inf, -subnormals) -> 0x7FC00000, log(+-0) = -inf,
// log(+inf) = +inf, log(1) = +0.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "ptoref/math/detail_cr.hpp"

namespace ptoref::math {
namespace detail {

inline constexpr dword log_ln2 = {0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56};

// Rounding-test allowance for log_fast (proven error < 2^-50, plus margin for the test itself).
inline constexpr double log_eps = 0x1p-47;

// log1p(t) = t + t^2 * (c2 + c3 t + ... + c7 t^5), cn = (-1)^(n+1)/n (Taylor; for |t| < 2^-7
// the truncation is < |t|^8/7 < 2^-52 |log1p(t)|).
inline constexpr double log_poly[6] = {
    -0x1p-1, 0x1.5555555555555p-2, -0x1p-2, 0x1.999999999999ap-3, -0x1.5555555555555p-3, 0x1.2492492492492p-3,
};

// (-1)^(n+1)/n for n = 0..14 (index 0 unused) as double-doubles for the slow path; truncation
// after n = 14 is < 2^-98 relative for |t| < 2^-7.
inline constexpr dword log_taylor[15] = {
    {0x0p+0, 0x0p+0},
    {0x1p+0, 0x0p+0},
    {-0x1p-1, 0x0p+0},
    {0x1.5555555555555p-2, 0x1.5555555555555p-56},
    {-0x1p-2, 0x0p+0},
    {0x1.999999999999ap-3, -0x1.999999999999ap-57},
    {-0x1.5555555555555p-3, -0x1.5555555555555p-57},
    {0x1.2492492492492p-3, 0x1.2492492492492p-57},
    {-0x1p-3, 0x0p+0},
    {0x1.c71c71c71c71cp-4, 0x1.c71c71c71c71cp-58},
    {-0x1.999999999999ap-4, 0x1.999999999999ap-58},
    {0x1.745d1745d1746p-4, -0x1.745d1745d1746p-59},
    {-0x1.5555555555555p-4, -0x1.5555555555555p-58},
    {0x1.3b13b13b13b14p-4, -0x1.3b13b13b13b14p-58},
    {-0x1.2492492492492p-4, -0x1.2492492492492p-58},
};

// R[i]: 1/(1 + (i + 1/2)/128) rounded to 24 bits, so m * R[i] is exact; R[0] = 1, R[127] = 1/2.
// clang-format off
inline constexpr double log_inv[128] = {
    0x1.0000000000000p+0, 0x1.fa11ca0000000p-1, 0x1.f6310a0000000p-1, 0x1.f25f640000000p-1,
    0x1.ee9c800000000p-1, 0x1.eae8080000000p-1, 0x1.e741aa0000000p-1, 0x1.e3a9180000000p-1,
    0x1.e01e020000000p-1, 0x1.dca01e0000000p-1, 0x1.d92f220000000p-1, 0x1.d5cac80000000p-1,
    0x1.d272ca0000000p-1, 0x1.cf26e60000000p-1, 0x1.cbe6da0000000p-1, 0x1.c8b2660000000p-1,
    0x1.c5894e0000000p-1, 0x1.c26b540000000p-1, 0x1.bf583e0000000p-1, 0x1.bc4fd60000000p-1,
    0x1.b951e20000000p-1, 0x1.b65e2e0000000p-1, 0x1.b374840000000p-1, 0x1.b094b40000000p-1,
    0x1.adbe880000000p-1, 0x1.aaf1d20000000p-1, 0x1.a82e660000000p-1, 0x1.a574100000000p-1,
    0x1.a2c2a80000000p-1, 0x1.a01a020000000p-1, 0x1.9d79f20000000p-1, 0x1.9ae24e0000000p-1,
    0x1.9852f00000000p-1, 0x1.95cbb00000000p-1, 0x1.934c680000000p-1, 0x1.90d4f20000000p-1,
    0x1.8e65280000000p-1, 0x1.8bfce80000000p-1, 0x1.899c100000000p-1, 0x1.87427c0000000p-1,
    0x1.84f00c0000000p-1, 0x1.82a4a00000000p-1, 0x1.8060180000000p-1, 0x1.7e22560000000p-1,
    0x1.7beb3a0000000p-1, 0x1.79baa60000000p-1, 0x1.7790820000000p-1, 0x1.756cac0000000p-1,
    0x1.734f0c0000000p-1, 0x1.7137860000000p-1, 0x1.6f26020000000p-1, 0x1.6d1a620000000p-1,
    0x1.6b14900000000p-1, 0x1.6914740000000p-1, 0x1.6719f40000000p-1, 0x1.6524f80000000p-1,
    0x1.63356c0000000p-1, 0x1.614b360000000p-1, 0x1.5f66440000000p-1, 0x1.5d867c0000000p-1,
    0x1.5babcc0000000p-1, 0x1.59d6200000000p-1, 0x1.5805600000000p-1, 0x1.56397c0000000p-1,
    0x1.54725e0000000p-1, 0x1.52aff60000000p-1, 0x1.50f22e0000000p-1, 0x1.4f38f60000000p-1,
    0x1.4d843c0000000p-1, 0x1.4bd3ee0000000p-1, 0x1.4a27fa0000000p-1, 0x1.4880520000000p-1,
    0x1.46dce40000000p-1, 0x1.453d9e0000000p-1, 0x1.43a2740000000p-1, 0x1.420b520000000p-1,
    0x1.40782e0000000p-1, 0x1.3ee8f40000000p-1, 0x1.3d5d9a0000000p-1, 0x1.3bd60e0000000p-1,
    0x1.3a52440000000p-1, 0x1.38d22e0000000p-1, 0x1.3755be0000000p-1, 0x1.35dce60000000p-1,
    0x1.34679a0000000p-1, 0x1.32f5ce0000000p-1, 0x1.3187760000000p-1, 0x1.301c820000000p-1,
    0x1.2eb4ea0000000p-1, 0x1.2d50a00000000p-1, 0x1.2bef980000000p-1, 0x1.2a91ca0000000p-1,
    0x1.2937260000000p-1, 0x1.27dfa40000000p-1, 0x1.268b380000000p-1, 0x1.2539d80000000p-1,
    0x1.23eb7a0000000p-1, 0x1.22a0120000000p-1, 0x1.2157980000000p-1, 0x1.2012020000000p-1,
    0x1.1ecf440000000p-1, 0x1.1d8f560000000p-1, 0x1.1c52300000000p-1, 0x1.1b17c60000000p-1,
    0x1.19e0120000000p-1, 0x1.18ab080000000p-1, 0x1.1778a20000000p-1, 0x1.1648d60000000p-1,
    0x1.151b9a0000000p-1, 0x1.13f0e80000000p-1, 0x1.12c8b80000000p-1, 0x1.11a3020000000p-1,
    0x1.107fbc0000000p-1, 0x1.0f5ee00000000p-1, 0x1.0e40660000000p-1, 0x1.0d24460000000p-1,
    0x1.0c0a780000000p-1, 0x1.0af2f80000000p-1, 0x1.09ddba0000000p-1, 0x1.08cabc0000000p-1,
    0x1.07b9f20000000p-1, 0x1.06ab5a0000000p-1, 0x1.059eea0000000p-1, 0x1.04949c0000000p-1,
    0x1.038c6c0000000p-1, 0x1.0286500000000p-1, 0x1.0182440000000p-1, 0x1.0000000000000p-1,
};
// clang-format on

// L[i] = -log R[i] (- ln2 for i >= 53) = log_hi[i] + log_lo[i] to ~2^-106.
// clang-format off
inline constexpr double log_hi[128] = {
    0x0p+0, 0x1.7dc49e7810addp-7, 0x1.3cea5df46a5c8p-6, 0x1.b9fc0afaf91a1p-6,
    0x1.1b0d90923d990p-5, 0x1.58a5b57c8e4dcp-5, 0x1.95c836cc8e3f4p-5, 0x1.d276b22db0b5dp-5,
    0x1.075982498e472p-4, 0x1.253f6120a1419p-4, 0x1.42edcd9a646f2p-4, 0x1.60658ad3750c4p-4,
    0x1.7da76907b12cfp-4, 0x1.9ab42252033afp-4, 0x1.b78c7d2b0edb1p-4, 0x1.d4313a96cb361p-4,
    0x1.f0a30391162cap-4, 0x1.06714f3ca5972p-3, 0x1.14785c6e742bep-3, 0x1.2266f328a5acep-3,
    0x1.303d74c647fddp-3, 0x1.3dfc2c26cc62bp-3, 0x1.4ba37269a55f0p-3, 0x1.5933896982097p-3,
    0x1.66acd4072ad51p-3, 0x1.740f93fc037bap-3, 0x1.815c059c357ffp-3, 0x1.8e92902886d46p-3,
    0x1.9bb36547dfb89p-3, 0x1.a8becdf082f1cp-3, 0x1.b5b51740fb5abp-3, 0x1.c2968890c18cbp-3,
    0x1.cf6359209c5eep-3, 0x1.dc1bcdcabec8bp-3, 0x1.e8c0250aa5a60p-3, 0x1.f550a0ecb7b4bp-3,
    0x1.00e6c38ad501ep-2, 0x1.071b860cd590dp-2, 0x1.0d46b3d9ab750p-2, 0x1.13686fa13a8b1p-2,
    0x1.1980d34542370p-2, 0x1.1f8ffa248a2f3p-2, 0x1.2596011df763ap-2, 0x1.2b93013789d31p-2,
    0x1.31871a4144190p-2, 0x1.37726827fd863p-2, 0x1.3d54f7e81f71cp-2, 0x1.432ef2f84e814p-2,
    0x1.490068ec009d2p-2, 0x1.4ec9758200275p-2, 0x1.548a2aa6dd268p-2, 0x1.5a42ac334cfe4p-2,
    0x1.5ff308ea793dbp-2, -0x1.602d09a7091eap-2, -0x1.5a8caf83edf9bp-2, -0x1.54f430c7be1a7p-2,
    -0x1.4f638013a980cp-2, -0x1.49da7dbfcc41ap-2, -0x1.4459202d39f3fp-2, -0x1.3edf45841683dp-2,
    -0x1.396ce231bbf51p-2, -0x1.3401e3eaecb92p-2, -0x1.2e9e2b8e12286p-2, -0x1.2941b0b986b7ap-2,
    -0x1.23ec584deba46p-2, -0x1.1e9e183c899eep-2, -0x1.1956d385bc2fap-2, -0x1.14167e6767782p-2,
    -0x1.0edd064378081p-2, -0x1.09aa57a26c6d4p-2, -0x1.047e5e31e83aap-2, -0x1.feb22276a07ccp-3,
    -0x1.f474b5c4df214p-3, -0x1.ea4448d84aaf3p-3, -0x1.e020d27235a90p-3, -0x1.d60a15710350ep-3,
    -0x1.cc001295b3c2fp-3, -0x1.c20289a17f9b3p-3, -0x1.b81178d3823b1p-3, -0x1.ae2ca9be72bcdp-3,
    -0x1.a4540b3e6aafcp-3, -0x1.9a877e06baa1ep-3, -0x1.90c6e177cbcb7p-3, -0x1.8712139d0e994p-3,
    -0x1.7d68fe72f5ab3p-3, -0x1.73cb8adcfd12dp-3, -0x1.6a39a0a3bd37bp-3, -0x1.60b30b8309461p-3,
    -0x1.5737cbb818cddp-3, -0x1.4dc7b817bc1c7p-3, -0x1.4462b3bc9b3b6p-3, -0x1.3b08bc0d7f28ap-3,
    -0x1.31b996aba4f81p-3, -0x1.28753ef11ab9ap-3, -0x1.1f3b93bf25d3fp-3, -0x1.160c80c4b27b0p-3,
    -0x1.0ce7f0c4cc27dp-3, -0x1.03cdbf7d1ec0cp-3, -0x1.f57bc799005dbp-4, -0x1.e3708b530482ep-4,
    -0x1.d1797ba21935fp-4, -0x1.bf9680f9fc9fcp-4, -0x1.adc78265aea86p-4, -0x1.9c0c2ba4d252ep-4,
    -0x1.8a647d391dc19p-4, -0x1.78d01f23d82cep-4, -0x1.674f0ee365a66p-4, -0x1.55e10e20e0324p-4,
    -0x1.4485dc8dbdfa6p-4, -0x1.333d734183f00p-4, -0x1.2207ac8785473p-4, -0x1.10e4612cae81fp-4,
    -0x1.ffa694dab92fdp-5, -0x1.dda8b7c67ee35p-5, -0x1.bbced3a68f3bdp-5, -0x1.9a188df73de25p-5,
    -0x1.7885892357793p-5, -0x1.5715df403ce3fp-5, -0x1.35c8b2ca13042p-5, -0x1.149e5680059fap-5,
    -0x1.e72bccc13cd9fp-6, -0x1.a55f624c5c427p-6, -0x1.63d615c690bd6p-6, -0x1.228f827ea2d0ep-6,
    -0x1.c3177b4c75deep-7, -0x1.4192bb96832bfp-7, -0x1.8121bb458686fp-8, 0x0p+0,
};
inline constexpr double log_lo[128] = {
    0x0p+0, 0x1.8494a240c11b8p-61, -0x1.765a22a70ef09p-61, 0x1.ea334206f1a7fp-65,
    -0x1.e9ae9df101997p-60, 0x1.c6a8e74f1fcffp-61, 0x1.e683b0fa78541p-61, -0x1.7870f0ef4ab4bp-59,
    -0x1.fb25acff68f9dp-59, -0x1.8a1259e302f7ap-58, -0x1.5f1582feaf49bp-58, -0x1.188458ebcc614p-58,
    -0x1.73b7eff915a12p-60, -0x1.c99e337dce8bep-63, -0x1.fcf0f47751aabp-58, 0x1.4b0dd7773d0fep-58,
    -0x1.80d0c48b83f68p-62, -0x1.4e7379db88c08p-59, -0x1.4477d42daf5b9p-57, 0x1.e47c0717be8bbp-61,
    0x1.6b5199274c898p-57, -0x1.93a8d9e3256b5p-62, -0x1.f367d96839876p-57, 0x1.7116d231c3f5dp-57,
    -0x1.d201c9c47fc0fp-59, 0x1.dfce1e9130fd3p-57, -0x1.89e4bbf1dee80p-58, -0x1.169d814e56763p-57,
    -0x1.8a1c998d17394p-61, 0x1.493c82b98db76p-58, 0x1.f327f7825570fp-57, -0x1.6f6c364d84555p-64,
    0x1.639a216c061e3p-57, 0x1.c34c632d8b75fp-57, -0x1.2e03a39ca7345p-59, -0x1.5057e10ede540p-64,
    0x1.88d52b24cad58p-58, 0x1.f1707f98133d5p-58, 0x1.a1f63b293b43ap-56, -0x1.0a675a9140c2cp-58,
    -0x1.10c2e4dad040fp-56, -0x1.49fdf99b6f5b1p-56, -0x1.deed8ae041291p-59, -0x1.64eb73873ef99p-56,
    -0x1.7135ba3e86ad9p-57, -0x1.6c589289f1453p-57, -0x1.bea6701908e51p-56, -0x1.bc98b83e79d6fp-59,
    0x1.c201e6ee8196ap-56, -0x1.7450d828f6d1ap-57, -0x1.a89d025e1c2ffp-57, 0x1.b38694373d63fp-57,
    -0x1.7c60de1bc6f0bp-57, -0x1.12edc8315e6bbp-59, 0x1.dbb0a7f5b7836p-56, 0x1.659fb9add722fp-57,
    -0x1.a9a690bbcc2c5p-59, -0x1.92cdaaef39fddp-56, -0x1.a2edbb1647005p-56, -0x1.61d6805503b2ep-56,
    -0x1.b4ea63072b644p-57, 0x1.e6aaa4dce4fd4p-57, 0x1.e7dae5d9d17bep-58, 0x1.44b72f6c32ba5p-56,
    0x1.69914b323a107p-57, -0x1.82b0fa819e349p-58, -0x1.271d68d22dc07p-56, -0x1.a3024d732193fp-56,
    0x1.2b5a4f75aeadap-56, 0x1.029e8c9cfbeacp-56, -0x1.000d0a1e6cfc0p-57, -0x1.a7de006adaa19p-57,
    -0x1.40e3058e4f930p-60, -0x1.63c6e5e4c4a36p-57, -0x1.fb529131e139ap-57, -0x1.3c40ecfb308e3p-58,
    0x1.2d2e64f67d3d6p-57, -0x1.6d1aa31edfb45p-57, 0x1.7ce1f12bb0ebcp-57, 0x1.45a34ee98423fp-57,
    0x1.28df6f14320e7p-58, 0x1.9207531a8a38bp-59, -0x1.b112d8651d7f3p-59, -0x1.bd85f35f3d7f5p-57,
    -0x1.5be80a20c7057p-57, -0x1.84e5c59ceb9c0p-57, 0x1.aacccb728d6b2p-57, -0x1.316ccf0cb73cdp-57,
    0x1.89b28f2355c72p-57, -0x1.6d82b87518f61p-57, -0x1.3eb19007120d3p-57, 0x1.f5c9d7d45cf8dp-58,
    -0x1.84c74c26f6eebp-57, -0x1.f86b30d15ccbbp-57, -0x1.9164f985780d5p-58, -0x1.42a900b31295bp-57,
    -0x1.8dd6138866b88p-57, 0x1.f1d2c8b30d9b8p-61, 0x1.b361575007a38p-58, 0x1.60c9cb56f4ba4p-60,
    -0x1.46d7c186c013ap-58, -0x1.b8d7724de6ee0p-61, -0x1.6fb1ee5d321f4p-59, -0x1.ab85d2f52749dp-58,
    -0x1.20be7db33464ep-58, -0x1.1794b0e70c647p-59, 0x1.4ccd763dd2594p-58, -0x1.2807057d9d5acp-58,
    -0x1.e9a3457d2d1b8p-58, -0x1.892a635ea15dcp-58, 0x1.d81ffdaab4b92p-59, 0x1.3508bb009e147p-61,
    -0x1.13070c1be888fp-62, -0x1.4e6cad449a15cp-59, -0x1.eee84097532f6p-59, 0x1.59d680ba78807p-61,
    -0x1.a5ef60dabcdbap-59, -0x1.5103600213f73p-59, 0x1.d9085d1ce7fbcp-59, 0x1.934388bf4acb8p-61,
    -0x1.db665acb49c07p-61, -0x1.f306a56bda5b1p-60, 0x1.a0ed4d3ca1f1fp-60, 0x1.06bfe19fe49f7p-60,
    0x1.7f38df42be44ep-62, 0x1.c55162cf66d18p-61, 0x1.1f479ca8f73b5p-64, 0x0p+0,
};
// clang-format on

// Splits a positive finite x (as a double, so subnormal floats are normal here): x = 2^E * m,
// e = E + (i >= 53), x = 2^e * (1 + t) / (R[i] * (i >= 53 ? 2 : 1)), with t exact.
inline void log_reduce(double xd, double& t, double& e, unsigned& i) noexcept
{
    const std::uint64_t b = std::bit_cast<std::uint64_t>(xd);
    i = static_cast<unsigned>(b >> 45) & 127u;
    const double m = std::bit_cast<double>((b & 0x000fffffffffffffu) | 0x3ff0000000000000u);
    e = static_cast<double>(static_cast<int>(b >> 52) - 1023 + (i >= 53 ? 1 : 0));
    t = m * log_inv[i] - 1.0; // m * R[i] has <= 48 bits and lies in (0.99, 1.01): exact
}

// log x for positive finite x, branch-free (one lookup per table per lane).
// Relative error budget, each with or without FMA contraction:
//   polynomial: truncation < 2^-52, rounding < 1.2 * 2^-53, relative to log1p(t);
//   e != 0: |log x| > 0.3466, |e ln2 + L| and the roundings of e*ln2, L, the two sums stay
//     within 8 * 2^-53 |log x|;
//   e == 0: |L| <= 1.5 |log x| (i in 1..126) or L == 0 exactly (i = 0, 127): < 5 * 2^-53.
//   Hence < 2^-50.
inline double log_fast(double xd) noexcept
{
    double t, e;
    unsigned i;
    log_reduce(xd, t, e, i);
    const double q =
        log_poly[0] + t * (log_poly[1] + t * (log_poly[2] + t * (log_poly[3] + t * (log_poly[4] + t * log_poly[5]))));
    const double p = t + (t * t) * q;
    return (e * log_ln2.hi + log_hi[i]) + p;
}

// The slow path: log1p(t) to degree 14 (the high terms in double, the low six in double-double),
// e ln2 + L[i] in double-double. Relative error < 2^-95, far below the distance of any log x
// (x a float) to a float midpoint, so the round-to-odd rounding of the result is the correct one.
inline float log_accurate(double xd) noexcept
{
    double t, e;
    unsigned i;
    log_reduce(xd, t, e, i);
    double tail = log_taylor[14].hi;
    for (int n = 13; n >= 7; --n)
        tail = tail * t + log_taylor[n].hi; // these terms are < 2^-42 |t|: double suffices
    dword q{tail, 0.0};
    for (int n = 6; n >= 1; --n)
        q = dw_add(dw_mul(q, t), log_taylor[n]);
    const dword p = dw_mul(q, t);
    dword a = exact_prod(e, log_ln2.hi); // |e| <= 150
    a = exact_sum(a.hi, a.lo + e * log_ln2.lo);
    const dword s = dw_add(dw_add(a, dword{log_hi[i], log_lo[i]}), p);
    return cr_round_dword(s);
}

} // namespace detail

// Correctly rounded natural logarithm (round to nearest even). A vector version does the same per
// lane: log_fast + cr_round_test on all lanes (with the special inputs replaced by 1), blend the
// special values, and call log_accurate for the rare lanes whose test failed.
inline float log_cr(float x) noexcept
{
    const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
    if (u - 1u >= 0x7f7fffffu) [[unlikely]] { // not in (0, +inf): zeros, negatives, inf, NaN
        if ((u & 0x7fffffffu) == 0)
            return -std::bit_cast<float>(0x7f800000u);
        if (u == 0x7f800000u)
            return x;
        return detail::cr_canonical_nan;
    }
    const double xd = static_cast<double>(x);
    float out;
    if (detail::cr_round_test(detail::log_fast(xd), detail::log_eps, out)) [[likely]]
        return out;
    return detail::log_accurate(xd);
}

// out[i] = log_cr(in[i]); in and out may be the same array.
inline void log_cr(const float* in, float* out, std::size_t n) noexcept
{
    for (std::size_t i = 0; i < n; ++i)
        out[i] = log_cr(in[i]);
}

} // namespace ptoref::math
