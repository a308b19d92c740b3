// Differential test of the race detector: thousands of random small programs (random views —
// strided, transposed, reshaped, lower-rank, partially valid — random reads and writes, nested
// loops) judged by the detector and by a brute-force oracle that enumerates each iteration's
// element sets with its own index arithmetic. Zero disagreement, every run.
#include <ptoref/ptoref.hpp>
#include <ptoref/testing/random.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace pl = ptoref::pl;
using ptoref::dims;

namespace {

class rng {
public:
    explicit rng(std::uint64_t seed) : s_(seed * 0x2545f4914f6cdd1dull + 1) {}
    std::uint64_t next() { return s_.next(); }
    long below(long n) { return static_cast<long>(next() % static_cast<std::uint64_t>(n)); }
    bool chance(int percent) { return below(100) < percent; }

private:
    ptoref::testing::splitmix64 s_;
};

// The oracle's own idea of a view: shape, strides, offset, valid shape (no ptoref code).
struct geom {
    std::vector<long> shape, strides, valid;
    long offset = 0;
};

std::vector<long> elements(const geom& g, const std::vector<long>& box, const std::vector<long>& origin)
{
    std::vector<long> out;
    const std::size_t r = g.shape.size();
    long total = 1;
    for (long e : box)
        total *= e;
    for (long n = 0; n < total; ++n) {
        long rest = n, flat = g.offset;
        for (std::size_t d = r; d-- > 0;) {
            const long i = rest % box[d];
            rest /= box[d];
            flat += (origin[d] + i) * g.strides[d];
        }
        out.push_back(flat);
    }
    return out;
}

struct program_state {
    std::vector<ptoref::Tensor<float>> bases;
    std::vector<std::vector<long>> base_shapes;
    // oracle: instance (outer path) -> iteration -> buffer -> element sets
    struct sets {
        std::set<long> reads, writes;
    };
    std::map<std::vector<long>, std::map<long, std::map<int, sets>>> seen;
    long accesses = 0;
    std::mutex mutex;
};

struct frame {
    bool parallel;
    long value;
};

// The current iteration path as the loops themselves track it (thread-local, so it is right on
// worker threads too), with the structure's knowledge of which levels are parallel.
std::vector<frame> current_frames(const std::vector<bool>& parallel_levels)
{
    std::vector<frame> f;
    const auto path = ptoref::detail::current_loop_path();
    for (std::size_t i = 0; i < path.size(); ++i)
        f.push_back({parallel_levels[i], path[i]});
    return f;
}

class generator {
public:
    generator(std::uint64_t seed, program_state& st, std::vector<bool> levels, bool partitioned, long parts)
        : seed_(seed), st_(st), levels_(std::move(levels)), partitioned_(partitioned), parts_(parts)
    {
    }

    // The accesses of one iteration body. Iteration-dependent choices draw from a generator seeded
    // by the iteration path; shared choices from the program seed, so some programs conflict.
    void body(long salt)
    {
        const std::vector<frame> frames = current_frames(levels_);
        std::uint64_t path_seed = seed_ * 1000003 + static_cast<std::uint64_t>(salt);
        for (const frame& f : frames)
            path_seed = path_seed * 31 + static_cast<std::uint64_t>(f.value + 7);
        rng own(path_seed), shared(seed_ * 7 + static_cast<std::uint64_t>(salt));
        const long n = 1 + own.below(4);
        for (long k = 0; k < n; ++k) {
            rng& r = own.chance(50) ? own : shared;
            access(r, own, frames);
        }
    }

private:
    // Builds a random view of a base buffer; returns it with its oracle geometry.
    std::pair<ptoref::Tensor<float>, geom> random_view(rng& r, int& which, const std::vector<frame>& frames)
    {
        which = static_cast<int>(r.below(static_cast<long>(st_.bases.size())));
        ptoref::Tensor<float> t = st_.bases[static_cast<std::size_t>(which)];
        geom g;
        g.shape = st_.base_shapes[static_cast<std::size_t>(which)];
        g.valid = g.shape;
        g.strides.assign(g.shape.size(), 1);
        for (std::size_t d = g.shape.size() - 1; d-- > 0;)
            g.strides[d] = g.strides[d + 1] * g.shape[d + 1];
        if (partitioned_ && which == 0) { // this iteration's own slab of dim 0
            long part = 0;
            for (const frame& f : frames)
                if (f.parallel)
                    part = part * parts_ + f.value;
            part %= parts_;
            const long h = g.shape[0] / parts_;
            dims ext, off;
            for (std::size_t d = 0; d < g.shape.size(); ++d) {
                ext.push_back(d == 0 ? h : g.shape[d]);
                off.push_back(d == 0 ? part * h : 0);
            }
            t = pl::slice(t, ext, off);
            g.offset += part * h * g.strides[0];
            g.shape[0] = h;
            g.valid[0] = h;
        }
        const long steps = r.below(4);
        for (long s = 0; s < steps; ++s) {
            const long kind = r.below(4);
            const std::size_t rank = g.shape.size();
            if (kind == 0 || kind == 3) { // slice, sometimes with a valid_shape, sometimes lower rank
                dims ext, off, valid;
                std::vector<long> e(rank), o(rank);
                for (std::size_t d = 0; d < rank; ++d) {
                    e[d] = 1 + r.below(g.shape[d]);
                    o[d] = r.below(g.shape[d] - e[d] + 1);
                }
                const bool drop = kind == 3 && rank > 1 && e[0] == 1;
                const bool with_valid = r.chance(40);
                for (std::size_t d = drop ? 1 : 0; d < rank; ++d) {
                    ext.push_back(e[d]);
                    if (with_valid)
                        valid.push_back(r.below(e[d] + 1));
                }
                for (std::size_t d = 0; d < rank; ++d)
                    off.push_back(o[d]);
                t = pl::slice(t, ext, off, valid);
                geom n;
                n.offset = g.offset;
                for (std::size_t d = 0; d < rank; ++d)
                    n.offset += o[d] * g.strides[d];
                for (std::size_t d = drop ? 1 : 0; d < rank; ++d) {
                    const std::size_t k = n.shape.size();
                    n.shape.push_back(e[d]);
                    n.strides.push_back(g.strides[d]);
                    long v = std::min(e[d], std::max(0L, g.valid[d] - o[d]));
                    if (with_valid)
                        v = std::min(v, static_cast<long>(valid[static_cast<int>(k)]));
                    n.valid.push_back(v);
                }
                if (drop && o[0] >= g.valid[0]) // the dropped dim lies outside the valid region
                    std::fill(n.valid.begin(), n.valid.end(), 0L);
                g = n;
            } else if (kind == 1 && rank >= 2) { // transpose
                const auto a = static_cast<std::size_t>(r.below(static_cast<long>(rank)));
                const auto b = static_cast<std::size_t>(r.below(static_cast<long>(rank)));
                t = pl::transpose(t, static_cast<long>(a), static_cast<long>(b));
                std::swap(g.shape[a], g.shape[b]);
                std::swap(g.strides[a], g.strides[b]);
                std::swap(g.valid[a], g.valid[b]);
            } else if (kind == 2) { // reshape, when the view is dense and fully valid
                bool dense = g.valid == g.shape;
                long expect = 1;
                for (std::size_t d = rank; d-- > 0;) {
                    if (g.shape[d] != 1 && g.strides[d] != expect)
                        dense = false;
                    expect *= g.shape[d];
                }
                if (!dense)
                    continue;
                const long total = expect;
                std::vector<long> shape;
                long left = total;
                while (left > 1 && shape.size() < 2) {
                    std::vector<long> divs;
                    for (long q = 1; q <= left; ++q)
                        if (left % q == 0)
                            divs.push_back(q);
                    const long q = divs[static_cast<std::size_t>(r.below(static_cast<long>(divs.size())))];
                    shape.push_back(q);
                    left /= q;
                }
                shape.push_back(left);
                dims ds;
                for (long e : shape)
                    ds.push_back(e);
                t = pl::reshape(t, ds);
                g.shape = shape;
                g.valid = shape;
                g.strides.assign(shape.size(), 1);
                for (std::size_t d = shape.size() - 1; d-- > 0;)
                    g.strides[d] = g.strides[d + 1] * shape[d + 1];
            }
        }
        return {t, g};
    }

    void record(int which, const std::vector<long>& flats, bool write, const std::vector<frame>& frames)
    {
        std::lock_guard<std::mutex> lock(st_.mutex);
        ++st_.accesses;
        std::vector<long> outer;
        for (std::size_t lvl = 0; lvl < frames.size(); ++lvl) {
            if (frames[lvl].parallel) {
                auto& s = st_.seen[outer][frames[lvl].value][which];
                (write ? s.writes : s.reads).insert(flats.begin(), flats.end());
            }
            outer.push_back(frames[lvl].value);
        }
    }

    void access(rng& r, rng& own, const std::vector<frame>& frames)
    {
        int which = 0;
        auto [view, g] = random_view(r, which, frames);
        const std::size_t rank = g.shape.size();
        // Partitioned programs only read the shared buffer b1, so most of them are race-free.
        const long kind = partitioned_ && which == 1 ? 0 : r.below(3);
        if (kind == 0) { // read (the valid region)
            (void)pl::neg(view);
            record(which, elements(g, g.valid, std::vector<long>(rank, 0)), false, frames);
        } else if (kind == 1) { // assemble a partially valid source into the view
            std::vector<long> ext(rank), off(rank), valid(rank);
            dims de, doff, dv;
            for (std::size_t d = 0; d < rank; ++d) {
                ext[d] = 1 + r.below(g.shape[d]);
                off[d] = r.below(g.shape[d] - ext[d] + 1);
                valid[d] = r.chance(70) ? ext[d] : r.below(ext[d] + 1);
                de.push_back(ext[d]);
                doff.push_back(off[d]);
                dv.push_back(valid[d]);
            }
            auto src = pl::slice(pl::full(de, pl::FP32, static_cast<float>(own.below(1000))), de,
                                 dims::filled(static_cast<int>(rank), 0), dv);
            (void)pl::assemble(view, src, doff);
            record(which, elements(g, valid, off), true, frames);
        } else { // one scalar
            std::vector<long> idx(rank);
            dims di;
            for (std::size_t d = 0; d < rank; ++d) {
                idx[d] = r.below(g.shape[d]);
                di.push_back(idx[d]);
            }
            (void)pl::write(view, di, static_cast<float>(own.below(1000)));
            record(which, elements(g, std::vector<long>(rank, 1), idx), true, frames);
        }
    }

    std::uint64_t seed_;
    program_state& st_;
    std::vector<bool> levels_;
    bool partitioned_;
    long parts_;
};

struct outcome {
    bool racy = false;
    long accesses = 0;
    std::vector<std::vector<float>> values;
};

outcome run_program(std::uint64_t seed, pl::schedule sch, bool judge)
{
    rng r(seed);
    program_state st;
    const long structure = r.below(5);
    const long n = 2 + r.below(3), m = 1 + r.below(3);
    const bool partitioned = r.chance(60);
    long parts = n;
    if (structure == 2)
        parts = n * m;
    for (int b = 0; b < 2; ++b) {
        std::vector<long> shape;
        const long rank = 1 + r.below(3);
        for (long d = 0; d < rank; ++d)
            shape.push_back(1 + r.below(5));
        if (b == 0)
            shape[0] = parts * (1 + r.below(2));
        dims ds;
        for (long e : shape)
            ds.push_back(e);
        st.bases.push_back(pl::full(ds, pl::FP32, 0.0f).name("b" + std::to_string(b)));
        st.base_shapes.push_back(shape);
    }
    static const std::vector<bool> levels[5] = {{true}, {true, false}, {true, true}, {false, true}, {true}};
    generator gen(seed, st, levels[structure], partitioned, parts);
    const pl::loop_options opt = pl::on(sch);
    auto leaf = [&](long salt) { gen.body(salt); };
    ptoref::check::collector c;
    switch (structure) {
    case 0:
        pl::parallel(0, n, 1, opt, [&](pl::index) { leaf(0); });
        break;
    case 1:
        pl::parallel(0, n, 1, opt, [&](pl::index) { pl::range(0, m, [&](pl::index) { leaf(1); }); });
        break;
    case 2:
        pl::parallel(0, n, 1, opt, [&](pl::index) { pl::parallel(0, m, 1, opt, [&](pl::index) { leaf(2); }); });
        break;
    case 3:
        pl::range(0, m, [&](pl::index) { pl::parallel(0, n, 1, opt, [&](pl::index) { leaf(3); }); });
        break;
    default:
        pl::spmd(n, opt, [&](pl::index) { leaf(4); });
    }
    outcome out;
    out.accesses = st.accesses;
    for (auto& b : st.bases)
        out.values.push_back(b.to_vector());
    // Oracle: conflicting elements per instance and buffer.
    std::map<std::vector<long>, std::map<std::string, std::set<long>>> want;
    for (auto& [inst, iters] : st.seen)
        for (auto i = iters.begin(); i != iters.end(); ++i)
            for (auto j = std::next(i); j != iters.end(); ++j)
                for (int b = 0; b < 2; ++b) {
                    const auto& A = i->second.count(b) ? i->second.at(b) : program_state::sets{};
                    const auto& B = j->second.count(b) ? j->second.at(b) : program_state::sets{};
                    auto& dst = want[inst]["b" + std::to_string(b)];
                    for (long e : A.writes)
                        if (B.writes.count(e) || B.reads.count(e))
                            dst.insert(e);
                    for (long e : A.reads)
                        if (B.writes.count(e))
                            dst.insert(e);
                    if (dst.empty())
                        want[inst].erase("b" + std::to_string(b));
                    if (want[inst].empty())
                        want.erase(inst);
                }
    // Detector: the union of the record regions, per instance and buffer.
    std::map<std::vector<long>, std::map<std::string, std::set<long>>> got;
    for (const auto& rec : c.races()) {
        REQUIRE((rec.tensor == "b0" || rec.tensor == "b1"));
        REQUIRE(rec.first_iteration.size() == rec.second_iteration.size());
        REQUIRE(rec.first_iteration.back() != rec.second_iteration.back());
        std::vector<long> inst(rec.first_iteration.begin(), rec.first_iteration.end() - 1);
        REQUIRE(inst == std::vector<long>(rec.second_iteration.begin(), rec.second_iteration.end() - 1));
        ptoref::index count = 0;
        for (const auto& bx : rec.region) {
            count += bx.count();
            dims idx = bx.lo;
            const int rr = idx.size();
            while (true) {
                long flat = 0;
                for (int d = 0; d < rr; ++d)
                    flat = flat * rec.tensor_shape[d] + idx[d];
                got[inst][rec.tensor].insert(flat);
                int d = rr - 1;
                for (; d >= 0; --d) {
                    if (++idx[d] < bx.hi[d])
                        break;
                    idx[d] = bx.lo[d];
                }
                if (d < 0)
                    break;
            }
        }
        REQUIRE(count == rec.elements);
    }
    if (judge) {
        INFO("program seed " << seed << " structure " << structure);
        REQUIRE(got == want);
    }
    out.racy = !want.empty();
    return out;
}

} // namespace

TEST_CASE("the detector agrees with the brute-force oracle on 10 000 random programs")
{
#if defined(__SANITIZE_THREAD__)
    const std::uint64_t programs = 600;
#else
    const std::uint64_t programs = 10000;
#endif
    std::uint64_t racy = 0, accesses = 0, schedule_checks = 0;
    for (std::uint64_t seed = 1; seed <= programs; ++seed) {
        const outcome o = run_program(seed, pl::schedule::sequential(), true);
        racy += o.racy;
        accesses += static_cast<std::uint64_t>(o.accesses);
        if (!o.racy && seed % 3 == 0) {
            for (const pl::schedule& s :
                 {pl::schedule::reverse(), pl::schedule::shuffled(seed), pl::schedule::threads(2)}) {
                const outcome again = run_program(seed, s, false);
                INFO("seed " << seed << " schedule " << s.str());
                REQUIRE(!again.racy);
                for (std::size_t b = 0; b < o.values.size(); ++b)
                    REQUIRE(std::memcmp(again.values[b].data(), o.values[b].data(),
                                        o.values[b].size() * sizeof(float)) == 0);
            }
            ++schedule_checks;
        }
    }
    std::printf("race differential: %llu programs, %llu racy, %llu accesses, %llu clean programs rerun under 3 other "
                "schedules\n",
                static_cast<unsigned long long>(programs), static_cast<unsigned long long>(racy),
                static_cast<unsigned long long>(accesses), static_cast<unsigned long long>(schedule_checks));
    CHECK(racy > programs / 5);
    CHECK(racy < programs * 4 / 5);
}
