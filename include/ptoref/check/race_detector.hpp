// The exact race detector for one instance of a parallel loop.
//
// Per element of every buffer touched during the loop, a shadow cell holds the last writer
// iteration and the first two distinct reader iterations, with their op sites. Each access of
// iteration i to element e is judged against the cell:
//   write: another writer -> WAW; another reader -> WAR.   read: another writer -> RAW.
// This flags every element that two different iterations touch with at least one write (if a
// third iteration's reader was dropped, the two kept readers include one that differs from the
// writer), and flags nothing else. Cells are stored per run of elements whose cells are equal
// (an interval map per buffer; an access is laid in as its row runs), so the cost is per run
// segment an access touches rather than per element, and memory is per distinct segment (a
// destroyed buffer's segments are dropped). A read that repeats an earlier conflict-free read of
// the same iteration changes no cell and finds nothing, so such reads are recognised by a
// coarser map and skipped (see shadow). docs/checks.md has the measured cost.
#pragma once

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "ptoref/check/boxes.hpp"
#include "ptoref/check/config.hpp"
#include "ptoref/check/records.hpp"
#include "ptoref/core/run_map.hpp"
#include "ptoref/tensor/access.hpp"
#include "ptoref/tensor/buffer.hpp"

namespace ptoref::check {

class loop_race_state;

namespace detail {
// Loop instances currently being checked, so buffer destruction can drop their shadows.
struct active_loops {
    std::mutex mutex;
    std::set<loop_race_state*> loops;
};
inline active_loops& active()
{
    static active_loops a;
    return a;
}
} // namespace detail

class loop_race_state {
public:
    loop_race_state(std::string loop_kind, source_location site, std::vector<index> outer_path)
        : loop_kind_(std::move(loop_kind)), site_(site), outer_path_(std::move(outer_path))
    {
        if (outer_path_.empty() && deliver::collecting()) {
            auto& f = detail::tracked_footprints();
            std::lock_guard<std::mutex> lock(f.mutex);
            footprint_names_ = f.names;
        }
        std::lock_guard<std::mutex> lock(detail::active().mutex);
        detail::active().loops.insert(this);
    }
    ~loop_race_state()
    {
        std::lock_guard<std::mutex> lock(detail::active().mutex);
        detail::active().loops.erase(this);
    }
    loop_race_state(const loop_race_state&) = delete;
    loop_race_state& operator=(const loop_race_state&) = delete;

    static void forget_everywhere(std::uint64_t buffer_id)
    {
        std::lock_guard<std::mutex> lock(detail::active().mutex);
        for (loop_race_state* s : detail::active().loops)
            s->forget(buffer_id);
    }

    // A buffer created inside this loop instance is written whole by its creating iteration.
    // Accesses by that iteration cannot conflict with anything else, so they need no shadow
    // cells; an access by any other iteration conflicts with the creation on exactly the
    // elements it touches. (Most buffers in a loop body are such temporaries.)
    void note_created(const ptoref::detail::buffer_base& b, index iteration, std::string_view op,
                      const source_location& loc)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        const created_entry e{b.id(), iteration, intern_site(op, loc, access_kind::write)};
        // Ids grow with creation, so this is an append but under threads.
        if (created_.empty() || created_.back().id < e.id) {
            created_.push_back(e);
            return;
        }
        auto it = created_lower_bound(e.id);
        if (it != created_.end() && it->id == e.id)
            *it = e;
        else
            created_.insert(it, e);
    }

    void record(const access_event& e, index iteration)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        const std::uint32_t site = intern_site(e.op, e.where, e.kind);
        const bool write = e.kind != access_kind::read; // an atomic add writes too
        accesses_ += element_count(e.geometry.shape);
        if (!footprint_names_.empty())
            note_footprint(*e.buffer, e.geometry, iteration);
        if (trip_count_ == 1) // one iteration cannot race with itself: nothing more to track
            return;
        if (auto c = find_created(e.buffer->id()); c != nullptr) {
            if (c->iteration == iteration)
                return;
            buffers_.try_emplace(e.buffer->id(),
                                 buffer_info{e.buffer->name().empty() ? e.buffer->display_name() : e.buffer->name(),
                                             e.buffer->root_shape()});
            for_each_run(e.geometry.shape, e.geometry.strides, e.geometry.offset, [&](index lo, index hi) {
                conflict(e.buffer->id(), write ? race_kind::waw : race_kind::raw, c->iteration, c->site, iteration,
                         site, lo, hi);
            });
            return;
        }
        apply(shadow_of(*e.buffer), e.buffer->id(), e.geometry, e.kind, iteration, site);
    }

    void set_trip_count(index n) noexcept { trip_count_ = n; }

    // A phase boundary of an spmd launch (pl.system.syncall): every access so far happens-before
    // every later one in any block, so the shadows start afresh; the findings so far are kept.
    void barrier()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        shadows_.clear();
        created_.clear();
    }

    void forget(std::uint64_t buffer_id)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        shadows_.erase(buffer_id);
        if (auto it = created_lower_bound(buffer_id); it != created_.end() && it->id == buffer_id)
            created_.erase(it);
    }

    // The loop's findings, one record per (tensor, kind, iteration pair, op sites), with the
    // conflicting elements coalesced into boxes.
    std::vector<race_record> finish()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        std::vector<race_record> out;
        for (auto& [key, runs] : conflicts_) {
            const auto& [buffer_id, kind, it1, site1, it2, site2] = key;
            const buffer_info& info = buffers_.at(buffer_id);
            race_record r;
            r.tensor = info.name;
            r.kind = kind;
            r.loop = loop_kind_;
            r.loop_site = site_;
            r.first_iteration = outer_path_;
            r.first_iteration.push_back(it1);
            r.second_iteration = outer_path_;
            r.second_iteration.push_back(it2);
            r.first = sites_[site1].site();
            r.second = sites_[site2].site();
            r.tensor_shape = info.shape;
            r.region = coalesce_ranges(runs, info.shape);
            for (const box& b : r.region)
                r.elements += b.count();
            out.push_back(std::move(r));
        }
        return out;
    }

    // What this instance did, for per-loop verdicts; call after finish().
    loop_summary summary(std::size_t races) const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        loop_summary s;
        s.loop = loop_kind_;
        s.loop_site = site_;
        s.outer_path = outer_path_;
        s.iterations = trip_count_;
        s.element_accesses = accesses_;
        s.races = races;
        for (const auto& [name, per_iter] : footprints_) {
            std::vector<std::pair<index, std::vector<box>>> boxes;
            for (const auto& [it, runs] : per_iter.second)
                boxes.emplace_back(it, coalesce_ranges(runs, per_iter.first));
            s.footprints.emplace_back(name, std::move(boxes));
        }
        return s;
    }

    bool has_conflicts() const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return !conflicts_.empty();
    }

private:
    static constexpr index none = INT64_MIN;

    // Like the readers, the first two distinct atomic-add iterations are kept: one of them
    // differs from any later plain accessor that conflicts with an atomic add.
    struct cell {
        index writer = none;
        index reader1 = none;
        index reader2 = none;
        index atomic1 = none;
        index atomic2 = none;
        std::uint32_t writer_site = 0, reader1_site = 0, reader2_site = 0, atomic1_site = 0, atomic2_site = 0;
        friend bool operator==(const cell&, const cell&) = default;
    };
    // The iteration whose read of an element is known to change nothing: the element's cell
    // has no writer or atomic adder but that iteration, and the iteration among its readers
    // (or both reader slots taken). Only writes and atomic adds of another iteration undo that.
    struct read_owner {
        index iteration = none;
        friend bool operator==(const read_owner&, const read_owner&) = default;
    };
    // The shadow of one buffer: its cells as runs of elements whose cells are equal (elements
    // never touched have none). Accesses arrive as runs and every element of a run is judged
    // alike, so the work is per run an access touches, not per element, and exactly what
    // per-element cells would give. Cells of different op sites do not merge (a cache row
    // written as two halves is two runs per row), so a loop that reads the same tile again and
    // again would walk many runs to change nothing; `quiet` marks where a read by an iteration
    // is such a no-op, in runs that do merge, and those reads skip the cells.
    struct shadow {
        ptoref::detail::run_map<cell> cells;
        ptoref::detail::run_map<read_owner> quiet;
    };
    // Below this many cell runs per access run, judging the cells costs about what the quiet
    // map would: no entry is made for them.
    static constexpr int quiet_min_runs = 4;
    struct created_entry {
        std::uint64_t id;
        index iteration;
        std::uint32_t site;
    };
    struct buffer_info {
        std::string name;
        dims shape;
    };

    // Judges an access of elements [lo, hi), all with cell state c, and updates c. An atomic add
    // conflicts like a write with plain reads and writes, and with nothing else.
    void visit(cell& c, std::uint64_t id, access_kind kind, index iteration, std::uint32_t site, index lo, index hi)
    {
        auto other = [&](index who) { return who != none && who != iteration; };
        if (kind == access_kind::write) {
            if (other(c.writer))
                conflict(id, race_kind::waw, c.writer, c.writer_site, iteration, site, lo, hi);
            else if (other(c.atomic1))
                conflict(id, race_kind::waw, c.atomic1, c.atomic1_site, iteration, site, lo, hi);
            else if (other(c.atomic2))
                conflict(id, race_kind::waw, c.atomic2, c.atomic2_site, iteration, site, lo, hi);
            else if (other(c.reader1))
                conflict(id, race_kind::war, c.reader1, c.reader1_site, iteration, site, lo, hi);
            else if (other(c.reader2))
                conflict(id, race_kind::war, c.reader2, c.reader2_site, iteration, site, lo, hi);
            c.writer = iteration;
            c.writer_site = site;
        } else if (kind == access_kind::atomic_add) {
            if (other(c.writer))
                conflict(id, race_kind::waw, c.writer, c.writer_site, iteration, site, lo, hi);
            else if (other(c.reader1))
                conflict(id, race_kind::war, c.reader1, c.reader1_site, iteration, site, lo, hi);
            else if (other(c.reader2))
                conflict(id, race_kind::war, c.reader2, c.reader2_site, iteration, site, lo, hi);
            if (c.atomic1 == none) {
                c.atomic1 = iteration;
                c.atomic1_site = site;
            } else if (c.atomic1 != iteration && c.atomic2 == none) {
                c.atomic2 = iteration;
                c.atomic2_site = site;
            }
        } else {
            if (other(c.writer))
                conflict(id, race_kind::raw, c.writer, c.writer_site, iteration, site, lo, hi);
            else if (other(c.atomic1))
                conflict(id, race_kind::raw, c.atomic1, c.atomic1_site, iteration, site, lo, hi);
            else if (other(c.atomic2))
                conflict(id, race_kind::raw, c.atomic2, c.atomic2_site, iteration, site, lo, hi);
            if (c.reader1 == none) {
                c.reader1 = iteration;
                c.reader1_site = site;
            } else if (c.reader1 != iteration && c.reader2 == none) {
                c.reader2 = iteration;
                c.reader2_site = site;
            }
        }
    }

    // Lays one access into the shadow, reporting conflicts with other iterations.
    void apply(shadow& sh, std::uint64_t id, const view_geometry& g, access_kind kind, index iteration,
               std::uint32_t site)
    {
        for_each_run(g.shape, g.strides, g.offset,
                     [&](index lo, index hi) { apply_run(sh, id, lo, hi, kind, iteration, site); });
    }

    void apply_run(shadow& sh, std::uint64_t id, index lo, index hi, access_kind kind, index iteration,
                   std::uint32_t site)
    {
        if (kind == access_kind::read) {
            if (const read_owner* q = sh.quiet.covering(lo, hi); q && q->iteration == iteration)
                return; // a repeat: no conflict, no change
        } else if (sh.quiet.any_of(
                       lo, hi, [&](const read_owner& q) { return q.iteration != none && q.iteration != iteration; })) {
            sh.quiet.update(lo, hi, [&](read_owner& q, index, index) {
                if (q.iteration != iteration)
                    q.iteration = none;
            });
        }
        const std::size_t conflicts_before = conflict_count_;
        int runs = 0;
        sh.cells.update(lo, hi, [&](cell& c, index a, index b) {
            ++runs;
            visit(c, id, kind, iteration, site, a, b);
        });
        // A conflict-free read leaves this iteration a reader of every element (or both reader
        // slots taken) and no other writer or adder: a repeat of it is a no-op.
        if (kind == access_kind::read && runs >= quiet_min_runs && conflict_count_ == conflicts_before)
            sh.quiet.assign(lo, hi, read_owner{iteration});
    }

    static index element_count(const dims& shape) noexcept
    {
        // The shape of a view of a live buffer: its product was checked when the view was made.
        index n = 1;
        for (index e : shape)
            n *= e;
        return n;
    }

    std::vector<created_entry>::iterator created_lower_bound(std::uint64_t id)
    {
        return std::lower_bound(created_.begin(), created_.end(), id,
                                [](const created_entry& c, std::uint64_t v) { return c.id < v; });
    }
    const created_entry* find_created(std::uint64_t id)
    {
        if (created_.empty() || id < created_.front().id || id > created_.back().id)
            return nullptr;
        auto it = created_lower_bound(id);
        return it != created_.end() && it->id == id ? &*it : nullptr;
    }

    shadow& shadow_of(const ptoref::detail::buffer_base& b)
    {
        auto it = shadows_.find(b.id());
        if (it != shadows_.end())
            return it->second;
        buffers_.try_emplace(b.id(), buffer_info{b.name().empty() ? b.display_name() : b.name(), b.root_shape()});
        return shadows_[b.id()];
    }

    // Op names and file names are string literals, so their addresses identify a site cheaply.
    // An open-addressing table (a top-level loop sees every site of the program, a hundred or
    // more, on every access); ids are given in first-seen order.
    std::uint32_t intern_site(std::string_view op, const source_location& where, access_kind kind)
    {
        const site_key key{op.data(), where.file_name(), where.line(), kind};
        if (site_slots_.empty())
            site_slots_.resize(16);
        const std::size_t mask = site_slots_.size() - 1;
        std::size_t h = site_hash(key) & mask;
        while (site_slots_[h].used) {
            if (site_slots_[h].key == key)
                return site_slots_[h].id;
            h = (h + 1) & mask;
        }
        const auto id = static_cast<std::uint32_t>(sites_.size());
        sites_.push_back(site_ref{op, where, kind});
        site_slots_[h] = {key, id, true};
        if (2 * sites_.size() > site_slots_.size())
            grow_site_slots();
        return id;
    }

    struct site_key {
        const void* op;
        const void* file;
        std::uint_least32_t line;
        access_kind kind;
        friend bool operator==(const site_key&, const site_key&) = default;
    };
    struct site_slot {
        site_key key{};
        std::uint32_t id = 0;
        bool used = false;
    };
    static std::size_t site_hash(const site_key& k) noexcept
    {
        // Every field mixed into every bit (the murmur3 finaliser): probes stay short.
        std::uint64_t h = reinterpret_cast<std::uintptr_t>(k.op);
        h ^= reinterpret_cast<std::uintptr_t>(k.file) * 0x9E3779B97F4A7C15ull;
        h ^= (static_cast<std::uint64_t>(k.line) << 8 | static_cast<std::uint64_t>(k.kind)) * 0xC2B2AE3D27D4EB4Full;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDull;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53ull;
        h ^= h >> 33;
        return static_cast<std::size_t>(h);
    }
    void grow_site_slots()
    {
        std::vector<site_slot> old(site_slots_.size() * 2);
        old.swap(site_slots_);
        const std::size_t mask = site_slots_.size() - 1;
        for (const site_slot& s : old) {
            if (!s.used)
                continue;
            std::size_t h = site_hash(s.key) & mask;
            while (site_slots_[h].used)
                h = (h + 1) & mask;
            site_slots_[h] = s;
        }
    }

    void conflict(std::uint64_t buffer, race_kind kind, index it1, std::uint32_t site1, index it2, std::uint32_t site2,
                  index lo, index hi)
    {
        ++conflict_count_;
        conflicts_[std::make_tuple(buffer, kind, it1, site1, it2, site2)].push_back({lo, hi});
    }

    void note_footprint(const ptoref::detail::buffer_base& b, const view_geometry& g, index iteration)
    {
        const std::string& name = b.name();
        if (name.empty() || std::find(footprint_names_.begin(), footprint_names_.end(), name) == footprint_names_.end())
            return;
        auto& entry = footprints_[name];
        entry.first = b.root_shape();
        auto& runs = entry.second[iteration];
        for_each_run(g.shape, g.strides, g.offset, [&](index lo, index hi) { runs.push_back({lo, hi}); });
    }

    std::string loop_kind_;
    source_location site_;
    std::vector<index> outer_path_;
    std::vector<std::string> footprint_names_;
    std::map<std::string, std::pair<dims, std::map<index, std::vector<flat_range>>>> footprints_;
    index accesses_ = 0;
    index trip_count_ = 0;
    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, shadow> shadows_;
    std::vector<created_entry> created_; // by id: buffers made in this instance, creator iteration, site
    std::size_t conflict_count_ = 0;
    std::map<std::uint64_t, buffer_info> buffers_; // kept after a buffer dies, for its records
    // A site as interned: the op name is a literal (see intern_site), so it is copied into an
    // op_site only for a record.
    struct site_ref {
        std::string_view op;
        source_location where;
        access_kind kind;
        op_site site() const { return op_site{std::string(op), where, kind}; }
    };
    std::vector<site_ref> sites_;
    std::vector<site_slot> site_slots_; // a power of two, at most half used
    std::map<std::tuple<std::uint64_t, race_kind, index, std::uint32_t, index, std::uint32_t>, std::vector<flat_range>>
        conflicts_;
};

} // namespace ptoref::check
