// Cost of the runtime-ordering mode: an orchestration of thousands of tasks (per layer: a
// pl.parallel of stripe writers into one activation, then per-stripe readers that each read the
// whole activation and write their own output stripe, chained over layers), run unchecked,
// checked in program order, and checked under runtime ordering, alternating in one process.
// Prints JSON (one object) on stdout.
//   bench_task_ordering [--stripes N] [--layers N] [--cols N (128)] [--reps N] [--only 0|1|2]
// (--only M runs one mode, for profiling: 0 unchecked, 1 program order, 2 runtime ordering.)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <ptoref/ptoref.hpp>

namespace pl = ptoref::pl;
namespace check = ptoref::check;

namespace {

long arg(int argc, char** argv, const char* name, long dflt)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == name)
            return std::strtol(argv[i + 1], nullptr, 10);
    return dflt;
}

// 2 * stripes * layers tasks.
std::size_t program(pl::index stripes, pl::index layers, pl::index cols)
{
    auto act = pl::full({16, stripes * cols}, pl::FP32, 1.0f).name("act");
    auto out = pl::full({16, stripes * cols}, pl::FP32, 0.0f).name("out");
    for (pl::index l = 0; l < layers; ++l) {
        pl::parallel(stripes, [&](pl::index i) {
            pl::at([&] {
                act = pl::assemble(act, pl::mul(pl::slice(out, {16, cols}, {0, i * cols}), 0.5), {0, i * cols});
            });
        });
        pl::parallel(stripes, [&](pl::index i) {
            pl::at([&] {
                auto s = pl::row_sum(act); // reads the whole activation
                out = pl::assemble(out, pl::add(pl::slice(act, {16, cols}, {0, i * cols}), pl::mul(s, 0.0)),
                                   {0, i * cols});
            });
        });
    }
    return static_cast<std::size_t>(2 * stripes * layers);
}

struct timing {
    double off = 0, program_order = 0, runtime = 0;
    std::size_t tasks = 0, records = 0;
};

double median(std::vector<double> v)
{
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// The three modes alternating, `reps` times; medians.
timing measure(pl::index stripes, pl::index layers, pl::index cols, long reps, long only)
{
    std::vector<double> off, program_order, runtime;
    timing t;
    for (long r = 0; r < reps; ++r)
        for (int mode = 0; mode < 3; ++mode) {
            if (only >= 0 && mode != only)
                continue;
            check::enabled_scope scope(mode != 0);
            check::collector col;
            const auto t0 = std::chrono::steady_clock::now();
            if (mode == 2) {
                check::runtime_ordering_run run;
                t.tasks = program(stripes, layers, cols);
                run.finish();
            } else {
                program(stripes, layers, cols);
            }
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            (mode == 0 ? off : mode == 1 ? program_order : runtime).push_back(s);
            if (mode == 2)
                t.records = col.orderings().size();
        }
    t.off = median(off);
    t.program_order = median(program_order);
    t.runtime = median(runtime);
    return t;
}

std::string fields(const timing& t, pl::index cols)
{
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "\"tasks\": %zu, \"cols\": %ld, \"unchecked_s\": %.6f, \"program_order_s\": %.6f, "
                  "\"runtime_ordering_s\": %.6f, \"runtime_vs_unchecked\": %.3f, \"runtime_vs_program_order\": %.3f, "
                  "\"program_order_vs_unchecked\": %.3f, \"records\": %zu",
                  t.tasks, static_cast<long>(cols), t.off, t.program_order, t.runtime,
                  t.off > 0 ? t.runtime / t.off : 0.0, t.program_order > 0 ? t.runtime / t.program_order : 0.0,
                  t.off > 0 ? t.program_order / t.off : 0.0, t.records);
    return buf;
}

} // namespace

int main(int argc, char** argv)
{
    // Default tiles: 16 x 128 fp32 (8 KiB), a vector tile of the size the real programs use;
    // the same program with 16 x 16 tiles (a few hundred nanoseconds of work per op) is also
    // measured, where the per-op cost of any checking dominates.
    const pl::index stripes = arg(argc, argv, "--stripes", 64), layers = arg(argc, argv, "--layers", 16),
                    cols = arg(argc, argv, "--cols", 128);
    const long reps = arg(argc, argv, "--reps", 5), only = arg(argc, argv, "--only", -1);
    const timing main_t = measure(stripes, layers, cols, reps, only);
    std::string json = "{\"benchmark\": \"task_ordering\", \"stripes\": " + std::to_string(stripes) +
                       ", \"layers\": " + std::to_string(layers) + ", \"reps\": " + std::to_string(reps) + ", " +
                       fields(main_t, cols) + ", \"target_runtime_vs_unchecked\": 2.0";
    std::size_t records = main_t.records;
    if (only < 0 && cols != 16) {
        const timing small = measure(stripes, layers, 16, reps, only);
        json += ", \"small_tiles\": {" + fields(small, 16) + "}";
        records += small.records;
    }
    std::printf("%s}\n", json.c_str());
    return records == 0 ? 0 : 1;
}
