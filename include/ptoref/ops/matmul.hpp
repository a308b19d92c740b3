// pl::matmul(a, b, out_dtype, a_trans, b_trans) and pl::matmul_acc(acc, a, b, a_trans, b_trans).
//
// 2-D only: a is [M, K] ([K, M] with a_trans), b is [K, N] ([N, K] with b_trans). a and b
// share one dtype. The canonical numerics (DESIGN.md): an accumulator of fp32 (int32 for
// INT32 and INT8 inputs, wrapping) starting at +0, k ascending, acc = fma(a[i,k], b[k,j], acc) — the naive loop.
// For bf16/fp16 inputs the products are exact in fp32, so this is also multiply-then-add, and
// equals torch + OpenBLAS on bf16 data. The result is narrowed once to out_dtype, ties to even.
// matmul_acc continues the accumulation chain from acc's value (as the device's L0C does), so
// splitting K into matmul + matmul_acc gives the same bits as one matmul.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>

#include "ptoref/ops/operand.hpp"
#include "ptoref/ops/scalar.hpp"
#include "ptoref/simd/gemm_bf16.hpp"
#include "ptoref/simd/pack_bf16.hpp"
#include "ptoref/simd/matmul_f32.hpp"

namespace ptoref {
namespace detail {

// The accumulator, as pypto's type rule has it (FP32 when both inputs are float, else INT32).
template <class T>
using accumulator_t = std::conditional_t<integer_element<T>, std::int32_t, float>;

// The input dtypes a matmul takes: A2A3's cube (FP32, BF16, FP16 -> FP32; INT8 -> INT32), INT32
// (ptoref's own, wrapping) and the A5 FP8 inputs (-> FP32). UINT8, INT64 and UINT32 have no cube
// form anywhere (pypto's rule would accumulate INT64 in INT32): a compile error.
template <class T>
concept matmul_element = element_type<T> && !std::is_same_v<T, std::uint8_t> && !std::is_same_v<T, std::int64_t> &&
                         !std::is_same_v<T, std::uint32_t>;

struct matmul_dims {
    index m, n, k;
};

template <class T>
matmul_dims matmul_shapes(const Tensor<T>& a, const Tensor<T>& b, bool a_trans, bool b_trans, std::string_view op,
                          const source_location& loc)
{
    require_handle(static_cast<bool>(a), op, "a", loc);
    require_handle(static_cast<bool>(b), op, "b", loc);
    if (a.rank() != 2 || b.rank() != 2)
        throw error(std::string(op),
                    "operands must be 2-D, got a " + to_string(a.shape()) + " and b " + to_string(b.shape()), loc);
    const index m = a_trans ? a.shape()[1] : a.shape()[0];
    const index ka = a_trans ? a.shape()[0] : a.shape()[1];
    const index kb = b_trans ? b.shape()[1] : b.shape()[0];
    const index n = b_trans ? b.shape()[0] : b.shape()[1];
    if (ka != kb)
        throw error(std::string(op),
                    "K mismatch: a is " + to_string(a.shape()) + " with a_trans=" + (a_trans ? "true" : "false") +
                        " (K=" + std::to_string(ka) + "), b is " + to_string(b.shape()) +
                        " with b_trans=" + (b_trans ? "true" : "false") + " (K=" + std::to_string(kb) + ")",
                    loc);
    return {m, n, ka};
}

template <class T>
accumulator_t<T> mac(T x, T y, accumulator_t<T> acc) noexcept
{
    if constexpr (integer_element<T>) // INT8 products are exact in INT32
        return scalar::add(acc, scalar::mul(static_cast<std::int32_t>(x), static_cast<std::int32_t>(y)));
    else
        return std::fma(scalar::widen(x), scalar::widen(y), acc);
}

// For each of `lines` lines of x (line l is the elements start l * line_step + t * step,
// t < len): 1 if every element of it is defined. Scans contiguous memory either way: a line with
// unit step by memchr, otherwise all lines at once, one row of the dense array at a time.
template <class T>
std::vector<std::uint8_t> lines_defined(const dense<T>& x, index lines, index line_step, index step, index len)
{
    std::vector<std::uint8_t> ok(static_cast<std::size_t>(lines), 1);
    if (!x.defined)
        return ok;
    if (step == 1) {
        for (index l = 0; l < lines; ++l)
            ok[static_cast<std::size_t>(l)] =
                std::memchr(x.defined + l * line_step, 0, static_cast<std::size_t>(len)) == nullptr ? 1 : 0;
        return ok;
    }
    // line_step == 1: element t of every line is the contiguous row x.defined[t * step + l].
    for (index t = 0; t < len; ++t) {
        const std::uint8_t* row = x.defined + t * step;
        for (index l = 0; l < lines; ++l)
            ok[static_cast<std::size_t>(l)] &= row[l] != 0 ? 1 : 0;
    }
    return ok;
}

// bf16 operands on VDPBF16PS (simd/gemm_bf16.hpp), whose chains are the canonical fma chain
// when every chain starts at +0 and every input is in bf16_in_dot_range. b out of range: no row
// is taken; a row of a out of range (a poisoned row, a tiny value) is left to the fp32 kernel.
// Returns, per row of a, 1 if acc's row was computed here (empty: none was).
inline std::vector<std::uint8_t> matmul_bf16_dot(const dense<bf16>& a, const dense<bf16>& b, bool a_trans, bool b_trans,
                                                 matmul_dims d, float* acc)
{
    std::vector<std::uint8_t> done;
    const simd::path path = simd::active_path();
    if (path != simd::path::avx512bf16 || !simd::bf16_line_in_dot_range(b.data, d.k * d.n, path))
        return done;
    const index a_si = a_trans ? 1 : d.k, a_sk = a_trans ? d.m : 1;
    const index kp = (d.k + 1) / 2; // an odd K ends in a zero pair (harmless: gemm_bf16.hpp)
    // Pairs of `lines` lines (line l starts at l * line_step, elements `step` apart) into
    // out[l * l_stride + p * p_stride]. Contiguous lines pack on the vector path
    // (simd/pack_bf16.hpp, the same words); a transposed destination takes each packed line
    // through a scratch row.
    auto pack = [&](const bf16* x, index lines, index line_step, index step, std::uint32_t* out, index l_stride,
                    index p_stride) {
        if (step == 1 && p_stride == 1) {
            for (index l = 0; l < lines; ++l)
                simd::pack_bf16_line(x + l * line_step, d.k, out + l * l_stride, path);
            return;
        }
        std::vector<std::uint32_t> row(static_cast<std::size_t>(kp));
        for (index l = 0; l < lines; ++l) {
            const bf16* line = x + l * line_step;
            if (step == 1) {
                simd::pack_bf16_line(line, d.k, row.data(), path);
            } else {
                for (index p = 0; p < kp; ++p)
                    row[static_cast<std::size_t>(p)] = simd::bf16_swapped_pair(
                        line[2 * p * step], 2 * p + 1 < d.k ? line[(2 * p + 1) * step] : bf16{});
            }
            for (index p = 0; p < kp; ++p)
                out[l * l_stride + p * p_stride] = row[static_cast<std::size_t>(p)];
        }
    };
    done.assign(static_cast<std::size_t>(d.m), 0);
    index rows_ok = 0;
    for (index i = 0; i < d.m; ++i) {
        const bf16* line = a.data + i * a_si;
        bool ok = true;
        if (a_sk == 1) {
            ok = simd::bf16_line_in_dot_range(line, d.k, path);
        } else {
            for (index k = 0; k < d.k; ++k)
                ok = simd::bf16_in_dot_range(line[k * a_sk].bits) && ok;
        }
        done[static_cast<std::size_t>(i)] = ok ? 1 : 0;
        rows_ok += ok ? 1 : 0;
    }
    if (rows_ok == 0)
        return {};
    if (b_trans && rows_ok == d.m && d.m >= 16) {
        // b is [N, K] with contiguous lines: c^T = b a^T packs b's lines as words and a's short
        // side as pairs. Each c[i][j] is the same chain (the same exact products in the same
        // order; a product does not depend on the order of its factors).
        std::vector<std::uint32_t> bt(static_cast<std::size_t>(d.n * kp)), at(static_cast<std::size_t>(kp * d.m));
        std::vector<float> ct(static_cast<std::size_t>(d.n * d.m), 0.0f);
        pack(b.data, d.n, d.k, 1, bt.data(), kp, 1);
        pack(a.data, d.m, a_si, a_sk, at.data(), 1, d.m);
        simd::gemm_bf16_accumulate({bt.data(), kp, at.data(), d.m, ct.data(), d.m, d.n, d.m, kp, false});
        for (index i = 0; i < d.m; ++i)
            for (index j = 0; j < d.n; ++j)
                acc[i * d.n + j] = ct[static_cast<std::size_t>(j * d.m + i)]; // acc was +0, ct's start
        return done;
    }
    std::vector<std::uint32_t> bp(static_cast<std::size_t>(kp * d.n)), ap(static_cast<std::size_t>(d.m * kp));
    if (!b_trans) { // b is [K, N]: pair p of every column from rows 2p and 2p + 1
        for (index p = 0; p < kp; ++p) {
            const bf16* r0 = b.data + 2 * p * d.n;
            simd::pack_bf16_rows(r0, 2 * p + 1 < d.k ? r0 + d.n : nullptr, d.n, bp.data() + p * d.n, path);
        }
    } else { // b is [N, K]: column j of b is a contiguous line
        pack(b.data, d.n, d.k, 1, bp.data(), 1, d.n);
    }
    for (index i = 0; i < d.m; ++i)
        if (done[static_cast<std::size_t>(i)])
            pack(a.data + i * a_si, 1, 0, a_sk, ap.data() + i * kp, 0, 1);
    for (index i0 = 0; i0 < d.m;) { // each run of taken rows in one call
        if (!done[static_cast<std::size_t>(i0)]) {
            ++i0;
            continue;
        }
        index i1 = i0 + 1;
        while (i1 < d.m && done[static_cast<std::size_t>(i1)])
            ++i1;
        simd::gemm_bf16_accumulate(
            {ap.data() + i0 * kp, kp, bp.data(), d.n, acc + i0 * d.n, d.n, i1 - i0, d.n, kp, false});
        i0 = i1;
    }
    return done;
}

// acc[i*n + j] continues from its current value (every one +0 if chains_from_zero); def (may be
// null) gets the definedness.
template <class T>
void matmul_accumulate(const dense<T>& a, const dense<T>& b, bool a_trans, bool b_trans, matmul_dims d,
                       accumulator_t<T>* acc, std::uint8_t* def, bool chains_from_zero = false)
{
    // K = 0: no products, every chain stays at its start and nothing can be undefined; the
    // operands have no elements (their data pointers may be null), so no kernel runs.
    if (d.k == 0)
        return;
    const index a_si = a_trans ? 1 : d.k, a_sk = a_trans ? d.m : 1;
    const index b_sk = b_trans ? 1 : d.n, b_sj = b_trans ? d.k : 1;
    if constexpr (integer_element<T>) {
        // The chain's sums and products are modulo 2^32 (mac), which do not depend on their
        // order: the loops below are ordered so that the inner one runs over contiguous lines and
        // vectorises, and give the bits of the k-ascending chain by construction.
        if (a_sk == 1 && b_sk == 1) { // a's rows and b's columns are contiguous lines: dots
            // mac's rule written in 32-bit unsigned steps: a reduction through mac's 64-bit
            // intermediates does not vectorise (measured 5x slower), an element-wise one does.
            auto u = [](T x) { return static_cast<std::uint32_t>(static_cast<std::int32_t>(x)); };
            for (index i = 0; i < d.m; ++i) {
                const T* ar = a.data + i * a_si;
                for (index j = 0; j < d.n; ++j) {
                    const T* bc = b.data + j * b_sj;
                    auto s = static_cast<std::uint32_t>(acc[i * d.n + j]);
                    for (index k = 0; k < d.k; ++k)
                        s += u(ar[k]) * u(bc[k]);
                    acc[i * d.n + j] = static_cast<std::int32_t>(s);
                }
            }
        } else if (b_sj == 1) { // b's rows are contiguous: a row of c sums scaled rows of b
            for (index i = 0; i < d.m; ++i) {
                accumulator_t<T>* row = acc + i * d.n;
                for (index k = 0; k < d.k; ++k) {
                    const T x = a.data[i * a_si + k * a_sk];
                    const T* br = b.data + k * b_sk;
                    for (index j = 0; j < d.n; ++j)
                        row[j] = mac(x, br[j], row[j]);
                }
            }
        } else {
            for (index i = 0; i < d.m; ++i)
                for (index j = 0; j < d.n; ++j) {
                    accumulator_t<T> s = acc[i * d.n + j];
                    for (index k = 0; k < d.k; ++k)
                        s = mac(a.data[i * a_si + k * a_sk], b.data[k * b_sk + j * b_sj], s);
                    acc[i * d.n + j] = s;
                }
        }
    } else {
        // Rows of a that VDPBF16PS computes with the same bits (bf16 operands, chains from +0).
        std::vector<std::uint8_t> row_done;
        if constexpr (std::is_same_v<T, bf16>)
            if (chains_from_zero)
                row_done = matmul_bf16_dot(a, b, a_trans, b_trans, d, acc);
        // fp32 operands for the kernel: widening is exact; b is packed as dense [K, N].
        std::vector<float> a_wide, b_packed;
        const float* af = nullptr;
        const float* bf = nullptr;
        auto operands = [&] {
            if constexpr (std::is_same_v<T, float>) {
                af = a.data;
            } else {
                a_wide.resize(static_cast<std::size_t>(d.m * d.k));
                for (std::size_t i = 0; i < a_wide.size(); ++i)
                    a_wide[i] = scalar::widen(a.data[i]);
                af = a_wide.data();
            }
            if constexpr (std::is_same_v<T, float>)
                bf = b_trans ? nullptr : b.data;
            if (!bf) {
                b_packed.resize(static_cast<std::size_t>(d.k * d.n));
                if (!b_trans) { // rows of b are rows of the packed [K, N]
                    for (index k = 0; k < d.k; ++k)
                        for (index j = 0; j < d.n; ++j)
                            b_packed[static_cast<std::size_t>(k * d.n + j)] = scalar::widen(b.data[k * d.n + j]);
                } else { // b is [N, K]: transposed in 16 x 16 blocks, so both sides stay in cache lines
                    constexpr index blk = 16;
                    for (index j0 = 0; j0 < d.n; j0 += blk)
                        for (index k0 = 0; k0 < d.k; k0 += blk) {
                            const index j1 = std::min(d.n, j0 + blk), k1 = std::min(d.k, k0 + blk);
                            for (index j = j0; j < j1; ++j)
                                for (index k = k0; k < k1; ++k)
                                    b_packed[static_cast<std::size_t>(k * d.n + j)] =
                                        scalar::widen(b.data[j * d.k + k]);
                        }
                }
                bf = b_packed.data();
            }
        };
        // The fp32 FMA kernel on each run of rows the bf16 kernel did not take.
        for (index i0 = 0; i0 < d.m;) {
            if (!row_done.empty() && row_done[static_cast<std::size_t>(i0)]) {
                ++i0;
                continue;
            }
            index i1 = i0 + 1;
            while (i1 < d.m && (row_done.empty() || !row_done[static_cast<std::size_t>(i1)]))
                ++i1;
            if (!af)
                operands();
            simd::matmul_f32_accumulate({af + i0 * a_si, a_si, a_sk, bf, i1 - i0, d.n, d.k, acc + i0 * d.n});
            i0 = i1;
        }
    }
    if (def) { // output (i, j) is defined iff row i of a and column j of b are
        const std::vector<std::uint8_t> row_ok = lines_defined(a, d.m, a_si, a_sk, d.k);
        const std::vector<std::uint8_t> col_ok = lines_defined(b, d.n, b_sj, b_sk, d.k);
        for (index i = 0; i < d.m; ++i) {
            std::uint8_t* out = def + i * d.n;
            if (!row_ok[static_cast<std::size_t>(i)]) {
                std::memset(out, 0, static_cast<std::size_t>(d.n));
                continue;
            }
            for (index j = 0; j < d.n; ++j)
                out[j] &= col_ok[static_cast<std::size_t>(j)];
        }
    }
}

template <class Out, class A>
Out narrow_accumulator(A acc) noexcept
{
    if constexpr (std::is_same_v<A, float> && std::is_same_v<Out, float>)
        return scalar::canon(acc);
    else
        return convert<Out>(acc, cast_mode::rint);
}

template <class Out, class T>
Tensor<Out> matmul_impl(const Tensor<accumulator_t<T>>* init, const Tensor<T>& a, const Tensor<T>& b, bool a_trans,
                        bool b_trans, std::string_view op, const source_location& loc)
{
    static_assert(matmul_element<T>, "matmul takes FP32, BF16, FP16, INT32, INT8, FP8E4M3FN or FP8E5M2 operands");
    const matmul_dims d = matmul_shapes(a, b, a_trans, b_trans, op, loc);
    using acc_t = accumulator_t<T>;
    // m * n must be a possible tensor before anything of that size is allocated: [2^32, 0] @
    // [0, 2^32] has no elements on either side but 2^64 outputs.
    const dims out_shape{d.m, d.n};
    check_new_shape<Out>(out_shape, op, loc);
    check_new_shape<acc_t>(out_shape, op, loc);
    std::vector<acc_t> acc = guard_allocation<acc_t>(
        out_shape, op, loc, [&] { return std::vector<acc_t>(static_cast<std::size_t>(d.m * d.n), acc_t{0}); });
    std::vector<std::uint8_t> def;
    std::string origin;
    bool track = false;
    if (init) {
        require_handle(static_cast<bool>(*init), op, "acc", loc);
        if (init->rank() != 2 || init->shape()[0] != d.m || init->shape()[1] != d.n)
            throw error(std::string(op),
                        "acc has shape " + to_string(init->shape()) + " but a @ b is [" + std::to_string(d.m) + ", " +
                            std::to_string(d.n) + "]",
                        loc);
        const dense<acc_t> dc = read_dense(*init, op, loc);
        std::copy(dc.data, dc.data + d.m * d.n, acc.begin());
        if (dc.defined) {
            def.assign(dc.defined, dc.defined + d.m * d.n);
            track = true;
            origin = dc.origin;
        }
    }
    const dense<T> da = read_dense(a, op, loc);
    const dense<T> db = read_dense(b, op, loc);
    if ((da.defined || db.defined) && !track) {
        def.assign(static_cast<std::size_t>(d.m * d.n), 1);
        track = true;
    }
    if (origin.empty())
        origin = da.origin.empty() ? db.origin : da.origin;
    // No outputs, nothing to compute: the kernel and the definedness pass would still walk (and
    // allocate per) 2^40 rows of a [2^40, 0] @ [0, 0].
    if (d.m > 0 && d.n > 0)
        matmul_accumulate(da, db, a_trans, b_trans, d, acc.data(), track ? def.data() : nullptr, init == nullptr);
    Tensor<Out> out = new_tensor<Out>(out_shape, op, loc);
    Out* o = out.storage().data();
    for (std::size_t i = 0; i < acc.size(); ++i)
        o[i] = narrow_accumulator<Out>(acc[i]);
    finish_output(out, track ? def.data() : nullptr, op, loc, origin);
    index vm = a_trans ? a.valid_shape()[1] : a.valid_shape()[0];
    index vn = b_trans ? b.valid_shape()[0] : b.valid_shape()[1];
    if (init) { // acc + a @ b: acc's padding reads as poison, so it limits the valid region too
        vm = std::min(vm, init->valid_shape()[0]);
        vn = std::min(vn, init->valid_shape()[1]);
    }
    return Tensor<Out>(out.storage_ptr(), out.shape(), out.strides(), 0, dims{vm, vn});
}

} // namespace detail

namespace pl {

// Without out_dtype the result has the operands' dtype (the DSL's promotion of equal types).
template <element_type T>
Tensor<T> matmul(const Tensor<T>& a, const Tensor<T>& b, source_location loc = source_location::current())
{
    static_assert(!std::is_same_v<T, std::int8_t>,
                  "an INT8 matmul accumulates in INT32 and the device cannot narrow that to INT8: pass "
                  "out_dtype=pl::INT32, as pypto-lib does");
    return detail::matmul_impl<T, T>(nullptr, a, b, false, false, "pl::matmul", loc);
}
template <element_type Out, element_type T>
Tensor<Out> matmul(const Tensor<T>& a, const Tensor<T>& b, dtype_tag<Out> /*out_dtype*/, bool a_trans = false,
                   bool b_trans = false, source_location loc = source_location::current())
{
    return detail::matmul_impl<Out, T>(nullptr, a, b, a_trans, b_trans, "pl::matmul", loc);
}

template <element_type T>
Tensor<detail::accumulator_t<T>> matmul_acc(const Tensor<detail::accumulator_t<T>>& acc, const Tensor<T>& a,
                                            const Tensor<T>& b, bool a_trans = false, bool b_trans = false,
                                            source_location loc = source_location::current())
{
    return detail::matmul_impl<detail::accumulator_t<T>, T>(&acc, a, b, a_trans, b_trans, "pl::matmul_acc", loc);
}

} // namespace pl
} // namespace ptoref
