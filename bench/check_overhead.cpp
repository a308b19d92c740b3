// Cost of checking: the seed program run op by op with checks on and off. Every run is its own
// child process (forked before any tensor exists), checked and unchecked alternating, so the
// two modes see the same machine state and each mode's peak resident set is its own. Prints JSON
// (one object) on stdout: medians of the run's wall and CPU time per mode, their ratio against
// the target of 1.5, and the larger max RSS (ru_maxrss) of each mode's children against 2.
//   bench_check_overhead [--batch N --max-seq N --num-heads N --num-kv-heads N --head-dim N] [--seed N] [--reps N]
// The inputs are make_inputs(config, seed) of the example's CLI; --seed 0 gives the CLI's default
// run (the default here, 1, is this bench's earlier fixed seed).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "qwen3_scope2_cli.hpp"

namespace pl = ptoref::pl;

namespace {

struct run_result {
    double wall_s = 0;
    double cpu_s = 0; // process CPU time of the run alone (inputs made before)
    long accesses = 0;
    int ok = 0;
};

double cpu_now()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// In the child: one run of the program; the result goes to the pipe.
[[noreturn]] void child(const qwen3_scope2::config& c, std::uint64_t seed, bool checked, int fd)
{
    run_result r;
    try {
        ptoref::check::enabled_scope scope(checked);
        qwen3_scope2::tensors t = qwen3_scope2::make_inputs(c, seed);
        ptoref::check::collector col;
        const double c0 = cpu_now();
        const auto t0 = std::chrono::steady_clock::now();
        qwen3_scope2::prefill_scope2(c, t);
        r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        r.cpu_s = cpu_now() - c0;
        for (const auto& l : col.loops())
            if (l.outer_path.empty())
                r.accesses += l.element_accesses;
        r.ok = 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
    }
    const bool written = write(fd, &r, sizeof r) == static_cast<ssize_t>(sizeof r);
    _exit(written && r.ok ? 0 : 1);
}

// Runs one child and returns its result and its max RSS in KiB.
bool run_child(const qwen3_scope2::config& c, std::uint64_t seed, bool checked, run_result& r, long& max_rss_kb)
{
    int fds[2];
    if (pipe(fds) != 0)
        return false;
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        close(fds[0]);
        child(c, seed, checked, fds[1]);
    }
    close(fds[1]);
    const bool got = read(fds[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r);
    close(fds[0]);
    int status = 0;
    rusage ru{};
    if (wait4(pid, &status, 0, &ru) != pid)
        return false;
    max_rss_kb = ru.ru_maxrss;
    return got && r.ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    qwen3_scope2::config c;
    long reps = 5;
    std::uint64_t seed = 1;
    try {
        ptoref_examples::arg_parser p;
        using ptoref_examples::parse_int;
        p.value("--batch", [&](const std::string& v) { c.batch = parse_int("--batch", v, 1, 4096); });
        p.value("--max-seq", [&](const std::string& v) { c.max_seq = parse_int("--max-seq", v, 64, 1 << 20); });
        p.value("--num-heads", [&](const std::string& v) { c.num_heads = parse_int("--num-heads", v, 8, 4096); });
        p.value("--num-kv-heads",
                [&](const std::string& v) { c.num_kv_heads = parse_int("--num-kv-heads", v, 1, 512); });
        p.value("--head-dim", [&](const std::string& v) { c.head_dim = parse_int("--head-dim", v, 2, 4096); });
        p.value("--seed", [&](const std::string& v) {
            seed = static_cast<std::uint64_t>(parse_int("--seed", v, 0, (1ll << 62)));
        });
        p.value("--reps", [&](const std::string& v) { reps = parse_int("--reps", v, 1, 1000); });
        p.parse(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
    std::vector<double> wall_on, wall_off, cpu_on, cpu_off;
    long accesses = 0, rss_on = 0, rss_off = 0;
    for (long r = 0; r < reps; ++r)
        for (bool checked : {true, false}) {
            run_result res;
            long rss = 0;
            if (!run_child(c, seed, checked, res, rss)) {
                std::fprintf(stderr, "error: the %s run failed\n", checked ? "checked" : "unchecked");
                return 1;
            }
            (checked ? wall_on : wall_off).push_back(res.wall_s);
            (checked ? cpu_on : cpu_off).push_back(res.cpu_s);
            long& peak = checked ? rss_on : rss_off;
            peak = std::max(peak, rss);
            if (checked && r == 0)
                accesses = res.accesses;
        }
    const double w_on = median(wall_on), w_off = median(wall_off);
    const double c_on = median(cpu_on), c_off = median(cpu_off);
    std::printf("{\"benchmark\": \"check_overhead\", \"program\": \"qwen3_32b_prefill_scope2\", \"batch\": %lld, "
                "\"max_seq\": %lld, \"num_heads\": %lld, \"num_kv_heads\": %lld, \"head_dim\": %lld, \"seed\": %llu, "
                "\"reps\": %ld, "
                "\"processes\": \"one child per run\", \"element_accesses_checked\": %ld, "
                "\"checked_median_s\": %.6f, \"unchecked_median_s\": %.6f, \"overhead_ratio\": %.3f, "
                "\"checked_cpu_median_s\": %.6f, \"unchecked_cpu_median_s\": %.6f, "
                "\"checked_over_unchecked\": %.3f, \"target\": 1.5, "
                "\"checked_max_rss_kb\": %ld, \"unchecked_max_rss_kb\": %ld, \"rss_checked_over_unchecked\": %.3f, "
                "\"rss_target\": 2.0}\n",
                static_cast<long long>(c.batch), static_cast<long long>(c.max_seq), static_cast<long long>(c.num_heads),
                static_cast<long long>(c.num_kv_heads), static_cast<long long>(c.head_dim),
                static_cast<unsigned long long>(seed), reps, accesses, w_on, w_off, w_on / w_off, c_on, c_off,
                c_on / c_off, rss_on, rss_off, static_cast<double>(rss_on) / static_cast<double>(rss_off));
    return 0;
}
