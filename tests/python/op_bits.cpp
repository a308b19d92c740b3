// The C++ side of test_core_bits.py: writes fixed inputs (edge values and splitmix64 bit patterns,
// so no flag can change them) as .npy files into DIR, runs every op of the DSL on them through
// ptoref::pl, and prints "<name> <sha256>" per result. The pytest runs the same ops on the same
// files through ptoref._core and must print the same digests.
//   op_bits DIR
#include <ptoref/io/npy.hpp>
#include <ptoref/ptoref.hpp>
#include <ptoref/testing/digest.hpp>
#include <ptoref/testing/random.hpp>

#include "op_bits_main.hpp"

#include <bit>
#include <cstdio>
#include <string>
#include <vector>

namespace pl = ptoref::pl;
using ix = ptoref::index;

using op_bits::out;

namespace {

std::vector<float> floats(ix n, std::uint64_t seed)
{
    const std::uint32_t edges[] = {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x00000001u,
                                   0x807fffffu, 0x7f7fffffu, 0x3f808000u, 0x3f818000u, 0x3f801000u, 0xc0490fdbu};
    ptoref::testing::splitmix64 rng(seed);
    std::vector<float> v;
    for (ix i = 0; i < n; ++i) {
        if (static_cast<std::size_t>(i) < std::size(edges) && seed == 1)
            v.push_back(std::bit_cast<float>(edges[i]));
        else if (i % 3 == 0)
            v.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(rng.next())));
        else
            v.push_back(rng.uniform() * 4.0f);
    }
    return v;
}

std::vector<std::int32_t> ints(ix n, std::uint64_t seed, bool nonzero)
{
    ptoref::testing::splitmix64 rng(seed);
    std::vector<std::int32_t> v;
    for (ix i = 0; i < n; ++i) {
        auto x = static_cast<std::int32_t>(static_cast<std::uint32_t>(rng.next()) >> (i % 2 ? 20 : 0));
        v.push_back(nonzero && x == 0 ? 7 : x);
    }
    return v;
}

} // namespace

int main(int argc, char** argv)
{
    const auto dir_arg = op_bits::dir_argument(argc, argv);
    if (!dir_arg)
        return 2;
    const std::string dir = *dir_arg;
    auto a = ptoref::tensor_from<float>({16, 24}, floats(16 * 24, 1));
    auto b = ptoref::tensor_from<float>({16, 24}, floats(16 * 24, 2));
    auto vr = ptoref::tensor_from<float>({16, 1}, floats(16, 3));
    auto vc = ptoref::tensor_from<float>({1, 24}, floats(24, 4));
    auto ma = ptoref::tensor_from<float>({16, 32}, floats(16 * 32, 5));
    auto mb = ptoref::tensor_from<float>({32, 24}, floats(32 * 24, 6));
    auto ia = ptoref::tensor_from<std::int32_t>({16, 24}, ints(16 * 24, 7, false));
    auto ib = ptoref::tensor_from<std::int32_t>({16, 24}, ints(16 * 24, 8, true));
    namespace io = ptoref::io;
    io::save_npy(dir + "/a.npy", a);
    io::save_npy(dir + "/b.npy", b);
    io::save_npy(dir + "/vr.npy", vr);
    io::save_npy(dir + "/vc.npy", vc);
    io::save_npy(dir + "/ma.npy", ma);
    io::save_npy(dir + "/mb.npy", mb);
    io::save_npy(dir + "/ia.npy", ia);
    io::save_npy(dir + "/ib.npy", ib);
    ptoref::check::enabled_scope unchecked(false);

    const auto abf = pl::cast(a, pl::BF16, ptoref::cast_mode::rint),
               bbf = pl::cast(b, pl::BF16, ptoref::cast_mode::rint);
    const auto mabf = pl::cast(ma, pl::BF16, ptoref::cast_mode::rint),
               mbbf = pl::cast(mb, pl::BF16, ptoref::cast_mode::rint);
    const auto a16 = pl::cast(a, pl::FP16), b16 = pl::cast(b, pl::FP16);
#define BIN(NAME)                                                                                                      \
    out(#NAME "/FP32", pl::NAME(a, b));                                                                                \
    out(#NAME "/BF16", pl::NAME(abf, bbf));                                                                            \
    out(#NAME "/FP16", pl::NAME(a16, b16));                                                                            \
    out(#NAME "/INT32", pl::NAME(ia, ib));                                                                             \
    out(#NAME "_scalar/FP32", pl::NAME(a, 0.3));                                                                       \
    out(#NAME "_scalar/INT32", pl::NAME(ia, 5));
    BIN(add)
    BIN(sub)
    BIN(mul) BIN(div) BIN(maximum) BIN(minimum)
#undef BIN
#define UN(NAME)                                                                                                       \
    out(#NAME "/FP32", pl::NAME(a));                                                                                   \
    out(#NAME "/BF16", pl::NAME(abf));                                                                                 \
    out(#NAME "/FP16", pl::NAME(a16));
        UN(exp) UN(log) UN(sqrt) UN(rsqrt) UN(recip) UN(neg) UN(abs)
#undef UN
            out("rsqrt_hp/FP32", pl::rsqrt(a, true));
    out("rsqrt_hp/BF16", pl::rsqrt(abf, true));
    out("neg/INT32", pl::neg(ia));
    out("abs/INT32", pl::abs(ia));
#define EXP(NAME, V) out(#NAME "/FP32", pl::NAME(a, V));
    EXP(row_expand_add, vr)
    EXP(row_expand_sub, vr)
    EXP(row_expand_mul, vr) EXP(row_expand_div, vr) EXP(col_expand_add, vc) EXP(col_expand_sub, vc)
        EXP(col_expand_mul, vc) EXP(col_expand_div, vc)
#undef EXP
            out("row_max/FP32", pl::row_max(a));
    out("row_min/FP32", pl::row_min(a));
    out("row_sum/FP32", pl::row_sum(a));
    out("row_sum/BF16", pl::row_sum(abf));
    for (ptoref::cast_mode m : ptoref::all_cast_modes) {
        const std::string mode(ptoref::to_string(m));
        out("cast/FP32-BF16/" + mode, pl::cast(a, pl::BF16, m));
        out("cast/FP32-FP16/" + mode, pl::cast(a, pl::FP16, m));
        out("cast/FP32-INT32/" + mode, pl::cast(b, pl::INT32, m));
        out("cast/INT32-FP32/" + mode, pl::cast(ia, pl::FP32, m));
        out("cast/INT32-BF16/" + mode, pl::cast(ia, pl::BF16, m));
        out("cast/BF16-FP32/" + mode, pl::cast(abf, pl::FP32, m));
    }
    out("matmul/BF16-FP32", pl::matmul(mabf, mbbf, pl::FP32));
    out("matmul/BF16-BF16", pl::matmul(mabf, mbbf));
    out("matmul/FP32", pl::matmul(ma, mb));
    out("matmul/BF16-bt",
        pl::matmul(mabf, pl::cast(pl::transpose(mb, 0, 1), pl::BF16, ptoref::cast_mode::rint), pl::FP32, false, true));
    out("matmul_acc/BF16", pl::matmul_acc(pl::matmul(mabf, mbbf, pl::FP32), mabf, mbbf));
    const auto part = pl::slice(a, {8, 16}, {4, 4}, {5, 9});
    out("fillpad/zero", pl::fillpad(part, pl::PadValue::zero));
    out("fillpad/min", pl::fillpad(part, pl::PadValue::min));
    out("fillpad/max", pl::fillpad(part, pl::PadValue::max));
    out("reshape", pl::reshape(pl::slice(a, {4, 24}, {2, 0}), {8, 12}));
    out("transpose", pl::transpose(a, 0, 1));
    out("concat", pl::concat(a, b));
    auto target = pl::full({16, 24}, pl::FP32, -2.5);
    out("assemble", pl::assemble(target, part, {1, 2}));
    out("full/BF16", pl::full({3, 5}, pl::BF16, 0.1));
    out("write/BF16", pl::write(pl::full({2, 2}, pl::BF16, 0.0), {1, 1}, pl::literal_value<pl::bf16>(1.0 / 3.0)));
    return 0;
}
