// A tour of ptoref's ops on a small attention-like block: what `make demo` runs until the seed
// program's port exists. Prints values, the DSL's rounding choices and a digest of the result.
#include <ptoref/ptoref.hpp>
#include <ptoref/testing/digest.hpp>

#include <cstdio>
#include <vector>

namespace pl = ptoref::pl;

int main()
{
    try {
        // q [4, 8] and k [6, 8] in bf16, from exact small values.
        std::vector<float> qv(32), kv(48);
        for (int i = 0; i < 32; ++i)
            qv[static_cast<std::size_t>(i)] = static_cast<float>((i * 7) % 11 - 5) / 8.0f;
        for (int i = 0; i < 48; ++i)
            kv[static_cast<std::size_t>(i)] = static_cast<float>((i * 5) % 13 - 6) / 16.0f;
        auto q = pl::cast(ptoref::tensor_from<float>({4, 8}, qv), pl::BF16).name("q");
        auto k = pl::cast(ptoref::tensor_from<float>({6, 8}, kv), pl::BF16).name("k");

        // scores = q @ k^T (fp32 accumulation), causal-style mask via valid_shape + fillpad(min).
        auto scores = pl::mul(pl::matmul(q, k, pl::FP32, false, true), 0.35355339f);
        auto visible = pl::slice(scores, {4, 6}, {0, 0}, {4, 5});
        auto masked = pl::fillpad(visible, pl::PadValue::min);
        auto row_max = pl::row_max(masked);
        auto p = pl::exp(pl::row_expand_sub(masked, row_max));
        auto p_bf16 = pl::cast(p, pl::BF16); // the DSL default: ties away from zero
        auto denom = pl::row_sum(pl::cast(p_bf16, pl::FP32));
        auto probs = pl::row_expand_div(pl::cast(p_bf16, pl::FP32), denom);

        std::printf("ptoref %s ops demo\n", ptoref::version_string);
        std::printf("scores row 0 :");
        for (int j = 0; j < 6; ++j)
            std::printf(" %9.5f", static_cast<double>(masked.get({0, j})));
        std::printf("   (col 5 padded with -inf)\n");
        std::printf("softmax row 0:");
        for (int j = 0; j < 6; ++j)
            std::printf(" %9.5f", static_cast<double>(probs.get({0, j})));
        std::printf("\n");

        // The cast default differs from torch's .to(): a tie 1.00390625 = 0x3F808000.
        auto tie = pl::full({1}, pl::FP32, 1.00390625f);
        std::printf("cast tie 0x3F808000: round (default) -> 0x%04X, rint (torch) -> 0x%04X\n",
                    pl::cast(tie, pl::BF16).get({0}).bits, pl::cast(tie, pl::BF16, "rint").get({0}).bits);
        std::printf("sha256(probs) = %s\n", ptoref::testing::digest(probs).c_str());
        return 0;
    } catch (const ptoref::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
