// SHA-256 throughput of testing::digest's hash: the x86 SHA extensions (where the CPU has them)
// against the portable rounds, side by side on the same 256 MiB buffer. One JSON object.
#include <ptoref/testing/sha256.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

namespace {

double mb_per_s(const std::vector<unsigned char>& buf, bool portable, unsigned char& first)
{
    std::unique_ptr<ptoref::simd::path_scope> scope;
    if (portable)
        scope = std::make_unique<ptoref::simd::path_scope>(ptoref::simd::path::scalar);
    double best = 0;
    for (int rep = 0; rep < 3; ++rep) {
        const auto t0 = std::chrono::steady_clock::now();
        ptoref::testing::sha256 h;
        h.update(buf.data(), buf.size());
        first = h.finish()[0];
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, static_cast<double>(buf.size()) / s / 1e6);
    }
    return best;
}

} // namespace

int main()
{
    std::vector<unsigned char> buf(std::size_t{256} << 20);
    for (std::size_t i = 0; i < buf.size(); ++i)
        buf[i] = static_cast<unsigned char>(i * 131 + (i >> 13));
    unsigned char a = 0, b = 0;
    const double fast = mb_per_s(buf, false, a), portable = mb_per_s(buf, true, b);
    std::printf("{\"benchmark\": \"digest\", \"bytes\": %zu, \"default_mb_per_s\": %.0f, \"portable_mb_per_s\": %.0f, "
                "\"speedup\": %.2f, \"same_digest\": %s}\n",
                buf.size(), fast, portable, fast / portable, a == b ? "true" : "false");
    return a == b ? 0 : 1;
}
