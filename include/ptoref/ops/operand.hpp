// How ops read their inputs and produce their outputs (internal to the op layer).
//
// An op reads a view's valid region; elements outside it read as the poison value and are
// undefined, exactly like a device tile whose padding was never filled. Inputs are presented
// to the op's loop as dense row-major arrays (the view itself when it is dense and fully valid,
// otherwise a copy), so every op is one simple loop over contiguous memory. Outputs are fresh
// contiguous buffers. Every read and write is reported to the access observer.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "ptoref/tensor/tensor.hpp"

namespace ptoref::detail {

template <element_type T>
T poison_value() noexcept
{
    return dtype_traits<T>::from_bits(dtype_traits<T>::poison_bits);
}

template <element_type T>
struct dense {
    const T* data = nullptr;
    const std::uint8_t* defined = nullptr; // nullptr: every element defined
    dims shape;
    std::vector<T> own;
    std::vector<std::uint8_t> own_defined;
    std::string origin; // where undefined elements came from ("" if all defined)

    index size() const noexcept { return shape.product(); }
    bool is_defined(index i) const noexcept { return defined == nullptr || defined[i] != 0; }
};

inline void require_handle(bool ok, std::string_view op, std::string_view what, const source_location& loc)
{
    if (!ok)
        throw error(std::string(op), std::string(what) + " is an empty tensor handle", loc);
}

// Records the read of t's valid region and returns its elements densely.
template <element_type T>
dense<T> read_dense(const Tensor<T>& t, std::string_view op, const source_location& loc)
{
    require_handle(static_cast<bool>(t), op, "an input", loc);
    notify_access(t, t.valid_geometry(), access_kind::read, op, loc);
    dense<T> d;
    d.shape = t.shape();
    const buffer<T>& buf = t.storage();
    // An empty view may sit at any offset (even past its buffer's end): no pointer into it.
    if (t.numel() == 0) {
        d.data = buf.data();
        return d;
    }
    if (t.is_contiguous() && t.fully_valid()) {
        d.data = buf.data() + t.offset();
        if (const std::uint8_t* s = buf.shadow()) {
            d.defined = s + t.offset();
            d.origin = buf.poison_origin();
        }
        return d;
    }
    // The copy is a new array of the view's shape, so it is checked like a new tensor: a
    // hand-made view with zero strides can have far more elements than its buffer.
    const index n = check_new_shape<T>(t.shape(), op, loc);
    const std::uint8_t* shadow = buf.shadow();
    const bool partial = !t.fully_valid();
    guard_allocation<T>(t.shape(), op, loc, [&] {
        d.own.resize(static_cast<std::size_t>(n));
        if (shadow || partial)
            d.own_defined.assign(static_cast<std::size_t>(n), std::uint8_t{1});
    });
    const int r = t.rank();
    dims idx = dims::filled(r, 0);
    index i = 0;
    t.for_each_flat([&](index f) {
        bool in_valid = true;
        for (int k = 0; k < r && partial; ++k)
            in_valid = in_valid && idx[k] < t.valid_shape()[k];
        if (in_valid) {
            d.own[static_cast<std::size_t>(i)] = buf.data()[f];
            if (shadow)
                d.own_defined[static_cast<std::size_t>(i)] = shadow[f];
        } else {
            d.own[static_cast<std::size_t>(i)] = poison_value<T>();
            d.own_defined[static_cast<std::size_t>(i)] = 0;
        }
        ++i;
        advance_row_major(idx, t.shape()); // in step with f
    });
    d.data = d.own.data();
    if (!d.own_defined.empty())
        d.defined = d.own_defined.data();
    if (shadow)
        d.origin = buf.poison_origin();
    if (partial && d.origin.empty())
        d.origin = "padding outside valid_shape " + to_string(t.valid_shape()) + " of " + t.describe() + " read by " +
                   std::string(op) + " at " + to_string(loc);
    return d;
}

// Marks a fresh output's undefined elements (mask may be null: all defined) and records the
// op's write of it.
template <element_type T>
void finish_output(const Tensor<T>& out, const std::uint8_t* defined_mask, std::string_view op,
                   const source_location& loc, const std::string& origin = {})
{
    if (defined_mask) {
        buffer<T>& b = out.storage();
        bool any = false;
        const index n = out.numel();
        // Masks are mostly all ones: jump from one undefined element to the next, and mark each
        // run of undefined elements at once.
        for (index i = 0; i < n;) {
            const void* z = std::memchr(defined_mask + i, 0, static_cast<std::size_t>(n - i));
            if (!z)
                break;
            const index lo = static_cast<const std::uint8_t*>(z) - defined_mask;
            index hi = lo + 1;
            while (hi < n && defined_mask[hi] == 0)
                ++hi;
            b.set_undefined_run(out.offset() + lo, out.offset() + hi);
            any = true;
            i = hi;
        }
        if (any)
            b.set_poison_origin(origin.empty() ? std::string(op) + " at " + to_string(loc) : origin);
    }
    notify_access(out, out.geometry(), access_kind::write, op, loc);
}

// NumPy-style broadcast of two shapes (right-aligned; an extent of 1 stretches).
inline dims broadcast_shapes(const dims& a, const dims& b, std::string_view op, const source_location& loc)
{
    const int r = a.size() > b.size() ? a.size() : b.size();
    dims out = dims::filled(r, 1);
    for (int i = 0; i < r; ++i) {
        const int ia = a.size() - r + i;
        const int ib = b.size() - r + i;
        const index ea = ia >= 0 ? a[ia] : 1;
        const index eb = ib >= 0 ? b[ib] : 1;
        if (ea != eb && ea != 1 && eb != 1)
            throw error(std::string(op),
                        "shapes " + to_string(a) + " and " + to_string(b) + " do not broadcast (dim " +
                            std::to_string(i) + ": " + std::to_string(ea) + " vs " + std::to_string(eb) + ")",
                        loc);
        out[i] = ea == 1 ? eb : ea;
    }
    return out;
}

// Strides (in elements of a dense array of shape `in`) that read `in` broadcast to `out`.
inline dims broadcast_strides(const dims& in, const dims& out)
{
    const dims dense_strides = row_major_strides(in);
    dims s = dims::filled(out.size(), 0);
    for (int i = 0; i < out.size(); ++i) {
        const int k = in.size() - out.size() + i;
        if (k >= 0 && in[k] != 1)
            s[i] = dense_strides[k];
    }
    return s;
}

// The valid region of an elementwise result: the intersection of what each input makes valid
// (a broadcast input of extent 1 covers the whole output extent, unless its one element is
// padding: then it covers nothing).
inline dims broadcast_valid(const dims& out, const dims& in_shape, const dims& in_valid, dims acc)
{
    for (int i = 0; i < out.size(); ++i) {
        const int k = in_shape.size() - out.size() + i;
        index v = out[i];
        if (k >= 0 && in_shape[k] == 1 && out[i] != 1)
            v = in_valid[k] == 0 ? 0 : out[i];
        else if (k >= 0)
            v = in_valid[k];
        if (v < acc[i])
            acc[i] = v;
    }
    return acc;
}

// Calls f(out_i, a_i, b_i) for every output element in row-major order, where a_i/b_i index
// dense arrays read with the given (broadcast) strides.
template <class F>
void for_each_broadcast(const dims& out, const dims& sa, const dims& sb, F&& f)
{
    const index n = out.product();
    if (n == 0)
        return;
    const int r = out.size();
    dims idx = dims::filled(r, 0);
    index ia = 0, ib = 0, o = 0;
    const index last = out[r - 1];
    const index la = sa[r - 1], lb = sb[r - 1];
    while (true) {
        for (index j = 0; j < last; ++j)
            f(o++, ia + j * la, ib + j * lb);
        int d = r - 2;
        for (; d >= 0; --d) {
            ia += sa[d];
            ib += sb[d];
            if (++idx[d] < out[d])
                break;
            ia -= sa[d] * out[d];
            ib -= sb[d] * out[d];
            idx[d] = 0;
        }
        if (d < 0)
            return;
    }
}

// for_each_broadcast by rows: f(out offset, a offset, b offset, row length, a step, b step).
template <class F>
void for_each_broadcast_row(const dims& out, const dims& sa, const dims& sb, F&& f)
{
    if (out.product() == 0)
        return;
    const int r = out.size();
    dims rows = out, ra = sa, rb = sb;
    rows[r - 1] = 1;
    ra[r - 1] = 0;
    rb[r - 1] = 0;
    const index len = out[r - 1];
    index o = 0;
    for_each_broadcast(rows, ra, rb, [&](index, index ia, index ib) {
        f(o, ia, ib, len, sa[r - 1], sb[r - 1]);
        o += len;
    });
}

} // namespace ptoref::detail
