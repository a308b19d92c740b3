// pl::range / pl::parallel / pl::spmd: bound forms (Python's range), chunk options, nested
// index paths, exceptions, schedules and threads, and race checking from worker threads.
// Built with -fsanitize=thread too: the threaded schedules of race-free programs must be
// TSan-clean.
#include <ptoref/ptoref.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#if defined(__SANITIZE_THREAD__)
#define PTOREF_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PTOREF_TEST_TSAN 1
#endif
#endif

namespace pl = ptoref::pl;
using ptoref::dims;
using idx_list = std::vector<pl::index>;
using path = std::vector<pl::index>;

namespace {

std::string at(int line)
{
    return "(at test_loops.cpp:" + std::to_string(line) + ")";
}

// Collects the indices a loop visits (thread-safe, so it works under threaded schedules).
struct visits {
    std::mutex m;
    idx_list order;
    std::set<std::thread::id> threads;
    void operator()(pl::index i)
    {
        std::lock_guard<std::mutex> lock(m);
        order.push_back(i);
        threads.insert(std::this_thread::get_id());
    }
    idx_list sorted() const
    {
        idx_list s = order;
        std::sort(s.begin(), s.end());
        return s;
    }
};

const std::vector<pl::schedule>& all_schedules()
{
    static const std::vector<pl::schedule> s = {pl::schedule::sequential(), pl::schedule::reverse(),
                                                pl::schedule::shuffled(7), pl::schedule::threads(2),
                                                pl::schedule::threads(3)};
    return s;
}

// A body that records its index; used through a std::function so every overload sees one type.
using body_fn = std::function<void(pl::index)>;

} // namespace

// ---- bound forms --------------------------------------------------------------------------------

TEST_CASE("pl::range: every bound form follows Python's range")
{
    auto r1 = [](pl::index stop) {
        idx_list v;
        pl::range(stop, [&](pl::index i) { v.push_back(i); });
        return v;
    };
    auto r2 = [](pl::index start, pl::index stop) {
        idx_list v;
        pl::range(start, stop, [&](pl::index i) { v.push_back(i); });
        return v;
    };
    auto r3 = [](pl::index start, pl::index stop, pl::index step) {
        idx_list v;
        pl::range(start, stop, step, [&](pl::index i) { v.push_back(i); });
        return v;
    };
    CHECK(r1(3) == idx_list{0, 1, 2});
    CHECK(r1(1) == idx_list{0});
    CHECK(r2(2, 5) == idx_list{2, 3, 4});
    CHECK(r2(-2, 1) == idx_list{-2, -1, 0});
    CHECK(r3(0, 10, 4) == idx_list{0, 4, 8});
    CHECK(r3(0, 9, 3) == idx_list{0, 3, 6});
    CHECK(r3(1, 2, 100) == idx_list{1});
    // Negative steps.
    CHECK(r3(5, 0, -2) == idx_list{5, 3, 1});
    CHECK(r3(5, -1, -3) == idx_list{5, 2});
    CHECK(r3(0, -4, -1) == idx_list{0, -1, -2, -3});
    // Zero-trip loops never call the body.
    CHECK(r1(0).empty());
    CHECK(r1(-3).empty());
    CHECK(r2(5, 5).empty());
    CHECK(r2(5, 0).empty());
    CHECK(r3(0, 5, -1).empty());
    CHECK(r3(5, 5, -1).empty());
    // With options (chunk is numerically a no-op).
    idx_list v;
    pl::range(0, 7, 3, pl::chunk(4), [&](pl::index i) { v.push_back(i); });
    CHECK(v == idx_list{0, 3, 6});
    v.clear();
    pl::range(3, pl::chunk(2), [&](pl::index i) { v.push_back(i); });
    CHECK(v == idx_list{0, 1, 2});
}

TEST_CASE("extreme bounds: no overflow anywhere in the trip count or the index values")
{
    constexpr pl::index max = INT64_MAX, min = INT64_MIN;
    auto r3 = [](pl::index start, pl::index stop, pl::index step) {
        idx_list v;
        pl::range(start, stop, step, [&](pl::index i) { v.push_back(i); });
        return v;
    };
    auto p3 = [](pl::index start, pl::index stop, pl::index step) {
        visits v;
        pl::parallel(start, stop, step, pl::on(pl::schedule::reverse()), std::ref(v));
        return v.sorted();
    };
    const pl::index big = pl::index{1} << 62;
    CHECK(r3(0, max, big) == idx_list{0, big});
    CHECK(p3(0, max, big) == idx_list{0, big});
    CHECK(r3(max - 2, max, 1) == idx_list{max - 2, max - 1});
    CHECK(r3(min, min + 3, 2) == idx_list{min, min + 2});
    CHECK(r3(min, max, max) == idx_list{min, -1, max - 1});
    CHECK(p3(min, max, max) == idx_list{min, -1, max - 1});
    CHECK(r3(max, min, min) == idx_list{max, -1});
    CHECK(r3(max, max - 1, min) == idx_list{max});
    CHECK(r3(-5, max, max) == idx_list{-5, max - 5});
    int line = 0;
    auto too_many = [&] {
        line = __LINE__ + 1;
        pl::range(min, max, 1, [](pl::index) { FAIL("body ran"); });
    };
    CHECK_THROWS_WITH(too_many(), "pl.range: more than 2^63 - 1 iterations " + at(line));
    CHECK_THROWS_AS(pl::parallel(max, min, -1, [](pl::index) { FAIL("body ran"); }), ptoref::error);
}

TEST_CASE("pl::range: step 0 and a negative chunk are errors naming the loop and the call site")
{
    int line = 0;
    auto zero_step = [&] {
        line = __LINE__ + 1;
        pl::range(0, 5, 0, [](pl::index) { FAIL("body ran"); });
    };
    CHECK_THROWS_WITH(zero_step(), "pl.range: step must not be zero " + at(line));
    CHECK_THROWS_AS(zero_step(), ptoref::error);
    auto bad_chunk = [&] {
        line = __LINE__ + 1;
        pl::range(0, 5, 1, pl::chunk(-1), [](pl::index) { FAIL("body ran"); });
    };
    CHECK_THROWS_WITH(bad_chunk(), "pl.range: chunk size must be positive, got -1 " + at(line));
    CHECK(ptoref::detail::current_loop_path().empty());
}

TEST_CASE("pl::parallel: every bound form, with and without chunk, under every schedule")
{
    struct form {
        const char* name;
        std::function<void(const pl::schedule&, body_fn)> run;
        idx_list want;
    };
    const std::vector<form> forms = {
        {"(stop)", [](const pl::schedule& s, body_fn f) { pl::parallel(4, pl::on(s), f); }, {0, 1, 2, 3}},
        {"(start, stop)", [](const pl::schedule& s, body_fn f) { pl::parallel(2, 5, pl::on(s), f); }, {2, 3, 4}},
        {"(start, stop, step)",
         [](const pl::schedule& s, body_fn f) { pl::parallel(0, 10, 4, pl::on(s), f); },
         {0, 4, 8}},
        {"negative step", [](const pl::schedule& s, body_fn f) { pl::parallel(5, 0, -2, pl::on(s), f); }, {5, 3, 1}},
        {"chunk(4), (stop)",
         [](const pl::schedule& s, body_fn f) { pl::parallel(6, pl::chunk(4).with_schedule(s), f); },
         {0, 1, 2, 3, 4, 5}},
        {"chunk(4), (start, stop)",
         [](const pl::schedule& s, body_fn f) { pl::parallel(1, 4, pl::chunk(4).with_schedule(s), f); },
         {1, 2, 3}},
        {"chunk(4), (start, stop, step)",
         [](const pl::schedule& s, body_fn f) { pl::parallel(0, 6, 2, pl::chunk(4).with_schedule(s), f); },
         {0, 2, 4}},
        {"zero trips: (0)", [](const pl::schedule& s, body_fn f) { pl::parallel(0, pl::on(s), f); }, {}},
        {"zero trips: (5, 5)", [](const pl::schedule& s, body_fn f) { pl::parallel(5, 5, pl::on(s), f); }, {}},
        {"zero trips: (5, 0)", [](const pl::schedule& s, body_fn f) { pl::parallel(5, 0, pl::on(s), f); }, {}},
        {"zero trips: (0, 5, -1)", [](const pl::schedule& s, body_fn f) { pl::parallel(0, 5, -1, pl::on(s), f); }, {}},
        {"one trip", [](const pl::schedule& s, body_fn f) { pl::parallel(7, 8, pl::on(s), f); }, {7}},
    };
    for (const form& fm : forms)
        for (const pl::schedule& s : all_schedules()) {
            INFO(fm.name << " under " << s.str());
            visits v;
            fm.run(s, std::ref(v));
            idx_list set = fm.want;
            std::sort(set.begin(), set.end());
            CHECK(v.sorted() == set); // the same set under every schedule
            if (s.which() == pl::schedule::kind::sequential)
                CHECK(v.order == fm.want); // in index order
            if (s.which() == pl::schedule::kind::reverse)
                CHECK(v.order == idx_list(fm.want.rbegin(), fm.want.rend()));
        }
    // The plain overloads (no options) run under the default schedule (sequential here).
    visits a, b, c;
    pl::parallel(3, std::ref(a));
    pl::parallel(1, 3, std::ref(b));
    pl::parallel(6, 0, -3, std::ref(c));
    CHECK(a.order == idx_list{0, 1, 2});
    CHECK(b.order == idx_list{1, 2});
    CHECK(c.order == idx_list{6, 3});
}

TEST_CASE("pl::parallel: step 0 and chunk(-1) are errors naming the loop and the call site")
{
    for (const pl::schedule& s : all_schedules()) {
        INFO(s.str());
        int line = 0;
        auto zero_step = [&] {
            line = __LINE__ + 1;
            pl::parallel(0, 5, 0, pl::on(s), [](pl::index) { FAIL("body ran"); });
        };
        CHECK_THROWS_WITH(zero_step(), "pl.parallel: step must not be zero " + at(line));
        auto bad_chunk = [&] {
            line = __LINE__ + 1;
            pl::parallel(0, 6, 1, pl::chunk(-1), [](pl::index) { FAIL("body ran"); });
        };
        CHECK_THROWS_WITH(bad_chunk(), "pl.parallel: chunk size must be positive, got -1 " + at(line));
        CHECK_THROWS_AS(bad_chunk(), ptoref::error);
    }
    // chunk(0) means "no chunking".
    visits v;
    pl::parallel(3, pl::chunk(0), std::ref(v));
    CHECK(v.order == idx_list{0, 1, 2});
    CHECK(ptoref::detail::current_loop_path().empty());
}

TEST_CASE("pl::spmd: blocks 0..n-1, zero blocks, chunk, errors")
{
    for (const pl::schedule& s : all_schedules()) {
        INFO(s.str());
        visits v;
        pl::spmd(5, pl::on(s), std::ref(v));
        CHECK(v.sorted() == idx_list{0, 1, 2, 3, 4});
        visits none;
        pl::spmd(0, pl::on(s), std::ref(none));
        CHECK(none.order.empty());
    }
    visits v, w;
    pl::spmd(3, std::ref(v));
    CHECK(v.order == idx_list{0, 1, 2});
    pl::spmd(3, pl::chunk(4), std::ref(w));
    CHECK(w.order == idx_list{0, 1, 2});
    int line = 0;
    auto bad_chunk = [&] {
        line = __LINE__ + 1;
        pl::spmd(2, pl::chunk(-1), [](pl::index) { FAIL("body ran"); });
    };
    CHECK_THROWS_WITH(bad_chunk(), "pl.spmd: chunk size must be positive, got -1 " + at(line));
}

// ---- nesting ------------------------------------------------------------------------------------

namespace {
enum class loop_kind { range, parallel, spmd };
const char* name_of(loop_kind k)
{
    return k == loop_kind::range ? "range" : (k == loop_kind::parallel ? "parallel" : "spmd");
}
// Two iterations each: range(1, 3) -> 1, 2; parallel(0, 6, 3) -> 0, 3; spmd(2) -> 0, 1.
void run_kind(loop_kind k, const body_fn& f, const pl::schedule& s = pl::schedule::sequential())
{
    switch (k) {
    case loop_kind::range:
        pl::range(1, 3, f);
        break;
    case loop_kind::parallel:
        pl::parallel(0, 6, 3, pl::on(s), f);
        break;
    case loop_kind::spmd:
        pl::spmd(2, pl::on(s), f);
        break;
    }
}
idx_list indices_of(loop_kind k)
{
    return k == loop_kind::range ? idx_list{1, 2} : (k == loop_kind::parallel ? idx_list{0, 3} : idx_list{0, 1});
}
} // namespace

TEST_CASE("nested loops of every mix see their index paths, outermost first")
{
    const loop_kind kinds[] = {loop_kind::range, loop_kind::parallel, loop_kind::spmd};
    for (loop_kind outer : kinds)
        for (loop_kind inner : kinds) {
            INFO(name_of(outer) << " > " << name_of(inner));
            std::vector<path> seen;
            run_kind(outer, [&](pl::index i) {
                CHECK(ptoref::detail::current_loop_path() == path{i});
                run_kind(inner, [&](pl::index) { seen.push_back(ptoref::detail::current_loop_path()); });
                CHECK(ptoref::detail::current_loop_path() == path{i}); // the inner frame is popped
            });
            std::vector<path> want;
            for (pl::index i : indices_of(outer))
                for (pl::index j : indices_of(inner))
                    want.push_back({i, j});
            CHECK(seen == want);
            CHECK(ptoref::detail::current_loop_path().empty());
        }
    // Three levels, every kind once.
    std::vector<path> seen;
    pl::parallel(2, [&](pl::index) {
        pl::range(1, 3, [&](pl::index) {
            pl::spmd(1, [&](pl::index) { seen.push_back(ptoref::detail::current_loop_path()); });
        });
    });
    CHECK(seen == std::vector<path>{{0, 1, 0}, {0, 2, 0}, {1, 1, 0}, {1, 2, 0}});
    CHECK(ptoref::detail::current_loop_path().empty());
}

TEST_CASE("worker threads see the full index path, including loops enclosing the threaded one")
{
    std::mutex m;
    std::set<path> seen;
    pl::range(5, 7, [&](pl::index) {
        pl::parallel(0, 4, 1, pl::on(pl::schedule::threads(2)), [&](pl::index) {
            pl::range(2, [&](pl::index) {
                std::lock_guard<std::mutex> lock(m);
                seen.insert(ptoref::detail::current_loop_path());
            });
        });
    });
    std::set<path> want;
    for (pl::index a : {5, 6})
        for (pl::index b = 0; b < 4; ++b)
            for (pl::index c = 0; c < 2; ++c)
                want.insert({a, b, c});
    CHECK(seen == want);
    CHECK(ptoref::detail::current_loop_path().empty());
}

// ---- exceptions ---------------------------------------------------------------------------------

namespace {
struct body_error : std::runtime_error {
    pl::index where;
    explicit body_error(pl::index i) : std::runtime_error("body failed at " + std::to_string(i)), where(i) {}
};
} // namespace

TEST_CASE("an exception thrown in a body propagates under every schedule; frames are popped")
{
    for (const pl::schedule& s : all_schedules()) {
        INFO(s.str());
        std::atomic<int> ran{0};
        bool caught = false;
        try {
            pl::parallel(0, 8, 1, pl::on(s), [&](pl::index i) {
                ++ran;
                if (i == 2)
                    throw body_error(i);
            });
        } catch (const body_error& e) { // the original type, not a wrapper
            caught = true;
            CHECK(e.where == 2);
        }
        CHECK(caught);
        CHECK(ran.load() >= 1);
        CHECK(ptoref::detail::current_loop_path().empty());
        // spmd too, and a ptoref::error keeps its message.
        CHECK_THROWS_WITH(pl::spmd(4, pl::on(s),
                                   [](pl::index b) {
                                       if (b == 3)
                                           throw ptoref::error("kernel", "boom");
                                   }),
                          "kernel: boom");
        CHECK(ptoref::detail::current_loop_path().empty());
    }
    CHECK_THROWS_AS(pl::range(3, [](pl::index) { throw std::runtime_error("x"); }), std::runtime_error);
    CHECK(ptoref::detail::current_loop_path().empty());
}

TEST_CASE("an exception from a nested loop inside a worker propagates; later threaded loops still use threads")
{
    std::atomic<int> outer_done{0};
    CHECK_THROWS_AS(pl::parallel(0, 6, 1, pl::on(pl::schedule::threads(2)),
                                 [&](pl::index i) {
                                     pl::range(3, [&](pl::index j) {
                                         pl::parallel(2, [&](pl::index k) {
                                             if (i == 4 && j == 1 && k == 1)
                                                 throw body_error(i);
                                         });
                                     });
                                     ++outer_done;
                                 }),
                    body_error);
    CHECK(ptoref::detail::current_loop_path().empty());
    // The calling thread is not left marked as a worker: the next loop still runs on two threads.
    visits v;
    pl::parallel(0, 16, 1, pl::on(pl::schedule::threads(2)), [&](pl::index i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        v(i);
    });
    CHECK(v.sorted().size() == 16);
    CHECK(v.threads.size() == 2);
}

TEST_CASE("an exception abandons the loop's race verdict: the exception is what the caller sees")
{
    auto t = pl::full({2}, pl::FP32, 0.0f).name("t");
    ptoref::check::collector c;
    CHECK_THROWS_AS(pl::parallel(3,
                                 [&](pl::index i) {
                                     t = pl::write(t, {0}, 1.0f); // racy...
                                     if (i == 2)
                                         throw body_error(i); // ...but the loop does not end normally
                                 }),
                    body_error);
    CHECK(c.races().empty());
    {
        std::lock_guard<std::mutex> lock(ptoref::check::detail::active().mutex);
        CHECK(ptoref::check::detail::active().loops.empty()); // the detector state is gone
    }
    // The next loop is judged afresh.
    pl::parallel(2, [&](pl::index) { t = pl::write(t, {1}, 2.0f); });
    REQUIRE(c.races().size() == 1);
    CHECK(ptoref::check::boxes_to_string(c.races()[0].tensor, c.races()[0].region) == "t[1]");
}

// ---- threads ------------------------------------------------------------------------------------

TEST_CASE("threads(n) runs iterations on more than one thread, at most n")
{
    for (int n : {1, 2, 3}) {
        INFO("threads(" << n << ")");
        visits v;
        pl::parallel(0, 24, 1, pl::on(pl::schedule::threads(n)), [&](pl::index i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            v(i);
        });
        CHECK(v.sorted().size() == 24);
        CHECK(v.sorted().back() == 23);
        CHECK(static_cast<int>(v.threads.size()) == n);
    }
    // Never more threads than iterations.
    visits two;
    pl::parallel(0, 2, 1, pl::on(pl::schedule::threads(8)), [&](pl::index i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        two(i);
    });
    CHECK(two.threads.size() <= 2);
    CHECK(two.sorted() == idx_list{0, 1});
}

TEST_CASE("a nested parallel loop inside a threaded worker runs in order on that worker, and is race-checked")
{
    std::mutex m;
    std::map<pl::index, idx_list> inner_order;
    std::map<pl::index, std::set<std::thread::id>> inner_threads;
    std::set<std::thread::id> outer_threads;
    auto t = pl::full({8, 4}, pl::FP32, 0.0f).name("t");
    ptoref::check::collector c;
    int write_line = 0;
    pl::parallel(0, 8, 1, pl::on(pl::schedule::threads(2)), [&](pl::index i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        {
            std::lock_guard<std::mutex> lock(m);
            outer_threads.insert(std::this_thread::get_id());
        }
        // Even an explicit threaded schedule runs in order inside a worker.
        pl::parallel(0, 3, 1, pl::on(pl::schedule::threads(4)), [&](pl::index j) {
            {
                std::lock_guard<std::mutex> lock(m);
                inner_order[i].push_back(j);
                inner_threads[i].insert(std::this_thread::get_id());
            }
            // Iterations j of one outer i all write row i: a race at the inner level only.
            if (i == 0 && j == 0) // (one line for every thread: it is only read here)
                write_line = __LINE__ + 1;
            t = pl::assemble(t, pl::full({1, 2}, pl::FP32, static_cast<float>(i)), {i, j == 2 ? 2 : 0});
        });
    });
    CHECK(outer_threads.size() == 2);
    for (pl::index i = 0; i < 8; ++i) {
        INFO("outer " << i);
        CHECK(inner_order[i] == idx_list{0, 1, 2});
        CHECK(inner_threads[i].size() == 1);
    }
    // Inner iterations 0 and 1 of each outer iteration write t[i, 0:2]: one WAW per inner instance,
    // with the full index path; iteration 2 writes t[i, 2:4], disjoint.
    REQUIRE(c.races().size() == 8);
    std::set<pl::index> outers;
    for (const auto& r : c.races()) {
        INFO(r.str());
        REQUIRE(r.first_iteration.size() == 2);
        const pl::index i = r.first_iteration[0];
        outers.insert(i);
        CHECK(r.kind == ptoref::check::race_kind::waw);
        CHECK(r.first_iteration == path{i, 0});
        CHECK(r.second_iteration == path{i, 1});
        CHECK(ptoref::check::boxes_to_string(r.tensor, r.region) == "t[" + std::to_string(i) + ", 0:2]");
        CHECK(r.second.where.line() == static_cast<unsigned>(write_line));
    }
    CHECK(outers.size() == 8);
    for (pl::index i = 0; i < 8; ++i)
        CHECK(pl::read(t, {i, 3}) == static_cast<float>(i));
}

namespace {
// The seed's idiom, threaded: every iteration rebinds the shared handle t.
std::vector<std::uint32_t> idiom_program(const pl::schedule& s, std::size_t& races, std::size_t& loops)
{
    auto t = pl::create_tensor({16, 8}, pl::FP32).name("t");
    auto x = pl::full({16, 8}, pl::FP32, 0.0f).name("x");
    pl::parallel(16, [&](pl::index i) {
        x = pl::assemble(x, pl::full({1, 8}, pl::FP32, static_cast<float>(i) * 0.37f - 2.0f), {i, 0});
    });
    ptoref::check::collector c;
    pl::parallel(0, 16, 1, pl::on(s), [&](pl::index i) {
        auto row = pl::slice(x, {1, 8}, {i, 0});
        t = pl::assemble(t, pl::exp(pl::mul(row, 1.5)), {i, 0});
        auto back = pl::row_sum(pl::slice(t, {1, 8}, {i, 0})); // reads its own row back
        t = pl::write(t, {i, 7}, pl::read(back, {0, 0}));
    });
    ptoref::check::require_defined(t, "t");
    races = c.races().size() + c.stale().size() + c.undefined().size();
    loops = c.loops().size();
    std::vector<std::uint32_t> bits(16 * 8);
    const auto v = t.to_vector();
    std::memcpy(bits.data(), v.data(), v.size() * sizeof(float));
    return bits;
}
} // namespace

TEST_CASE("the idiom t = pl::assemble(t, x, {i, 0}) gives the same bits on every schedule, with no race")
{
    std::size_t races = 0, loops = 0;
    const auto base = idiom_program(pl::schedule::sequential(), races, loops);
    CHECK(races == 0);
    CHECK(loops == 1);
    for (const pl::schedule& s :
         {pl::schedule::reverse(), pl::schedule::shuffled(3), pl::schedule::threads(2), pl::schedule::threads(4)}) {
        INFO(s.str());
        for (int rep = 0; rep < 3; ++rep) {
            CHECK(idiom_program(s, races, loops) == base);
            CHECK(races == 0);
            CHECK(loops == 1);
        }
    }
}

TEST_CASE("a racy loop is reported under every schedule, with the same region")
{
    std::vector<pl::schedule> schedules = {pl::schedule::sequential(), pl::schedule::reverse(),
                                           pl::schedule::shuffled(1)};
#if !defined(PTOREF_TEST_TSAN)
    schedules.push_back(pl::schedule::threads(2)); // a real data race on threads: not under TSan
#endif
    for (const pl::schedule& s : schedules) {
        INFO(s.str());
        auto t = pl::full({4, 4}, pl::FP32, 0.0f).name("acc");
        ptoref::check::collector c;
        pl::parallel(0, 2, 1, pl::on(s), [&](pl::index i) {
            t = pl::assemble(t, pl::full({3, 4}, pl::FP32, 1.0f), {i, 0}); // rows [i, i+3): rows 1-2 overlap
        });
        REQUIRE(c.races().size() == 1);
        CHECK(c.races()[0].kind == ptoref::check::race_kind::waw);
        CHECK(ptoref::check::boxes_to_string("acc", c.races()[0].region) == "acc[1:3, 0:4]");
        std::set<path> pair = {c.races()[0].first_iteration, c.races()[0].second_iteration};
        CHECK(pair == std::set<path>{{0}, {1}});
    }
}

TEST_CASE("the default schedule applies to loops without an explicit one; pl::range ignores it")
{
    const pl::schedule saved = pl::default_schedule();
    pl::set_default_schedule(pl::schedule::reverse());
    visits p, s, r;
    pl::parallel(4, std::ref(p));
    pl::spmd(3, std::ref(s));
    pl::range(3, std::ref(r));
    CHECK(p.order == idx_list{3, 2, 1, 0});
    CHECK(s.order == idx_list{2, 1, 0});
    CHECK(r.order == idx_list{0, 1, 2}); // sequential by definition
    pl::set_default_schedule(pl::schedule::threads(2));
    visits th;
    pl::parallel(16, [&](pl::index i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        th(i);
    });
    CHECK(th.threads.size() == 2);
    // An explicit schedule wins over the default.
    visits ex;
    pl::parallel(3, pl::on(pl::schedule::sequential()), std::ref(ex));
    CHECK(ex.order == idx_list{0, 1, 2});
    pl::set_default_schedule(saved);
}

TEST_CASE("with checks off, loops run without race state and report nothing")
{
    ptoref::check::enabled_scope off(false);
    auto t = pl::full({1}, pl::FP32, 0.0f);
    ptoref::check::collector c;
    CHECK_NOTHROW(pl::parallel(0, 2, 1, [&](pl::index) { t = pl::assemble(t, pl::full({1}, pl::FP32, 1.0f), {0}); }));
    CHECK(c.clean());
    CHECK(c.loops().empty());
}
