// What the checks find, as structured records (for tests) and as text (for people).
//
// The text follows ThreadSanitizer's discipline: a one-line headline, the two accesses with
// their kinds, iterations and op sites, the exact region, and a one-line SUMMARY.
#pragma once

#include <string>
#include <vector>

#include "ptoref/check/boxes.hpp"
#include "ptoref/core/error.hpp"
#include "ptoref/tensor/access.hpp"

namespace ptoref::check {

enum class race_kind { waw, raw, war };

inline const char* to_string(race_kind k) noexcept
{
    return k == race_kind::waw ? "WAW" : (k == race_kind::raw ? "RAW" : "WAR");
}

// One op's access as a report shows it.
struct op_site {
    std::string op;
    source_location where;
    access_kind kind = access_kind::read;
    friend bool operator==(const op_site& a, const op_site& b) noexcept
    {
        return a.op == b.op && a.where.line() == b.where.line() &&
               std::string_view(a.where.file_name()) == std::string_view(b.where.file_name()) && a.kind == b.kind;
    }
};

inline std::string path_to_string(const std::vector<index>& path)
{
    std::string s = "[";
    for (std::size_t i = 0; i < path.size(); ++i)
        s += (i ? ", " : "") + std::to_string(path[i]);
    return s + "]";
}

// Two iterations of one parallel loop instance touched the same elements, at least one writing.
struct race_record {
    std::string tensor;              // buffer name ("k_cache", or the op that made it)
    race_kind kind = race_kind::waw; // named from the earlier access to the later one
    std::string loop;                // "pl.parallel" or "pl.spmd"
    source_location loop_site;
    std::vector<index> first_iteration; // index path: enclosing loops' indices, then this loop's
    std::vector<index> second_iteration;
    op_site first;  // the earlier access (in execution order)
    op_site second; // the later access
    dims tensor_shape;
    std::vector<box> region; // exact, in the buffer's coordinates
    index elements = 0;

    std::string str() const
    {
        auto verb = [](access_kind k, bool cap) {
            return k == access_kind::write
                       ? (cap ? "Write" : "write")
                       : (k == access_kind::atomic_add ? (cap ? "Atomic add" : "atomic add") : (cap ? "Read" : "read"));
        };
        const char* verb2 = verb(second.kind, true);
        const char* verb1 = verb(first.kind, false);
        std::string s = "WARNING: ptoref: data race (" + std::string(to_string(kind)) + ") on " + tensor + " in " +
                        loop + " at " + to_string(loop_site) + "\n";
        s += "  " + std::string(verb2) + " by iteration " + path_to_string(second_iteration) + " in " + second.op +
             " at " + to_string(second.where) + "\n";
        s += "  Previous " + std::string(verb1) + " by iteration " + path_to_string(first_iteration) + " in " +
             first.op + " at " + to_string(first.where) + "\n";
        s += "  Region: " + boxes_to_string(tensor, region) + " of " + tensor + to_string(tensor_shape) + ", " +
             std::to_string(elements) + " element" + (elements == 1 ? "" : "s") + "\n";
        s += "SUMMARY: ptoref: data race " + std::string(to_string(kind)) + " on " + tensor + " between iterations " +
             path_to_string(first_iteration) + " and " + path_to_string(second_iteration) + " of " + loop + " at " +
             to_string(loop_site) + "\n";
        return s;
    }
};

// Undefined data (never written, or padding) reached a scalar read or a checked output.
struct definedness_record {
    std::string tensor;
    op_site where; // the pl::read, or the output check
    dims tensor_shape;
    std::vector<box> region; // the undefined elements, in the buffer's coordinates
    index elements = 0;
    std::string origin; // where the undefined data came from

    std::string str() const
    {
        std::string s = "WARNING: ptoref: undefined data reaches " + where.op + " at " + to_string(where.where) + "\n";
        s += "  " + std::to_string(elements) + " undefined element" + (elements == 1 ? "" : "s") + ": " +
             boxes_to_string(tensor, region) + " of " + tensor + to_string(tensor_shape) + "\n";
        s += "  Origin: " + origin + "\n";
        s += "SUMMARY: ptoref: undefined data in " + tensor + " at " + to_string(where.where) + "\n";
        return s;
    }
};

// A read through a handle that a later in-place write (assemble/write) has superseded.
struct stale_record {
    std::string tensor;
    op_site read;  // the stale read
    op_site write; // the superseding write
    std::uint64_t handle_version = 0;
    std::uint64_t write_version = 0;
    dims tensor_shape;
    std::vector<box> region;
    index elements = 0;

    std::string str() const
    {
        std::string s =
            "WARNING: ptoref: stale read of " + tensor + " in " + read.op + " at " + to_string(read.where) + "\n";
        s += "  The handle is version " + std::to_string(handle_version) + "; " + write.op + " at " +
             to_string(write.where) + " wrote version " + std::to_string(write_version) + " of these elements\n";
        s += "  Region: " + boxes_to_string(tensor, region) + " of " + tensor + to_string(tensor_shape) + ", " +
             std::to_string(elements) + " element" + (elements == 1 ? "" : "s") + "\n";
        s += "SUMMARY: ptoref: stale read of " + tensor + " at " + to_string(read.where) + "\n";
        return s;
    }
};

// What one checked instance of a parallel loop did (for tools that print a verdict per loop).
struct loop_summary {
    std::string loop; // "pl.parallel" / "pl.spmd"
    source_location loop_site;
    std::vector<index> outer_path;
    index iterations = 0;
    index element_accesses = 0; // recorded at this level
    std::size_t races = 0;      // records produced
    // For the tensors named in check::track_footprints (top-level loops only): each
    // iteration's footprint (elements read or written), coalesced into boxes.
    std::vector<std::pair<std::string, std::vector<std::pair<index, std::vector<box>>>>> footprints;
};

// The device is known to compute something other than the op's documented meaning here; ptoref
// keeps the documented meaning and says where and why the hardware will differ (once per site).
struct divergence_record {
    op_site where;
    std::string detail; // what the device does instead, and why
    index elements = 0; // elements whose bits would differ (0: not counted)
    index of = 0;       // elements the op produced

    std::string str() const
    {
        std::string s = "NOTE: ptoref: device divergence in " + where.op + " at " + to_string(where.where) + "\n";
        s += "  " + detail;
        if (of > 0)
            s += " (" + std::to_string(elements) + " of " + std::to_string(of) + " elements differ here)";
        s += "\n";
        return s;
    }
};

template <class Record>
std::string records_to_string(const std::vector<Record>& records)
{
    std::string s;
    for (const Record& r : records)
        s += r.str();
    return s;
}

class race_error : public error {
public:
    explicit race_error(std::vector<race_record> records)
        : error("", records_to_string(records)), records_(std::move(records))
    {
    }
    const std::vector<race_record>& records() const noexcept { return records_; }

private:
    std::vector<race_record> records_;
};

class definedness_error : public error {
public:
    explicit definedness_error(definedness_record r) : error("", r.str()), record_(std::move(r)) {}
    const definedness_record& record() const noexcept { return record_; }

private:
    definedness_record record_;
};

class stale_error : public error {
public:
    explicit stale_error(stale_record r) : error("", r.str()), record_(std::move(r)) {}
    const stale_record& record() const noexcept { return record_; }

private:
    stale_record record_;
};

} // namespace ptoref::check

namespace ptoref {
using check::definedness_error;
using check::race_error;
using check::stale_error;
} // namespace ptoref
