// pl::batch_matmul(lhs, rhs[, out_dtype, a_trans, b_trans]) and pl::batch_matmul_acc(acc, lhs, rhs[, a_trans,
// b_trans]); pl::tile::batch_matmul_acc is the same function.
//
// Operands of rank >= 2: the trailing two dims are the matrices (as in pl::matmul, a_trans /
// b_trans read them transposed), the leading dims are batch dims that broadcast NumPy-style
// (pypto tile.batch_matmul, tensor.matmul of rank > 2). Each batch is exactly one 2-D pl::matmul:
// the same kernel (detail::matmul_accumulate), the same k-ascending accumulator chain, one
// narrowing to out_dtype. The two-operand form is pypto's tile op: its result has the
// accumulator dtype (FP32, INT32 for integer operands). batch_matmul_acc continues each chain
// from acc, which is not broadcast (its batch dims equal the broadcast batch dims).
//
// detail::product_impl is the batched product with its three starts (zero, an accumulator of the
// output's shape, a [1, N] bias row), shared by pl::matmul_bias and the pl::gemv forms.
#pragma once

#include <algorithm>
#include <span>
#include <string>

#include "ptoref/ops/matmul.hpp"

namespace ptoref {
namespace detail {

enum class chain_start {
    zero, // +0 (INT32 0)
    acc,  // init[batch, i, j]: init has the output's batch dims and N, and at least M rows
    bias  // init[0, j]: a [1, N] row, every row of every batch starts there
};

template <class T>
struct product_start {
    chain_start kind = chain_start::zero;
    const Tensor<accumulator_t<T>>* init = nullptr;
};

inline std::string bool_text(bool b)
{
    return b ? "true" : "false";
}

// out_rows > m pads the output with poison rows below the product (gemv's physical [16, N]).
template <class Out, class T>
Tensor<Out> product_impl(product_start<T> start, const Tensor<T>& a, const Tensor<T>& b, bool a_trans, bool b_trans,
                         index out_rows, std::string_view op, const source_location& loc)
{
    static_assert(matmul_element<T>, "matmul takes FP32, BF16, FP16, INT32, INT8, FP8E4M3FN or FP8E5M2 operands");
    using acc_t = accumulator_t<T>;
    require_handle(static_cast<bool>(a), op, "lhs", loc);
    require_handle(static_cast<bool>(b), op, "rhs", loc);
    const int ra = a.rank(), rb = b.rank();
    if (ra < 2 || rb < 2)
        throw error(std::string(op),
                    "operands must have at least 2 dims, got lhs " + to_string(a.shape()) + " and rhs " +
                        to_string(b.shape()),
                    loc);
    const dims& as = a.shape();
    const dims& bs = b.shape();
    matmul_dims d{a_trans ? as[ra - 1] : as[ra - 2], b_trans ? bs[rb - 2] : bs[rb - 1],
                  a_trans ? as[ra - 2] : as[ra - 1]};
    const index kb = b_trans ? bs[rb - 1] : bs[rb - 2];
    if (d.k != kb)
        throw error(std::string(op),
                    "K mismatch: lhs is " + to_string(as) + " with a_trans=" + bool_text(a_trans) +
                        " (K=" + std::to_string(d.k) + "), rhs is " + to_string(bs) +
                        " with b_trans=" + bool_text(b_trans) + " (K=" + std::to_string(kb) + ")",
                    loc);
    const dims a_batch(std::span<const index>(as.begin(), static_cast<std::size_t>(ra - 2)));
    const dims b_batch(std::span<const index>(bs.begin(), static_cast<std::size_t>(rb - 2)));
    dims batch;
    try {
        batch = broadcast_shapes(a_batch, b_batch, op, loc);
    } catch (const error&) {
        throw error(std::string(op),
                    "the batch dims of lhs " + to_string(as) + " and rhs " + to_string(bs) + " do not broadcast", loc);
    }
    dims out_shape = batch;
    out_shape.push_back(out_rows > d.m ? out_rows : d.m, loc);
    out_shape.push_back(d.n, loc);
    check_new_shape<Out>(out_shape, op, loc);
    dims acc_shape = batch;
    acc_shape.push_back(d.m, loc);
    acc_shape.push_back(d.n, loc);
    check_new_shape<acc_t>(acc_shape, op, loc);
    // Fits: check_new_shape refuses a shape whose non-zero extents multiply past int64, even
    // when another extent (an empty batch) is 0.
    const index mn = d.m * d.n;
    // With no outputs per batch nothing is computed or read element-wise (a [2^40] batch of
    // [0, 0] products must not loop); otherwise the batch count is bounded by the output size.
    const index nb = mn > 0 ? batch.product() : 0;
    std::vector<acc_t> acc = guard_allocation<acc_t>(
        acc_shape, op, loc, [&] { return std::vector<acc_t>(static_cast<std::size_t>(nb * mn), acc_t{0}); });
    std::vector<std::uint8_t> def;
    std::string origin;
    bool track = false;
    dims valid = out_shape; // the output's valid region, narrowed by every input below
    valid = broadcast_valid(batch, a_batch, a.valid_shape(), dims(valid));
    if (start.kind != chain_start::zero) {
        const Tensor<acc_t>& init = *start.init;
        const bool is_bias = start.kind == chain_start::bias;
        require_handle(static_cast<bool>(init), op, is_bias ? "bias" : "acc", loc);
        const dims& is = init.shape();
        const int ri = init.rank();
        bool ok;
        if (is_bias) {
            ok = ri == 2 && is[0] == 1 && is[1] == d.n;
        } else {
            ok = ri == out_shape.size() && is[ri - 1] == d.n && is[ri - 2] == (out_rows > d.m ? out_rows : d.m);
            for (int i = 0; ok && i < batch.size(); ++i)
                ok = is[i] == batch[i];
        }
        if (!ok)
            throw error(std::string(op),
                        is_bias
                            ? "bias is " + to_string(is) + " but must be [1, " + std::to_string(d.n) +
                                  "] (one accumulator row for lhs " + to_string(as) + " @ rhs " + to_string(bs) + ")"
                            : "acc is " + to_string(is) + " but lhs " + to_string(as) + " @ rhs " + to_string(bs) +
                                  " is " + to_string(out_shape) + " (acc is not broadcast)",
                        loc);
        const dense<acc_t> di = read_dense(init, op, loc);
        const index init_rows = is_bias ? 1 : is[ri - 2];
        for (index t = 0; t < nb; ++t)
            for (index i = 0; i < d.m; ++i) {
                const index src = is_bias ? 0 : (t * init_rows + i) * d.n;
                std::copy(di.data + src, di.data + src + d.n, acc.begin() + (t * mn + i * d.n));
            }
        if (di.defined) {
            def.assign(static_cast<std::size_t>(nb * mn), 1);
            for (index t = 0; t < nb; ++t)
                for (index i = 0; i < d.m; ++i) {
                    const index src = is_bias ? 0 : (t * init_rows + i) * d.n;
                    std::copy(di.defined + src, di.defined + src + d.n, def.begin() + (t * mn + i * d.n));
                }
            track = true;
            origin = di.origin;
        }
        // The start's padding reads as poison, so it limits the valid region too.
        const dims& iv = init.valid_shape();
        if (is_bias) {
            valid[valid.size() - 1] = std::min(valid[valid.size() - 1], iv[0] == 0 ? index{0} : iv[1]);
        } else {
            for (int i = 0; i < valid.size(); ++i)
                valid[i] = std::min(valid[i], iv[i]);
        }
    }
    const dense<T> da = read_dense(a, op, loc);
    const dense<T> db = read_dense(b, op, loc);
    if ((da.defined || db.defined) && !track) {
        def.assign(static_cast<std::size_t>(nb * mn), 1);
        track = true;
    }
    if (origin.empty())
        origin = da.origin.empty() ? db.origin : da.origin;
    if (nb > 0) {
        // Batch t of the output reads batch (broadcast) sa . idx of lhs and sb . idx of rhs.
        const dims sa = broadcast_strides(a_batch, batch), sb = broadcast_strides(b_batch, batch);
        const index a_mat = d.m * d.k, b_mat = d.k * d.n;
        dims idx = dims::filled(batch.size(), 0);
        for (index t = 0; t < nb; ++t) {
            index oa = 0, ob = 0;
            for (int i = 0; i < batch.size(); ++i) {
                oa += idx[i] * sa[i];
                ob += idx[i] * sb[i];
            }
            dense<T> va, vb; // batch views into the dense operands (no copy)
            va.data = da.data + oa * a_mat;
            va.defined = da.defined ? da.defined + oa * a_mat : nullptr;
            vb.data = db.data + ob * b_mat;
            vb.defined = db.defined ? db.defined + ob * b_mat : nullptr;
            matmul_accumulate(va, vb, a_trans, b_trans, d, acc.data() + t * mn, track ? def.data() + t * mn : nullptr);
            advance_row_major(idx, batch);
        }
    }
    Tensor<Out> out = new_tensor<Out>(out_shape, op, loc);
    Out* o = out.storage().data();
    const index rows = out_shape[out_shape.size() - 2];
    std::vector<std::uint8_t> out_def;
    if (rows > d.m) { // padding rows: poison, undefined
        out_def.assign(static_cast<std::size_t>(out.numel()), 0);
        std::fill(o, o + out.numel(), poison_value<Out>());
    }
    for (index t = 0; t < nb; ++t)
        for (index i = 0; i < mn; ++i) {
            const index dst = t * rows * d.n + i;
            o[dst] = narrow_accumulator<Out>(acc[static_cast<std::size_t>(t * mn + i)]);
            if (!out_def.empty())
                out_def[static_cast<std::size_t>(dst)] = track ? def[static_cast<std::size_t>(t * mn + i)] : 1;
        }
    const std::uint8_t* mask = !out_def.empty() ? out_def.data() : (track ? def.data() : nullptr);
    if (!out_def.empty() && origin.empty())
        origin = "the padding rows of the physical [" + std::to_string(rows) + ", " + std::to_string(d.n) + "] " +
                 std::string(op) + " result at " + to_string(loc);
    finish_output(out, mask, op, loc, origin);
    const int r = out_shape.size();
    valid[r - 2] = std::min(valid[r - 2], a_trans ? a.valid_shape()[ra - 1] : a.valid_shape()[ra - 2]);
    valid[r - 1] = std::min(valid[r - 1], b_trans ? b.valid_shape()[rb - 2] : b.valid_shape()[rb - 1]);
    {
        dims vb = broadcast_valid(batch, b_batch, b.valid_shape(), batch);
        for (int i = 0; i < batch.size(); ++i)
            valid[i] = std::min(valid[i], vb[i]);
    }
    return Tensor<Out>(out.storage_ptr(), out.shape(), out.strides(), 0, valid);
}

} // namespace detail

namespace pl {

// The tile op: the result has the accumulator dtype (FP32, INT32 for INT8/INT32 operands).
template <element_type T>
Tensor<detail::accumulator_t<T>> batch_matmul(const Tensor<T>& lhs, const Tensor<T>& rhs,
                                              source_location loc = source_location::current())
{
    return detail::product_impl<detail::accumulator_t<T>, T>({}, lhs, rhs, false, false, 0, "pl::batch_matmul", loc);
}

// pl.matmul of rank > 2 tensors (pypto lowers it to this): out_dtype and the transposes as in
// pl::matmul.
template <element_type Out, element_type T>
Tensor<Out> batch_matmul(const Tensor<T>& lhs, const Tensor<T>& rhs, dtype_tag<Out> /*out_dtype*/, bool a_trans = false,
                         bool b_trans = false, source_location loc = source_location::current())
{
    return detail::product_impl<Out, T>({}, lhs, rhs, a_trans, b_trans, 0, "pl::batch_matmul", loc);
}

template <element_type T>
Tensor<detail::accumulator_t<T>> batch_matmul_acc(const Tensor<detail::accumulator_t<T>>& acc, const Tensor<T>& lhs,
                                                  const Tensor<T>& rhs, bool a_trans = false, bool b_trans = false,
                                                  source_location loc = source_location::current())
{
    return detail::product_impl<detail::accumulator_t<T>, T>({detail::chain_start::acc, &acc}, lhs, rhs, a_trans,
                                                             b_trans, 0, "pl::batch_matmul_acc", loc);
}

namespace tile {
using pl::batch_matmul;
using pl::batch_matmul_acc;
} // namespace tile

} // namespace pl
} // namespace ptoref
