// Storage shared by a tensor and all its views: the elements, a stable identity and name for
// reports, a definedness shadow (one byte per element, allocated only while something is
// undefined) and a version counter bumped by every in-place write (for stale-handle checks).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "ptoref/core/error.hpp"
#include "ptoref/core/run_map.hpp"
#include "ptoref/core/shape.hpp"
#include "ptoref/tensor/storage_pool.hpp"

namespace ptoref::detail {

// 64-byte aligned storage so SIMD kernels can use aligned loads on whole buffers.
template <class T>
struct aligned_allocator {
    using value_type = T;
    static constexpr std::size_t alignment = storage_pool::alignment;
    aligned_allocator() noexcept = default;
    template <class U>
    aligned_allocator(const aligned_allocator<U>&) noexcept
    {
    }
    T* allocate(std::size_t n)
    {
        if (n > static_cast<std::size_t>(-1) / sizeof(T) - alignment)
            throw std::bad_alloc();
        // A nothrow allocation, so that a refusal reaches the library as std::bad_alloc (and
        // becomes a ptoref::error) even under ASan, whose throwing operator new aborts instead.
        void* p = storage_pool::allocate(n * sizeof(T));
        if (p == nullptr)
            throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t n) noexcept { storage_pool::release(p, n * sizeof(T)); }
    template <class U>
    bool operator==(const aligned_allocator<U>&) const noexcept
    {
        return true;
    }
};

inline std::uint64_t next_buffer_id() noexcept
{
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
}

class buffer_base {
public:
    buffer_base(index size, std::string_view dtype_name, std::string_view origin_op, source_location origin)
        : id_(next_buffer_id()), size_(size), dtype_name_(dtype_name), origin_op_(origin_op),
          origin_(origin), root_shape_{size}
    {
    }
    buffer_base(const buffer_base&) = delete;
    buffer_base& operator=(const buffer_base&) = delete;
    virtual ~buffer_base()
    {
        if (auto hook = destroy_hook().load(std::memory_order_acquire))
            hook(id_);
    }

    // Called with the id of every buffer destroyed (the race detector drops its shadow of it).
    static std::atomic<void (*)(std::uint64_t)>& destroy_hook() noexcept
    {
        static std::atomic<void (*)(std::uint64_t)> hook{nullptr};
        return hook;
    }

    std::uint64_t id() const noexcept { return id_; }
    index size() const noexcept { return size_; }
    std::string_view dtype_name() const noexcept { return dtype_name_; }
    std::string_view origin_op() const noexcept { return origin_op_; }
    const source_location& origin() const noexcept { return origin_; }

    // Name for reports; unnamed buffers are described by the op that made them.
    const std::string& name() const noexcept { return name_; }
    void set_name(std::string n) { name_ = std::move(n); }
    std::string display_name() const
    {
        // Appended piece by piece: g++ 12 misdiagnoses `"literal" + std::string&&` (its insert at
        // 0) with -Warray-bounds / -Wstringop-overflow once inlined.
        std::string s;
        if (!name_.empty()) {
            s.append(1, '\'').append(name_).append(1, '\'');
            return s;
        }
        s.append(1, '<').append(origin_op_).append(" result from ").append(to_string(origin_)).append(1, '>');
        return s;
    }

    // ---- definedness ---------------------------------------------------------------------
    bool all_defined() const noexcept { return undefined_.load(std::memory_order_acquire) == 0; }
    index undefined_count() const noexcept { return undefined_.load(std::memory_order_acquire); }
    // nullptr means "every element defined".
    const std::uint8_t* shadow() const noexcept
    {
        return all_defined() ? nullptr : shadow_.load(std::memory_order_acquire);
    }
    bool is_defined(index flat) const noexcept
    {
        const std::uint8_t* s = shadow();
        return s == nullptr || s[flat] != 0;
    }
    void mark_all_undefined()
    {
        std::uint8_t* s = ensure_shadow(0); // a new shadow is allocated as zeros, not filled twice
        std::fill(s, s + size_, std::uint8_t{0});
        undefined_.store(size_, std::memory_order_release);
    }
    // Sets element `flat` to defined/undefined, keeping the count exact. Concurrent calls on
    // disjoint elements are safe (threaded schedules of race-free programs).
    void set_defined(index flat, bool d)
    {
        if (d && all_defined())
            return;
        std::uint8_t* s = ensure_shadow();
        const std::uint8_t old = s[flat];
        if (old == static_cast<std::uint8_t>(d))
            return;
        s[flat] = static_cast<std::uint8_t>(d);
        undefined_.fetch_add(d ? -1 : 1, std::memory_order_acq_rel);
    }

    // Sets elements [lo, hi) defined, with one update of the count.
    void set_defined_run(index lo, index hi)
    {
        if (all_defined() || lo >= hi)
            return;
        std::uint8_t* s = ensure_shadow();
        index newly = 0;
        for (index i = lo; i < hi; ++i)
            newly += s[i] == 0 ? 1 : 0;
        if (newly == 0)
            return;
        std::memset(s + lo, 1, static_cast<std::size_t>(hi - lo));
        undefined_.fetch_add(-newly, std::memory_order_acq_rel);
    }

    // Sets elements [lo, hi) undefined, with one update of the count.
    void set_undefined_run(index lo, index hi)
    {
        if (lo >= hi)
            return;
        std::uint8_t* s = ensure_shadow();
        index newly = 0;
        for (index i = lo; i < hi; ++i)
            newly += s[i] != 0 ? 1 : 0;
        if (newly == 0)
            return;
        std::memset(s + lo, 0, static_cast<std::size_t>(hi - lo));
        undefined_.fetch_add(newly, std::memory_order_acq_rel);
    }

    // Sets the definedness of elements [lo, lo + n) to mask[0, n) (non-zero = defined), with one
    // update of the count: set_defined(lo + i, mask[i] != 0) for each i.
    void set_defined_from(index lo, const std::uint8_t* mask, index n)
    {
        if (n <= 0)
            return;
        std::uint8_t* s = ensure_shadow();
        index delta = 0; // change of the undefined count
        for (index i = 0; i < n; ++i) {
            const std::uint8_t now = mask[i] != 0 ? 1 : 0;
            delta += static_cast<index>(s[lo + i]) - static_cast<index>(now);
            s[lo + i] = now;
        }
        if (delta != 0)
            undefined_.fetch_add(delta, std::memory_order_acq_rel);
    }

    // The shape the buffer was created with: reports give regions in these coordinates.
    const dims& root_shape() const noexcept { return root_shape_; }
    void set_root_shape(const dims& s) { root_shape_ = s; }

    // Where undefined data in this buffer came from (for definedness reports).
    std::string poison_origin() const
    {
        std::lock_guard<std::mutex> lock(shadow_mutex_);
        return poison_origin_;
    }
    void set_poison_origin(const std::string& origin)
    {
        std::lock_guard<std::mutex> lock(shadow_mutex_);
        if (poison_origin_.empty())
            poison_origin_ = origin;
    }

    // ---- versions (an in-place write makes older handles stale) ---------------------------
    std::uint64_t version() const noexcept { return version_.load(std::memory_order_acquire); }
    std::uint64_t bump_version() noexcept { return version_.fetch_add(1, std::memory_order_acq_rel) + 1; }

    // Per element: the version and the op site (an index into the checks' site table) of the
    // last in-place write, as runs (version 0: never written in place). Allocated on the first
    // in-place write; null before. Its mutex serialises threaded writers of disjoint windows.
    struct write_entry {
        std::uint32_t version = 0;
        std::uint32_t site = 0;
        friend bool operator==(const write_entry&, const write_entry&) = default;
    };
    struct write_log {
        mutable std::mutex mutex;
        run_map<write_entry> runs;
    };
    write_log* writes() const noexcept { return writes_.load(std::memory_order_acquire); }
    write_log& ensure_writes()
    {
        if (write_log* w = writes())
            return *w;
        std::lock_guard<std::mutex> lock(shadow_mutex_);
        if (!writes_storage_) {
            writes_storage_ = std::make_unique<write_log>();
            writes_.store(writes_storage_.get(), std::memory_order_release);
        }
        return *writes_storage_;
    }

private:
    // A new shadow starts as `fill` everywhere: 1 (defined) unless the caller overwrites it all.
    std::uint8_t* ensure_shadow(std::uint8_t fill = 1)
    {
        std::uint8_t* s = shadow_.load(std::memory_order_acquire);
        if (s)
            return s;
        std::lock_guard<std::mutex> lock(shadow_mutex_);
        s = shadow_.load(std::memory_order_relaxed);
        if (!s) {
            shadow_storage_.assign(static_cast<std::size_t>(size_), fill);
            s = shadow_storage_.data();
            shadow_.store(s, std::memory_order_release);
        }
        return s;
    }

    std::uint64_t id_;
    index size_;
    std::string_view dtype_name_;
    std::string_view origin_op_;
    source_location origin_;
    std::string name_;
    std::atomic<index> undefined_{0};
    std::atomic<std::uint8_t*> shadow_{nullptr};
    std::vector<std::uint8_t> shadow_storage_;
    mutable std::mutex shadow_mutex_;
    std::atomic<std::uint64_t> version_{0};
    dims root_shape_;
    std::string poison_origin_;
    std::atomic<write_log*> writes_{nullptr};
    std::unique_ptr<write_log> writes_storage_;
};

// Tag of a buffer whose every element the creator overwrites at once (a file's payload read
// into it): its memory is not zeroed first.
struct for_overwrite_t {};
inline constexpr for_overwrite_t for_overwrite{};

template <class T>
class buffer final : public buffer_base {
    static_assert(std::is_trivially_copyable_v<T>, "buffer elements are stored and copied as bytes");

public:
    // Elements start as zero bits (the value-initialised T of every element type).
    buffer(index size, std::string_view dtype_name, std::string_view origin_op, source_location origin)
        : buffer(size, dtype_name, origin_op, origin, for_overwrite)
    {
        if (size > 0)
            std::memset(static_cast<void*>(data_.get()), 0, static_cast<std::size_t>(size) * sizeof(T));
    }
    buffer(index size, std::string_view dtype_name, std::string_view origin_op, source_location origin, for_overwrite_t)
        : buffer_base(size, dtype_name, origin_op, origin),
          data_(size > 0 ? aligned_allocator<T>().allocate(static_cast<std::size_t>(size)) : nullptr,
                release{static_cast<std::size_t>(size)})
    {
    }
    T* data() noexcept { return data_.get(); }
    const T* data() const noexcept { return data_.get(); }

private:
    struct release {
        std::size_t n = 0; // elements
        void operator()(T* p) const noexcept { aligned_allocator<T>().deallocate(p, n); }
    };
    std::unique_ptr<T, release> data_;
};

} // namespace ptoref::detail
