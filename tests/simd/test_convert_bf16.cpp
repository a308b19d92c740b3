// Exhaustive: for every cast mode and all 2^32 inputs, the SIMD fp32 -> bf16 conversion equals
// the scalar bit-trick path (detail::f32_to_bf16_bits), which equals the generic exact-rounding
// definition (detail::round_to_format(detail::decompose(x), mode, bf16_format)).
//
// The mode is a template parameter inside the sweeps so the compiler specialises the scalar and
// generic definitions per mode; chunks of 2^20 inputs are handed out to every hardware thread.
// Cost: about 3 ns of CPU per input and mode at -O2 (the generic definition is two thirds of it),
// i.e. ~90-100 CPU-seconds in all, under a minute on two idle cores. Besides
// the default arch, the SIMD kernel is instantiated for every other x86 instruction set compiled
// in (SSE2 always on x86-64; AVX2 and AVX-512BW when the -march flags enable them), so more than
// one lane width is proven when the build has them; on a CPU with AVX-512 the run-time AVX-512
// kernel (the default call) is swept too, and each xsimd arch alone on the scalar path.
#include <ptoref/simd/convert_bf16.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

using ptoref::bf16;
using ptoref::cast_mode;

namespace {

constexpr std::size_t chunk = std::size_t{1} << 20;

// Calls f(std::integral_constant<cast_mode, M>{}) for the runtime mode m.
template <class F>
void with_mode(cast_mode m, F&& f)
{
    switch (m) {
    case cast_mode::none:
        return f(std::integral_constant<cast_mode, cast_mode::none>{});
    case cast_mode::rint:
        return f(std::integral_constant<cast_mode, cast_mode::rint>{});
    case cast_mode::round:
        return f(std::integral_constant<cast_mode, cast_mode::round>{});
    case cast_mode::floor:
        return f(std::integral_constant<cast_mode, cast_mode::floor>{});
    case cast_mode::ceil:
        return f(std::integral_constant<cast_mode, cast_mode::ceil>{});
    case cast_mode::trunc:
        return f(std::integral_constant<cast_mode, cast_mode::trunc>{});
    case cast_mode::odd:
        return f(std::integral_constant<cast_mode, cast_mode::odd>{});
    }
}

template <cast_mode M>
std::uint16_t generic_bits(std::uint32_t u)
{
    return static_cast<std::uint16_t>(ptoref::detail::round_to_format(
        ptoref::detail::decompose(std::bit_cast<float>(u)), M, ptoref::detail::bf16_format));
}

// Fills scalar[i] with the fast path for input b32 + i and counts where the SIMD output
// differs. flatten: everything is inlined with the mode as a constant, so the switches fold.
template <cast_mode M>
[[gnu::flatten]] std::uint64_t count_scalar_mismatches(std::uint32_t b32, std::size_t n, const bf16* simd,
                                                       std::uint16_t* scalar)
{
    std::uint64_t bad = 0;
    for (std::size_t i = 0; i < n; ++i) {
        scalar[i] = ptoref::detail::f32_to_bf16_bits(b32 + static_cast<std::uint32_t>(i), M);
        bad += simd[i].bits != scalar[i];
    }
    return bad;
}

// Counts where the fast path (scalar[i], input b32 + i) differs from the generic definition.
template <cast_mode M>
[[gnu::flatten]] std::uint64_t count_generic_mismatches(std::uint32_t b32, std::size_t n, const std::uint16_t* scalar)
{
    std::uint64_t bad = 0;
    for (std::size_t i = 0; i < n; ++i)
        bad += scalar[i] != generic_bits<M>(b32 + static_cast<std::uint32_t>(i));
    return bad;
}

[[maybe_unused]] std::uint64_t count_mismatches(std::size_t n, const bf16* simd, const std::uint16_t* scalar)
{
    std::uint64_t bad = 0;
    for (std::size_t i = 0; i < n; ++i)
        bad += simd[i].bits != scalar[i];
    return bad;
}

// The instruction sets this build can run the kernel with: the default first, then every other
// x86 arch compiled in (a different lane width each). Names for the report.
template <class... A>
struct arch_list {
};
template <class... A>
std::string extra_arch_names(arch_list<A...>)
{
    std::string s;
    ((s += std::is_same_v<A, xsimd::default_arch> ? std::string() : ", " + std::string(A::name())), ...);
    return s;
}
using extra_archs = arch_list<
#if XSIMD_WITH_SSE2
    xsimd::sse2
#endif
#if XSIMD_WITH_AVX2
    ,
    xsimd::avx2
#endif
#if XSIMD_WITH_AVX512BW
    ,
    xsimd::avx512bw
#endif
    >;

struct sweep_result {
    std::uint64_t simd_vs_scalar = 0;    // some SIMD arch's output != scalar fast path
    std::uint64_t scalar_vs_generic = 0; // scalar fast path != generic definition
    std::vector<std::uint32_t> first;    // a few failing inputs, for the message
    double seconds = 0;                  // wall time
    double cpu_seconds = 0;              // CPU time of all threads (robust to a busy machine)

    std::string describe() const
    {
        std::ostringstream s;
        s << simd_vs_scalar << " SIMD/scalar and " << scalar_vs_generic << " scalar/generic mismatches; first inputs:";
        for (std::uint32_t u : first)
            s << " 0x" << std::hex << u;
        return s.str();
    }
};

// All 2^32 inputs for mode M, in chunks of 2^20 handed out to every hardware thread in turn:
// scalar == generic, and the SIMD output of the default arch and of each of Extra == scalar.
template <cast_mode M, class... Extra>
sweep_result sweep(arch_list<Extra...>)
{
    constexpr std::uint64_t chunks = (std::uint64_t{1} << 32) / chunk;
    sweep_result res;
    std::atomic<std::uint64_t> next{0}, bad_simd{0}, bad_generic{0};
    std::mutex first_mutex;
    auto work = [&] {
        std::vector<float> in(chunk);
        std::vector<bf16> out(chunk);
        std::vector<std::uint16_t> scalar(chunk);
        std::uint64_t local_simd = 0, local_generic = 0;
        for (std::uint64_t c; (c = next.fetch_add(1, std::memory_order_relaxed)) < chunks;) {
            const auto b32 = static_cast<std::uint32_t>(c * chunk);
            for (std::size_t i = 0; i < chunk; ++i)
                in[i] = std::bit_cast<float>(b32 + static_cast<std::uint32_t>(i));
            ptoref::simd::f32_to_bf16(in.data(), out.data(), in.size(), M);
            std::uint64_t s = count_scalar_mismatches<M>(b32, chunk, out.data(), scalar.data());
            const std::uint64_t g = count_generic_mismatches<M>(b32, chunk, scalar.data());
            // Each xsimd arch on its own (the scalar path takes no AVX-512 bulk), the default too
            // when the call above took the AVX-512 kernel.
            auto extra = [&](auto arch) {
                using A = decltype(arch);
                if (!std::is_same_v<A, xsimd::default_arch> ||
                    ptoref::simd::active_path() >= ptoref::simd::path::avx512) {
                    ptoref::simd::f32_to_bf16<A>(in.data(), out.data(), in.size(), M, ptoref::simd::path::scalar);
                    s += count_mismatches(chunk, out.data(), scalar.data());
                }
            };
            (extra(Extra{}), ...);
            if (s + g != 0) { // only on failure: note a few inputs (re-checked against every arch)
                std::lock_guard<std::mutex> lock(first_mutex);
                std::vector<bf16> one(chunk);
                // (a run-time length: with the constant chunk here, g++ 12 -O3 gives a false
                // -Waggressive-loop-optimizations error inside the kernel)
                ptoref::simd::f32_to_bf16(in.data(), one.data(), in.size(), M);
                for (std::size_t i = 0; i < chunk && res.first.size() < 8; ++i) {
                    const auto u = b32 + static_cast<std::uint32_t>(i);
                    if (one[i].bits != scalar[i] || out[i].bits != scalar[i] || scalar[i] != generic_bits<M>(u))
                        res.first.push_back(u);
                }
            }
            local_simd += s;
            local_generic += g;
        }
        bad_simd += local_simd;
        bad_generic += local_generic;
    };
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < std::max(1u, std::thread::hardware_concurrency()); ++t)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    res.cpu_seconds = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    res.simd_vs_scalar = bad_simd.load();
    res.scalar_vs_generic = bad_generic.load();
    return res;
}

} // namespace

TEST_CASE("SIMD == scalar == generic fp32 -> bf16 on all 2^32 inputs, every mode, every compiled-in arch")
{
    const std::string archs =
        std::string(xsimd::default_arch::name()) + " (default)" + extra_arch_names(extra_archs{}) +
        (ptoref::simd::active_path() >= ptoref::simd::path::avx512 ? ", the run-time AVX-512 kernel" : "");
    std::printf("fp32->bf16, all 2^32 inputs per mode: scalar == generic, SIMD == scalar on %s; %u threads\n",
                archs.c_str(), std::max(1u, std::thread::hardware_concurrency()));
    double total = 0, total_cpu = 0;
    for (cast_mode mode : ptoref::all_cast_modes) {
        sweep_result r;
        with_mode(mode, [&](auto m) { r = sweep<decltype(m)::value>(extra_archs{}); });
        total += r.seconds;
        total_cpu += r.cpu_seconds;
        std::printf("  mode %-5s %5.1f s wall, %5.1f s CPU\n", std::string(ptoref::to_string(mode)).c_str(), r.seconds,
                    r.cpu_seconds);
        std::fflush(stdout);
        INFO("mode " << ptoref::to_string(mode) << ", archs " << archs << ": " << r.describe());
        CHECK(r.simd_vs_scalar == 0);
        CHECK(r.scalar_vs_generic == 0);
    }
    std::printf("  all modes  %5.1f s wall, %5.1f s CPU\n", total, total_cpu);
}

namespace {
// Runs f(arch{}) for the default arch and every other one compiled in.
template <class F, class... A>
void for_each_arch(F&& f, arch_list<A...>)
{
    f(xsimd::default_arch{});
    auto one = [&](auto arch) {
        if constexpr (!std::is_same_v<decltype(arch), xsimd::default_arch>)
            f(arch);
    };
    (one(A{}), ...);
}
} // namespace

TEST_CASE("lengths that are not a multiple of the batch: the scalar tail agrees, nothing past n is written")
{
    // Inputs mix ties, inexact values, NaNs with payloads and infinities so every branch of the
    // mode logic shows up in both the vector body and the tail.
    const std::uint32_t patterns[] = {0x3f808000u, 0x3f818000u, 0xbf808000u, 0x3f800001u, 0xbf7fffffu, 0x7f7fffffu,
                                      0xff7fffffu, 0x7f800000u, 0xff800000u, 0xffc12345u, 0x7f800001u, 0x00008000u,
                                      0x807fffffu, 0x80000000u, 0x00000000u, 0x7f7f8000u, 0x12345678u};
    constexpr std::size_t npat = sizeof patterns / sizeof patterns[0];
    for_each_arch(
        [&](auto arch) {
            using A = decltype(arch);
            for (cast_mode mode : ptoref::all_cast_modes)
                for (std::size_t n : {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65}) {
                    std::vector<float> in(n);
                    std::vector<bf16> out(n + 4, bf16::from_bits(0xdead));
                    for (std::size_t i = 0; i < n; ++i)
                        in[i] = std::bit_cast<float>(patterns[(i * 5 + n) % npat]);
                    for (ptoref::simd::path p : {ptoref::simd::path::scalar, ptoref::simd::active_path()}) {
                        std::fill(out.begin(), out.end(), bf16::from_bits(0xdead));
                        ptoref::simd::f32_to_bf16<A>(in.data(), out.data(), n, mode, p);
                        INFO("arch " << A::name() << ", path " << ptoref::simd::to_string(p) << ", mode "
                                     << ptoref::to_string(mode) << ", n = " << n);
                        for (std::size_t i = 0; i < n; ++i)
                            REQUIRE(out[i].bits ==
                                    ptoref::detail::f32_to_bf16_bits(std::bit_cast<std::uint32_t>(in[i]), mode));
                        for (std::size_t i = n; i < n + 4; ++i)
                            REQUIRE(out[i].bits == 0xdead);
                    }
                }
        },
        extra_archs{});
}
