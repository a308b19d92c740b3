// The C++ twin of examples/python/cache_attention.py: the same program through ptoref::pl, on
// inputs read from .npy files (as `python3 -m ptoref.golden_data` writes them from a
// `ptoref run --golden-data-out` directory). A Python run and this run give the same digest.
//
//   cache_attention --inputs DIR [--cache-row-of-batch R]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include <ptoref/io/npy.hpp>
#include <ptoref/ptoref.hpp>
#include <ptoref/testing/digest.hpp>

namespace pl = ptoref::pl;

namespace {

constexpr pl::index key_tile = 16;

void cache_attention(const pl::Tensor<float>& q, const pl::Tensor<float>& k_new, const pl::Tensor<float>& v_new,
                     const pl::Tensor<std::int32_t>& lens, pl::Tensor<pl::bf16> k_cache, pl::Tensor<pl::bf16> v_cache,
                     pl::Tensor<float>& out, pl::index cache_row_of_batch)
{
    const pl::index batch = q.shape()[0], dim = q.shape()[1];
    const double scale = 1.0 / std::sqrt(static_cast<double>(dim));
    pl::parallel(0, batch, 1, [&](pl::index b) {
        const pl::index n = pl::read(lens, {b});
        const pl::index base = b * cache_row_of_batch;
        k_cache = pl::assemble(k_cache, pl::cast(pl::slice(k_new, {1, dim}, {b, 0}), pl::BF16), {base + n, 0});
        v_cache = pl::assemble(v_cache, pl::cast(pl::slice(v_new, {1, dim}, {b, 0}), pl::BF16), {base + n, 0});
        auto q_row = pl::cast(pl::mul(pl::slice(q, {1, dim}, {b, 0}), scale), pl::BF16);
        const pl::index total = n + 1;
        const pl::index blocks = (total + key_tile - 1) / key_tile;
        auto acc = pl::full({1, dim}, pl::FP32, 0.0);
        auto run_max = pl::full({1, 1}, pl::FP32, 0.0);
        auto run_sum = pl::full({1, 1}, pl::FP32, 0.0);
        pl::range(blocks, [&](pl::index kb) {
            const pl::index k0 = kb * key_tile;
            const pl::index valid = pl::min(key_tile, total - k0);
            auto k_tile = pl::slice(k_cache, {key_tile, dim}, {base + k0, 0});
            auto v_tile = pl::slice(v_cache, {key_tile, dim}, {base + k0, 0});
            auto s = pl::matmul(q_row, k_tile, pl::FP32, false, true);
            s = pl::fillpad(pl::slice(s, {1, key_tile}, {0, 0}, {1, valid}), pl::PadValue::min);
            auto m = pl::row_max(s);
            if (kb > 0)
                m = pl::maximum(m, run_max);
            auto p = pl::exp(pl::row_expand_sub(s, m));
            auto p_bf16 = pl::cast(p, pl::BF16);
            auto pv = pl::matmul(p_bf16, v_tile, pl::FP32);
            auto l_blk = pl::row_sum(pl::cast(p_bf16, pl::FP32));
            if (kb == 0) {
                acc = pv;
                run_sum = l_blk;
            } else {
                auto alpha = pl::exp(pl::sub(run_max, m));
                acc = pl::add(pl::row_expand_mul(acc, alpha), pv);
                run_sum = pl::add(pl::mul(run_sum, alpha), l_blk);
            }
            run_max = m;
        });
        out = pl::assemble(out, pl::row_expand_div(acc, run_sum), {b, 0});
    });
}

} // namespace

int main(int argc, char** argv)
{
    std::string dir;
    pl::index cache_row_of_batch = -1;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--inputs") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (std::strcmp(argv[i], "--cache-row-of-batch") == 0 && i + 1 < argc)
            cache_row_of_batch = std::stoll(argv[++i]);
        else {
            std::fprintf(stderr, "usage: %s --inputs DIR [--cache-row-of-batch R]\n", argv[0]);
            return 2;
        }
    }
    if (dir.empty()) {
        std::fprintf(stderr, "usage: %s --inputs DIR [--cache-row-of-batch R]\n", argv[0]);
        return 2;
    }
    try {
        namespace io = ptoref::io;
        auto q = io::load_npy<float>(dir + "/q.npy");
        auto k_new = io::load_npy<float>(dir + "/k_new.npy");
        auto v_new = io::load_npy<float>(dir + "/v_new.npy");
        auto lens = io::load_npy<std::int32_t>(dir + "/lens.npy");
        auto k_cache = io::load_npy<pl::bf16>(dir + "/k_cache.npy");
        auto v_cache = io::load_npy<pl::bf16>(dir + "/v_cache.npy");
        auto out = pl::full(q.shape(), pl::FP32, 0.0).name("out");
        if (cache_row_of_batch < 0)
            cache_row_of_batch = k_cache.shape()[0] / q.shape()[0];
        ptoref::check::collector checks;
        const auto t0 = std::chrono::steady_clock::now();
        cache_attention(q, k_new, v_new, lens, k_cache, v_cache, out, cache_row_of_batch);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%s", checks.report().c_str());
        std::printf("sha256(out) = %s\n", ptoref::testing::digest(out).c_str());
        std::printf("time: %.6f s (the program, without reading the inputs)\n", seconds);
        return checks.clean() ? 0 : 1;
    } catch (const ptoref::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
}
