// pl::spmd blocks, the pl::system::syncall barrier between them, and pl::split_aiv lanes.
//
//   pl::spmd(4, [&](pl::index blk) { ... phase 0 ...; pl::system::syncall(); ... phase 1 ... });
//   pl::split_aiv(2, pl::split_mode::none, [&](pl::index lane) { ... pl::get_subblock_idx() == lane ... });
//
// Blocks are judged like parallel iterations. A syncall is a barrier among all blocks of the
// launch (reference/tasks-and-ordering.md §4: "accesses before the k-th syncall in any
// block/lane happen-before accesses after it in any block/lane of the same launch"): the race
// judge starts afresh at each barrier, so accesses of different phases never conflict and
// accesses of one phase are judged as before. Blocks run phase by phase: phase k of every
// block completes before phase k+1 of any block starts, in the schedule's order (or
// concurrently under threads:N), so a block reading another block's phase-k results in phase
// k+1 sees them, as on the device.
//
// Blocks run directly on the calling thread (or the schedule's workers) until one reaches a
// syncall; from then on each block that has not started gets its own thread, so every block
// can wait at the barrier while the others run (one at a time, in schedule order, unless the
// schedule is threaded). A block that ends after fewer barriers than another reached, or
// reaches more, is a ptoref::error naming the launch site and each block's count; blocks
// waiting at a barrier are released by unwinding (never a hang).
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ptoref/check/runtime_ordering.hpp"
#include "ptoref/parallel/loops.hpp"

namespace ptoref::detail {

// Unwinds a block that must not go on (the launch failed while it waited).
struct block_abort {};

class block_group;
// The spmd launch (and block) the current thread runs, and whether it is inside a split_aiv lane.
struct block_slot {
    block_group* group = nullptr;
    index block = 0;
    index lane = -1; // -1: not in a pl.split_aiv lane
};
inline block_slot& current_block_slot() noexcept
{
    thread_local block_slot s;
    return s;
}

class block_group {
public:
    // Blocks waiting at a barrier each hold a thread: more than this is refused at the first syncall.
    static constexpr index max_barrier_blocks = 512;

    block_group(pl::detail::parallel_instance& inst, const source_location& loc, bool turn_based,
                std::function<void(index)> run_block)
        : inst_(inst), loc_(loc), turn_based_(turn_based), run_block_(std::move(run_block)), order_(inst.order()),
          parent_(loop_frames()), observer_(current_observer()), task_(check::detail::current_task())
    {
        const std::size_t n = order_.size();
        st_.assign(n, status::pending);
        count_.assign(n, 0);
        pos_.assign(n, 0);
        for (std::size_t k = 0; k < n; ++k)
            pos_[static_cast<std::size_t>(order_[k])] = k;
    }
    block_group(const block_group&) = delete;
    block_group& operator=(const block_group&) = delete;
    ~block_group()
    {
        for (std::thread& t : threads_)
            if (t.joinable())
                t.join();
    }

    // Runs every block (the instance's iteration values are the block indices 0..n-1) and
    // rethrows the first failure; the caller finishes the instance.
    void run(int workers)
    {
        if (workers <= 1) {
            drive();
        } else {
            std::vector<std::thread> pool;
            pool.reserve(static_cast<std::size_t>(workers - 1));
            for (int t = 1; t < workers; ++t)
                pool.emplace_back([this] {
                    adopt_thread();
                    drive();
                });
            const bool was = pl::detail::in_worker();
            pl::detail::in_worker() = true;
            drive();
            pl::detail::in_worker() = was;
            for (std::thread& t : pool)
                t.join();
        }
        {
            std::unique_lock<std::mutex> lk(m_);
            if (!phased_) // a failure stopped the hand-out: the blocks never started are over
                for (status& s : st_)
                    if (s == status::pending)
                        s = status::done;
            cv_.wait(lk, [&] { return all_done(); });
        }
        for (std::thread& t : threads_)
            t.join();
        threads_.clear();
        if (failure_)
            std::rethrow_exception(failure_);
    }

    // pl::system::syncall from block b.
    void arrive(index b, const source_location& where)
    {
        std::unique_lock<std::mutex> lk(m_);
        const auto k = static_cast<std::size_t>(b);
        if (failed_)
            throw block_abort{};
        ++count_[k];
        if (!phased_)
            promote(b, where);
        if (failed_)
            throw block_abort{};
        st_[k] = status::waiting;
        const index mine = phase_;
        advance_turn();
        settle();
        cv_.notify_all();
        cv_.wait(lk, [&] { return failed_ || (phase_ > mine && (!turn_based_ || my_turn(b))); });
        if (failed_)
            throw block_abort{};
    }

private:
    enum class status : unsigned char { pending, running, waiting, done };

    bool all_done() const
    {
        for (status s : st_)
            if (s != status::done)
                return false;
        return true;
    }
    bool my_turn(index b) const { return turn_ < order_.size() && order_[turn_] == b; }

    // A thread that runs blocks sees the launching thread's loop nest, observer and task.
    void adopt_thread()
    {
        loop_frames() = parent_;
        current_observer() = observer_;
        check::detail::current_task() = task_;
        pl::detail::in_worker() = true;
    }

    // Hands out blocks in schedule order until the launch turns phased (or fails).
    void drive()
    {
        for (;;) {
            index b;
            {
                std::lock_guard<std::mutex> lk(m_);
                if (phased_ || failed_ || next_ >= order_.size())
                    return;
                b = order_[next_++];
                st_[static_cast<std::size_t>(b)] = status::running;
                turn_ = next_ - 1;
            }
            run_and_exit(b);
        }
    }

    void run_and_exit(index b)
    {
        std::exception_ptr e;
        try {
            run_block_(b);
        } catch (const block_abort&) {
        } catch (...) {
            e = std::current_exception();
        }
        std::lock_guard<std::mutex> lk(m_);
        st_[static_cast<std::size_t>(b)] = status::done;
        if (e && !failed_)
            fail(e);
        if (phased_) {
            advance_turn();
            settle();
        }
        cv_.notify_all();
    }

    // A block of its own thread, started once the launch is phased.
    void thread_main(index b)
    {
        adopt_thread();
        {
            std::unique_lock<std::mutex> lk(m_);
            cv_.wait(lk, [&] { return failed_ || !turn_based_ || my_turn(b); });
            if (failed_) {
                st_[static_cast<std::size_t>(b)] = status::done;
                cv_.notify_all();
                return;
            }
        }
        run_and_exit(b);
    }

    // The first syncall of the launch: every block not yet started gets its own thread.
    void promote(index b, const source_location& where)
    {
        bool any_done = false;
        for (status s : st_)
            any_done = any_done || s == status::done;
        if (any_done) {
            st_[static_cast<std::size_t>(b)] = status::waiting;
            fail(mismatch());
            return;
        }
        const auto n = static_cast<index>(order_.size());
        if (n > max_barrier_blocks) {
            fail(std::make_exception_ptr(error(
                "pl.system.syncall",
                "a barrier in a launch of " + std::to_string(n) + " blocks: ptoref runs at most " +
                    std::to_string(max_barrier_blocks) + " barrier-synchronised blocks (each waits on its own thread)",
                where)));
            return;
        }
        phased_ = true;
        try {
            for (; next_ < order_.size(); ++next_) {
                const index other = order_[next_];
                st_[static_cast<std::size_t>(other)] = status::running; // started, runs on its turn
                threads_.emplace_back([this, other] { thread_main(other); });
            }
        } catch (...) {
            for (std::size_t k = next_; k < order_.size(); ++k)
                st_[static_cast<std::size_t>(order_[k])] = status::done; // never started
            fail(std::current_exception());
        }
    }

    void advance_turn()
    {
        if (!turn_based_)
            return;
        while (turn_ < order_.size() && st_[static_cast<std::size_t>(order_[turn_])] != status::running)
            ++turn_;
    }

    // Once no block runs: all at the barrier -> the next phase; some ended -> the counts differ.
    void settle()
    {
        if (!phased_ || failed_)
            return;
        bool any_wait = false, any_done = false;
        for (status s : st_) {
            if (s == status::pending || s == status::running)
                return;
            any_wait = any_wait || s == status::waiting;
            any_done = any_done || s == status::done;
        }
        if (!any_wait)
            return; // every block ended: the launch is over
        if (any_done) {
            fail(mismatch());
            return;
        }
        ++phase_;
        inst_.barrier();
        for (status& s : st_)
            s = status::running;
        turn_ = 0;
    }

    void fail(std::exception_ptr e)
    {
        failed_ = true;
        if (!failure_)
            failure_ = std::move(e);
    }

    // Every block's count, grouped: "block 1 ended after 1 barrier; blocks 0, 2, 3 reached barrier 2".
    std::exception_ptr mismatch() const
    {
        std::map<std::string, std::vector<index>> groups;
        for (std::size_t b = 0; b < st_.size(); ++b) {
            const index c = count_[b];
            std::string what;
            if (st_[b] == status::done)
                what = "ended after " + std::to_string(c) + " barrier" + (c == 1 ? "" : "s");
            else if (st_[b] == status::waiting)
                what = "reached barrier " + std::to_string(c);
            else if (st_[b] == status::pending)
                what = "have not run yet";
            else
                what = "are running after " + std::to_string(c) + " barrier" + (c == 1 ? "" : "s");
            groups[what].push_back(static_cast<index>(b));
        }
        std::string s;
        for (const auto& [what, blocks] : groups) {
            if (!s.empty())
                s += "; ";
            s += blocks.size() == 1 ? "block " : "blocks ";
            for (std::size_t k = 0; k < blocks.size() && k < 8; ++k)
                s += (k ? ", " : "") + std::to_string(blocks[k]);
            if (blocks.size() > 8)
                s += ", ... (" + std::to_string(blocks.size()) + " blocks)";
            std::string w = what;
            if (blocks.size() == 1 && w.rfind("have ", 0) == 0)
                w = "has" + w.substr(4);
            else if (blocks.size() == 1 && w.rfind("are ", 0) == 0)
                w = "is" + w.substr(3);
            s += " " + w;
        }
        return std::make_exception_ptr(
            error("pl.system.syncall",
                  "the blocks of the pl.spmd launch of " + std::to_string(order_.size()) +
                      " blocks reach different numbers of barriers: " + s +
                      " (every block must reach every barrier; on the device the others would wait forever)",
                  loc_));
    }

    pl::detail::parallel_instance& inst_;
    source_location loc_;
    bool turn_based_;
    std::function<void(index)> run_block_;
    std::vector<index> order_;
    std::vector<loop_frame> parent_;
    access_observer* observer_;
    check::detail::task_sink* task_;

    std::mutex m_;
    std::condition_variable cv_;
    bool phased_ = false;
    bool failed_ = false;
    std::exception_ptr failure_;
    index phase_ = 0;
    std::size_t next_ = 0; // next block (schedule position) to start
    std::size_t turn_ = 0; // turn-based: the schedule position that may run
    std::vector<status> st_;
    std::vector<index> count_;
    std::vector<std::size_t> pos_;
    std::vector<std::thread> threads_;
};

} // namespace ptoref::detail

namespace ptoref::pl {

namespace detail {
// One spmd launch: n blocks judged like parallel iterations, phase by phase across syncalls.
// attribute: the accesses are a task's, per block (runtime ordering).
template <class F>
void run_blocks(std::string_view loop, index blocks, const loop_options& opt, F& body, bool attribute,
                const source_location& loc)
{
    parallel_instance inst(loop, 0, blocks, 1, opt, loc);
    ptoref::detail::block_group* gp = nullptr;
    auto one = [&](index b) {
        frame_guard g(b, inst.race(), inst.instance());
        std::optional<check::block_guard> bg;
        if (attribute)
            bg.emplace(b);
        auto& slot = ptoref::detail::current_block_slot();
        const ptoref::detail::block_slot saved = slot;
        slot = {gp, b, -1};
        struct restore {
            ptoref::detail::block_slot& slot;
            ptoref::detail::block_slot saved;
            ~restore() { slot = saved; }
        } r{slot, saved};
        body(b);
    };
    const schedule& sch = inst.sched();
    const index n = static_cast<index>(inst.order().size());
    const bool threaded = sch.which() == schedule::kind::threads && sch.thread_count() > 1 && n > 1 && !in_worker();
    ptoref::detail::block_group group(inst, loc, !threaded, one);
    gp = &group;
    const auto saved_frames = ptoref::detail::loop_frames();
    group.run(threaded ? static_cast<int>(std::min<index>(sch.thread_count(), n)) : 1);
    ptoref::detail::loop_frames() = saved_frames;
    inst.finish();
}

template <class F>
void run_spmd(index blocks, const loop_options& opt, F& body, const source_location& loc)
{
    auto& rec = check::task_recorder::instance();
    check::task_spec spec;
    spec.kind = "pl.spmd";
    spec.site = loc;
    spec.blocks = blocks;
    auto h = rec.begin(std::move(spec));
    const bool is_task = static_cast<bool>(h);
    run_blocks("pl.spmd", blocks, opt, body, is_task, loc);
    rec.end(std::move(h));
}
} // namespace detail

// ---- pl::spmd: n concurrent blocks, judged like parallel iterations ------------------------
//
// Under runtime ordering (check/runtime_ordering.hpp) a pl::spmd launched outside any task is
// one task of n blocks (arguments inferred from use; parallel/tasks.hpp has the explicit form).

template <loop_body F>
void spmd(index blocks, const loop_options& opt, F&& body, source_location loc = source_location::current())
{
    detail::run_spmd(blocks, opt, body, loc);
}
template <loop_body F>
void spmd(index blocks, F&& body, source_location loc = source_location::current())
{
    detail::run_spmd(blocks, loop_options{}, body, loc);
}

namespace system {
// pl.system.syncall(): a barrier among all blocks of the enclosing pl::spmd launch. Outside a
// launch (no participants to synchronise) and inside a pl::split_aiv lane (ptoref runs a
// block's lanes on one thread, so a lane cannot wait for its sibling) it is an error.
inline void syncall(source_location loc = source_location::current())
{
    const ptoref::detail::block_slot& s = ptoref::detail::current_block_slot();
    if (!s.group)
        throw error("pl.system.syncall", "called outside a pl.spmd launch (a barrier needs the launch's blocks)", loc);
    if (s.lane >= 0)
        throw error("pl.system.syncall",
                    "called inside a pl.split_aiv lane: ptoref supports barriers between the lane regions of a "
                    "block, not inside one",
                    loc);
    s.group->arrive(s.block, loc);
}
} // namespace system

// pl.SplitMode.
enum class split_mode { none, up_down, left_right };

// pl.tile.get_subblock_idx() / pl.tensor.get_subblock_idx(): the AIV lane of the enclosing
// pl::split_aiv region, 0 outside one.
inline index get_subblock_idx() noexcept
{
    const index lane = ptoref::detail::current_block_slot().lane;
    return lane < 0 ? 0 : lane;
}

// `for aiv_id in pl.split_aiv(2, mode=pl.SplitMode.NONE)`: the two AIV lanes of the block run the
// whole body each, concurrently (judged like two parallel iterations); aiv_id =
// get_subblock_idx() (pypto dsl_api.py split_aiv; reference/tasks-and-ordering.md §4). n must be
// 2. UP_DOWN / LEFT_RIGHT make the compiler halve every vector tile of the region per lane
// (pypto pass LowerAutoVectorSplit), which ptoref does not model: they are refused.
template <loop_body F>
void split_aiv(index n, split_mode mode, F&& body, source_location loc = source_location::current())
{
    if (n != 2)
        throw error("pl.split_aiv",
                    "the lane count must be 2 (the two AIV lanes of a cluster), got " + std::to_string(n), loc);
    if (mode != split_mode::none)
        throw error("pl.split_aiv",
                    std::string("mode ") + (mode == split_mode::up_down ? "UP_DOWN" : "LEFT_RIGHT") +
                        " halves every vector tile of the region per lane (pypto's LowerAutoVectorSplit), which "
                        "ptoref does not model; only SplitMode.NONE (both lanes run the whole body) is supported",
                    loc);
    auto each = [&](index lane) {
        auto& slot = ptoref::detail::current_block_slot();
        const index saved = slot.lane;
        slot.lane = lane;
        struct restore {
            index& lane;
            index saved;
            ~restore() { lane = saved; }
        } r{slot.lane, saved};
        body(lane);
    };
    detail::run_parallel("pl.split_aiv", 0, n, 1, loop_options{}, each, loc);
}

} // namespace ptoref::pl
