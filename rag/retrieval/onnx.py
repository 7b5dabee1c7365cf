"""The packaged MiniLM as ONNX with int8 weights: exported and quantised once, offline, from the
installed sentence-transformers folder; run with onnxruntime (mean pooling and L2 normalisation
done here, as sentence-transformers does them). Faster on a CPU than the torch model; its
vectors differ slightly, so they are cached under a name of their own."""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path

import numpy as np

from rag.errors import ModelError
from rag.retrieval.embedding import read_limit

log = logging.getLogger(__name__)
ONNX_FILE = "model_int8.onnx"


def export_int8(folder: Path, target: Path) -> Path:
    """`target`/model_int8.onnx from the sentence-transformers `folder` (once; idempotent)."""
    out = target / ONNX_FILE
    if out.is_file():
        return out
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from transformers import AutoModel
    except ImportError:
        raise ModelError(
            "the onnx embedder needs onnxruntime and onnx: pip install 'footnote[onnx]'"
        ) from None
    target.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # the exporter's tracer warnings concern other models
        warnings.simplefilter("ignore")
        return _export(folder, target, out, torch, AutoModel, quantize_dynamic, QuantType)


def _export(folder, target, out, torch, AutoModel, quantize_dynamic, QuantType) -> Path:  # noqa: N803
    bert = AutoModel.from_pretrained(folder, local_files_only=True).eval()

    class Encoder(torch.nn.Module):  # keyword inputs: the exporter passes them positionally
        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    model = Encoder().eval()
    names = ["input_ids", "attention_mask", "token_type_ids"]
    example = tuple(torch.ones((1, 8), dtype=torch.long) for _ in names)
    fp32 = target / "model_fp32.onnx"
    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]}
    with torch.no_grad():
        torch.onnx.export(
            model, example, str(fp32), input_names=names, output_names=["last_hidden_state"],
            dynamic_axes=axes, opset_version=17, dynamo=False,
        )  # fmt: skip
    partial = target / (ONNX_FILE + ".partial")
    quantize_dynamic(str(fp32), str(partial), weight_type=QuantType.QInt8)
    fp32.unlink()
    partial.replace(out)
    log.info("exported %s to %s", folder, out)
    return out


class OnnxEmbedder:
    """MiniLM int8 on onnxruntime; `folder` is the sentence-transformers folder (tokenizer,
    maximum length), `target` where the exported model lives. Loads on first use."""

    def __init__(
        self,
        folder: str,
        target: Path,
        name: str,
        dim: int = 384,
        batch_size: int = 16,
        max_tokens: int = 0,
    ):
        self.folder, self.target = Path(folder), target
        self.name, self.dim, self.batch_size = name, dim, batch_size
        self.max_tokens = max_tokens  # 0: the model's own limit
        self._session = self._tokenizer = None

    def warm_up(self) -> None:
        if self._session is not None:
            return
        import onnxruntime
        from tokenizers import Tokenizer

        path = export_int8(self.folder, self.target)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        self._session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        limit = read_limit(_max_length(self.folder), self.max_tokens)
        self._tokenizer.enable_truncation(max_length=limit)
        self._tokenizer.enable_padding()

    def embed(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        order = np.argsort([len(t) for t in texts])  # similar lengths pad little
        out = np.zeros((len(texts), self.dim), np.float32)
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self._batch([texts[i] for i in rows])
        return out

    def _batch(self, texts: list[str]) -> np.ndarray:
        encoded = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], np.int64)
        mask = np.array([e.attention_mask for e in encoded], np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]  # (batch, tokens, dim)
        summed = (hidden * mask[..., None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True).clip(1e-12)


def _max_length(folder: Path) -> int:
    try:
        return int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256
