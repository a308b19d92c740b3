// The task model of the runtime-ordering mode: tasks, their argument tags, and the
// happens-before relation the simpler runtime enforces between them.
//
// A task is one dispatch of the orchestration (a `pl.at` scope, a `pl.spmd` launch, a kernel
// call, a `pl.submit`, a `task_dummy`). The runtime orders two tasks only by
//   - explicit deps (`deps=`), in AUTO and MANUAL scopes alike;
//   - TensorMap edges: an INPUT or INOUT argument looks up every earlier registered writer of an
//     overlapping view of the same allocation; INOUT and OUTPUT_EXISTING arguments register as
//     writers; nothing is looked up or registered for NO_DEP slots, `manual_dep` tensors or
//     tasks submitted inside a manual scope;
//   - creator retention: a task that allocated a buffer (an OUTPUT argument) precedes later
//     tasks passing that buffer (outside manual scopes);
//   - the end of the run (every task completes before it).
// (reference/tasks-and-ordering.md §5, §3.3; reference/hazards.md §2.2.) Ordered = reachable.
//
// task_graph takes tasks in submission order with their exact element footprints (what the
// kernel really read and wrote, per block) and reports every pair of tasks that conflict on an
// element (RAW, WAR, WAW) and that those edges leave unordered, saying which edge is missing
// and why the runtime would not add it. There are no caps: every writer entry stays visible
// to every lookup (simpler #633's 16-producer truncation is the bug class this must not copy).
#pragma once

#include <bit>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ptoref/check/boxes.hpp"
#include "ptoref/check/element_set.hpp"
#include "ptoref/check/records.hpp"
#include "ptoref/core/error.hpp"

namespace ptoref::check {

// What the runtime sees for one argument (TensorArgType).
enum class arg_tag : unsigned char { input, output, inout, output_existing, no_dep };

inline const char* to_string(arg_tag t) noexcept
{
    switch (t) {
    case arg_tag::input:
        return "INPUT";
    case arg_tag::output:
        return "OUTPUT";
    case arg_tag::inout:
        return "INOUT";
    case arg_tag::output_existing:
        return "OUTPUT_EXISTING";
    case arg_tag::no_dep:
        return "NO_DEP";
    }
    return "?";
}

// A callee parameter's direction (pl.In / pl.Out / pl.InOut).
enum class param_dir : unsigned char { in, out, inout };

// Where the call happens, for DeriveCallDirections (reference/tasks-and-ordering.md §2.2).
struct call_context {
    bool under_sequential_loop = false; // R-seq: a non-parallel For/While ancestor
    bool prior_writer = false;          // R-prior: an earlier writer unit of this scope wrote the root
    bool no_dep = false;                // pl.no_dep(t) / pl.at(no_dep_args=[t])
};

// The call-site tag pypto gives a tensor argument: In -> INPUT, InOut -> INOUT, Out -> INOUT
// under a sequential loop or after a prior writer of the same root, else OUTPUT_EXISTING;
// no_dep overrides everything (tasks-and-ordering.md §2.2, §2.3).
inline arg_tag derive_tag(param_dir d, const call_context& c) noexcept
{
    if (c.no_dep)
        return arg_tag::no_dep;
    switch (d) {
    case param_dir::in:
        return arg_tag::input;
    case param_dir::inout:
        return arg_tag::inout;
    case param_dir::out:
        return c.under_sequential_loop || c.prior_writer ? arg_tag::inout : arg_tag::output_existing;
    }
    return arg_tag::input;
}

enum class scope_mode : unsigned char { auto_scope, manual };

using task_id = std::uint64_t; // 1, 2, ... in submission order; 0 = none

struct task_arg {
    std::uint64_t buffer = 0;
    element_set view; // the elements of the view passed (what the TensorMap compares)
    arg_tag tag = arg_tag::input;
    bool manual_dep = false; // the tensor was created with manual_dep=True
};

// One block's accesses to one buffer. Atomic adds are kept apart from plain writes: two tasks
// that only atomically add into an element commute, so they need no order (as two parallel
// iterations' atomic adds do for the race checker, docs/checks.md).
struct block_footprint {
    element_set read, write, atomic;
};

struct task_info {
    std::string kind; // "pl.at", "pl.spmd", "pl.submit", "task_dummy", ...
    source_location site;
    std::string site_text;   // overrides site in reports (the Python front end's file:line)
    std::vector<index> path; // enclosing loop indices
    index blocks = 1;        // a pl.spmd launch: n blocks, mutually concurrent
    scope_mode scope = scope_mode::auto_scope;
    std::vector<task_id> deps; // explicit deps (already resolved to task ids)
    std::vector<task_arg> args;
    // buffer -> block -> accesses (the kernels' actual element footprints)
    std::map<std::uint64_t, std::map<index, block_footprint>> footprint;

    void read(std::uint64_t buffer, const view_geometry& g, index block = 0) { footprint[buffer][block].read.add(g); }
    void write(std::uint64_t buffer, const view_geometry& g, index block = 0) { footprint[buffer][block].write.add(g); }
    void atomic_add(std::uint64_t buffer, const view_geometry& g, index block = 0)
    {
        footprint[buffer][block].atomic.add(g);
    }
    std::string where() const { return site_text.empty() ? to_string(site) : site_text; }
};

// The description of one task in a report.
struct task_ref {
    task_id id = 0;
    std::string kind;
    std::string where;
    std::vector<index> path;
    index block = 0;  // a block that made the conflicting access
    index blocks = 1; // the launch's block count
    bool manual = false;
    std::string tag; // its argument's tag on the tensor, or "not an argument"
    access_kind access = access_kind::read;

    std::string str() const
    {
        std::string s = kind + " task #" + std::to_string(id) + " at " + where;
        if (!path.empty())
            s += " (iteration " + path_to_string(path) + ")";
        if (blocks > 1)
            s += " block " + std::to_string(block) + " of " + std::to_string(blocks);
        if (manual)
            s += " [manual scope]";
        return s;
    }
};

// Two tasks the runtime's edges leave unordered touched the same elements, one writing.
struct ordering_record {
    std::string tensor;
    race_kind kind = race_kind::waw; // named from the earlier task's access to the later one's
    task_ref first;                  // earlier in submission (program) order
    task_ref second;
    dims tensor_shape;
    std::vector<box> region;
    index elements = 0;
    std::string why; // why the runtime adds no edge first -> second

    std::string missing() const
    {
        return "task #" + std::to_string(first.id) + " -> task #" + std::to_string(second.id) + " (" + to_string(kind) +
               ")";
    }
    std::string str() const
    {
        auto verb = [](access_kind k, bool cap) {
            return k == access_kind::write
                       ? (cap ? "Write" : "write")
                       : (k == access_kind::atomic_add ? (cap ? "Atomic add" : "atomic add") : (cap ? "Read" : "read"));
        };
        const char* verb2 = verb(second.access, true);
        const char* verb1 = verb(first.access, false);
        std::string s = "WARNING: ptoref: tasks unordered by the runtime (" + std::string(to_string(kind)) + ") on " +
                        tensor + "\n";
        s += "  " + std::string(verb2) + " by " + second.str() + ", argument " + second.tag + "\n";
        s += "  Previous " + std::string(verb1) + " by " + first.str() + ", argument " + first.tag + "\n";
        s += "  Region: " + boxes_to_string(tensor, region) + " of " + tensor + to_string(tensor_shape) + ", " +
             std::to_string(elements) + " element" + (elements == 1 ? "" : "s") + "\n";
        s += "  Missing edge: " + missing() + "\n";
        s += "  Why: " + why + "\n";
        s += "SUMMARY: ptoref: unordered " + std::string(to_string(kind)) + " on " + tensor + " between task #" +
             std::to_string(first.id) + " (" + first.where + ") and task #" + std::to_string(second.id) + " (" +
             second.where + ") under runtime ordering\n";
        return s;
    }
};

class ordering_error : public error {
public:
    explicit ordering_error(std::vector<ordering_record> records)
        : error("", records_to_string(records)), records_(std::move(records))
    {
    }
    const std::vector<ordering_record>& records() const noexcept { return records_; }

private:
    std::vector<ordering_record> records_;
};

class task_graph {
public:
    struct buffer_desc {
        std::string name;
        dims shape; // the buffer's own (root) shape, for regions
    };

    void describe_buffer(std::uint64_t id, const std::string& name, const dims& shape)
    {
        auto [it, fresh] = buffers_.try_emplace(id, buffer_desc{name, shape});
        if (!fresh && (it->second.name != name || it->second.shape != shape))
            it->second = buffer_desc{name, shape}; // the latest name (a buffer can be named late)
    }

    std::size_t size() const noexcept { return tasks_.size(); }
    const task_info& task(task_id id) const { return tasks_.at(static_cast<std::size_t>(id - 1)); }

    // Submits a task (after every task it may depend on): derives its edges as the runtime would
    // at submit and registers its writer entries. Returns its TaskId.
    task_id submit(task_info t)
    {
        const task_id id = tasks_.size() + 1;
        // Ancestors: every predecessor and its ancestors. An edge from a task that is already an
        // ancestor adds nothing, so such writer entries are skipped without comparing views.
        std::vector<std::uint64_t> anc(static_cast<std::size_t>((id + 63) / 64), 0);
        auto has = [&](task_id p) { return (anc[static_cast<std::size_t>((p - 1) / 64)] >> ((p - 1) % 64)) & 1u; };
        auto add_pred = [&](task_id p) {
            if (has(p))
                return;
            const auto& pa = ancestors_[static_cast<std::size_t>(p - 1)];
            for (std::size_t w = 0; w < pa.size(); ++w)
                anc[w] |= pa[w];
            anc[static_cast<std::size_t>((p - 1) / 64)] |= std::uint64_t{1} << ((p - 1) % 64);
        };
        for (task_id d : t.deps) {
            if (d == 0 || d >= id)
                throw error("task", "deps names task #" + std::to_string(d) + ", which is not submitted before task #" +
                                        std::to_string(id) + " (" + t.where() + ")");
            add_pred(d);
        }
        const bool manual = t.scope == scope_mode::manual;
        if (!manual) {
            for (const task_arg& a : t.args) {
                if (a.tag != arg_tag::output)
                    if (auto c = creator_.find(a.buffer); c != creator_.end())
                        add_pred(c->second);
                if (a.manual_dep || (a.tag != arg_tag::input && a.tag != arg_tag::inout))
                    continue;
                auto w = writers_.find(a.buffer);
                if (w == writers_.end())
                    continue;
                for (auto e = w->second.rbegin(); e != w->second.rend(); ++e) // newest first
                    if (!has(e->task) && intersects(e->view, a.view))
                        add_pred(e->task);
            }
        }
        ancestors_.push_back(std::move(anc));
        if (!manual) {
            for (const task_arg& a : t.args) {
                if (a.tag == arg_tag::output)
                    creator_[a.buffer] = id;
                if (!a.manual_dep && (a.tag == arg_tag::inout || a.tag == arg_tag::output_existing))
                    register_writer(writers_[a.buffer], id, a.view);
            }
        }
        for (const auto& [buf, blocks] : t.footprint)
            touched_[buf].push_back(id);
        tasks_.push_back(std::move(t));
        return id;
    }

    // Whether the runtime orders task a before task b (a submitted first).
    bool ordered(task_id a, task_id b) const
    {
        if (a == 0 || b == 0 || a >= b)
            return false;
        const auto& anc = ancestors_[static_cast<std::size_t>(b - 1)];
        const std::size_t w = static_cast<std::size_t>((a - 1) / 64);
        return w < anc.size() && ((anc[w] >> ((a - 1) % 64)) & 1u);
    }

    // Every unordered conflicting pair: one record per (pair of tasks, tensor, kind, access
    // kinds), with the exact conflicting elements. Ordered by tensor, then the later task, then
    // the earlier one.
    std::vector<ordering_record> conflicts() const
    {
        std::vector<ordering_record> out;
        for (const auto& [buf, ids] : touched_) {
            if (ids.size() < 2)
                continue; // one task's buffer: no pair
            // Each task's accesses to the buffer, merged over its blocks.
            std::vector<block_footprint> merged(ids.size());
            for (std::size_t k = 0; k < ids.size(); ++k)
                for (const auto& [block, fp] : task(ids[k]).footprint.at(buf)) {
                    merged[k].read.add(fp.read);
                    merged[k].write.add(fp.write);
                    merged[k].atomic.add(fp.atomic);
                }
            // The earlier tasks touching the buffer that j's ancestors do not include, 64 at a
            // time: bit k-1 of `touching` is set for task k among ids[0, j).
            std::vector<std::uint64_t> touching(static_cast<std::size_t>((tasks_.size() + 63) / 64), 0);
            for (std::size_t j = 0; j < ids.size(); ++j) {
                const auto& anc = ancestors_[static_cast<std::size_t>(ids[j] - 1)];
                const std::size_t words = static_cast<std::size_t>((ids[j] - 1 + 63) / 64);
                std::size_t i = 0; // ids[i] walks forward with the bits (both ascend)
                for (std::size_t w = 0; w < words; ++w) {
                    std::uint64_t bits = touching[w] & ~(w < anc.size() ? anc[w] : 0);
                    while (bits) {
                        const task_id earlier =
                            static_cast<task_id>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)) + 1);
                        bits &= bits - 1;
                        while (ids[i] != earlier)
                            ++i;
                        judge_pair(buf, ids, merged, i, j, out);
                    }
                }
                touching[static_cast<std::size_t>((ids[j] - 1) / 64)] |= std::uint64_t{1} << ((ids[j] - 1) % 64);
            }
        }
        return out;
    }

private:
    // The records of one unordered pair of tasks (ids[i] before ids[j]) on one buffer.
    void judge_pair(std::uint64_t buf, const std::vector<task_id>& ids, const std::vector<block_footprint>& merged,
                    std::size_t i, std::size_t j, std::vector<ordering_record>& out) const
    {
        const block_footprint& a = merged[i];
        const block_footprint& b = merged[j];
        // An atomic add conflicts like a write with plain reads and writes, and not
        // with another atomic add (the adds commute).
        struct pairing {
            race_kind kind;
            access_kind first, second;
            const element_set *x, *y;
        };
        using ak = access_kind;
        const pairing pairs[] = {
            {race_kind::raw, ak::write, ak::read, &a.write, &b.read},
            {race_kind::raw, ak::atomic_add, ak::read, &a.atomic, &b.read},
            {race_kind::war, ak::read, ak::write, &a.read, &b.write},
            {race_kind::war, ak::read, ak::atomic_add, &a.read, &b.atomic},
            {race_kind::waw, ak::write, ak::write, &a.write, &b.write},
            {race_kind::waw, ak::write, ak::atomic_add, &a.write, &b.atomic},
            {race_kind::waw, ak::atomic_add, ak::write, &a.atomic, &b.write},
        };
        for (const pairing& p : pairs)
            if (!p.x->empty() && !p.y->empty())
                if (element_set elems = intersect(*p.x, *p.y); !elems.empty())
                    out.push_back(make_record(buf, p.kind, p.first, p.second, ids[i], ids[j], elems));
    }

    struct writer_entry {
        task_id task;
        element_set view;
    };

    // Registers a writer entry. An older entry whose view the new one covers and whose task
    // precedes the new task is dropped: a lookup that would find it finds the new entry, and
    // the new task's ancestors include the old task, so every lookup derives the same
    // happens-before relation (a transitive reduction, not a cap: nothing reachable is lost).
    void register_writer(std::vector<writer_entry>& entries, task_id id, const element_set& view) const
    {
        std::erase_if(entries, [&](const writer_entry& e) { return ordered(e.task, id) && covers(view, e.view); });
        entries.push_back(writer_entry{id, view});
    }

    const buffer_desc& desc(std::uint64_t buf) const
    {
        static const buffer_desc unknown{"<tensor>", dims{}};
        auto it = buffers_.find(buf);
        return it == buffers_.end() ? unknown : it->second;
    }

    // The task's argument on a buffer that matters most for the edge: for the earlier task a
    // registered writer, for the later one a lookup; nullptr if the buffer is not an argument.
    static const task_arg* pick_arg(const task_info& t, std::uint64_t buf, bool earlier)
    {
        const task_arg* best = nullptr;
        for (const task_arg& a : t.args) {
            if (a.buffer != buf)
                continue;
            const bool good = earlier ? (a.tag == arg_tag::inout || a.tag == arg_tag::output_existing)
                                      : (a.tag == arg_tag::input || a.tag == arg_tag::inout);
            if (!best || (good && !a.manual_dep))
                best = &a;
        }
        return best;
    }

    task_ref ref(task_id id, std::uint64_t buf, const element_set& elems, access_kind access, bool earlier) const
    {
        const task_info& t = task(id);
        task_ref r;
        r.id = id;
        r.kind = t.kind;
        r.where = t.where();
        r.path = t.path;
        r.blocks = t.blocks;
        r.manual = t.scope == scope_mode::manual;
        r.access = access;
        const task_arg* a = pick_arg(t, buf, earlier);
        r.tag = a ? std::string(to_string(a->tag)) + (a->manual_dep ? " (manual_dep)" : "") : "not an argument";
        // The lowest block whose own accesses of this kind hit the region.
        for (const auto& [block, fp] : t.footprint.at(buf))
            if (intersects(access == access_kind::write  ? fp.write
                           : access == access_kind::read ? fp.read
                                                         : fp.atomic,
                           elems)) {
                r.block = block;
                break;
            }
        return r;
    }

    // Why no chain of edges orders a before b: every rule of the direct edge a -> b that fails.
    std::string explain(std::uint64_t buf, race_kind kind, task_id ia, task_id ib) const
    {
        const task_info& a = task(ia);
        const task_info& b = task(ib);
        const std::string& name = desc(buf).name;
        const task_arg* aa = pick_arg(a, buf, true);
        const task_arg* ba = pick_arg(b, buf, false);
        const char* a_role = kind == race_kind::war ? "reader" : "writer";
        const char* b_role = kind == race_kind::raw ? "reader" : "writer";
        std::vector<std::string> why;
        if (b.scope == scope_mode::manual)
            why.push_back(std::string("the later ") + b_role +
                          " was submitted inside pl.manual_scope: the runtime derives no edge for it, only its deps=");
        if (a.scope == scope_mode::manual)
            why.push_back(std::string("the earlier ") + a_role +
                          " was submitted inside pl.manual_scope: it registered nothing in the TensorMap, and "
                          "leaving the scope is no barrier");
        if ((aa && aa->manual_dep) || (ba && ba->manual_dep))
            why.push_back(name + " was created with manual_dep=True: the runtime does not track it");
        if (!ba)
            why.push_back(std::string("the later ") + b_role + " does not pass " + name +
                          " as an argument, so the runtime looks nothing up for it");
        else if (ba->tag == arg_tag::no_dep)
            why.push_back(std::string("the later ") + b_role + "'s argument is NO_DEP (no_dep_args / pl.no_dep)");
        else if (ba->tag == arg_tag::output_existing)
            why.push_back(std::string("the later ") + b_role +
                          "'s argument is OUTPUT_EXISTING: the runtime does no lookup for it (only INPUT and INOUT "
                          "look up earlier writers)");
        else if (ba->tag == arg_tag::output)
            why.push_back(std::string("the later ") + b_role + "'s argument is OUTPUT (a fresh buffer): no lookup");
        if (!aa)
            why.push_back(std::string("the earlier ") + a_role + " does not pass " + name +
                          " as an argument, so the runtime never registers it");
        else if (aa->tag == arg_tag::input)
            why.push_back(kind == race_kind::war
                              ? std::string("WAR: reader task was a plain INPUT; the runtime tracks no readers")
                              : std::string("the earlier writer's argument is tagged INPUT (the direction lies): "
                                            "the runtime registers no writer for it"));
        else if (aa->tag == arg_tag::no_dep)
            why.push_back(std::string("the earlier ") + a_role +
                          "'s argument is NO_DEP (no_dep_args / pl.no_dep): it registers nothing");
        else if (aa->tag == arg_tag::output)
            why.push_back(std::string("the earlier ") + a_role +
                          "'s argument is OUTPUT: it is the creator, retained only by later non-OUTPUT arguments");
        if (why.empty() && aa && ba && !intersects(aa->view, ba->view))
            why.push_back("the views the two tasks pass do not overlap, although their accesses do (a kernel "
                          "touched elements outside the view it was given)");
        if (why.empty())
            why.push_back("no chain of edges leads from the earlier task to the later one");
        std::string s;
        for (std::size_t k = 0; k < why.size(); ++k)
            s += (k ? "; " : "") + why[k];
        if (!b.deps.empty() || b.scope == scope_mode::manual)
            s += "; no deps= chain reaches task #" + std::to_string(ia);
        return s;
    }

    ordering_record make_record(std::uint64_t buf, race_kind kind, access_kind first, access_kind second, task_id ia,
                                task_id ib, const element_set& elems) const
    {
        ordering_record r;
        const buffer_desc& d = desc(buf);
        r.tensor = d.name;
        r.kind = kind;
        r.first = ref(ia, buf, elems, first, true);
        r.second = ref(ib, buf, elems, second, false);
        r.tensor_shape = d.shape.size() ? d.shape : dims{elems.intervals().back().second};
        r.region = coalesce(elems.flats(), r.tensor_shape);
        r.elements = elems.count();
        r.why = explain(buf, kind, ia, ib);
        return r;
    }

    std::vector<task_info> tasks_;
    std::vector<std::vector<std::uint64_t>> ancestors_; // bit k-1 set: task k precedes
    std::map<std::uint64_t, std::vector<writer_entry>> writers_;
    std::map<std::uint64_t, task_id> creator_;
    std::map<std::uint64_t, std::vector<task_id>> touched_; // buffer -> tasks touching it, in order
    std::map<std::uint64_t, buffer_desc> buffers_;
};

} // namespace ptoref::check

namespace ptoref {
using check::ordering_error;
} // namespace ptoref
