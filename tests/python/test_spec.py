"""harness/_spec.py: inputs are made per spec exactly as the harness makes them."""
import pytest
import torch

from ptoref.harness._spec import ScalarSpec, TensorSpec


def test_init_value_forms():
    assert torch.equal(TensorSpec("z", [2, 3], torch.float32).create_tensor(), torch.zeros(2, 3))
    assert torch.equal(TensorSpec("c", [2], torch.int32, init_value=7).create_tensor(), torch.full((2,), 7,
                                                                                                  dtype=torch.int32))
    src = torch.arange(4, dtype=torch.float32)
    t = TensorSpec("t", [4], torch.bfloat16, init_value=src).create_tensor()
    assert t.dtype == torch.bfloat16 and torch.equal(t.float(), src)
    torch.manual_seed(3)
    r1 = TensorSpec("r", [5], torch.float32, init_value=torch.randn).create_tensor()
    torch.manual_seed(3)
    assert torch.equal(r1, torch.randn([5], dtype=torch.float32))  # called as fn(shape, dtype=)
    f = TensorSpec("f", [3], torch.float32, init_value=lambda: [1, 2, 3]).create_tensor()
    assert f.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(TypeError, match="Unsupported init_value"):
        TensorSpec("bad", [1], torch.float32, init_value="x").create_tensor()


def test_scalar_spec_validates_and_stores_a_0_dim_tensor():
    s = ScalarSpec("alpha", torch.float32, 0.125)
    assert s.value.ndim == 0 and s.to_python() == 0.125
    assert ScalarSpec("n", torch.int32, 4096).to_python() == 4096
    with pytest.raises(ValueError, match="requires int value"):
        ScalarSpec("n", torch.int32, 1.5)
    with pytest.raises(ValueError, match="out of range"):
        ScalarSpec("n", torch.int8, 300)
    with pytest.raises(ValueError, match="unsupported dtype"):
        ScalarSpec("n", torch.complex64, 1)
