#!/usr/bin/env python3
"""Make PyPI's CUDA build of torch import and run on CPU without NVIDIA's wheels.

Why this exists
---------------
The Linux x86_64 torch wheels on PyPI are CUDA builds. Their shared libraries
name the CUDA libraries as hard ELF dependencies (DT_NEEDED), even the CPU part:
libtorch_cpu.so needs libcudart.so.13 and libcupti.so.13, libtorch_python.so
needs libtorch_cuda.so, which needs cuBLAS, cuDNN, NCCL, cuSPARSE, cuFFT, ...
Those come from the nvidia-* / cuda-toolkit wheels, about 6 GB, and
`import torch` fails with "libcublasLt.so.* not found" when they are missing
(torch/__init__.py `_load_global_deps` -> `_preload_cuda_deps`). The CPU-only
wheels live on the PyTorch index, which we cannot reach (PyPI only).

What it does
------------
The dynamic loader only needs each missing library to *exist*, to carry the
symbol versions the torch libraries ask for (e.g. `cudaMalloc@libcudart.so.13`)
and to define the symbols that are bound at load time. Function calls are bound
lazily and none of these functions is reached on the CPU code path. So for each
missing library we compile a tiny stub .so (a few KB) in which every referenced
function returns an error code:

* `cudaGetDeviceCount` sets the count to 0 and returns cudaErrorNoDevice, so
  `torch.cuda.is_available()` is simply False (the normal CPU-machine answer);
* functions whose name says they return a message (`*GetErrorString`, ...)
  return a static string, so an error report never dereferences garbage;
* `cudaGetLastError`/`cudaPeekAtLastError` return success (nothing pending);
* everything else returns 999 (not a success code in any CUDA library).

The CPU kernels torch runs (libtorch_cpu.so with its bundled MKL/oneDNN) are
PyPI's own bits, untouched. The stubs go into the `nvidia/cuXX/lib` folder that
the torch libraries already list in their RPATH, so no environment variable is
needed at run time. `libcuda.so.1` (the driver) is never stubbed: only the
libraries in the load closure of `torch._C` are, and torch dlopens the driver
itself, finding none, as on any machine without a GPU.

Usage: torch_cuda_stubs.py SITE_PACKAGES_DIR   (needs readelf and gcc)
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

MARKER = "SPARKS_CUDA_STUBS.txt"


def readelf(*args: str) -> str:
    return subprocess.run(["readelf", "-W", *args], check=True, capture_output=True, text=True).stdout


def needed(path: Path) -> list[str]:
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", readelf("-d", str(path)))


def rpath(path: Path) -> list[str]:
    m = re.search(r"\((?:RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[([^\]]*)\]", readelf("-d", str(path)))
    return m.group(1).split(":") if m else []


def verneed(path: Path) -> dict[str, str]:
    """Version name -> file that must define it."""
    out, current = {}, None
    for line in readelf("-V", str(path)).splitlines():
        m = re.search(r"File: (\S+)", line)
        if m:
            current = m.group(1)
            continue
        m = re.search(r"Name: (\S+)\s+Flags", line)
        if m and current:
            out[m.group(1)] = current
    return out


def dynsyms(path: Path):
    """Yield (name, version or None, type, bind, undefined) for each dynamic symbol."""
    for line in readelf("--dyn-syms", str(path)).splitlines():
        parts = line.split()
        if len(parts) < 8 or not parts[0].rstrip(":").isdigit():
            continue
        typ, bind, ndx, full = parts[3], parts[4], parts[6], parts[7]
        name, _, ver = full.partition("@")
        ver = ver.lstrip("@") or None
        if name:
            yield name, ver, typ, bind, ndx == "UND"


def system_libs() -> dict[str, Path]:
    out = {}
    for line in subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout.splitlines():
        m = re.match(r"\s*(\S+) \((?:[^)]*x86-64[^)]*|[^)]*64bit[^)]*)\) => (\S+)", line)
        if m:
            out.setdefault(m.group(1), Path(m.group(2)))
    return out


def stub_body(name: str, typ: str) -> str:
    """C definition for one symbol; asm labels allow any symbol spelling."""
    ident = "s_" + re.sub(r"\W", "_", name)
    label = f'__asm__("{name}")'
    if typ == "OBJECT":
        return f"char {ident}[256] {label};"
    if name == "cudaGetDeviceCount":
        return f"int {ident}(int *n) {label};\nint {ident}(int *n) {{ if (n) *n = 0; return 100; }}"
    if name in ("cudaGetLastError", "cudaPeekAtLastError"):
        return f"int {ident}(void) {label};\nint {ident}(void) {{ return 0; }}"
    if re.search(r"(Error|Status|Result)(String|Name)$|GetErrorString|GetString$", name):
        return f"const char *{ident}(void) {label};\nconst char *{ident}(void) {{ return MSG; }}"
    return f"long {ident}(void) {label};\nlong {ident}(void) {{ return 999; }}"


def main() -> int:
    site = Path(sys.argv[1]).resolve()
    torch_dir = site / "torch"
    torch_lib = torch_dir / "lib"
    sysl = system_libs()

    # Where the torch libraries look first for CUDA libraries: pick the
    # generic `nvidia/cuXX/lib` entry of libtorch_cpu's RPATH.
    slots = [p for p in rpath(torch_lib / "libtorch_cpu.so") if re.search(r"nvidia/cu\d+/lib$", p)]
    if not slots:
        print("no nvidia/cuXX/lib RPATH entry: is this a CPU-only torch? nothing to do")
        return 0
    stub_dir = Path(slots[0].replace("$ORIGIN", str(torch_lib))).resolve()
    if stub_dir.exists() and not (stub_dir / MARKER).exists():
        print(f"{stub_dir} holds real CUDA libraries; leaving it alone")
        return 0

    def locate(soname: str) -> Path | None:
        for d in (torch_lib, stub_dir):
            if (d / soname).exists() and not (d / MARKER).exists():
                return d / soname
        return sysl.get(soname)

    # Breadth-first over DT_NEEDED from the modules `import torch` loads.
    roots = sorted(torch_dir.glob("_C*.so")) + [torch_lib / "libtorch_global_deps.so"]
    seen: dict[str, Path] = {}
    missing: set[str] = set()
    order: list[Path] = []
    queue = list(roots)
    while queue:
        p = queue.pop(0)
        if str(p) in seen:
            continue
        seen[str(p)] = p
        order.append(p)
        for so in needed(p):
            loc = locate(so)
            if loc is None:
                missing.add(so)
            elif str(loc) not in seen:
                queue.append(loc)

    if not missing:
        print("all libraries present; no stubs needed")
        return 0

    defined: set[str] = set()
    for p in order:
        defined.update(n for n, _, _, _, und in dynsyms(p) if not und)

    # symbol -> (library, version, type)
    wanted: dict[str, dict[str, tuple[str | None, str]]] = {m: {} for m in sorted(missing)}
    for p in order:
        vers = verneed(p)
        miss_here = sorted(so for so in needed(p) if so in missing)
        for name, ver, typ, bind, und in dynsyms(p):
            if not und or bind == "WEAK":
                continue
            if ver is not None:
                lib = vers.get(ver)
                if lib in missing:
                    wanted[lib][name] = (ver, typ)
            elif name not in defined and miss_here:
                # Unversioned (e.g. NCCL): symbol lookup is global, so any
                # loaded stub can define it; prefer one whose name fits.
                lib = next((so for so in miss_here if name.lower().startswith(so[3:7].lower())), miss_here[0])
                wanted[lib].setdefault(name, (None, typ))

    stub_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for lib, syms in wanted.items():
            c = Path(tmp) / "stub.c"
            c.write_text(
                f'/* stub {lib}: no CUDA here */\n#define MSG "CUDA is not available (stub {lib})"\n'
                + "\n".join(stub_body(n, t) for n, (_, t) in sorted(syms.items()))
                + "\n"
            )
            cmd = ["gcc", "-shared", "-fPIC", "-O1", "-o", str(stub_dir / lib), str(c), f"-Wl,-soname,{lib}"]
            versions = sorted({v for v, _ in syms.values() if v})
            if len(versions) > 1:
                raise SystemExit(f"{lib}: several symbol versions {versions}; not handled")
            if versions:
                vs = Path(tmp) / "vs.map"
                vs.write_text(f"{versions[0]} {{ global: *; }};\n")
                cmd.append(f"-Wl,--version-script={vs}")
            subprocess.run(cmd, check=True)
            print(f"stub {lib}: {len(syms)} symbols")
    (stub_dir / MARKER).write_text(
        "These libraries are stubs made by scripts/memory/torch_cuda_stubs.py (Sparks):\n"
        "PyPI's torch links CUDA libraries; this environment runs torch on CPU only.\n"
        "Every function here fails with an error code. Delete this folder to undo.\n"
    )
    print(f"stubs written to {stub_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
