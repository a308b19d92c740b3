// Orchestration tasks in C++: pl::at scopes, spmd launches, dummy tasks and manual scopes.
//
//   pl::task_id a = pl::at({pl::out_arg(buf)}, {}, [&] { ... writes buf ... });
//   pl::task_id b = pl::at({pl::in_arg(buf), pl::out_arg(y)}, {a}, [&] { ... });
//   pl::spmd_task(4, {pl::in_arg(x), pl::out_arg(y)}, {}, [&](pl::index blk) { ... });
//   pl::manual_scope([&] { ... tasks ordered only by their deps ... });
//
// Program order (the default) runs each body at once and returns a TaskId of 0: numerics and
// the race checks of loops inside bodies are exactly as without the task wrapper. Under
// check::ordering::runtime each becomes a task of the current run (check/runtime_ordering.hpp).
// An empty argument list means "infer": every buffer the body touches is a whole-buffer
// argument with its direction from use (how pypto outlines a `with pl.at` scope).
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "ptoref/check/runtime_ordering.hpp"
#include "ptoref/parallel/loops.hpp"
#include "ptoref/tensor/tensor.hpp"

// (Helpers in ptoref::detail: a `detail` inside ptoref::pl would hide ptoref::detail from ops.)
namespace ptoref::detail {
template <class T>
check::arg_spec make_task_arg(const Tensor<T>& t, check::param_dir dir,
                              std::optional<check::arg_tag> tag = std::nullopt)
{
    check::arg_spec a;
    const auto& b = *t.storage_ptr();
    a.buffer = b.id();
    a.name = b.name().empty() ? b.display_name() : b.name();
    a.root_shape = b.root_shape();
    a.view = check::element_set(t.geometry());
    a.dir = dir;
    a.tag = tag;
    return a;
}

inline check::task_spec make_task_spec(std::string kind, index blocks, std::vector<check::arg_spec> args,
                                       std::vector<check::task_id> deps, const source_location& loc)
{
    check::task_spec s;
    s.kind = std::move(kind);
    s.site = loc;
    s.blocks = blocks;
    s.deps = std::move(deps);
    if (!args.empty())
        s.args = std::move(args);
    return s;
}
} // namespace ptoref::detail

namespace ptoref::pl {

using check::task_id;
using arg = check::arg_spec;

// A task argument: the view passed and the callee parameter's direction (pl.In / pl.Out /
// pl.InOut); the runtime tag follows from the call's context by pypto's rules.
template <class T>
check::arg_spec in_arg(const Tensor<T>& t)
{
    return ptoref::detail::make_task_arg(t, check::param_dir::in);
}
template <class T>
check::arg_spec out_arg(const Tensor<T>& t)
{
    return ptoref::detail::make_task_arg(t, check::param_dir::out);
}
template <class T>
check::arg_spec inout_arg(const Tensor<T>& t)
{
    return ptoref::detail::make_task_arg(t, check::param_dir::inout);
}
// pl.no_dep(t) / no_dep_args=[t]: the slot is NO_DEP whatever its direction.
template <class T>
check::arg_spec no_dep_arg(const Tensor<T>& t, check::param_dir dir = check::param_dir::in)
{
    check::arg_spec a = ptoref::detail::make_task_arg(t, dir);
    a.no_dep = true;
    return a;
}
// The tag the runtime sees, given directly (a direction bug or a pre-set arg_directions).
template <class T>
check::arg_spec tagged_arg(const Tensor<T>& t, check::arg_tag tag)
{
    const check::param_dir dir = tag == check::arg_tag::input ? check::param_dir::in : check::param_dir::inout;
    return ptoref::detail::make_task_arg(t, dir, tag);
}

// create_tensor(manual_dep=True): the runtime tracks no view of this tensor's buffer.
template <class T>
void set_manual_dep(const Tensor<T>& t)
{
    if (check::task_recorder::active())
        check::task_recorder::instance().set_manual_dep(t.storage_ptr()->id());
}

// `with pl.at(...)`: one task running body.
template <class F>
requires std::invocable<F&> task_id at(std::vector<check::arg_spec> args, std::vector<task_id> deps, F&& body,
                                       source_location loc = source_location::current())
{
    auto& rec = check::task_recorder::instance();
    auto h = rec.begin(ptoref::detail::make_task_spec("pl.at", 1, std::move(args), std::move(deps), loc));
    body();
    return rec.end(std::move(h));
}
template <class F>
requires std::invocable<F&> task_id at(F&& body, source_location loc = source_location::current())
{
    return at({}, {}, body, loc);
}

// `with pl.spmd(n, deps=...) as tid`: one task whose n blocks run concurrently (checked like
// parallel iterations).
template <loop_body F>
task_id spmd_task(index blocks, std::vector<check::arg_spec> args, std::vector<task_id> deps, F&& body,
                  source_location loc = source_location::current())
{
    auto& rec = check::task_recorder::instance();
    auto h = rec.begin(ptoref::detail::make_task_spec("pl.spmd", blocks, std::move(args), std::move(deps), loc));
    const bool is_task = static_cast<bool>(h);
    ptoref::pl::detail::run_blocks("pl.spmd", blocks, loop_options{}, body, is_task, loc);
    return rec.end(std::move(h));
}

// pl.system.task_dummy(deps=...): a task that touches nothing, only joins its deps.
inline task_id task_dummy(std::vector<task_id> deps, source_location loc = source_location::current())
{
    auto& rec = check::task_recorder::instance();
    return rec.end(rec.begin(ptoref::detail::make_task_spec("pl.system.task_dummy", 1, {}, std::move(deps), loc)));
}

// `with pl.manual_scope():` tasks submitted inside get no derived edges, only their deps.
template <class F>
requires std::invocable<F&>
void manual_scope(F&& body)
{
    const bool on = check::task_recorder::active();
    if (on)
        check::task_recorder::instance().enter_manual();
    struct leave {
        bool on;
        ~leave()
        {
            if (on)
                check::task_recorder::instance().leave_manual();
        }
    } guard{on};
    body();
}

} // namespace ptoref::pl
