// The existing ops on the new element types: integer elementwise arithmetic (wrapping, per
// width and signedness) against a wide-integer oracle, integer division (truncating, /0 an
// error, MIN / -1 wraps), integer reductions, the INT8 matmul against an INT64 oracle, FP8
// matmul in FP32, pad values, full's range check, and data movement for every dtype.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

#include <ptoref/testing/random.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace ops_test;
using ptoref::dims;
using ptoref::tensor_from;

namespace {

__extension__ typedef __int128 i128; // exact for every product and sum of two 64-bit values

template <class T>
std::vector<T> random_ints(std::size_t n, std::uint64_t seed)
{
    ptoref::testing::splitmix64 r(seed);
    std::vector<T> v;
    const T lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
    const T edges[] = {lo, static_cast<T>(lo + 1), T{0}, T{1}, static_cast<T>(hi - 1), hi};
    for (T e : edges)
        v.push_back(e);
    while (v.size() < n)
        v.push_back(static_cast<T>(r.next()));
    return v;
}

// Wraps a mathematically exact integer (given mod 2^64 as the low bits) into T.
template <class T>
T wrap_oracle(i128 x)
{
    constexpr int bits = static_cast<int>(sizeof(T) * 8);
    i128 mod = static_cast<i128>(1) << bits;
    i128 w = x % mod;
    if (w < 0)
        w += mod;
    if (std::is_signed_v<T> && w > static_cast<i128>(std::numeric_limits<T>::max()))
        w -= mod;
    return static_cast<T>(w);
}

} // namespace

TEMPLATE_TEST_CASE("integer add/sub/mul/neg/abs/maximum/minimum wrap modulo 2^bits", "", std::int8_t, std::int32_t,
                   std::int64_t, std::uint8_t, std::uint32_t)
{
    using T = TestType;
    const std::size_t n = 4096;
    const std::vector<T> a = random_ints<T>(n, 11), b0 = random_ints<T>(n, 12);
    std::vector<T> b(b0.rbegin(), b0.rend()); // edges meet edges at both ends
    const auto ta = tensor_from<T>({static_cast<ix>(n)}, a), tb = tensor_from<T>({static_cast<ix>(n)}, b);
    const auto add = pl::add(ta, tb).to_vector(), sub = pl::sub(ta, tb).to_vector(), mul = pl::mul(ta, tb).to_vector();
    const auto neg = pl::neg(ta).to_vector(), ab = pl::abs(ta).to_vector();
    const auto mx = pl::maximum(ta, tb).to_vector(), mn = pl::minimum(ta, tb).to_vector();
    for (std::size_t i = 0; i < n; ++i) {
        const i128 x = a[i], y = b[i];
        INFO(std::to_string(static_cast<long long>(a[i])) + " op " + std::to_string(static_cast<long long>(b[i])));
        CHECK(add[i] == wrap_oracle<T>(x + y));
        CHECK(sub[i] == wrap_oracle<T>(x - y));
        CHECK(mul[i] == wrap_oracle<T>(x * y));
        CHECK(neg[i] == wrap_oracle<T>(-x));
        CHECK(ab[i] == wrap_oracle<T>(x < 0 ? -x : x));
        CHECK(mx[i] == (a[i] > b[i] ? a[i] : b[i]));
        CHECK(mn[i] == (a[i] < b[i] ? a[i] : b[i]));
    }
    // Broadcasting works as for every dtype.
    const auto col = tensor_from<T>({2, 1}, {T{1}, T{2}});
    const auto row = tensor_from<T>({1, 3}, {T{10}, T{20}, T{30}});
    CHECK(pl::add(col, row).to_vector() == std::vector<T>{11, 21, 31, 12, 22, 32});
}

TEMPLATE_TEST_CASE("integer div truncates toward zero; MIN / -1 wraps; / 0 is an error", "", std::int8_t, std::int32_t,
                   std::int64_t, std::uint8_t, std::uint32_t)
{
    using T = TestType;
    const std::size_t n = 2048;
    std::vector<T> a = random_ints<T>(n, 21), b = random_ints<T>(n, 22);
    for (T& v : b)
        if (v == T{0})
            v = T{3};
    const auto q =
        pl::div(tensor_from<T>({static_cast<ix>(n)}, a), tensor_from<T>({static_cast<ix>(n)}, b)).to_vector();
    for (std::size_t i = 0; i < n; ++i) {
        const i128 x = a[i], y = b[i];
        CHECK(q[i] == wrap_oracle<T>(x / y)); // C++ / truncates toward zero
    }
    if constexpr (std::is_signed_v<T>) {
        const T lo = std::numeric_limits<T>::min();
        CHECK(pl::div(tensor_from<T>({1}, {lo}), tensor_from<T>({1}, {T{-1}})).to_vector()[0] == lo);
        CHECK(pl::div(tensor_from<T>({1}, {T{-7}}), tensor_from<T>({1}, {T{2}})).to_vector()[0] == T{-3});
    }
    CHECK_THROWS_WITH(pl::div(tensor_from<T>({2}, {T{1}, T{2}}), tensor_from<T>({2}, {T{1}, T{0}})),
                      Catch::Contains("pl::div: integer division by zero"));
}

TEMPLATE_TEST_CASE("integer row_sum wraps; row_max/row_min; keepdim", "", std::int8_t, std::int64_t, std::uint8_t,
                   std::uint32_t)
{
    using T = TestType;
    const ix rows = 5, cols = 37;
    const std::vector<T> v = random_ints<T>(static_cast<std::size_t>(rows * cols), 31);
    const auto t = tensor_from<T>({rows, cols}, v);
    const auto s = pl::row_sum(t), mx = pl::row_max(t), mn = pl::row_min(t);
    CHECK(s.shape() == dims{rows, 1});
    for (ix r = 0; r < rows; ++r) {
        i128 sum = 0;
        T hi = v[static_cast<std::size_t>(r * cols)], lo = hi;
        for (ix c = 0; c < cols; ++c) {
            const T x = v[static_cast<std::size_t>(r * cols + c)];
            sum += x;
            hi = x > hi ? x : hi;
            lo = x < lo ? x : lo;
        }
        CHECK(pl::read(s, {r, 0}) == wrap_oracle<T>(sum));
        CHECK(pl::read(mx, {r, 0}) == hi);
        CHECK(pl::read(mn, {r, 0}) == lo);
    }
}

TEST_CASE("INT8 matmul accumulates exact products in INT32 (wrapping), every transpose form, vs an INT64 oracle")
{
    for (bool at : {false, true})
        for (bool bt : {false, true}) {
            const ix m = 7, n = 9, k = 300;
            const std::vector<std::int8_t> a = random_ints<std::int8_t>(static_cast<std::size_t>(m * k), 41);
            const std::vector<std::int8_t> b = random_ints<std::int8_t>(static_cast<std::size_t>(k * n), 42);
            const auto ta = tensor_from<std::int8_t>(at ? dims{k, m} : dims{m, k}, a);
            const auto tb = tensor_from<std::int8_t>(bt ? dims{n, k} : dims{k, n}, b);
            const auto c = pl::matmul(ta, tb, pl::INT32, at, bt);
            static_assert(std::is_same_v<decltype(c), const ptoref::Tensor<std::int32_t>>);
            for (ix i = 0; i < m; ++i)
                for (ix j = 0; j < n; ++j) {
                    std::int64_t want = 0;
                    for (ix kk = 0; kk < k; ++kk)
                        want += static_cast<std::int64_t>(a[static_cast<std::size_t>(at ? kk * m + i : i * k + kk)]) *
                                b[static_cast<std::size_t>(bt ? j * k + kk : kk * n + j)];
                    CHECK(pl::read(c, {i, j}) == want); // |sum| < 2^31 here: no wrap
                }
        }
    // 2^17 products of (-128)(-128) = 2^14 each: 2^31 wraps to INT32_MIN.
    const ix k = 1 << 17;
    const auto big = pl::matmul(pl::full({1, k}, pl::INT8, -128), pl::full({k, 1}, pl::INT8, -128), pl::INT32);
    CHECK(pl::read(big, {0, 0}) == INT32_MIN);
    // matmul_acc continues the INT32 chain; FP32 output narrows the INT32 accumulator once (rint).
    const auto a = pl::full({2, 3}, pl::INT8, 5), b = pl::full({3, 2}, pl::INT8, -7);
    const auto acc = pl::matmul_acc(pl::full({2, 2}, pl::INT32, 1000), a, b);
    CHECK(acc.to_vector() == std::vector<std::int32_t>{895, 895, 895, 895});
    CHECK(pl::matmul(a, b, pl::FP32).to_vector() == std::vector<float>{-105, -105, -105, -105});
}

TEMPLATE_TEST_CASE("FP8 matmul widens exactly and accumulates in FP32", "", ptoref::fp8e4m3fn, ptoref::fp8e5m2)
{
    using T = TestType;
    std::vector<T> a, b;
    for (unsigned i = 0; i < 64; ++i) {
        a.push_back(T::from_bits(static_cast<std::uint8_t>((i * 37) & 0x77))); // finite patterns
        b.push_back(T::from_bits(static_cast<std::uint8_t>((i * 53 + 1) & 0x6f)));
    }
    const auto c = pl::matmul(tensor_from<T>({4, 16}, a), tensor_from<T>({16, 4}, b), pl::FP32);
    for (ix i = 0; i < 4; ++i)
        for (ix j = 0; j < 4; ++j) {
            float acc = 0.0f;
            for (ix k = 0; k < 16; ++k)
                acc = std::fma(a[static_cast<std::size_t>(i * 16 + k)].to_float(),
                               b[static_cast<std::size_t>(k * 4 + j)].to_float(), acc);
            CHECK(bits(pl::read(c, {i, j})) == bits(acc));
        }
}

TEST_CASE("fillpad pad values of the new dtypes: the type's min/max, e4m3fn's +-448, e5m2's +-inf")
{
    auto pad = [](auto tag, pl::PadValue p) {
        using T = typename decltype(tag)::type;
        const auto t = pl::slice(pl::full({1, 2}, tag, 1), {1, 2}, {0, 0}, {1, 1});
        return ptoref::dtype_traits<T>::to_bits(pl::fillpad(t, p).to_vector()[1]);
    };
    CHECK(pad(pl::INT8, pl::PadValue::min) == 0x80u);
    CHECK(pad(pl::INT8, pl::PadValue::max) == 0x7fu);
    CHECK(pad(pl::UINT8, pl::PadValue::min) == 0u);
    CHECK(pad(pl::UINT8, pl::PadValue::max) == 0xffu);
    CHECK(pad(pl::INT64, pl::PadValue::min) == 0x8000000000000000ull);
    CHECK(pad(pl::UINT32, pl::PadValue::max) == 0xffffffffu);
    CHECK(pad(pl::FP8E4M3FN, pl::PadValue::min) == 0xfeu);
    CHECK(pad(pl::FP8E4M3FN, pl::PadValue::max) == 0x7eu);
    CHECK(pad(pl::FP8E5M2, pl::PadValue::min) == 0xfcu);
    CHECK(pad(pl::FP8E5M2, pl::PadValue::zero) == 0x00u);
}

TEST_CASE("full: integer literals are exact and range-checked; FP8 literals round to nearest even")
{
    CHECK(pl::full({2}, pl::INT64, std::int64_t{1} << 62).to_vector()[0] == std::int64_t{1} << 62);
    CHECK(pl::full({1}, pl::UINT32, 4294967295ll).to_vector()[0] == 4294967295u);
    CHECK_THROWS_WITH(pl::full({1}, pl::INT8, 128), Catch::Contains("pl::full: value 128 is out of range for INT8"));
    CHECK_THROWS_WITH(pl::full({1}, pl::UINT8, -1), Catch::Contains("value -1 is out of range for UINT8"));
    CHECK_THROWS_WITH(pl::full({1}, pl::UINT32, -1), Catch::Contains("out of range for UINT32"));
    CHECK(pl::full({1}, pl::FP8E4M3FN, 0.1).to_vector()[0].bits == 0x1d); // 0.1 -> 0.1015625
    CHECK(pl::full({1}, pl::FP8E5M2, 3.0).to_vector()[0].bits == 0x42);
}

TEST_CASE("pl::read of INT64 and UINT32 is exact; write stores exactly")
{
    auto t = pl::full({2, 2}, pl::INT64, INT64_MIN);
    t = pl::write(t, {1, 1}, std::int64_t{0x7fffffffffffffff});
    CHECK(pl::read(t, {0, 0}) == INT64_MIN);
    CHECK(pl::read(t, {1, 1}) == INT64_MAX);
    auto u = pl::full({1}, pl::UINT32, 0);
    u = pl::write(u, {0}, std::uint32_t{0xfffffffe});
    CHECK(pl::read(u, {0}) == 0xfffffffeu);
}

TEMPLATE_TEST_CASE("data movement keeps the bits of every new dtype", "", std::int8_t, std::int64_t, std::uint8_t,
                   std::uint32_t, ptoref::fp8e4m3fn, ptoref::fp8e5m2)
{
    using T = TestType;
    std::vector<T> v;
    for (unsigned i = 0; i < 12; ++i)
        v.push_back(ptoref::dtype_traits<T>::from_bits(
            static_cast<typename ptoref::dtype_traits<T>::bits_type>(0x9e3779b97f4a7c15ull * (i + 7))));
    auto key = [](const std::vector<T>& x) {
        std::vector<std::uint64_t> k;
        for (T e : x)
            k.push_back(static_cast<std::uint64_t>(ptoref::dtype_traits<T>::to_bits(e)));
        return k;
    };
    const auto t = tensor_from<T>({3, 4}, v);
    CHECK(key(pl::reshape(t, {4, 3}).to_vector()) == key(v));
    const auto tr = pl::transpose(t, 0, 1).to_vector();
    CHECK(ptoref::dtype_traits<T>::to_bits(tr[1]) == ptoref::dtype_traits<T>::to_bits(v[4]));
    const auto cc = pl::concat(t, t);
    CHECK(cc.shape() == dims{3, 8});
    auto target = pl::create_tensor({4, 5}, ptoref::dtype_tag<T>{});
    target = pl::assemble(target, pl::slice(t, {2, 2}, {1, 1}), {2, 3});
    CHECK(ptoref::dtype_traits<T>::to_bits(pl::read(target, {3, 4})) == ptoref::dtype_traits<T>::to_bits(v[10]));
    const auto sl = pl::slice(t, {2, 4}, {1, 0}, {1, 4});
    CHECK(sl.valid_shape() == dims{1, 4});
}
