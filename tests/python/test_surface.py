"""Every name of the pypto.language surface (corpus reference, section 1) exists in
ptoref.language: implemented, accepted as a recorded hint, or a stand-in that raises
Unsupported — never an unknown name."""
import pytest

import ptoref
from ptoref import language as pl
from ptoref.scan import _status

SURFACE = """
function program inline jit jit.host jit.incore jit.inline jit.opaque jit.extern
FunctionType.Opaque FunctionType.Orchestration FunctionType.InCore FunctionType.AIC FunctionType.AIV
FunctionType.Group FunctionType.Spmd FunctionType.Inline FunctionType.Graph
Tensor Tile Scalar Out InOut Array Tuple MemRef Ptr TaskId dynamic
FP4 FP8E4M3FN FP8E5M2 FP8E8M0 FP16 FP32 BF16 HF4 HF8 INT4 INT8 INT16 INT32 INT64 UINT4 UINT8 UINT16 UINT32
UINT64 BOOL INDEX TASK_ID
Level.AIV Level.AIC Level.CORE_GROUP Level.CHIP_DIE Level.CHIP Level.HOST Level.CLUSTER_0 Level.GLOBAL
Role.Orchestrator Role.SubWorker SplitMode.NONE SplitMode.UP_DOWN SplitMode.LEFT_RIGHT
PadValue.null PadValue.zero PadValue.max PadValue.min AtomicType.None_ AtomicType.Add
MemorySpace.DDR MemorySpace.Vec MemorySpace.Mat MemorySpace.Left MemorySpace.Right MemorySpace.Acc
MemorySpace.Bias Mem.Vec TensorLayout.ND TensorLayout.DN TensorLayout.NZ
ForKind.Sequential ForKind.Parallel ForKind.Unroll ForKind.Pipeline
range parallel unroll pipeline while_ cond yield_ const static_print static_assert func_attr min max cast
at spmd cluster split_aiv scope manual_scope submit spmd_submit split cross_core_slot
add sub mul maximum minimum part_add part_mul part_max part_min fmod fmods and_ ands or_ ors shl shls shr shrs
div xor xors exp sin cos neg abs sqrt not_ log recip rsqrt cmp
row_expand row_expand_add row_expand_sub row_expand_mul row_expand_div row_expand_max row_expand_min
row_expand_expdif col_expand col_expand_add col_expand_sub col_expand_mul col_expand_div col_expand_max
col_expand_min col_expand_expdif expands row_max row_sum row_min row_prod col_sum col_max col_min col_prod
row_argmax row_argmin col_argmax col_argmin
reshape reinterpret_view transpose concat slice fillpad fillpad_expand set_validshape read write assemble
gather_row scatter_update sort32 mrgsort matmul matmul_acc batch_matmul
create_tensor full arange dim expand_clone gather scatter paged_gather random create_l1 no_dep dump_tag
get_block_idx get_block_num
load store create_tile move tri matmul_bias matmul_mx matmul_mx_acc matmul_mx_bias gemv gemv_acc gemv_bias
relu lrelu prelu cmps rem rems maximums minimums addc subc addsc subsc sel sels gatherb mgather mscatter
tensor.create tensor.ci tensor.view tensor.adds tensor.subs tensor.muls tensor.divs tensor.alloc tensor.dim
tensor.read tensor.get_block_idx tensor.get_subblock_idx tensor.get_block_num
tile.create tile.extract tile.ci tile.random tile.fillpad_inplace tile.transpose_view tile.batch_matmul_acc
tile.gather_mask tile.gather_compare tile.scatter_mask tile.get_block_idx tile.load tile.store tile.move
system.sync_set system.sync_wait system.syncall system.cacheinvalid system.task_dummy system.task_invalid
tpush_to_aiv tpush_to_aic tpop_from_aic tpop_from_aiv tfree_to_aic tfree_to_aiv reserve_buffer
import_peer_buffer aic_initialize_pipe aiv_initialize_pipe
array.create array.get_element array.update_element
prefetch.make_context prefetch.async_prefetch prefetch.session prefetch.wait
""".split()


@pytest.mark.parametrize("name", SURFACE)
def test_every_surface_name_is_known(name):
    reason = _status(name.split("."))
    assert reason is None or "not a name ptoref knows" not in reason, reason


def test_an_unknown_name_is_an_unsupported_error_not_an_attribute_error():
    with pytest.raises(ptoref.Unsupported, match="not a name ptoref knows"):
        pl.tensor.no_such_thing
    assert _status(["no_such_thing"]) == "not a name ptoref knows"
    assert _status(["matmul_mx"]) == "not yet implemented" and _status(["add"]) is None
