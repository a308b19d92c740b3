// pl::range, pl::parallel and pl::spmd: the DSL's loops, with C++ lambdas as bodies.
//
//   pl::parallel(0, batch, 1, [&](pl::index b) { ... });
//   pl::parallel(0, n, 1, pl::chunk(4), [&](pl::index i) { ... });   // chunk changes nothing numerically
//   pl::range(0, n, TILE, [&](pl::index t) { ... });
//   pl::spmd(blocks, [&](pl::index block) { ... });
//
// Bounds follow Python's range (half-open, any nonzero step). pl::range runs in index order.
// pl::parallel and pl::spmd iterations may run in any order or on threads (the schedule); with
// checks enabled, every instance of such a loop is judged by the exact race detector and a
// conflict throws race_error when the loop ends (or goes to a check::collector).
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ptoref/check/config.hpp"
#include "ptoref/check/observer.hpp"
#include "ptoref/check/race_detector.hpp"
#include "ptoref/parallel/context.hpp"
#include "ptoref/parallel/schedule.hpp"

namespace ptoref::pl {

// Per-loop options: the DSL's chunk size and, for parallel loops, a schedule for this call.
struct loop_options {
    index chunk_size = 0; // 0 = no chunking; otherwise > 0 and numerically a no-op
    std::optional<schedule> sched;

    loop_options& with_schedule(schedule s)
    {
        sched = s;
        return *this;
    }
};
inline loop_options chunk(index size)
{
    return loop_options{size, std::nullopt};
}
inline loop_options on(schedule s)
{
    return loop_options{0, s};
}

template <class F>
concept loop_body = std::invocable<F&, index>;

namespace detail {

inline index trip_count(index start, index stop, index step, std::string_view loop, const loop_options& opt,
                        const source_location& loc)
{
    if (step == 0)
        throw error(std::string(loop), "step must not be zero", loc);
    if (opt.chunk_size < 0)
        throw error(std::string(loop), "chunk size must be positive, got " + std::to_string(opt.chunk_size), loc);
    // In unsigned arithmetic: no overflow (UB) for any bounds, e.g. a step near INT64_MAX.
    using u64 = std::uint64_t;
    if (step > 0 ? start >= stop : start <= stop)
        return 0;
    const u64 dist =
        step > 0 ? static_cast<u64>(stop) - static_cast<u64>(start) : static_cast<u64>(start) - static_cast<u64>(stop);
    const u64 n = (dist - 1) / (step > 0 ? static_cast<u64>(step) : u64{0} - static_cast<u64>(step)) + 1;
    if (n > static_cast<u64>(INT64_MAX))
        throw error(std::string(loop), "more than 2^63 - 1 iterations", loc);
    return static_cast<index>(n);
}

// start + k * step for 0 <= k < trip count: always between start and stop, computed without
// intermediate overflow.
inline index loop_value(index start, index k, index step) noexcept
{
    return static_cast<index>(static_cast<std::uint64_t>(start) +
                              static_cast<std::uint64_t>(k) * static_cast<std::uint64_t>(step));
}

// Pushes an iteration frame for the lifetime of the guard.
class frame_guard {
public:
    frame_guard(index value, check::loop_race_state* race, std::uint64_t instance = 0)
    {
        ptoref::detail::loop_frames().push_back({value, race, instance});
    }
    ~frame_guard() { ptoref::detail::loop_frames().pop_back(); }
    frame_guard(const frame_guard&) = delete;
    frame_guard& operator=(const frame_guard&) = delete;
};

// True inside a worker thread of a threaded schedule: nested parallel loops there run in order
// on that worker (the bits cannot differ for a race-free program, and threads do not multiply).
inline bool& in_worker() noexcept
{
    thread_local bool w = false;
    return w;
}

// One instance of a parallel loop (pl.parallel or pl.spmd): its iteration order under the
// schedule, its race judge, and the iteration frames. pl::parallel drives it with a C++ body;
// the Python front end drives it one iteration at a time (enter/leave around each body run),
// so both judge a loop by the same code.
class parallel_instance {
public:
    parallel_instance(std::string_view loop, index start, index stop, index step, const loop_options& opt,
                      const source_location& loc)
        : start_(start), step_(step), sched_(opt.sched ? *opt.sched : default_schedule()),
          instance_(ptoref::detail::next_loop_instance())
    {
        const index n = trip_count(start, stop, step, loop, opt, loc);
        if (check::enabled()) {
            race_ =
                std::make_unique<check::loop_race_state>(std::string(loop), loc, ptoref::detail::current_loop_path());
            race_->set_trip_count(n);
        }
        order_ = sched_.order(n);
    }
    parallel_instance(const parallel_instance&) = delete;
    parallel_instance& operator=(const parallel_instance&) = delete;

    const schedule& sched() const noexcept { return sched_; }
    // Iteration ordinals (0..n-1) in the order the schedule runs them.
    const std::vector<index>& order() const noexcept { return order_; }
    index value(index ordinal) const noexcept { return loop_value(start_, ordinal, step_); }
    check::loop_race_state* race() const noexcept { return race_.get(); }

    // Frames for an externally driven iteration (the calling thread's loop nest).
    void enter(index value) { ptoref::detail::loop_frames().push_back({value, race_.get(), instance_}); }
    std::uint64_t instance() const noexcept { return instance_; }
    void leave() { ptoref::detail::loop_frames().pop_back(); }
    // A barrier among all iterations (pl.system.syncall in an spmd launch): see loop_race_state.
    void barrier()
    {
        if (race_)
            race_->barrier();
    }

    // Judges the instance once every iteration ran: records go to the innermost collector, or
    // throw race_error.
    void finish()
    {
        if (!race_)
            return;
        std::vector<check::race_record> records = race_->finish();
        if (check::deliver::collecting())
            check::deliver::summary(race_->summary(records.size()));
        race_.reset();
        check::deliver::races(std::move(records));
    }

private:
    index start_;
    index step_;
    schedule sched_;
    std::uint64_t instance_;
    std::unique_ptr<check::loop_race_state> race_;
    std::vector<index> order_;
};

template <class F>
void run_parallel(std::string_view loop, index start, index stop, index step, const loop_options& opt, F& body,
                  const source_location& loc)
{
    parallel_instance inst(loop, start, stop, step, opt, loc);
    const std::vector<index>& order = inst.order();
    const index n = static_cast<index>(order.size());
    const schedule& sch = inst.sched();
    const bool threaded = sch.which() == schedule::kind::threads && sch.thread_count() > 1 && n > 1 && !in_worker();
    if (!threaded) {
        for (index k : order) {
            const index value = inst.value(k);
            frame_guard g(value, inst.race(), inst.instance());
            body(value);
        }
    } else {
        const std::vector<ptoref::detail::loop_frame> parent = ptoref::detail::loop_frames();
        ptoref::detail::access_observer* observer = ptoref::detail::current_observer();
        check::detail::task_sink* task = check::detail::current_task();
        std::atomic<std::size_t> next{0};
        std::exception_ptr failure;
        std::mutex failure_mutex;
        auto worker = [&] {
            ptoref::detail::loop_frames() = parent;
            ptoref::detail::current_observer() = observer;
            check::detail::current_task() = task; // a task's blocks on threads stay its accesses
            in_worker() = true;
            for (;;) {
                const std::size_t k = next.fetch_add(1, std::memory_order_relaxed);
                if (k >= order.size())
                    break;
                try {
                    const index value = inst.value(order[k]);
                    frame_guard g(value, inst.race(), inst.instance());
                    body(value);
                } catch (...) {
                    std::lock_guard<std::mutex> lock(failure_mutex);
                    if (!failure)
                        failure = std::current_exception();
                    next.store(order.size(), std::memory_order_relaxed); // stop handing out work
                }
            }
        };
        const int count = static_cast<int>(std::min<index>(sch.thread_count(), n));
        std::vector<std::thread> pool;
        pool.reserve(static_cast<std::size_t>(count - 1));
        for (int t = 1; t < count; ++t)
            pool.emplace_back(worker);
        const bool was_worker = in_worker();
        const auto saved_frames = ptoref::detail::loop_frames();
        worker(); // the calling thread works too
        in_worker() = was_worker;
        ptoref::detail::loop_frames() = saved_frames;
        for (std::thread& t : pool)
            t.join();
        if (failure)
            std::rethrow_exception(failure);
    }
    inst.finish();
}

} // namespace detail

// ---- pl::range: sequential ----------------------------------------------------------------

template <loop_body F>
void range(index start, index stop, index step, const loop_options& opt, F&& body,
           source_location loc = source_location::current())
{
    const index n = detail::trip_count(start, stop, step, "pl.range", opt, loc);
    for (index k = 0; k < n; ++k) {
        const index value = detail::loop_value(start, k, step);
        detail::frame_guard g(value, nullptr);
        body(value);
    }
}
template <loop_body F>
void range(index stop, const loop_options& opt, F&& body, source_location loc = source_location::current())
{
    range(0, stop, 1, opt, body, loc);
}
template <loop_body F>
void range(index start, index stop, index step, F&& body, source_location loc = source_location::current())
{
    range(start, stop, step, loop_options{}, body, loc);
}
template <loop_body F>
void range(index start, index stop, F&& body, source_location loc = source_location::current())
{
    range(start, stop, 1, loop_options{}, body, loc);
}
template <loop_body F>
void range(index stop, F&& body, source_location loc = source_location::current())
{
    range(0, stop, 1, loop_options{}, body, loc);
}

// ---- pl::parallel: independent iterations ------------------------------------------------

template <loop_body F>
void parallel(index start, index stop, index step, const loop_options& opt, F&& body,
              source_location loc = source_location::current())
{
    detail::run_parallel("pl.parallel", start, stop, step, opt, body, loc);
}
template <loop_body F>
void parallel(index start, index stop, const loop_options& opt, F&& body,
              source_location loc = source_location::current())
{
    detail::run_parallel("pl.parallel", start, stop, 1, opt, body, loc);
}
template <loop_body F>
void parallel(index stop, const loop_options& opt, F&& body, source_location loc = source_location::current())
{
    detail::run_parallel("pl.parallel", 0, stop, 1, opt, body, loc);
}
template <loop_body F>
void parallel(index start, index stop, index step, F&& body, source_location loc = source_location::current())
{
    detail::run_parallel("pl.parallel", start, stop, step, loop_options{}, body, loc);
}
template <loop_body F>
void parallel(index start, index stop, F&& body, source_location loc = source_location::current())
{
    detail::run_parallel("pl.parallel", start, stop, 1, loop_options{}, body, loc);
}
template <loop_body F>
void parallel(index stop, F&& body, source_location loc = source_location::current())
{
    detail::run_parallel("pl.parallel", 0, stop, 1, loop_options{}, body, loc);
}

} // namespace ptoref::pl

// pl::spmd, pl::system::syncall and pl::split_aiv live in spmd.hpp (they need the loops above).
#include "ptoref/parallel/spmd.hpp"
