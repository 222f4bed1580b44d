"""What a request carries besides its rendered messages, per model: tool definitions
and images as the provider bills them, and hidden reasoning tokens (their mean, and the
spread the tails draw from)."""

from __future__ import annotations

from decimal import Decimal

from ..errors import CostgateError
from ..pricing import Model
from ..spec import Call, Spec
from ..tokens import Tokenizer
from ..tokens.images import Detail, ImageCount, image_tokens, parse_image
from ..tokens.tools import tool_tokens
from .requests import Extras


def reasoning_tokens(spec: Spec, call: Call, model: Model) -> Decimal:
    """Mean hidden reasoning tokens of one request on ``model``: what the spec declares,
    else what the model spends by default (gpt-5 and the o-series reason at medium effort
    unless told otherwise; the price table says which models do), clamped to ``max_tokens``
    where the provider would stop it."""
    r = call.reasoning
    if r is None:
        defaults = model.reasoning
        if call.kind != "chat" or defaults is None or defaults.default is None:
            return Decimal(0)
        mean = Decimal(defaults.effort_tokens[defaults.default])
        return mean if call.max_tokens is None else min(mean, Decimal(call.max_tokens))
    if r.budget is not None:
        mean = Decimal(r.budget)
    elif r.mean is not None:
        mean = r.mean
    else:
        defaults = model.reasoning
        tokens = None if defaults is None or r.effort is None else defaults.effort_tokens.get(r.effort)
        if tokens is None:
            raise CostgateError(f"call {call.name!r} asks for reasoning effort {r.effort!r}, but the price table has "
                                f"no reasoning tokens for {r.effort!r} on {model.id}", file=spec.file,
                                line=call.line, hint="declare the tokens instead: reasoning: {tokens: N}, or add "
                                                     "reasoning.effort_tokens to the model's price entry")
        mean = Decimal(tokens)
    if call.max_tokens is not None and mean >= call.max_tokens:
        raise CostgateError(f"call {call.name!r} reasons {mean} tokens on average, which uses up its max_tokens of "
                            f"{call.max_tokens} before any answer", file=spec.file, line=call.line,
                            hint="raise max_tokens (it counts reasoning and answer together) or lower the reasoning")
    return mean


def reasoning_estimated(call: Call, model: Model) -> bool:
    """Whether the reasoning tokens come from the price table's effort figures (estimates)."""
    r = call.reasoning
    if r is None:
        return call.kind == "chat" and model.reasoning is not None and model.reasoning.default is not None
    return r.effort is not None


def model_extras(spec: Spec, call: Call, model: Model, tok: Tokenizer) -> Extras:
    """What ``model`` bills on top of the rendered messages: tool definitions and images."""
    tools, tools_exact, images_exact = 0, True, True
    if call.tools is not None:
        counted = tool_tokens([dict(d) for d in call.tools.definitions], provider=model.provider, model_id=model.id,
                              tokenizer=tok, tool_choice=call.tools.tool_choice)
        tools, tools_exact = counted.tokens, counted.exact or not tok.exact  # an approximate tokenizer says so itself
    images = None
    if call.kind == "chat" and (call.images or any("images" in row for row in spec.samples)):
        images, images_exact = sample_images(spec, call, model)
    exact = tools_exact and images_exact
    return Extras(tools=tools, images=images, chat=call.kind == "chat", exact=exact,
                  approximate=tuple(part for part, ok in (("tools", tools_exact), ("images", images_exact)) if not ok))


def sample_images(spec: Spec, call: Call, model: Model) -> tuple[tuple[int, ...], bool]:
    """Image tokens of every sample's new message: the call's images and the row's own."""
    seen: dict[tuple[int, int, str], ImageCount] = {}

    def tokens(w: int, h: int, detail: Detail) -> ImageCount:
        key = (w, h, detail)
        if key not in seen:
            seen[key] = image_tokens(model.id, model.provider, w, h, detail)
        return seen[key]

    fixed = sum(tokens(i.width, i.height, i.detail).tokens for i in call.images)
    out = []
    for n, row in enumerate(spec.samples):
        own = row.get("images") or []
        if not isinstance(own, list):
            own = [own]
        total = fixed
        for j, value in enumerate(own):
            try:
                total += tokens(*parse_image(value, f"sample {n + 1} images[{j}]")).tokens
            except CostgateError as exc:
                raise CostgateError(exc.message, file=spec.samples_file, line=n + 1, hint=exc.hint) from None
        out.append(total)
    return tuple(out), all(c.exact for c in seen.values())
