"""Image input tokens (costgate.tokens.images): every example the providers publish,
worked by hand in the comments; the rule table; parsing and its errors; invariants of
each formula under hypothesis."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costgate.errors import CostgateError
from costgate.tokens import ImageCount, image_tokens, parse_image
from costgate.tokens.images import (
    DETAILS,
    MAX_SIDE,
    RULES,
    AnthropicPixels,
    GeminiResolution,
    GeminiTiles,
    OpenAIPatches,
    OpenAITiles,
    image_rule,
)


def tokens(model: str, provider: str, w: int, h: int, detail="auto") -> int:
    return image_tokens(model, provider, w, h, detail).tokens


# ------------------------------------------------------------------ OpenAI, tiles

def test_openai_1024_square_high_is_765():
    # 1024 <= 2048: no fit; short side 1024 > 768: scale to 768x768;
    # ceil(768/512) x ceil(768/512) = 2 x 2 = 4 tiles; 85 + 170 x 4 = 765
    assert image_tokens("gpt-4o", "openai", 1024, 1024, "high") == ImageCount(
        765, True, "openai-tiles", "https://platform.openai.com/docs/guides/images-vision#calculating-costs")


def test_openai_2048x4096_high_is_1105():
    # fit 2048: 1024x2048; short 1024 -> 768: 768x1536; 2 x 3 = 6 tiles; 85 + 170 x 6 = 1105
    assert tokens("gpt-4o", "openai", 2048, 4096, "high") == 1105


def test_openai_low_detail_is_the_base_whatever_the_size():
    # 4096x8192 at detail low: the fixed base, 85
    assert tokens("gpt-4o", "openai", 4096, 8192, "low") == 85
    assert tokens("gpt-4o", "openai", 1, 1, "low") == 85


def test_openai_auto_is_counted_as_high():
    assert tokens("gpt-4o", "openai", 1024, 1024, "auto") == tokens("gpt-4o", "openai", 1024, 1024, "high") == 765


def test_openai_small_images_are_not_enlarged():
    # 128x64: short side 64 <= 768 stays; 1 x 1 tile; 85 + 170 = 255. (Measured: 267 prompt
    # tokens with five words of text on gpt-4o, 97 at low: the image is 255 and 85.)
    assert tokens("gpt-4o", "openai", 128, 64, "high") == 255
    # 513x500: 2 x 1 tiles = 85 + 340 = 425; 513x513: 2 x 2 = 765
    assert tokens("gpt-4o", "openai", 513, 500, "high") == 425
    assert tokens("gpt-4o", "openai", 513, 513, "high") == 765


def test_openai_resized_sides_round_to_nearest():
    # Community-measured bills on gpt-4.1 (prompt tokens, about 8 of them text):
    # 2049x513 -> 1453 and 2050x513 -> 773. Fit 2048: 513 x 2048/2049 = 512.75 -> 513,
    # 2 x 4 = 8 tiles, 85 + 170 x 8 = 1445; 513 x 2048/2050 = 512.4995 -> 512, 1 x 4 = 4
    # tiles, 85 + 680 = 765. Truncating would make the first 765 as well.
    assert tokens("gpt-4.1", "openai", 2049, 513, "high") == 1445
    assert tokens("gpt-4.1", "openai", 2050, 513, "high") == 765


@pytest.mark.parametrize("model, base, per_tile", [
    ("gpt-4o", 85, 170), ("gpt-4.1", 85, 170), ("gpt-4.5-preview", 85, 170), ("gpt-4-turbo", 85, 170),
    ("gpt-4o-mini", 2833, 5667), ("o1", 75, 150), ("o3", 75, 150), ("gpt-5", 70, 140),
    ("computer-use-preview", 65, 129),
])
def test_openai_tile_constants_per_model(model, base, per_tile):
    assert tokens(model, "openai", 100, 100, "low") == base
    assert tokens(model, "openai", 1024, 1024, "high") == base + 4 * per_tile


def test_gpt_4o_mini_1024_square():
    # 2833 + 5667 x 4 = 25,501: the same price per image as gpt-4o at 1/16 of the rate
    assert tokens("gpt-4o-mini", "openai", 1024, 1024, "high") == 25501


# ---------------------------------------------------------------- OpenAI, patches

def test_openai_patches_published_examples():
    p = OpenAIPatches(Fraction(1))
    # 1024x1024: ceil(1024/32) x ceil(1024/32) = 32 x 32 = 1024 <= 1536
    assert p.patches(1024, 1024) == 1024
    # 1800x2400: 57 x 75 = 4275 > 1536; r = sqrt(32² x 1536 / (1800 x 2400)) = 0.603;
    # 1800r/32 = 33.94 -> 33, 2400r/32 = 45.26 -> 45; width ratio 33/33.94 = 0.972 is the
    # smaller, so r x 0.972: 1056 x 1408 px = 33 x 44 = 1452 patches
    assert p.patches(1800, 2400) == 1452
    assert p.patches(2400, 1800) == 1452


@pytest.mark.parametrize("model, multiplier", [("gpt-4.1-mini", "1.62"), ("gpt-4.1-nano", "2.46"),
                                               ("o4-mini", "1.72"), ("gpt-5-mini", "1.62"), ("gpt-5-nano", "2.46")])
def test_openai_patch_models_multiply_and_round_up(model, multiplier):
    # 1024 patches x 1.62 = 1658.88 -> 1659; x 2.46 = 2519.04 -> 2520; x 1.72 = 1761.28 -> 1762
    expected = {"1.62": 1659, "2.46": 2520, "1.72": 1762}[multiplier]
    count = image_tokens(model, "openai", 1024, 1024, "high")
    assert count.tokens == expected and count.rule == "openai-patches"
    # 1800x2400: 1452 x 1.62 = 2352.24 -> 2353
    if multiplier == "1.62":
        assert tokens(model, "openai", 1800, 2400) == 2353


def test_openai_patch_models_ignore_detail():
    # 640x480: 20 x 15 = 300 patches x 1.62 = 486, at any detail
    assert {tokens("gpt-4.1-mini", "openai", 640, 480, d) for d in DETAILS} == {486}


def test_gpt5_small_models_are_not_exact():
    # The guide gives 1.62 / 2.46; OpenAI's pricing calculator and measured bills 1.2 / 1.5.
    assert not image_tokens("gpt-5-mini", "openai", 64, 64).exact
    assert "1.2 and 1.5" in image_tokens("gpt-5-nano", "openai", 64, 64).source
    assert image_tokens("gpt-4.1-mini", "openai", 64, 64).exact


def test_openai_patch_slivers_hit_the_cap_not_zero():
    # 1x100000: 1 x 3125 patches > 1536; the width cannot shrink below one patch, so the
    # count is capped at the budget
    assert OpenAIPatches(Fraction(1)).patches(1, 100_000) == 1536


# ---------------------------------------------------------------------- Anthropic

@pytest.mark.parametrize("w, h, expected", [
    (200, 200, 54),  # 40,000 / 750 = 53.3 -> ~54, Anthropic's table
    (1000, 1000, 1334),  # 1,000,000 / 750 = 1333.3 -> ~1334
    (1092, 1092, 1590),  # 1,192,464 / 750 = 1589.95 -> ~1590
])
def test_anthropic_published_table(w, h, expected):
    count = image_tokens("claude-sonnet-4-5", "anthropic", w, h)
    assert count == ImageCount(expected, False, "anthropic-pixels",
                               "https://docs.anthropic.com/en/docs/build-with-claude/vision#calculate-image-costs")


def test_anthropic_large_images_are_scaled_down():
    # 4000x3000: long edge 4000 > 1568 -> 1568x1176 (= 2458 tokens, over ~1600), then to
    # 1.2 MP: isqrt(1,200,000 x 1568 / 1176) = isqrt(1,600,000) = 1264,
    # isqrt(1,200,000 x 1176 / 1568) = isqrt(900,000) = 948; 1264 x 948 / 750 = 1597.7 -> 1598
    assert tokens("claude-opus-4-6", "anthropic", 4000, 3000) == 1598
    # a 1568-px long edge alone: 1568x100 = 156,800 / 750 = 209.07 -> 210, unscaled
    assert tokens("claude-opus-4-6", "anthropic", 1568, 100) == 210


def test_anthropic_dated_snapshot_ids_match():
    assert tokens("claude-opus-4-20250514", "anthropic", 200, 200) == 54
    with pytest.raises(CostgateError, match="no image token rule"):
        image_tokens("claude-opus-4-7", "anthropic", 200, 200)  # a larger native size: not this rule


# ------------------------------------------------------------------------- Gemini

def test_gemini_small_image_is_one_tile():
    # both sides <= 384: 258
    assert image_tokens("gemini-2.5-flash", "google", 384, 384) == ImageCount(
        258, False, "gemini-tiles", "https://ai.google.dev/gemini-api/docs/image-understanding#token-calculation")


def test_gemini_published_960x540_is_six_tiles():
    # crop unit floor(540 / 1.5) = 360; ceil(960/360) x ceil(540/360) = 3 x 2 = 6 tiles x 258
    assert tokens("gemini-2.0-flash", "google", 960, 540) == 6 * 258 == 1548


def test_gemini_crop_unit_has_a_floor():
    # 1000x100: floor(100/1.5) = 66 would make 16 x 2 = 32 tiles; with the 256-px minimum
    # crop unit, ceil(1000/256) x ceil(100/256) = 4 x 1 = 4 tiles
    assert tokens("gemini-2.5-pro", "google", 1000, 100) == 4 * 258


def test_gemini_3_uses_media_resolution_budgets():
    # MEDIA_RESOLUTION_HIGH, the image default: 1120 whatever the size; low: 280
    assert tokens("gemini-3-pro-preview", "google", 4000, 3000) == 1120
    assert tokens("gemini-3-flash-preview", "google", 10, 10, "low") == 280
    assert image_tokens("gemini-3-flash-preview", "google", 10, 10).rule == "gemini-media-resolution"


# --------------------------------------------------------------------- the table

@pytest.mark.parametrize("model, provider", [
    ("gpt-3.5-turbo", "openai"), ("gpt-4", "openai"), ("gpt-5.2", "openai"), ("o3-mini", "openai"),
    ("text-embedding-3-small", "openai"), ("mistral-large-2411", "mistral"), ("deepseek-chat", "deepseek"),
    ("llama-4-scout", "meta"), ("gpt-4o", "azure"), ("gpt-4o-minimal", "openai"),
])
def test_models_without_a_published_rule_are_errors(model, provider):
    with pytest.raises(CostgateError, match=f"no image token rule for model '{model}'") as e:
        image_tokens(model, provider, 100, 100)
    assert e.value.hint and "leave them out" in e.value.hint


def test_snapshots_and_prefixes():
    assert image_rule("gpt-4o-2024-08-06", "openai").formula == OpenAITiles(85, 170)
    assert image_rule("gpt-4o-mini-2024-07-18", "openai").formula == OpenAITiles(2833, 5667)
    assert image_rule("gpt-4.1-mini", "openai").formula == OpenAIPatches(Fraction("1.62"))
    assert image_rule("gemini-2.0-flash-001", "google").formula == GeminiTiles()


def test_every_shipped_vision_model_has_a_rule_or_says_why_not():
    """Each model of the shipped price table either counts an image or raises the one clean
    error; none crashes."""
    from costgate.pricing import load_table

    table = load_table()
    counted = set()
    for m in table.models.values():
        try:
            image_tokens(m.id, m.provider, 800, 600)
            counted.add(m.id)
        except CostgateError as exc:
            assert "no image token rule" in exc.message
    assert {"gpt-4o", "gpt-4o-mini", "gpt-4.1-mini", "o4-mini", "claude-sonnet-4-5", "gemini-2.5-pro",
            "gemini-3-pro-preview"} <= counted


def test_every_rule_cites_a_source():
    for rule in RULES:
        assert rule.source.startswith("https://"), rule
        assert rule.models


@pytest.mark.parametrize("w, h, detail, message", [
    (0, 10, "auto", "width 0 is out of range"),
    (10, MAX_SIDE + 1, "auto", "height 100001 is out of range"),
    (True, 10, "auto", "width must be a whole number"),
    (10.0, 10, "auto", "width must be a whole number"),
    (10, 10, "medium", "detail 'medium' is not low, high or auto"),
])
def test_image_tokens_checks_its_arguments(w, h, detail, message):
    with pytest.raises(CostgateError, match=message):
        image_tokens("gpt-4o", "openai", w, h, detail)


# ------------------------------------------------------------------------ parsing

@pytest.mark.parametrize("value, expected", [
    ("1024x768", (1024, 768, "auto")),
    ("1024X768:low", (1024, 768, "low")),
    (" 1024 x 768 : HIGH ", (1024, 768, "high")),
    ("1x100000:auto", (1, 100_000, "auto")),
    ({"width": 640, "height": 480}, (640, 480, "auto")),
    ({"width": 640, "height": 480, "detail": "low"}, (640, 480, "low")),
])
def test_parse_image_accepts(value, expected):
    assert parse_image(value, "calls[0].images[0]") == expected


@pytest.mark.parametrize("value, message", [
    ("1024", "image '1024' is not WxH or WxH:detail"),
    ("1024x", "is not WxH"),
    ("-5x5", "is not WxH"),
    ("1.5x2", "is not WxH"),
    ("10x10:", "is not WxH"),
    ("1234567890x1", "is not WxH"),
    ("0x768", "width 0 is out of range"),
    ("768x100001", "height 100001 is out of range"),
    ("10x10:medium", "detail 'medium' is not low, high or auto"),
    ({"width": 10}, "width and height are required"),
    ({"width": 10, "height": 10, "dpi": 72}, "unknown key 'dpi'"),
    ({"width": "10", "height": 10}, "width must be a whole number of pixels, not '10'"),
    ({"width": 10, "height": False}, "height must be a whole number"),
    ({"width": 10, "height": 10, "detail": None}, "detail None is not low"),
    ({"width": 10, "height": 10, "detail": "LOW"}, "detail 'LOW' is not low"),
    ([1024, 768], "an image is WxH[:detail] or a mapping"),
    (None, "an image is WxH[:detail] or a mapping"),
    ("x" * 500, "..."),
])
def test_parse_image_errors_name_where_and_the_fix(value, message):
    with pytest.raises(CostgateError) as e:
        parse_image(value, "samples row 3 images[1]")
    text = str(e.value)
    assert text.startswith("samples row 3 images[1]: ") and message in text
    assert "1024x768:low" in (e.value.hint or "")
    assert len(e.value.message) < 120  # a long value is cut, never echoed whole


@given(st.integers(1, MAX_SIDE), st.integers(1, MAX_SIDE), st.sampled_from(DETAILS))
def test_parse_image_round_trips(w, h, detail):
    assert parse_image(f"{w}x{h}:{detail}", "x") == (w, h, detail)
    assert parse_image({"width": w, "height": h, "detail": detail}, "x") == (w, h, detail)


# --------------------------------------------------------------------- invariants

sides = st.integers(1, MAX_SIDE)
FORMULAS = [OpenAITiles(85, 170), OpenAITiles(2833, 5667), OpenAIPatches(Fraction("1.62")), AnthropicPixels(),
            GeminiTiles(), GeminiResolution()]


@given(sides, sides, st.sampled_from(DETAILS), st.sampled_from(FORMULAS))
def test_every_formula_is_positive_and_symmetric(w, h, detail, formula):
    """Turning an image on its side never changes what it costs."""
    n = formula.count(w, h, detail)
    assert n > 0 and n == formula.count(h, w, detail)


@given(sides, sides)
def test_openai_tiles_are_bounded_and_low_is_constant(w, h):
    # after the fit and the short-side step an image is at most 2048 x 768: 4 x 2 = 8 tiles
    f = OpenAITiles(85, 170)
    assert f.count(w, h, "low") == 85
    assert 85 + 170 <= f.count(w, h, "high") <= 85 + 8 * 170
    assert f.count(w, h, "auto") == f.count(w, h, "high")


@given(st.integers(1, 2047), st.integers(1, 768))
def test_openai_tiles_never_decrease_as_an_unscaled_image_grows(w, h):
    # within 2048 x 768 nothing is resized: one more pixel of width never costs less
    f = OpenAITiles(85, 170)
    assert f.count(w + 1, h, "high") >= f.count(w, h, "high")


@given(sides, sides)
def test_openai_patches_stay_within_the_budget_and_never_exceed_the_raw_cover(w, h):
    p = OpenAIPatches(Fraction("1.62"))
    raw = -(-w // 32) * -(-h // 32)
    assert 1 <= p.patches(w, h) <= min(raw, 1536)
    assert p.count(w, h, "high") <= 2489  # 1536 x 1.62 = 2488.32, rounded up


@given(st.integers(1, 2048), st.integers(1, 2048))
def test_openai_patches_grow_with_the_image_until_the_budget(w, h):
    # while the cover fits the budget nothing is resized: one more pixel never costs less
    p = OpenAIPatches(Fraction(1))
    if -(-(w + 1) // 32) * -(-h // 32) <= 1536:
        assert p.patches(w + 1, h) >= p.patches(w, h)


@given(sides, sides)
def test_anthropic_is_capped_and_monotone_below_the_cap(w, h):
    a = AnthropicPixels()
    n = a.count(w, h, "auto")
    assert 1 <= n <= 1600
    if max(w, h) < 1568 and (w + 1) * h <= 1_200_000:
        assert a.count(w + 1, h, "auto") >= n


@given(sides, sides, st.sampled_from(DETAILS))
def test_gemini_tiles_are_whole_tiles_and_ignore_detail(w, h, detail):
    g = GeminiTiles()
    n = g.count(w, h, detail)
    assert n % 258 == 0 and n == g.count(w, h, "auto")
    if max(w, h) > 384:
        assert n >= 2 * 258  # a larger image is at least two crop units
