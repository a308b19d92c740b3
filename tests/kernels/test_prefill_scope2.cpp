// The fused kernel must give exactly the bits of the op-by-op port: every output (attn_out,
// k_cache, v_cache), at several configs, on seeded and adversarial inputs (NaN, infinities,
// subnormals, signed zeros, overflowing scores), on every SIMD path and thread count.
#include <ptoref/kernels/prefill_scope2.hpp>
#include <ptoref/testing/digest.hpp>
#include <ptoref/testing/random.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "qwen3_scope2_cli.hpp"

namespace pl = ptoref::pl;
namespace kernels = ptoref::kernels;
using namespace qwen3_scope2;

namespace {

template <class T>
pl::Tensor<T> clone(const pl::Tensor<T>& t)
{
    return ptoref::tensor_from<T>(t.shape(), t.to_vector()).name(t.name());
}

tensors clone(const tensors& t)
{
    tensors c;
    c.q_proj = clone(t.q_proj);
    c.k_proj = clone(t.k_proj);
    c.v_proj = clone(t.v_proj);
    c.seq_lens = clone(t.seq_lens);
    c.rope_cos = clone(t.rope_cos);
    c.rope_sin = clone(t.rope_sin);
    c.k_cache = clone(t.k_cache);
    c.v_cache = clone(t.v_cache);
    c.attn_out = clone(t.attn_out);
    return c;
}

kernels::prefill_scope2_config kernel_config(const config& c)
{
    return {c.batch, c.max_seq, c.num_heads, c.num_kv_heads, c.head_dim};
}

void run_fused(const config& c, tensors& t, unsigned threads)
{
    kernels::prefill_scope2(kernel_config(c), t.q_proj, t.k_proj, t.v_proj, t.seq_lens, t.rope_cos, t.rope_sin,
                            t.k_cache, t.v_cache, t.attn_out, threads);
}

struct digests {
    std::string attn_out, k_cache, v_cache;
    bool operator==(const digests&) const = default;
};

digests digests_of(const tensors& t)
{
    using ptoref::testing::digest;
    return {digest(t.attn_out), digest(t.k_cache), digest(t.v_cache)};
}

// Runs both and requires equal bits; returns the op-by-op outputs for further checks.
tensors require_same_bits(const config& c, const tensors& in, unsigned threads = 2)
{
    tensors op = clone(in);
    {
        ptoref::check::collector quiet; // findings are not this test's subject
        prefill_scope2(c, op);
    }
    tensors fused = clone(in);
    run_fused(c, fused, threads);
    const auto a = op.attn_out.to_vector(), b = fused.attn_out.to_vector();
    std::size_t first = a.size();
    for (std::size_t i = 0; i < a.size() && first == a.size(); ++i)
        if (a[i].bits != b[i].bits)
            first = i;
    INFO("first differing attn_out element: " << first << " of " << a.size());
    CHECK(first == a.size());
    CHECK(digests_of(op) == digests_of(fused));
    return op;
}

// Overwrites about one element in `every` with a value drawn from `specials`.
template <class T>
void sprinkle(pl::Tensor<T>& t, const std::vector<T>& specials, std::uint64_t seed, std::uint64_t every)
{
    ptoref::testing::splitmix64 rng(seed);
    std::vector<T> v = t.to_vector();
    for (auto& x : v)
        if (rng.next() % every == 0)
            x = specials[rng.next() % specials.size()];
    t = ptoref::tensor_from<T>(t.shape(), v).name(t.name());
}

float f(std::uint32_t bits)
{
    return std::bit_cast<float>(bits);
}

} // namespace

TEST_CASE("fused == op by op at several configs and sequence lengths", "[kernels]")
{
    const config configs[] = {
        {2, 64, 8, 1, 64},   // the seed config
        {3, 128, 16, 2, 64}, // two kv heads, two tiles
        {2, 192, 8, 1, 128}, // three tiles, head_dim 128
        {1, 64, 8, 1, 2},    // the smallest head_dim: GEMM widths below one vector
        {2, 128, 8, 1, 40},  // head_dim not a multiple of 16: vector blocks plus scalar columns
    };
    for (const config& c : configs) {
        const std::vector<std::vector<std::int32_t>> lens_sets = {
            {}, // the seeded lens
            std::vector<std::int32_t>(static_cast<std::size_t>(c.batch), static_cast<std::int32_t>(c.max_seq)),
            std::vector<std::int32_t>(static_cast<std::size_t>(c.batch), 1),
        };
        for (const auto& lens : lens_sets) {
            tensors t = make_inputs(c, 5);
            if (!lens.empty())
                t.seq_lens = ptoref::tensor_from<std::int32_t>({c.batch}, lens).name("seq_lens");
            INFO("batch " << c.batch << " max_seq " << c.max_seq << " heads " << c.num_heads << " kv " << c.num_kv_heads
                          << " dim " << c.head_dim << (lens.empty() ? " seeded lens" : ""));
            require_same_bits(c, t);
        }
    }
}

TEST_CASE("fused == op by op for lengths that are not multiples of 32, and zero", "[kernels]")
{
    const config c{4, 128, 16, 2, 64};
    tensors t = make_inputs(c, 9);
    t.seq_lens = ptoref::tensor_from<std::int32_t>({4}, {0, 63, 65, 100}).name("seq_lens");
    require_same_bits(c, t);
}

TEST_CASE("fused == op by op on adversarial values", "[kernels]")
{
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> specials = {
        inf,    -inf,           f(0x7fc00000u), f(0xffc00001u), f(0x7f800001u), 0.0f,
        -0.0f,  f(0x00000001u), f(0x80400000u), f(0x00800000u), 3e38f,          -3e38f,
        1e-30f, -1e-30f,        80.0f,          -80.0f,         1e4f,
    };
    std::vector<pl::bf16> specials_bf16;
    for (float x : specials)
        specials_bf16.push_back(ptoref::convert<pl::bf16>(x, ptoref::cast_mode::rint));
    const config c{2, 128, 16, 2, 64};
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        tensors t = make_inputs(c, seed);
        sprinkle(t.q_proj, specials, seed * 10 + 1, 997);
        sprinkle(t.k_proj, specials, seed * 10 + 2, 499);
        sprinkle(t.v_proj, specials, seed * 10 + 3, 499);
        sprinkle(t.rope_cos, specials, seed * 10 + 4, 1999);
        sprinkle(t.rope_sin, specials, seed * 10 + 5, 1999);
        sprinkle(t.k_cache, specials_bf16, seed * 10 + 6, 97); // old rows: seen only through masked keys
        sprinkle(t.v_cache, specials_bf16, seed * 10 + 7, 97);
        INFO("seed " << seed);
        require_same_bits(c, t);
    }
}

TEST_CASE("the diagonal tile multiplies by the old V rows after the position, as the program does", "[kernels]")
{
    // head_dim 2, RoPE the identity (cos 1, sin 0). Position 1 sees key 0 with weight ~2^-115 and
    // V = -2^-60 (the product underflows to -0) and key 1 with weight 1 and V = -0: the chain is
    // -0 after the valid keys. The masked keys after position 1 still run fma(+0, v_old, acc):
    // with v_old = 1 that turns -0 into +0. And an infinite old V row makes the earlier positions NaN.
    const config c{1, 64, 8, 1, 2};
    tensors t = make_inputs(c, 3);
    t.seq_lens = ptoref::tensor_from<std::int32_t>({1}, {2}).name("seq_lens");
    t.rope_cos = pl::full({64, 2}, pl::FP32, 1.0).name("rope_cos");
    t.rope_sin = pl::full({64, 2}, pl::FP32, 0.0).name("rope_sin");
    std::vector<float> q(64 * 16, 0.0f), k(64 * 2, 0.0f), v(64 * 2, 0.0f);
    for (int h = 0; h < 8; ++h)
        q[static_cast<std::size_t>(16 + 2 * h)] = 1.0f; // position 1, every head: q = (1, 0)
    k[0] = -113.0f;                                     // key 0: score -113/sqrt(2), weight ~2^-115
    v[0] = v[1] = -std::ldexp(1.0f, -60);               // key 0's V
    v[2] = v[3] = -0.0f;                                // key 1's V
    t.q_proj = ptoref::tensor_from<float>({1, 64, 16}, q).name("q_proj");
    t.k_proj = ptoref::tensor_from<float>({1, 64, 2}, k).name("k_proj");
    t.v_proj = ptoref::tensor_from<float>({1, 64, 2}, v).name("v_proj");
    t.v_cache = pl::full({64, 2}, pl::BF16, 1.0).name("v_cache");
    {
        const tensors op = require_same_bits(c, t);
        const auto out = op.attn_out.to_vector();
        CHECK(out[16].bits == 0x0000u); // +0: the masked old rows turned the chain's -0 into +0
    }
    std::vector<pl::bf16> vc(128, ptoref::convert<pl::bf16>(1.0f));
    vc[2 * 5] = ptoref::convert<pl::bf16>(std::numeric_limits<float>::infinity());
    t.v_cache = ptoref::tensor_from<pl::bf16>({64, 2}, vc).name("v_cache");
    const tensors op = require_same_bits(c, t);
    const auto out = op.attn_out.to_vector();
    CHECK(out[0].bits == 0x7fc0u);  // position 0, column 0: 0 * inf in the masked part
    CHECK(out[16].bits == 0x7fc0u); // position 1 likewise
    CHECK(out[1].bits != 0x7fc0u);  // column 1 has no infinite old row
}

TEST_CASE("fused bits do not depend on the SIMD path or the thread count", "[kernels]")
{
    const config c{3, 128, 16, 2, 64};
    const tensors in = make_inputs(c, 21);
    tensors ref = clone(in);
    {
        ptoref::simd::path_scope scalar(ptoref::simd::path::scalar);
        run_fused(c, ref, 1);
    }
    const digests want = digests_of(ref);
    for (auto p : {ptoref::simd::path::avx2, ptoref::simd::path::avx512, ptoref::simd::path::avx512bf16}) {
        if (!ptoref::simd::cpu_has(p)) {
            WARN("skipped: this CPU cannot run the " << ptoref::simd::to_string(p) << " path");
            continue;
        }
        ptoref::simd::path_scope scope(p);
        for (unsigned threads : {1u, 2u, 3u, 8u}) {
            tensors t = clone(in);
            run_fused(c, t, threads);
            INFO("path " << ptoref::simd::to_string(p) << ", " << threads << " threads");
            CHECK(digests_of(t) == want);
        }
    }
}

TEST_CASE("the fused kernel rejects what the program cannot run, naming the problem", "[kernels]")
{
    using Catch::Matchers::Contains;
    const config c{2, 64, 8, 1, 64};
    tensors t = make_inputs(c, 1);
    auto run = [&](kernels::prefill_scope2_config k) {
        kernels::prefill_scope2(k, t.q_proj, t.k_proj, t.v_proj, t.seq_lens, t.rope_cos, t.rope_sin, t.k_cache,
                                t.v_cache, t.attn_out);
    };
    CHECK_THROWS_WITH(run({2, 64, 16, 1, 64}), Contains("must be 8 x num_kv_heads"));
    CHECK_THROWS_WITH(run({2, 64, 8, 1, 63}), Contains("must be even"));
    CHECK_THROWS_WITH(run({2, 96, 8, 1, 64}), Contains("multiple of 64"));
    CHECK_THROWS_WITH(run({3, 64, 8, 1, 64}), Contains("q_proj has shape [2, 64, 512], expected [3, 64, 512]"));
    t.seq_lens = ptoref::tensor_from<std::int32_t>({2}, {64, 65}).name("seq_lens");
    CHECK_THROWS_WITH(run({2, 64, 8, 1, 64}), Contains("seq_lens[1] = 65 is outside [0, max_seq = 64]"));
    t.seq_lens = ptoref::tensor_from<std::int32_t>({2}, {64, 64}).name("seq_lens");
    auto strided = pl::transpose(t.rope_cos, 0, 1);
    CHECK_THROWS_WITH(kernels::prefill_scope2({2, 64, 8, 1, 64}, t.q_proj, t.k_proj, t.v_proj, t.seq_lens, strided,
                                              t.rope_sin, t.k_cache, t.v_cache, t.attn_out),
                      Contains("rope_cos must be dense and fully valid"));
}
