// A consumer's first program: a tiny pl computation, checked against known bits.
#include <ptoref/ptoref.hpp>

#include <cstdio>

namespace pl = ptoref::pl;

int main()
{
    auto x = pl::full({2, 4}, pl::FP32, 1.5f).name("x");
    auto y = pl::row_sum(pl::mul(x, 2.0)); // each row: 4 * 3.0 = 12
    auto b = pl::cast(y, pl::BF16);        // 12 is exact in bf16: 0x4140
    const bool ok = b.shape() == ptoref::dims{2, 1} && b.get({1, 0}).bits == 0x4140;
    std::printf("ptoref %s consumer: %s\n", ptoref::version_string, ok ? "ok" : "WRONG RESULT");
    return ok ? 0 : 1;
}
