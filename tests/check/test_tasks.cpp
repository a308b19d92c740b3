// The runtime-ordering mode (check/tasks.hpp, check/runtime_ordering.hpp, parallel/tasks.hpp):
// the hazards of reference/hazards.md §3 that only the runtime's ordering rules expose (E4, E9,
// E14, E16, E21, E22, E24) and their legal twins, each run in both modes: program order (the
// default; must stay silent, values checked) and runtime ordering (the exact records, with the
// report text pinned for E4). Plus the rules one by one: tags by pypto's rules, TaskIds
// carried out of pl.parallel, manual scopes, spmd blocks, errors.
#include <ptoref/ptoref.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pl = ptoref::pl;
namespace check = ptoref::check;
using check::arg_tag;
using check::collector;
using check::ordering_record;
using check::race_kind;
using ptoref::dims;

namespace {

struct verdicts {
    bool program_clean = false; // program order: no finding of any kind
    std::vector<check::race_record> program_races;
    std::vector<ordering_record> runtime; // runtime ordering: the unordered pairs
    bool runtime_other_clean = false;     // runtime ordering: nothing else found
};

// Runs the program in both modes (fresh tensors each time).
verdicts both(const std::function<void()>& program)
{
    verdicts v;
    {
        collector c;
        program();
        v.program_clean = c.clean();
        v.program_races = c.races();
    }
    {
        collector c;
        check::runtime_ordering_run run;
        program();
        run.finish();
        v.runtime = c.orderings();
        v.runtime_other_clean = c.races().empty() && c.undefined().empty() && c.stale().empty();
    }
    return v;
}

std::string region(const ordering_record& r)
{
    return check::boxes_to_string(r.tensor, r.region);
}

bool has(const std::string& s, const std::string& part)
{
    return s.find(part) != std::string::npos;
}

std::string at_line(int line)
{
    return "test_tasks.cpp:" + std::to_string(line);
}

} // namespace

// ---- E4 ---------------------------------------------------------------------------------------

TEST_CASE("E4: a loop-carried buffer rewritten after a plain-INPUT read: the runtime's lost WAR")
{
    int w_line = 0, r_line = 0;
    std::vector<float> out_values;
    auto program = [&](bool fence) {
        return [&, fence] {
            auto buf = pl::create_tensor({16, 64}, pl::FP32).name("buf");
            auto x = pl::full({2, 16, 64}, pl::FP32, 0.0f).name("x");
            x = pl::assemble(x, pl::full({1, 16, 64}, pl::FP32, 5.0f), {1, 0, 0});
            auto out = pl::full({2, 16, 64}, pl::FP32, 0.0f).name("out");
            pl::task_id last_read = 0;
            pl::range(2, [&](pl::index b) {
                std::vector<pl::task_id> deps;
                if (fence && last_read)
                    deps.push_back(last_read);
                w_line = __LINE__ + 1;
                pl::at({}, deps, [&] { // W_b: buf = x[b]
                    buf = pl::assemble(buf, pl::reshape(pl::slice(x, {1, 16, 64}, {b, 0, 0}), {16, 64}), {0, 0});
                });
                r_line = __LINE__ + 1;
                last_read = pl::at([&] { // R_b: out[b] = buf + 1
                    out = pl::assemble(out, pl::reshape(pl::add(buf, 1.0), {1, 16, 64}), {b, 0, 0});
                });
            });
            out_values = out.to_vector();
        };
    };
    const verdicts v = both(program(false));
    CHECK(v.program_clean);
    CHECK(v.runtime_other_clean);
    CHECK(out_values[0] == 1.0f);
    CHECK(out_values[1024] == 6.0f);
    REQUIRE(v.runtime.size() == 1);
    const ordering_record& r = v.runtime[0];
    CHECK(r.kind == race_kind::war);
    CHECK(r.first.id == 2);
    CHECK(r.second.id == 3);
    const std::string text = "WARNING: ptoref: tasks unordered by the runtime (WAR) on buf\n"
                             "  Write by pl.at task #3 at " +
                             at_line(w_line) +
                             " (iteration [1]), argument INOUT\n"
                             "  Previous read by pl.at task #2 at " +
                             at_line(r_line) +
                             " (iteration [0]), argument INPUT\n"
                             "  Region: buf[0:16, 0:64] of buf[16, 64], 1024 elements\n"
                             "  Missing edge: task #2 -> task #3 (WAR)\n"
                             "  Why: WAR: reader task was a plain INPUT; the runtime tracks no readers\n"
                             "SUMMARY: ptoref: unordered WAR on buf between task #2 (" +
                             at_line(r_line) + ") and task #3 (" + at_line(w_line) + ") under runtime ordering\n";
    CHECK(r.str() == text);

    // The legal twin: the rewrite names the previous reader in deps=.
    const verdicts twin = both(program(true));
    CHECK(twin.program_clean);
    CHECK(twin.runtime.empty());
}

// ---- E9 ---------------------------------------------------------------------------------------

TEST_CASE("E9: param-rooted Out in a sequential loop: INOUT by R-seq (legal); OUTPUT_EXISTING (pre-P#1211) races")
{
    auto program = [](bool pre_fix, int calls, bool in_loop) {
        return [=] {
            auto x = pl::full({64}, pl::FP32, 3.0f).name("x");
            auto dst = pl::full({64}, pl::FP32, 0.0f).name("dst");
            auto kernel = [&] { // kernel(x, out: Out[64]) stores x into all of out
                std::vector<pl::arg> args{pl::in_arg(x),
                                          pre_fix ? pl::tagged_arg(dst, arg_tag::output_existing) : pl::out_arg(dst)};
                pl::at(args, {}, [&] { dst = pl::assemble(dst, pl::mul(x, 1.0), {0}); });
            };
            if (in_loop)
                pl::range(calls, [&](pl::index) { kernel(); });
            else
                for (int k = 0; k < calls; ++k) // sibling calls: R-prior gives INOUT
                    kernel();
        };
    };
    for (bool in_loop : {true, false}) {
        INFO("in_loop " << in_loop);
        const verdicts fixed = both(program(false, 4, in_loop));
        CHECK(fixed.program_clean);
        CHECK(fixed.runtime.empty());
        const verdicts broken = both(program(true, 4, in_loop));
        CHECK(broken.program_clean);
        REQUIRE(broken.runtime.size() == 6); // every pair of the 4 writers
        for (const ordering_record& r : broken.runtime) {
            CHECK(r.kind == race_kind::waw);
            CHECK(r.tensor == "dst");
            CHECK(region(r) == "dst[0:64]");
            CHECK(r.first.tag == "OUTPUT_EXISTING");
            CHECK(has(r.why, "the later writer's argument is OUTPUT_EXISTING: the runtime does no lookup for it"));
        }
    }
}

// ---- E14 --------------------------------------------------------------------------------------

TEST_CASE("E14: two OUTPUT_EXISTING writers of one region, then a reader: the WAW is unordered")
{
    auto program = [](arg_tag second) {
        return [=] {
            auto xt = pl::full({8, 8}, pl::FP32, 0.0f).name("X");
            auto y = pl::full({8, 8}, pl::FP32, 0.0f).name("y");
            pl::at({pl::tagged_arg(xt, arg_tag::output_existing)}, {}, [&] {
                xt = pl::assemble(xt, pl::full({8, 8}, pl::FP32, 1.0f), {0, 0});
            });
            pl::at({pl::tagged_arg(xt, second)}, {}, [&] {
                xt = pl::assemble(xt, pl::full({8, 8}, pl::FP32, 2.0f), {0, 0});
            });
            pl::at({pl::in_arg(xt), pl::out_arg(y)}, {}, [&] { y = pl::assemble(y, pl::mul(xt, 1.0), {0, 0}); });
            CHECK(pl::read(y, {7, 7}) == 2.0f); // sequential meaning: R sees W2
        };
    };
    const verdicts v = both(program(arg_tag::output_existing));
    CHECK(v.program_clean);
    REQUIRE(v.runtime.size() == 1);
    CHECK(v.runtime[0].kind == race_kind::waw);
    CHECK(v.runtime[0].first.id == 1);
    CHECK(v.runtime[0].second.id == 2);
    CHECK(region(v.runtime[0]) == "X[0:8, 0:8]");
    const verdicts twin = both(program(arg_tag::inout));
    CHECK(twin.program_clean);
    CHECK(twin.runtime.empty());
}

// ---- E16 --------------------------------------------------------------------------------------

TEST_CASE("E16: WAR through two reshapes of one tensor (pypto-lib #481); kv_touch does not fix it, deps= does")
{
    auto program = [](int variant) { // 0: as in the bug, 1: kv_touch self-copy first, 2: writer deps= reader
        return [=] {
            auto kv = pl::full({8, 32}, pl::FP32, 1.0f).name("kv_cache");
            auto x_out = pl::full({4, 32}, pl::FP32, 0.0f).name("x_out");
            if (variant == 1) { // a no-op self-copy task: kv_cache becomes InOut for it
                auto whole = kv;
                pl::at({pl::inout_arg(kv)}, {}, [&] { kv = pl::assemble(kv, pl::mul(whole, 1.0), {0, 0}); });
            }
            auto flat = pl::reshape(kv, {256});
            const pl::task_id rd = pl::at({pl::in_arg(flat), pl::out_arg(x_out)}, {}, [&] { // gather rows 2..5
                x_out = pl::assemble(x_out, pl::reshape(pl::mul(pl::slice(flat, {128}, {64}), 2.0), {4, 32}), {0, 0});
            });
            auto by_rows = pl::reshape(kv, {2, 4, 32});
            std::vector<pl::task_id> deps;
            if (variant == 2)
                deps.push_back(rd);
            pl::at({pl::inout_arg(by_rows)}, deps, [&] { // writes rows 4..7 in place
                by_rows = pl::assemble(by_rows, pl::full({1, 4, 32}, pl::FP32, 9.0f), {1, 0, 0});
            });
            CHECK(pl::read(x_out, {3, 0}) == 2.0f); // the gather saw the old rows
        };
    };
    for (int variant : {0, 1}) {
        INFO("variant " << variant);
        const verdicts v = both(program(variant));
        CHECK(v.program_clean);
        REQUIRE(v.runtime.size() == 1);
        const ordering_record& r = v.runtime[0];
        CHECK(r.kind == race_kind::war);
        CHECK(r.tensor == "kv_cache");
        CHECK(region(r) == "kv_cache[4:6, 0:32]"); // rows the gather read and the write replaced
        CHECK(r.elements == 64);
        CHECK(r.why == "WAR: reader task was a plain INPUT; the runtime tracks no readers");
    }
    const verdicts twin = both(program(2));
    CHECK(twin.program_clean);
    CHECK(twin.runtime.empty());
}

// ---- E21 --------------------------------------------------------------------------------------

TEST_CASE("E21: no_dep_args with covering deps= is legal; equal slots or a dropped dep are not")
{
    // rope_kv_cache-style: batch b writes k_cache row slot[b] with the cache as a NO_DEP slot,
    // the reader fences on the writers' TaskIds (carried out of the pl.parallel: all of them).
    auto program = [](pl::index s0, pl::index s1, bool with_deps) {
        return [=] {
            auto k_cache = pl::full({8, 16}, pl::FP32, 0.0f).name("k_cache");
            auto sums = pl::full({1, 8}, pl::FP32, 0.0f).name("sums");
            const pl::index slot[2] = {s0, s1};
            pl::task_id tid = 0;
            pl::parallel(2, [&](pl::index b) {
                tid = pl::at({pl::no_dep_arg(k_cache, check::param_dir::out)}, {}, [&] {
                    k_cache =
                        pl::assemble(k_cache, pl::full({1, 16}, pl::FP32, static_cast<float>(b + 1)), {slot[b], 0});
                });
            });
            std::vector<pl::task_id> deps;
            if (with_deps)
                deps.push_back(tid);
            pl::at({pl::in_arg(k_cache), pl::out_arg(sums)}, deps, [&] {
                sums = pl::assemble(sums, pl::reshape(pl::row_sum(k_cache), {1, 8}), {0, 0});
            });
        };
    };
    const verdicts legal = both(program(3, 7, true));
    CHECK(legal.program_clean);
    CHECK(legal.runtime.empty());

    const verdicts same_slot = both(program(5, 5, true));
    REQUIRE(same_slot.program_races.size() == 1); // a pl.parallel race in program order already
    CHECK(same_slot.program_races[0].kind == race_kind::waw);
    REQUIRE(same_slot.runtime.size() == 1);
    CHECK(same_slot.runtime[0].kind == race_kind::waw);
    CHECK(region(same_slot.runtime[0]) == "k_cache[5, 0:16]");
    CHECK(same_slot.runtime[0].first.path == std::vector<pl::index>{0});
    CHECK(same_slot.runtime[0].second.path == std::vector<pl::index>{1});

    const verdicts dropped = both(program(3, 7, false));
    CHECK(dropped.program_clean);
    REQUIRE(dropped.runtime.size() == 2); // the reader against each writer
    for (const ordering_record& r : dropped.runtime) {
        CHECK(r.kind == race_kind::raw);
        CHECK(r.second.id == 3);
        CHECK(has(r.why, "the earlier writer's argument is NO_DEP (no_dep_args / pl.no_dep): it registers nothing"));
    }
    CHECK(region(dropped.runtime[0]) == "k_cache[3, 0:16]");
    CHECK(region(dropped.runtime[1]) == "k_cache[7, 0:16]");
}

// ---- E22 --------------------------------------------------------------------------------------

TEST_CASE("E22: manual_dep scratch (tensor_claim) and manual_scope: ordered only by deps=")
{
    auto program = [](bool manual_scope, bool with_deps) {
        return [=] {
            auto scratch = pl::create_tensor({256, 128}, pl::FP32).name("scratch");
            auto copy = pl::full({256, 128}, pl::FP32, 0.0f).name("copy");
            if (!manual_scope)
                pl::set_manual_dep(scratch);
            std::vector<pl::task_id> writers;
            auto body = [&] {
                pl::range(4, [&](pl::index i) {
                    writers.push_back(pl::at([&] {
                        scratch =
                            pl::assemble(scratch, pl::full({64, 128}, pl::FP32, static_cast<float>(i)), {64 * i, 0});
                    }));
                });
                pl::at({}, with_deps ? writers : std::vector<pl::task_id>{}, [&] {
                    copy = pl::assemble(copy, pl::mul(scratch, 1.0), {0, 0});
                });
            };
            if (manual_scope)
                pl::manual_scope(body);
            else
                body();
            CHECK(pl::read(copy, {255, 0}) == 3.0f);
        };
    };
    for (bool ms : {false, true}) {
        INFO("manual_scope " << ms);
        const verdicts bad = both(program(ms, false));
        CHECK(bad.program_clean);
        REQUIRE(bad.runtime.size() == 4);
        for (std::size_t k = 0; k < 4; ++k) {
            const ordering_record& r = bad.runtime[k];
            CHECK(r.kind == race_kind::raw);
            CHECK(r.first.id == k + 1);
            CHECK(r.second.id == 5);
            CHECK(region(r) == "scratch[" + std::to_string(64 * k) + ":" + std::to_string(64 * k + 64) + ", 0:128]");
            CHECK(has(r.why, ms ? "submitted inside pl.manual_scope" : "manual_dep=True"));
        }
        const verdicts good = both(program(ms, true));
        CHECK(good.program_clean);
        CHECK(good.runtime.empty());
    }
}

TEST_CASE("Leaving a manual scope is no barrier: an AUTO reader after it needs deps=")
{
    auto program = [](bool with_dep) {
        return [=] {
            auto t = pl::full({4, 4}, pl::FP32, 0.0f).name("t");
            auto u = pl::full({4, 4}, pl::FP32, 0.0f).name("u");
            pl::task_id w = 0;
            pl::manual_scope([&] {
                w = pl::at([&] { t = pl::assemble(t, pl::full({4, 4}, pl::FP32, 1.0f), {0, 0}); });
            });
            pl::at({}, with_dep ? std::vector<pl::task_id>{w} : std::vector<pl::task_id>{}, [&] {
                u = pl::assemble(u, pl::mul(t, 1.0), {0, 0});
            });
        };
    };
    const verdicts bad = both(program(false));
    REQUIRE(bad.runtime.size() == 1);
    CHECK(bad.runtime[0].first.manual);
    CHECK(!bad.runtime[0].second.manual);
    CHECK(has(bad.runtime[0].why, "the earlier writer was submitted inside pl.manual_scope: it registered nothing in "
                                  "the TensorMap, and leaving the scope is no barrier"));
    CHECK(both(program(true)).runtime.empty());
}

// ---- E24 --------------------------------------------------------------------------------------

TEST_CASE("E24: view geometry: reshape, empty and transposed views are compared as elements")
{
    check::task_graph g;
    g.describe_buffer(1, "s", dims{16, 16});
    g.describe_buffer(2, "t", dims{16, 16});
    std::uint64_t buffer = 1;
    auto task = [&](std::vector<check::task_arg> args, bool write, ptoref::view_geometry fp) {
        check::task_info t;
        t.kind = "pl.at";
        t.site_text = "e24.py:1";
        t.args = std::move(args);
        if (write)
            t.write(buffer, fp);
        else
            t.read(buffer, fp);
        return g.submit(std::move(t));
    };
    auto arg = [&](ptoref::view_geometry v, arg_tag tag) {
        check::task_arg a;
        a.buffer = buffer;
        a.view = check::element_set(v);
        a.tag = tag;
        return a;
    };
    // (a) rows [1,2) of a [4,16] view vs elements [16,32) of a flat reshape: the same elements.
    const ptoref::view_geometry row1{dims{1, 16}, dims{16, 1}, 16}, flat{dims{16}, dims{1}, 16};
    const auto a1 = task({arg(row1, arg_tag::output_existing)}, true, row1);
    const auto a2 = task({arg(flat, arg_tag::input)}, false, flat);
    CHECK(g.ordered(a1, a2));
    // (b) a zero-size view overlaps nothing: no edge, and nothing to conflict.
    const ptoref::view_geometry empty{dims{2, 0}, dims{16, 1}, 250};
    const auto b1 = task({arg(empty, arg_tag::output_existing)}, true, empty);
    const auto b2 = task({arg(row1, arg_tag::input)}, false, row1);
    CHECK(!g.ordered(b1, b2));
    // (c) columns [0,4) through a transposed view vs rows [8,12): exactly the 4x4 block.
    buffer = 2;
    const ptoref::view_geometry cols{dims{4, 16}, dims{1, 16}, 0}, rows{dims{4, 16}, dims{16, 1}, 128};
    const auto c1 = task({arg(cols, arg_tag::output_existing)}, true, cols);
    const auto c2 = task({arg(rows, arg_tag::no_dep)}, false, rows);
    const auto c3 = task({arg(rows, arg_tag::input)}, false, rows);
    CHECK(!g.ordered(c1, c2));
    CHECK(g.ordered(c1, c3));
    const auto recs = g.conflicts();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0].first.id == c1);
    CHECK(recs[0].second.id == c2);
    CHECK(check::boxes_to_string("t", recs[0].region) == "t[8:12, 0:4]");
    CHECK(recs[0].elements == 16);
    // (d) cross-dtype views of one buffer cannot be made: Tensor<T> is typed (out of scope).
}

// ---- the rules one by one -----------------------------------------------------------------

TEST_CASE("derive_tag follows DeriveCallDirections")
{
    using check::call_context;
    using check::derive_tag;
    using check::param_dir;
    CHECK(derive_tag(param_dir::in, {}) == arg_tag::input);
    CHECK(derive_tag(param_dir::inout, {}) == arg_tag::inout);
    CHECK(derive_tag(param_dir::out, {}) == arg_tag::output_existing);
    CHECK(derive_tag(param_dir::out, call_context{true, false, false}) == arg_tag::inout);
    CHECK(derive_tag(param_dir::out, call_context{false, true, false}) == arg_tag::inout);
    CHECK(derive_tag(param_dir::inout, call_context{false, false, true}) == arg_tag::no_dep);
}

TEST_CASE("A written In parameter is upgraded as pypto does; a tag given directly is kept (the direction lies)")
{
    auto program = [](bool lie) {
        return [=] {
            auto t = pl::full({4, 8}, pl::FP32, 0.0f).name("t");
            auto u = pl::full({4, 8}, pl::FP32, 0.0f).name("u");
            pl::at({lie ? pl::tagged_arg(t, arg_tag::input) : pl::in_arg(t)}, {}, [&] {
                t = pl::assemble(t, pl::full({4, 8}, pl::FP32, 1.0f), {0, 0});
            });
            pl::at({pl::in_arg(t), pl::out_arg(u)}, {}, [&] { u = pl::assemble(u, pl::mul(t, 1.0), {0, 0}); });
        };
    };
    CHECK(both(program(false)).runtime.empty()); // In written -> Out -> OUTPUT_EXISTING, registered
    const verdicts v = both(program(true));
    CHECK(v.program_clean);
    REQUIRE(v.runtime.size() == 1);
    CHECK(v.runtime[0].kind == race_kind::raw);
    CHECK(v.runtime[0].why ==
          "the earlier writer's argument is tagged INPUT (the direction lies): the runtime registers no writer for it");
}

TEST_CASE("Stripe writers in one pl.parallel are OUTPUT_EXISTING (mutually unordered, disjoint: fine); a write "
          "after the loop is INOUT")
{
    auto t = pl::full({4, 32}, pl::FP32, 0.0f).name("t");
    collector c;
    check::runtime_ordering_run run;
    pl::parallel(4, [&](pl::index i) {
        pl::at({pl::out_arg(t)}, {}, [&] { t = pl::assemble(t, pl::full({4, 8}, pl::FP32, 1.0f), {0, 8 * i}); });
    });
    pl::at({pl::out_arg(t)}, {}, [&] { t = pl::assemble(t, pl::full({4, 32}, pl::FP32, 2.0f), {0, 0}); });
    const auto& g = check::task_recorder::instance().graph();
    REQUIRE(g.size() == 5);
    for (check::task_id k = 1; k <= 4; ++k)
        CHECK(g.task(k).args[0].tag == arg_tag::output_existing);
    CHECK(g.task(5).args[0].tag == arg_tag::inout);
    for (check::task_id k = 1; k <= 4; ++k)
        CHECK(g.ordered(k, 5));
    CHECK(!g.ordered(1, 2));
    run.finish();
    CHECK(c.clean());
}

TEST_CASE("A task's temporaries that die inside it leave its footprint; a buffer it creates and that lives on "
          "stays (OUTPUT, and its creator precedes the later reader)")
{
    auto src = pl::full({4, 8}, pl::FP32, 1.0f).name("src");
    collector c;
    check::runtime_ordering_run run;
    pl::Tensor<float> kept;
    std::uint64_t temp_id = 0;
    pl::at([&] {
        auto temp = pl::mul(src, 2.0); // dies at the end of the scope
        temp_id = temp.storage().id();
        kept = pl::add(temp, 1.0).name("kept");
    });
    pl::at([&] { src = pl::assemble(src, pl::slice(kept, {4, 8}, {0, 0}), {0, 0}); });
    const auto& g = check::task_recorder::instance().graph();
    REQUIRE(g.size() == 2);
    const auto& fp = g.task(1).footprint;
    CHECK(!fp.contains(temp_id));
    CHECK(fp.contains(kept.storage().id()));
    CHECK(fp.contains(src.storage().id()));
    for (const auto& a : g.task(1).args)
        CHECK(a.buffer != temp_id);
    CHECK(g.ordered(1, 2));
    run.finish();
    CHECK(c.clean());
    CHECK(pl::read(src, {3, 7}) == 3.0f);
}

TEST_CASE("A task dropped unsubmitted by assignment (the front end's abort) stops recording: a buffer it created "
          "and that dies later is no task's, and the next task records")
{
    collector c;
    check::runtime_ordering_run run;
    auto& rec = check::task_recorder::instance();
    auto h = rec.begin(check::task_spec{});
    REQUIRE(h);
    std::optional<pl::Tensor<float>> made_inside = pl::full({2, 2}, pl::FP32, 1.0f);
    h = check::task_recorder::task_handle{}; // the body raised: dropped, not submitted
    CHECK(check::detail::current_task() == nullptr);
    made_inside.reset(); // its destruction must not reach the dropped task (ASan: use after free)
    auto h2 = rec.begin(check::task_spec{});
    REQUIRE(h2);
    CHECK(rec.end(std::move(h2)) == 1);
    CHECK(check::detail::current_task() == nullptr);
    run.finish();
    CHECK(c.clean());
}

TEST_CASE("No fan-in cap: 100 stripe writers, a whole reader, each writer ordered (simpler #633)")
{
    for (int n : {16, 17, 100}) {
        auto tile = pl::full({16, 8 * n}, pl::FP32, -1.0f).name("mlp_tile");
        auto sums = pl::full({16}, pl::FP32, 0.0f).name("sums");
        collector c;
        check::runtime_ordering_run run;
        pl::parallel(n, [&](pl::index i) {
            pl::at([&] { tile = pl::assemble(tile, pl::full({16, 8}, pl::FP32, 1.0f), {0, 8 * i}); });
        });
        pl::at([&] { sums = pl::assemble(sums, pl::reshape(pl::row_sum(tile), {16}), {0}); });
        const auto& g = check::task_recorder::instance().graph();
        for (check::task_id k = 1; k <= static_cast<check::task_id>(n); ++k)
            CHECK(g.ordered(k, static_cast<check::task_id>(n + 1)));
        run.finish();
        CHECK(c.clean());
    }
}

TEST_CASE("spmd tasks: one task of n blocks; reports name the block")
{
    auto y = pl::full({4, 8}, pl::FP32, 0.0f).name("y");
    auto z = pl::full({4, 8}, pl::FP32, 0.0f).name("z");
    collector c;
    check::runtime_ordering_run run;
    const pl::task_id s = pl::spmd_task(4, {pl::tagged_arg(y, arg_tag::output_existing)}, {}, [&](pl::index b) {
        y = pl::assemble(y, pl::full({1, 8}, pl::FP32, static_cast<float>(b)), {b, 0});
    });
    CHECK(s == 1);
    // A reader that passes only z: the runtime sees no use of y, so nothing orders it.
    pl::at({pl::out_arg(z)}, {}, [&] { z = pl::assemble(z, pl::mul(pl::slice(y, {1, 8}, {2, 0}), 1.0), {2, 0}); });
    // A plain pl::spmd outside any task is a task too (arguments inferred: y is In).
    pl::spmd(2, [&](pl::index b) { z = pl::assemble(z, pl::mul(pl::slice(y, {1, 8}, {b, 0}), 1.0), {b, 0}); });
    run.finish();
    REQUIRE(c.orderings().size() == 1);
    const ordering_record& r = c.orderings()[0];
    CHECK(r.kind == race_kind::raw);
    CHECK(r.first.blocks == 4);
    CHECK(r.first.block == 2);
    CHECK(region(r) == "y[2, 0:8]");
    CHECK(has(r.str(), "pl.spmd task #1 at "));
    CHECK(has(r.str(), " block 2 of 4, argument OUTPUT_EXISTING"));
    CHECK(has(r.why, "the later reader does not pass y as an argument, so the runtime looks nothing up for it"));
    CHECK(c.races().empty());
}

TEST_CASE("TaskIds: a carry out of pl.parallel stands for every iteration; pl.range keeps the last")
{
    for (bool parallel : {true, false}) {
        auto t = pl::full({4, 8}, pl::FP32, 0.0f).name("t");
        auto u = pl::full({4, 8}, pl::FP32, 0.0f).name("u");
        collector c;
        check::runtime_ordering_run run;
        pl::task_id tid = 0;
        auto body = [&](pl::index i) {
            tid = pl::at({pl::no_dep_arg(t, check::param_dir::out)}, {}, [&] {
                t = pl::assemble(t, pl::full({1, 8}, pl::FP32, 1.0f), {i, 0});
            });
        };
        if (parallel)
            pl::parallel(4, body);
        else
            pl::range(4, body);
        pl::at({}, {tid}, [&] { u = pl::assemble(u, pl::mul(t, 1.0), {0, 0}); });
        run.finish();
        INFO("parallel " << parallel);
        CHECK(c.orderings().size() == (parallel ? 0u : 3u));
    }
}

TEST_CASE("Program order is unchanged: task scopes return 0 and record nothing")
{
    auto t = pl::full({4}, pl::FP32, 0.0f).name("t");
    collector c;
    CHECK(check::ordering_mode() == check::ordering::program);
    CHECK(pl::at([&] { t = pl::assemble(t, pl::full({4}, pl::FP32, 1.0f), {0}); }) == 0);
    CHECK(pl::task_dummy({}) == 0);
    CHECK(check::task_recorder::instance().graph().size() == 0);
    CHECK(c.clean());
    CHECK(pl::read(t, {3}) == 1.0f);
}

TEST_CASE("Errors: deps on an unknown task, an unknown ordering name")
{
    check::runtime_ordering_run run;
    CHECK_THROWS_WITH(pl::at({}, {7}, [] {}), Catch::Contains("deps names task #7"));
    CHECK_THROWS_WITH(check::parse_ordering("random"), Catch::Contains("unknown ordering 'random'"));
    CHECK(check::parse_ordering("runtime") == check::ordering::runtime);
    check::task_graph g;
    check::task_info t;
    t.deps = {1};
    CHECK_THROWS_WITH(g.submit(t), Catch::Contains("not submitted before task #1"));
}

TEST_CASE("Without a collector, finish throws ordering_error carrying the records")
{
    auto t = pl::full({4}, pl::FP32, 0.0f).name("t");
    check::runtime_ordering_run run;
    pl::at({pl::tagged_arg(t, arg_tag::output_existing)}, {},
           [&] { t = pl::assemble(t, pl::full({4}, pl::FP32, 1.0f), {0}); });
    pl::at({pl::tagged_arg(t, arg_tag::output_existing)}, {},
           [&] { t = pl::assemble(t, pl::full({4}, pl::FP32, 2.0f), {0}); });
    try {
        run.finish();
        FAIL("expected ordering_error");
    } catch (const ptoref::ordering_error& e) {
        REQUIRE(e.records().size() == 1);
        CHECK(has(e.what(), "SUMMARY: ptoref: unordered WAW on t between task #1"));
    }
}

TEST_CASE("Threaded schedule: a task's blocks on worker threads are still its accesses")
{
    auto y = pl::full({8, 8}, pl::FP32, 0.0f).name("y");
    auto z = pl::full({8, 8}, pl::FP32, 0.0f).name("z");
    collector c;
    check::runtime_ordering_run run;
    pl::schedule saved = pl::default_schedule();
    pl::set_default_schedule(pl::schedule::threads(2));
    pl::spmd_task(8, {pl::tagged_arg(y, arg_tag::output_existing)}, {}, [&](pl::index b) {
        y = pl::assemble(y, pl::full({1, 8}, pl::FP32, 1.0f), {b, 0});
    });
    pl::set_default_schedule(saved);
    pl::at({pl::out_arg(z)}, {}, [&] { z = pl::assemble(z, pl::mul(y, 1.0), {0, 0}); });
    run.finish();
    REQUIRE(c.orderings().size() == 1);
    CHECK(region(c.orderings()[0]) == "y[0:8, 0:8]");
}

// ---- atomic adds between tasks ------------------------------------------------------------------

TEST_CASE("atomic adds: unordered tasks that only add commute; an add against a plain access does not")
{
    // Split-K style: a seed task zeroes acc, two tasks in a manual scope add their partials
    // (each fenced only on the seed), a reader fences on the adders.
    int write_line = 0;
    auto program = [&](int variant) {
        return [&, variant] {
            auto acc = pl::create_tensor({4, 8}, pl::FP32).name("acc");
            auto out = pl::full({4, 8}, pl::FP32, 0.0f).name("out");
            auto part = pl::full({4, 8}, pl::FP32, 1.0f);
            const pl::task_id seed = pl::at({pl::out_arg(acc)}, {}, [&] {
                acc = pl::assemble(acc, pl::full({4, 8}, pl::FP32, 0.0f), {0, 0});
            });
            std::vector<pl::task_id> adds;
            pl::manual_scope([&] {
                for (int k = 0; k < 2; ++k) {
                    write_line = __LINE__ + 1;
                    adds.push_back(pl::at({pl::inout_arg(acc)}, {seed}, [&] {
                        if (variant == 1 && k == 1)
                            acc = pl::assemble(acc, part, {0, 0}); // a plain write, not an add
                        else
                            acc = pl::assemble(acc, part, {0, 0}, pl::AtomicType::Add);
                    }));
                }
            });
            std::vector<pl::task_id> deps = adds;
            if (variant == 2)
                deps.pop_back(); // the reader forgets the second adder
            pl::at({pl::in_arg(acc), pl::out_arg(out)}, deps, [&] { out = pl::assemble(out, acc, {0, 0}); });
            if (variant == 0)
                CHECK(pl::read(out, {3, 7}) == 2.0f);
        };
    };
    const verdicts legal = both(program(0));
    CHECK(legal.program_clean);
    CHECK(legal.runtime.empty());
    CHECK(legal.runtime_other_clean);

    const verdicts mixed = both(program(1));
    CHECK(mixed.program_clean);
    REQUIRE(mixed.runtime.size() == 1);
    const ordering_record& w = mixed.runtime[0];
    CHECK(w.kind == race_kind::waw);
    CHECK(w.first.access == ptoref::access_kind::atomic_add);
    CHECK(w.second.access == ptoref::access_kind::write);
    const std::string site = at_line(write_line);
    CHECK(w.str() ==
          "WARNING: ptoref: tasks unordered by the runtime (WAW) on acc\n"
          "  Write by pl.at task #3 at " +
              site +
              " [manual scope], argument INOUT\n"
              "  Previous atomic add by pl.at task #2 at " +
              site +
              " [manual scope], argument INOUT\n"
              "  Region: acc[0:4, 0:8] of acc[4, 8], 32 elements\n"
              "  Missing edge: task #2 -> task #3 (WAW)\n"
              "  Why: the later writer was submitted inside pl.manual_scope: the runtime derives no edge for it, only "
              "its deps=; the earlier writer was submitted inside pl.manual_scope: it registered nothing in the "
              "TensorMap, and leaving the scope is no barrier; no deps= chain reaches task #2\n"
              "SUMMARY: ptoref: unordered WAW on acc between task #2 (" +
              site + ") and task #3 (" + site + ") under runtime ordering\n");

    const verdicts unfenced = both(program(2));
    CHECK(unfenced.program_clean);
    REQUIRE(unfenced.runtime.size() == 1);
    const ordering_record& r = unfenced.runtime[0];
    CHECK(r.kind == race_kind::raw);
    CHECK(r.first.id == 3);
    CHECK(r.second.id == 4);
    CHECK(r.first.access == ptoref::access_kind::atomic_add);
    CHECK(r.second.access == ptoref::access_kind::read);
    CHECK(has(r.str(), "  Read by pl.at task #4 at "));
    CHECK(has(r.str(), "  Previous atomic add by pl.at task #3 at "));
}

TEST_CASE("atomic adds: blocks of one spmd task and two spmd tasks adding into one accumulator")
{
    // Two launches left unordered (both OUTPUT_EXISTING writers in a pl.parallel) that only add: legal.
    auto program = [](bool plain_second) {
        return [=] {
            auto acc = pl::full({2, 8}, pl::FP32, 0.0f).name("acc");
            pl::parallel(2, [&](pl::index i) {
                pl::spmd_task(2, {pl::out_arg(acc)}, {}, [&](pl::index b) {
                    auto one = pl::full({1, 8}, pl::FP32, 1.0f);
                    if (plain_second && i == 1)
                        acc = pl::assemble(acc, one, {b, 0});
                    else
                        acc = pl::assemble(acc, one, {b, 0}, pl::AtomicType::Add);
                });
            });
        };
    };
    const verdicts adds = both(program(false));
    CHECK(adds.program_clean);
    CHECK(adds.runtime.empty());
    const verdicts mixed = both(program(true));
    REQUIRE(mixed.program_races.size() == 1); // program order: the pl.parallel iterations conflict too
    REQUIRE(mixed.runtime.size() == 1);
    CHECK(mixed.runtime[0].kind == race_kind::waw);
    CHECK(mixed.runtime[0].first.access == ptoref::access_kind::atomic_add);
    CHECK(mixed.runtime[0].second.access == ptoref::access_kind::write);
    CHECK(mixed.runtime[0].second.blocks == 2);
    CHECK(has(mixed.runtime[0].why, "OUTPUT_EXISTING"));
}
