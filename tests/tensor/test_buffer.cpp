#include <ptoref/tensor/buffer.hpp>

#include <catch2/catch.hpp>

#include <cstdint>

using ptoref::detail::buffer;

TEST_CASE("buffers have unique ids and describe themselves for reports")
{
    buffer<float> a(4, "FP32", "pl::full", ptoref::source_location::current("/x/prog.cpp", 12, "f"));
    buffer<float> b(4, "FP32", "pl::full", {});
    CHECK(a.id() != b.id());
    CHECK(a.display_name() == "<pl::full result from prog.cpp:12>");
    a.set_name("k_cache");
    CHECK(a.display_name() == "'k_cache'");
    CHECK(a.size() == 4);
    CHECK(a.root_shape() == ptoref::dims{4});
}

TEST_CASE("definedness: the shadow exists only while something is undefined, counts stay exact")
{
    buffer<float> b(5, "FP32", "op", {});
    CHECK(b.all_defined());
    CHECK(b.shadow() == nullptr);
    b.mark_all_undefined();
    CHECK(b.undefined_count() == 5);
    CHECK_FALSE(b.is_defined(3));
    b.set_defined(3, true);
    b.set_defined(3, true); // no double counting
    CHECK(b.undefined_count() == 4);
    CHECK(b.is_defined(3));
    for (int i = 0; i < 5; ++i)
        b.set_defined(i, true);
    CHECK(b.all_defined());
    CHECK(b.shadow() == nullptr);
    b.set_defined(0, false);
    CHECK(b.undefined_count() == 1);
    CHECK(b.shadow() != nullptr);
    CHECK_FALSE(b.is_defined(0));
}

TEST_CASE("versions and the write log")
{
    buffer<std::int32_t> b(3, "INT32", "op", {});
    CHECK(b.version() == 0);
    CHECK(b.bump_version() == 1);
    CHECK(b.bump_version() == 2);
    CHECK(b.writes() == nullptr);
    auto& log = b.ensure_writes();
    CHECK(log.version.size() == 3);
    CHECK(&b.ensure_writes() == &log);
    b.set_poison_origin("first");
    b.set_poison_origin("second"); // the first origin is kept
    CHECK(b.poison_origin() == "first");
}

TEST_CASE("storage is 64-byte aligned")
{
    for (int n : {1, 3, 17, 1000}) {
        buffer<float> b(n, "FP32", "op", {});
        CHECK(reinterpret_cast<std::uintptr_t>(b.data()) % 64 == 0);
    }
}
