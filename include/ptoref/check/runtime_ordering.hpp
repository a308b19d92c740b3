// The runtime-ordering mode: records the tasks a program submits and judges them by the edges
// the simpler runtime would derive (check/tasks.hpp), instead of by program order.
//
// Off by default (program order is the definition, and nothing changes). On with
// PTOREF_ORDERING=runtime in the environment, set_ordering(ordering::runtime), or a
// runtime_ordering_run scope; it needs checks enabled. While on, every task scope (pl::at,
// pl::spmd_task, a pl::spmd launched outside any task, the Python front end's scopes) becomes
// a task of the current run: its accesses (through the observer) are its exact footprint, per
// block. finish_tasks() (or runtime_ordering_run::finish) judges the run: records go to the
// innermost collector, or throw ordering_error.
//
// Argument tags follow pypto's rules (tasks-and-ordering.md §2.2): when a task names its
// arguments (direction + view) the call-site tag is derived from the direction (a written In
// upgraded to Out / InOut, as pypto's ConvertTensorToTileOps does) and the call's context; when
// it does not (the Python front end's scopes, where pypto outlines the body and
// infers directions from its uses), every buffer the task touched is a whole-buffer argument,
// In if only read, Out if only written, InOut if both. Context: R-seq = a sequential loop
// encloses the task; R-prior = an earlier task wrote the buffer and is not in a different
// iteration of a parallel loop that also encloses this task.
#pragma once

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ptoref/check/config.hpp"
#include "ptoref/check/tasks.hpp"
#include "ptoref/parallel/context.hpp"
#include "ptoref/tensor/access.hpp"
#include "ptoref/tensor/buffer.hpp"

namespace ptoref::check {

enum class ordering : unsigned char { program, runtime };

inline const char* to_string(ordering o) noexcept
{
    return o == ordering::runtime ? "runtime" : "program";
}

inline ordering parse_ordering(std::string_view s, const source_location& loc = source_location::current())
{
    if (s == "program" || s.empty())
        return ordering::program;
    if (s == "runtime")
        return ordering::runtime;
    throw error("ordering", "unknown ordering '" + std::string(s) + "' (expected 'program' or 'runtime')", loc);
}

namespace detail {
inline std::atomic<ordering>& ordering_flag()
{
    static std::atomic<ordering> flag{[] {
        const char* env = std::getenv("PTOREF_ORDERING");
        return env && std::string_view(env) == "runtime" ? ordering::runtime : ordering::program;
    }()};
    return flag;
}

// What a task in progress is told: each access (with the block making it) and each buffer it
// creates. Worker threads of a threaded schedule inherit the pointer (parallel/loops.hpp).
class task_sink {
public:
    virtual ~task_sink() = default;
    virtual void access(const access_event& e, index block) = 0;
    virtual void created(const ptoref::detail::buffer_base& b) = 0;
    // A buffer was destroyed (on any thread running the task).
    virtual void destroyed(std::uint64_t buffer) = 0;
};
inline task_sink*& current_task() noexcept
{
    thread_local task_sink* t = nullptr;
    return t;
}
inline index& current_block() noexcept
{
    thread_local index b = 0;
    return b;
}

// One enclosing loop frame, as the task model compares them.
struct frame_key {
    std::uint64_t instance; // 0: a sequential loop
    index value;
};
inline std::vector<frame_key> frame_keys()
{
    std::vector<frame_key> k;
    for (const ptoref::detail::loop_frame& f : ptoref::detail::loop_frames())
        k.push_back({f.instance, f.value});
    return k;
}
} // namespace detail

inline ordering ordering_mode() noexcept
{
    return detail::ordering_flag().load(std::memory_order_relaxed);
}
inline void set_ordering(ordering o) noexcept
{
    detail::ordering_flag().store(o, std::memory_order_relaxed);
}

// Sets the block index accesses are attributed to, for the lifetime of the guard.
class block_guard {
public:
    explicit block_guard(index block) noexcept : saved_(detail::current_block()) { detail::current_block() = block; }
    ~block_guard() { detail::current_block() = saved_; }
    block_guard(const block_guard&) = delete;
    block_guard& operator=(const block_guard&) = delete;

private:
    index saved_;
};

// One argument as a task names it: a view of a buffer and the callee's direction (or the tag
// the runtime sees, when given directly).
struct arg_spec {
    std::uint64_t buffer = 0;
    std::string name;
    dims root_shape;
    element_set view;
    param_dir dir = param_dir::in;
    std::optional<arg_tag> tag; // set: used as is
    bool no_dep = false;        // pl.no_dep / no_dep_args
};

struct task_spec {
    std::string kind = "pl.at";
    source_location site;
    std::string site_text; // the Python front end's file:line
    index blocks = 1;
    std::vector<task_id> deps;
    std::optional<std::vector<arg_spec>> args; // nullopt: whole touched buffers, directions from use
    std::vector<std::uint64_t> no_dep_buffers; // for inferred arguments
};

class task_recorder {
public:
    static task_recorder& instance()
    {
        static task_recorder r;
        return r;
    }

    // Whether tasks are recorded now.
    static bool active() noexcept { return ordering_mode() == ordering::runtime && enabled(); }

    class live_task final : public detail::task_sink {
    public:
        explicit live_task(task_spec s) : spec_(std::move(s)), frames_(detail::frame_keys()) {}
        void access(const access_event& e, index block) override
        {
            std::lock_guard<std::mutex> lock(mutex_);
            const std::uint64_t id = e.buffer->id();
            // The last buffer and block accessed (most accesses repeat them); map nodes are stable.
            if (!last_fp_ || last_buffer_ != id || last_block_ != block) {
                note(*e.buffer);
                last_fp_ = &footprint_[id][block];
                last_buffer_ = id;
                last_block_ = block;
            }
            // Atomic adds apart: two unordered tasks that only add into an element commute.
            block_footprint& fp = *last_fp_;
            (e.kind == access_kind::read    ? fp.read
             : e.kind == access_kind::write ? fp.write
                                            : fp.atomic)
                .add(e.geometry);
        }
        void created(const ptoref::detail::buffer_base& b) override
        {
            std::lock_guard<std::mutex> lock(mutex_);
            note(b);
            created_.insert(b.id());
        }
        // A temporary this task created and destroyed is no task's argument and conflicts with
        // no other task: it leaves the footprint (exact, and it keeps tasks small).
        void destroyed(std::uint64_t id) override
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!created_.erase(id))
                return;
            footprint_.erase(id);
            buffers_.erase(id);
            if (last_buffer_ == id)
                last_fp_ = nullptr;
        }

    private:
        friend class task_recorder;
        struct buf_info {
            std::string name;
            dims shape;
            index size;
        };
        void note(const ptoref::detail::buffer_base& b)
        {
            if (!buffers_.contains(b.id()))
                buffers_.emplace(b.id(),
                                 buf_info{b.name().empty() ? b.display_name() : b.name(), b.root_shape(), b.size()});
        }
        task_spec spec_;
        std::vector<detail::frame_key> frames_;
        std::mutex mutex_;
        std::map<std::uint64_t, buf_info> buffers_;
        std::map<std::uint64_t, std::map<index, block_footprint>> footprint_;
        std::set<std::uint64_t> created_;
        block_footprint* last_fp_ = nullptr;
        std::uint64_t last_buffer_ = 0;
        index last_block_ = 0;
        task_sink* saved_ = nullptr;
    };

    // A task in progress; ends (submits) with end(). Dropping it unsubmitted (an exception in
    // the body) just stops recording.
    struct task_handle {
        std::unique_ptr<live_task> task;
        task_handle() = default;
        explicit task_handle(std::unique_ptr<live_task> t) : task(std::move(t)) {}
        task_handle(task_handle&&) noexcept = default;
        // Dropping a task in progress by assignment (the Python front end's abort) stops its
        // recording as the destructor does: the thread's current task is restored first.
        task_handle& operator=(task_handle&& o) noexcept
        {
            if (this != &o) {
                stop();
                task = std::move(o.task);
            }
            return *this;
        }
        ~task_handle() { stop(); }
        void stop() noexcept
        {
            if (task && detail::current_task() == task.get())
                detail::current_task() = task->saved_;
            task.reset();
        }
        explicit operator bool() const noexcept { return task != nullptr; }
    };

    // Starts a task, unless recording is off or a task is already in progress on this thread
    // (a kernel called inside a task is part of it).
    task_handle begin(task_spec s)
    {
        if (!active() || detail::current_task())
            return {};
        auto t = std::make_unique<live_task>(std::move(s));
        t->saved_ = detail::current_task();
        detail::current_task() = t.get();
        return task_handle(std::move(t));
    }

    // Ends a task started by begin(): derives its tags and edges and adds it to the run.
    // Returns its TaskId (0 when nothing was recorded).
    task_id end(task_handle h)
    {
        if (!h)
            return 0;
        detail::current_task() = h.task->saved_;
        live_task& t = *h.task;
        std::lock_guard<std::mutex> lock(mutex_);
        task_info info;
        info.kind = t.spec_.kind;
        info.site = t.spec_.site;
        info.site_text = t.spec_.site_text;
        for (const detail::frame_key& f : t.frames_)
            info.path.push_back(f.value);
        info.blocks = t.spec_.blocks;
        info.scope = manual_depth_ > 0 ? scope_mode::manual : scope_mode::auto_scope;
        for (task_id d : t.spec_.deps)
            for (task_id r : resolve(d, t.frames_))
                info.deps.push_back(r);
        for (const auto& [id, b] : t.buffers_)
            graph_.describe_buffer(id, b.name, b.shape);
        std::vector<std::pair<std::uint64_t, bool>> writes; // buffer, written
        // Whether the task read / wrote each buffer at all (any block).
        auto uses = [&](std::uint64_t id) {
            std::pair<bool, bool> rw{false, false};
            if (auto it = t.footprint_.find(id); it != t.footprint_.end())
                for (const auto& [blk, fp] : it->second) {
                    rw.first = rw.first || !fp.read.empty();
                    rw.second = rw.second || !fp.write.empty() || !fp.atomic.empty(); // an add writes
                }
            return rw;
        };
        if (t.spec_.args) {
            for (const arg_spec& a : *t.spec_.args) {
                graph_.describe_buffer(a.buffer, a.name, a.root_shape);
                // pypto upgrades a written In parameter (ConvertTensorToTileOps, §2.1 item 3):
                // Out if the kernel never reads it, else InOut. A tag given directly is kept.
                param_dir dir = a.dir;
                if (dir == param_dir::in && !a.tag)
                    if (const auto [rd, wr] = uses(a.buffer); wr)
                        dir = rd ? param_dir::inout : param_dir::out;
                task_arg ta;
                ta.buffer = a.buffer;
                ta.view = a.view;
                // pl.no_dep is a no-op inside a manual scope (tasks-and-ordering.md §3.3).
                const bool nd = a.no_dep && manual_depth_ == 0;
                ta.tag = a.tag ? *a.tag : derive_tag(dir, context(a.buffer, t.frames_, nd));
                ta.manual_dep = manual_dep_.contains(a.buffer);
                info.args.push_back(std::move(ta));
                if (dir != param_dir::in)
                    writes.emplace_back(a.buffer, true);
            }
        } else {
            for (const auto& [id, blocks] : t.footprint_) {
                const auto [rd, wr] = uses(id);
                const param_dir dir = wr ? (rd ? param_dir::inout : param_dir::out) : param_dir::in;
                const bool nd =
                    manual_depth_ == 0 && std::find(t.spec_.no_dep_buffers.begin(), t.spec_.no_dep_buffers.end(), id) !=
                                              t.spec_.no_dep_buffers.end();
                task_arg ta;
                ta.buffer = id;
                ta.view.add_interval(0, t.buffers_.at(id).size);
                ta.tag = derive_tag(dir, context(id, t.frames_, nd));
                ta.manual_dep = manual_dep_.contains(id);
                info.args.push_back(std::move(ta));
                if (wr)
                    writes.emplace_back(id, true);
            }
        }
        for (const auto& [id, _] : writes)
            written_[id].push_back(t.frames_);
        info.footprint = std::move(t.footprint_);
        const task_id id = graph_.submit(std::move(info));
        frames_of_.push_back(t.frames_);
        by_site_[site_key(id)].push_back(id);
        return id;
    }

    // pl.manual_scope: tasks submitted while one is open get no derived edges.
    void enter_manual() noexcept
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ++manual_depth_;
    }
    void leave_manual() noexcept
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (manual_depth_ > 0)
            --manual_depth_;
    }
    // create_tensor(manual_dep=True): the runtime does not track this buffer (or any view of it).
    void set_manual_dep(std::uint64_t buffer)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        manual_dep_.insert(buffer);
    }

    // A run's tasks so far (for tools and tests).
    const task_graph& graph() const noexcept { return graph_; }

    // Judges the run and starts a fresh one.
    std::vector<ordering_record> finish()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        std::vector<ordering_record> out = graph_.conflicts();
        reset_locked();
        return out;
    }
    void reset()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        reset_locked();
    }

private:
    task_recorder() = default;

    void reset_locked()
    {
        graph_ = task_graph{};
        frames_of_.clear();
        by_site_.clear();
        written_.clear();
        manual_dep_.clear();
        manual_depth_ = 0;
    }

    // A task's site as a key: kind, then the C++ site (file name, line) or the Python front
    // end's file:line text; compared as text, nothing formatted.
    using site_key_t = std::tuple<std::string, std::string_view, std::uint_least32_t, std::string>;
    site_key_t site_key(task_id id) const
    {
        const task_info& t = graph_.task(id);
        if (!t.site_text.empty())
            return {t.kind, std::string_view(), 0, t.site_text};
        return {t.kind, std::string_view(t.site.file_name()), t.site.line(), std::string()};
    }

    // R-prior: was the buffer written by an earlier task that is not in another iteration of a
    // parallel loop enclosing this call? (pypto's scan enters loop bodies with a copy of the
    // seen set, so iterations of one pl.parallel do not see each other's writes.)
    static bool seen_by(const std::vector<detail::frame_key>& w, const std::vector<detail::frame_key>& t)
    {
        for (std::size_t d = 0; d < w.size() && d < t.size(); ++d) {
            if (w[d].instance != t[d].instance)
                return true; // the writer's loop ended before this one started
            if (w[d].value != t[d].value)
                return w[d].instance == 0; // another iteration: of a sequential loop (seen) or a parallel one
        }
        return true;
    }
    call_context context(std::uint64_t buffer, const std::vector<detail::frame_key>& frames, bool no_dep) const
    {
        call_context c;
        c.no_dep = no_dep;
        for (const detail::frame_key& f : frames)
            c.under_sequential_loop = c.under_sequential_loop || f.instance == 0;
        if (auto it = written_.find(buffer); it != written_.end())
            for (const auto& w : it->second)
                if (seen_by(w, frames)) {
                    c.prior_writer = true;
                    break;
                }
        return c;
    }

    // A TaskId used in deps= (tasks-and-ordering.md §3.2): one carried out of a finished
    // pl.parallel stands for every iteration's task of that site; one from another iteration of
    // a parallel loop still running is not a dependency (the body sees the loop-entry ids).
    std::vector<task_id> resolve(task_id dep, const std::vector<detail::frame_key>& cur) const
    {
        if (dep == 0 || dep > graph_.size())
            throw error("task", "deps names task #" + std::to_string(dep) + ", which was not submitted in this run");
        const std::vector<detail::frame_key>& df = frames_of_[static_cast<std::size_t>(dep - 1)];
        for (std::size_t d = 0; d < df.size(); ++d) {
            if (df[d].instance == 0) {
                if (d < cur.size() && cur[d].instance == 0 && cur[d].value == df[d].value)
                    continue;
                break; // a sequential carry: last write wins, the id means this one task
            }
            if (d < cur.size() && cur[d].instance == df[d].instance) {
                if (cur[d].value == df[d].value)
                    continue;
                return {}; // another iteration of a parallel loop enclosing this task
            }
            // The parallel loop at depth d has ended: every task of this site in that instance.
            std::vector<task_id> all;
            auto it = by_site_.find(site_key(dep));
            for (task_id c : it->second) {
                const auto& cf = frames_of_[static_cast<std::size_t>(c - 1)];
                bool same = cf.size() > d && cf[d].instance == df[d].instance;
                for (std::size_t k = 0; same && k < d; ++k)
                    same = cf[k].instance == df[k].instance && cf[k].value == df[k].value;
                if (same)
                    all.push_back(c);
            }
            return all;
        }
        return {dep};
    }

    std::mutex mutex_;
    task_graph graph_;
    std::vector<std::vector<detail::frame_key>> frames_of_;
    std::map<site_key_t, std::vector<task_id>> by_site_;
    std::map<std::uint64_t, std::vector<std::vector<detail::frame_key>>> written_;
    std::set<std::uint64_t> manual_dep_;
    int manual_depth_ = 0;
};

// Judges the tasks recorded since the last finish: records to the innermost collector, or
// throws ordering_error.
inline void finish_tasks()
{
    deliver::orderings(task_recorder::instance().finish());
}

// A run under runtime ordering: sets the mode, starts a fresh run; finish() judges it.
class runtime_ordering_run {
public:
    runtime_ordering_run() : saved_(ordering_mode())
    {
        set_ordering(ordering::runtime);
        task_recorder::instance().reset();
    }
    ~runtime_ordering_run()
    {
        task_recorder::instance().reset();
        set_ordering(saved_);
    }
    runtime_ordering_run(const runtime_ordering_run&) = delete;
    runtime_ordering_run& operator=(const runtime_ordering_run&) = delete;
    void finish() { finish_tasks(); }

private:
    ordering saved_;
};

} // namespace ptoref::check
