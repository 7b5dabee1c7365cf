"""Model files: where the packaged models come from, how they are assembled and verified."""

from rag.models.packaged import (
    EMBEDDER_NAME,
    QWEN_05B,
    QWEN_15B,
    PackagedGGUF,
    embedder_path,
    generator_path,
    install_generator,
)

__all__ = [
    "EMBEDDER_NAME",
    "QWEN_05B",
    "QWEN_15B",
    "PackagedGGUF",
    "embedder_path",
    "generator_path",
    "install_generator",
]
