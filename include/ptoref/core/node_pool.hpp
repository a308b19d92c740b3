// An allocator for the nodes of node-based containers that churn (the checks' run maps): freed
// nodes go to a per-thread free list of their size and are handed out again, instead of going
// back to malloc between every tensor buffer. Under AddressSanitizer it is plain new/delete,
// so freed nodes stay poisoned.
#pragma once

#include <cstddef>
#include <new>

// PTOREF_NODE_POOL=0/1 on the command line overrides the choice (1 under ASan tests the pool).
#ifndef PTOREF_NODE_POOL
#if defined(__SANITIZE_ADDRESS__)
#define PTOREF_NODE_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PTOREF_NODE_POOL 0
#endif
#endif
#endif
#ifndef PTOREF_NODE_POOL
#define PTOREF_NODE_POOL 1
#endif

namespace ptoref::detail {

template <std::size_t Size>
struct node_pool {
    // At most this many free nodes are kept per thread and size.
    static constexpr std::size_t max_free = std::size_t{1} << 16;
    struct free_list {
        void* head = nullptr;
        std::size_t count = 0;
        free_list() = default;
        free_list(const free_list&) = delete;
        free_list& operator=(const free_list&) = delete;
        ~free_list()
        {
            alive() = false; // nodes freed later (static destructors) go straight to delete
            while (head) {
                void* next = *static_cast<void**>(head);
                ::operator delete(head);
                head = next;
            }
        }
    };
    static bool& alive() noexcept
    {
        thread_local bool a = true; // trivially destructible: readable after `list` is gone
        return a;
    }
    static free_list& list() noexcept
    {
        thread_local free_list l;
        return l;
    }
};

template <class T>
struct pool_allocator {
    using value_type = T;

    pool_allocator() noexcept = default;
    template <class U>
    pool_allocator(const pool_allocator<U>&) noexcept
    {
    }

    // (The pool is named in the members only: T may be incomplete where the allocator is named.)
    T* allocate(std::size_t n)
    {
        static_assert(sizeof(T) >= sizeof(void*), "a free node holds the next pointer");
        static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "nodes come from plain operator new");
#if PTOREF_NODE_POOL
        using pool = node_pool<sizeof(T)>;
        if (n == 1 && pool::alive()) {
            auto& l = pool::list();
            if (l.head) {
                void* p = l.head;
                l.head = *static_cast<void**>(p);
                --l.count;
                return static_cast<T*>(p);
            }
        }
#endif
        return static_cast<T*>(::operator new(n * sizeof(T)));
    }
    void deallocate(T* p, [[maybe_unused]] std::size_t n) noexcept
    {
#if PTOREF_NODE_POOL
        using pool = node_pool<sizeof(T)>;
        if (n == 1 && pool::alive()) {
            auto& l = pool::list();
            if (l.count < pool::max_free) {
                ::new (static_cast<void*>(p)) void*(l.head);
                l.head = p;
                ++l.count;
                return;
            }
        }
#endif
        ::operator delete(static_cast<void*>(p));
    }
    template <class U>
    bool operator==(const pool_allocator<U>&) const noexcept
    {
        return true;
    }
};

} // namespace ptoref::detail
