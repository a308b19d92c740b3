// Repeated reads in the race detector: a read that repeats an earlier conflict-free read of the
// same iteration is skipped (race_detector.hpp, the `quiet` map), so what undoes that must be
// judged exactly. Iterations are interleaved by driving one parallel loop instance by hand (as
// the Python front end does), which is what a threaded schedule can do to them.
#include <ptoref/ptoref.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace pl = ptoref::pl;
using ptoref::check::collector;
using ptoref::check::race_kind;
using ptoref::check::race_record;
using path = std::vector<pl::index>;

namespace {

std::string region(const race_record& r)
{
    return ptoref::check::boxes_to_string(r.tensor, r.region);
}

// k [8, 8]: iteration 0 writes rows 0..3 as two halves from two sites (so its cells do not
// merge into one run) and reads the whole of k twice; then `other` runs as iteration 1; then
// iteration 0 reads k again.
template <class Other>
std::vector<race_record> interleaved(Other other)
{
    auto k = pl::full({8, 8}, pl::FP32, 1.0).name("k");
    collector c;
    {
        pl::detail::parallel_instance inst("pl.parallel", 0, 2, 1, pl::loop_options{},
                                           ptoref::source_location::current());
        inst.enter(0);
        for (pl::index r = 0; r < 4; ++r) {
            k = pl::assemble(k, pl::full({1, 4}, pl::FP32, 2.0), {r, 0});
            k = pl::assemble(k, pl::full({1, 4}, pl::FP32, 3.0), {r, 4});
        }
        (void)pl::neg(k);
        (void)pl::neg(k);
        inst.leave();
        inst.enter(1);
        other(k);
        inst.leave();
        inst.enter(0);
        (void)pl::exp(k);
        inst.leave();
        inst.finish();
    }
    return c.races();
}

const race_record* find(const std::vector<race_record>& rs, race_kind kind)
{
    for (const race_record& r : rs)
        if (r.kind == kind)
            return &r;
    return nullptr;
}

} // namespace

TEST_CASE("a write of another iteration between two reads of one iteration: the second read is judged")
{
    const auto rs = interleaved([](pl::Tensor<float>& k) {
        k = pl::assemble(k, pl::full({1, 8}, pl::FP32, 4.0), {6, 0});
    });
    REQUIRE(rs.size() == 2);
    const race_record* war = find(rs, race_kind::war);
    const race_record* raw = find(rs, race_kind::raw);
    REQUIRE(war != nullptr);
    REQUIRE(raw != nullptr);
    CHECK(region(*war) == "k[6, 0:8]");
    CHECK(war->first_iteration == path{0});
    CHECK(war->second_iteration == path{1});
    CHECK(war->first.op == "pl::neg");
    CHECK(region(*raw) == "k[6, 0:8]");
    CHECK(raw->first_iteration == path{1});
    CHECK(raw->second_iteration == path{0});
    CHECK(raw->second.op == "pl::exp");
}

TEST_CASE("a write of another iteration over rows the first wrote: WAW per site, and the later read is a RAW")
{
    const auto rs = interleaved([](pl::Tensor<float>& k) {
        k = pl::assemble(k, pl::full({1, 2}, pl::FP32, 4.0), {1, 3});
    });
    REQUIRE(rs.size() == 3);
    // Columns 3 and 4 of row 1 were written by iteration 0 from its two sites: one record each.
    std::vector<std::string> waws;
    for (const race_record& r : rs)
        if (r.kind == race_kind::waw)
            waws.push_back(region(r));
    CHECK(waws == std::vector<std::string>{"k[1, 3]", "k[1, 4]"});
    const race_record* raw = find(rs, race_kind::raw);
    REQUIRE(raw != nullptr);
    CHECK(region(*raw) == "k[1, 3:5]");
    CHECK(raw->first_iteration == path{1});
    CHECK(raw->second_iteration == path{0});
}

TEST_CASE("reads of another iteration between reads of one iteration: no race")
{
    // Rows 4..7, which iteration 0 only read.
    const auto rs = interleaved([](pl::Tensor<float>& k) {
        (void)pl::neg(pl::slice(k, {4, 8}, {4, 0}));
        (void)pl::exp(pl::slice(k, {2, 8}, {5, 0}));
    });
    CHECK(rs.empty());
}

TEST_CASE("an atomic add of another iteration between two reads of one iteration: the second read is judged")
{
    const auto rs = interleaved([](pl::Tensor<float>& k) {
        k = pl::assemble(k, pl::full({1, 8}, pl::FP32, 4.0), {7, 0}, pl::AtomicType::Add);
    });
    const race_record* raw = nullptr;
    for (const race_record& r : rs)
        if (r.kind == race_kind::raw && r.second_iteration == path{0})
            raw = &r;
    REQUIRE(raw != nullptr);
    CHECK(region(*raw) == "k[7, 0:8]");
}
