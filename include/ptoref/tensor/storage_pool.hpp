// A per-thread cache of freed tile-sized buffer storage.
//
// Op-by-op programs allocate and free a result buffer per op, most of them tile-sized, in a
// steady pattern. Through malloc every one of those is an aligned allocation whose cost depends
// on what else lives in the heap: with long-lived small objects in between (the checks'
// records, a run's task graph) the heap fragments and aligned allocations start to take fresh
// pages (measured: 10x slower allocation in the runtime-ordering bench, bench/task_ordering.cpp).
// Freed storage of up to `max_cached_bytes` is kept in power-of-two size classes on the thread
// that freed it and handed out again for a request of the same class; what the cache holds per
// thread is bounded (`max_thread_bytes`), the rest goes back to the heap.
//
// Contents are not part of any contract: storage comes back with the bits its previous owner
// left (as from malloc); a buffer either zeroes it or overwrites every element (buffer.hpp).
// Under AddressSanitizer the cache is off, so a use after free is still reported.
//
// Large storage (>= `huge_page_min_bytes`) is the other end: it is not cached, and its cost is
// the first touch of fresh pages, which on the VMs we measured runs at 0.16-0.21 GB/s with 4 KiB
// pages and at 0.4-11 GB/s with transparent huge pages (docs/performance.md). Where the kernel
// offers huge pages on request (Linux, THP in "madvise" mode, the Debian default), such storage
// is aligned to 2 MiB and its whole 2 MiB pages are advised MADV_HUGEPAGE; the partial page at
// its end is not, so a buffer's resident size does not grow. The advice is only a hint: a
// refusal changes nothing.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define PTOREF_STORAGE_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PTOREF_STORAGE_POOL 0
#endif
#endif
#ifndef PTOREF_STORAGE_POOL
#define PTOREF_STORAGE_POOL 1
#endif

namespace ptoref::detail {

class storage_pool {
public:
    static constexpr std::size_t alignment = 64;
    static constexpr std::size_t max_cached_bytes = std::size_t{1} << 20; // the largest class: 1 MiB
    static constexpr std::size_t max_thread_bytes = std::size_t{32} << 20;
    static constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;
    static constexpr std::size_t huge_page_min_bytes = std::size_t{4} << 20;

    // The alignment of the storage for a request of capacity `cap`.
    static constexpr std::size_t alignment_of(std::size_t cap) noexcept
    {
        return cap >= huge_page_min_bytes ? huge_page_bytes : alignment;
    }

    // The bytes actually allocated for a request (its class for cacheable sizes; the request
    // rounded up to the alignment otherwise). Nonzero requests only.
    static constexpr std::size_t capacity(std::size_t bytes) noexcept
    {
        const std::size_t aligned = (bytes + alignment - 1) / alignment * alignment;
        return aligned <= max_cached_bytes ? std::bit_ceil(aligned) : aligned;
    }

    // 64-byte aligned storage of capacity(bytes) bytes, or nullptr if the heap refuses.
    static void* allocate(std::size_t bytes) noexcept
    {
        const std::size_t cap = capacity(bytes);
#if PTOREF_STORAGE_POOL
        if (cap <= max_cached_bytes && !gone()) {
            cache& c = local();
            std::vector<void*>& free = c.classes[class_of(cap)];
            if (!free.empty()) {
                void* p = free.back();
                free.pop_back();
                c.bytes -= cap;
                return p;
            }
        }
#endif
        void* p = ::operator new(cap, std::align_val_t(alignment_of(cap)), std::nothrow);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        if (p != nullptr && cap >= huge_page_min_bytes)
            (void)::madvise(p, cap / huge_page_bytes * huge_page_bytes, MADV_HUGEPAGE);
#endif
        return p;
    }

    // Returns storage from allocate(bytes) (the same bytes).
    static void release(void* p, std::size_t bytes) noexcept
    {
        if (p == nullptr)
            return;
#if PTOREF_STORAGE_POOL
        const std::size_t cap = capacity(bytes);
        if (cap <= max_cached_bytes && !gone()) {
            cache& c = local();
            if (c.bytes + cap <= max_thread_bytes) {
                std::vector<void*>& free = c.classes[class_of(cap)];
                if (free.size() < free.capacity() || try_reserve(free)) {
                    free.push_back(p);
                    c.bytes += cap;
                    return;
                }
            }
        }
#endif
        ::operator delete(p, std::align_val_t(alignment_of(capacity(bytes))));
    }

    // Bytes held by the calling thread's cache (for tests).
    static std::size_t cached_bytes() noexcept { return gone() ? 0 : local().bytes; }

private:
    static constexpr int class_count = std::bit_width(max_cached_bytes / alignment); // 64 B .. 1 MiB

    static constexpr int class_of(std::size_t cap) noexcept { return std::bit_width(cap / alignment) - 1; }

    struct cache {
        std::array<std::vector<void*>, class_count> classes;
        std::size_t bytes = 0;
        cache() = default;
        cache(const cache&) = delete;
        cache& operator=(const cache&) = delete;
        ~cache()
        {
            gone() = true;
            for (std::vector<void*>& free : classes)
                for (void* p : free)
                    ::operator delete(p, std::align_val_t(alignment));
        }
    };
    // Set when the thread's cache is destroyed (thread exit): storage freed later, by objects
    // destroyed after it, goes straight back to the heap. Trivially destructible, so valid
    // for the thread's whole life.
    static bool& gone() noexcept
    {
        thread_local bool g = false;
        return g;
    }
    static cache& local() noexcept
    {
        thread_local cache c;
        return c;
    }
    static bool try_reserve(std::vector<void*>& v) noexcept
    {
        try {
            v.reserve(v.empty() ? 16 : 2 * v.size());
            return true;
        } catch (...) {
            return false;
        }
    }
};

} // namespace ptoref::detail
