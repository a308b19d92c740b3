// The hazard catalogue (shared reference/hazards.md §3, E1-E25): each pattern expressible in this
// model (tensors, views, pl::parallel / pl::range / pl::spmd, assemble / write / read,
// create_tensor) as its own TEST_CASE, with the catalogue's verdict.
//   - Legal programs run under a check::collector and must stay silent (c.clean()); their
//     computed values are checked too.
//   - Illegal ones must be flagged with the exact record: tensor, kind, iteration paths and the
//     conflicting region as boxes in the buffer's own coordinates.
// What lies outside this model (docs/checks.md, "Out of scope"):
//   - runtime-ordering hazards of simpler's TensorMap: untracked WAR of plain INPUT readers (E4,
//     E16), unordered OUTPUT_EXISTING writers (E9, E14), manual_dep / no_dep / deps= (E21's
//     dropped deps, E22). Under reference semantics program order orders these accesses; the
//     runtime-ordering mode judges them (tests/check/test_tasks.cpp). Tasks' declared directions
//     (E23) and scalar writes missing from a task's footprint (E25) stay out of scope.
//   - hardware granularity and visibility: 64-byte line sharing of scalar stores (E18), mixed
//     MTE3/scalar store ordering (E19), store visibility (E17, E20). Element-disjoint accesses
//     are not a race here.
//   - allocator lifetime (E5): ptoref never reuses a buffer that is reachable, and identifies
//     buffers by id, never by address.
//   - cross-dtype aliasing (E24(d)): Tensor<T> is typed and reinterpret_view is a copy, so a
//     BF16 view and an FP32 view of one buffer cannot be made.
// Where such an item still has a sequential meaning (a result, or "no element race"), that is
// what its TEST_CASE checks.
#include <ptoref/ptoref.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

namespace pl = ptoref::pl;
using ptoref::dims;
using ptoref::check::collector;
using ptoref::check::race_kind;
using ptoref::check::race_record;
using path = std::vector<pl::index>;

namespace {

std::string region(const race_record& r)
{
    return ptoref::check::boxes_to_string(r.tensor, r.region);
}

std::string boxes(const std::vector<ptoref::check::box>& bs)
{
    std::string s;
    for (const auto& b : bs) {
        if (!s.empty()) // (not `"" + str`: g++ 12 -O2 reports a bogus -Wstringop-overflow for it)
            s += ' ';
        s += ptoref::check::to_string(b);
    }
    return s;
}

std::string site(int line)
{
    return "test_hazards.cpp:" + std::to_string(line);
}

std::vector<float> filled(std::size_t n, float v)
{
    return std::vector<float>(n, v);
}

} // namespace

// ---- E1 ---------------------------------------------------------------------------------------

namespace {
struct e1_result {
    std::vector<race_record> races;
    std::vector<float> out;
    std::vector<ptoref::check::loop_summary> loops;
};

// The seed program's shape (simpler#663): per batch b, sequential tokens pos write row b*S+pos of
// k_cache (two 32-column halves) and v_cache (whole row), read rows [b*S, b*S+S) with only the
// first pos+1 valid, and write attn_out[b, pos, :].
e1_result run_e1(const pl::schedule& sched)
{
    const int B = 2, S = 64, D = 64;
    auto k_cache = pl::full({B * S, D}, pl::BF16, 0.0f).name("k_cache");
    auto v_cache = pl::full({B * S, D}, pl::BF16, 0.0f).name("v_cache");
    auto out = pl::full({B, S, D}, pl::FP32, 0.0f).name("attn_out");
    ptoref::check::track_footprints({"k_cache", "v_cache"});
    e1_result res;
    {
        collector c;
        pl::parallel(0, B, 1, pl::on(sched), [&](pl::index b) {
            pl::range(S, [&](pl::index pos) {
                const float kval = static_cast<float>(b + 1) + static_cast<float>(pos) / 64.0f;
                auto lo = pl::full({1, D / 2}, pl::BF16, kval);
                k_cache = pl::assemble(k_cache, lo, {b * S + pos, 0});
                k_cache = pl::assemble(k_cache, lo, {b * S + pos, D / 2});
                v_cache = pl::assemble(v_cache, pl::full({1, D}, pl::BF16, 1.0f), {b * S + pos, 0});
                auto keys = pl::slice(k_cache, {S, D}, {b * S, 0}, {pos + 1, D});
                auto vals = pl::slice(v_cache, {S, D}, {b * S, 0}, {pos + 1, D});
                // Column sums of the valid rows (padding rows are filled with zero first).
                auto ksum = pl::row_sum(pl::transpose(pl::cast(pl::fillpad(keys), pl::FP32), 0, 1)); // [D, 1]
                auto vsum = pl::row_sum(pl::transpose(pl::cast(pl::fillpad(vals), pl::FP32), 0, 1));
                auto o = pl::add(ksum, vsum);
                out = pl::assemble(out, pl::reshape(o, {1, 1, D}), {b, pos, 0});
            });
        });
        res.races = c.races();
        res.loops = c.loops();
    }
    ptoref::check::track_footprints({});
    res.out = out.to_vector();
    return res;
}
} // namespace

TEST_CASE("E1: KV-cache assemble + slice in pl.parallel over batch (simpler#663) is legal")
{
    const e1_result seq = run_e1(pl::schedule::sequential());
    CHECK(seq.races.empty());
    // attn_out[b, pos, d] = sum over rows 0..pos of the key values + (pos + 1) ones.
    const int S = 64, D = 64;
    bool all_ok = true;
    for (int b = 0; b < 2; ++b)
        for (int pos = 0; pos < S; ++pos) {
            float k = 0.0f;
            for (int p = 0; p <= pos; ++p) {
                // Values are multiples of 1/64 below 3: exact in bf16 (8 significant bits).
                k += static_cast<float>(b + 1) + static_cast<float>(p) / 64.0f;
            }
            const float want = k + static_cast<float>(pos + 1);
            for (int d = 0; d < D; ++d)
                all_ok = all_ok && seq.out[static_cast<std::size_t>((b * S + pos) * D + d)] == want;
        }
    CHECK(all_ok);
    // The verdict the design asks for: per-iteration footprints rows [0,64) and [64,128).
    REQUIRE(seq.loops.size() == 1);
    CHECK(seq.loops[0].iterations == 2);
    CHECK(seq.loops[0].races == 0);
    REQUIRE(seq.loops[0].footprints.size() == 2);
    for (const auto& [name, per_iter] : seq.loops[0].footprints) {
        INFO(name);
        REQUIRE(per_iter.size() == 2);
        CHECK(per_iter[0].first == 0);
        CHECK(boxes(per_iter[0].second) == "[0:64, 0:64]");
        CHECK(per_iter[1].first == 1);
        CHECK(boxes(per_iter[1].second) == "[64:128, 0:64]");
    }
    // A race-free program's bits do not depend on the schedule.
    for (const pl::schedule& s : {pl::schedule::reverse(), pl::schedule::shuffled(5), pl::schedule::threads(2)}) {
        INFO(s.str());
        const e1_result r = run_e1(s);
        CHECK(r.races.empty());
        CHECK(r.out == seq.out);
    }
}

// ---- E2 ---------------------------------------------------------------------------------------

TEST_CASE("E2: N disjoint stripe writers then whole-tensor readers: no fan-in cap (16, 17, 100)")
{
    for (int n : {16, 17, 100}) {
        INFO("producers: " << n);
        auto tile = pl::full({16, 256 * n}, pl::FP32, -1.0f).name("mlp_tile");
        auto sums = pl::full({64, 16}, pl::FP32, 0.0f).name("sums");
        collector c;
        pl::parallel(0, n, 1, [&](pl::index i) {
            tile = pl::assemble(tile, pl::full({16, 256}, pl::FP32, static_cast<float>(i)), {0, 256 * i});
        });
        pl::parallel(0, 64, 1, [&](pl::index k) {
            // Every consumer reads the whole tile: it must see all n stripes.
            sums = pl::assemble(sums, pl::reshape(pl::row_sum(tile), {1, 16}), {k, 0});
        });
        CHECK(c.clean());
        const float want = 256.0f * static_cast<float>(n * (n - 1) / 2); // exact: integers < 2^24
        CHECK(sums.to_vector() == filled(64 * 16, want));
    }
}

// ---- E3 ---------------------------------------------------------------------------------------

TEST_CASE("E3: 256 per-head readers of the whole argument that read one head each: no race")
{
    const int H = 256;
    auto q = pl::full({4, H * 8}, pl::FP32, 0.0f).name("q_proj_fp32");
    collector c;
    pl::parallel(0, H, 1, [&](pl::index h) { // 256 disjoint writers
        q = pl::assemble(q, pl::full({4, 8}, pl::FP32, static_cast<float>(h)), {0, h * 8});
    });
    auto out = pl::full({4, H * 8}, pl::FP32, 0.0f).name("out");
    pl::parallel(0, H, 1, [&](pl::index h0) {
        const pl::Tensor<float> whole = q;                 // the task's argument is the whole tensor...
        auto head = pl::slice(whole, {4, 8}, {0, h0 * 8}); // ...the kernel reads head h0 only
        out = pl::assemble(out, pl::mul(head, 2.0), {0, h0 * 8});
    });
    CHECK(c.clean());
    CHECK(pl::read(out, {3, 255 * 8 + 7}) == 510.0f);
    CHECK(pl::read(out, {0, 8}) == 2.0f);
}

// ---- E4 ---------------------------------------------------------------------------------------

TEST_CASE("E4: a buffer rewritten then read per band: legal under pl.range, a race under pl.parallel")
{
    auto run = [](bool parallel, int& assemble_line) {
        auto buf = pl::create_tensor({16, 64}, pl::FP32).name("buf");
        auto x = pl::full({2, 16, 64}, pl::FP32, 0.0f).name("x");
        x = pl::assemble(x, pl::full({1, 16, 64}, pl::FP32, 5.0f), {1, 0, 0});
        auto out = pl::full({2, 16, 64}, pl::FP32, 0.0f).name("out");
        auto body = [&](pl::index b) {
            assemble_line = __LINE__ + 1; // W_b: buf = buf * 0 + x[b]
            buf = pl::assemble(buf, pl::reshape(pl::slice(x, {1, 16, 64}, {b, 0, 0}), {16, 64}), {0, 0});
            out = pl::assemble(out, pl::reshape(pl::add(buf, 1.0), {1, 16, 64}), {b, 0, 0}); // R_b
        };
        collector c;
        if (parallel)
            pl::parallel(2, body);
        else
            pl::range(2, body);
        return std::make_pair(c.races(), out.to_vector());
    };
    int line = 0;
    auto [seq, values] = run(false, line);
    CHECK(seq.empty());
    // out[b] = f(x[b]): 1 for band 0, 6 for band 1.
    CHECK(std::vector<float>(values.begin(), values.begin() + 1024) == filled(1024, 1.0f));
    CHECK(std::vector<float>(values.begin() + 1024, values.end()) == filled(1024, 6.0f));

    auto [par, unused] = run(true, line);
    REQUIRE(par.size() == 1); // iteration 1 overwrites all of what iteration 0 wrote and read
    const race_record& r = par[0];
    CHECK(r.tensor == "buf");
    CHECK(r.kind == race_kind::waw);
    CHECK(r.loop == "pl.parallel");
    CHECK(r.first_iteration == path{0});
    CHECK(r.second_iteration == path{1});
    CHECK(r.first.op == "pl::assemble");
    CHECK(r.second.op == "pl::assemble");
    CHECK(to_string(r.second.where) == site(line));
    CHECK(region(r) == "buf[0:16, 0:64]");
    CHECK(r.elements == 1024);
}

// ---- E5 ---------------------------------------------------------------------------------------

// The race was allocator reuse of a fresh output's address while a reader still used it; ptoref
// never frees a reachable buffer and names buffers by id (not address), so the sequential
// per-block temporaries below, freed and reallocated every block, are judged as what they are.
TEST_CASE("E5: fresh per-block outputs inside a parallel loop (scope-guard address reuse) are legal")
{
    auto q = pl::full({8, 8}, pl::FP32, 1.0f).name("q");
    auto k = pl::full({16, 8}, pl::FP32, 0.5f).name("k_cache");
    auto out = pl::full({8, 1}, pl::FP32, 0.0f).name("out");
    collector c;
    pl::parallel(2, [&](pl::index h) {
        auto oi = pl::full({4, 1}, pl::FP32, 0.0f);
        pl::range(4, [&](pl::index blk) {
            // sij: a fresh output per block, read by the block's softmax-prepare step.
            auto sij =
                pl::matmul(pl::slice(q, {4, 8}, {h * 4, 0}), pl::slice(k, {4, 8}, {blk * 4, 0}), pl::FP32, false, true);
            oi = pl::add(oi, pl::row_max(sij));
        });
        out = pl::assemble(out, oi, {h * 4, 0});
    });
    CHECK(c.clean());
    CHECK(out.to_vector() == filled(8, 16.0f)); // 4 blocks of max(8 * 0.5)
}

// ---- E6 ---------------------------------------------------------------------------------------

TEST_CASE("E6: create_tensor carried through a chunked pl.parallel keeps every stripe")
{
    auto resid = pl::create_tensor({16, 5120}, pl::FP32).name("resid1_tile");
    collector c;
    pl::parallel(0, 10, 1, pl::chunk(2), [&](pl::index ob) {
        resid = pl::assemble(resid, pl::full({16, 512}, pl::FP32, static_cast<float>(ob)), {0, ob * 512});
    });
    CHECK(c.clean());
    ptoref::check::require_defined(resid, "resid1_tile"); // all ten stripes present
    auto norm = pl::row_sum(resid);                       // the RMSNorm-style reader of the whole tile
    CHECK(c.clean());
    CHECK(norm.to_vector() == filled(16, 512.0f * 45.0f));
}

// ---- E7 ---------------------------------------------------------------------------------------

TEST_CASE("E7: acc = acc + x[i] carried through pl.parallel is a race; through pl.range it is fine")
{
    auto x = pl::full({4, 8}, pl::FP32, 1.0f).name("x");
    {
        auto acc = pl::full({1, 8}, pl::FP32, 0.0f).name("acc");
        collector c;
        pl::range(4, [&](pl::index i) { acc = pl::add(acc, pl::slice(x, {1, 8}, {i, 0})); });
        CHECK(c.clean());
        CHECK(acc.to_vector() == filled(8, 4.0f));
    }
    auto acc = pl::full({1, 8}, pl::FP32, 0.0f).name("acc");
    collector c;
    const int add_line = __LINE__ + 1;
    pl::parallel(4, [&](pl::index i) { acc = pl::add(acc, pl::slice(x, {1, 8}, {i, 0})); });
    // Iteration i reads the value iteration i-1 created: one RAW per consecutive pair, each on the
    // carried buffer (named by the op that made it, since it has no name).
    REQUIRE(c.races().size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
        const race_record& r = c.races()[k];
        const auto i = static_cast<pl::index>(k);
        INFO(r.str());
        CHECK(r.tensor == "<pl::add result from " + site(add_line) + ">");
        CHECK(r.kind == race_kind::raw);
        CHECK(r.first_iteration == path{i});
        CHECK(r.second_iteration == path{i + 1});
        CHECK(r.first.op == "pl::add"); // the creation of the value ...
        CHECK(r.first.kind == ptoref::access_kind::write);
        CHECK(r.second.op == "pl::add"); // ... and its read by the next iteration
        CHECK(r.second.kind == ptoref::access_kind::read);
        CHECK(r.region.size() == 1);
        CHECK(ptoref::check::to_string(r.region[0]) == "[0, 0:8]");
        CHECK(r.elements == 8);
    }
}

TEST_CASE("E7: without a collector the carried accumulator throws race_error")
{
    auto x = pl::full({4, 8}, pl::FP32, 1.0f).name("x");
    auto acc = pl::full({1, 8}, pl::FP32, 0.0f).name("acc");
    CHECK_THROWS_AS(pl::parallel(4,
                                 [&](pl::index i) {
                                     acc = pl::add(acc, pl::slice(x, {1, 8}, {i, 0}));
                                 }),
                    ptoref::race_error);
}

// ---- E8 ---------------------------------------------------------------------------------------

TEST_CASE("E8: disjoint column blocks; two consecutive parallel loops; parallel inside range")
{
    auto q = pl::full({16, 512}, pl::FP32, 0.0f).name("q_proj");
    collector c;
    pl::parallel(8, [&](pl::index ob) {
        q = pl::assemble(q, pl::full({16, 64}, pl::FP32, static_cast<float>(ob)), {0, ob * 64});
    });
    // A second loop over the same buffer is ordered after the first: no race between loops.
    pl::parallel(8, [&](pl::index ob) {
        auto mine = pl::slice(q, {16, 64}, {0, ob * 64});
        q = pl::assemble(q, pl::add(mine, 100.0), {0, ob * 64});
    });
    pl::range(3, [&](pl::index r) { // outer iterations are sequential
        pl::parallel(8, [&](pl::index ob) {
            q = pl::assemble(q, pl::add(pl::slice(q, {16, 64}, {0, ob * 64}), static_cast<float>(r)), {0, ob * 64});
        });
    });
    CHECK(c.clean());
    REQUIRE(c.loops().size() == 5); // 1 + 1 + 3 instances
    for (const auto& l : c.loops()) {
        CHECK(l.races == 0);
        CHECK(l.iterations == 8);
    }
    CHECK(c.loops()[2].outer_path == path{0});
    CHECK(c.loops()[4].outer_path == path{2});
    for (int ob = 0; ob < 8; ++ob)
        CHECK(pl::read(q, {15, ob * 64 + 63}) == static_cast<float>(ob) + 103.0f);
}

// ---- E9 ---------------------------------------------------------------------------------------

namespace {
// kernel(x[64], out: Out[64]) stores x into all of out.
pl::Tensor<float> e9_kernel(const pl::Tensor<float>& x, const pl::Tensor<float>& out)
{
    return pl::assemble(out, x, {0});
}
} // namespace

TEST_CASE("E9: a parameter-rooted Out rewritten by sequential calls: no race, last write wins")
{
    auto dst = pl::full({64}, pl::FP32, -1.0f).name("dst");
    collector c;
    pl::range(4, [&](pl::index i) { dst = e9_kernel(pl::full({64}, pl::FP32, static_cast<float>(i)), dst); });
    CHECK(dst.to_vector() == filled(64, 3.0f));
    // The two-sibling-calls form.
    dst = e9_kernel(pl::full({64}, pl::FP32, 7.0f), dst);
    dst = e9_kernel(pl::full({64}, pl::FP32, 8.0f), dst);
    CHECK(dst.to_vector() == filled(64, 8.0f));
    CHECK(c.clean());
}

// ---- E10 --------------------------------------------------------------------------------------

namespace {
template <class RowOf>
std::vector<race_record> e10_parallel(RowOf row_of)
{
    auto out = pl::full({64, 64}, pl::FP32, 0.0f).name("out");
    collector c;
    pl::parallel(4, [&](pl::index i) {
        out = pl::assemble(out, pl::full({16, 64}, pl::FP32, static_cast<float>(i + 1)), {row_of(i), 0});
    });
    return c.races();
}

template <class RowOf>
std::vector<float> e10_range(RowOf row_of)
{
    auto out = pl::full({64, 64}, pl::FP32, 0.0f).name("out");
    collector c;
    pl::range(4, [&](pl::index i) {
        out = pl::assemble(out, pl::full({16, 64}, pl::FP32, static_cast<float>(i + 1)), {row_of(i), 0});
    });
    CHECK(c.clean());
    std::vector<float> first_col;
    for (int r = 0; r < 64; ++r)
        first_col.push_back(pl::read(out, {r, 0}));
    return first_col;
}

std::vector<float> rows_of(std::initializer_list<std::pair<int, float>> runs)
{
    std::vector<float> v;
    for (const auto& [n, value] : runs)
        v.insert(v.end(), static_cast<std::size_t>(n), value);
    return v;
}
} // namespace

TEST_CASE("E10: variable-offset [16,64] stores at row S*i: (a) S=16 disjoint, (b) S=8 overlapping, (c) (i//2)*16")
{
    auto a = [](pl::index i) { return 16 * i; };
    auto b = [](pl::index i) { return 8 * i; };
    auto cc = [](pl::index i) { return (i / 2) * 16; };

    SECTION("under pl.range all three are legal and the last writer wins")
    {
        CHECK(e10_range(a) == rows_of({{16, 1}, {16, 2}, {16, 3}, {16, 4}}));
        CHECK(e10_range(b) == rows_of({{8, 1}, {8, 2}, {8, 3}, {16, 4}, {24, 0}}));
        CHECK(e10_range(cc) == rows_of({{16, 2}, {16, 4}, {32, 0}}));
    }
    SECTION("under pl.parallel (a) is race-free")
    {
        CHECK(e10_parallel(a).empty());
    }
    SECTION("under pl.parallel (b) is a WAW on rows [8i+8, 8i+16) between i and i+1")
    {
        const auto r = e10_parallel(b);
        REQUIRE(r.size() == 3);
        for (std::size_t k = 0; k < r.size(); ++k) {
            const auto i = static_cast<pl::index>(k);
            INFO(r[k].str());
            CHECK(r[k].tensor == "out");
            CHECK(r[k].kind == race_kind::waw);
            CHECK(r[k].first_iteration == path{i});
            CHECK(r[k].second_iteration == path{i + 1});
            CHECK(region(r[k]) == "out[" + std::to_string(8 * i + 8) + ":" + std::to_string(8 * i + 16) + ", 0:64]");
            CHECK(r[k].elements == 8 * 64);
        }
    }
    SECTION("under pl.parallel (c) is a WAW between 2k and 2k+1 on their shared rows")
    {
        const auto r = e10_parallel(cc);
        REQUIRE(r.size() == 2);
        CHECK(r[0].kind == race_kind::waw);
        CHECK(r[0].first_iteration == path{0});
        CHECK(r[0].second_iteration == path{1});
        CHECK(region(r[0]) == "out[0:16, 0:64]");
        CHECK(r[1].kind == race_kind::waw);
        CHECK(r[1].first_iteration == path{2});
        CHECK(r[1].second_iteration == path{3});
        CHECK(region(r[1]) == "out[16:32, 0:64]");
    }
}

// ---- E11 --------------------------------------------------------------------------------------

TEST_CASE("E11: spmd blocks slice a chunk and assemble it into out: no race, out == a")
{
    std::vector<float> values(64 * 64);
    std::iota(values.begin(), values.end(), 0.0f);
    auto a = ptoref::tensor_from<float>({64, 64}, values).name("a");
    auto out = pl::full({64, 64}, pl::FP32, 0.0f).name("out");
    collector c;
    pl::spmd(4, [&](pl::index n0) {
        auto chunk = pl::slice(a, {16, 64}, {n0 * 16, 0});
        out = pl::assemble(out, chunk, {n0 * 16, 0});
    });
    CHECK(c.clean());
    CHECK(out.to_vector() == values);
    // SPMD blocks are judged like parallel iterations: overlapping chunks would be reported.
    pl::spmd(4, [&](pl::index n0) { out = pl::assemble(out, pl::slice(a, {16, 64}, {n0 * 16, 0}), {n0 * 8, 0}); });
    REQUIRE(c.races().size() == 3);
    CHECK(c.races()[0].loop == "pl.spmd");
    CHECK(region(c.races()[0]) == "out[8:16, 0:64]");
}

// ---- E12 --------------------------------------------------------------------------------------

TEST_CASE("E12: a private K-loop accumulation (matmul_acc) per chunked parallel iteration, then assemble")
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
    CHECK(qr.to_vector() == filled(16 * 128, 128.0f));
}

// ---- E13 --------------------------------------------------------------------------------------

TEST_CASE("E13: x[0] vs x[1] of a rank-major [2,N] tensor; x[:,0:4] vs x[:,8:12] of [4,16]: no race")
{
    auto x = pl::full({2, 16}, pl::FP32, 0.0f).name("x");
    auto y = pl::full({4, 16}, pl::FP32, 0.0f).name("y");
    collector c;
    pl::parallel(2, [&](pl::index r) {
        x = pl::assemble(x, pl::full({16}, pl::FP32, static_cast<float>(r + 1)), {r, 0}); // lower-rank source
        y = pl::assemble(y, pl::full({4, 4}, pl::FP32, static_cast<float>(r + 1)), {0, r * 8});
        (void)pl::row_sum(pl::slice(y, {4, 4}, {0, r * 8})); // bounding byte ranges interleave
    });
    CHECK(c.clean());
    CHECK(pl::read(x, {0, 15}) == 1.0f);
    CHECK(pl::read(x, {1, 0}) == 2.0f);
    CHECK(pl::read(y, {3, 3}) == 1.0f);
    CHECK(pl::read(y, {3, 4}) == 0.0f);
    CHECK(pl::read(y, {0, 11}) == 2.0f);
}

// ---- E14 --------------------------------------------------------------------------------------

// The unordered OUTPUT writers are a runtime-ordering hazard (out of scope); sequentially the
// reader sees W2's data.
TEST_CASE("E14: W1 and W2 write X, then R reads X: R sees W2")
{
    auto x = pl::create_tensor({8}, pl::FP32).name("X");
    collector c;
    x = pl::assemble(x, pl::full({8}, pl::FP32, 1.0f), {0}); // W1
    x = pl::assemble(x, pl::full({8}, pl::FP32, 2.0f), {0}); // W2
    auto r = pl::mul(x, 1.0);                                // R
    CHECK(c.clean());
    CHECK(r.to_vector() == filled(8, 2.0f));
}

// ---- E15 --------------------------------------------------------------------------------------

TEST_CASE("E15: task A writes a fresh T, task B reads it, in each parallel iteration: RAW holds, no race")
{
    auto out = pl::full({4, 4}, pl::INT32, 0).name("out");
    collector c;
    pl::parallel(4, [&](pl::index i) {
        auto t = pl::create_tensor({1, 4}, pl::INT32).name("T");                       // alloc_tensors
        t = pl::assemble(t, pl::full({1, 4}, pl::INT32, static_cast<int>(i)), {0, 0}); // A (topk)
        out = pl::assemble(out, pl::add(t, 10), {i, 0});                               // B (reader)
    });
    CHECK(c.clean());
    CHECK(pl::read(out, {3, 3}) == 13);
    CHECK(pl::read(out, {0, 0}) == 10);
}

// ---- E16 --------------------------------------------------------------------------------------

TEST_CASE("E16: WAR through two reshapes of one tensor: legal in order, aliasing decided per element")
{
    SECTION("sequential: the gather sees the old values, the write lands, the old handle is stale")
    {
        auto kv = pl::full({4, 16}, pl::FP32, 1.0f).name("kv_cache");
        collector c;
        auto gathered = pl::mul(pl::reshape(kv, {64}), 1.0); // R: a pure read through one reshape
        auto flat = pl::reshape(kv, {2, 32});
        flat = pl::assemble(flat, pl::full({1, 32}, pl::FP32, 9.0f), {0, 0}); // W: through another
        CHECK(c.clean());
        CHECK(gathered.to_vector() == filled(64, 1.0f));
        CHECK(pl::read(flat, {0, 31}) == 9.0f);
        CHECK(c.clean());
        (void)pl::read(kv, {1, 15}); // kv's handle predates the write of that element
        REQUIRE(c.stale().size() == 1);
        CHECK(ptoref::check::boxes_to_string(c.stale()[0].tensor, c.stale()[0].region) == "kv_cache[1, 15]");
    }
    SECTION("parallel: each iteration reads and rewrites its own rows through different reshapes")
    {
        auto kv = pl::full({4, 16}, pl::FP32, 1.0f).name("kv_cache");
        collector c;
        pl::parallel(2, [&](pl::index b) {
            auto rows = pl::slice(pl::reshape(kv, {64}), {32}, {32 * b}); // rows 2b, 2b+1
            auto v = pl::add(rows, 1.0);
            auto as2x32 = pl::reshape(kv, {2, 32});
            kv = pl::reshape(pl::assemble(as2x32, pl::reshape(v, {1, 32}), {b, 0}), {4, 16});
        });
        CHECK(c.clean());
        CHECK(kv.to_vector() == filled(64, 2.0f));
    }
    SECTION("parallel: a write through one reshape of rows another iteration reads through another is a WAR")
    {
        auto kv = pl::full({4, 16}, pl::FP32, 1.0f).name("kv_cache");
        collector c;
        pl::parallel(2, [&](pl::index b) {
            if (b == 0) {
                (void)pl::neg(pl::slice(pl::reshape(kv, {64}), {24}, {20})); // kv rows 1-2, cols 4..16 / 0..12
            } else {
                auto as2x32 = pl::reshape(kv, {2, 32});
                (void)pl::assemble(as2x32, pl::full({1, 32}, pl::FP32, 0.0f), {1, 0}); // kv rows 2-3
            }
        });
        REQUIRE(c.races().size() == 1);
        const race_record& r = c.races()[0];
        CHECK(r.kind == race_kind::war);
        CHECK(r.first_iteration == path{0});
        CHECK(r.second_iteration == path{1});
        CHECK(region(r) == "kv_cache[2, 0:12]"); // flat [32, 44): regions in the root [4, 16] coordinates
        CHECK(r.elements == 12);
    }
}

// ---- E17 --------------------------------------------------------------------------------------

TEST_CASE("E17: disjoint row writers that read back their own rows, then a whole-tensor reader")
{
    auto normed = pl::create_tensor({64, 512}, pl::FP32).name("normed_kv");
    auto tails = pl::full({64, 1}, pl::FP32, 0.0f).name("tails");
    collector c;
    pl::parallel(4, [&](pl::index idx) {
        normed = pl::assemble(normed, pl::full({16, 512}, pl::FP32, static_cast<float>(idx)), {16 * idx, 0});
        auto back = pl::row_sum(pl::slice(normed, {16, 64}, {16 * idx, 448})); // the GM round trip
        tails = pl::assemble(tails, back, {16 * idx, 0});
    });
    auto all = pl::row_sum(normed); // downstream reader
    CHECK(c.clean());
    CHECK(pl::read(tails, {63, 0}) == 3.0f * 64.0f);
    CHECK(pl::read(all, {17, 0}) == 512.0f);
}

// ---- E18 --------------------------------------------------------------------------------------

// Line-granular sharing (16 int32 in one 64-byte line) is hardware granularity: out of scope.
// Element-disjoint scalar writes are not an element race, at any row stride.
TEST_CASE("E18: element-disjoint scalar writes sharing a 64-byte line are not an element race")
{
    for (int cols : {1, 8, 16}) {
        INFO("row stride " << cols * 4 << " bytes");
        auto out = pl::full({16, cols}, pl::INT32, 0).name("out");
        collector c;
        pl::spmd(16, [&](pl::index e) { out = pl::write(out, {e, 0}, 12345); });
        CHECK(c.clean());
        for (int e = 0; e < 16; ++e)
            CHECK(pl::read(out, {e, 0}) == 12345);
    }
}

// ---- E19 --------------------------------------------------------------------------------------

// Mixed tile/scalar store ordering is a hardware matter (out of scope); the sequential result is
// [0, 1, 2, 3, -1, ...].
TEST_CASE("E19: a tile store followed by scalar stores to one tensor: the sequential result")
{
    auto output = pl::create_tensor({1, 32}, pl::INT32).name("output");
    collector c;
    output = pl::assemble(output, pl::full({1, 32}, pl::INT32, -1), {0, 0});
    pl::range(4, [&](pl::index i) { output = pl::write(output, {0, i}, static_cast<std::int32_t>(i)); });
    CHECK(c.clean());
    std::vector<std::int32_t> want(32, -1);
    for (int i = 0; i < 4; ++i)
        want[static_cast<std::size_t>(i)] = i;
    CHECK(output.to_vector() == want);
    ptoref::check::require_defined(output, "output");
    CHECK(c.clean());
}

// ---- E20 --------------------------------------------------------------------------------------

// Store visibility is a hardware/runtime matter (out of scope): the edge exists, so no race.
TEST_CASE("E20: one producer of W, 32 concurrent SPMD matmul readers")
{
    auto w = pl::create_tensor({64, 64}, pl::BF16).name("W");
    collector c;
    w = pl::assemble(w, pl::full({64, 64}, pl::BF16, 1.0f), {0, 0});
    auto y = pl::full({32, 64}, pl::FP32, 0.0f).name("y");
    pl::spmd(32, [&](pl::index b) {
        auto xb = pl::full({1, 64}, pl::BF16, static_cast<float>(b));
        y = pl::assemble(y, pl::matmul(xb, w, pl::FP32), {b, 0});
    });
    CHECK(c.clean());
    CHECK(pl::read(y, {31, 63}) == 31.0f * 64.0f);
    CHECK(pl::read(y, {0, 0}) == 0.0f);
}

// ---- E21 --------------------------------------------------------------------------------------

namespace {
std::vector<race_record> e21_slots(std::vector<std::int32_t> slots, bool read_other_batch)
{
    auto k_cache = pl::full({16, 64}, pl::BF16, 0.0f).name("k_cache");
    auto slot_mapping = ptoref::tensor_from<std::int32_t>({2}, slots).name("slot_mapping");
    auto out = pl::full({2, 64}, pl::FP32, 0.0f).name("out");
    collector c;
    pl::parallel(2, [&](pl::index b) {
        const std::int32_t row = pl::read(slot_mapping, {b});
        k_cache = pl::assemble(k_cache, pl::full({1, 64}, pl::BF16, static_cast<float>(b + 1)), {row, 0});
        // The reader: its own batch's row (ordered after the write by program order, as deps=
        // orders it on the device), or the other batch's row (nothing orders that).
        const std::int32_t src = read_other_batch ? pl::read(slot_mapping, {1 - b}) : row;
        out = pl::assemble(out, pl::cast(pl::slice(k_cache, {1, 64}, {src, 0}), pl::FP32), {b, 0});
    });
    if (!read_other_batch && c.clean() && slots[0] != slots[1]) {
        CHECK(pl::read(out, {0, 0}) == 1.0f);
        CHECK(pl::read(out, {1, 63}) == 2.0f);
    }
    return c.races();
}
} // namespace

TEST_CASE("E21: KV rows written at slot_mapping[b] under asserted disjointness")
{
    SECTION("in-tree form: disjoint column stripes, read by the same iteration")
    {
        auto gate = pl::full({16, 256}, pl::FP32, 0.0f).name("gate_acc_all");
        auto act = pl::full({16, 256}, pl::FP32, 0.0f).name("act");
        collector c;
        pl::parallel(4, [&](pl::index n_out) {
            gate = pl::assemble(gate, pl::full({16, 64}, pl::FP32, static_cast<float>(n_out)), {0, n_out * 64});
            act = pl::assemble(act, pl::mul(pl::slice(gate, {16, 64}, {0, n_out * 64}), 2.0), {0, n_out * 64});
        });
        CHECK(c.clean());
        CHECK(pl::read(act, {15, 255}) == 6.0f);
    }
    SECTION("slot_mapping = [3, 7]: distinct slots, no race")
    {
        CHECK(e21_slots({3, 7}, false).empty());
    }
    SECTION("slot_mapping = [5, 5]: a WAW between the batches on row 5")
    {
        const auto r = e21_slots({5, 5}, false);
        REQUIRE(r.size() == 1);
        CHECK(r[0].tensor == "k_cache");
        CHECK(r[0].kind == race_kind::waw);
        CHECK(r[0].first_iteration == path{0});
        CHECK(r[0].second_iteration == path{1});
        CHECK(region(r[0]) == "k_cache[5, 0:64]");
        CHECK(r[0].elements == 64);
    }
    SECTION("a reader of the other batch's slot is unordered with its writer: RAW and WAR")
    {
        const auto r = e21_slots({3, 7}, true);
        REQUIRE(r.size() == 2);
        // Iteration 0 reads row 7 before iteration 1 writes it; iteration 1 reads row 3 that
        // iteration 0 wrote.
        CHECK(r[0].kind == race_kind::raw);
        CHECK(region(r[0]) == "k_cache[3, 0:64]");
        CHECK(r[0].first_iteration == path{0});
        CHECK(r[0].second_iteration == path{1});
        CHECK(r[1].kind == race_kind::war);
        CHECK(region(r[1]) == "k_cache[7, 0:64]");
    }
}

// ---- E22 --------------------------------------------------------------------------------------

// manual_dep without deps= is invisible to reference semantics (out of scope: only a runtime
// ordering model sees it). The sequential program is legal; its result is checked.
TEST_CASE("E22: tensor_claim: four row-block writers of scratch then a reader of all rows")
{
    auto scratch = pl::create_tensor({256, 128}, pl::FP32).name("scratch");
    collector c;
    pl::range(4, [&](pl::index i) {
        scratch = pl::assemble(scratch, pl::full({64, 128}, pl::FP32, static_cast<float>(i)), {64 * i, 0});
    });
    auto copy = pl::mul(scratch, 1.0);
    ptoref::check::require_defined(copy, "copy");
    CHECK(c.clean());
    for (int i = 0; i < 4; ++i)
        CHECK(pl::read(copy, {64 * i + 63, 127}) == static_cast<float>(i));
}

// ---- E23 --------------------------------------------------------------------------------------

// Declared directions do not exist here: writes are what ops store. The carried handle `acc` is
// current; `dst`, the handle the writes superseded, is reported as stale if read.
TEST_CASE("E23: acc = dst; acc = kernel(x, acc) in pl.range: writes derived from stores")
{
    auto x = pl::full({64}, pl::FP32, 4.0f).name("x");
    auto dst = pl::full({64}, pl::FP32, 0.0f).name("dst");
    collector c;
    auto acc = dst;
    pl::range(4, [&](pl::index i) { acc = e9_kernel(pl::add(x, static_cast<float>(i)), acc); });
    CHECK(c.clean());
    CHECK(acc.to_vector() == filled(64, 7.0f));
    CHECK(dst.to_vector() == filled(64, 7.0f)); // one buffer: the write is not hidden
    (void)pl::neg(dst);                         // a program reading the pre-loop version
    REQUIRE(c.stale().size() == 1);
    CHECK(c.stale()[0].tensor == "dst");
    CHECK(c.stale()[0].handle_version == 0);
    CHECK(c.stale()[0].write_version == 4);
    CHECK(c.stale()[0].elements == 64);
}

// ---- E24 --------------------------------------------------------------------------------------

// (d), a BF16 view and an FP32 view of one buffer, is not expressible (typed tensors, no
// reinterpret_view).
TEST_CASE("E24: view geometry: different ranks, zero-size views, transposed vs row blocks")
{
    SECTION("(a) rows [1,2) of [4,16] vs elements [16,32) of its 1-D reshape overlap")
    {
        auto e = pl::full({4, 16}, pl::FP32, 0.0f).name("e");
        collector c;
        pl::parallel(2, [&](pl::index i) {
            if (i == 0)
                e = pl::assemble(e, pl::full({1, 16}, pl::FP32, 1.0f), {1, 0});
            else
                (void)pl::neg(pl::slice(pl::reshape(e, {64}), {16}, {16}));
        });
        REQUIRE(c.races().size() == 1);
        CHECK(c.races()[0].kind == race_kind::raw);
        CHECK(region(c.races()[0]) == "e[1, 0:16]");
        CHECK(c.races()[0].elements == 16);
        // One element further along the 1-D view does not reach row 1.
        pl::parallel(2, [&](pl::index i) {
            if (i == 0)
                e = pl::assemble(e, pl::full({1, 16}, pl::FP32, 1.0f), {1, 0});
            else
                (void)pl::neg(pl::slice(pl::reshape(e, {64}), {16}, {32}));
        });
        CHECK(c.races().size() == 1);
    }
    SECTION("(b) zero-size views, even at an offset at the end, never overlap anything")
    {
        auto z = pl::full({2, 4}, pl::FP32, 0.0f).name("z");
        collector c;
        pl::parallel(2, [&](pl::index i) {
            z = pl::assemble(z, pl::full({2, 0}, pl::FP32, 1.0f), {0, 4});
            (void)pl::neg(pl::slice(z, {0, 4}, {2, 0}));
            z = pl::assemble(z, pl::full({1, 4}, pl::FP32, 1.0f), {i, 0}); // and a real disjoint write
        });
        CHECK(c.clean());
        CHECK(z.to_vector() == filled(8, 1.0f));
    }
    SECTION("(c) columns [0,4) through a transpose vs rows [8,12) overlap exactly at the 4x4 block")
    {
        auto m = pl::full({16, 16}, pl::FP32, 0.0f).name("m");
        collector c;
        pl::parallel(2, [&](pl::index i) {
            if (i == 0)
                (void)pl::neg(pl::slice(pl::transpose(m, 0, 1), {4, 16}, {0, 0})); // columns 0-3 of m
            else
                m = pl::assemble(m, pl::full({4, 16}, pl::FP32, 1.0f), {8, 0});
        });
        REQUIRE(c.races().size() == 1);
        CHECK(c.races()[0].tensor == "m");
        CHECK(c.races()[0].kind == race_kind::war);
        CHECK(region(c.races()[0]) == "m[8:12, 0:4]");
        CHECK(c.races()[0].elements == 16);
    }
}

// ---- E25 --------------------------------------------------------------------------------------

// Whether a scalar write is part of the writing task's footprint is a runtime matter (out of
// scope); here pl::write is an in-place write like assemble, and the readers see it.
TEST_CASE("E25: a pos_to_token map written with pl::write, then read by spmd blocks")
{
    auto map = pl::full({1, 8}, pl::INT32, 0).name("pos_to_token");
    collector c;
    pl::range(8, [&](pl::index p) { map = pl::write(map, {0, p}, static_cast<std::int32_t>(7 - p)); });
    auto out = pl::full({8}, pl::INT32, 0).name("out");
    pl::spmd(8, [&](pl::index b) { out = pl::write(out, {b}, pl::read(map, {0, b})); });
    CHECK(c.clean());
    CHECK(out.to_vector() == std::vector<std::int32_t>{7, 6, 5, 4, 3, 2, 1, 0});
    // A block that rewrote the map while others read it would be a race.
    pl::spmd(2, [&](pl::index b) {
        if (b == 0)
            map = pl::write(map, {0, 1}, 99);
        else
            (void)pl::read(map, {0, 1});
    });
    REQUIRE(c.races().size() == 1);
    CHECK(c.races()[0].kind == race_kind::raw);
    CHECK(region(c.races()[0]) == "pos_to_token[0, 1]");
}
