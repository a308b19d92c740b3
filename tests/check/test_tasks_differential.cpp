// check::task_graph against a brute-force oracle on random task programs: random buffers,
// views (boxes, transposes, flat reshapes, stepped rows), tags, manual_dep, manual scopes,
// explicit deps, multi-block footprints of reads, writes and atomic adds that may leave the
// views passed (two atomic adds commute: no conflict). The oracle applies
// the runtime's rules pair by pair from their statement (no incremental TensorMap, no
// interval sets), closes the edge relation with Floyd-Warshall and compares element by element.
// Every conflicting unordered pair, its kind and its exact elements must agree.
#include <ptoref/check/tasks.hpp>
#include <ptoref/testing/random.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace check = ptoref::check;
using check::arg_tag;
using ptoref::dims;
using ix = ptoref::index; // (not `index`: <strings.h> declares ::index)
using ptoref::view_geometry;

namespace {

struct rng {
    ptoref::testing::splitmix64 g;
    ix below(ix n) { return n <= 1 ? 0 : static_cast<ix>(g.next() % static_cast<std::uint64_t>(n)); }
    bool chance(int percent) { return below(100) < percent; }
};

struct buf {
    ix rows, cols;
};

// A random view of a [rows, cols] buffer, in its flat element indices.
view_geometry random_view(rng& r, const buf& b)
{
    const ix r0 = r.below(b.rows), r1 = r0 + 1 + r.below(b.rows - r0);
    const ix c0 = r.below(b.cols), c1 = c0 + 1 + r.below(b.cols - c0);
    switch (r.below(5)) {
    case 0: // a box
        return {dims{r1 - r0, c1 - c0}, dims{b.cols, 1}, r0 * b.cols + c0};
    case 1: // the transpose of a box
        return {dims{c1 - c0, r1 - r0}, dims{1, b.cols}, r0 * b.cols + c0};
    case 2: { // a flat range through a reshape to 1-D
        const ix n = b.rows * b.cols, a = r.below(n), e = a + 1 + r.below(n - a);
        return {dims{e - a}, dims{1}, a};
    }
    case 3: { // every second row of a box
        const ix nr = (r1 - r0 + 1) / 2;
        return {dims{nr, c1 - c0}, dims{2 * b.cols, 1}, r0 * b.cols + c0};
    }
    default: // the whole buffer
        return {dims{b.rows, b.cols}, dims{b.cols, 1}, 0};
    }
}

std::vector<bool> elements(const view_geometry& g, ix n)
{
    std::vector<bool> e(static_cast<std::size_t>(n), false);
    ptoref::for_each_offset(g.shape, g.strides, g.offset, [&](ix f) { e[static_cast<std::size_t>(f)] = true; });
    return e;
}

struct oracle_arg {
    std::uint64_t buffer;
    std::vector<bool> view;
    arg_tag tag;
    bool manual_dep;
};
struct oracle_task {
    bool manual;
    std::vector<std::size_t> deps; // 0-based
    std::vector<oracle_arg> args;
    std::map<std::uint64_t, std::array<std::vector<bool>, 3>> rw; // read, write, atomic add (all blocks)
};

// buffer, kind, first's access, second's access, first, second
using key = std::tuple<std::uint64_t, int, int, int, std::uint64_t, std::uint64_t>;

std::map<key, std::vector<ix>> oracle(const std::vector<oracle_task>& ts, const std::vector<buf>& bufs,
                                      std::size_t& commuting)
{
    const std::size_t n = ts.size();
    std::vector<std::vector<bool>> hb(n, std::vector<bool>(n, false));
    for (std::size_t j = 0; j < n; ++j) {
        for (std::size_t d : ts[j].deps)
            hb[d][j] = true;
        if (ts[j].manual)
            continue;
        for (std::size_t i = 0; i < j; ++i) {
            if (ts[i].manual)
                continue;
            for (const oracle_arg& b : ts[j].args) {
                // creator retention: the latest earlier auto task with an OUTPUT on the buffer
                if (b.tag != arg_tag::output) {
                    std::size_t last = n;
                    for (std::size_t k = 0; k < j; ++k)
                        if (!ts[k].manual)
                            for (const oracle_arg& c : ts[k].args)
                                if (c.buffer == b.buffer && c.tag == arg_tag::output)
                                    last = k;
                    if (last == i)
                        hb[i][j] = true;
                }
                if (b.manual_dep || (b.tag != arg_tag::input && b.tag != arg_tag::inout))
                    continue;
                for (const oracle_arg& a : ts[i].args) {
                    if (a.buffer != b.buffer || a.manual_dep ||
                        (a.tag != arg_tag::inout && a.tag != arg_tag::output_existing))
                        continue;
                    for (std::size_t e = 0; e < a.view.size(); ++e)
                        if (a.view[e] && b.view[e])
                            hb[i][j] = true;
                }
            }
        }
    }
    for (std::size_t k = 0; k < n; ++k)
        for (std::size_t i = 0; i < n; ++i)
            if (hb[i][k])
                for (std::size_t j = 0; j < n; ++j)
                    if (hb[k][j])
                        hb[i][j] = true;
    std::map<key, std::vector<ix>> out;
    for (std::uint64_t b = 0; b < bufs.size(); ++b)
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t i = 0; i < j; ++i) {
                if (hb[i][j])
                    continue;
                auto ai = ts[i].rw.find(b), bj = ts[j].rw.find(b);
                if (ai == ts[i].rw.end() || bj == ts[j].rw.end())
                    continue;
                const auto& x = ai->second;
                const auto& y = bj->second;
                constexpr int R = 0, W = 1, A = 2; // the access kinds, as check::access_kind numbers them
                static_assert(int(ptoref::access_kind::read) == R && int(ptoref::access_kind::write) == W &&
                              int(ptoref::access_kind::atomic_add) == A);
                for (std::size_t e = 0; e < x[R].size(); ++e) {
                    // Any access of i against any of j on the element: a conflict unless both
                    // read or both add atomically.
                    for (int u = 0; u < 3; ++u)
                        for (int v = 0; v < 3; ++v) {
                            if (!x[u][e] || !y[v][e] || (u == R && v == R))
                                continue;
                            if (u == A && v == A) {
                                ++commuting;
                                continue;
                            }
                            const auto kind = u == R ? check::race_kind::war
                                                     : (v == R ? check::race_kind::raw : check::race_kind::waw);
                            out[{b, int(kind), u, v, i + 1, j + 1}].push_back(static_cast<ix>(e));
                        }
                }
            }
    return out;
}

std::vector<ix> flats_of(const check::ordering_record& r)
{
    std::vector<ix> f;
    for (const check::box& b : r.region)
        for (ix i = b.lo[0]; i < b.hi[0]; ++i)
            for (ix k = b.lo[1]; k < b.hi[1]; ++k)
                f.push_back(i * r.tensor_shape[1] + k);
    std::sort(f.begin(), f.end());
    return f;
}

} // namespace

TEST_CASE("task_graph agrees with a brute-force oracle on 12000 random task programs")
{
    rng r{ptoref::testing::splitmix64(0x7a5c5eedULL)};
    const int programs = 12000;
    std::size_t total_records = 0, total_pairs_ordered = 0, with_findings = 0, commuting = 0, atomic_records = 0;
    for (int p = 0; p < programs; ++p) {
        std::vector<buf> bufs;
        const ix nb = 1 + r.below(3);
        for (ix b = 0; b < nb; ++b)
            bufs.push_back({1 + r.below(5), 1 + r.below(6)});
        check::task_graph g;
        for (std::uint64_t b = 0; b < bufs.size(); ++b)
            g.describe_buffer(b, "t" + std::to_string(b), dims{bufs[b].rows, bufs[b].cols});
        std::vector<bool> manual_dep(bufs.size());
        for (std::size_t b = 0; b < bufs.size(); ++b)
            manual_dep[b] = r.chance(10);
        std::vector<oracle_task> ots;
        const ix nt = 1 + r.below(10);
        bool in_manual = false;
        for (ix t = 0; t < nt; ++t) {
            if (r.chance(15))
                in_manual = !in_manual;
            check::task_info ti;
            ti.kind = "pl.at";
            ti.site_text = "prog.py:" + std::to_string(t + 1);
            ti.scope = in_manual ? check::scope_mode::manual : check::scope_mode::auto_scope;
            ti.blocks = 1 + r.below(3);
            oracle_task ot;
            ot.manual = in_manual;
            for (ix d = 0; d < t; ++d)
                if (r.chance(12)) {
                    ti.deps.push_back(static_cast<check::task_id>(d + 1));
                    ot.deps.push_back(static_cast<std::size_t>(d));
                }
            for (std::uint64_t b = 0; b < bufs.size(); ++b) {
                const ix n = bufs[b].rows * bufs[b].cols;
                const int nargs = r.chance(70) ? 1 : (r.chance(50) ? 0 : 2);
                for (int k = 0; k < nargs; ++k) {
                    const view_geometry v = random_view(r, bufs[b]);
                    const arg_tag tags[] = {arg_tag::input, arg_tag::inout, arg_tag::output_existing, arg_tag::no_dep,
                                            arg_tag::output};
                    const arg_tag tag = tags[r.chance(5) ? 4 : r.below(4)];
                    check::task_arg a;
                    a.buffer = b;
                    a.view = check::element_set(v);
                    a.tag = tag;
                    a.manual_dep = manual_dep[b];
                    ti.args.push_back(a);
                    ot.args.push_back({b, elements(v, n), tag, manual_dep[b]});
                }
                if (!r.chance(75))
                    continue;
                auto& acc = ot.rw[b];
                for (auto& v : acc)
                    v.assign(static_cast<std::size_t>(n), false);
                const ix accesses = 1 + r.below(3);
                for (ix k = 0; k < accesses; ++k) {
                    const view_geometry v = random_view(r, bufs[b]);
                    const ix block = r.below(ti.blocks);
                    const ix what = r.chance(25) ? 2 : r.below(2); // read, write, atomic add
                    if (what == 1)
                        ti.write(b, v, block);
                    else if (what == 2)
                        ti.atomic_add(b, v, block);
                    else
                        ti.read(b, v, block);
                    const auto e = elements(v, n);
                    for (std::size_t f = 0; f < e.size(); ++f)
                        if (e[f])
                            acc[static_cast<std::size_t>(what)][f] = true;
                }
            }
            ots.push_back(std::move(ot));
            g.submit(std::move(ti));
        }
        const auto expect = oracle(ots, bufs, commuting);
        std::map<key, std::vector<ix>> got;
        for (const check::ordering_record& rec : g.conflicts()) {
            const std::uint64_t b = static_cast<std::uint64_t>(std::stoi(rec.tensor.substr(1)));
            const key k{b, int(rec.kind), int(rec.first.access), int(rec.second.access), rec.first.id, rec.second.id};
            REQUIRE(!got.contains(k));
            got[k] = flats_of(rec);
            REQUIRE(rec.elements == static_cast<ix>(got[k].size()));
            REQUIRE(!rec.why.empty());
            atomic_records += rec.first.access == ptoref::access_kind::atomic_add ||
                              rec.second.access == ptoref::access_kind::atomic_add;
        }
        if (got != expect) {
            INFO("program " << p);
            for (const auto& [k, v] : expect)
                INFO("oracle: buffer " << std::get<0>(k) << " kind " << std::get<1>(k) << " access " << std::get<2>(k)
                                       << "/" << std::get<3>(k) << " " << std::get<4>(k) << "->" << std::get<5>(k)
                                       << " n=" << v.size());
            for (const auto& [k, v] : got)
                INFO("graph: buffer " << std::get<0>(k) << " kind " << std::get<1>(k) << " access " << std::get<2>(k)
                                      << "/" << std::get<3>(k) << " " << std::get<4>(k) << "->" << std::get<5>(k)
                                      << " n=" << v.size());
            REQUIRE(got == expect);
        }
        total_records += got.size();
        with_findings += got.empty() ? 0 : 1;
        for (std::size_t j = 1; j <= g.size(); ++j)
            for (std::size_t i = 1; i < j; ++i)
                total_pairs_ordered += g.ordered(i, j) ? 1 : 0;
    }
    // Not vacuous: both verdicts occur often.
    CHECK(with_findings > programs / 10);
    CHECK(with_findings < programs);
    CHECK(total_records > 10000);
    CHECK(total_pairs_ordered > 10000);
    CHECK(commuting > 1000);      // unordered atomic adds on one element: no record, and often
    CHECK(atomic_records > 1000); // an atomic add against a plain access: a record, and often
}
