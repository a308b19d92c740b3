// pl::Tensor<T>: a view (shape, strides, offset, valid_shape) over a shared buffer.
//
// Copying a Tensor copies the handle, not the data: slices, reshapes and transposes are views
// of the same buffer, and assemble/write mutate that buffer in place, as the DSL's
// orchestration level does. The element type is a template parameter so dtype misuse is a
// compile error; the rank is dynamic (1..8).
#pragma once

#include <atomic>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ptoref/core/checked.hpp"
#include "ptoref/core/dtype.hpp"
#include "ptoref/core/memory_limit.hpp"
#include "ptoref/core/shape.hpp"
#include "ptoref/tensor/access.hpp"
#include "ptoref/tensor/buffer.hpp"

namespace ptoref {

template <element_type T>
class Tensor {
public:
    using value_type = T;

    Tensor() = default;
    Tensor(std::shared_ptr<detail::buffer<T>> buf, dims shape, dims strides, index offset, dims valid,
           source_location loc = source_location::current())
        : buf_(std::move(buf)), shape_(shape), strides_(strides), valid_(valid), offset_(offset),
          version_(buf_ ? buf_->version() : 0)
    {
        check_geometry(loc);
    }
    Tensor(std::shared_ptr<detail::buffer<T>> buf, dims shape, dims strides, index offset, dims valid,
           std::uint64_t version, source_location loc = source_location::current())
        : buf_(std::move(buf)), shape_(shape), strides_(strides), valid_(valid), offset_(offset), version_(version)
    {
        check_geometry(loc);
    }

    Tensor(const Tensor& o)
        : buf_(o.buf_), shape_(o.shape_), strides_(o.strides_), valid_(o.valid_), offset_(o.offset_),
          version_(o.handle_version())
    {
    }
    Tensor(Tensor&& o) noexcept
        : buf_(std::move(o.buf_)), shape_(o.shape_), strides_(o.strides_), valid_(o.valid_), offset_(o.offset_),
          version_(o.handle_version())
    {
    }
    // Assigning a handle of the same view (the idiom `t = pl::assemble(t, x, off)`) writes no
    // field but the version, atomically, and never moves it backwards: parallel iterations on
    // threads can all rebind `t` without a data race, and a handle a thread just produced is
    // never made to look older by another thread's assignment. Any other assignment is a plain
    // copy. (To keep an older version, keep it in another variable.)
    Tensor& operator=(const Tensor& o)
    {
        if (this == &o)
            return *this;
        if (!same_view(o)) {
            buf_ = o.buf_;
            shape_ = o.shape_;
            strides_ = o.strides_;
            valid_ = o.valid_;
            offset_ = o.offset_;
            version_.store(o.handle_version(), std::memory_order_relaxed);
            return *this;
        }
        std::uint64_t cur = version_.load(std::memory_order_relaxed);
        const std::uint64_t want = o.handle_version();
        while (cur < want && !version_.compare_exchange_weak(cur, want, std::memory_order_relaxed))
            ;
        return *this;
    }
    Tensor& operator=(Tensor&& o) noexcept { return *this = static_cast<const Tensor&>(o); }
    ~Tensor() = default;

    explicit operator bool() const noexcept { return buf_ != nullptr; }

    int rank() const noexcept { return shape_.size(); }
    const dims& shape() const noexcept { return shape_; }
    const dims& strides() const noexcept { return strides_; }
    index offset() const noexcept { return offset_; }
    const dims& valid_shape() const noexcept { return valid_; }
    index numel() const { return shape_.product(); }
    bool fully_valid() const noexcept { return valid_ == shape_; }

    // Dense row-major over the whole buffer region it covers (extent-1 dims ignored).
    bool is_contiguous() const noexcept
    {
        index expect = 1;
        for (int d = rank() - 1; d >= 0; --d) {
            if (shape_[d] != 1 && strides_[d] != expect)
                return false;
            expect *= shape_[d];
        }
        return true;
    }

    // The buffer's name, shared by every view of it ("" if unnamed).
    const std::string& name() const
    {
        static const std::string empty;
        return buf_ ? buf_->name() : empty;
    }
    Tensor& name(std::string n) &
    {
        storage().set_name(std::move(n));
        return *this;
    }
    Tensor name(std::string n) &&
    {
        storage().set_name(std::move(n));
        return std::move(*this);
    }

    // "'k_cache' BF16[128, 64]" — used in error messages.
    std::string describe() const
    {
        if (!buf_)
            return "<empty tensor>";
        std::string s = buf_->display_name() + " " + std::string(dtype_traits<T>::name) + to_string(shape_);
        if (!fully_valid())
            s += " valid " + to_string(valid_);
        return s;
    }

    detail::buffer<T>& storage() const
    {
        if (!buf_)
            throw error("ptoref::Tensor", "use of an empty tensor handle (default-constructed Tensor)");
        return *buf_;
    }
    const std::shared_ptr<detail::buffer<T>>& storage_ptr() const noexcept { return buf_; }

    // The buffer version this handle was made at; a later in-place write makes it stale.
    std::uint64_t handle_version() const noexcept { return version_.load(std::memory_order_relaxed); }

    view_geometry geometry() const { return {shape_, strides_, offset_}; }
    // What a read of this view touches: only its valid region.
    view_geometry valid_geometry() const { return {valid_, strides_, offset_}; }

    index flat_index(const dims& idx) const noexcept
    {
        index f = offset_;
        for (int d = 0; d < rank(); ++d)
            f += idx[d] * strides_[d];
        return f;
    }

    // ---- host-side inspection: not an access of the program, never checked ----------------
    std::vector<T> to_vector() const
    {
        std::vector<T> out;
        out.reserve(static_cast<std::size_t>(numel()));
        for_each_flat([&](index f) { out.push_back(storage().data()[f]); });
        return out;
    }
    // Definedness of each element, row-major (1 = defined).
    std::vector<std::uint8_t> defined_mask() const
    {
        std::vector<std::uint8_t> out;
        out.reserve(static_cast<std::size_t>(numel()));
        for_each_flat([&](index f) { out.push_back(storage().is_defined(f) ? 1 : 0); });
        return out;
    }
    T get(const dims& idx, source_location loc = source_location::current()) const
    {
        const index f = checked_flat(idx, "ptoref::Tensor::get", loc); // first: it reports an empty handle
        return storage().data()[f];
    }
    bool is_defined(const dims& idx, source_location loc = source_location::current()) const
    {
        const index f = checked_flat(idx, "ptoref::Tensor::is_defined", loc);
        return storage().is_defined(f);
    }

    // Calls f(flat buffer index) for every element of the physical shape, row-major.
    template <class F>
    void for_each_flat(F&& f) const
    {
        for_each_offset(shape_, strides_, offset_, f);
    }

private:
    bool same_view(const Tensor& o) const noexcept
    {
        return buf_ == o.buf_ && offset_ == o.offset_ && shape_ == o.shape_ && strides_ == o.strides_ &&
               valid_ == o.valid_;
    }

    index checked_flat(const dims& idx, std::string_view op, const source_location& loc) const
    {
        if (!buf_)
            throw error(std::string(op), "use of an empty tensor handle (default-constructed Tensor)", loc);
        detail::check_rank(idx, op, "the index", loc);
        bool ok = idx.size() == rank();
        for (int d = 0; ok && d < rank(); ++d)
            ok = idx[d] >= 0 && idx[d] < shape_[d];
        if (!ok)
            throw error(std::string(op), "index " + to_string(idx) + " is outside " + describe(), loc);
        return flat_index(idx);
    }

    // The last line of defence: every view that exists addresses only elements of its buffer.
    // Ops check their arguments first (with messages in the caller's terms); reaching the throw
    // means an op (or a hand-made view) missed a check. The lowest and highest addresses are
    // offset plus the negative resp. positive (extent - 1) * stride terms; for_each_offset's
    // running sums stay within |offset| + sum extent * |stride|, which must fit as well.
    void check_geometry(const source_location& loc) const
    {
        if (!buf_)
            return;
        const int r = shape_.size();
        bool ok = !shape_.excess_rank() && strides_.size() == r && valid_.size() == r;
        const auto count = checked_product(shape_);
        ok = ok && count.has_value();
        for (int d = 0; ok && d < r; ++d)
            ok = valid_[d] >= 0 && valid_[d] <= shape_[d];
        if (ok && *count > 0) {
            std::optional<index> lo = offset_, hi = offset_, reach = offset_ < 0 ? checked_mul(offset_, -1) : offset_;
            for (int d = 0; d < r; ++d) {
                const auto step = checked_mul(shape_[d] - 1, strides_[d]);
                auto& side = strides_[d] < 0 ? lo : hi;
                side = side && step ? checked_add(*side, *step) : std::nullopt;
                const auto mag = strides_[d] < 0 ? checked_mul(strides_[d], -1) : strides_[d];
                const auto span = mag ? checked_mul(shape_[d], *mag) : std::nullopt;
                reach = reach && span ? checked_add(*reach, *span) : std::nullopt;
            }
            ok = lo && hi && reach && *lo >= 0 && *hi < buf_->size();
        }
        if (!ok)
            throw error("ptoref::Tensor",
                        "impossible view (shape " + to_string(shape_) + ", strides " + to_string(strides_) +
                            ", offset " + std::to_string(offset_) + ", valid " + to_string(valid_) +
                            ") of a buffer of " + std::to_string(buf_->size()) + " elements",
                        loc);
    }

    std::shared_ptr<detail::buffer<T>> buf_;
    dims shape_;
    dims strides_;
    dims valid_;
    index offset_ = 0;
    std::atomic<std::uint64_t> version_{0};
};

namespace detail {

inline void notify_create(buffer_base& b, std::string_view op, const source_location& loc)
{
    if (access_observer* o = current_observer())
        o->on_create(b, op, loc);
}

template <element_type T>
void notify_access(const Tensor<T>& t, const view_geometry& g, access_kind kind, std::string_view op,
                   const source_location& loc, std::uint64_t write_version = 0)
{
    if (access_observer* o = current_observer())
        o->on_access(access_event{&t.storage(), g, kind, t.handle_version(), write_version, op, loc});
}

// A shape a tensor can have: rank 1..8, no negative extent, an element count that fits in int64.
inline void check_shape(const dims& shape, std::string_view op, const source_location& loc)
{
    check_rank(shape, op, "the shape", loc);
    if (shape.size() < 1)
        throw error(std::string(op), "rank-0 shapes are not supported (shape " + to_string(shape) + ")", loc);
    for (index e : shape)
        if (e < 0)
            throw error(std::string(op), "negative extent in shape " + to_string(shape), loc);
    if (!checked_product(shape))
        throw error(std::string(op), "shape " + to_string(shape) + " has more elements than int64 can count", loc);
}

// "cannot allocate 4 TiB for FP32[1048576, 1048576]: ..." — the error of every failed allocation.
template <element_type T>
[[noreturn]] void allocation_error(const dims& shape, std::string_view op, const source_location& loc,
                                   const std::string& why)
{
    const auto bytes = checked_mul(checked_product(shape).value_or(0), static_cast<index>(sizeof(T)));
    throw error(std::string(op),
                "cannot allocate " + (bytes ? format_bytes(static_cast<std::uint64_t>(*bytes)) : "more than 8 EiB") +
                    " for " + std::string(dtype_traits<T>::name) + to_string(shape) + ": " + why,
                loc);
}

// Checks that a new tensor of `shape` may be allocated (shape, byte count, size cap) and
// returns its element count. Also for callers that allocate scratch of an output's size.
template <element_type T>
index check_new_shape(const dims& shape, std::string_view op, const source_location& loc)
{
    check_shape(shape, op, loc);
    const index n = *checked_product(shape);
    const auto bytes = checked_mul(n, static_cast<index>(sizeof(T)));
    const std::uint64_t cap = max_bytes(loc);
    if (!bytes || static_cast<std::uint64_t>(*bytes) > cap)
        allocation_error<T>(shape, op, loc,
                            "more than the size cap of " + format_bytes(cap) +
                                " (ptoref::set_max_bytes or PTOREF_MAX_BYTES)");
    return n;
}

// Runs an allocation, turning the allocator's refusal into an error naming op, dtype and shape.
template <element_type T, class F>
auto guard_allocation(const dims& shape, std::string_view op, const source_location& loc, F&& f)
{
    try {
        return f();
    } catch (const std::bad_alloc&) {
        allocation_error<T>(shape, op, loc, "out of memory");
    } catch (const std::length_error&) {
        allocation_error<T>(shape, op, loc, "too large for the allocator");
    }
}

// A fresh, contiguous, fully valid tensor; contents are whatever the caller writes next (zero
// bits until then, or, with for_overwrite, unset: the caller writes every element at once).
template <element_type T, class... Init>
Tensor<T> new_tensor(const dims& shape, std::string_view op, const source_location& loc, Init... init)
{
    const index n = check_new_shape<T>(shape, op, loc);
    auto buf = guard_allocation<T>(
        shape, op, loc, [&] { return std::make_shared<buffer<T>>(n, dtype_traits<T>::name, op, loc, init...); });
    buf->set_root_shape(shape);
    notify_create(*buf, op, loc);
    return Tensor<T>(std::move(buf), shape, row_major_strides(shape), 0, shape);
}

} // namespace detail

// Builds a tensor from row-major values (for tests, fixtures and file loaders).
template <element_type T>
Tensor<T> tensor_from(const dims& shape, std::span<const T> values, source_location loc = source_location::current())
{
    detail::check_shape(shape, "ptoref::tensor_from", loc);
    if (static_cast<index>(values.size()) != shape.product())
        throw error("ptoref::tensor_from",
                    std::to_string(values.size()) + " values do not fill shape " + to_string(shape), loc);
    Tensor<T> t = detail::new_tensor<T>(shape, "tensor_from", loc);
    if (!values.empty())
        std::memcpy(static_cast<void*>(t.storage().data()), values.data(), values.size() * sizeof(T));
    // Filling the new buffer is a write, reported like every op's result write.
    detail::notify_access(t, t.geometry(), access_kind::write, "tensor_from", loc);
    return t;
}
template <element_type T>
Tensor<T> tensor_from(const dims& shape, const std::vector<T>& values, source_location loc = source_location::current())
{
    return tensor_from<T>(shape, std::span<const T>(values), loc);
}

namespace pl {
using ptoref::index;
using ptoref::Tensor;
} // namespace pl

} // namespace ptoref
