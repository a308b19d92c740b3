// The loop nest the current thread is executing: one frame per enclosing pl.range /
// pl.parallel / pl.spmd iteration, outermost first. Worker threads of a threaded schedule start
// with a copy of the frames of the thread that ran the loop, so every access can be attributed
// to its iteration at every parallel level.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "ptoref/core/shape.hpp"

namespace ptoref::check {
class loop_race_state;
}

namespace ptoref::detail {

struct loop_frame {
    index value = 0;                        // this iteration's loop index
    check::loop_race_state* race = nullptr; // null for sequential loops or unchecked runs
    std::uint64_t instance = 0;             // which parallel loop instance (0: a sequential loop)
};

// A fresh id for each parallel loop instance (the task model tells iterations of one instance
// from later loops at the same depth by it).
inline std::uint64_t next_loop_instance() noexcept
{
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

inline std::vector<loop_frame>& loop_frames()
{
    thread_local std::vector<loop_frame> frames;
    return frames;
}

// Index path of the current iteration (the indices of all enclosing loops, outermost first).
inline std::vector<index> current_loop_path()
{
    std::vector<index> p;
    for (const loop_frame& f : loop_frames())
        p.push_back(f.value);
    return p;
}

} // namespace ptoref::detail
