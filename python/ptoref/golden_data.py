"""`python3 -m ptoref.golden_data DIR OUT`: turns a golden-data directory (DIR/in/*.pt,
DIR/out/*.pt, as `ptoref run --golden-data-out` and pypto-lib write it) into .npy files
(OUT/in/<name>.npy, OUT/out/<name>.npy; bf16 as <u2 bits), the inputs the C++ examples'
`--inputs` option reads, so a C++ port can be run on exactly the inputs a Python run used."""
import sys
from pathlib import Path

import numpy as np


def convert(src, dst):
    import torch

    count = 0
    for sub in ("in", "out"):
        for pt in sorted((Path(src) / sub).glob("*.pt")):
            t = torch.load(pt, weights_only=True).contiguous()
            if t.dtype == torch.bfloat16:
                arr = t.view(torch.int16).numpy().view(np.uint16)
            else:
                arr = t.numpy()
            (Path(dst) / sub).mkdir(parents=True, exist_ok=True)
            np.save(Path(dst) / sub / (pt.stem + ".npy"), arr)
            count += 1
    return count


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python3 -m ptoref.golden_data DIR OUT", file=sys.stderr)
        return 2
    n = convert(argv[0], argv[1])
    print(f"{n} tensors written to {argv[1]}")
    return 0 if n else 2


if __name__ == "__main__":
    sys.exit(main())
