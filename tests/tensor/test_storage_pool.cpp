// detail::storage_pool: the size classes, reuse on the freeing thread, the per-thread bound,
// storage freed on another thread and at thread exit, (under ASan) that it is off, and the
// 2 MiB alignment of large storage.
#include <ptoref/tensor/storage_pool.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

using ptoref::detail::storage_pool;

namespace {
bool aligned(const void* p)
{
    return reinterpret_cast<std::uintptr_t>(p) % storage_pool::alignment == 0;
}
} // namespace

TEST_CASE("capacity: 64-byte multiples, powers of two up to 1 MiB, exact multiples above")
{
    STATIC_REQUIRE(storage_pool::capacity(1) == 64);
    STATIC_REQUIRE(storage_pool::capacity(64) == 64);
    STATIC_REQUIRE(storage_pool::capacity(65) == 128);
    STATIC_REQUIRE(storage_pool::capacity(129) == 256);
    STATIC_REQUIRE(storage_pool::capacity(8192) == 8192);
    STATIC_REQUIRE(storage_pool::capacity(8193) == 16384);
    STATIC_REQUIRE(storage_pool::capacity((1u << 20) - 1) == (1u << 20));
    STATIC_REQUIRE(storage_pool::capacity((1u << 20) + 1) == (1u << 20) + 64);
    for (std::size_t b = 1; b <= 5000; ++b) { // every size: a capacity that holds it, in its class
        const std::size_t c = storage_pool::capacity(b);
        CHECK(c >= b);
        CHECK(c % 64 == 0);
        CHECK((c & (c - 1)) == 0);
        CHECK(c < 2 * b + 64);
    }
}

TEST_CASE("storage is aligned and writable to its last byte, for every class and above")
{
    for (std::size_t b : {1u, 63u, 64u, 100u, 4096u, 65537u, (1u << 20), (1u << 20) + 1, 3u << 20}) {
        auto* p = static_cast<unsigned char*>(storage_pool::allocate(b));
        REQUIRE(p != nullptr);
        CHECK(aligned(p));
        std::memset(p, 0xab, storage_pool::capacity(b)); // ASan checks the whole capacity
        storage_pool::release(p, b);
    }
    storage_pool::release(nullptr, 64); // a no-op
}

TEST_CASE("storage of 4 MiB and more is 2 MiB aligned (huge pages), below that 64-byte aligned")
{
    STATIC_REQUIRE(storage_pool::alignment_of(storage_pool::capacity((4u << 20) - 64)) == 64);
    STATIC_REQUIRE(storage_pool::alignment_of(storage_pool::capacity(4u << 20)) == (2u << 20));
    // Sizes around the boundary and not a multiple of the huge page (the advised range stops
    // at the last whole 2 MiB page): aligned, writable to the last byte, released by size.
    for (std::size_t b : {(4u << 20) - 64, (4u << 20) - 1, 4u << 20, (4u << 20) + 1, (5u << 20) + 4097, 64u << 20}) {
        auto* p = static_cast<unsigned char*>(storage_pool::allocate(b));
        REQUIRE(p != nullptr);
        CHECK(reinterpret_cast<std::uintptr_t>(p) % storage_pool::alignment_of(storage_pool::capacity(b)) == 0);
        std::memset(p, 0xcd, storage_pool::capacity(b));
        CHECK(p[storage_pool::capacity(b) - 1] == 0xcd);
        storage_pool::release(p, b);
    }
}

#if PTOREF_STORAGE_POOL
TEST_CASE("freed storage of a class is handed out again on the same thread, last in first out")
{
    const std::size_t before = storage_pool::cached_bytes();
    void* a = storage_pool::allocate(1000);
    void* b = storage_pool::allocate(1000);
    storage_pool::release(a, 1000);
    storage_pool::release(b, 1000);
    CHECK(storage_pool::cached_bytes() == before + 2 * 1024);
    CHECK(storage_pool::allocate(1020) == b); // same class (1024)
    CHECK(storage_pool::allocate(999) == a);
    CHECK(storage_pool::cached_bytes() == before);
    void* c = storage_pool::allocate(2000); // another class: not a or b
    CHECK((c != a && c != b));
    storage_pool::release(a, 1000);
    storage_pool::release(b, 1000);
    storage_pool::release(c, 2000);
}

TEST_CASE("above 1 MiB nothing is cached")
{
    const std::size_t before = storage_pool::cached_bytes();
    void* p = storage_pool::allocate((1u << 20) + 1);
    storage_pool::release(p, (1u << 20) + 1);
    CHECK(storage_pool::cached_bytes() == before);
}

TEST_CASE("a thread caches at most max_thread_bytes; the rest goes back to the heap")
{
    std::thread([] {
        const std::size_t n = storage_pool::max_thread_bytes / (1u << 20) + 8;
        std::vector<void*> blocks;
        for (std::size_t i = 0; i < n; ++i)
            blocks.push_back(storage_pool::allocate(1u << 20));
        for (void* p : blocks)
            storage_pool::release(p, 1u << 20);
        CHECK(storage_pool::cached_bytes() == storage_pool::max_thread_bytes);
        std::set<void*> again; // what is handed out again is distinct storage
        for (std::size_t i = 0; i < n; ++i)
            again.insert(storage_pool::allocate(1u << 20));
        CHECK(again.size() == n);
        CHECK(storage_pool::cached_bytes() == 0);
        for (void* p : again)
            storage_pool::release(p, 1u << 20);
    }).join(); // the thread's cache is freed at its exit (LeakSanitizer would see a leak)
}

TEST_CASE("storage allocated on one thread and freed on another joins the freeing thread's cache")
{
    void* p = storage_pool::allocate(4096);
    std::thread([p] {
        CHECK(storage_pool::cached_bytes() == 0);
        storage_pool::release(p, 4096);
        CHECK(storage_pool::cached_bytes() == 4096);
        CHECK(storage_pool::allocate(4096) == p);
        storage_pool::release(p, 4096);
    }).join();
}
#else
TEST_CASE("under AddressSanitizer the cache is off: every release goes back to the heap")
{
    void* p = storage_pool::allocate(1000);
    storage_pool::release(p, 1000);
    CHECK(storage_pool::cached_bytes() == 0);
}
#endif
