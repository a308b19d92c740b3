// Op-level golden cases for the reproducibility matrix: every op of the DSL on edge values (signed
// zeros, infinities, NaNs with payloads, subnormals, rounding ties, overflow and underflow
// thresholds) and on splitmix64 bit patterns, each output reduced to its SHA-256.
//   op_goldens                 prints "<sha256>  op/<case>" lines (the format of tests/digests.txt)
//   op_goldens --check FILE    compares against FILE's "op/" entries; exit 0 all match, 1 otherwise
// Inputs come from integer bit patterns only, so no compiler flag can change them.
#include <ptoref/ptoref.hpp>
#include <ptoref/testing/digest.hpp>
#include <ptoref/testing/digest_file.hpp>
#include <ptoref/testing/random.hpp>

#include <bit>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace pl = ptoref::pl;
using ix = ptoref::index;

namespace {

std::map<std::string, std::string> results;

template <class T>
void record(const std::string& name, const pl::Tensor<T>& t)
{
    results["op/" + name] = ptoref::testing::digest(t);
}

// Edge values of fp32, then random bit patterns up to `total` values (0: the edges only).
std::vector<float> edge_floats(std::size_t total, std::uint64_t seed)
{
    const std::uint32_t bits[] = {
        0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00000u, 0x7fa00001u,
        0xffc12345u, 0x00000001u, 0x80000001u, 0x007fffffu, 0x807fffffu, 0x00800000u, 0x80800000u,
        0x7f7fffffu, 0xff7fffffu, 0x3f800000u, 0xbf800000u, 0x3f000000u, 0xbfc00000u, 0x40490fdbu,
        0xc0490fdbu, 0x3f808000u, 0x3f818000u, 0xbf808000u, 0x3f800001u, // bf16 ties (even and odd), a tie below
        0x3f801000u, 0x3f803000u,                                        // fp16 ties
        0x42b17217u, 0x42b17218u, 0xc2cff1b5u, 0xc2d00000u,              // exp overflow / underflow edges
        0x4b000001u, 0xcb000001u, 0x4effffffu, 0xcf000000u, 0x4f000000u, // int32 conversion edges
        0x3effffffu, 0x3f7fffffu, 0x3fc00000u, 0x40200000u, 0xc0200000u, // x.5 ties for rounding to int
        0x1e800000u, 0x9e800000u, 0x5f000000u, 0xdf000000u,              // squares under- and overflow
    };
    std::vector<float> v;
    for (std::uint32_t b : bits)
        v.push_back(std::bit_cast<float>(b));
    ptoref::testing::splitmix64 r(seed);
    while (v.size() < total)
        v.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(r.next())));
    return v;
}

// Moderate values (no overflow), for ops where edge values would make every result NaN/inf.
std::vector<float> moderate_floats(std::size_t n, std::uint64_t seed)
{
    ptoref::testing::splitmix64 r(seed);
    std::vector<float> v(n);
    for (float& x : v) {
        const std::uint64_t u = r.next();
        const std::uint32_t exp = 120u + static_cast<std::uint32_t>(u % 14); // 2^-7 .. 2^6
        x = std::bit_cast<float>(static_cast<std::uint32_t>(((u >> 63) << 31) | (exp << 23) | ((u >> 8) & 0x7fffff)));
    }
    return v;
}

pl::Tensor<float> tensor(const std::vector<float>& v, const ptoref::dims& shape)
{
    return ptoref::tensor_from<float>(shape, v);
}

void elementwise()
{
    const std::vector<float> e = edge_floats(64, 1);
    const ix n = static_cast<ix>(e.size());
    auto col = tensor(e, {n, 1}), row = tensor(e, {1, n}), vec = tensor(e, {n});
    // Every pair of edge values, through broadcasting.
    record("add", pl::add(col, row));
    record("sub", pl::sub(col, row));
    record("mul", pl::mul(col, row));
    record("div", pl::div(col, row));
    record("maximum", pl::maximum(col, row));
    record("minimum", pl::minimum(col, row));
    record("add_scalar", pl::add(vec, 0.1));
    record("mul_scalar", pl::mul(vec, 3.0f));
    record("neg", pl::neg(vec));
    record("abs", pl::abs(vec));
    // Unary transcendentals on edges plus 4096 random patterns.
    auto wide = tensor(edge_floats(4096, 2), {64, 64});
    record("exp", pl::exp(wide));
    record("log", pl::log(wide));
    record("sqrt", pl::sqrt(wide));
    record("rsqrt", pl::rsqrt(wide));
    record("rsqrt_hp", pl::rsqrt(wide, true));
    record("recip", pl::recip(wide));
    // bf16 / fp16 arithmetic (computed in fp32, rounded once).
    auto cb = pl::cast(col, pl::BF16, ptoref::cast_mode::rint), rb = pl::cast(row, pl::BF16, ptoref::cast_mode::rint);
    record("add_bf16", pl::add(cb, rb));
    record("mul_bf16", pl::mul(cb, rb));
    record("exp_bf16", pl::exp(pl::cast(wide, pl::BF16, ptoref::cast_mode::rint)));
    auto ch = pl::cast(col, pl::FP16, ptoref::cast_mode::rint), rh = pl::cast(row, pl::FP16, ptoref::cast_mode::rint);
    record("div_fp16", pl::div(ch, rh));
    // int32: wrapping, truncating division (no zero divisors).
    ptoref::testing::splitmix64 r(3);
    std::vector<std::int32_t> ia(256), ib(256);
    for (std::size_t i = 0; i < ia.size(); ++i) {
        ia[i] = static_cast<std::int32_t>(static_cast<std::uint32_t>(r.next()));
        ib[i] = static_cast<std::int32_t>(static_cast<std::uint32_t>(r.next()) | 1u);
    }
    ia[0] = INT32_MIN;
    ib[0] = -1;
    auto ta = ptoref::tensor_from<std::int32_t>({256}, ia), tb = ptoref::tensor_from<std::int32_t>({256}, ib);
    record("add_int32", pl::add(ta, tb));
    record("mul_int32", pl::mul(ta, tb));
    record("div_int32", pl::div(ta, tb));
    record("abs_int32", pl::abs(ta));
}

void broadcasts_and_reductions()
{
    const std::vector<float> e = edge_floats(64, 4);
    const ix n = static_cast<ix>(e.size());
    auto x = tensor(moderate_floats(static_cast<std::size_t>(n * n), 5), {n, n});
    auto xe = pl::add(tensor(e, {n, 1}), tensor(moderate_floats(static_cast<std::size_t>(n), 6), {1, n}));
    auto rv = tensor(e, {n, 1}), cv = tensor(e, {1, n});
    record("row_expand_add", pl::row_expand_add(x, rv));
    record("row_expand_sub", pl::row_expand_sub(x, rv));
    record("row_expand_mul", pl::row_expand_mul(x, rv));
    record("row_expand_div", pl::row_expand_div(x, rv));
    record("col_expand_add", pl::col_expand_add(x, cv));
    record("col_expand_sub", pl::col_expand_sub(x, cv));
    record("col_expand_mul", pl::col_expand_mul(x, cv));
    record("col_expand_div", pl::col_expand_div(x, cv));
    record("row_max", pl::row_max(xe));
    record("row_min", pl::row_min(xe));
    record("row_sum", pl::row_sum(x)); // rounding-order sensitive: the canonical 16-lane order
    record("row_sum_edges", pl::row_sum(xe));
    record("row_sum_bf16", pl::row_sum(pl::cast(x, pl::BF16, ptoref::cast_mode::rint)));
    // Rows of every length 1..40: the lanes and the tree see partial widths.
    for (ix len : {1, 2, 15, 16, 17, 31, 33, 40})
        record("row_sum_len" + std::to_string(len),
               pl::row_sum(tensor(
                   moderate_floats(static_cast<std::size_t>(3 * len), 7 + static_cast<std::uint64_t>(len)), {3, len})));
}

void matmuls()
{
    auto a = tensor(moderate_floats(24 * 70, 10), {24, 70});
    auto b = tensor(moderate_floats(70 * 40, 11), {70, 40});
    record("matmul_fp32", pl::matmul(a, b));
    record("matmul_fp32_a_trans", pl::matmul(pl::transpose(a, 0, 1), b, pl::FP32, true, false));
    record("matmul_fp32_b_trans", pl::matmul(a, pl::transpose(b, 0, 1), pl::FP32, false, true));
    auto ab = pl::cast(a, pl::BF16, ptoref::cast_mode::rint), bb = pl::cast(b, pl::BF16, ptoref::cast_mode::rint);
    record("matmul_bf16_fp32", pl::matmul(ab, bb, pl::FP32));
    record("matmul_bf16_bf16", pl::matmul(ab, bb));
    auto acc = pl::matmul(pl::slice(ab, {24, 30}, {0, 0}), pl::slice(bb, {30, 40}, {0, 0}), pl::FP32);
    record("matmul_acc_bf16", pl::matmul_acc(acc, pl::slice(ab, {24, 40}, {0, 30}), pl::slice(bb, {40, 40}, {30, 0})));
    // Edge values through a matmul: NaN/inf propagation and signed zeros of the chain.
    const std::vector<float> e = edge_floats(0, 0);
    const ix n = static_cast<ix>(e.size());
    record("matmul_edges", pl::matmul(tensor(e, {1, n}), tensor(e, {n, 1})));
    record("matmul_edges_outer", pl::matmul(tensor(e, {n, 1}), tensor(e, {1, n})));
}

// Batched (broadcast batch dims), bias and gemv matmuls: each batch is one pl::matmul.
void matmuls2()
{
    auto a = tensor(moderate_floats(2 * 1 * 8 * 48, 40), {2, 1, 8, 48});
    auto b = tensor(moderate_floats(3 * 48 * 20, 41), {3, 48, 20});
    record("batch_matmul_fp32", pl::batch_matmul(a, b));
    auto ab = pl::cast(a, pl::BF16, ptoref::cast_mode::rint), bb = pl::cast(b, pl::BF16, ptoref::cast_mode::rint);
    record("batch_matmul_bf16_bf16_b_trans", pl::batch_matmul(ab, pl::transpose(bb, 1, 2), pl::BF16, false, true));
    auto acc = pl::batch_matmul(pl::slice(ab, {2, 1, 8, 20}, {0, 0, 0, 0}), pl::slice(bb, {3, 20, 20}, {0, 0, 0}));
    record("batch_matmul_acc_bf16", pl::batch_matmul_acc(acc, pl::slice(ab, {2, 1, 8, 28}, {0, 0, 0, 20}),
                                                         pl::slice(bb, {3, 28, 20}, {0, 20, 0})));
    auto a2 = pl::reshape(pl::slice(a, {1, 1, 8, 48}, {0, 0, 0, 0}), {8, 48});
    auto b2 = pl::reshape(pl::slice(b, {1, 48, 20}, {2, 0, 0}), {48, 20});
    auto bias = tensor(moderate_floats(20, 42), {1, 20});
    record("matmul_bias_fp32", pl::matmul_bias(a2, b2, bias));
    auto v = pl::reshape(pl::slice(a2, {1, 48}, {3, 0}), {1, 48});
    auto g = pl::gemv(v, b2);
    record("gemv_fp32", g);
    record("gemv_acc_fp32", pl::gemv_acc(g, v, b2));
    record("gemv_bias_bf16", pl::gemv_bias(pl::cast(v, pl::BF16, ptoref::cast_mode::rint),
                                           pl::cast(b2, pl::BF16, ptoref::cast_mode::rint), bias));
}

void casts()
{
    auto x = tensor(edge_floats(4096, 20), {4096});
    const ptoref::cast_mode modes[] = {ptoref::cast_mode::none,  ptoref::cast_mode::rint, ptoref::cast_mode::round,
                                       ptoref::cast_mode::floor, ptoref::cast_mode::ceil, ptoref::cast_mode::trunc,
                                       ptoref::cast_mode::odd};
    const char* names[] = {"none", "rint", "round", "floor", "ceil", "trunc", "odd"};
    auto xi = pl::cast(x, pl::INT32, ptoref::cast_mode::trunc);
    for (int m = 0; m < 7; ++m) {
        const std::string s = names[m];
        record("cast_fp32_bf16_" + s, pl::cast(x, pl::BF16, modes[m]));
        record("cast_fp32_fp16_" + s, pl::cast(x, pl::FP16, modes[m]));
        record("cast_fp32_int32_" + s, pl::cast(x, pl::INT32, modes[m]));
        record("cast_int32_fp32_" + s, pl::cast(xi, pl::FP32, modes[m]));
        record("cast_int32_bf16_" + s, pl::cast(xi, pl::BF16, modes[m]));
        record("cast_fp16_bf16_" + s, pl::cast(pl::cast(x, pl::FP16, ptoref::cast_mode::rint), pl::BF16, modes[m]));
        record("cast_bf16_fp16_" + s, pl::cast(pl::cast(x, pl::BF16, ptoref::cast_mode::rint), pl::FP16, modes[m]));
    }
    record("cast_bf16_fp32", pl::cast(pl::cast(x, pl::BF16, ptoref::cast_mode::rint), pl::FP32));
}

void data_movement()
{
    auto x = tensor(edge_floats(64, 30), {8, 8});
    record("full_fp32", pl::full({3, 5}, pl::FP32, 0.1));
    record("full_bf16", pl::full({3, 5}, pl::BF16, 0.1));
    auto part = pl::slice(x, {8, 8}, {0, 0}, {5, 3});
    record("fillpad_min", pl::fillpad(part, pl::PadValue::min));
    record("fillpad_max", pl::fillpad(part, pl::PadValue::max));
    record("fillpad_zero", pl::fillpad(part, pl::PadValue::zero));
    record("concat", pl::concat(x, pl::neg(x)));
    record("transpose_copy", pl::cast(pl::transpose(x, 0, 1), pl::FP32));
    record("reshape_copy", pl::reshape(pl::transpose(x, 0, 1), {4, 16}));
    auto target = pl::full({10, 10}, pl::FP32, -1.0);
    target = pl::assemble(target, part, {1, 2});
    record("assemble_valid_region", target);
}

// The new element types: the chains (FP32 -> FP16 -> INT8 wraps), FP8 both ways, INT64 -> INT32,
// integer arithmetic wrapping, the INT8 matmul, integer reductions and pad values.
void new_dtypes()
{
    auto x = tensor(edge_floats(4096, 40), {4096});
    const ptoref::cast_mode modes[] = {ptoref::cast_mode::none,  ptoref::cast_mode::rint, ptoref::cast_mode::round,
                                       ptoref::cast_mode::floor, ptoref::cast_mode::ceil, ptoref::cast_mode::trunc,
                                       ptoref::cast_mode::odd};
    const char* names[] = {"none", "rint", "round", "floor", "ceil", "trunc", "odd"};
    // Values in the INT8 and FP16 ranges too, where the wrap and the double rounding show.
    std::vector<float> small(4096);
    ptoref::testing::splitmix64 r(41);
    for (float& v : small)
        v = static_cast<float>(static_cast<std::int64_t>(r.next() % 140000) - 70000) / 64.0f;
    auto xs = tensor(small, {4096});
    std::vector<std::int64_t> i64(4096);
    for (auto& v : i64)
        v = static_cast<std::int64_t>(r.next() >> (r.next() % 64));
    auto xl = ptoref::tensor_from<std::int64_t>({4096}, i64);
    std::vector<std::uint8_t> all8(256);
    for (unsigned b = 0; b < 256; ++b)
        all8[b] = static_cast<std::uint8_t>(b);
    std::vector<pl::fp8e4m3fn> e4(256);
    std::vector<pl::fp8e5m2> e5(256);
    for (unsigned b = 0; b < 256; ++b) {
        e4[b] = pl::fp8e4m3fn::from_bits(static_cast<std::uint8_t>(b));
        e5[b] = pl::fp8e5m2::from_bits(static_cast<std::uint8_t>(b));
    }
    auto te4 = ptoref::tensor_from<pl::fp8e4m3fn>({16, 16}, e4);
    auto te5 = ptoref::tensor_from<pl::fp8e5m2>({16, 16}, e5);
    for (int m = 0; m < 7; ++m) {
        const std::string s = names[m];
        record("cast_fp32_int8_" + s, pl::cast(xs, pl::INT8, modes[m]));
        record("cast_fp32_uint8_" + s, pl::cast(xs, pl::UINT8, modes[m]));
        record("cast_fp32_int64_" + s, pl::cast(x, pl::INT64, modes[m]));
        record("cast_fp32_e4m3fn_" + s, pl::cast(x, pl::FP8E4M3FN, modes[m]));
        record("cast_fp32_e5m2_" + s, pl::cast(x, pl::FP8E5M2, modes[m]));
        record("cast_int64_int32_" + s, pl::cast(xl, pl::INT32, modes[m]));
        record("cast_int64_bf16_" + s, pl::cast(xl, pl::BF16, modes[m]));
        record("cast_e4m3fn_int8_" + s, pl::cast(te4, pl::INT8, modes[m]));
    }
    record("cast_e4m3fn_fp32", pl::cast(te4, pl::FP32));
    record("cast_e5m2_fp32", pl::cast(te5, pl::FP32));
    record("cast_e5m2_e4m3fn", pl::cast(te5, pl::FP8E4M3FN, ptoref::cast_mode::rint));
    auto i8 = ptoref::tensor_from<std::int8_t>({16, 16}, std::vector<std::int8_t>(all8.begin(), all8.end()));
    auto u8 = ptoref::tensor_from<std::uint8_t>({16, 16}, all8);
    record("cast_int8_uint8", pl::cast(i8, pl::UINT8));
    record("add_int8", pl::add(i8, pl::transpose(i8, 0, 1)));
    record("mul_uint8", pl::mul(u8, pl::transpose(u8, 0, 1)));
    record("div_int8", pl::div(i8, pl::full({16, 16}, pl::INT8, -3)));
    record("abs_int8", pl::abs(i8));
    record("row_sum_int64", pl::row_sum(pl::reshape(xl, {64, 64})));
    record("row_max_uint8", pl::row_max(u8));
    record("matmul_int8_int32", pl::matmul(i8, i8, pl::INT32));
    record("matmul_int8_int32_bt", pl::matmul(i8, i8, pl::INT32, false, true));
    record("matmul_e4m3fn_fp32", pl::matmul(te4, pl::transpose(te4, 0, 1), pl::FP32));
    auto part = pl::slice(i8, {16, 16}, {0, 0}, {5, 7});
    record("fillpad_min_int8", pl::fillpad(part, pl::PadValue::min));
    record("fillpad_max_e4m3fn", pl::fillpad(pl::slice(te4, {16, 16}, {0, 0}, {5, 7}), pl::PadValue::max));
}

// Compare/select, bitwise, remainders, activations, partial ops, sin/cos, the rest of the expand
// family, column reductions, row_prod and tensor-scalar on 16-bit floats.
void elementwise_extended()
{
    using ptoref::cast_mode;
    auto wide = tensor(edge_floats(4096, 40), {64, 64});
    auto other = tensor(edge_floats(4096, 41), {64, 64});
    record("cmp_lt", pl::cmp(wide, other, 2));
    record("cmp_ne_bf16",
           pl::cmp(pl::cast(wide, pl::BF16, cast_mode::rint), pl::cast(other, pl::BF16, cast_mode::rint), 1));
    record("cmps_ge", pl::cmps(wide, 0.5, 5));
    record("sel", pl::sel(pl::cmp(wide, other, 4), wide, other));
    record("sels", pl::sels(pl::cmp(wide, other, 0), wide, -2.0));
    record("fmod", pl::fmod(wide, other));
    record("rem", pl::rem(wide, other));
    record("fmods", pl::fmods(wide, 0.3));
    record("relu", pl::relu(wide));
    record("lrelu", pl::lrelu(wide, 0.01));
    record("prelu", pl::prelu(wide, other));
    record("sin", pl::sin(wide));
    record("cos", pl::cos(wide));
    record("sin_bf16", pl::sin(pl::cast(wide, pl::BF16, cast_mode::rint)));
    auto part = pl::slice(wide, {64, 64}, {0, 0}, {40, 23});
    record("part_add", pl::part_add(part, other));
    record("part_max", pl::part_max(other, part));
    ptoref::testing::splitmix64 r(42);
    std::vector<std::int32_t> ia, ib, is;
    for (int i = 0; i < 256; ++i) {
        ia.push_back(static_cast<std::int32_t>(static_cast<std::uint32_t>(r.next())));
        const auto b = static_cast<std::int32_t>(static_cast<std::uint32_t>(r.next()) >> (i % 3 * 11));
        ib.push_back(b == 0 ? -5 : b);
        is.push_back(static_cast<std::int32_t>(r.next() % 32));
    }
    auto ta = ptoref::tensor_from<std::int32_t>({256}, ia), tb = ptoref::tensor_from<std::int32_t>({256}, ib);
    auto ts = ptoref::tensor_from<std::int32_t>({256}, is);
    record("and_int32", pl::and_(ta, tb));
    record("xor_int32", pl::xor_(ta, tb));
    record("not_int32", pl::not_(ta));
    record("shl_int32", pl::shl(ta, ts));
    record("shr_int32", pl::shr(ta, ts));
    record("rem_int32", pl::rem(ta, tb));
    record("fmod_int32", pl::fmod(ta, tb));
    record("cmp_le_int32", pl::cmp(ta, tb, 3));
    const ix n = 29;
    auto x = tensor(moderate_floats(static_cast<std::size_t>(n * n), 43), {n, n});
    auto rv = tensor(moderate_floats(static_cast<std::size_t>(n), 44), {n, 1});
    auto cv = tensor(moderate_floats(static_cast<std::size_t>(n), 45), {1, n});
    record("row_expand", pl::row_expand(x, rv));
    record("col_expand", pl::col_expand(x, cv));
    record("row_expand_max", pl::row_expand_max(x, rv));
    record("col_expand_min", pl::col_expand_min(x, cv));
    record("row_expand_expdif", pl::row_expand_expdif(x, rv));
    record("col_expand_expdif", pl::col_expand_expdif(x, cv));
    record("expands_bf16", pl::expands(pl::cast(x, pl::BF16, cast_mode::rint), 0.1));
    record("col_sum", pl::col_sum(x)); // rounding-order sensitive: rows in order
    record("col_max", pl::col_max(wide));
    record("col_min", pl::col_min(wide));
    record("col_prod", pl::col_prod(x));
    record("col_sum_bf16", pl::col_sum(pl::cast(x, pl::BF16, cast_mode::rint)));
    record("row_prod", pl::row_prod(x)); // 8 lanes, then left to right
    record("row_prod_fp16", pl::row_prod(pl::cast(x, pl::FP16, cast_mode::rint)));
    auto xb = pl::cast(x, pl::BF16, cast_mode::rint);
    record("adds_bf16", pl::adds(xb, 0.1));
    record("muls_fp16", pl::muls(pl::cast(x, pl::FP16, cast_mode::rint), 1.0 / 3.0));
    record("divs_bf16", pl::divs(xb, 3.0));
}

// Index, sort, scatter, atomic and data-movement ops (docs/semantics.md section 9).
void index_ops()
{
    auto x = tensor(edge_floats(256, 40), {4, 64});
    ptoref::testing::splitmix64 r(41);
    std::vector<std::int32_t> iv(4 * 48);
    for (auto& i : iv)
        i = static_cast<std::int32_t>(r.next() % 64);
    auto idx = ptoref::tensor_from<std::int32_t>({4, 48}, iv);
    record("arange_desc", pl::arange(5, {1, 40}, pl::INT32, true));
    record("gather_index", pl::gather(x, -1, idx));
    record("gather_mask_p1010_int32", pl::gather(x, pl::MaskPattern::P1010, pl::INT32));
    record("gather_mask_p0100", pl::gather(x, pl::MaskPattern::P0100));
    record("scatter_index_dups", pl::scatter(x, -1, idx, pl::slice(pl::neg(x), {4, 48}, {0, 0})));
    record("scatter_mask_p0001", pl::scatter(pl::slice(x, {4, 16}, {0, 0}), pl::MaskPattern::P0001, x));
    record("scatter_update", pl::scatter_update(x, -2, ptoref::tensor_from<std::int32_t>({1, 3}, {2, 0, 2}),
                                                pl::slice(pl::neg(x), {3, 64}, {1, 0})));
    auto keys = tensor(edge_floats(512, 42), {1, 512});
    auto s = pl::sort32(keys, pl::arange(0, {1, 512}));
    record("sort32_fp32", s);
    record("mrgsort_fp32_chain", pl::mrgsort(pl::mrgsort(s, 64), 256));
    auto h = pl::cast(pl::slice(keys, {1, 64}, {0, 0}), pl::FP16, ptoref::cast_mode::rint);
    auto sh = pl::sort32(h, pl::arange(0, {1, 64}));
    record("sort32_fp16", sh);
    record("mrgsort_fp16_lists", pl::mrgsort(pl::slice(sh, {1, 128}, {0, 0}), pl::slice(sh, {1, 128}, {0, 128})));
    record("row_argmax", pl::row_argmax(x));
    record("col_argmin", pl::col_argmin(x));
    record("row_argmin_bf16", pl::row_argmin(pl::cast(x, pl::BF16, ptoref::cast_mode::rint)));
    auto acc = pl::full({4, 64}, pl::BF16, 0.0);
    auto mod = tensor(moderate_floats(256, 43), {4, 64});
    for (ix k = 0; k < 3; ++k)
        acc = pl::store(pl::mul(mod, static_cast<float>(k + 1)), {0, 0}, acc, pl::AtomicType::Add);
    record("atomic_store_bf16", acc);
    auto accf = pl::full({4, 64}, pl::FP32, 0.0);
    accf = pl::assemble(accf, x, {0, 0}, pl::AtomicType::Add);
    accf = pl::assemble(accf, pl::slice(mod, {2, 32}, {1, 1}), {1, 3}, pl::AtomicType::Add);
    record("atomic_assemble_fp32", accf);
    auto part = pl::slice(x, {4, 64}, {0, 0}, {3, 10});
    record("fillpad_expand_min", pl::fillpad_expand(part, {5, 70}, pl::PadValue::min));
    record("expand_clone", pl::expand_clone(pl::reshape(pl::slice(x, {1, 64}, {2, 0}), {1, 4, 16}),
                                            pl::full({3, 4, 16}, pl::FP32, 0.0)));
    record("reinterpret_fp32_bf16", pl::reinterpret_view(x, pl::BF16));
    record("gather_row_transpose", pl::gather_row(pl::full({64, 2}, pl::FP32, 0.0), x, {0, 1}, {3, 0}, {1, 64}, true));
    record("create_tensor_init_fp32", pl::create_tensor({2, 3}, pl::FP32, 0.1));
}

} // namespace

int main(int argc, char** argv)
{
    try {
        elementwise();
        broadcasts_and_reductions();
        matmuls();
        matmuls2();
        casts();
        data_movement();
        new_dtypes();
        elementwise_extended();
        index_ops();
    } catch (const ptoref::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
    if (argc == 3 && std::string(argv[1]) == "--check") {
        std::vector<ptoref::testing::digest_entry> want;
        try {
            for (auto& e : ptoref::testing::read_digests(argv[2]))
                if (e.name.rfind("op/", 0) == 0)
                    want.push_back(e);
        } catch (const ptoref::error& e) {
            std::fprintf(stderr, "error: %s\n", e.what());
            return 2;
        }
        // Cases computed here but absent from the file are errors too: the file must cover them.
        std::size_t unpinned = 0;
        for (const auto& [name, sha] : results) {
            bool found = false;
            for (const auto& e : want)
                found = found || e.name == name;
            if (!found) {
                std::printf("UNPINNED %s (%s)\n", name.c_str(), sha.c_str());
                ++unpinned;
            }
        }
        const auto bad = ptoref::testing::compare_digests(want, results);
        std::printf("%s", ptoref::testing::digest_report(bad, want.size()).c_str());
        return bad.empty() && unpinned == 0 ? 0 : 1;
    }
    if (argc != 1) {
        std::fprintf(stderr, "usage: %s [--check DIGESTS]\n", argv[0]);
        return 2;
    }
    for (const auto& [name, sha] : results)
        std::printf("%s\n", ptoref::testing::digest_line(sha, name).c_str());
    return 0;
}
