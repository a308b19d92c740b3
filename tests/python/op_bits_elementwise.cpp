// The C++ side of test_ops_elementwise.py: writes fixed inputs (edge values and splitmix64 bit
// patterns) as .npy files into DIR, runs the ops of ops/{compare,bitwise,remainder,activation,
// partial,trig}.hpp and the new expand/reduction/tensor-scalar forms through ptoref::pl, and prints
// "<name> <sha256>" per result. The pytest runs the same ops through ptoref.language.
//   op_bits_elementwise DIR
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
                                   0x807fffffu, 0x7f7fffffu, 0x3f808000u, 0xc0490fdbu, 0x3f800000u, 0x40000000u};
    ptoref::testing::splitmix64 rng(seed);
    std::vector<float> v;
    for (ix i = 0; i < n; ++i) {
        if (static_cast<std::size_t>(i) < std::size(edges))
            v.push_back(std::bit_cast<float>(edges[i]));
        else if (i % 3 == 0)
            v.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(rng.next())));
        else
            v.push_back(rng.uniform() * 8.0f - 4.0f);
    }
    return v;
}

std::vector<std::int32_t> ints(ix n, std::uint64_t seed, int shift_mod)
{
    ptoref::testing::splitmix64 rng(seed);
    std::vector<std::int32_t> v;
    for (ix i = 0; i < n; ++i) {
        const auto r = static_cast<std::uint32_t>(rng.next());
        if (shift_mod > 0)
            v.push_back(static_cast<std::int32_t>(r % static_cast<std::uint32_t>(shift_mod)));
        else {
            const auto x = static_cast<std::int32_t>(r >> (i % 2 ? 24 : 0));
            v.push_back(x == 0 ? 3 : x);
        }
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
    auto a = ptoref::tensor_from<float>({12, 16}, floats(12 * 16, 1));
    auto b = ptoref::tensor_from<float>({12, 16}, floats(12 * 16, 2));
    auto vr = ptoref::tensor_from<float>({12, 1}, floats(12, 3));
    auto vc = ptoref::tensor_from<float>({1, 16}, floats(16, 4));
    auto ia = ptoref::tensor_from<std::int32_t>({12, 16}, ints(12 * 16, 5, 0));
    auto ib = ptoref::tensor_from<std::int32_t>({12, 16}, ints(12 * 16, 6, 0));
    auto is = ptoref::tensor_from<std::int32_t>({12, 16}, ints(12 * 16, 7, 32));
    namespace io = ptoref::io;
    io::save_npy(dir + "/a.npy", a);
    io::save_npy(dir + "/b.npy", b);
    io::save_npy(dir + "/vr.npy", vr);
    io::save_npy(dir + "/vc.npy", vc);
    io::save_npy(dir + "/ia.npy", ia);
    io::save_npy(dir + "/ib.npy", ib);
    io::save_npy(dir + "/is.npy", is);
    ptoref::check::enabled_scope unchecked(false);
    using ptoref::cast_mode;
    const auto abf = pl::cast(a, pl::BF16, cast_mode::rint), bbf = pl::cast(b, pl::BF16, cast_mode::rint);
    const auto a16 = pl::cast(a, pl::FP16, cast_mode::rint), b16 = pl::cast(b, pl::FP16, cast_mode::rint);
    for (int c = 0; c <= 5; ++c) {
        const std::string k = std::to_string(c);
        out("cmp/FP32/" + k, pl::cmp(a, b, c));
        out("cmp/BF16/" + k, pl::cmp(abf, bbf, c));
        out("cmp/INT32/" + k, pl::cmp(ia, ib, c));
        out("cmps/FP32/" + k, pl::cmps(a, 0.5, c));
        out("cmps/INT32/" + k, pl::cmps(ia, 3, c));
    }
    const auto mask = pl::cmp(a, b, 2);
    out("sel/FP32", pl::sel(mask, a, b));
    out("sel/INT32", pl::sel(mask, ia, ib));
    out("sels/FP32", pl::sels(mask, a, -1.5));
    out("and/INT32", pl::and_(ia, ib));
    out("or/INT32", pl::or_(ia, ib));
    out("xor/INT32", pl::xor_(ia, ib));
    out("not/INT32", pl::not_(ia));
    out("ands/INT32", pl::ands(ia, 0xff0));
    out("ors/INT32", pl::ors(ia, -16));
    out("xors/INT32", pl::xors(ia, 12345));
    out("shl/INT32", pl::shl(ia, is));
    out("shr/INT32", pl::shr(ia, is));
    out("shls/INT32", pl::shls(ia, 7));
    out("shrs/INT32", pl::shrs(ia, 9));
    out("fmod/FP32", pl::fmod(a, b));
    out("rem/FP32", pl::rem(a, b));
    out("fmod/BF16", pl::fmod(abf, bbf));
    out("fmods/FP32", pl::fmods(a, 0.7));
    out("rems/FP32", pl::rems(a, -0.7));
    out("fmod/INT32", pl::fmod(ia, ib));
    out("rem/INT32", pl::rem(ia, ib));
    out("rems/INT32", pl::rems(ia, -7));
    out("relu/FP32", pl::relu(a));
    out("relu/BF16", pl::relu(abf));
    out("relu/INT32", pl::relu(ia));
    out("lrelu/FP32", pl::lrelu(a, 0.1));
    out("prelu/FP16", pl::prelu(a16, b16));
    const auto pa = pl::slice(a, {12, 16}, {0, 0}, {7, 9});
    out("part_add/FP32", pl::part_add(pa, b));
    out("part_mul/FP32", pl::part_mul(a, pa));
    out("part_max/FP32", pl::part_max(pa, b));
    out("part_min/FP32", pl::part_min(b, pa));
    out("sin/FP32", pl::sin(a));
    out("cos/FP32", pl::cos(a));
    out("sin/BF16", pl::sin(abf));
    out("cos/FP16", pl::cos(a16));
    out("row_expand/FP32", pl::row_expand(a, vr));
    out("col_expand/FP32", pl::col_expand(a, vc));
    out("row_expand_max/FP32", pl::row_expand_max(a, vr));
    out("row_expand_min/FP32", pl::row_expand_min(a, vr));
    out("row_expand_expdif/FP32", pl::row_expand_expdif(a, vr));
    out("col_expand_max/FP32", pl::col_expand_max(a, vc));
    out("col_expand_min/FP32", pl::col_expand_min(a, vc));
    out("col_expand_expdif/FP32", pl::col_expand_expdif(a, vc));
    out("expands/BF16", pl::expands(abf, 0.1));
    out("expands/INT32", pl::expands(ia, -9));
    out("col_sum/FP32", pl::col_sum(a));
    out("col_max/FP32", pl::col_max(a));
    out("col_min/FP32", pl::col_min(a));
    out("col_prod/FP32", pl::col_prod(a));
    out("col_sum/BF16", pl::col_sum(abf));
    out("col_sum/INT32", pl::col_sum(ia));
    out("row_prod/FP32", pl::row_prod(a));
    out("row_prod/FP16", pl::row_prod(a16));
    out("row_prod/INT32", pl::row_prod(ia));
    out("adds/BF16", pl::adds(abf, 0.1));
    out("muls/FP16", pl::muls(a16, 3.3));
    out("subs/BF16", pl::subs(abf, 1.0 + 0x1p-8 + 0x1p-30));
    out("divs/FP16", pl::divs(a16, 0.3));
    out("maximums/BF16", pl::maximums(abf, 0.5));
    out("minimums/FP32", pl::minimums(a, 0.5));
    out("div_hp/FP32", pl::div(a, b, true));
    out("recip_hp/FP32", pl::recip(a, true));
    out("log_hp/BF16", pl::log(abf, true));
    return 0;
}
