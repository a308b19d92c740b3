// Schedules: the order (or the threads) in which a parallel loop's iterations run.
//
// sequential is the definition; reverse, shuffled(seed) and threads(n) exist to show that a
// race-free program's bits do not depend on the order. The process-wide default comes from
// PTOREF_SCHEDULE (e.g. "shuffled:7", "threads:4") or set_default_schedule().
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <numeric>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ptoref/core/error.hpp"
#include "ptoref/core/shape.hpp"
#include "ptoref/testing/random.hpp"

namespace ptoref::pl {

class schedule {
public:
    enum class kind { sequential, reverse, shuffled, threads };
    static constexpr int max_threads = 1024;

    static schedule sequential() noexcept { return schedule(kind::sequential, 0, 1); }
    static schedule reverse() noexcept { return schedule(kind::reverse, 0, 1); }
    static schedule shuffled(std::uint64_t seed) noexcept { return schedule(kind::shuffled, seed, 1); }
    // n <= 0 means one thread per hardware thread; more than 1024 is refused, as in parse.
    static schedule threads(int n = 0, source_location loc = source_location::current())
    {
        if (n > max_threads)
            throw error("ptoref::pl::schedule", "thread count " + std::to_string(n) + " is above 1024", loc);
        if (n <= 0)
            n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        return schedule(kind::threads, 0, n);
    }

    // "sequential", "reverse", "shuffled[:SEED]", "threads[:N]".
    static schedule parse(std::string_view text, source_location loc = source_location::current())
    {
        const auto colon = text.find(':');
        const std::string_view name = text.substr(0, colon);
        const bool has_arg = colon != std::string_view::npos;
        const std::string_view arg = has_arg ? text.substr(colon + 1) : std::string_view{};
        // A number after the colon: decimal digits only, at least one, and no more than fits.
        auto number = [&](std::uint64_t fallback) {
            if (!has_arg)
                return fallback;
            std::uint64_t v = 0;
            for (char c : arg) {
                if (c < '0' || c > '9' || v > (UINT64_MAX - static_cast<std::uint64_t>(c - '0')) / 10)
                    throw error("ptoref::pl::schedule",
                                "bad number \"" + escape_excerpt(arg, 40) + "\" in schedule \"" +
                                    escape_excerpt(text, 100) + "\"",
                                loc);
                v = v * 10 + static_cast<std::uint64_t>(c - '0');
            }
            if (arg.empty())
                throw error("ptoref::pl::schedule",
                            "missing number after ':' in schedule \"" + escape_excerpt(text, 100) + "\"", loc);
            return v;
        };
        if (name == "sequential" && !has_arg)
            return sequential();
        if (name == "reverse" && !has_arg)
            return reverse();
        if (name == "shuffled")
            return shuffled(number(0));
        if (name == "threads") {
            const std::uint64_t n = number(0);
            if (n > max_threads)
                throw error("ptoref::pl::schedule", "thread count " + std::to_string(n) + " is above 1024", loc);
            return threads(static_cast<int>(n), loc);
        }
        throw error("ptoref::pl::schedule",
                    "unknown schedule \"" + escape_excerpt(text, 100) +
                        "\" (expected sequential, reverse, shuffled[:SEED] or threads[:N])",
                    loc);
    }

    kind which() const noexcept { return kind_; }
    std::uint64_t seed() const noexcept { return seed_; }
    int thread_count() const noexcept { return threads_; }

    std::string str() const
    {
        switch (kind_) {
        case kind::sequential:
            return "sequential";
        case kind::reverse:
            return "reverse";
        case kind::shuffled:
            return "shuffled:" + std::to_string(seed_);
        case kind::threads:
            return "threads:" + std::to_string(threads_);
        }
        return "?";
    }

    // The order of iteration numbers 0..n-1 (threads: the order work is handed out).
    std::vector<index> order(index n) const
    {
        std::vector<index> o(static_cast<std::size_t>(n));
        std::iota(o.begin(), o.end(), index{0});
        if (kind_ == kind::reverse) {
            std::reverse(o.begin(), o.end());
        } else if (kind_ == kind::shuffled) {
            // Fisher-Yates with splitmix64: the same permutation on every platform.
            testing::splitmix64 rng(seed_);
            for (index i = n - 1; i > 0; --i) {
                const auto j = static_cast<index>(rng.next() % static_cast<std::uint64_t>(i + 1));
                std::swap(o[static_cast<std::size_t>(i)], o[static_cast<std::size_t>(j)]);
            }
        }
        return o;
    }

private:
    schedule(kind k, std::uint64_t seed, int n) noexcept : kind_(k), seed_(seed), threads_(n) {}
    kind kind_;
    std::uint64_t seed_;
    int threads_;
};

namespace detail {
struct default_schedule_slot {
    std::mutex mutex;
    schedule value = schedule::sequential();
    bool initialised = false;
};
inline default_schedule_slot& default_slot()
{
    static default_schedule_slot s;
    return s;
}
} // namespace detail

// The process-wide default: PTOREF_SCHEDULE if set (a bad value is an error), else sequential.
inline schedule default_schedule()
{
    auto& s = detail::default_slot();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (!s.initialised) {
        // A bad value throws here on every use, never falling back to sequential silently.
        if (const char* env = std::getenv("PTOREF_SCHEDULE"); env && *env)
            s.value = schedule::parse(env);
        s.initialised = true;
    }
    return s.value;
}

inline void set_default_schedule(schedule sch)
{
    auto& s = detail::default_slot();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.value = sch;
    s.initialised = true;
}

} // namespace ptoref::pl
