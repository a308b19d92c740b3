// libFuzzer target: random op sequences. The input is a program: each step picks an op, its
// operands from a pool of tensors, and shapes, offsets, valid_shapes, axes and modes from the
// bytes, with extents near 0, 2^31, 2^32, 2^62, INT64_MAX and negative ones. Invariant: every
// op returns or throws ptoref::error; whatever it returns is a view whose every element can be
// read (ASan checks the addresses); ASan and UBSan stay silent.
#include <ptoref/ptoref.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace pl = ptoref::pl;
using ptoref::dims;
using ix = ptoref::index;

namespace {

class program {
public:
    program(const std::uint8_t* data, std::size_t size) : p_(data), n_(size) {}
    bool done() const noexcept { return n_ == 0; }
    std::uint8_t byte() noexcept
    {
        if (n_ == 0)
            return 0;
        --n_;
        return *p_++;
    }
    // Mostly small extents, sometimes one of the edge values.
    ix extent() noexcept
    {
        static constexpr ix max = std::numeric_limits<ix>::max(), min = std::numeric_limits<ix>::min();
        static constexpr ix edges[] = {16,
                                       63,
                                       64,
                                       65,
                                       (ix{1} << 31) - 1,
                                       ix{1} << 31,
                                       (ix{1} << 31) + 1,
                                       (ix{1} << 32) - 1,
                                       ix{1} << 32,
                                       (ix{1} << 32) + 1,
                                       ix{1} << 20,
                                       ix{1} << 40,
                                       ix{1} << 62,
                                       (ix{1} << 62) + 4,
                                       max,
                                       max - 1,
                                       -1,
                                       -2,
                                       min,
                                       min + 1,
                                       -(ix{1} << 31),
                                       -(ix{1} << 32)};
        const std::uint8_t b = byte();
        if (b < 176)
            return b % 9;
        return edges[(b - 176) % (sizeof edges / sizeof edges[0])];
    }
    // Rank 0..10: 9 and 10 are past the maximum and must be reported by the op.
    dims shape()
    {
        std::vector<ix> v(byte() % 11);
        for (ix& e : v)
            e = extent();
        return dims(v);
    }
    float value() noexcept
    {
        static constexpr float vals[] = {0.f, -0.f, 1.f, -1.5f, 1e30f, -1e-40f, std::numeric_limits<float>::infinity()};
        return vals[byte() % 7];
    }

private:
    const std::uint8_t* p_;
    std::size_t n_;
};

// Every element of a result is addressable and valid_shape lies within shape.
template <class T>
void inspect(const pl::Tensor<T>& t)
{
    if (!t)
        return;
    for (int d = 0; d < t.rank(); ++d)
        if (t.valid_shape()[d] < 0 || t.valid_shape()[d] > t.shape()[d])
            __builtin_trap();
    if (t.numel() <= (ix{1} << 14)) {
        (void)t.to_vector();
        (void)t.defined_mask();
    }
}

void step(program& in, std::array<pl::Tensor<float>, 8>& pool)
{
    auto pick = [&]() -> pl::Tensor<float>& { return pool[in.byte() % pool.size()]; };
    auto put = [&](pl::Tensor<float> t) {
        inspect(t);
        pick() = std::move(t);
    };
    switch (in.byte() % 22) {
    case 0: {
        const dims s = in.shape();
        put(pl::full(s, pl::FP32, in.value()));
        break;
    }
    case 1:
        put(pl::create_tensor(in.shape(), pl::FP32));
        break;
    case 2: {
        const dims s = in.shape();
        std::vector<float> v(in.byte() % 70, 1.f);
        put(ptoref::tensor_from<float>(s, v));
        break;
    }
    case 3: {
        const auto& t = pick();
        const dims s = in.shape(), off = in.shape();
        const dims valid = in.byte() % 2 ? in.shape() : dims{};
        put(pl::slice(t, s, off, valid));
        break;
    }
    case 4: {
        const auto& t = pick();
        put(pl::reshape(t, in.shape()));
        break;
    }
    case 5: {
        const auto& t = pick();
        const ix a = in.extent(), b = in.extent();
        put(pl::transpose(t, a, b));
        break;
    }
    case 6: {
        auto& t = pick();
        const auto& s = pick();
        t = pl::assemble(t, s, in.shape());
        inspect(t);
        break;
    }
    case 7:
        (void)pl::read(pick(), in.shape());
        break;
    case 8: {
        auto& t = pick();
        const dims idx = in.shape();
        t = pl::write(t, idx, in.value());
        break;
    }
    case 9: {
        const auto& a = pick();
        const auto& b = pick();
        const bool ta = in.byte() % 2, tb = in.byte() % 2;
        put(pl::matmul(a, b, pl::FP32, ta, tb));
        break;
    }
    case 10: {
        const auto& acc = pick();
        const auto& a = pick();
        const auto& b = pick();
        put(pl::matmul_acc(acc, a, b, in.byte() % 2, in.byte() % 2));
        break;
    }
    case 11: {
        const auto& a = pick();
        put(pl::concat(a, pick()));
        break;
    }
    case 12: { // a mode value that may be none of the seven
        const auto& t = pick();
        const auto mode = static_cast<ptoref::cast_mode>(static_cast<int>(in.byte() % 10) - 1);
        const auto h = pl::cast(t, pl::BF16, mode);
        inspect(h);
        put(pl::cast(h, pl::FP32, mode));
        break;
    }
    case 13: {
        const auto& t = pick();
        put(pl::fillpad(t, static_cast<pl::PadValue>(in.byte() % 5)));
        break;
    }
    case 14: {
        const auto& a = pick();
        put(pl::add(a, pick()));
        break;
    }
    case 15:
        put(in.byte() % 2 ? pl::row_sum(pick()) : pl::row_max(pick()));
        break;
    case 16: {
        const auto& a = pick();
        put(pl::row_expand_sub(a, pick()));
        break;
    }
    case 17:
        put(pl::exp(pick()));
        break;
    case 18: { // a hand-made view over a pool tensor's buffer: refused unless it fits
        const auto& t = pick();
        const dims s = in.shape(), st = in.shape();
        const ix off = in.extent();
        put(pl::Tensor<float>(t.storage_ptr(), s, st, off, s));
        break;
    }
    case 19:
        (void)pick().get(in.shape());
        break;
    case 20: {
        const auto& t = pick();
        put(pl::mul(t, 2.0));
        break;
    }
    default: {
        const auto& t = pick();
        const auto i = pl::cast(t, pl::INT32, ptoref::cast_mode::trunc);
        inspect(i);
        put(pl::cast(pl::matmul(i, i), pl::FP32));
        break;
    }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // 64 KiB per buffer: fast steps, and far below libFuzzer's malloc limit.
    static const bool capped = (ptoref::set_max_bytes(std::uint64_t{64} << 10), true);
    (void)capped;
    program in(data, size);
    std::array<pl::Tensor<float>, 8> pool;
    pool[0] = pl::full({4, 4}, pl::FP32, 1.f);
    pool[1] = pl::full({2, 2}, pl::FP32, 2.f);
    pool[2] = pl::create_tensor({ix{1} << 32, 0}, pl::FP32);
    pool[3] = pl::create_tensor({0, ix{1} << 32}, pl::FP32);
    pool[4] = pl::slice(pl::full({8, 16}, pl::FP32, 3.f), {4, 8}, {2, 4}, {3, 5});
    for (int steps = 0; !in.done() && steps < 64; ++steps) {
        try {
            step(in, pool);
        } catch (const ptoref::error&) {
            // the one allowed failure
        }
    }
    return 0;
}
