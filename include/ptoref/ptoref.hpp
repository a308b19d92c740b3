// ptoref — run PyPTO (pypto.language) tensor programs on a CPU with their exact semantics.
// Umbrella header: everything a port of a pl program needs.
//
//   #include <ptoref/ptoref.hpp>
//   namespace pl = ptoref::pl;
#pragma once

#include "ptoref/version.hpp"

#include "ptoref/core/cast_mode.hpp"
#include "ptoref/core/checked.hpp"
#include "ptoref/core/convert.hpp"
#include "ptoref/core/dtype.hpp"
#include "ptoref/core/error.hpp"
#include "ptoref/core/float16.hpp"
#include "ptoref/core/memory_limit.hpp"
#include "ptoref/core/shape.hpp"
#include "ptoref/core/source_location.hpp"

#include "ptoref/tensor/access.hpp"
#include "ptoref/tensor/buffer.hpp"
#include "ptoref/tensor/tensor.hpp"

#include "ptoref/ops/assemble.hpp"
#include "ptoref/ops/broadcast.hpp"
#include "ptoref/ops/cast.hpp"
#include "ptoref/ops/concat.hpp"
#include "ptoref/ops/create.hpp"
#include "ptoref/ops/elementwise.hpp"
#include "ptoref/ops/fillpad.hpp"
#include "ptoref/ops/matmul.hpp"
#include "ptoref/ops/promote.hpp"
#include "ptoref/ops/reduce.hpp"
#include "ptoref/ops/scalar_math.hpp"
#include "ptoref/ops/store.hpp"
#include "ptoref/ops/view.hpp"

#include "ptoref/check/config.hpp"
#include "ptoref/check/definedness.hpp"
#include "ptoref/check/observer.hpp"
#include "ptoref/check/race_detector.hpp"
#include "ptoref/check/records.hpp"

#include "ptoref/parallel/context.hpp"
#include "ptoref/parallel/loops.hpp"
#include "ptoref/parallel/tasks.hpp"
#include "ptoref/parallel/schedule.hpp"
#include "ptoref/kernels/prefill_scope2.hpp"
