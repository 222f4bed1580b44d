"""Image input tokens, by each provider's published formula.

A request that sends an image is billed for it as input tokens, and every provider
counts them differently: OpenAI in 512-px tiles or 32-px patches, Anthropic by pixel
area, Google in 768-px tiles or fixed media-resolution budgets. The formulas are data
here: ``RULES`` is a table of rows (provider, model ids, formula parameters, source),
and ``image_tokens`` finds the row for a model and applies its formula, a small pure
function of width, height and detail. A new model is one row; a new kind of formula
is one frozen dataclass with a ``count`` method.

Every count is made with integers and fractions, never floats, so a published example
(1024x1024 high on gpt-4o is 765) comes out exactly, on every platform.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from math import ceil, isqrt
from typing import ClassVar, Literal, Protocol

from ..errors import CostgateError

Detail = Literal["low", "high", "auto"]
DETAILS: tuple[Detail, ...] = ("low", "high", "auto")
MAX_SIDE = 100_000
"""Largest width or height accepted, in pixels: far beyond what any provider takes (Anthropic
refuses over 8000, OpenAI over 20 MB), small enough that no count can overflow or crawl."""

OPENAI_GUIDE = "https://platform.openai.com/docs/guides/images-vision#calculating-costs"
ANTHROPIC_GUIDE = "https://docs.anthropic.com/en/docs/build-with-claude/vision#calculate-image-costs"
GEMINI_GUIDE = "https://ai.google.dev/gemini-api/docs/image-understanding#token-calculation"
GEMINI_RESOLUTION = "https://ai.google.dev/gemini-api/docs/media-resolution#token-counts"


@dataclass(frozen=True)
class ImageCount:
    """The input tokens one image costs on one model, and how sure that number is."""

    tokens: int
    """Input tokens billed for the image, before any caching or batch discount."""
    exact: bool
    """True when the provider publishes the formula for this model as exact; False when it
    calls it approximate or rough, or its own documents disagree."""
    rule: str
    """Which formula counted it: openai-tiles, openai-patches, anthropic-pixels, gemini-tiles,
    gemini-media-resolution."""
    source: str
    """Where the formula is published (and, where they differ, what else was found)."""


class Formula(Protocol):
    """What a rule's parameters must do: name the formula and count one image."""

    name: ClassVar[str]

    def count(self, width: int, height: int, detail: Detail) -> int: ...


def _cdiv(a: int, b: int) -> int:
    """Integer division rounded up."""
    return -(-a // b)


def _px(x: Fraction) -> int:
    """A resized side in whole pixels. OpenAI does not say how it rounds; measured bills
    (2049x513 and 2050x513 on gpt-4.1, see the tests) match rounding to nearest, ties to
    even, which is what ``round`` does on a Fraction. Never below one pixel."""
    return max(1, round(x))


@dataclass(frozen=True)
class OpenAITiles:
    """OpenAI's tile formula (GPT-4o, GPT-4.1, GPT-4.5, GPT-5, o1, o3). ``detail: low``
    costs ``base`` alone. ``high``: fit within ``fit`` x ``fit``, shrink so the short side
    is ``short`` (never enlarge: a 128x64 image is billed one tile), then ``base`` plus
    ``per_tile`` for each ``tile``-px square needed to cover the image. ``auto`` lets
    OpenAI choose by image size, which we cannot see coming; it is counted as ``high``,
    the worst case, so an estimate never undercounts."""

    name: ClassVar[str] = "openai-tiles"
    base: int
    per_tile: int
    fit: int = 2048
    short: int = 768
    tile: int = 512

    def count(self, width: int, height: int, detail: Detail) -> int:
        if detail == "low":
            return self.base
        w, h = width, height
        if max(w, h) > self.fit:
            scale = Fraction(self.fit, max(w, h))
            w, h = _px(w * scale), _px(h * scale)
        if min(w, h) > self.short:
            scale = Fraction(self.short, min(w, h))
            w, h = _px(w * scale), _px(h * scale)
        return self.base + self.per_tile * _cdiv(w, self.tile) * _cdiv(h, self.tile)


@dataclass(frozen=True)
class OpenAIPatches:
    """OpenAI's patch formula (GPT-4.1 mini/nano, o4-mini, GPT-5 mini/nano): the number of
    ``patch``-px squares covering the image; over ``budget``, the image is shrunk (keeping
    its aspect) until it fits, then the count is capped at ``budget``; tokens are patches
    times the model's ``multiplier``, rounded up. ``detail`` does not apply."""

    name: ClassVar[str] = "openai-patches"
    multiplier: Fraction
    patch: int = 32
    budget: int = 1536

    def count(self, width: int, height: int, detail: Detail) -> int:
        return ceil(self.patches(width, height) * self.multiplier)

    def patches(self, width: int, height: int) -> int:
        """Patches billed before the multiplier. OpenAI's shrink factor is
        r = sqrt(patch² x budget / (w x h)), then r x min(floor(w·r/patch) / (w·r/patch), the
        same for h), so one side lands on a whole number of patches. In patch units
        w·r/patch = sqrt(budget·w/h), whose floor is isqrt(budget·w // h): the same numbers
        with integers, no square roots in floating point."""
        p = self.patch
        raw = _cdiv(width, p) * _cdiv(height, p)
        if raw <= self.budget:
            return raw
        fw = isqrt(self.budget * width // height)  # whole patches across, after shrinking
        fh = isqrt(self.budget * height // width)  # whole patches down
        if fw * height <= fh * width:  # the width snaps first: it sets the scale
            pw = max(1, fw)
            ph = _cdiv(pw * height, width)
        else:
            ph = max(1, fh)
            pw = _cdiv(ph * width, height)
        return min(pw * ph, self.budget)


@dataclass(frozen=True)
class AnthropicPixels:
    """Anthropic's rule: tokens ≈ width x height / ``px_per_token``. An image whose long
    edge is over ``long_edge`` px, or that would cost over ~``max_tokens`` tokens, is first
    scaled down keeping its aspect. Rounded up, as Anthropic's own table does (200x200 is
    ~54, 1092x1092 ~1590). Anthropic calls the result approximate; ``detail`` does not
    apply."""

    name: ClassVar[str] = "anthropic-pixels"
    px_per_token: int = 750
    long_edge: int = 1568
    max_tokens: int = 1600

    def count(self, width: int, height: int, detail: Detail) -> int:
        w, h = width, height
        if max(w, h) > self.long_edge:
            scale = Fraction(self.long_edge, max(w, h))
            w, h = _px(w * scale), _px(h * scale)
        area = self.max_tokens * self.px_per_token
        if w * h > area:  # w·sqrt(area/(w·h)) = sqrt(area·w/h), floored: never over the cap
            w, h = max(1, isqrt(area * w // h)), max(1, isqrt(area * h // w))
        return _cdiv(w * h, self.px_per_token)


@dataclass(frozen=True)
class GeminiTiles:
    """Google's rule for Gemini 2.0 and 2.5: an image with both sides at most ``small`` px
    is ``per_tile`` tokens; a larger one is cut into crop units of about min(w, h) / 1.5,
    each scaled to a 768-px tile of ``per_tile`` tokens. Google calls this "a rough
    formula". It names no smallest crop unit for 2.x; the 256 px it gives for Gemini 1.5
    (``min_crop``) is used, so a 10-px-high strip is not billed as hundreds of tiles."""

    name: ClassVar[str] = "gemini-tiles"
    per_tile: int = 258
    small: int = 384
    min_crop: int = 256

    def count(self, width: int, height: int, detail: Detail) -> int:
        if width <= self.small and height <= self.small:
            return self.per_tile
        crop = max(self.min_crop, 2 * min(width, height) // 3)  # floor(min / 1.5)
        return self.per_tile * _cdiv(width, crop) * _cdiv(height, crop)


@dataclass(frozen=True)
class GeminiResolution:
    """Gemini 3: each image gets the token budget of its ``media_resolution`` level, not a
    size-based count. Google documents the budget as a maximum, so it is what we count:
    ``detail: low`` maps to MEDIA_RESOLUTION_LOW (``low``), ``high`` and ``auto`` to the
    default for images, MEDIA_RESOLUTION_HIGH (``high``). MEDIUM (560) and ULTRA_HIGH
    (2240) have no ``detail`` spelling yet."""

    name: ClassVar[str] = "gemini-media-resolution"
    low: int = 280
    high: int = 1120

    def count(self, width: int, height: int, detail: Detail) -> int:
        return self.low if detail == "low" else self.high


@dataclass(frozen=True)
class ImageRule:
    """One row of the table: which models of which provider count images how, and where
    that is written down."""

    provider: str
    models: tuple[str, ...]
    """Model ids; a dated snapshot of one (gpt-4o-2024-08-06, claude-opus-4-20250514,
    gemini-2.0-flash-001) or its -latest alias matches too, nothing else does."""
    formula: Formula
    exact: bool
    source: str

    def matches(self, model_id: str, provider: str) -> bool:
        return provider == self.provider and any(
            model_id == m or (model_id.startswith(m) and _SNAPSHOT.fullmatch(model_id[len(m):]))
            for m in self.models)


_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}|-\d{8}|-\d{3}|-latest")

_GPT5_SMALL = (f"{OPENAI_GUIDE} (multipliers 1.62 and 2.46 as the guide gives them; OpenAI's pricing-page "
               "calculator and measured bills use 1.2 and 1.5, so this may overcount: not exact)")

RULES: tuple[ImageRule, ...] = (
    ImageRule("openai", ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-4.5-preview"), OpenAITiles(85, 170), True,
              OPENAI_GUIDE),
    ImageRule("openai", ("gpt-4-turbo",), OpenAITiles(85, 170), True,
              f"{OPENAI_GUIDE} (the 2024 edition, for GPT-4 Turbo with vision)"),
    ImageRule("openai", ("gpt-4o-mini",), OpenAITiles(2833, 5667), True, OPENAI_GUIDE),
    ImageRule("openai", ("o1", "o1-pro", "o3"), OpenAITiles(75, 150), True, OPENAI_GUIDE),
    ImageRule("openai", ("gpt-5", "gpt-5-chat-latest"), OpenAITiles(70, 140), True, OPENAI_GUIDE),
    ImageRule("openai", ("computer-use-preview",), OpenAITiles(65, 129), True, OPENAI_GUIDE),
    ImageRule("openai", ("gpt-4.1-mini",), OpenAIPatches(Fraction("1.62")), True, OPENAI_GUIDE),
    ImageRule("openai", ("gpt-4.1-nano",), OpenAIPatches(Fraction("2.46")), True, OPENAI_GUIDE),
    ImageRule("openai", ("o4-mini",), OpenAIPatches(Fraction("1.72")), True, OPENAI_GUIDE),
    ImageRule("openai", ("gpt-5-mini",), OpenAIPatches(Fraction("1.62")), False, _GPT5_SMALL),
    ImageRule("openai", ("gpt-5-nano",), OpenAIPatches(Fraction("2.46")), False, _GPT5_SMALL),
    ImageRule("anthropic", ("claude-3-haiku", "claude-3-opus", "claude-3-5-haiku", "claude-3-5-sonnet",
                            "claude-3-7-sonnet", "claude-sonnet-4", "claude-opus-4", "claude-opus-4-1",
                            "claude-haiku-4-5", "claude-sonnet-4-5", "claude-opus-4-5", "claude-sonnet-4-6",
                            "claude-opus-4-6"), AnthropicPixels(), False, ANTHROPIC_GUIDE),
    ImageRule("google", ("gemini-2.0-flash", "gemini-2.0-flash-lite", "gemini-2.5-flash", "gemini-2.5-flash-lite",
                         "gemini-2.5-pro"), GeminiTiles(), False, GEMINI_GUIDE),
    ImageRule("google", ("gemini-3-flash-preview", "gemini-3-pro-preview"), GeminiResolution(), False,
              GEMINI_RESOLUTION),
)


def image_rule(model_id: str, provider: str) -> ImageRule:
    """The table row for a model; a model without one is an error, never a guess: a
    made-up image cost would look as trustworthy as a published one."""
    for rule in RULES:
        if rule.matches(model_id, provider):
            return rule
    known = sorted({m for r in RULES if r.provider == provider for m in r.models})
    hint = (f"costgate has the published image formula of these {provider} models: {', '.join(known)}"
            if known else f"costgate has no published image formula for any {provider} model")
    raise CostgateError(f"no image token rule for model {model_id!r}",
                        hint=hint + "; count the images on one of them, or leave them out")


def image_tokens(model_id: str, provider: str, width: int, height: int, detail: Detail = "auto") -> ImageCount:
    """Input tokens of one ``width`` x ``height`` image sent to ``model_id`` of ``provider``
    (the price table's model id and provider). ``detail`` is OpenAI's low/high/auto;
    ``auto`` is counted as ``high`` (OpenAI picks by image size, high is the worst case);
    rules without a detail setting ignore it."""
    where = f"image for {model_id}"
    _check_side(width, "width", where)
    _check_side(height, "height", where)
    if detail not in DETAILS:
        raise CostgateError(f"{where}: detail {detail!r} is not low, high or auto", hint=_FORMAT)
    rule = image_rule(model_id, provider)
    return ImageCount(rule.formula.count(width, height, detail), rule.exact, rule.formula.name, rule.source)


_FORMAT = 'write WxH or WxH:detail (1024x768, 1024x768:low) or {width: 1024, height: 768, detail: high}'
_STRING = re.compile(r"\s*(\d{1,9})\s*[xX]\s*(\d{1,9})\s*(?::\s*([A-Za-z]+)\s*)?")


def _check_side(value: object, name: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CostgateError(f"{where}: {name} must be a whole number of pixels, not {_short(value)}",
                            hint=_FORMAT)
    if not 1 <= value <= MAX_SIDE:
        raise CostgateError(f"{where}: {name} {value} is out of range (1 to {MAX_SIDE:,} px)", hint=_FORMAT)
    return value


def _check_detail(value: object, where: str) -> Detail:
    for d in DETAILS:
        if value == d:
            return d
    raise CostgateError(f"{where}: detail {_short(value)} is not low, high or auto", hint=_FORMAT)


def _short(value: object) -> str:
    """A value for a message: its repr, cut to 40 characters (it may come from a big file)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_image(value: object, where: str) -> tuple[int, int, Detail]:
    """An image as a spec or the command line writes it: ``{width: W, height: H, detail: D}``
    (detail optional) or ``"WxH"`` / ``"WxH:detail"``. Detail defaults to ``auto``. Anything
    else, a side outside 1..100,000 px, or an unknown detail is a CostgateError naming
    ``where`` and the expected forms."""
    if isinstance(value, str):
        m = _STRING.fullmatch(value)
        if not m:
            raise CostgateError(f"{where}: image {_short(value)} is not WxH or WxH:detail", hint=_FORMAT)
        width, height = int(m.group(1)), int(m.group(2))
        detail: object = m.group(3).lower() if m.group(3) else "auto"
    elif isinstance(value, dict):
        extra = sorted(str(k) for k in value if k not in ("width", "height", "detail"))
        if extra or "width" not in value or "height" not in value:
            what = f"unknown key {_short(extra[0])}" if extra else "width and height are required"
            raise CostgateError(f"{where}: image {what}", hint=_FORMAT)
        width, height, detail = value["width"], value["height"], value.get("detail", "auto")
    else:
        raise CostgateError(f"{where}: an image is WxH[:detail] or a mapping, not {_short(value)}", hint=_FORMAT)
    return (_check_side(width, "width", where), _check_side(height, "height", where),
            _check_detail(detail, where))
