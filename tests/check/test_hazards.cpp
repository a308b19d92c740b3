// The hazard catalogue (reference/hazards.md E1-E25): each pattern expressible in this model,
// with the catalogue's verdict. Legal programs must stay silent (and compute the right values);
// illegal ones must be flagged with the exact region. Runtime-ordering and hardware-granularity
// items are out of scope (docs/checks.md); where their sequential meaning still says something,
// that is tested.
#include <ptoref/ptoref.hpp>

#include <catch2/catch.hpp>

namespace pl = ptoref::pl;
using ptoref::dims;
using ptoref::check::collector;
using ptoref::check::race_kind;

namespace {
std::string region(const ptoref::check::race_record& r)
{
    return ptoref::check::boxes_to_string(r.tensor, r.region);
}
} // namespace

TEST_CASE("E1: KV-cache assemble + slice in pl.parallel over batch (simpler#663) is legal")
{
    const int B = 2, S = 64, D = 64;
    auto k_cache = pl::full({B * S, D}, pl::BF16, 0.0f).name("k_cache");
    auto v_cache = pl::full({B * S, D}, pl::BF16, 0.0f).name("v_cache");
    auto out = pl::full({B, S, D}, pl::FP32, 0.0f).name("attn_out");
    collector c;
    pl::parallel(0, B, 1, [&](pl::index b) {
        pl::range(S, [&](pl::index pos) {
            auto kv = pl::full({1, D / 2}, pl::BF16, static_cast<float>(b + 1));
            k_cache = pl::assemble(k_cache, kv, {b * S + pos, 0});
            k_cache = pl::assemble(k_cache, kv, {b * S + pos, D / 2});
            v_cache = pl::assemble(v_cache, pl::full({1, D}, pl::BF16, 1.0f), {b * S + pos, 0});
            auto keys = pl::slice(k_cache, {S, D}, {b * S, 0}, {pos + 1, D});
            auto s = pl::row_sum(pl::cast(pl::fillpad(keys), pl::FP32));
            out =
                pl::assemble(out, pl::reshape(pl::transpose(pl::slice(s, {1, 1}, {0, 0}), 0, 1), {1, 1}), {b, pos, 0});
        });
    });
    CHECK(c.clean());
    CHECK(pl::read(out, {1, 5, 0}) == 128.0f); // row 0 of batch 1's keys: 64 columns of 2
}

TEST_CASE("E2: 100 disjoint stripe writers then whole-tensor readers: no fan-in cap")
{
    auto tile = pl::full({16, 25600}, pl::FP32, 0.0f).name("mlp_tile");
    collector c;
    pl::parallel(0, 100, 1, [&](pl::index i) {
        tile = pl::assemble(tile, pl::full({16, 256}, pl::FP32, static_cast<float>(i)), {0, 256 * i});
    });
    pl::parallel(0, 64, 1, [&](pl::index) { (void)pl::row_sum(tile); });
    CHECK(c.clean());
    CHECK(pl::read(tile, {3, 256 * 99 + 5}) == 99.0f);
}

TEST_CASE("E3: readers of one head slice each, not the whole argument view")
{
    const int H = 256;
    auto q = pl::full({4, H * 8}, pl::FP32, 1.0f).name("q_proj_fp32");
    auto out = pl::full({4, H * 8}, pl::FP32, 0.0f).name("out");
    collector c;
    pl::parallel(0, H, 1, [&](pl::index h0) {
        auto head = pl::slice(q, {4, 8}, {0, h0 * 8});
        out = pl::assemble(out, pl::mul(head, 2.0), {0, h0 * 8});
    });
    CHECK(c.clean());
}

TEST_CASE("E4: a buffer rewritten and read per band: legal under pl.range, a race under pl.parallel")
{
    auto run = [](bool parallel) {
        auto buf = pl::create_tensor({16, 64}, pl::FP32).name("buf");
        auto out = pl::full({2, 16, 64}, pl::FP32, 0.0f).name("out");
        auto body = [&](pl::index b) {
            buf = pl::assemble(buf, pl::full({16, 64}, pl::FP32, static_cast<float>(b)), {0, 0});
            out = pl::assemble(out, pl::add(buf, 1.0), {b, 0, 0});
        };
        collector c;
        if (parallel)
            pl::parallel(2, body);
        else
            pl::range(2, body);
        return std::make_pair(c.races(), out.to_vector());
    };
    auto [seq, values] = run(false);
    CHECK(seq.empty());
    CHECK(values[16 * 64] == 2.0f);
    auto [par, unused] = run(true);
    REQUIRE(!par.empty());
    CHECK(par[0].tensor == "buf");
    CHECK(region(par[0]) == "buf[0:16, 0:64]");
}

TEST_CASE("E6: create_tensor carried through a chunked pl.parallel, one stripe per iteration")
{
    auto resid = pl::create_tensor({16, 5120}, pl::FP32).name("resid1_tile");
    collector c;
    pl::parallel(0, 10, 1, pl::chunk(2), [&](pl::index ob) {
        resid = pl::assemble(resid, pl::full({16, 512}, pl::FP32, static_cast<float>(ob)), {0, ob * 512});
    });
    CHECK(c.clean());
    CHECK(resid.storage().all_defined()); // all ten stripes present
    ptoref::check::require_defined(resid, "resid1_tile");
    CHECK(c.clean());
}

TEST_CASE("E7: an accumulator carried through pl.parallel is a race; through pl.range it is fine")
{
    auto x = pl::full({4, 8}, pl::FP32, 1.0f).name("x");
    {
        auto acc = pl::full({1, 8}, pl::FP32, 0.0f).name("acc");
        collector c;
        pl::range(4, [&](pl::index i) { acc = pl::add(acc, pl::slice(x, {1, 8}, {i, 0})); });
        CHECK(c.clean());
        CHECK(acc.to_vector()[0] == 4.0f);
    }
    auto acc = pl::full({1, 8}, pl::FP32, 0.0f).name("acc");
    collector c;
    pl::parallel(4, [&](pl::index i) { acc = pl::add(acc, pl::slice(x, {1, 8}, {i, 0})); });
    REQUIRE(!c.races().empty());
    const auto& r = c.races()[0];
    CHECK(r.kind == race_kind::raw);
    CHECK(r.first_iteration == std::vector<pl::index>{0});
    CHECK(r.second_iteration == std::vector<pl::index>{1});
    CHECK(r.tensor.find("pl::add result") != std::string::npos); // the value iteration 0 made
    CHECK(r.elements == 8);
}

TEST_CASE("E8: disjoint column blocks, two consecutive parallel loops, parallel inside range")
{
    auto q = pl::full({16, 512}, pl::FP32, 0.0f).name("q_proj");
    collector c;
    pl::parallel(8, [&](pl::index ob) { q = pl::assemble(q, pl::full({16, 64}, pl::FP32, 1.0f), {0, ob * 64}); });
    pl::parallel(8, [&](pl::index ob) { q = pl::assemble(q, pl::full({16, 64}, pl::FP32, 2.0f), {0, ob * 64}); });
    pl::range(3, [&](pl::index) {
        pl::parallel(8, [&](pl::index ob) { q = pl::assemble(q, pl::full({16, 64}, pl::FP32, 3.0f), {0, ob * 64}); });
    });
    CHECK(c.clean());
}

TEST_CASE("E9: repeated full overwrites in a sequential loop: last write wins")
{
    auto dst = pl::full({64}, pl::FP32, 0.0f).name("dst");
    collector c;
    pl::range(4, [&](pl::index i) { dst = pl::assemble(dst, pl::full({64}, pl::FP32, static_cast<float>(i)), {0}); });
    CHECK(c.clean());
    CHECK(dst.to_vector()[63] == 3.0f);
}

TEST_CASE("E10: variable-offset stores: (a) disjoint, (b) overlapping rows, (c) pairwise identical")
{
    auto run = [](auto row_of) {
        auto out = pl::full({80, 64}, pl::FP32, 0.0f).name("out");
        collector c;
        pl::parallel(4, [&](pl::index i) {
            out = pl::assemble(out, pl::full({16, 64}, pl::FP32, 1.0f), {row_of(i), 0});
        });
        return c.races();
    };
    CHECK(run([](pl::index i) { return 16 * i; }).empty());
    const auto b = run([](pl::index i) { return 8 * i; });
    REQUIRE(b.size() == 3); // i and i+1 overlap in rows [8i+8, 8i+16)
    for (std::size_t k = 0; k < b.size(); ++k) {
        const auto i = static_cast<pl::index>(k);
        CHECK(b[k].first_iteration == std::vector<pl::index>{i});
        CHECK(b[k].second_iteration == std::vector<pl::index>{i + 1});
        CHECK(region(b[k]) == "out[" + std::to_string(8 * i + 8) + ":" + std::to_string(8 * i + 16) + ", 0:64]");
    }
    const auto c = run([](pl::index i) { return (i / 2) * 16; });
    REQUIRE(c.size() == 2);
    CHECK(region(c[0]) == "out[0:16, 0:64]");
    CHECK(region(c[1]) == "out[16:32, 0:64]");
}

TEST_CASE("E11: spmd blocks assembling disjoint chunks of a copy")
{
    auto a = pl::full({64, 64}, pl::FP32, 5.0f).name("a");
    auto out = pl::full({64, 64}, pl::FP32, 0.0f).name("out");
    collector c;
    pl::spmd(4, [&](pl::index n0) { out = pl::assemble(out, pl::slice(a, {16, 64}, {n0 * 16, 0}), {n0 * 16, 0}); });
    CHECK(c.clean());
    CHECK(out.to_vector() == a.to_vector());
}

TEST_CASE("E12: a private K-loop accumulation (matmul_acc) inside each parallel iteration")
{
    auto x = pl::full({16, 256}, pl::BF16, 1.0f).name("x");
    auto w = pl::full({256, 128}, pl::BF16, 0.5f).name("w");
    auto qr = pl::full({16, 128}, pl::FP32, 0.0f).name("qr_fp32_tile");
    collector c;
    pl::parallel(0, 4, 1, pl::chunk(2), [&](pl::index ob) {
        auto acc = pl::matmul(pl::slice(x, {16, 64}, {0, 0}), pl::slice(w, {64, 32}, {0, ob * 32}), pl::FP32);
        pl::range(1, 4, [&](pl::index kb) {
            acc = pl::matmul_acc(acc, pl::slice(x, {16, 64}, {0, kb * 64}), pl::slice(w, {64, 32}, {kb * 64, ob * 32}));
        });
        qr = pl::assemble(qr, acc, {0, ob * 32});
    });
    CHECK(c.clean());
    CHECK(pl::read(qr, {0, 127}) == 128.0f);
}

TEST_CASE("E13: disjoint rows of a rank-major tensor and disjoint column ranges")
{
    auto x = pl::full({2, 16}, pl::FP32, 0.0f).name("x");
    auto y = pl::full({4, 16}, pl::FP32, 0.0f).name("y");
    collector c;
    pl::parallel(2, [&](pl::index r) {
        x = pl::assemble(x, pl::full({16}, pl::FP32, 1.0f), {r, 0});
        y = pl::assemble(y, pl::full({4, 4}, pl::FP32, 1.0f), {0, r * 8});
    });
    CHECK(c.clean());
}

TEST_CASE("E14: two sequential writers then a reader see the second write")
{
    auto x = pl::full({8}, pl::FP32, 0.0f).name("X");
    x = pl::assemble(x, pl::full({8}, pl::FP32, 1.0f), {0});
    x = pl::assemble(x, pl::full({8}, pl::FP32, 2.0f), {0});
    CHECK(pl::read(x, {7}) == 2.0f);
}

TEST_CASE("E15: write then read of a fresh buffer: RAW holds in sequential order")
{
    auto t = pl::create_tensor({4}, pl::INT32).name("T");
    t = pl::assemble(t, pl::full({4}, pl::INT32, 3), {0});
    CHECK(pl::read(t, {2}) == 3);
}

TEST_CASE("E16: WAR through two reshapes of one tensor, in sequential order: no race, exact values")
{
    auto kv = pl::full({4, 16}, pl::FP32, 1.0f).name("kv_cache");
    auto gathered = pl::mul(pl::reshape(kv, {64}), 1.0);
    auto flat = pl::reshape(kv, {2, 32});
    flat = pl::assemble(flat, pl::full({1, 32}, pl::FP32, 9.0f), {0, 0});
    CHECK(gathered.to_vector()[0] == 1.0f);
    CHECK(pl::read(flat, {0, 31}) == 9.0f);
    CHECK_THROWS_AS(pl::read(kv, {1, 15}), ptoref::stale_error); // kv's handle predates the write
}

TEST_CASE("E17: disjoint row writers that read back their own rows")
{
    auto normed = pl::full({64, 512}, pl::FP32, 0.0f).name("normed_kv");
    collector c;
    pl::parallel(4, [&](pl::index idx) {
        normed = pl::assemble(normed, pl::full({16, 512}, pl::FP32, 1.0f), {16 * idx, 0});
        (void)pl::row_sum(pl::slice(normed, {16, 64}, {16 * idx, 448}));
    });
    (void)pl::row_sum(normed);
    CHECK(c.clean());
}

TEST_CASE("E18: element-disjoint scalar writes sharing a 64-byte line are not an element race")
{
    auto out = pl::full({16, 1}, pl::INT32, 0).name("out");
    collector c;
    pl::spmd(16, [&](pl::index e) { out = pl::write(out, {e, 0}, 12345); });
    CHECK(c.clean()); // line-granular sharing is out of scope (docs/checks.md)
    CHECK(out.to_vector() == std::vector<std::int32_t>(16, 12345));
}

TEST_CASE("E19: a tile store followed by scalar stores: the sequential result")
{
    auto output = pl::full({1, 32}, pl::INT32, 0).name("output");
    output = pl::assemble(output, pl::full({1, 32}, pl::INT32, -1), {0, 0});
    pl::range(4, [&](pl::index i) { output = pl::write(output, {0, i}, static_cast<std::int32_t>(i)); });
    const auto v = output.to_vector();
    CHECK(std::vector<std::int32_t>(v.begin(), v.begin() + 5) == std::vector<std::int32_t>{0, 1, 2, 3, -1});
}

TEST_CASE("E20: one producer, 32 concurrent matmul readers")
{
    auto w = pl::create_tensor({64, 64}, pl::BF16).name("W");
    w = pl::assemble(w, pl::full({64, 64}, pl::BF16, 1.0f), {0, 0});
    auto y = pl::full({32, 64}, pl::FP32, 0.0f).name("y");
    collector c;
    pl::spmd(32, [&](pl::index b) {
        y = pl::assemble(y, pl::matmul(pl::full({1, 64}, pl::BF16, 1.0f), w, pl::FP32), {b, 0});
    });
    CHECK(c.clean());
    CHECK(pl::read(y, {31, 63}) == 64.0f);
}

TEST_CASE("E21: KV rows by slot_mapping: distinct slots legal, equal slots a WAW on that row")
{
    auto run = [](std::vector<std::int32_t> slots) {
        auto k_cache = pl::full({16, 64}, pl::BF16, 0.0f).name("k_cache");
        auto slot_mapping = ptoref::tensor_from<std::int32_t>({2}, slots).name("slot_mapping");
        collector c;
        pl::parallel(2, [&](pl::index b) {
            const auto row = pl::read(slot_mapping, {b});
            k_cache = pl::assemble(k_cache, pl::full({1, 64}, pl::BF16, 1.0f), {row, 0});
        });
        return c.races();
    };
    CHECK(run({3, 7}).empty());
    const auto r = run({5, 5});
    REQUIRE(r.size() == 1);
    CHECK(r[0].kind == race_kind::waw);
    CHECK(region(r[0]) == "k_cache[5, 0:64]");
}

TEST_CASE("E24: view geometry — reshape across ranks, zero-size views, transposed vs row blocks")
{
    { // (a) rows [1,2) of [4,16] vs elements [16,32) of a 1-D reshape: overlap
        auto e = pl::full({4, 16}, pl::FP32, 0.0f).name("e");
        collector c;
        pl::parallel(2, [&](pl::index i) {
            if (i == 0)
                e = pl::assemble(e, pl::full({1, 16}, pl::FP32, 1.0f), {1, 0});
            else
                (void)pl::neg(pl::slice(pl::reshape(e, {64}), {16}, {16}));
        });
        REQUIRE(c.races().size() == 1);
        CHECK(region(c.races()[0]) == "e[1, 0:16]");
    }
    { // (b) a zero-size view never overlaps
        auto z = pl::full({2, 4}, pl::FP32, 0.0f).name("z");
        collector c;
        pl::parallel(2, [&](pl::index) { z = pl::assemble(z, pl::full({2, 0}, pl::FP32, 1.0f), {0, 4}); });
        CHECK(c.clean());
    }
    { // (c) columns [0,4) of the transpose vs rows [8,12): exactly the 4x4 intersection
        auto m = pl::full({16, 16}, pl::FP32, 0.0f).name("m");
        collector c;
        pl::parallel(2, [&](pl::index i) {
            if (i == 0)
                (void)pl::neg(pl::slice(pl::transpose(m, 0, 1), {4, 16}, {0, 0})); // columns 0-3 of m
            else
                m = pl::assemble(m, pl::full({4, 16}, pl::FP32, 1.0f), {8, 0});
        });
        REQUIRE(c.races().size() == 1);
        CHECK(c.races()[0].kind == race_kind::war);
        CHECK(region(c.races()[0]) == "m[8:12, 0:4]");
        CHECK(c.races()[0].elements == 16);
    }
}

TEST_CASE("E25: a scalar map written with pl::write then read by spmd blocks")
{
    auto map = pl::full({1, 8}, pl::INT32, 0).name("pos_to_token");
    pl::range(8, [&](pl::index p) { map = pl::write(map, {0, p}, static_cast<std::int32_t>(7 - p)); });
    auto out = pl::full({8}, pl::INT32, 0).name("out");
    collector c;
    pl::spmd(8, [&](pl::index b) { out = pl::write(out, {b}, pl::read(map, {0, b})); });
    CHECK(c.clean());
    CHECK(out.to_vector()[0] == 7);
}

// Out of scope here, by design (docs/checks.md): E5 (allocator reuse while readers live: ptoref
// never reuses reachable storage), E22 (manual_dep without deps: only a runtime-ordering model
// can see it; the sequential program is legal), E23 (declared directions: ptoref derives every
// write from what ops actually store, so there is nothing to mis-declare).
