// The checker: the access observer every thread starts with while checks are enabled.
//
// It forwards each access to the race detector of every enclosing parallel loop instance,
// keeps the per-element version log of in-place writes, judges reads through superseded
// handles (stale versions) and reports undefined scalars.
#pragma once

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "ptoref/check/boxes.hpp"
#include "ptoref/check/config.hpp"
#include "ptoref/check/race_detector.hpp"
#include "ptoref/check/runtime_ordering.hpp"
#include "ptoref/parallel/context.hpp"
#include "ptoref/tensor/access.hpp"
#include "ptoref/tensor/buffer.hpp"

namespace ptoref::check {

namespace detail {

// Op sites of in-place writes, shared by all buffers' write logs (index 0 = unknown).
class site_table {
public:
    // The id of an op's site. Op and file names are mostly string literals: a cache keyed by
    // their addresses, confirmed by the text, spares building strings for the table on every
    // in-place write.
    std::uint32_t intern(std::string_view op, const source_location& where, access_kind kind)
    {
        const std::size_t slot = (reinterpret_cast<std::uintptr_t>(op.data()) * 0x9E3779B97F4A7C15ull ^
                                  (where.line() * 2654435761u) ^ static_cast<unsigned>(kind)) %
                                 cache_size;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            const cached& c = cache_[slot];
            if (c.id != 0 && c.op == op.data() && c.op_size == op.size() && c.file == where.file_name() &&
                c.line == where.line() && c.kind == kind) {
                const op_site& s = sites_[c.id - 1];
                if (s.op == op && std::strcmp(s.where.file_name(), where.file_name()) == 0)
                    return c.id;
            }
        }
        const std::uint32_t id = intern(op_site{std::string(op), where, kind});
        std::lock_guard<std::mutex> lock(mutex_);
        cache_[slot] = {op.data(), op.size(), where.file_name(), where.line(), kind, id};
        return id;
    }
    std::uint32_t intern(const op_site& s)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto key = std::make_tuple(s.op, std::string(s.where.file_name()), s.where.line(), s.kind);
        auto it = ids_.find(key);
        if (it != ids_.end())
            return it->second;
        sites_.push_back(s);
        const auto id = static_cast<std::uint32_t>(sites_.size());
        ids_.emplace(key, id);
        return id;
    }
    op_site get(std::uint32_t id)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return id == 0 || id > sites_.size() ? op_site{"<unknown>", {}, access_kind::write} : sites_[id - 1];
    }

private:
    struct cached {
        const char* op = nullptr;
        std::size_t op_size = 0;
        const char* file = nullptr;
        std::uint_least32_t line = 0;
        access_kind kind = access_kind::read;
        std::uint32_t id = 0; // 0: empty
    };
    static constexpr std::size_t cache_size = 64;
    std::array<cached, cache_size> cache_{};
    std::mutex mutex_;
    std::vector<op_site> sites_;
    std::map<std::tuple<std::string, std::string, std::uint_least32_t, access_kind>, std::uint32_t> ids_;
};

inline site_table& write_sites()
{
    static site_table t;
    return t;
}

inline std::string tensor_name(const ptoref::detail::buffer_base& b)
{
    return b.name().empty() ? b.display_name() : b.name();
}

} // namespace detail

// A statement-form in-place write: the front end's `pl.assemble(t, …)` / `pl.write(t, …)` used
// as a statement, and `t[k] = v`. On the device a tensor is one memory whichever handle names
// it, so such a write supersedes no handle: writes to `target` inside the scope are not entered
// in the stale-version log (other buffers' writes, e.g. an expression-form assemble in an
// argument, still are). Scopes nest; the innermost target counts. One thread's.
class statement_write_scope {
public:
    explicit statement_write_scope(const ptoref::detail::buffer_base* target) noexcept : previous_(current())
    {
        current() = target;
    }
    ~statement_write_scope() { current() = previous_; }
    statement_write_scope(const statement_write_scope&) = delete;
    statement_write_scope& operator=(const statement_write_scope&) = delete;

    static const ptoref::detail::buffer_base*& current() noexcept
    {
        thread_local const ptoref::detail::buffer_base* target = nullptr;
        return target;
    }

private:
    const ptoref::detail::buffer_base* previous_;
};

class checker final : public ptoref::detail::access_observer {
public:
    static checker& instance()
    {
        static checker c;
        return c;
    }

    void on_create(ptoref::detail::buffer_base& b, std::string_view op, const source_location& loc) override
    {
        if (!enabled())
            return;
        for (const ptoref::detail::loop_frame& f : ptoref::detail::loop_frames())
            if (f.race)
                f.race->note_created(b, f.value, op, loc);
        if (detail::task_sink* t = detail::current_task())
            t->created(b);
    }

    void on_access(const access_event& e) override
    {
        if (!enabled())
            return;
        for (const ptoref::detail::loop_frame& f : ptoref::detail::loop_frames())
            if (f.race)
                f.race->record(e, f.value);
        if (detail::task_sink* t = detail::current_task())
            t->access(e, detail::current_block());
        if (e.kind != access_kind::read) { // a write or an atomic add
            if (e.write_version && e.buffer != statement_write_scope::current())
                log_write(e);
        } else if (e.handle_version < e.buffer->version()) {
            check_stale(e);
        }
    }

    void on_undefined_read(const access_event& e, const std::string& origin) override
    {
        if (!enabled())
            return;
        definedness_record r;
        r.tensor = detail::tensor_name(*e.buffer);
        r.where = op_site{std::string(e.op), e.where, access_kind::read};
        r.tensor_shape = e.buffer->root_shape();
        r.region = coalesce({e.geometry.offset}, r.tensor_shape);
        r.elements = 1;
        r.origin = origin.empty() ? "unknown" : origin;
        deliver::undefined(std::move(r));
    }

private:
    checker() = default;

    static void log_write(const access_event& e)
    {
        auto& log = e.buffer->ensure_writes();
        const std::uint32_t site = detail::write_sites().intern(e.op, e.where, e.kind);
        const auto v = static_cast<std::uint32_t>(e.write_version);
        std::lock_guard<std::mutex> lock(log.mutex);
        for_each_run(e.geometry.shape, e.geometry.strides, e.geometry.offset, [&](index lo, index hi) {
            log.runs.assign(lo, hi, {v, site});
        });
    }

    static void check_stale(const access_event& e)
    {
        const auto* log = e.buffer->writes();
        if (!log)
            return;
        std::vector<flat_range> runs;
        std::uint32_t newest = 0, newest_site = 0;
        {
            std::lock_guard<std::mutex> lock(log->mutex);
            for_each_run(e.geometry.shape, e.geometry.strides, e.geometry.offset, [&](index lo, index hi) {
                log->runs.visit(lo, hi, [&](const ptoref::detail::buffer_base::write_entry& w, index a, index b) {
                    if (w.version <= e.handle_version)
                        return;
                    runs.push_back({a, b});
                    if (w.version > newest) {
                        newest = w.version;
                        newest_site = w.site;
                    }
                });
            });
        }
        if (runs.empty())
            return;
        stale_record r;
        r.tensor = detail::tensor_name(*e.buffer);
        r.read = op_site{std::string(e.op), e.where, access_kind::read};
        r.write = detail::write_sites().get(newest_site);
        r.handle_version = e.handle_version;
        r.write_version = newest;
        r.tensor_shape = e.buffer->root_shape();
        r.region = coalesce_ranges(std::move(runs), r.tensor_shape);
        for (const box& b : r.region)
            r.elements += b.count();
        deliver::stale(std::move(r));
    }
};

namespace detail {
// A buffer's end: the race detector drops its shadow, and a task in progress forgets a
// temporary it created (no later task can touch it).
inline void buffer_destroyed(std::uint64_t id)
{
    loop_race_state::forget_everywhere(id);
    if (task_sink* t = current_task())
        t->destroyed(id);
}
// Registers the checker as every thread's starting observer, and buffer destruction with the
// race detector and the task recorder, when this header is part of the program.
inline const bool checker_registered = [] {
    ptoref::detail::default_observer().store(&checker::instance(), std::memory_order_release);
    ptoref::detail::buffer_base::destroy_hook().store(&buffer_destroyed, std::memory_order_release);
    return true;
}();
} // namespace detail

} // namespace ptoref::check
