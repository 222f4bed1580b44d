"""`costgate tokens --image`: one image's input tokens by the provider's published
formula, several images listed and summed, JSON, approximate rules, and bad input as
exit 2 with one message (the formulas themselves are in tests/tokens/test_images.py)."""

from __future__ import annotations

import io
import json

import pytest
from helpers import assert_clean_error

OPENAI_SOURCE = "https://platform.openai.com/docs/guides/images-vision#calculating-costs"


def test_one_image_text(run):
    # 1024x1024 high on gpt-4o: 768x768 after scaling, 4 tiles, 85 + 170 x 4 = 765
    assert run("tokens", "--model", "gpt-4o", "--image", "1024x1024:high") == (
        0, "765 tokens (gpt-4o, 1024x1024 high, openai-tiles)\n", "")


def test_default_model_and_detail(run):
    # gpt-4o is the default model, auto (counted as high) the default detail
    assert run("tokens", "--image", "1024x1024") == (0, "765 tokens (gpt-4o, 1024x1024 auto, openai-tiles)\n", "")


def test_low_detail(run):
    assert run("tokens", "--image", "4096x8192:low")[1] == "85 tokens (gpt-4o, 4096x8192 low, openai-tiles)\n"


def test_one_image_json(run):
    code, out, err = run("tokens", "-m", "gpt-4o", "--image", "2048x4096:high", "--format", "json")
    assert code == 0 and err == ""
    # fit 2048: 1024x2048; short side 768: 768x1536; 2 x 3 tiles; 85 + 170 x 6 = 1105
    assert json.loads(out) == {"schema_version": 1, "model": "gpt-4o",
                               "image": {"width": 2048, "height": 4096, "detail": "high"},
                               "tokens": 1105, "exact": True, "rule": "openai-tiles", "source": OPENAI_SOURCE}


def test_repeated_images_are_listed_and_summed(run):
    code, out, err = run("tokens", "--image", "1024x1024:high", "--image", "512x512:low")
    assert (code, err) == (0, "")
    assert out == ("765 tokens (gpt-4o, 1024x1024 high, openai-tiles)\n"
                   "85 tokens (gpt-4o, 512x512 low, openai-tiles)\n"
                   "850 tokens in total (2 images)\n")


def test_repeated_images_json(run):
    code, out, _ = run("tokens", "--image", "1024x1024:high", "--image", "512x512:low", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["tokens"] == 765 + 85 and doc["exact"] is True and doc["model"] == "gpt-4o"
    assert [i["image"] for i in doc["images"]] == [{"width": 1024, "height": 1024, "detail": "high"},
                                                   {"width": 512, "height": 512, "detail": "low"}]
    assert [i["tokens"] for i in doc["images"]] == [765, 85]


def test_patch_model(run):
    # gpt-4.1-mini: 32 x 32 = 1024 patches x 1.62 = 1658.88, rounded up
    assert run("tokens", "-m", "gpt-4.1-mini", "--image", "1024x1024")[1] == (
        "1659 tokens (gpt-4.1-mini, 1024x1024 auto, openai-patches)\n")


def test_approximate_rule_is_marked(run):
    # Anthropic: 1092 x 1092 / 750 = 1589.95 -> ~1590; 200 x 200 / 750 = 53.3 -> ~54
    code, out, err = run("tokens", "-m", "claude-sonnet-4-5", "--image", "1092x1092", "--image", "200x200")
    assert code == 0
    assert out == ("~1590 tokens (claude-sonnet-4-5, 1092x1092 auto, anthropic-pixels)\n"
                   "~54 tokens (claude-sonnet-4-5, 200x200 auto, anthropic-pixels)\n"
                   "~1644 tokens in total (2 images)\n")
    assert err.startswith("~ approximate: anthropic-pixels, https://")


def test_gemini(run):
    # crop unit floor(540 / 1.5) = 360: 3 x 2 tiles x 258
    code, out, _ = run("tokens", "-m", "gemini-2.5-flash", "--image", "960x540", "--format", "json")
    assert code == 0 and json.loads(out)["tokens"] == 1548 and json.loads(out)["exact"] is False


def test_image_does_not_read_stdin(run, monkeypatch):
    class Exploding(io.BytesIO):
        def read(self, *args):
            raise AssertionError("stdin was read")

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(Exploding()))
    assert run("tokens", "--image", "10x10")[0] == 0


@pytest.mark.parametrize("args, needles", [
    (("--image", "1024"), ("--image: image '1024' is not WxH or WxH:detail", "hint: write WxH")),
    (("--image", "0x10"), ("--image: width 0 is out of range",)),
    (("--image", "10x100001"), ("height 100001 is out of range",)),
    (("--image", "10x10:medium"), ("detail 'medium' is not low, high or auto",)),
    (("--image", "10x10", "--image", "bad"), ("image 'bad'",)),
    (("-m", "gpt-3.5-turbo", "--image", "10x10"), ("no image token rule for model 'gpt-3.5-turbo'", "gpt-4o")),
    (("-m", "mistral-large-2411", "--image", "10x10"), ("no image token rule", "leave them out")),
    (("-m", "gpt-4q", "--image", "10x10"), ("unknown model 'gpt-4q' in --model", "did you mean")),
    (("--messages", "--image", "10x10"), ("--image counts images alone",)),
])
def test_bad_input_is_one_clean_message(run, args, needles):
    assert_clean_error(*run("tokens", *args), *needles)


def test_image_with_a_file_is_refused(run, tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("hello world", encoding="utf-8")
    assert_clean_error(*run("tokens", "--image", "10x10", f), "--image counts images alone, not FILE")


def test_text_counting_is_unchanged(run, tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("hello world", encoding="utf-8")
    assert run("tokens", f) == (0, "2\n", "")


def test_help_teaches_the_option(run):
    code, out, _ = run("tokens", "--help")
    assert code == 0 and "--image WxH[:detail]" in out and "--image 1024x1024:high" in out
