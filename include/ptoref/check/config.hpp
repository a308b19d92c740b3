// Whether checks run, and where their findings go.
//
// Checks are on by default: a parallel loop whose iterations conflict throws race_error when it
// ends; undefined data reaching a scalar read throws definedness_error; a stale read throws
// stale_error. PTOREF_CHECK=off in the environment (or set_enabled(false)) turns them off.
// A `collector` in scope takes the findings as records instead of throwing (for tests and for
// tools that print every finding).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ptoref/check/records.hpp"
#include "ptoref/check/tasks.hpp"

namespace ptoref::check {

namespace detail {
inline std::atomic<bool>& enabled_flag()
{
    static std::atomic<bool> flag{[] {
        const char* env = std::getenv("PTOREF_CHECK");
        const std::string_view v = env ? env : "";
        return !(v == "off" || v == "0" || v == "false");
    }()};
    return flag;
}
} // namespace detail

inline bool enabled() noexcept
{
    return detail::enabled_flag().load(std::memory_order_relaxed);
}
inline void set_enabled(bool on) noexcept
{
    detail::enabled_flag().store(on, std::memory_order_relaxed);
}

// Turns checks off (or on) for a scope, restoring the previous setting.
class enabled_scope {
public:
    explicit enabled_scope(bool on) noexcept : saved_(enabled()) { set_enabled(on); }
    ~enabled_scope() { set_enabled(saved_); }
    enabled_scope(const enabled_scope&) = delete;
    enabled_scope& operator=(const enabled_scope&) = delete;

private:
    bool saved_;
};

class collector;

namespace detail {
// Tensor names whose per-iteration footprints top-level parallel loops record.
struct footprint_names {
    std::mutex mutex;
    std::vector<std::string> names;
};
inline footprint_names& tracked_footprints()
{
    static footprint_names f;
    return f;
}
} // namespace detail

// Asks top-level parallel loops to record the per-iteration footprints of these tensors (by
// name) in their loop_summary, e.g. {"k_cache", "v_cache"}. Costs one byte per element of each
// such buffer per iteration while the loop runs.
inline void track_footprints(std::vector<std::string> names)
{
    auto& f = detail::tracked_footprints();
    std::lock_guard<std::mutex> lock(f.mutex);
    f.names = std::move(names);
}

namespace detail {
struct collector_registry {
    std::mutex mutex;
    std::vector<collector*> stack;
};
inline collector_registry& collectors()
{
    static collector_registry r;
    return r;
}
} // namespace detail

class collector {
public:
    collector()
    {
        auto& r = detail::collectors();
        std::lock_guard<std::mutex> lock(r.mutex);
        r.stack.push_back(this);
    }
    ~collector()
    {
        auto& r = detail::collectors();
        std::lock_guard<std::mutex> lock(r.mutex);
        std::erase(r.stack, this);
    }
    collector(const collector&) = delete;
    collector& operator=(const collector&) = delete;

    const std::vector<race_record>& races() const noexcept { return races_; }
    const std::vector<definedness_record>& undefined() const noexcept { return undefined_; }
    const std::vector<stale_record>& stale() const noexcept { return stale_; }
    const std::vector<loop_summary>& loops() const noexcept { return loops_; }
    // Tasks the runtime-ordering mode found unordered (check/runtime_ordering.hpp).
    const std::vector<ordering_record>& orderings() const noexcept { return orderings_; }
    // Notes, not failures: they never make a run unclean.
    const std::vector<divergence_record>& divergences() const noexcept { return divergences_; }
    bool clean() const noexcept { return races_.empty() && undefined_.empty() && stale_.empty() && orderings_.empty(); }
    std::string report() const
    {
        return records_to_string(races_) + records_to_string(orderings_) + records_to_string(undefined_) +
               records_to_string(stale_) + records_to_string(divergences_);
    }

private:
    friend struct deliver;
    std::vector<race_record> races_;
    std::vector<definedness_record> undefined_;
    std::vector<stale_record> stale_;
    std::vector<loop_summary> loops_;
    std::vector<ordering_record> orderings_;
    std::vector<divergence_record> divergences_;
};

// Hands findings to the innermost collector, or throws them.
struct deliver {
    static void races(std::vector<race_record> records)
    {
        if (records.empty())
            return;
        auto& r = detail::collectors();
        {
            std::lock_guard<std::mutex> lock(r.mutex);
            if (!r.stack.empty()) {
                auto& dst = r.stack.back()->races_;
                dst.insert(dst.end(), records.begin(), records.end());
                return;
            }
        }
        throw race_error(std::move(records));
    }
    static void orderings(std::vector<ordering_record> records)
    {
        if (records.empty())
            return;
        auto& r = detail::collectors();
        {
            std::lock_guard<std::mutex> lock(r.mutex);
            if (!r.stack.empty()) {
                auto& dst = r.stack.back()->orderings_;
                dst.insert(dst.end(), records.begin(), records.end());
                return;
            }
        }
        throw ordering_error(std::move(records));
    }
    // Summaries are only kept when a collector wants them; they never throw.
    static void summary(loop_summary s)
    {
        auto& r = detail::collectors();
        std::lock_guard<std::mutex> lock(r.mutex);
        if (!r.stack.empty())
            r.stack.back()->loops_.push_back(std::move(s));
    }
    static bool collecting()
    {
        auto& r = detail::collectors();
        std::lock_guard<std::mutex> lock(r.mutex);
        return !r.stack.empty();
    }
    static void undefined(definedness_record rec)
    {
        collect_or_throw<definedness_error>(&collector::undefined_, std::move(rec));
    }
    static void stale(stale_record rec) { collect_or_throw<stale_error>(&collector::stale_, std::move(rec)); }
    // A device-divergence note: once per op site per collector; without a collector, one line on
    // stderr once per site for the process. Never throws.
    static void divergence(divergence_record rec)
    {
        auto& r = detail::collectors();
        std::lock_guard<std::mutex> lock(r.mutex);
        auto same_site = [&](const divergence_record& d) { return d.where == rec.where; };
        if (!r.stack.empty()) {
            auto& dst = r.stack.back()->divergences_;
            if (std::none_of(dst.begin(), dst.end(), same_site))
                dst.push_back(std::move(rec));
            return;
        }
        static std::vector<divergence_record> printed;
        if (std::none_of(printed.begin(), printed.end(), same_site)) {
            std::fputs(rec.str().c_str(), stderr);
            printed.push_back(std::move(rec));
        }
    }

private:
    template <class Error, class Record>
    static void collect_or_throw(std::vector<Record> collector::*member, Record rec)
    {
        auto& r = detail::collectors();
        {
            std::lock_guard<std::mutex> lock(r.mutex);
            if (!r.stack.empty()) {
                (r.stack.back()->*member).push_back(std::move(rec));
                return;
            }
        }
        throw Error(std::move(rec));
    }
};

} // namespace ptoref::check
