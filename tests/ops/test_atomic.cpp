// pl::AtomicType and atomic-add assemble/store (ops/atomic.hpp), with the race checker's view
// of atomic adds (commutative with each other, conflicting with plain accesses).
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

#include <set>

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::fp16;
using ptoref::tensor_from;
using ptoref::check::collector;
using ptoref::check::race_kind;

TEST_CASE("atomic add adds the source's valid region into the window, rounding once per add in the dtype")
{
    auto t = pl::full({2, 3}, pl::FP32, 1.0f);
    t = pl::assemble(t, tensor_from<float>({1, 2}, {0.5f, 1e-8f}), {1, 1}, pl::AtomicType::Add);
    CHECK(t.to_vector() == std::vector<float>{1, 1, 1, 1, 1.5f, 1.0f + 1e-8f});
    // None_ is the plain overwrite.
    t = pl::assemble(t, tensor_from<float>({1, 1}, {7}), {0, 0}, pl::AtomicType::None_);
    CHECK(t.to_vector()[0] == 7.0f);
    // Only the valid region adds.
    t = pl::assemble(t, pl::slice(pl::full({1, 3}, pl::FP32, 1.0f), {1, 3}, {0, 0}, {1, 1}), {0, 0},
                     pl::AtomicType::Add);
    CHECK(t.to_vector() == std::vector<float>{8, 1, 1, 1, 1.5f, 1.0f + 1e-8f});
    // BF16 keeps a bf16-rounded running sum: 1 + 2^-9 rounds back to 1 each time (ties to even).
    auto h = pl::full({1, 1}, pl::BF16, 1.0f);
    for (int i = 0; i < 4; ++i)
        h = pl::assemble(h, pl::full({1, 1}, pl::BF16, 0x1p-8f), {0, 0}, pl::AtomicType::Add);
    CHECK(bits_of(h) == std::vector<std::uint16_t>{bf16_rne(1.0)}); // 1 + 2^-8 is a tie: even is 1
    auto h2 = pl::full({1, 1}, pl::BF16, 1.0f);
    h2 = pl::assemble(h2, pl::full({1, 1}, pl::BF16, 0x1p-7f), {0, 0}, pl::AtomicType::Add);
    CHECK(bits_of(h2) == std::vector<std::uint16_t>{bf16_rne(1.0 + 0x1p-7)});
    // FP16 and INT32 (wrapping).
    auto f = pl::full({1, 1}, pl::FP16, 2048.0f);
    f = pl::assemble(f, pl::full({1, 1}, pl::FP16, 1.0f), {0, 0}, pl::AtomicType::Add);
    CHECK(bits_of(f) == std::vector<std::uint16_t>{fp16_rne(2048.0)});
    auto i = pl::full({1, 2}, pl::INT32, INT32_MAX);
    i = pl::assemble(i, tensor_from<std::int32_t>({1, 2}, {1, -1}), {0, 0}, pl::AtomicType::Add);
    CHECK(i.to_vector() == std::vector<std::int32_t>{INT32_MIN, INT32_MAX - 1});
    // NaN in, canonical NaN out, as every ptoref add.
    auto n = pl::full({1, 1}, pl::FP32, 1.0f);
    n = pl::assemble(n, tensor_from<float>({1, 1}, {f32(0xffc12345u)}), {0, 0}, pl::AtomicType::Add);
    CHECK(bits_of(n) == std::vector<std::uint32_t>{qnan});
}

TEST_CASE("atomic add: errors, definedness, versions")
{
    auto t = pl::full({2, 2}, pl::FP32, 0.0f);
    CHECK_THROWS_WITH(pl::assemble(t, t, {1, 0}, pl::AtomicType::Add), Catch::Contains("out of bounds of target"));
    CHECK_THROWS_WITH(pl::assemble(t, t, {0, 0}, static_cast<pl::AtomicType>(5)), Catch::Contains("atomic type 5"));
    // Adding into never-written elements gives undefined ones (the target must be zero-initialised).
    auto u = pl::create_tensor({1, 2}, pl::FP32);
    u = pl::assemble(u, pl::full({1, 1}, pl::FP32, 1.0f), {0, 0}, pl::AtomicType::Add);
    CHECK(u.defined_mask() == std::vector<std::uint8_t>{0, 0});
    auto z = pl::full({1, 2}, pl::FP32, 0.0f);
    auto old = z;
    z = pl::assemble(z, pl::create_tensor({1, 1}, pl::FP32), {0, 1}, pl::AtomicType::Add);
    CHECK(z.defined_mask() == std::vector<std::uint8_t>{1, 0});
    CHECK(z.handle_version() > old.handle_version());
}

TEST_CASE("atomic store: an FP32 tile narrows to BF16 first (RNE), then adds in BF16")
{
    auto out = pl::full({1, 2}, pl::BF16, 1.0f);
    out = pl::store(tensor_from<float>({1, 2}, {0x1p-8f + 0x1p-20f, 3.0f}), {0, 0}, out, pl::AtomicType::Add);
    // 2^-8 + 2^-20 narrows to 2^-8 (bf16), and 1 + 2^-8 is a tie that rounds to 1.
    CHECK(bits_of(out) == std::vector<std::uint16_t>{bf16_rne(1.0), bf16_rne(4.0)});
    auto same = pl::full({1, 1}, pl::FP32, 1.0f);
    same = pl::store(pl::full({1, 1}, pl::FP32, 2.0f), {0, 0}, same, pl::AtomicType::Add);
    CHECK(same.to_vector() == std::vector<float>{3.0f});
    same = pl::store(pl::full({1, 1}, pl::FP32, 5.0f), {0, 0}, same, pl::AtomicType::None_);
    CHECK(same.to_vector() == std::vector<float>{5.0f});
}

TEST_CASE("colliding atomic adds of parallel iterations are not a race; their sum is exact for integers")
{
    for (const auto& sched : {pl::schedule::sequential(), pl::schedule::reverse(), pl::schedule::threads(2)}) {
        auto acc = pl::full({2, 4}, pl::INT32, 0).name("acc");
        collector c;
        pl::parallel(0, 16, 1, pl::on(sched), [&](pl::index i) {
            acc = pl::assemble(acc, pl::full({2, 4}, pl::INT32, static_cast<std::int32_t>(i)), {0, 0},
                               pl::AtomicType::Add);
        });
        CHECK(c.clean());
        CHECK(acc.to_vector() == std::vector<std::int32_t>(8, 120));
    }
    // Split-K into an FP32 target: iterations add disjoint and overlapping windows.
    auto out = pl::full({1, 4}, pl::FP32, 0.0f).name("out");
    collector c;
    pl::parallel(4, [&](pl::index i) {
        out = pl::assemble(out, pl::full({1, 2}, pl::FP32, 1.0f), {0, i % 3}, pl::AtomicType::Add);
    });
    CHECK(c.clean());
    CHECK(out.to_vector() == std::vector<float>{2, 3, 2, 1});
}

TEST_CASE("an atomic add races with a plain read or write of the element by another iteration")
{
    const int add_line = __LINE__ + 6;
    {
        auto acc = pl::full({1, 4}, pl::FP32, 0.0f).name("acc");
        collector c;
        pl::parallel(2, [&](pl::index i) {
            if (i == 0)
                acc = pl::assemble(acc, pl::full({1, 2}, pl::FP32, 1.0f), {0, 1}, pl::AtomicType::Add);
            else
                (void)pl::read(acc, {0, 2}); // a plain read of an element iteration 0 adds to
        });
        REQUIRE(c.races().size() == 1);
        const auto& r = c.races()[0];
        INFO(r.str());
        CHECK(r.kind == race_kind::raw);
        CHECK(r.first.kind == ptoref::access_kind::atomic_add);
        CHECK(r.first.where.line() == static_cast<std::uint_least32_t>(add_line));
        CHECK(r.second.kind == ptoref::access_kind::read);
        CHECK(ptoref::check::to_string(r.region[0]) == "[0, 2]");
        CHECK(r.str().find("Previous atomic add by iteration [0]") != std::string::npos);
    }
    {
        auto acc = pl::full({1, 4}, pl::FP32, 0.0f).name("acc");
        collector c;
        pl::parallel(3, [&](pl::index i) {
            if (i < 2) // two atomic adders, then a plain writer of the same element
                acc = pl::assemble(acc, pl::full({1, 1}, pl::FP32, 1.0f), {0, 3}, pl::AtomicType::Add);
            else
                acc = pl::assemble(acc, pl::full({1, 1}, pl::FP32, 9.0f), {0, 3});
        });
        REQUIRE(c.races().size() == 1);
        CHECK(c.races()[0].kind == race_kind::waw);
        CHECK(c.races()[0].first.kind == ptoref::access_kind::atomic_add);
        CHECK(c.races()[0].second.kind == ptoref::access_kind::write);
    }
    {
        // A plain read first, then another iteration's atomic add: WAR; the same iteration's read
        // after its own add is fine.
        auto acc = pl::full({1, 4}, pl::FP32, 0.0f).name("acc");
        collector c;
        pl::parallel(2, [&](pl::index i) {
            if (i == 0) {
                (void)pl::read(acc, {0, 0});
            } else {
                acc = pl::assemble(acc, pl::full({1, 1}, pl::FP32, 1.0f), {0, 0}, pl::AtomicType::Add);
                (void)pl::read(acc, {0, 0});
            }
        });
        REQUIRE(c.races().size() == 1);
        CHECK(c.races()[0].kind == race_kind::war);
        CHECK(c.races()[0].second.kind == ptoref::access_kind::atomic_add);
        CHECK(c.races()[0].str().find("Atomic add by iteration [1]") != std::string::npos);
    }
    {
        // Atomic adds of iterations into a buffer another iteration created: a conflict with
        // the creation.
        collector c;
        ptoref::Tensor<float> shared;
        pl::parallel(2, [&](pl::index i) {
            if (i == 0)
                shared = pl::full({1, 1}, pl::FP32, 0.0f);
            else
                (void)pl::assemble(shared, pl::full({1, 1}, pl::FP32, 1.0f), {0, 0}, pl::AtomicType::Add);
        });
        REQUIRE(c.races().size() == 1);
        CHECK(c.races()[0].kind == race_kind::waw);
    }
}

TEST_CASE("race verdicts with atomic adds against an oracle on random programs, under several schedules")
{
    // Each of 4 iterations does 3 accesses to single elements of a 1x8 buffer: a read, a plain
    // write or an atomic add. Oracle: an element is in conflict iff two different iterations
    // access it and the two accesses are not both reads and not both atomic adds.
    rng r(77);
    for (int trial = 0; trial < 150; ++trial) {
        struct access {
            int kind; // 0 read, 1 write, 2 atomic add
            ix col;
        };
        std::vector<std::vector<access>> prog(4);
        for (auto& it : prog)
            for (int k = 0; k < 3; ++k)
                it.push_back({r.below(3), static_cast<ix>(r.below(8))});
        std::set<ix> want;
        for (std::size_t i = 0; i < 4; ++i)
            for (std::size_t j = 0; j < 4; ++j)
                if (i != j)
                    for (const access& a : prog[i])
                        for (const access& b : prog[j])
                            if (a.col == b.col && !(a.kind == 0 && b.kind == 0) && !(a.kind == 2 && b.kind == 2))
                                want.insert(a.col);
        for (const auto& sched : {pl::schedule::sequential(), pl::schedule::reverse(), pl::schedule::shuffled(5)}) {
            auto buf = pl::full({1, 8}, pl::INT32, 0).name("buf");
            collector c;
            pl::parallel(0, 4, 1, pl::on(sched), [&](pl::index i) {
                for (const access& a : prog[static_cast<std::size_t>(i)]) {
                    if (a.kind == 0)
                        (void)pl::read(buf, {0, a.col});
                    else
                        buf = pl::assemble(buf, pl::full({1, 1}, pl::INT32, 1), {0, a.col},
                                           a.kind == 2 ? pl::AtomicType::Add : pl::AtomicType::None_);
                }
            });
            std::set<ix> got;
            for (const auto& rec : c.races())
                for (const auto& b : rec.region)
                    for (ix col = b.lo[1]; col < b.hi[1]; ++col)
                        got.insert(col);
            INFO("trial " << trial);
            REQUIRE(got == want);
        }
    }
}
