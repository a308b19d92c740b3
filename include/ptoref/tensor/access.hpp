// The hook through which every op reports the exact elements it reads and writes.
//
// The tensor and op layers know nothing about checking; they describe each access as a strided
// box of one buffer (a view_geometry) and hand it to the observer installed for the current
// thread, if any. The check layer (race detector, definedness, stale versions) implements the
// observer. With no observer installed the cost is one thread-local load per access.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "ptoref/core/shape.hpp"
#include "ptoref/core/source_location.hpp"

namespace ptoref {

// atomic_add: an in-place read-modify-write that commutes with other atomic adds (the device's
// atomic-add store). Two iterations atomically adding to one element do not race; an atomic add
// and a plain read or write of the element do.
enum class access_kind : unsigned char { read, write, atomic_add };

// The element set { offset + sum_d i_d * strides[d] : 0 <= i_d < shape[d] } of one buffer.
struct view_geometry {
    dims shape;
    dims strides;
    index offset = 0;
    index count() const noexcept { return shape.product(); }
};

namespace detail {
class buffer_base;
}

// One access of one op to one buffer.
struct access_event {
    detail::buffer_base* buffer = nullptr;
    view_geometry geometry;
    access_kind kind = access_kind::read;
    std::uint64_t handle_version = 0; // buffer version the accessing handle was made at
    std::uint64_t write_version = 0;  // for in-place writes: the buffer version this write creates
    std::string_view op;
    source_location where;
};

namespace detail {

class access_observer {
public:
    virtual ~access_observer() = default;
    virtual void on_create(buffer_base& buf, std::string_view op, const source_location& loc) = 0;
    virtual void on_access(const access_event& e) = 0;
    // A scalar read (pl::read) produced an undefined value; `origin` says where it came from.
    virtual void on_undefined_read(const access_event& e, const std::string& origin) = 0;
};

// The observer new threads start with (the check layer registers itself here).
inline std::atomic<access_observer*>& default_observer() noexcept
{
    static std::atomic<access_observer*> observer{nullptr};
    return observer;
}

inline access_observer*& current_observer() noexcept
{
    thread_local access_observer* observer = default_observer().load(std::memory_order_acquire);
    return observer;
}

// Installs an observer for the current thread for the lifetime of the guard.
class observer_scope {
public:
    explicit observer_scope(access_observer* o) noexcept : saved_(current_observer()) { current_observer() = o; }
    ~observer_scope() { current_observer() = saved_; }
    observer_scope(const observer_scope&) = delete;
    observer_scope& operator=(const observer_scope&) = delete;

private:
    access_observer* saved_;
};

} // namespace detail
} // namespace ptoref
