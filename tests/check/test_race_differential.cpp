// Differential test of the race detector against a brute-force oracle.
//
// Thousands of random small programs (fixed seeds, a splitmix64 written here): 1-3 named FP32 or
// INT32 base buffers, a chain of 1-3 nested loops (pl::parallel with any start/step, pl::spmd,
// pl::range, in any nesting, at least one parallel), per iteration 1-4 random accesses through
// random views (slices with and without valid_shape, lower-rank slices, transposes, reshapes
// that split, merge, squeeze or refactor, and chains of them): reads (pl::neg, pl::cast,
// pl::read), writes (pl::assemble of a partially valid source, pl::write) and copies (pl::assemble
// of one buffer's view into another's). Choices are shared by all iterations of a loop instance,
// drawn per iteration, or affine in the iteration's ordinal; buffers are read-only, partitioned
// per parallel level (blocks or interleaved stripes), or freely written, so about half of the
// programs are race-free. Some iterations create a local buffer that inner parallel loops share.
//
// The oracle records, with its own index arithmetic (offset + sum idx * stride over the view
// geometry it tracks itself), every element each iteration reads and writes, per loop instance
// and parallel level, and declares conflicting every element that two distinct iterations of one
// instance touch with at least one write. The detector's records, expanded from their boxes,
// must give exactly that set per instance and buffer. Race-free programs must give identical bits
// under the sequential, reverse, shuffled and threaded schedules.
#include <ptoref/ptoref.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace pl = ptoref::pl;
using ptoref::dims;
using idx = ptoref::index;
using idxs = std::vector<idx>;

namespace {

// ---- randomness: splitmix64, integer arithmetic only ------------------------------------------

class rng {
public:
    explicit rng(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next()
    {
        std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n) (n >= 1); always consumes one draw.
    idx below(idx n) { return static_cast<idx>(next() % static_cast<std::uint64_t>(n)); }
    idx between(idx lo, idx hi) { return lo + below(hi - lo + 1); } // inclusive
    bool chance(int percent) { return below(100) < percent; }

private:
    std::uint64_t s_;
};

std::uint64_t hash_of(std::uint64_t seed, const idxs& values)
{
    std::uint64_t h = seed;
    for (idx v : values)
        h = rng(h ^ (static_cast<std::uint64_t>(v) * 0xd1342543de82ef95ull + 0x632be59bd9b4e019ull)).next();
    return rng(h).next();
}

dims to_dims(const idxs& v)
{
    return dims(v);
}

std::string join(const idxs& v, const char* sep = ",")
{
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? sep : "") + std::to_string(v[i]);
    return s;
}

// ---- coverage counters (atomic: iterations may run on threads) ------------------------------

enum cov {
    c_slice,
    c_slice_lower,
    c_slice_valid,
    c_transpose,
    c_reshape,
    c_split,
    c_merge,
    c_squeeze,
    c_block,
    c_stripe,
    c_read_neg,
    c_read_cast,
    c_read_scalar,
    c_read_padding,
    c_write_tile,
    c_write_tile_partial,
    c_write_tile_lower,
    c_write_scalar,
    c_copy,
    c_copy_same_buffer,
    c_local,
    c_count
};
const char* const cov_names[c_count] = {"slice",
                                        "lower-rank slice",
                                        "slice with valid_shape",
                                        "transpose",
                                        "reshape",
                                        "split reshape",
                                        "merge reshape",
                                        "squeeze reshape",
                                        "block partition",
                                        "stripe partition",
                                        "neg read",
                                        "cast read",
                                        "scalar read",
                                        "padding scalar read",
                                        "tile assemble",
                                        "partially valid tile",
                                        "lower-rank tile",
                                        "scalar write",
                                        "copy assemble",
                                        "copy within one buffer",
                                        "local buffer"};
std::atomic<long> coverage[c_count];
void count(cov c)
{
    coverage[c].fetch_add(1, std::memory_order_relaxed);
}

// ---- the oracle's own view geometry ----------------------------------------------------------

struct geom {
    idxs shape, strides, valid;
    idx offset = 0;
    std::size_t rank() const { return shape.size(); }
    idx numel() const
    {
        idx n = 1;
        for (idx e : shape)
            n *= e;
        return n;
    }
    bool fully_valid() const { return valid == shape; }
    bool dense() const
    {
        idx expect = 1;
        for (std::size_t d = rank(); d-- > 0;) {
            if (shape[d] != 1 && strides[d] != expect)
                return false;
            expect *= shape[d];
        }
        return true;
    }
    std::string str() const
    {
        return "shape[" + join(shape) + "] strides[" + join(strides) + "] off " + std::to_string(offset) + " valid[" +
               join(valid) + "]";
    }
};

geom root_geom(const idxs& shape)
{
    geom g;
    g.shape = shape;
    g.valid = shape;
    g.strides.assign(shape.size(), 1);
    for (std::size_t d = shape.size(); d-- > 1;)
        g.strides[d - 1] = g.strides[d] * shape[d];
    return g;
}

// Flat buffer offsets of the box [origin, origin + ext) of a view: offset + sum (o + i) * stride.
idxs box_flats(const geom& g, const idxs& origin, const idxs& ext)
{
    idxs out;
    idx total = 1;
    for (idx e : ext)
        total *= e;
    for (idx n = 0; n < total; ++n) {
        idx rest = n, flat = g.offset;
        for (std::size_t d = ext.size(); d-- > 0;) {
            flat += (origin[d] + rest % ext[d]) * g.strides[d];
            rest /= ext[d];
        }
        out.push_back(flat);
    }
    return out;
}

// ---- programs --------------------------------------------------------------------------------

enum class role { readonly, partitioned, mixed };

struct buffer_spec {
    std::string name; // bases: "b0".."b2"; locals: "L<k>" + "@" + creating path
    bool local = false;
    int creator = -1;   // locals: the node whose iterations create it
    int from_depth = 0; // parallel levels at and below which it is shared
    idxs shape;
    bool integer = false;
    role kind = role::mixed;
    struct part {
        int dim = 0;
        bool interleave = false;
    };
    std::vector<part> parts; // by absolute parallel depth (entries below from_depth unused)
};

struct loop_node {
    int kind = 0; // 0 pl.parallel, 1 pl.spmd, 2 pl.range
    idx start = 0, step = 1, count = 1;
    int pre = 0, post = 0; // access slots before / after the nested loop
    bool varying = false;  // slot count drawn per iteration
    int local = -1;        // buffer created at the start of each iteration
    int depth = 0;         // parallel loops enclosing this body, itself included
    bool parallel() const { return kind != 2; }
    idx stop() const { return start + count * step; }
};

struct program {
    std::uint64_t seed = 0;
    std::vector<loop_node> nodes; // a chain: node k+1 is nested in node k's body
    std::vector<buffer_spec> bufs;
    int bases = 0;
    idxs par_counts; // trip count of each parallel level, outermost first
    std::string str() const
    {
        std::string s = "program " + std::to_string(seed) + ":";
        for (const auto& b : bufs)
            s += " " + b.name + (b.integer ? ":i32[" : ":f32[") + join(b.shape) + "]" +
                 (b.kind == role::readonly      ? "ro"
                  : b.kind == role::partitioned ? "part"
                                                : "mixed");
        for (const auto& n : nodes)
            s += std::string(" / ") +
                 (n.kind == 0   ? "parallel("
                  : n.kind == 1 ? "spmd("
                                : "range(") +
                 std::to_string(n.start) + "," + std::to_string(n.stop()) + "," + std::to_string(n.step) + ") pre " +
                 std::to_string(n.pre) + " post " + std::to_string(n.post) +
                 (n.local >= 0 ? " local " + std::to_string(n.local) : "");
        return s;
    }
};

program make_program(std::uint64_t seed)
{
    rng r(hash_of(seed, {0x5eed}));
    program p;
    p.seed = seed;
    const int len = r.chance(40) ? 1 : (r.chance(67) ? 2 : 3);
    for (int k = 0; k < len; ++k) {
        loop_node n;
        n.kind = (len == 1 || r.chance(65)) ? (r.chance(20) ? 1 : 0) : 2;
        p.nodes.push_back(n);
    }
    if (std::none_of(p.nodes.begin(), p.nodes.end(), [](const loop_node& n) { return n.parallel(); }))
        p.nodes[static_cast<std::size_t>(r.below(len))].kind = 0;
    int depth = 0;
    for (int k = 0; k < len; ++k) {
        loop_node& n = p.nodes[static_cast<std::size_t>(k)];
        n.count = n.parallel() ? r.between(2, 4) : r.between(1, 3);
        if (n.kind != 1 && r.chance(30)) {
            n.step = r.chance(50) ? r.between(2, 3) : -r.between(1, 2);
            n.start = n.step > 0 ? r.between(0, 3) : (n.count - 1) * -n.step + r.between(0, 2);
        }
        if (n.parallel()) {
            ++depth;
            p.par_counts.push_back(n.count);
        }
        n.depth = depth;
        const bool leaf = k == len - 1;
        if (leaf) {
            n.pre = static_cast<int>(r.between(1, 4));
            n.varying = r.chance(25);
        } else {
            n.pre = r.chance(50) ? 0 : static_cast<int>(r.between(1, 2));
            n.post = r.chance(60) ? 0 : 1;
        }
    }
    const int D = depth;
    auto add_buffer = [&](buffer_spec b) {
        const idx rank = r.between(1, 3);
        b.integer = r.chance(30);
        const idx pick = r.below(100);
        b.kind = pick < 18 ? role::readonly : (pick < 58 ? role::partitioned : role::mixed);
        idxs prod(static_cast<std::size_t>(rank), 1);
        if (b.kind == role::partitioned) {
            b.parts.resize(static_cast<std::size_t>(D));
            for (int d = b.from_depth; d < D && b.kind == role::partitioned; ++d) {
                const idx n = p.par_counts[static_cast<std::size_t>(d)];
                const idx first = r.below(rank);
                bool placed = false;
                for (idx t = 0; t < rank && !placed; ++t) {
                    const auto dim = static_cast<std::size_t>((first + t) % rank);
                    if (prod[dim] * n <= 8) {
                        prod[dim] *= n;
                        b.parts[static_cast<std::size_t>(d)] = {static_cast<int>(dim), r.chance(40)};
                        placed = true;
                    }
                }
                if (!placed)
                    b.kind = role::mixed;
            }
        }
        for (idx d = 0; d < rank; ++d) {
            const idx pr = b.kind == role::partitioned ? prod[static_cast<std::size_t>(d)] : 1;
            b.shape.push_back(pr > 1 ? pr * (pr * 2 <= 6 && r.chance(40) ? 2 : 1) : r.between(1, 6));
        }
        p.bufs.push_back(b);
    };
    p.bases = static_cast<int>(r.between(1, 3));
    for (int b = 0; b < p.bases; ++b) {
        buffer_spec s;
        s.name = "b" + std::to_string(b);
        add_buffer(s);
    }
    for (int k = 0; k + 1 < len; ++k) {
        loop_node& n = p.nodes[static_cast<std::size_t>(k)];
        if (n.depth < D && r.chance(30)) {
            buffer_spec s;
            s.name = "L" + std::to_string(p.bufs.size());
            s.local = true;
            s.creator = k;
            s.from_depth = n.depth;
            n.local = static_cast<int>(p.bufs.size());
            add_buffer(s);
        }
    }
    return p;
}

// ---- running a program -----------------------------------------------------------------------

using tensor_f = pl::Tensor<float>;
using tensor_i = pl::Tensor<std::int32_t>;
using any_tensor = std::variant<tensor_f, tensor_i>;

struct rw {
    std::set<idx> reads, writes;
};
using instance_key = std::pair<int, idxs>; // (loop node, indices of the enclosing loops)

struct run_state {
    const program& prog;
    pl::schedule sched;
    std::vector<any_tensor> bases;
    std::mutex mutex; // guards everything below (iterations may run on threads)
    std::map<instance_key, std::map<idx, std::map<std::string, rw>>> oracle;
    std::map<instance_key, idx> instances; // -> trip count
    idx element_accesses = 0;
    std::size_t padding_reads = 0; // each one a definedness record
    std::vector<std::string> errors;
    run_state(const program& p, pl::schedule s) : prog(p), sched(s) {}
    void fail(const std::string& e)
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (errors.size() < 8)
            errors.push_back(e);
    }
};

// Where an access happens.
struct context {
    idxs path;                       // values of all enclosing loops, outermost first
    std::vector<int> node_of;        // loop node of each level
    idxs ords;                       // ordinals of the enclosing parallel loops
    std::vector<any_tensor*> locals; // by buffer index (null when not in scope)
    std::vector<std::string> local_names;
};

void record(run_state& st, const context& c, const std::string& buffer, const idxs& flats, bool write)
{
    std::lock_guard<std::mutex> lock(st.mutex);
    st.element_accesses += static_cast<idx>(flats.size());
    for (std::size_t q = 0; q < c.path.size(); ++q) {
        if (!st.prog.nodes[static_cast<std::size_t>(c.node_of[q])].parallel())
            continue;
        const instance_key key{c.node_of[q], idxs(c.path.begin(), c.path.begin() + static_cast<std::ptrdiff_t>(q))};
        rw& s = st.oracle[key][c.path[q]][buffer];
        (write ? s.writes : s.reads).insert(flats.begin(), flats.end());
    }
}

// Offsets inside a window: random, or affine in the iteration's ordinal.
struct chooser {
    rng* r;
    bool affine;
    idx ord;
    idx a;
    idx pick(idx limit) // [0, limit)
    {
        const idx b = r->below(limit + 3);
        return affine ? (a * ord + b) % limit : b % limit;
    }
};

template <class T>
struct view {
    pl::Tensor<T> t;
    geom g;
    int steps = 0; // views applied (0: the buffer's own handle)
};

template <class T>
void same_geometry(run_state& st, const view<T>& v, const char* what)
{
    const pl::Tensor<T>& t = v.t;
    bool ok = t.rank() == static_cast<int>(v.g.rank()) && t.offset() == v.g.offset;
    for (std::size_t d = 0; ok && d < v.g.rank(); ++d) {
        const int k = static_cast<int>(d);
        ok = t.shape()[k] == v.g.shape[d] && t.valid_shape()[k] == v.g.valid[d] &&
             (v.g.shape[d] == 1 || t.strides()[k] == v.g.strides[d]);
    }
    if (!ok)
        st.fail(std::string("view geometry differs after ") + what + ": oracle " + v.g.str() + ", ptoref shape " +
                ptoref::to_string(t.shape()) + " strides " + ptoref::to_string(t.strides()) + " offset " +
                std::to_string(t.offset()) + " valid " + ptoref::to_string(t.valid_shape()));
}

template <class T>
void slice_step(view<T>& v, rng& r, chooser& off, bool allow_valid)
{
    const std::size_t rank = v.g.rank();
    idxs ext(rank), o(rank);
    for (std::size_t d = 0; d < rank; ++d) {
        ext[d] = r.between(1, v.g.shape[d]);
        o[d] = off.pick(v.g.shape[d] - ext[d] + 1);
    }
    std::size_t drop = 0; // leading dims of extent 1 dropped (a lower-rank slice)
    if (rank > 1 && r.chance(30)) {
        drop = static_cast<std::size_t>(r.between(1, static_cast<idx>(rank) - 1));
        for (std::size_t d = 0; d < drop; ++d)
            ext[d] = 1;
    }
    idxs shape(ext.begin() + static_cast<std::ptrdiff_t>(drop), ext.end()), valid_arg;
    if (allow_valid && r.chance(35))
        for (idx e : shape)
            valid_arg.push_back(r.between(0, e));
    v.t = pl::slice(v.t, to_dims(shape), to_dims(o), valid_arg.empty() ? dims{} : to_dims(valid_arg));
    count(c_slice);
    if (drop)
        count(c_slice_lower);
    if (!valid_arg.empty())
        count(c_slice_valid);
    geom n;
    n.offset = v.g.offset;
    bool outside = false;
    for (std::size_t d = 0; d < rank; ++d) {
        n.offset += o[d] * v.g.strides[d];
        if (d < drop) {
            outside = outside || o[d] >= v.g.valid[d];
            continue;
        }
        n.shape.push_back(ext[d]);
        n.strides.push_back(v.g.strides[d]);
        idx valid = std::min(ext[d], std::max<idx>(0, v.g.valid[d] - o[d]));
        if (!valid_arg.empty())
            valid = std::min(valid, valid_arg[d - drop]);
        n.valid.push_back(valid);
    }
    if (outside)
        std::fill(n.valid.begin(), n.valid.end(), 0);
    v.g = n;
}

template <class T>
void transpose_step(view<T>& v, rng& r)
{
    const auto rank = static_cast<idx>(v.g.rank());
    const idx a = r.below(rank), b = r.below(rank);
    v.t = pl::transpose(v.t, r.chance(30) ? a - rank : a, b);
    count(c_transpose);
    std::swap(v.g.shape[static_cast<std::size_t>(a)], v.g.shape[static_cast<std::size_t>(b)]);
    std::swap(v.g.strides[static_cast<std::size_t>(a)], v.g.strides[static_cast<std::size_t>(b)]);
    std::swap(v.g.valid[static_cast<std::size_t>(a)], v.g.valid[static_cast<std::size_t>(b)]);
}

template <class T>
void reshape_to(view<T>& v, const geom& n)
{
    v.t = pl::reshape(v.t, to_dims(n.shape));
    v.g = n;
}

// Splits dim a into (p, extent / p): always a view (strides p' * s, s).
template <class T>
void split_step(view<T>& v, std::size_t a, idx p)
{
    geom n = v.g;
    const idx e = v.g.shape[a], s = v.g.strides[a];
    n.shape[a] = p;
    n.strides[a] = (e / p) * s;
    n.shape.insert(n.shape.begin() + static_cast<std::ptrdiff_t>(a) + 1, e / p);
    n.strides.insert(n.strides.begin() + static_cast<std::ptrdiff_t>(a) + 1, s);
    n.valid = n.shape;
    reshape_to(v, n);
    count(c_split);
}

// Reshapes a dense, fully valid view to a random factorisation of its element count.
template <class T>
bool refactor_step(view<T>& v, rng& r)
{
    if (!v.g.fully_valid() || !v.g.dense())
        return false;
    idx left = v.g.numel();
    const idx want = r.between(1, 4);
    idxs shape;
    while (static_cast<idx>(shape.size()) + 1 < want) {
        idxs divs;
        for (idx q = 1; q <= left; ++q)
            if (left % q == 0)
                divs.push_back(q);
        const idx q = divs[static_cast<std::size_t>(r.below(static_cast<idx>(divs.size())))];
        shape.push_back(q);
        left /= q;
    }
    shape.push_back(left);
    geom n;
    n.shape = shape;
    n.valid = shape;
    n.strides.assign(shape.size(), 1);
    idx run = 1;
    for (std::size_t d = shape.size(); d-- > 0;) {
        n.strides[d] = run;
        run *= shape[d];
    }
    // A dense view covers offset + [0, numel) row-major: the new shape starts at the same offset.
    n.offset = v.g.offset;
    reshape_to(v, n);
    count(c_reshape);
    return true;
}

// Merges dims a and a + 1 when their strides allow a view; or removes an extent-1 dim.
template <class T>
bool merge_step(view<T>& v, rng& r)
{
    if (!v.g.fully_valid() || v.g.rank() < 2)
        return false;
    const auto a = static_cast<std::size_t>(r.below(static_cast<idx>(v.g.rank()) - 1));
    geom n = v.g;
    const idx e0 = v.g.shape[a], e1 = v.g.shape[a + 1], s0 = v.g.strides[a], s1 = v.g.strides[a + 1];
    if (e0 == 1 || e1 == 1) { // squeeze one of them
        const std::size_t gone = e1 == 1 ? a + 1 : a;
        n.shape.erase(n.shape.begin() + static_cast<std::ptrdiff_t>(gone));
        n.strides.erase(n.strides.begin() + static_cast<std::ptrdiff_t>(gone));
        count(c_squeeze);
    } else if (s0 == e1 * s1) {
        n.shape[a] = e0 * e1;
        n.strides[a] = s1;
        n.shape.erase(n.shape.begin() + static_cast<std::ptrdiff_t>(a) + 1);
        n.strides.erase(n.strides.begin() + static_cast<std::ptrdiff_t>(a) + 1);
        count(c_merge);
    } else {
        return false;
    }
    n.valid = n.shape;
    reshape_to(v, n);
    return true;
}

// A random chain of 0-3 view steps.
template <class T>
void random_chain(run_state& st, view<T>& v, rng& r, chooser& off)
{
    const idx steps = r.chance(20) ? 0 : r.between(1, 3);
    for (idx s = 0; s < steps; ++s) {
        const idx kind = r.below(10);
        const char* what = "slice";
        bool applied = true;
        if (kind < 4) {
            slice_step(v, r, off, true);
        } else if (kind < 6) {
            what = "transpose";
            transpose_step(v, r);
        } else if (kind < 8) {
            what = "reshape";
            applied = refactor_step(v, r);
        } else if (kind == 8) {
            what = "split reshape";
            applied = v.g.fully_valid();
            if (applied) {
                const auto a = static_cast<std::size_t>(r.below(static_cast<idx>(v.g.rank())));
                idxs divs;
                for (idx q = 1; q <= v.g.shape[a]; ++q)
                    if (v.g.shape[a] % q == 0)
                        divs.push_back(q);
                applied = v.g.rank() < 6;
                if (applied)
                    split_step(v, a, divs[static_cast<std::size_t>(r.below(static_cast<idx>(divs.size())))]);
            }
        } else {
            what = "merge reshape";
            applied = merge_step(v, r);
        }
        if (applied) {
            ++v.steps;
            same_geometry(st, v, what);
        }
    }
}

// This iteration's own part of a partitioned buffer at every shared parallel level.
template <class T>
void partition(run_state& st, view<T>& v, const buffer_spec& b, const context& c)
{
    for (std::size_t d = static_cast<std::size_t>(b.from_depth); d < c.ords.size(); ++d) {
        const auto dim = static_cast<std::size_t>(b.parts[d].dim);
        const idx n = st.prog.par_counts[d], ord = c.ords[d];
        const idx e = v.g.shape[dim], h = e / n;
        if (!b.parts[d].interleave) { // block: [ord * h, (ord + 1) * h)
            idxs ext = v.g.shape, o(v.g.rank(), 0);
            ext[dim] = h;
            o[dim] = ord * h;
            v.t = pl::slice(v.t, to_dims(ext), to_dims(o));
            v.g.offset += o[dim] * v.g.strides[dim];
            v.g.shape[dim] = h;
            v.g.valid[dim] = h;
            count(c_block);
        } else { // stripe: elements ord, ord + n, ord + 2n, ... (split, slice, squeeze)
            split_step(v, dim, h);
            idxs ext = v.g.shape, o(v.g.rank(), 0);
            ext[dim + 1] = 1;
            o[dim + 1] = ord;
            v.t = pl::slice(v.t, to_dims(ext), to_dims(o));
            v.g.offset += ord * v.g.strides[dim + 1];
            v.g.shape[dim + 1] = 1;
            v.g.valid[dim + 1] = 1;
            geom sq = v.g;
            sq.shape.erase(sq.shape.begin() + static_cast<std::ptrdiff_t>(dim) + 1);
            sq.strides.erase(sq.strides.begin() + static_cast<std::ptrdiff_t>(dim) + 1);
            sq.valid = sq.shape;
            reshape_to(v, sq);
            count(c_stripe);
        }
        ++v.steps;
        same_geometry(st, v, "partition");
    }
}

struct access_env {
    run_state& st;
    const context& c;
    rng& shape_r;
    chooser& off;
    std::uint64_t value_seed;
};

template <class T>
T value_of(std::uint64_t seed, idx k)
{
    return static_cast<T>(1 + static_cast<idx>(hash_of(seed, {k}) % 999));
}

template <class T>
view<T> view_of(access_env& env, int which, pl::Tensor<T>& root)
{
    const buffer_spec& b = env.st.prog.bufs[static_cast<std::size_t>(which)];
    view<T> v{root, root_geom(b.shape), 0};
    if (b.kind == role::partitioned)
        partition(env.st, v, b, env.c);
    random_chain(env.st, v, env.shape_r, env.off);
    if (v.t.storage_ptr() != root.storage_ptr())
        env.st.fail("a view of " + b.name + " is not a view");
    return v;
}

pl::Tensor<float> full_of(const idxs& shape, ptoref::dtype_tag<float>, idx v)
{
    return pl::full(to_dims(shape), pl::FP32, static_cast<float>(v));
}
pl::Tensor<std::int32_t> full_of(const idxs& shape, ptoref::dtype_tag<std::int32_t>, idx v)
{
    return pl::full(to_dims(shape), pl::INT32, static_cast<std::int32_t>(v));
}

const std::string& name_of(const run_state& st, const context& c, int which)
{
    return st.prog.bufs[static_cast<std::size_t>(which)].local ? c.local_names[static_cast<std::size_t>(which)]
                                                               : st.prog.bufs[static_cast<std::size_t>(which)].name;
}

any_tensor& handle_of(run_state& st, const context& c, int which)
{
    return st.prog.bufs[static_cast<std::size_t>(which)].local ? *c.locals[static_cast<std::size_t>(which)]
                                                               : st.bases[static_cast<std::size_t>(which)];
}

// Writes through v: a partially valid source assembled into a random window, or one scalar, or
// (copy) a view of another buffer assembled into v.
template <class T>
void write_access(access_env& env, int which, pl::Tensor<T>& root, view<T>& v, idx kind, int source)
{
    const geom& g = v.g;
    const std::size_t rank = g.rank();
    const std::string& name = name_of(env.st, env.c, which);
    if (kind == 1) { // pl::write
        idxs at(rank);
        for (std::size_t d = 0; d < rank; ++d)
            at[d] = env.off.pick(g.shape[d]);
        const T val = value_of<T>(env.value_seed, 1);
        if (v.steps == 0)
            root = pl::write(root, to_dims(at), val);
        else
            (void)pl::write(v.t, to_dims(at), val);
        record(env.st, env.c, name, box_flats(g, at, idxs(rank, 1)), true);
        count(c_write_scalar);
        return;
    }
    // The source: a fresh partially valid tile, or (kind 2) a view of buffer `source`.
    pl::Tensor<T> src;
    idxs src_valid; // with leading 1s, in the target's rank
    idxs src_ext;
    const buffer_spec* sb = source >= 0 ? &env.st.prog.bufs[static_cast<std::size_t>(source)] : nullptr;
    if (sb && std::holds_alternative<pl::Tensor<T>>(handle_of(env.st, env.c, source))) {
        pl::Tensor<T>& sroot = std::get<pl::Tensor<T>>(handle_of(env.st, env.c, source));
        view<T> s = view_of(env, source, sroot);
        // Cut it to a rank and extents that fit the target (a lower-rank slice drops leading dims).
        const auto srank = static_cast<idx>(s.g.rank());
        const idx keep = env.shape_r.between(1, std::min<idx>(srank, static_cast<idx>(rank)));
        const std::size_t lead = rank - static_cast<std::size_t>(keep);
        idxs ext, o(static_cast<std::size_t>(srank), 0), valid_arg;
        for (idx d = 0; d < srank; ++d) {
            const auto sd = static_cast<std::size_t>(d);
            if (d < srank - keep) {
                o[sd] = env.off.pick(s.g.shape[sd]);
                continue;
            }
            const idx e = env.shape_r.between(
                1, std::min(s.g.shape[sd], g.shape[lead + sd - static_cast<std::size_t>(srank - keep)]));
            ext.push_back(e);
            o[sd] = env.off.pick(s.g.shape[sd] - e + 1);
        }
        const bool with_valid = env.shape_r.chance(30);
        if (with_valid)
            for (idx e : ext)
                valid_arg.push_back(env.shape_r.between(0, e));
        s.t = pl::slice(s.t, to_dims(ext), to_dims(o), with_valid ? to_dims(valid_arg) : dims{});
        geom n;
        n.offset = s.g.offset;
        bool outside = false;
        for (idx d = 0; d < srank; ++d) {
            const auto sd = static_cast<std::size_t>(d);
            n.offset += o[sd] * s.g.strides[sd];
            if (d < srank - keep) {
                outside = outside || o[sd] >= s.g.valid[sd];
                continue;
            }
            const std::size_t k = n.shape.size();
            n.shape.push_back(ext[k]);
            n.strides.push_back(s.g.strides[sd]);
            idx val = std::min(ext[k], std::max<idx>(0, s.g.valid[sd] - o[sd]));
            if (with_valid)
                val = std::min(val, valid_arg[k]);
            n.valid.push_back(val);
        }
        if (outside)
            std::fill(n.valid.begin(), n.valid.end(), 0);
        s.g = n;
        ++s.steps;
        same_geometry(env.st, s, "copy source slice");
        record(env.st, env.c, name_of(env.st, env.c, source), box_flats(s.g, idxs(s.g.rank(), 0), s.g.valid), false);
        src = s.t;
        count(c_copy);
        if (source == which)
            count(c_copy_same_buffer);
        src_ext.assign(lead, 1);
        src_valid.assign(lead, 1);
        src_ext.insert(src_ext.end(), s.g.shape.begin(), s.g.shape.end());
        src_valid.insert(src_valid.end(), s.g.valid.begin(), s.g.valid.end());
    } else {
        idxs ext(rank), valid(rank);
        for (std::size_t d = 0; d < rank; ++d) {
            ext[d] = env.shape_r.between(1, g.shape[d]);
            valid[d] = env.shape_r.chance(65) ? ext[d] : env.shape_r.between(0, ext[d]);
        }
        std::size_t drop = 0; // a lower-rank source: leading extent-1 dims left out
        while (drop + 1 < rank && ext[drop] == 1 && valid[drop] == 1 && env.shape_r.chance(50))
            ++drop;
        const idxs e(ext.begin() + static_cast<std::ptrdiff_t>(drop), ext.end());
        const idxs vl(valid.begin() + static_cast<std::ptrdiff_t>(drop), valid.end());
        src = full_of(e, ptoref::dtype_tag<T>{}, static_cast<idx>(value_of<T>(env.value_seed, 2)));
        if (vl != e)
            src = pl::slice(src, to_dims(e), dims::filled(static_cast<int>(e.size()), 0), to_dims(vl));
        src_ext = ext;
        src_valid = valid;
        count(c_write_tile);
        if (vl != e)
            count(c_write_tile_partial);
        if (drop)
            count(c_write_tile_lower);
    }
    idxs at(rank);
    for (std::size_t d = 0; d < rank; ++d)
        at[d] = env.off.pick(g.shape[d] - src_ext[d] + 1);
    if (v.steps == 0)
        root = pl::assemble(root, src, to_dims(at));
    else
        (void)pl::assemble(v.t, src, to_dims(at));
    record(env.st, env.c, name, box_flats(g, at, src_valid), true);
}

template <class T>
void read_access(access_env& env, int which, view<T>& v, idx kind)
{
    const geom& g = v.g;
    const std::string& name = name_of(env.st, env.c, which);
    idx valid_count = 1;
    for (idx e : g.valid)
        valid_count *= e;
    const bool anywhere = env.shape_r.chance(25);
    if (kind == 2 && (valid_count > 0 || anywhere)) { // one scalar, usually inside the valid region
        idxs at(g.rank());
        bool padding = false;
        for (std::size_t d = 0; d < g.rank(); ++d) {
            at[d] = env.off.pick(anywhere ? g.shape[d] : g.valid[d]);
            padding = padding || at[d] >= g.valid[d];
        }
        (void)pl::read(v.t, to_dims(at));
        if (padding) { // padding reads as poison: no element of the buffer is read
            std::lock_guard<std::mutex> lock(env.st.mutex);
            ++env.st.padding_reads;
            count(c_read_padding);
        } else {
            record(env.st, env.c, name, box_flats(g, at, idxs(g.rank(), 1)), false);
        }
        count(c_read_scalar);
        return;
    }
    if (kind == 1) {
        if constexpr (std::is_same_v<T, float>)
            (void)pl::cast(v.t, pl::INT32);
        else
            (void)pl::cast(v.t, pl::FP32);
        count(c_read_cast);
    } else {
        (void)pl::neg(v.t);
        count(c_read_neg);
    }
    record(env.st, env.c, name, box_flats(g, idxs(g.rank(), 0), g.valid), false);
}

void run_slot(run_state& st, int node, int slot, const context& c)
{
    const program& p = st.prog;
    // Shared choices: the same in every iteration of the innermost enclosing parallel loop.
    idxs shared_key{static_cast<idx>(node), slot};
    std::size_t inner = 0;
    for (std::size_t q = 0; q < c.path.size(); ++q)
        if (p.nodes[static_cast<std::size_t>(c.node_of[q])].parallel())
            inner = q;
    for (std::size_t q = 0; q < c.path.size(); ++q)
        if (q != inner)
            shared_key.push_back(c.path[q]);
    idxs own_key{static_cast<idx>(node), slot, 77};
    own_key.insert(own_key.end(), c.path.begin(), c.path.end());
    rng shared(hash_of(p.seed, shared_key)), own(hash_of(p.seed, own_key));
    const idx mode = shared.below(3); // 0 shared, 1 per iteration, 2 affine offsets
    rng& shape_r = mode == 1 ? own : shared;
    chooser off{mode == 1 ? &own : &shared, mode == 2, c.ords.empty() ? 0 : c.ords.back(), shared.between(1, 3)};

    std::vector<int> reachable;
    for (int b = 0; b < static_cast<int>(p.bufs.size()); ++b)
        if (!p.bufs[static_cast<std::size_t>(b)].local || c.locals[static_cast<std::size_t>(b)])
            reachable.push_back(b);
    rng& pick_r = shared.chance(80) ? shared : own;
    const int which = reachable[static_cast<std::size_t>(pick_r.below(static_cast<idx>(reachable.size())))];
    const buffer_spec& b = p.bufs[static_cast<std::size_t>(which)];
    const bool write = b.kind != role::readonly && pick_r.chance(55);
    const idx kind = pick_r.below(3);
    int source = -1;
    if (write && kind == 2)
        source = reachable[static_cast<std::size_t>(pick_r.below(static_cast<idx>(reachable.size())))];
    access_env env{st, c, shape_r, off, hash_of(p.seed ^ 0xfeed, own_key)};
    std::visit(
        [&](auto& root) {
            using T = typename std::decay_t<decltype(root)>::value_type;
            view<T> v = view_of(env, which, root);
            if (write)
                write_access(env, which, root, v, kind, source);
            else
                read_access(env, which, v, kind);
        },
        handle_of(st, c, which));
}

void run_node(run_state& st, int node, const context& outer);

void run_body(run_state& st, int node, context& c)
{
    const program& p = st.prog;
    const loop_node& n = p.nodes[static_cast<std::size_t>(node)];
    any_tensor local;
    if (n.local >= 0) {
        const buffer_spec& b = p.bufs[static_cast<std::size_t>(n.local)];
        const std::string name = b.name + "@" + join(c.path, ".");
        const idx v = 1 + static_cast<idx>(hash_of(p.seed, c.path) % 100);
        if (b.integer)
            local = full_of(b.shape, ptoref::dtype_tag<std::int32_t>{}, v).name(name);
        else
            local = full_of(b.shape, ptoref::dtype_tag<float>{}, v).name(name);
        c.locals[static_cast<std::size_t>(n.local)] = &local;
        c.local_names[static_cast<std::size_t>(n.local)] = name;
        count(c_local);
        // Creation writes it whole, in this iteration.
        const geom g = root_geom(b.shape);
        record(st, c, name, box_flats(g, idxs(g.rank(), 0), g.shape), true);
    }
    int pre = n.pre;
    if (n.varying) {
        idxs key{static_cast<idx>(node), 99};
        key.insert(key.end(), c.path.begin(), c.path.end());
        pre = static_cast<int>(1 + hash_of(p.seed, key) % 4);
    }
    for (int s = 0; s < pre; ++s)
        run_slot(st, node, s, c);
    if (static_cast<std::size_t>(node) + 1 < p.nodes.size())
        run_node(st, node + 1, c);
    for (int s = 0; s < n.post; ++s)
        run_slot(st, node, 10 + s, c);
}

void run_node(run_state& st, int node, const context& outer)
{
    const loop_node& n = st.prog.nodes[static_cast<std::size_t>(node)];
    auto body = [&st, node, &outer, &n](pl::index v) {
        context c = outer;
        c.path.push_back(v);
        c.node_of.push_back(node);
        if (n.parallel())
            c.ords.push_back((v - n.start) / n.step);
        run_body(st, node, c);
    };
    const auto loc =
        ptoref::source_location::current("race_differential", static_cast<std::uint_least32_t>(1000 + node));
    if (n.parallel()) {
        std::lock_guard<std::mutex> lock(st.mutex);
        st.instances[{node, outer.path}] = n.count;
    }
    if (n.kind == 1)
        pl::spmd(n.count, pl::on(st.sched), body, loc);
    else if (n.kind == 0)
        pl::parallel(n.start, n.stop(), n.step, pl::on(st.sched), body, loc);
    else
        pl::range(n.start, n.stop(), n.step, pl::loop_options{}, body, loc);
}

// ---- judging ---------------------------------------------------------------------------------

using conflict_map = std::map<instance_key, std::map<std::string, std::set<idx>>>;

struct outcome {
    bool racy = false;
    idx element_accesses = 0;
    std::size_t records = 0;
    std::vector<std::vector<std::uint32_t>> bits; // of every base buffer
};

std::string describe(const conflict_map& m)
{
    std::string s;
    for (const auto& [key, bufs] : m)
        for (const auto& [name, set] : bufs)
            s += "  loop node " + std::to_string(key.first) + " outer [" + join(key.second) + "] " + name + ": {" +
                 join(idxs(set.begin(), set.end())) + "}\n";
    return s.empty() ? "  (none)\n" : s;
}

template <class T>
std::vector<std::uint32_t> bits_of(const pl::Tensor<T>& t)
{
    const std::vector<T> v = t.to_vector();
    std::vector<std::uint32_t> out(v.size());
    if (!v.empty())
        std::memcpy(out.data(), v.data(), v.size() * sizeof(T));
    return out;
}

std::set<idx> intersect(const std::set<idx>& a, const std::set<idx>& b)
{
    std::set<idx> out;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
    return out;
}

// One race record on its own: a base (or local) buffer, a known instance of a parallel loop, two
// iterations of it, a region of disjoint boxes inside the buffer adding up to `elements`, every
// element of which the first iteration accessed as the record says and the second too. Returns
// "" or what is wrong; adds the region to `got`.
std::string check_record(run_state& st, const std::map<std::string, idxs>& shapes,
                         const ptoref::check::race_record& rec, conflict_map& got)
{
#define EXPECT(cond)                                                                                                   \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            return #cond;                                                                                              \
    } while (0)
    const program& p = st.prog;
    const std::string base = rec.tensor.substr(0, rec.tensor.find('@'));
    EXPECT(shapes.count(base) == 1); // never a temporary
    const idxs& shape = shapes.at(base);
    EXPECT(std::string(rec.loop_site.file_name()) == "race_differential");
    const int node = static_cast<int>(rec.loop_site.line()) - 1000;
    EXPECT(node >= 0 && node < static_cast<int>(p.nodes.size()));
    const loop_node& n = p.nodes[static_cast<std::size_t>(node)];
    EXPECT(n.parallel());
    EXPECT(rec.loop == (n.kind == 1 ? "pl.spmd" : "pl.parallel"));
    EXPECT(!rec.first_iteration.empty());
    EXPECT(rec.first_iteration.size() == rec.second_iteration.size());
    EXPECT(rec.first_iteration.back() != rec.second_iteration.back());
    const idxs outer(rec.first_iteration.begin(), rec.first_iteration.end() - 1);
    EXPECT(outer == idxs(rec.second_iteration.begin(), rec.second_iteration.end() - 1));
    const instance_key key{node, outer};
    EXPECT(st.instances.count(key) == 1);
    EXPECT(rec.tensor_shape == to_dims(shape));
    using ptoref::access_kind;
    using ptoref::check::race_kind;
    EXPECT(rec.first.kind == (rec.kind == race_kind::war ? access_kind::read : access_kind::write));
    EXPECT(rec.second.kind == (rec.kind == race_kind::raw ? access_kind::read : access_kind::write));
    std::set<idx> mine;
    idx count = 0;
    for (const auto& bx : rec.region) {
        EXPECT(bx.lo.size() == static_cast<int>(shape.size()) && bx.hi.size() == bx.lo.size());
        count += bx.count();
        idxs lo, ext;
        for (std::size_t d = 0; d < shape.size(); ++d) {
            const int k = static_cast<int>(d);
            EXPECT(0 <= bx.lo[k] && bx.lo[k] < bx.hi[k] && bx.hi[k] <= shape[d]);
            lo.push_back(bx.lo[k]);
            ext.push_back(bx.hi[k] - bx.lo[k]);
        }
        for (idx f : box_flats(root_geom(shape), lo, ext))
            mine.insert(f);
    }
    EXPECT(count == rec.elements);
    EXPECT(static_cast<idx>(mine.size()) == count); // disjoint boxes
    EXPECT(count > 0);
    const auto inst = st.oracle.find(key);
    EXPECT(inst != st.oracle.end());
    const auto i1 = inst->second.find(rec.first_iteration.back());
    const auto i2 = inst->second.find(rec.second_iteration.back());
    EXPECT(i1 != inst->second.end() && i2 != inst->second.end());
    const auto b1 = i1->second.find(rec.tensor);
    const auto b2 = i2->second.find(rec.tensor);
    EXPECT(b1 != i1->second.end() && b2 != i2->second.end());
    const std::set<idx>& s1 = rec.first.kind == access_kind::write ? b1->second.writes : b1->second.reads;
    const std::set<idx>& s2 = rec.second.kind == access_kind::write ? b2->second.writes : b2->second.reads;
    for (idx f : mine)
        EXPECT(s1.count(f) == 1 && s2.count(f) == 1);
    got[key][rec.tensor].insert(mine.begin(), mine.end());
    return "";
#undef EXPECT
}

outcome run_program(const program& p, pl::schedule sched)
{
    run_state st(p, sched);
    for (int b = 0; b < p.bases; ++b) {
        const buffer_spec& s = p.bufs[static_cast<std::size_t>(b)];
        const idx v = static_cast<idx>(b) + 1;
        if (s.integer)
            st.bases.emplace_back(full_of(s.shape, ptoref::dtype_tag<std::int32_t>{}, v).name(s.name));
        else
            st.bases.emplace_back(full_of(s.shape, ptoref::dtype_tag<float>{}, v).name(s.name));
    }
    ptoref::check::collector c;
    {
        context root;
        root.locals.assign(p.bufs.size(), nullptr);
        root.local_names.assign(p.bufs.size(), std::string());
        run_node(st, 0, root);
    }
    if (!st.errors.empty() || c.undefined().size() != st.padding_reads) {
        std::string e;
        for (const std::string& x : st.errors)
            e += x + "\n";
        FAIL(p.str() << "\nschedule " << sched.str() << "\n"
                     << e << c.undefined().size() << " definedness records for " << st.padding_reads
                     << " padding reads");
    }

    // The oracle: per instance, every element two distinct iterations touch, one of them writing.
    conflict_map want;
    for (const auto& [key, iters] : st.oracle) {
        for (auto i = iters.begin(); i != iters.end(); ++i)
            for (auto j = std::next(i); j != iters.end(); ++j) {
                std::set<std::string> names;
                for (const auto& kv : i->second)
                    names.insert(kv.first);
                for (const auto& kv : j->second)
                    names.insert(kv.first);
                for (const std::string& name : names) {
                    static const rw none;
                    const rw& a = i->second.count(name) ? i->second.at(name) : none;
                    const rw& b = j->second.count(name) ? j->second.at(name) : none;
                    std::set<idx> hit = intersect(a.writes, b.writes);
                    for (idx e : intersect(a.writes, b.reads))
                        hit.insert(e);
                    for (idx e : intersect(a.reads, b.writes))
                        hit.insert(e);
                    if (!hit.empty())
                        want[key][name].insert(hit.begin(), hit.end());
                }
            }
    }

    // The detector: the union of its records' regions, per instance and buffer, after checking
    // each record on its own (messages are built only when something is wrong).
    std::map<std::string, idxs> shapes;
    for (const auto& b : p.bufs)
        shapes[b.name] = b.shape;
    conflict_map got;
    std::string problems;
    for (const auto& rec : c.races()) {
        const std::string why = check_record(st, shapes, rec, got);
        if (!why.empty() && problems.size() < 4000)
            problems += "record check failed: " + why + "\n" + rec.str();
    }
    if (!problems.empty() || got != want)
        FAIL(p.str() << "\nschedule " << sched.str() << "\n"
                     << problems << "oracle:\n"
                     << describe(want) << "detector:\n"
                     << describe(got) << c.report());

    outcome out;
    out.racy = !want.empty();
    out.element_accesses = st.element_accesses;
    out.records = c.races().size();
    for (const any_tensor& t : st.bases)
        out.bits.push_back(std::visit([](const auto& x) { return bits_of(x); }, t));
    return out;
}

std::uint64_t program_count()
{
    if (const char* env = std::getenv("PTOREF_RACE_PROGRAMS"); env && *env)
        return std::strtoull(env, nullptr, 10);
#if defined(__SANITIZE_THREAD__)
    return 1500;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
    return 1500;
#endif
#endif
    return 10000;
}

} // namespace

TEST_CASE("the race detector agrees with a brute-force oracle on 10 000 random programs")
{
    const std::uint64_t programs = program_count();
    std::uint64_t racy = 0, accesses = 0, records = 0, reruns = 0, nested = 0, with_locals = 0;
    for (std::uint64_t seed = 1; seed <= programs; ++seed) {
        const program p = make_program(seed);
        const outcome o = run_program(p, pl::schedule::sequential());
        racy += o.racy;
        accesses += static_cast<std::uint64_t>(o.element_accesses);
        records += o.records;
        nested += p.par_counts.size() > 1;
        with_locals += p.bufs.size() > static_cast<std::size_t>(p.bases);
        // Every schedule is judged the same; race-free programs also run on threads and must give
        // the same bits (racy ones stay off threads: that would be a real data race).
        std::vector<pl::schedule> others{pl::schedule::reverse(), pl::schedule::shuffled(seed)};
        if (!o.racy)
            others.push_back(pl::schedule::threads(2));
        else if (seed % 4 != 0)
            others.clear();
        for (const pl::schedule& s : others) {
            const outcome again = run_program(p, s);
            ++reruns;
            INFO(p.str() << "\nschedule " << s.str());
            REQUIRE(again.racy == o.racy);
            if (!o.racy)
                REQUIRE(again.bits == o.bits);
        }
    }
    std::printf("race differential: %llu programs (%llu with nested parallel levels, %llu with local buffers), "
                "%llu racy (%llu race records), %llu element accesses, %llu reruns under other schedules\n",
                static_cast<unsigned long long>(programs), static_cast<unsigned long long>(nested),
                static_cast<unsigned long long>(with_locals), static_cast<unsigned long long>(racy),
                static_cast<unsigned long long>(records), static_cast<unsigned long long>(accesses),
                static_cast<unsigned long long>(reruns));
    std::string cov_line = "coverage:";
    for (int k = 0; k < c_count; ++k)
        cov_line += std::string(k ? ", " : " ") + cov_names[k] + " " + std::to_string(coverage[k].load());
    std::printf("%s\n", cov_line.c_str());
    if (programs >= 1000) { // about half racy, so both verdicts are well exercised
        CHECK(racy > programs * 3 / 10);
        CHECK(racy < programs * 7 / 10);
    }
}

// ---- hand-written cases with known regions ---------------------------------------------------

namespace {
std::vector<ptoref::check::race_record> collect(const std::function<void()>& f)
{
    ptoref::check::collector c;
    f();
    return c.races();
}
std::string regions(const std::vector<ptoref::check::race_record>& rs)
{
    std::string s;
    for (const auto& r : rs)
        s += (s.empty() ? "" : " ") + ptoref::check::boxes_to_string(r.tensor, r.region);
    return s;
}
} // namespace

TEST_CASE("hand-written programs give exactly the expected race regions")
{
    using ptoref::check::race_kind;
    SECTION("overlapping row ranges of an [8,4] buffer: rows [2,4)")
    {
        auto buf = pl::full({8, 4}, pl::FP32, 0.0f).name("rows");
        const auto rs = collect([&] {
            pl::parallel(0, 2, 1, [&](pl::index i) {
                buf = pl::assemble(buf, pl::full({4, 4}, pl::FP32, static_cast<float>(i)), {2 * i, 0});
            });
        });
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].kind == race_kind::waw);
        CHECK(regions(rs) == "rows[2:4, 0:4]");
        CHECK(rs[0].elements == 8);
        CHECK(rs[0].first_iteration == std::vector<ptoref::index>{0});
        CHECK(rs[0].second_iteration == std::vector<ptoref::index>{1});
        CHECK(rs[0].tensor_shape == dims{8, 4});
    }
    SECTION("a transposed-view write overlaps a row write in exactly one 4x4 block")
    {
        auto buf = pl::full({8, 8}, pl::FP32, 0.0f).name("sq");
        const auto rs = collect([&] {
            pl::parallel(0, 2, 1, [&](pl::index i) {
                if (i == 0) // rows [0,4)
                    buf = pl::assemble(buf, pl::full({4, 8}, pl::FP32, 1.0f), {0, 0});
                else // rows [4,8) of the transpose = columns [4,8) of buf
                    (void)pl::assemble(pl::transpose(buf, 0, 1), pl::full({4, 8}, pl::FP32, 2.0f), {4, 0});
            });
        });
        REQUIRE(rs.size() == 1);
        CHECK(regions(rs) == "sq[0:4, 4:8]");
        CHECK(rs[0].elements == 16);
    }
    SECTION("a reshape [4,16] -> [64] view overlapping a row by 16 elements")
    {
        auto buf = pl::full({4, 16}, pl::FP32, 0.0f).name("flat");
        const auto rs = collect([&] {
            pl::parallel(0, 2, 1, [&](pl::index i) {
                if (i == 0)
                    buf = pl::assemble(buf, pl::full({1, 16}, pl::FP32, 1.0f), {1, 0});
                else
                    (void)pl::neg(pl::slice(pl::reshape(buf, {64}), {32}, {8})); // flat [8, 40)
            });
        });
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].kind == race_kind::raw);
        CHECK(regions(rs) == "flat[1, 0:16]");
        CHECK(rs[0].elements == 16);
    }
    SECTION("interleaved stripes of a strided view: no race; stripes read by the neighbour: all of it")
    {
        auto buf = pl::full({12}, pl::INT32, 0).name("stripes");
        auto rs = collect([&] {
            pl::parallel(0, 3, 1, [&](pl::index i) {
                auto col = pl::slice(pl::reshape(buf, {4, 3}), {4, 1}, {0, i}); // elements i, i+3, i+6, i+9
                (void)pl::assemble(col, pl::full({4, 1}, pl::INT32, static_cast<int>(i) + 1), {0, 0});
                (void)pl::neg(col);
            });
        });
        CHECK(rs.empty());
        CHECK(buf.to_vector() == std::vector<std::int32_t>{1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3});
        rs = collect([&] {
            pl::parallel(0, 3, 1, [&](pl::index i) {
                auto grid = pl::reshape(buf, {4, 3});
                (void)pl::assemble(pl::slice(grid, {4, 1}, {0, i}), pl::full({4, 1}, pl::INT32, 7), {0, 0});
                (void)pl::neg(pl::slice(grid, {4, 1}, {0, (i + 1) % 3}));
            });
        });
        std::set<ptoref::index> all;
        for (const auto& r : rs)
            for (const auto& b : r.region)
                for (ptoref::index k = b.lo[0]; k < b.hi[0]; ++k)
                    all.insert(k);
        CHECK(all.size() == 12);
    }
    SECTION("a strided slice of a transposed view: columns by iteration, no race")
    {
        auto buf = pl::full({4, 6}, pl::FP32, 0.0f).name("cols");
        const auto rs = collect([&] {
            pl::parallel(0, 3, 1, [&](pl::index i) {
                auto t = pl::transpose(buf, 0, 1);            // [6, 4]
                auto rows = pl::slice(t, {2, 4}, {2 * i, 0}); // columns 2i, 2i+1 of buf
                (void)pl::assemble(rows, pl::full({2, 4}, pl::FP32, 1.0f), {0, 0});
            });
        });
        CHECK(rs.empty());
    }
    SECTION("only the valid region is read, and only the source's valid region is written")
    {
        auto buf = pl::full({4, 4}, pl::FP32, 0.0f).name("valid");
        auto rs = collect([&] {
            pl::parallel(0, 2, 1, [&](pl::index i) {
                if (i == 0)
                    buf = pl::write(buf, {3, 3}, 5.0f);
                else
                    (void)pl::neg(pl::slice(buf, {4, 4}, {0, 0}, {2, 2}));
            });
        });
        CHECK(rs.empty());
        rs = collect([&] {
            pl::parallel(0, 2, 1, [&](pl::index i) {
                if (i == 0)
                    buf = pl::write(buf, {1, 1}, 5.0f);
                else
                    (void)pl::neg(pl::slice(buf, {4, 4}, {0, 0}, {2, 2}));
            });
        });
        REQUIRE(rs.size() == 1);
        CHECK(regions(rs) == "valid[1, 1]");
        rs = collect([&] {
            pl::parallel(0, 2, 1, [&](pl::index i) {
                auto src = pl::slice(pl::full({4, 4}, pl::FP32, 1.0f), {4, 4}, {0, 0}, {2, 4}); // rows 0-1 valid
                if (i == 0)
                    buf = pl::assemble(buf, src, {0, 0});
                else
                    buf = pl::assemble(buf, pl::full({2, 4}, pl::FP32, 2.0f), {2, 0});
            });
        });
        CHECK(rs.empty());
    }
    SECTION("nested parallel: inner instances clean, the outer level racy on rows 0-1")
    {
        auto buf = pl::full({4, 4}, pl::FP32, 0.0f).name("nest");
        auto rs = collect([&] {
            pl::parallel(0, 2, 1, [&](pl::index i) {
                pl::parallel(0, 2, 1, [&](pl::index j) {
                    buf = pl::assemble(buf, pl::full({1, 4}, pl::FP32, 1.0f), {2 * i + j, 0});
                });
            });
        });
        CHECK(rs.empty());
        rs = collect([&] {
            pl::parallel(0, 2, 1, [&](pl::index) {
                pl::parallel(0, 2, 1, [&](pl::index j) {
                    buf = pl::assemble(buf, pl::full({1, 4}, pl::FP32, 1.0f), {j, 0});
                });
            });
        });
        std::set<ptoref::index> rows;
        for (const auto& r : rs) {
            CHECK(r.first_iteration.size() == 1); // the outer loop only
            for (const auto& b : r.region) {
                CHECK(b.lo[1] == 0);
                CHECK(b.hi[1] == 4);
                for (ptoref::index k = b.lo[0]; k < b.hi[0]; ++k)
                    rows.insert(k);
            }
        }
        CHECK(rows == std::set<ptoref::index>{0, 1});
    }
    SECTION("a parallel inside a range: each instance judged on its own")
    {
        auto buf = pl::full({4, 4}, pl::FP32, 0.0f).name("inst");
        const auto rs = collect([&] {
            pl::range(0, 2, [&](pl::index r) {
                pl::parallel(0, 2, 1, [&](pl::index j) {
                    buf = pl::assemble(buf, pl::full({1, 4}, pl::FP32, 1.0f), {r + j, 0}); // row 1 twice, across r
                });
            });
        });
        CHECK(rs.empty());
    }
    SECTION("interleaved iterations on threads: a write after two readers, one of them itself")
    {
        // Iteration 0 reads x[0], iteration 1 reads it, then iteration 0 writes it: the first
        // reader is the writer itself, so only the second reader shows the conflict. Atomics
        // order the steps (no data race in the C++ sense, so ThreadSanitizer stays quiet).
        auto buf = pl::full({4}, pl::FP32, 1.0f).name("x");
        std::atomic<int> stage{0};
        std::atomic<bool> timed_out{false};
        auto wait_for = [&](int s) {
            for (long k = 0; stage.load(std::memory_order_acquire) < s; ++k) {
                if (k > 20000000) {
                    timed_out = true;
                    return;
                }
                std::this_thread::yield();
            }
        };
        const auto rs = collect([&] {
            pl::parallel(0, 3, 1, pl::on(pl::schedule::threads(3)), [&](pl::index i) {
                if (i == 0) {
                    (void)pl::neg(pl::slice(buf, {1}, {0}));
                    stage.store(1, std::memory_order_release);
                    wait_for(2);
                    (void)pl::write(buf, {0}, 5.0f);
                } else if (i == 1) {
                    wait_for(1);
                    (void)pl::neg(pl::slice(buf, {2}, {0}));
                    stage.store(2, std::memory_order_release);
                }
            });
        });
        REQUIRE(!timed_out);
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].kind == race_kind::war);
        CHECK(rs[0].first_iteration == std::vector<ptoref::index>{1});
        CHECK(rs[0].second_iteration == std::vector<ptoref::index>{0});
        CHECK(regions(rs) == "x[0]");
    }
    SECTION("interleaved iterations on threads: three readers, then each writes")
    {
        auto buf = pl::full({2, 3}, pl::INT32, 1).name("y");
        std::atomic<int> stage{0};
        std::atomic<bool> timed_out{false};
        auto wait_for = [&](int s) {
            for (long k = 0; stage.load(std::memory_order_acquire) < s; ++k) {
                if (k > 20000000) {
                    timed_out = true;
                    return;
                }
                std::this_thread::yield();
            }
        };
        const auto rs = collect([&] {
            pl::parallel(0, 3, 1, pl::on(pl::schedule::threads(3)), [&](pl::index i) {
                const int k = static_cast<int>(i);
                wait_for(k); // reads in order 0, 1, 2, then writes in order 2, 1, 0
                (void)pl::neg(pl::slice(buf, {1, 3}, {1, 0}));
                stage.fetch_add(1, std::memory_order_acq_rel);
                wait_for(3 + (2 - k));
                (void)pl::write(buf, {1, k}, 7);
                stage.fetch_add(1, std::memory_order_acq_rel);
            });
        });
        REQUIRE(!timed_out);
        std::set<ptoref::index> hit;
        for (const auto& r : rs)
            for (const auto& b : r.region)
                for (ptoref::index c = b.lo[1]; c < b.hi[1]; ++c) {
                    CHECK(b.lo[0] == 1);
                    hit.insert(c);
                }
        CHECK(hit == std::set<ptoref::index>{0, 1, 2});
        CHECK(buf.to_vector() == std::vector<std::int32_t>{1, 1, 1, 7, 7, 7});
    }
    SECTION("a buffer created in one iteration and read by another: RAW on what is read")
    {
        pl::Tensor<float> carry;
        const auto rs = collect([&] {
            pl::parallel(0, 2, 1, [&](pl::index i) {
                if (i == 0)
                    carry = pl::full({3, 4}, pl::FP32, 1.0f).name("carry");
                else
                    (void)pl::neg(pl::slice(pl::transpose(carry, 0, 1), {2, 3}, {1, 0}, {2, 2})); // carry[0:2, 1:3]
            });
        });
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].kind == race_kind::raw);
        CHECK(regions(rs) == "carry[0:2, 1:3]");
        CHECK(rs[0].first.op == "pl::full");
    }
    SECTION("a lower-rank slice with a partial valid_shape, written per iteration")
    {
        auto buf = pl::full({3, 4, 5}, pl::FP32, 0.0f).name("low");
        auto rs = collect([&] {
            pl::parallel(0, 3, 1, [&](pl::index i) {
                auto plane = pl::slice(buf, {4, 5}, {i, 0, 0});
                (void)pl::assemble(plane, pl::slice(pl::full({4, 5}, pl::FP32, 1.0f), {4, 5}, {0, 0}, {2, 3}), {0, 0});
            });
        });
        CHECK(rs.empty());
        rs = collect([&] {
            pl::parallel(0, 2, 1, [&](pl::index i) {
                auto plane = pl::slice(buf, {4, 5}, {1, 0, 0});
                if (i == 0)
                    (void)pl::assemble(plane, pl::slice(pl::full({4, 5}, pl::FP32, 1.0f), {4, 5}, {0, 0}, {2, 3}),
                                       {0, 0});
                else
                    (void)pl::neg(pl::slice(plane, {4, 5}, {0, 0}, {3, 1}));
            });
        });
        REQUIRE(rs.size() == 1);
        CHECK(regions(rs) == "low[1, 0:2, 0]");
        CHECK(rs[0].kind == race_kind::raw);
    }
}
