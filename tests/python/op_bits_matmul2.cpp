// The C++ side of test_ops_matmul2.py's bit check: writes fixed inputs (splitmix64 bit patterns)
// as .npy files into DIR, runs the batched, bias and gemv matmuls, transpose_view and the partly
// valid reshape on them through ptoref::pl and prints "<name> <sha256>" per result. The pytest
// runs the same ops on the same files through ptoref.language and must print the same digests.
//   op_bits_matmul2 DIR
#include <ptoref/io/npy.hpp>
#include <ptoref/ptoref.hpp>
#include <ptoref/testing/digest.hpp>
#include <ptoref/testing/random.hpp>

#include "op_bits_main.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace pl = ptoref::pl;
using ix = ptoref::index;

using op_bits::out;

namespace {

std::vector<float> floats(ix n, std::uint64_t seed)
{
    ptoref::testing::splitmix64 rng(seed);
    std::vector<float> v;
    for (ix i = 0; i < n; ++i)
        v.push_back(rng.uniform() * 4.0f - 2.0f);
    return v;
}

std::vector<std::int8_t> int8s(ix n, std::uint64_t seed)
{
    ptoref::testing::splitmix64 rng(seed);
    std::vector<std::int8_t> v;
    for (ix i = 0; i < n; ++i)
        v.push_back(static_cast<std::int8_t>(static_cast<int>(rng.next() % 256) - 128));
    return v;
}

} // namespace

int main(int argc, char** argv)
{
    const auto dir_arg = op_bits::dir_argument(argc, argv);
    if (!dir_arg)
        return 2;
    const std::string dir = *dir_arg;
    auto a = ptoref::tensor_from<float>({2, 1, 4, 40}, floats(2 * 4 * 40, 1));
    auto b = ptoref::tensor_from<float>({3, 40, 24}, floats(3 * 40 * 24, 2));
    auto bias = ptoref::tensor_from<float>({1, 24}, floats(24, 3));
    auto v = ptoref::tensor_from<float>({1, 40}, floats(40, 4));
    auto a8 = ptoref::tensor_from<std::int8_t>({1, 64}, int8s(64, 5));
    auto b8 = ptoref::tensor_from<std::int8_t>({64, 16}, int8s(64 * 16, 6));
    namespace io = ptoref::io;
    io::save_npy(dir + "/a.npy", a);
    io::save_npy(dir + "/b.npy", b);
    io::save_npy(dir + "/bias.npy", bias);
    io::save_npy(dir + "/v.npy", v);
    io::save_npy(dir + "/a8.npy", a8);
    io::save_npy(dir + "/b8.npy", b8);
    ptoref::check::enabled_scope unchecked(false);

    out("batch_matmul/FP32", pl::batch_matmul(a, b));
    const auto ab = pl::cast(a, pl::BF16, ptoref::cast_mode::rint);
    const auto bb = pl::cast(b, pl::BF16, ptoref::cast_mode::rint);
    out("batch_matmul/BF16", pl::batch_matmul(ab, bb));
    out("matmul/rank4/BF16/b_trans", pl::batch_matmul(ab, pl::transpose(bb, 1, 2), pl::BF16, false, true));
    out("matmul/rank4/FP32/a_trans", pl::batch_matmul(pl::transpose(a, 2, 3), b, pl::FP32, true, false));
    const auto acc = pl::batch_matmul(pl::slice(a, {2, 1, 4, 16}, {0, 0, 0, 0}), pl::slice(b, {3, 16, 24}, {0, 0, 0}));
    out("batch_matmul_acc",
        pl::batch_matmul_acc(acc, pl::slice(a, {2, 1, 4, 24}, {0, 0, 0, 16}), pl::slice(b, {3, 24, 24}, {0, 16, 0})));
    const auto b2 = pl::reshape(pl::slice(b, {1, 40, 24}, {1, 0, 0}), {40, 24});
    const auto a2 = pl::reshape(pl::slice(a, {1, 1, 4, 40}, {1, 0, 0, 0}), {4, 40});
    out("matmul_bias/FP32", pl::matmul_bias(a2, b2, bias));
    out("matmul_bias/INT8",
        pl::matmul_bias(a8, b8, pl::cast(pl::slice(bias, {1, 16}, {0, 0}), pl::INT32, ptoref::cast_mode::rint)));
    const auto g = pl::gemv(v, b2);
    out("gemv", g);
    out("gemv_acc", pl::gemv_acc(g, v, b2, pl::AccPhase::final));
    out("gemv_bias", pl::gemv_bias(v, b2, bias, pl::AccPhase::partial));
    out("gemv/INT8", pl::gemv(a8, b8));
    out("transpose_view/matmul", pl::matmul(a2, pl::transpose_view(pl::transpose_view(b2)), pl::FP32));
    out("reshape/partly_valid", pl::reshape(pl::slice(b2, {40, 24}, {0, 0}, {3, 24}), {10, 4, 24}));
    return 0;
}
