// The command line of the seed example (and of its racy variant): inputs, checks, verdicts,
// digest, outputs. Exit status: 0 clean, 1 when a race or undefined output was found, 2 for a
// bad argument or a bad input file.
#pragma once

#include <ptoref/io/npy.hpp>
#include <ptoref/kernels/prefill_scope2.hpp>
#include <ptoref/ptoref.hpp>
#include <ptoref/testing/digest.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/cli.hpp"
#include "qwen3_32b_prefill_scope2.hpp"

namespace qwen3_scope2 {

inline const char* usage_text =
    "usage: %s [--batch N] [--max-seq N] [--num-heads N] [--num-kv-heads N] [--head-dim N] [--seed N]\n"
    "          [--inputs DIR] [--outputs DIR] [--schedule sequential|reverse|shuffled[:SEED]|threads[:N]] [--fused]\n"
    "defaults: the seed reproducer config --batch 2 --max-seq 64 --num-heads 8 --num-kv-heads 1 --head-dim 64\n"
    "--fused runs the fused kernel (same bits, unchecked); with --schedule threads:N it uses N threads, else all\n";

struct options {
    config cfg;
    std::uint64_t seed = 0;
    std::string inputs, outputs;
    pl::schedule sched = pl::schedule::sequential();
    bool fused = false;
};

inline options parse_options(int argc, char** argv)
{
    using ptoref_examples::parse_int;
    options o;
    ptoref_examples::arg_parser p;
    p.value("--batch", [&](const std::string& v) { o.cfg.batch = parse_int("--batch", v, 1, 4096); });
    p.value("--max-seq", [&](const std::string& v) { o.cfg.max_seq = parse_int("--max-seq", v, 1, 1 << 20); });
    p.value("--num-heads", [&](const std::string& v) { o.cfg.num_heads = parse_int("--num-heads", v, 1, 4096); });
    p.value("--num-kv-heads",
            [&](const std::string& v) { o.cfg.num_kv_heads = parse_int("--num-kv-heads", v, 1, 4096); });
    p.value("--head-dim", [&](const std::string& v) { o.cfg.head_dim = parse_int("--head-dim", v, 2, 4096); });
    p.value("--seed",
            [&](const std::string& v) { o.seed = static_cast<std::uint64_t>(parse_int("--seed", v, 0, (1ll << 62))); });
    p.value("--inputs", [&](const std::string& v) { o.inputs = v; });
    p.value("--outputs", [&](const std::string& v) { o.outputs = v; });
    p.value("--schedule", [&](const std::string& v) {
        try {
            o.sched = pl::schedule::parse(v);
        } catch (const ptoref::error& e) { // the library's reason, not a generic one
            throw ptoref_examples::usage_error(std::string("--schedule: ") + e.what());
        }
    });
    p.flag("--fused", [&] { o.fused = true; });
    p.parse(argc, argv);
    const config& c = o.cfg;
    if (c.num_heads != Q_HEAD_BATCH * c.num_kv_heads)
        throw ptoref_examples::usage_error("--num-heads must be 8 x --num-kv-heads: the program packs one group of 8 Q "
                                           "heads per KV head (q_groups == 1)");
    if (c.head_dim % 2 != 0)
        throw ptoref_examples::usage_error("--head-dim must be even (RoPE splits it in halves)");
    if (c.max_seq % SEQ_TILE != 0)
        throw ptoref_examples::usage_error(
            "--max-seq must be a multiple of 64 (the attention reads whole 64-row tiles)");
    return o;
}

// Seeded inputs as build_tensor_specs makes them: uniform [-0.5, 0.5) (torch.rand - 0.5), caches
// rounded to bf16 to nearest-even, seq_lens random multiples of TOK_TILE in [TOK_TILE, max_seq].
inline tensors make_inputs(const config& c, std::uint64_t seed)
{
    ptoref_examples::splitmix64 rng(seed);
    // The library's size checks before the host vectors of that size: a config too large for
    // memory is a ptoref::error naming the tensor's shape, not std::bad_alloc.
    auto uniform = [&](const ptoref::dims& shape) {
        ptoref::detail::check_new_shape<float>(shape, "make_inputs", ptoref::source_location::current());
        std::vector<float> v(static_cast<std::size_t>(shape.product()));
        for (float& f : v)
            f = rng.uniform() * 0.5f;
        return ptoref::tensor_from<float>(shape, v);
    };
    auto uniform_bf16 = [&](const ptoref::dims& shape) {
        ptoref::detail::check_new_shape<pl::bf16>(shape, "make_inputs", ptoref::source_location::current());
        std::vector<pl::bf16> v(static_cast<std::size_t>(shape.product()));
        for (auto& b : v)
            b = ptoref::convert<pl::bf16>(rng.uniform() * 0.5f, ptoref::cast_mode::rint);
        return ptoref::tensor_from<pl::bf16>(shape, v);
    };
    const pl::index hidden = c.num_heads * c.head_dim, kv_hidden = c.num_kv_heads * c.head_dim;
    const pl::index cache_rows = c.batch * c.num_kv_heads * c.max_seq;
    tensors t;
    t.q_proj = uniform({c.batch, c.max_seq, hidden}).name("q_proj");
    t.k_proj = uniform({c.batch, c.max_seq, kv_hidden}).name("k_proj");
    t.v_proj = uniform({c.batch, c.max_seq, kv_hidden}).name("v_proj");
    std::vector<std::int32_t> lens(static_cast<std::size_t>(c.batch));
    const auto blocks = static_cast<std::uint64_t>(c.max_seq / TOK_TILE);
    for (auto& l : lens)
        l = static_cast<std::int32_t>((1 + rng.next() % blocks) * TOK_TILE);
    t.seq_lens = ptoref::tensor_from<std::int32_t>({c.batch}, lens).name("seq_lens");
    t.rope_cos = uniform({c.max_seq, c.head_dim}).name("rope_cos");
    t.rope_sin = uniform({c.max_seq, c.head_dim}).name("rope_sin");
    t.k_cache = uniform_bf16({cache_rows, c.head_dim}).name("k_cache");
    t.v_cache = uniform_bf16({cache_rows, c.head_dim}).name("v_cache");
    t.attn_out =
        pl::full({c.batch, c.max_seq, hidden}, pl::BF16, 0.0).name("attn_out"); // the harness zero-fills outputs
    return t;
}

template <class T>
pl::Tensor<T> load_checked(const std::string& dir, const std::string& name, const ptoref::dims& shape)
{
    const std::string path = (std::filesystem::path(dir) / (name + ".npy")).string();
    auto t = ptoref::io::load_npy<T>(path);
    if (!(t.shape() == shape))
        throw ptoref::error("", ptoref::escape_excerpt(path, 300) + ": shape " + ptoref::to_string(t.shape()) +
                                    " does not match the config's " + ptoref::to_string(shape));
    return t;
}

inline tensors load_inputs(const config& c, const std::string& dir)
{
    const pl::index hidden = c.num_heads * c.head_dim, kv_hidden = c.num_kv_heads * c.head_dim;
    const pl::index cache_rows = c.batch * c.num_kv_heads * c.max_seq;
    tensors t;
    t.q_proj = load_checked<float>(dir, "q_proj", {c.batch, c.max_seq, hidden});
    t.k_proj = load_checked<float>(dir, "k_proj", {c.batch, c.max_seq, kv_hidden});
    t.v_proj = load_checked<float>(dir, "v_proj", {c.batch, c.max_seq, kv_hidden});
    t.seq_lens = load_checked<std::int32_t>(dir, "seq_lens", {c.batch});
    for (std::int32_t l : t.seq_lens.to_vector())
        if (l < 0 || l > c.max_seq)
            throw ptoref::error(
                "", ptoref::escape_excerpt((std::filesystem::path(dir) / "seq_lens.npy").string(), 300) + ": seq_len " +
                        std::to_string(l) + " is outside [0, " + std::to_string(c.max_seq) + "]");
    t.rope_cos = load_checked<float>(dir, "rope_cos", {c.max_seq, c.head_dim});
    t.rope_sin = load_checked<float>(dir, "rope_sin", {c.max_seq, c.head_dim});
    t.k_cache = load_checked<pl::bf16>(dir, "k_cache", {cache_rows, c.head_dim});
    t.v_cache = load_checked<pl::bf16>(dir, "v_cache", {cache_rows, c.head_dim});
    t.attn_out = pl::full({c.batch, c.max_seq, hidden}, pl::BF16, 0.0).name("attn_out");
    return t;
}

// One line per parallel loop site: instances, iterations, element accesses, verdict; and the
// k_cache/v_cache footprint of every iteration of the top-level batch loop.
inline void print_loop_verdicts(const ptoref::check::collector& c)
{
    struct agg {
        std::string loop;
        ptoref::source_location site;
        long instances = 0, iterations = 0, accesses = 0;
        std::size_t races = 0;
    };
    std::map<std::pair<unsigned, std::string>, agg> by_site; // in source order
    for (const auto& s : c.loops()) {
        auto& a = by_site[{s.loop_site.line(), ptoref::to_string(s.loop_site)}];
        a.loop = s.loop;
        a.site = s.loop_site;
        ++a.instances;
        a.iterations += s.iterations;
        a.accesses += s.element_accesses;
        a.races += s.races;
    }
    std::printf("parallel loops:\n");
    for (const auto& [key, a] : by_site)
        std::printf("  %s at %s: %ld instance%s, %ld iterations, %ld element accesses: %s\n", a.loop.c_str(),
                    key.second.c_str(), a.instances, a.instances == 1 ? "" : "s", a.iterations, a.accesses,
                    a.races ? (std::to_string(a.races) + " race record(s)").c_str() : "race-free");
    for (const auto& s : c.loops()) {
        if (!s.outer_path.empty())
            continue;
        for (const auto& [name, per_iter] : s.footprints) {
            std::printf("  footprint of %s per iteration of %s at %s:", name.c_str(), s.loop.c_str(),
                        ptoref::to_string(s.loop_site).c_str());
            for (const auto& [it, boxes] : per_iter)
                std::printf(" [%lld] %s;", static_cast<long long>(it),
                            ptoref::check::boxes_to_string(name, boxes, 4).c_str());
            std::printf("\n");
        }
    }
}

inline int run_checked(int argc, char** argv, variant var);

// Every failure is one line on stderr and an exit status: 2 for bad arguments, files or a
// config too large for memory, 1 when a check failed; never an uncaught exception.
inline int run_cli(int argc, char** argv, variant var)
{
    try {
        return run_checked(argc, argv, var);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
}

inline int run_checked(int argc, char** argv, variant var)
{
    options o;
    tensors t;
    try {
        o = parse_options(argc, argv);
        if (o.fused && var.racy_cache_row)
            throw ptoref_examples::usage_error(
                "--fused: the fused kernel runs the correct program only, not the racy variant");
        t = o.inputs.empty() ? make_inputs(o.cfg, o.seed) : load_inputs(o.cfg, o.inputs);
    } catch (const ptoref_examples::usage_error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        std::fprintf(stderr, usage_text, argv[0]);
        return 2;
    } catch (const std::exception& e) { // a bad file or a config too large: the reason alone
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
    const config& c = o.cfg;
    std::printf("qwen3_32b_prefill_scope2%s: batch=%lld max_seq=%lld num_heads=%lld num_kv_heads=%lld head_dim=%lld "
                "schedule=%s %s\n",
                var.racy_cache_row ? " (racy variant: cache row ignores the batch)" : "",
                static_cast<long long>(c.batch), static_cast<long long>(c.max_seq), static_cast<long long>(c.num_heads),
                static_cast<long long>(c.num_kv_heads), static_cast<long long>(c.head_dim), o.sched.str().c_str(),
                o.inputs.empty() ? ("seed=" + std::to_string(o.seed)).c_str() : ("inputs=" + o.inputs).c_str());
    std::string lens;
    for (std::int32_t l : t.seq_lens.to_vector())
        lens += (lens.empty() ? "" : ", ") + std::to_string(l);
    std::printf("seq_lens: [%s]\n", lens.c_str());

    auto write_outputs = [&]() -> bool {
        if (o.outputs.empty())
            return true;
        try {
            std::filesystem::create_directories(o.outputs);
            ptoref::io::save_npy((std::filesystem::path(o.outputs) / "attn_out.npy").string(), t.attn_out);
            ptoref::io::save_npy((std::filesystem::path(o.outputs) / "k_cache.npy").string(), t.k_cache);
            ptoref::io::save_npy((std::filesystem::path(o.outputs) / "v_cache.npy").string(), t.v_cache);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "error: %s\n", e.what());
            return false;
        }
        return true;
    };

    if (o.fused) {
        // Every (batch, kv head) pair is independent, so threads change the speed only.
        const unsigned threads =
            o.sched.which() == pl::schedule::kind::threads ? static_cast<unsigned>(o.sched.thread_count()) : 0;
        const auto f0 = std::chrono::steady_clock::now();
        try {
            ptoref::kernels::prefill_scope2({c.batch, c.max_seq, c.num_heads, c.num_kv_heads, c.head_dim}, t.q_proj,
                                            t.k_proj, t.v_proj, t.seq_lens, t.rope_cos, t.rope_sin, t.k_cache,
                                            t.v_cache, t.attn_out, threads);
        } catch (const ptoref::error& e) {
            std::printf("error during the run: %s\n", e.what());
            return 1;
        }
        const double fs = std::chrono::duration<double>(std::chrono::steady_clock::now() - f0).count();
        std::printf("checks: not run (--fused is the unchecked fast kernel; run without --fused to check)\n");
        std::printf("sha256(attn_out) = %s\n", ptoref::testing::digest(t.attn_out).c_str());
        std::printf("time: %.6f s (fused, %s threads)\n", fs,
                    threads ? std::to_string(threads).c_str() : "all hardware");
        return write_outputs() ? 0 : 2;
    }

    pl::set_default_schedule(o.sched);
    ptoref::check::track_footprints({"k_cache", "v_cache"});
    ptoref::check::collector checks;
    const auto t0 = std::chrono::steady_clock::now();
    try {
        prefill_scope2(c, t, var);
    } catch (const ptoref::error& e) {
        std::printf("error during the run: %s\n", e.what());
        return 1;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ptoref::check::require_defined(t.attn_out, "attn_out");

    print_loop_verdicts(checks);
    if (!checks.races().empty()) {
        std::printf("races: %zu record(s)\n%s", checks.races().size(),
                    ptoref::check::records_to_string(checks.races()).c_str());
    } else if (ptoref::check::enabled()) {
        std::printf("races: none (every parallel loop instance is race-free for this input)\n");
    } else {
        std::printf("races: not checked (PTOREF_CHECK=off)\n");
    }
    std::printf("definedness: %s\n", !ptoref::check::enabled()    ? "not checked (PTOREF_CHECK=off)"
                                     : checks.undefined().empty() ? "attn_out fully defined"
                                                                  : "UNDEFINED DATA");
    std::printf("%s", ptoref::check::records_to_string(checks.undefined()).c_str());
    std::printf("%s", ptoref::check::records_to_string(checks.stale()).c_str());
    std::printf("%s", ptoref::check::records_to_string(checks.divergences()).c_str()); // notes, not failures
    std::printf("sha256(attn_out) = %s\n", ptoref::testing::digest(t.attn_out).c_str());
    std::printf("time: %.6f s (op by op, %s)\n", seconds,
                ptoref::check::enabled() ? "checked" : "unchecked: PTOREF_CHECK=off");
    if (!write_outputs())
        return 2;
    return checks.clean() ? 0 : 1;
}

} // namespace qwen3_scope2
