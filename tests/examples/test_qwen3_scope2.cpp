// The seed program's questions, answered by tests: does the port compute the attention the
// Python means (against an independent double-precision reference), is it race-free, do its
// bits depend on the schedule or on the batch size, and is the racy variant caught exactly.
#include <ptoref/testing/compare.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "qwen3_scope2_cli.hpp"

namespace pl = ptoref::pl;
using namespace qwen3_scope2;

namespace {

// An independent reference: plain loops, double precision, its own code. bf16 appears only where
// the program stores bf16 (the caches, the RoPE'd Q and the output).
ptoref::Tensor<pl::bf16> reference_attention(const config& c, const tensors& in)
{
    const pl::index B = c.batch, S = c.max_seq, H = c.num_heads, KV = c.num_kv_heads, D = c.head_dim, half = D / 2;
    const auto q = in.q_proj.to_vector(), k = in.k_proj.to_vector(), v = in.v_proj.to_vector();
    const auto cs = in.rope_cos.to_vector(), sn = in.rope_sin.to_vector();
    const auto lens = in.seq_lens.to_vector();
    auto kc = in.k_cache.to_vector(), vc = in.v_cache.to_vector();
    auto bf = [](double x) {
        return ptoref::convert<pl::bf16>(static_cast<float>(x), ptoref::cast_mode::round).to_float();
    };
    auto rope = [&](const std::vector<float>& src, pl::index base, pl::index pos, pl::index d) {
        const double lo = src[static_cast<std::size_t>(base + (d % half))],
                     hi = src[static_cast<std::size_t>(base + half + (d % half))];
        const double c1 = cs[static_cast<std::size_t>(pos * D + d)], s1 = sn[static_cast<std::size_t>(pos * D + d)];
        return d < half ? lo * c1 - hi * s1 : hi * c1 + lo * s1;
    };
    std::vector<float> out(static_cast<std::size_t>(B * S * H * D), 0.0f);
    for (pl::index b = 0; b < B; ++b) {
        const pl::index L = lens[static_cast<std::size_t>(b)];
        for (pl::index pos = 0; pos < L; ++pos)
            for (pl::index kh = 0; kh < KV; ++kh) {
                const pl::index row = (b * KV + kh) * S + pos, src = (b * S + pos) * KV * D + kh * D;
                for (pl::index d = 0; d < D; ++d) {
                    kc[static_cast<std::size_t>(row * D + d)] =
                        ptoref::convert<pl::bf16>(static_cast<float>(rope(k, src, pos, d)));
                    vc[static_cast<std::size_t>(row * D + d)] =
                        ptoref::convert<pl::bf16>(v[static_cast<std::size_t>(src + d)]);
                }
            }
        for (pl::index pos = 0; pos < L; ++pos)
            for (pl::index h = 0; h < H; ++h) {
                const pl::index kh = h / (H / KV), src = (b * S + pos) * H * D + h * D;
                std::vector<double> qr(static_cast<std::size_t>(D)), sc(static_cast<std::size_t>(pos + 1));
                for (pl::index d = 0; d < D; ++d)
                    qr[static_cast<std::size_t>(d)] = bf(rope(q, src, pos, d));
                double mx = -INFINITY;
                for (pl::index j = 0; j <= pos; ++j) {
                    double s = 0;
                    for (pl::index d = 0; d < D; ++d)
                        s += qr[static_cast<std::size_t>(d)] *
                             kc[static_cast<std::size_t>(((b * KV + kh) * S + j) * D + d)].to_float();
                    sc[static_cast<std::size_t>(j)] = s / std::sqrt(static_cast<double>(D));
                    mx = std::max(mx, sc[static_cast<std::size_t>(j)]);
                }
                double den = 0;
                std::vector<double> acc(static_cast<std::size_t>(D), 0.0);
                for (pl::index j = 0; j <= pos; ++j) {
                    const double p = std::exp(sc[static_cast<std::size_t>(j)] - mx);
                    den += p;
                    for (pl::index d = 0; d < D; ++d)
                        acc[static_cast<std::size_t>(d)] +=
                            p * vc[static_cast<std::size_t>(((b * KV + kh) * S + j) * D + d)].to_float();
                }
                for (pl::index d = 0; d < D; ++d)
                    out[static_cast<std::size_t>((b * S + pos) * H * D + h * D + d)] =
                        static_cast<float>(acc[static_cast<std::size_t>(d)] / den);
            }
    }
    return pl::cast(ptoref::tensor_from<float>({B, S, H * D}, out), pl::BF16, "rint");
}

std::string run_digest(const config& c, std::uint64_t seed, const pl::schedule& s)
{
    tensors t = make_inputs(c, seed);
    pl::set_default_schedule(s);
    prefill_scope2(c, t);
    pl::set_default_schedule(pl::schedule::sequential());
    return ptoref::testing::digest(t.attn_out) + ptoref::testing::digest(t.k_cache) +
           ptoref::testing::digest(t.v_cache);
}

int line_of(const std::string& needle)
{
    std::ifstream in(std::string(PTOREF_EXAMPLES_DIR) + "/qwen3_32b_prefill_scope2.hpp");
    std::string line;
    for (int n = 1; std::getline(in, line); ++n)
        if (line.find(needle) != std::string::npos)
            return n;
    return -1;
}

} // namespace

TEST_CASE("the port agrees with an independent double-precision reference within rtol = atol = 2e-3")
{
    for (const config& c : {config{}, config{2, 128, 16, 2, 32}}) {
        tensors t = make_inputs(c, 11);
        const auto want = reference_attention(c, t);
        prefill_scope2(c, t);
        const auto r = ptoref::testing::allclose(t.attn_out, want, 2e-3, 2e-3);
        std::printf(
            "reference comparison B=%lld S=%lld H=%lld KV=%lld D=%lld: %lld/%lld mismatches, max abs error %.3g, "
            "max rel error %.3g\n",
            static_cast<long long>(c.batch), static_cast<long long>(c.max_seq), static_cast<long long>(c.num_heads),
            static_cast<long long>(c.num_kv_heads), static_cast<long long>(c.head_dim),
            static_cast<long long>(r.mismatches), static_cast<long long>(r.total), r.max_abs_error, r.max_rel_error);
        INFO(r.str());
        CHECK(r.passed);
    }
}

TEST_CASE("every parallel loop is certified race-free and the never-written padding rows stay silent")
{
    const config c;
    tensors t = make_inputs(c, 3);
    ptoref::check::collector checks;
    prefill_scope2(c, t);
    ptoref::check::require_defined(t.attn_out, "attn_out");
    CHECK(checks.clean());
    CHECK(checks.loops().size() > 1);
    for (const auto& s : checks.loops())
        CHECK(s.races == 0);
}

TEST_CASE("every schedule gives the same SHA-256 of attn_out and the caches")
{
    const config c;
    const std::string base = run_digest(c, 5, pl::schedule::sequential());
    for (const pl::schedule& s : {pl::schedule::reverse(), pl::schedule::shuffled(7), pl::schedule::shuffled(8),
                                  pl::schedule::threads(2), pl::schedule::threads(8)})
        CHECK(run_digest(c, 5, s) == base);
}

TEST_CASE("BATCH=1 and BATCH=2 give identical batch-0 results for the same batch-0 inputs")
{
    config two;
    tensors t2 = make_inputs(two, 9);
    config one = two;
    one.batch = 1;
    tensors t1;
    const pl::index S = two.max_seq, rows = two.num_kv_heads * S;
    t1.q_proj = pl::slice(t2.q_proj, {1, S, two.num_heads * two.head_dim}, {0, 0, 0});
    t1.k_proj = pl::slice(t2.k_proj, {1, S, two.num_kv_heads * two.head_dim}, {0, 0, 0});
    t1.v_proj = pl::slice(t2.v_proj, {1, S, two.num_kv_heads * two.head_dim}, {0, 0, 0});
    t1.seq_lens = pl::slice(t2.seq_lens, {1}, {0});
    t1.rope_cos = t2.rope_cos;
    t1.rope_sin = t2.rope_sin;
    t1.k_cache =
        pl::cast(pl::cast(pl::slice(t2.k_cache, {rows, two.head_dim}, {0, 0}), pl::FP32), pl::BF16).name("k_cache");
    t1.v_cache =
        pl::cast(pl::cast(pl::slice(t2.v_cache, {rows, two.head_dim}, {0, 0}), pl::FP32), pl::BF16).name("v_cache");
    t1.attn_out = pl::full({1, S, two.num_heads * two.head_dim}, pl::BF16, 0.0).name("attn_out");
    prefill_scope2(one, t1);
    prefill_scope2(two, t2);
    const auto a1 = t1.attn_out.to_vector();
    const auto a2 = pl::slice(t2.attn_out, {1, S, two.num_heads * two.head_dim}, {0, 0, 0}).to_vector();
    REQUIRE(a1.size() == a2.size());
    std::size_t differ = 0;
    for (std::size_t i = 0; i < a1.size(); ++i)
        differ += a1[i].bits != a2[i].bits;
    CHECK(differ == 0);
    CHECK(ptoref::testing::digest(t1.k_cache) ==
          ptoref::testing::digest(pl::slice(t2.k_cache, {rows, two.head_dim}, {0, 0})));
}

TEST_CASE("the racy variant: WAW on k_cache and v_cache with the exact rows and both iterations (golden text)")
{
    const config c;
    tensors t = make_inputs(c, 0); // seq_lens [32, 32]
    REQUIRE(t.seq_lens.to_vector() == std::vector<std::int32_t>{32, 32});
    ptoref::check::collector checks;
    prefill_scope2(c, t, variant{.racy_cache_row = true});
    const int loop = line_of("pl::parallel(0, batch, 1,");
    const int k_lo = line_of("k_cache = pl::assemble(k_cache, pl::cast(rot_lo");
    const int v_row = line_of("v_cache = pl::assemble(");
    auto at = [](int line) { return "qwen3_32b_prefill_scope2.hpp:" + std::to_string(line); };
    REQUIRE(checks.races().size() == 3);
    CHECK(checks.races()[0].str() ==
          "WARNING: ptoref: data race (WAW) on k_cache in pl.parallel at " + at(loop) +
              "\n"
              "  Write by iteration [1] in pl::assemble at " +
              at(k_lo) +
              "\n"
              "  Previous write by iteration [0] in pl::assemble at " +
              at(k_lo) +
              "\n"
              "  Region: k_cache[0:32, 0:32] of k_cache[128, 64], 1024 elements\n"
              "SUMMARY: ptoref: data race WAW on k_cache between iterations [0] and [1] of pl.parallel at " +
              at(loop) + "\n");
    CHECK(checks.races()[1].str().find("Region: k_cache[0:32, 32:64] of k_cache[128, 64], 1024 elements") !=
          std::string::npos);
    CHECK(checks.races()[2].str() ==
          "WARNING: ptoref: data race (WAW) on v_cache in pl.parallel at " + at(loop) +
              "\n"
              "  Write by iteration [1] in pl::assemble at " +
              at(v_row) +
              "\n"
              "  Previous write by iteration [0] in pl::assemble at " +
              at(v_row) +
              "\n"
              "  Region: v_cache[0:32, 0:64] of v_cache[128, 64], 2048 elements\n"
              "SUMMARY: ptoref: data race WAW on v_cache between iterations [0] and [1] of pl.parallel at " +
              at(loop) + "\n");
}
