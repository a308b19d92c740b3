// The hook through which every op reports the exact elements it reads and writes.
//
// The tensor and op layers know nothing about checking; they describe each access as a strided
// box of one buffer (a view_geometry) and hand it to the observer installed for the current
// thread, if any. The check layer (race detector, definedness, stale versions) implements the
// observer. With no observer installed the cost is one thread-local load per access.
#pragma once

#include <cstdint>
#include <string_view>

#include "ptoref/core/shape.hpp"
#include "ptoref/core/source_location.hpp"

namespace ptoref {

enum class access_kind : unsigned char { read, write };

// The element set { offset + sum_d i_d * strides[d] : 0 <= i_d < shape[d] } of one buffer.
struct view_geometry {
    dims shape;
    dims strides;
    index offset = 0;
    index count() const noexcept { return shape.product(); }
};

namespace detail {

class buffer_base;

// One access of one op to one buffer.
struct access_event {
    buffer_base* buffer = nullptr;
    view_geometry geometry;
    access_kind kind = access_kind::read;
    std::uint64_t handle_version = 0; // buffer version the accessing handle was made at
    std::string_view op;
    source_location where;
};

class access_observer {
public:
    virtual ~access_observer() = default;
    virtual void on_create(buffer_base& buf, std::string_view op, const source_location& loc) = 0;
    virtual void on_access(const access_event& e) = 0;
};

inline access_observer*& current_observer() noexcept
{
    thread_local access_observer* observer = nullptr;
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
