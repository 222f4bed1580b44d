"""Placeholder until the image-token module lands (replaced by it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import CostgateError

Detail = Literal["low", "high", "auto"]


@dataclass(frozen=True)
class ImageCount:
    tokens: int
    exact: bool
    rule: str
    source: str


def image_tokens(model_id: str, provider: str, width: int, height: int, detail: Detail = "auto") -> ImageCount:
    return ImageCount(85 if detail == "low" else 85 + 170 * -(-width // 512) * -(-height // 512), True, "stub", "")


def parse_image(value: object, where: str) -> tuple[int, int, Detail]:
    if isinstance(value, dict):
        return int(value["width"]), int(value["height"]), value.get("detail", "auto")
    raise CostgateError(f"{where}: bad image")
