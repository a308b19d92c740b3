#include <ptoref/ptoref.hpp>

#include <catch2/catch.hpp>

#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace pl = ptoref::pl;
using ptoref::dims;

namespace {
std::vector<pl::index> collect_range(pl::index a, pl::index b, pl::index c)
{
    std::vector<pl::index> v;
    pl::range(a, b, c, [&](pl::index i) { v.push_back(i); });
    return v;
}
} // namespace

TEST_CASE("bounds follow Python's range")
{
    std::vector<pl::index> v;
    pl::range(3, [&](pl::index i) { v.push_back(i); });
    CHECK(v == std::vector<pl::index>{0, 1, 2});
    v.clear();
    pl::range(2, 5, [&](pl::index i) { v.push_back(i); });
    CHECK(v == std::vector<pl::index>{2, 3, 4});
    CHECK(collect_range(0, 10, 4) == std::vector<pl::index>{0, 4, 8});
    CHECK(collect_range(5, 0, -2) == std::vector<pl::index>{5, 3, 1});
    CHECK(collect_range(5, 5, 1).empty());
    CHECK(collect_range(5, 0, 1).empty());
    CHECK_THROWS_WITH(collect_range(0, 5, 0),
                      Catch::Contains("pl.range: step must not be zero") && Catch::Contains("test_loops.cpp:"));
    v.clear();
    pl::parallel(0, 6, 2, pl::chunk(4), [&](pl::index i) { v.push_back(i); });
    CHECK(v == std::vector<pl::index>{0, 2, 4});
    CHECK_THROWS_WITH(pl::parallel(0, 6, 1, pl::chunk(-1), [](pl::index) {}),
                      Catch::Contains("chunk size must be positive"));
    v.clear();
    pl::spmd(3, [&](pl::index b) { v.push_back(b); });
    CHECK(v == std::vector<pl::index>{0, 1, 2});
}

TEST_CASE("schedules change the order, not the set; reverse and shuffled are honoured")
{
    std::vector<pl::index> v;
    pl::parallel(0, 4, 1, pl::on(pl::schedule::reverse()), [&](pl::index i) { v.push_back(i); });
    CHECK(v == std::vector<pl::index>{3, 2, 1, 0});
    v.clear();
    pl::parallel(0, 8, 1, pl::on(pl::schedule::shuffled(7)), [&](pl::index i) { v.push_back(i); });
    CHECK(v == std::vector<pl::index>{1, 4, 5, 2, 6, 0, 3, 7});
}

TEST_CASE("nested loops see their index paths")
{
    std::vector<std::vector<pl::index>> paths;
    pl::parallel(2, [&](pl::index) {
        pl::range(1, 3, [&](pl::index) {
            pl::parallel(1, [&](pl::index) { paths.push_back(ptoref::detail::current_loop_path()); });
        });
    });
    CHECK(paths == std::vector<std::vector<pl::index>>{{0, 1, 0}, {0, 2, 0}, {1, 1, 0}, {1, 2, 0}});
    CHECK(ptoref::detail::current_loop_path().empty());
}

TEST_CASE("exceptions from a body propagate and the loop frames are unwound")
{
    for (const pl::schedule& s : {pl::schedule::sequential(), pl::schedule::threads(2)}) {
        CHECK_THROWS_WITH(pl::parallel(0, 4, 1, pl::on(s),
                                       [](pl::index i) {
                                           if (i == 2)
                                               throw ptoref::error("body", "boom");
                                       }),
                          Catch::Contains("boom"));
        CHECK(ptoref::detail::current_loop_path().empty());
    }
    CHECK_THROWS_AS(pl::range(3, [](pl::index) { throw std::runtime_error("x"); }), std::runtime_error);
    CHECK(ptoref::detail::current_loop_path().empty());
}

TEST_CASE("threads(n) runs on more than one thread and nested loops run inside workers")
{
    std::mutex m;
    std::set<std::thread::id> ids;
    std::vector<pl::index> inner;
    pl::parallel(0, 16, 1, pl::on(pl::schedule::threads(2)), [&](pl::index i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        pl::parallel(0, 2, 1, [&](pl::index j) {
            std::lock_guard<std::mutex> lock(m);
            ids.insert(std::this_thread::get_id());
            inner.push_back(i * 2 + j);
        });
    });
    CHECK(ids.size() == 2);
    std::sort(inner.begin(), inner.end());
    CHECK(inner.size() == 32);
    CHECK(inner.back() == 31);
}

TEST_CASE("the idiom t = pl::assemble(t, x, off) gives the same bits on every schedule, with no race")
{
    auto program = [](const pl::schedule& s) {
        auto t = pl::create_tensor({8, 4}, pl::FP32).name("t");
        ptoref::check::collector c;
        pl::parallel(0, 8, 1, pl::on(s), [&](pl::index i) {
            auto row = pl::full({1, 4}, pl::FP32, static_cast<float>(i) * 0.5f);
            t = pl::assemble(t, pl::exp(row), {i, 0});
            (void)pl::row_sum(pl::slice(t, {1, 4}, {i, 0})); // reads its own row back
        });
        CHECK(c.clean());
        return t.to_vector();
    };
    const auto base = program(pl::schedule::sequential());
    for (const pl::schedule& s :
         {pl::schedule::reverse(), pl::schedule::shuffled(3), pl::schedule::threads(2), pl::schedule::threads(8)})
        CHECK(program(s) == base);
}

TEST_CASE("a racy loop is reported under every schedule, with the same region")
{
    std::vector<pl::schedule> schedules = {pl::schedule::sequential(), pl::schedule::reverse()};
#if !defined(__SANITIZE_THREAD__)
    schedules.push_back(pl::schedule::threads(2)); // a real data race on threads: not under TSan
#endif
    for (const pl::schedule& s : schedules) {
        auto t = pl::full({4, 4}, pl::FP32, 0.0f).name("acc");
        ptoref::check::collector c;
        pl::parallel(0, 2, 1, pl::on(s), [&](pl::index i) {
            t = pl::assemble(t, pl::full({3, 4}, pl::FP32, 1.0f), {i, 0}); // rows [i, i+3): rows 1-2 overlap
        });
        REQUIRE(c.races().size() == 1);
        CHECK(c.races()[0].kind == ptoref::check::race_kind::waw);
        CHECK(ptoref::check::to_string(c.races()[0].region.at(0)) == "[1:3, 0:4]");
    }
}

TEST_CASE("checks can be turned off")
{
    ptoref::check::enabled_scope off(false);
    auto t = pl::full({1}, pl::FP32, 0.0f);
    CHECK_NOTHROW(pl::parallel(0, 2, 1, [&](pl::index) { t = pl::assemble(t, pl::full({1}, pl::FP32, 1.0f), {0}); }));
}
