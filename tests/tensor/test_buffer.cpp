// detail::buffer: identity and names for reports, the definedness shadow, versions, the write
// log, the destroy hook and 64-byte aligned storage.
#include <ptoref/tensor/buffer.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <new>
#include <set>
#include <thread>
#include <vector>

using ptoref::detail::buffer;
using ptoref::detail::buffer_base;

TEST_CASE("buffer ids are unique and increasing, also across threads")
{
    std::set<std::uint64_t> ids;
    std::uint64_t prev = 0;
    for (int i = 0; i < 100; ++i) {
        buffer<float> b(1, "FP32", "op", {});
        CHECK(b.id() > prev); // strictly increasing: an id is never reused, even after destruction
        prev = b.id();
        ids.insert(b.id());
    }
    CHECK(ids.size() == 100);
    std::vector<std::uint64_t> a(1000), c(1000);
    std::thread t([&] {
        for (auto& id : a)
            id = buffer<std::int32_t>(1, "INT32", "op", {}).id();
    });
    for (auto& id : c)
        id = buffer<std::int32_t>(1, "INT32", "op", {}).id();
    t.join();
    ids.insert(a.begin(), a.end());
    ids.insert(c.begin(), c.end());
    CHECK(ids.size() == 2100);
}

TEST_CASE("buffers describe themselves for reports")
{
    buffer<float> a(4, "FP32", "pl::full", ptoref::source_location::current("/x/prog.cpp", 12, "f"));
    CHECK(a.name().empty());
    CHECK(a.display_name() == "<pl::full result from prog.cpp:12>"); // unnamed: the op and its site
    a.set_name("k_cache");
    CHECK(a.name() == "k_cache");
    CHECK(a.display_name() == "'k_cache'");
    a.set_name("");
    CHECK(a.display_name() == "<pl::full result from prog.cpp:12>");
    CHECK(a.size() == 4);
    CHECK(a.dtype_name() == "FP32");
    CHECK(a.origin_op() == "pl::full");
    CHECK(a.origin().line() == 12);
    CHECK(a.root_shape() == ptoref::dims{4}); // flat until told otherwise
    a.set_root_shape({2, 2});
    CHECK(a.root_shape() == ptoref::dims{2, 2});
}

TEST_CASE("definedness: every transition keeps the count exact; the shadow exists only while needed")
{
    buffer<float> b(5, "FP32", "op", {});
    // All defined at creation, without a shadow; defining again allocates nothing.
    CHECK(b.all_defined());
    CHECK(b.undefined_count() == 0);
    CHECK(b.shadow() == nullptr);
    b.set_defined(2, true);
    CHECK(b.shadow() == nullptr);
    for (int i = 0; i < 5; ++i)
        CHECK(b.is_defined(i));

    // defined -> undefined
    b.set_defined(1, false);
    CHECK(b.undefined_count() == 1);
    CHECK_FALSE(b.all_defined());
    REQUIRE(b.shadow() != nullptr);
    CHECK(b.shadow()[1] == 0);
    CHECK(b.shadow()[0] == 1);
    CHECK_FALSE(b.is_defined(1));
    CHECK(b.is_defined(0));
    // undefined -> undefined: no double counting
    b.set_defined(1, false);
    CHECK(b.undefined_count() == 1);
    // defined -> defined while something else is undefined
    b.set_defined(0, true);
    CHECK(b.undefined_count() == 1);
    // undefined -> defined: back to all defined, the shadow is hidden again
    b.set_defined(1, true);
    CHECK(b.undefined_count() == 0);
    CHECK(b.all_defined());
    CHECK(b.shadow() == nullptr);
    CHECK(b.is_defined(1));

    // mark_all_undefined, then define element by element
    b.mark_all_undefined();
    CHECK(b.undefined_count() == 5);
    for (int i = 0; i < 5; ++i)
        CHECK_FALSE(b.is_defined(i));
    b.set_defined(3, true);
    b.set_defined(3, true);
    CHECK(b.undefined_count() == 4);
    CHECK(b.is_defined(3));
    CHECK_FALSE(b.is_defined(4));
    for (int i = 0; i < 5; ++i)
        b.set_defined(i, true);
    CHECK(b.undefined_count() == 0);
    CHECK(b.shadow() == nullptr);
    // Marking again after a partial state resets every element (the old shadow is reused).
    b.set_defined(0, false);
    b.mark_all_undefined();
    CHECK(b.undefined_count() == 5);
}

TEST_CASE("definedness: concurrent updates of disjoint elements keep the count exact")
{
    constexpr int n = 1 << 16;
    buffer<float> b(n, "FP32", "op", {});
    b.mark_all_undefined();
    auto define = [&](int parity) {
        for (int i = parity; i < n; i += 2)
            b.set_defined(i, true);
    };
    std::thread t(define, 1);
    define(0);
    t.join();
    CHECK(b.undefined_count() == 0);
    CHECK(b.all_defined());
    CHECK(b.shadow() == nullptr);
}

TEST_CASE("poison origin: the first one is kept")
{
    buffer<float> b(2, "FP32", "op", {});
    CHECK(b.poison_origin().empty());
    b.set_poison_origin("pl::create_tensor at a.cpp:1");
    b.set_poison_origin("pl::create_tensor at b.cpp:2");
    CHECK(b.poison_origin() == "pl::create_tensor at a.cpp:1");
}

TEST_CASE("versions bump by one; the write log is allocated once, on demand")
{
    buffer<std::int32_t> b(3, "INT32", "op", {});
    CHECK(b.version() == 0);
    CHECK(b.bump_version() == 1);
    CHECK(b.version() == 1);
    CHECK(b.bump_version() == 2);
    CHECK(b.version() == 2);
    CHECK(b.writes() == nullptr);
    auto& log = b.ensure_writes();
    CHECK(b.writes() == &log);
    CHECK(log.runs.run_count() == 0); // nothing written in place yet
    log.runs.assign(1, 2, {7, 3});
    CHECK(&b.ensure_writes() == &log);
    int pieces = 0;
    b.ensure_writes().runs.visit(0, 3, [&](const auto& w, ptoref::index lo, ptoref::index hi) {
        CHECK(w.version == 7);
        CHECK(w.site == 3);
        CHECK(lo == 1);
        CHECK(hi == 2);
        ++pieces;
    });
    CHECK(pieces == 1);
    CHECK(b.version() == 2); // the log does not bump versions
}

namespace {
std::vector<std::uint64_t> destroyed;
void record_destroyed(std::uint64_t id)
{
    destroyed.push_back(id);
}
} // namespace

TEST_CASE("the destroy hook sees every destroyed buffer's id")
{
    destroyed.clear();
    auto& hook = buffer_base::destroy_hook();
    auto* saved = hook.load();
    hook.store(&record_destroyed);
    std::uint64_t id1 = 0, id2 = 0;
    {
        buffer<float> a(1, "FP32", "op", {});
        auto b = std::make_shared<buffer<std::int32_t>>(2, "INT32", "op", ptoref::source_location{});
        id1 = a.id();
        id2 = b->id();
    }
    hook.store(saved);
    CHECK(destroyed == std::vector<std::uint64_t>{id2, id1});
}

TEST_CASE("storage is 64-byte aligned and sized")
{
    for (int n : {1, 3, 15, 16, 17, 1000, 4099}) {
        buffer<float> f(n, "FP32", "op", {});
        CHECK(reinterpret_cast<std::uintptr_t>(f.data()) % 64 == 0);
        buffer<ptoref::index> w(n, "I64", "op", {});
        CHECK(reinterpret_cast<std::uintptr_t>(w.data()) % 64 == 0);
        f.data()[n - 1] = 1.0f; // the last element is writable (ASan checks the size)
        CHECK(f.data()[n - 1] == 1.0f);
        CHECK(f.data()[0] == (n == 1 ? 1.0f : 0.0f)); // value-initialised
    }
    buffer<float> empty(0, "FP32", "op", {});
    CHECK(empty.size() == 0);
}

TEST_CASE("aligned_allocator directly")
{
    ptoref::detail::aligned_allocator<std::uint16_t> a;
    static_assert(decltype(a)::alignment == 64);
    for (std::size_t n : {1u, 31u, 32u, 33u, 100000u}) {
        std::uint16_t* p = a.allocate(n);
        CHECK(reinterpret_cast<std::uintptr_t>(p) % 64 == 0);
        p[n - 1] = 7;
        a.deallocate(p, n);
    }
    CHECK_THROWS_AS(a.allocate(static_cast<std::size_t>(-1) / 2), std::bad_alloc);
    const ptoref::detail::aligned_allocator<float> rebound(a);
    CHECK(rebound == a);
}
