"""Model files: where the packaged models come from, how they are assembled and verified."""

from rag.models.packaged import (
    EMBEDDER_NAME,
    MPNET,
    QWEN_05B,
    QWEN_15B,
    PackagedFile,
    embedder_path,
    generator_path,
    install_generator,
    install_judge_embedder,
)

__all__ = [
    "EMBEDDER_NAME",
    "MPNET",
    "QWEN_05B",
    "QWEN_15B",
    "PackagedFile",
    "embedder_path",
    "generator_path",
    "install_generator",
    "install_judge_embedder",
]
