// ptoref::error — the one exception type for every misuse and every failed check.
//
// The message always names the op, the shapes/offsets involved and the caller's file:line, so
// a failing golden test can be fixed from the message alone. Subclasses (race_error, ...)
// carry structured records for tests.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include "ptoref/core/source_location.hpp"

namespace ptoref {

class error : public std::runtime_error {
public:
    // Message layout: "<op>: <detail> (at <file>:<line>)".
    error(std::string op, const std::string& detail, source_location where = {})
        : std::runtime_error(compose(op, detail, where)), op_(std::move(op)), where_(where)
    {
    }

    const std::string& op() const noexcept { return op_; }
    const source_location& where() const noexcept { return where_; }

private:
    static std::string compose(const std::string& op, const std::string& detail, const source_location& where)
    {
        std::string msg = op.empty() ? detail : op + ": " + detail;
        if (where.known())
            msg += " (at " + to_string(where) + ")";
        return msg;
    }

    std::string op_;
    source_location where_;
};

} // namespace ptoref
