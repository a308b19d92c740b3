// Cost of checking: the seed program run op by op with checks on and off, alternating in one
// process so both see the same machine state. Prints JSON (one object) on stdout.
//   bench_check_overhead [--batch N --max-seq N --num-heads N --num-kv-heads N --head-dim N] [--reps N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "qwen3_scope2_cli.hpp"

namespace pl = ptoref::pl;

int main(int argc, char** argv)
{
    qwen3_scope2::config c;
    long reps = 5;
    try {
        ptoref_examples::arg_parser p;
        using ptoref_examples::parse_int;
        p.value("--batch", [&](const std::string& v) { c.batch = parse_int("--batch", v, 1, 4096); });
        p.value("--max-seq", [&](const std::string& v) { c.max_seq = parse_int("--max-seq", v, 64, 1 << 20); });
        p.value("--num-heads", [&](const std::string& v) { c.num_heads = parse_int("--num-heads", v, 8, 4096); });
        p.value("--num-kv-heads",
                [&](const std::string& v) { c.num_kv_heads = parse_int("--num-kv-heads", v, 1, 512); });
        p.value("--head-dim", [&](const std::string& v) { c.head_dim = parse_int("--head-dim", v, 2, 4096); });
        p.value("--reps", [&](const std::string& v) { reps = parse_int("--reps", v, 1, 1000); });
        p.parse(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
    std::vector<double> on, off;
    long accesses = 0;
    for (long r = 0; r < reps; ++r)
        for (bool checked : {true, false}) {
            ptoref::check::enabled_scope scope(checked);
            qwen3_scope2::tensors t = qwen3_scope2::make_inputs(c, 1);
            ptoref::check::collector col;
            const auto t0 = std::chrono::steady_clock::now();
            qwen3_scope2::prefill_scope2(c, t);
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            (checked ? on : off).push_back(s);
            if (checked && r == 0)
                for (const auto& l : col.loops())
                    if (l.outer_path.empty())
                        accesses += l.element_accesses;
        }
    std::sort(on.begin(), on.end());
    std::sort(off.begin(), off.end());
    const double med_on = on[on.size() / 2], med_off = off[off.size() / 2];
    std::printf("{\"benchmark\": \"check_overhead\", \"program\": \"qwen3_32b_prefill_scope2\", \"batch\": %lld, "
                "\"max_seq\": %lld, \"num_heads\": %lld, \"num_kv_heads\": %lld, \"head_dim\": %lld, \"reps\": %ld, "
                "\"element_accesses_checked\": %ld, \"checked_median_s\": %.6f, \"unchecked_median_s\": %.6f, "
                "\"overhead_ratio\": %.3f}\n",
                static_cast<long long>(c.batch), static_cast<long long>(c.max_seq), static_cast<long long>(c.num_heads),
                static_cast<long long>(c.num_kv_heads), static_cast<long long>(c.head_dim), reps, accesses, med_on,
                med_off, med_on / med_off);
    return 0;
}
