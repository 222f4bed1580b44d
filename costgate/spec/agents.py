"""Parsing what agent and multimodal calls add: tool definitions, reasoning, step
distributions, images, and the combinations that cannot go together."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..repo.paths import join
from ..repo.source import read_text
from ..tokens.tools import parse_tools
from ..yamlio import DocPath, loads
from .keys import MAX_IMAGES, MAXIMA
from .model import DETAILS, EFFORTS, STEP_LAWS, Call, Image, Reasoning, Steps, Tools
from .parsing import ParserBase


class AgentParts(ParserBase):
    def coherent(self, p: DocPath, call: Call) -> Call:
        """Settings that cannot go together, refused with the reason."""
        if call.kind == "embedding":
            chat_only = [k for k, v in (("output_tokens", call.output.mean), ("reasoning", call.reasoning),
                                        ("tools", call.tools), ("images", call.images), ("router", call.router),
                                        ("observation", call.observation), ("steps", call.steps),
                                        ("history", call.history.policy != "none"), ("system", call.system))
                         if v]
            if chat_only:
                raise self.err(p + (chat_only[0],), f"an embedding call has no {chat_only[0]}",
                               "an embedding call sends text (user, context) and gets a vector back")
        if call.cache.history and call.history.policy == "none":
            raise self.err(p + ("cache", "history"), "cache.history needs a conversation to cache",
                           "set history: full (or a window) on this call, or drop cache.history")
        if call.observation is not None and call.history.policy == "none":
            raise self.err(p + ("observation",), "an observation is the next step's message in a conversation",
                           "set history: full (or a window) on this call")
        return call

    def tools(self, p: DocPath, value: Any) -> Tools | None:
        if value is None:
            return None
        value = self.mapping(p, value, "calls[].tools", ("file",))
        if not isinstance(value["file"], str):
            raise self.err(p + ("file",), "tools.file must be a path to a JSON list of function definitions")
        rel = join(self.rel, value["file"])
        text = read_text(self.source, rel, referenced_from=self.rel, line=self.doc.line(p + ("file",)))
        self.files.append(rel)
        choice = value.get("tool_choice", "auto")
        if choice not in ("auto", "none", "any", "required", "tool"):
            raise self.err(p + ("tool_choice",), f"tool_choice must be auto, none, any, required or tool, got "
                                                 f"{str(choice)[:40]!r}")
        return Tools(rel, parse_tools(loads(text, rel).data, rel), str(choice))

    def reasoning(self, p: DocPath, value: Any) -> Reasoning | None:
        if value is None:
            return None
        value = self.mapping(p, value, "calls[].reasoning")
        if len(value) != 1:
            raise self.err(p, "reasoning takes one of {effort: low|medium|high}, {tokens: N}, "
                              "{tokens: {mean: N, p95: M}} or {budget: N}")
        top = Decimal(MAXIMA["calls[].reasoning.tokens"])
        if "effort" in value:
            return Reasoning(effort=self.f.choice(p + ("effort",), value["effort"], EFFORTS))
        if "budget" in value:
            return Reasoning(budget=self.count(p + ("budget",), value["budget"], "calls[].reasoning.budget",
                                               positive=True))
        tokens = value["tokens"]
        if not isinstance(tokens, dict):
            return Reasoning(mean=self.f.number(p + ("tokens",), tokens, maximum=top))
        tokens = self.mapping(p + ("tokens",), tokens, "calls[].reasoning.tokens", ("mean",))
        mean = self.f.number(p + ("tokens", "mean"), tokens["mean"], maximum=top)
        p95 = None if tokens.get("p95") is None else self.f.number(p + ("tokens", "p95"), tokens["p95"], maximum=top)
        if p95 is not None and p95 < mean:
            raise self.err(p + ("tokens", "p95"), f"reasoning p95 ({p95}) is below its mean ({mean})")
        return Reasoning(mean=mean, p95=p95)

    def steps(self, p: DocPath, value: Any) -> Steps | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            return Steps(self.step_count(p, value), None, "fixed")
        value = self.mapping(p, value, "calls[].steps", ("mean",))
        mean = self.step_count(p + ("mean",), value["mean"])
        if mean < 1:
            raise self.err(p + ("mean",), f"steps.mean must be at least 1 (a session makes one request), got {mean}")
        p95 = None if value.get("p95") is None else self.step_count(p + ("p95",), value["p95"], integer=True)
        law = self.f.choice(p + ("distribution",), value.get("distribution", "negative_binomial"), STEP_LAWS)
        if p95 is not None and p95 < mean:
            raise self.err(p + ("p95",), f"steps.p95 ({p95}) is below its mean ({mean})")
        if law != "fixed" and p95 is None and law == "negative_binomial":
            law = "fixed"
        cap = None if value.get("max") is None else int(self.step_count(p + ("max",), value["max"], integer=True))
        if cap is not None and cap < 1:
            raise self.err(p + ("max",), "steps.max must be at least 1")
        return Steps(mean, p95, law, cap)

    def step_count(self, path: DocPath, value: Any, *, integer: bool = False) -> Decimal:
        number = self.f.number(path, value, integer=integer)
        if number > self.work.turns_per_session:
            over = self.work.exceeded("turns_per_session", number, self.f.where(path))
            raise self.err(path, over.message, over.hint)  # at the settings file, when bound
        return number

    def images(self, p: DocPath, value: Any) -> tuple[Image, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.err(p, "images must be a list of {width: W, height: H, detail: low|high|auto}")
        if len(value) > MAX_IMAGES:
            raise self.err(p, f"{len(value)} images per request is over the {MAX_IMAGES} this spec format allows")
        out = []
        for i, item in enumerate(value):
            q = p + (i,)
            item = self.mapping(q, item, "calls[].images[]", ("width", "height"))
            out.append(Image(self.count(q + ("width",), item["width"], "calls[].images[].width", positive=True),
                             self.count(q + ("height",), item["height"], "calls[].images[].height", positive=True),
                             self.f.choice(q + ("detail",), item.get("detail", "auto"), DETAILS)))
        return tuple(out)
