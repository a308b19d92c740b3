// The C++ side of test_ops_index.py's bit check: writes fixed inputs (splitmix64 bit patterns)
// as .npy files into DIR, runs the index, sort, scatter, atomic and data-movement ops on them
// through ptoref::pl and prints "<name> <sha256>" per result. The pytest runs the same ops on the
// same files through ptoref.language and must print the same digests.
//   op_bits_index DIR
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
    ptoref::testing::splitmix64 rng(seed);
    std::vector<float> v;
    for (ix i = 0; i < n; ++i)
        v.push_back(i % 3 == 0 ? std::bit_cast<float>(static_cast<std::uint32_t>(rng.next()))
                               : rng.uniform() * 4.0f - 2.0f);
    return v;
}

std::vector<std::int32_t> indices(ix n, std::uint64_t seed, std::uint64_t below)
{
    ptoref::testing::splitmix64 rng(seed);
    std::vector<std::int32_t> v;
    for (ix i = 0; i < n; ++i)
        v.push_back(static_cast<std::int32_t>(rng.next() % below));
    return v;
}

} // namespace

int main(int argc, char** argv)
{
    const auto dir_arg = op_bits::dir_argument(argc, argv);
    if (!dir_arg)
        return 2;
    const std::string dir = *dir_arg;
    auto a = ptoref::tensor_from<float>({4, 64}, floats(4 * 64, 1));
    auto m = ptoref::tensor_from<float>({4, 64}, floats(4 * 64, 2));
    auto keys = ptoref::tensor_from<float>({1, 256}, floats(256, 3));
    auto idx = ptoref::tensor_from<std::int32_t>({4, 48}, indices(4 * 48, 4, 64));
    auto rows = ptoref::tensor_from<std::int32_t>({1, 3}, indices(3, 5, 4));
    namespace io = ptoref::io;
    io::save_npy(dir + "/a.npy", a);
    io::save_npy(dir + "/m.npy", m);
    io::save_npy(dir + "/keys.npy", keys);
    io::save_npy(dir + "/idx.npy", idx);
    io::save_npy(dir + "/rows.npy", rows);
    ptoref::check::enabled_scope unchecked(false);

    out("arange", pl::arange(3, {1, 40}, pl::INT32, true));
    out("gather/index", pl::gather(a, -1, idx));
    out("gather/P1010/INT32", pl::gather(a, pl::MaskPattern::P1010, pl::INT32));
    out("gather/P0001", pl::gather(a, pl::MaskPattern::P0001));
    out("scatter/index", pl::scatter(a, -1, idx, pl::slice(m, {4, 48}, {0, 0})));
    out("scatter/P0010", pl::scatter(pl::slice(m, {4, 16}, {0, 0}), pl::MaskPattern::P0010, a));
    out("scatter_update", pl::scatter_update(a, -2, rows, pl::slice(m, {3, 64}, {0, 0})));
    auto s = pl::sort32(keys, pl::arange(0, {1, 256}));
    out("sort32/FP32", s);
    out("mrgsort/blocks", pl::mrgsort(s, 64));
    auto h = pl::cast(pl::slice(keys, {1, 64}, {0, 0}), pl::FP16, ptoref::cast_mode::rint);
    auto sh = pl::sort32(h, pl::arange(0, {1, 64}));
    out("sort32/FP16", sh);
    out("mrgsort/lists", pl::mrgsort(pl::slice(s, {1, 64}, {0, 0}), pl::slice(s, {1, 128}, {0, 64}),
                                     pl::slice(s, {1, 64}, {0, 192}), true));
    out("row_argmax", pl::row_argmax(a));
    out("col_argmin", pl::col_argmin(a));
    out("row_argmin/BF16", pl::row_argmin(pl::cast(a, pl::BF16, ptoref::cast_mode::rint)));
    auto acc = pl::full({4, 64}, pl::FP32, 0.0);
    acc = pl::assemble(acc, m, {0, 0}, pl::AtomicType::Add);
    acc = pl::assemble(acc, pl::slice(a, {2, 8}, {1, 1}), {2, 3}, pl::AtomicType::Add);
    out("assemble/atomic", acc);
    auto accb = pl::full({4, 64}, pl::BF16, 0.0);
    accb = pl::store(m, {0, 0}, accb, pl::AtomicType::Add);
    accb = pl::store(a, {0, 0}, accb, pl::AtomicType::Add);
    out("store/atomic/BF16", accb);
    out("set_validshape", pl::fillpad(pl::set_validshape(a, 3, 5)));
    out("fillpad_expand", pl::fillpad_expand(pl::slice(a, {4, 64}, {0, 0}, {2, 7}), {5, 66}, pl::PadValue::max));
    out("expand_clone",
        pl::expand_clone(pl::reshape(pl::slice(a, {1, 64}, {1, 0}), {1, 4, 16}), pl::full({2, 4, 16}, pl::FP32, 0.0)));
    out("reinterpret_view/BF16", pl::reinterpret_view(a, pl::BF16));
    out("reinterpret_view/INT32", pl::reinterpret_view(a, pl::INT32, {8, 32}));
    out("gather_row", pl::gather_row(pl::full({64, 3}, pl::FP32, 1.0), a, {0, 2}, {2, 0}, {1, 64}, true));
    out("create_tensor/init", pl::create_tensor({2, 3}, pl::FP32, 0.3));
    out("concat/INT32", pl::concat(idx, idx));
    return 0;
}
