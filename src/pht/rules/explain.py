"""Result types shared by all rules: every verdict and classification explains itself.

A reason is an English sentence (``reason``, for the API, the command line and logs) and, where a rule gives
one, the same reason as a :class:`Message`: a message id and its named parameters, which a presentation
layer translates (the care app renders them through Django's gettext). :func:`render` turns a message into
text with a table of templates; the rules render their English ``reason`` with it, so the two never differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeAlias, TypeVar

T = TypeVar("T")

# A message parameter: text, a whole number, a term of the rules' vocabulary, a nested message, or a list of
# these (a tuple). Dates and decimals are passed as text (ISO dates, "0.250"); so are numbers that name
# something (years, codes). A whole number is a quantity: render() groups its digits (20,000 in English, a
# presentation layer in the page's language).
Param: TypeAlias = "str | int | Term | Message | tuple[Param, ...]"

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Term:
    """A word of a rule's vocabulary (a condition, a frailty deficit, a category), named for translation.

    ``kind`` and ``key`` identify it (``Term("condition", "heart_failure", "heart failure")``); ``text`` is its
    English. Terms come from versioned parameter data, so a presentation layer without a translation for one
    shows ``text``.
    """

    kind: str
    key: str
    text: str


@dataclass(frozen=True)
class Message:
    """A reason as a message id and its named parameters, for a presentation layer to translate.

    ``key`` names a template whose ``%(name)s`` placeholders are exactly the keys of ``params``. The English
    templates live beside the rules that use them (e.g. ``pht.rules.target_groups.TEMPLATES``).
    """

    key: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """JSON form: ``{"key": ..., "params": {...}}``; terms as ``{"term": kind, "key": ..., "text": ...}``."""
        return {"key": self.key, "params": {name: _param_json(value) for name, value in self.params.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Message:
        """The message ``as_dict`` wrote; raises ``ValueError`` on anything else."""
        key, params = data.get("key"), data.get("params", {})
        if not isinstance(key, str) or not isinstance(params, Mapping):
            raise ValueError(f"not a message: {data!r}")
        return cls(key, {str(name): _param_from_json(value) for name, value in params.items()})

    def walk(self) -> tuple[Message, ...]:
        """This message and every message nested in its parameters, depth first."""
        found: list[Message] = [self]

        def visit(value: Param) -> None:
            if isinstance(value, Message):
                found.extend(value.walk())
            elif isinstance(value, tuple):
                for item in value:
                    visit(item)

        for value in self.params.values():
            visit(value)
        return tuple(found)


def _param_json(value: Param) -> object:
    if isinstance(value, Message):
        return value.as_dict()
    if isinstance(value, Term):
        return {"term": value.kind, "key": value.key, "text": value.text}
    if isinstance(value, tuple):
        return [_param_json(item) for item in value]
    return value


def _param_from_json(value: object) -> Param:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return value
    if isinstance(value, list):
        return tuple(_param_from_json(item) for item in value)
    if isinstance(value, Mapping):
        if "term" in value:
            kind, key, text = value.get("term"), value.get("key"), value.get("text")
            if isinstance(kind, str) and isinstance(key, str) and isinstance(text, str):
                return Term(kind, key, text)
        elif "key" in value:
            return Message.from_dict(value)
    raise ValueError(f"not a message parameter: {value!r}")


def placeholders(template: str) -> frozenset[str]:
    """The names of a template's ``%(name)s`` placeholders."""
    return frozenset(PLACEHOLDER.findall(template))


def grouped(number: int) -> str:
    """A whole number with its digits grouped in threes, English style (``20,000``)."""
    return f"{number:,}"


def render(
    message: Message,
    template: Callable[[str], str],
    term: Callable[[Term], str] = lambda t: t.text,
    number: Callable[[int], str] = grouped,
) -> str:
    """``message`` as text: ``template(key) % params``, with nested messages and terms rendered first.

    ``template`` gives the (possibly translated) template of a message id; ``term`` the text of a term;
    ``number`` the text of a whole number (English grouping by default). A list parameter is joined with "; "
    when its items are messages and with ", " otherwise. Raises ``KeyError`` for an unknown id or a
    placeholder without a parameter.
    """

    def text(value: Param) -> str:
        if isinstance(value, Message):
            return render(value, template, term, number)
        if isinstance(value, Term):
            return term(value)
        if isinstance(value, tuple):
            separator = "; " if any(isinstance(item, Message) for item in value) else ", "
            return separator.join(text(item) for item in value)
        if isinstance(value, int):
            return number(value)
        return value

    return template(message.key) % {name: text(value) for name, value in message.params.items()}


@dataclass(frozen=True)
class Verdict:
    """Outcome of a yes/no rule, with the rule's id, the reason and the inputs it looked at.

    ``message`` is the reason as a translatable :class:`Message`, for rules that give one.
    """

    rule: str
    passed: bool
    reason: str
    inputs: Mapping[str, object] = field(default_factory=dict)
    message: Message | None = None

    def as_dict(self) -> dict[str, object]:
        result = {
            "rule": self.rule,
            "passed": self.passed,
            "reason": self.reason,
            "inputs": dict(self.inputs),
        }
        if self.message is not None:
            result["message"] = self.message.as_dict()
        return result


@dataclass(frozen=True)
class Classification(Generic[T]):
    """A value chosen by a rule, with the rule's id, the reason and the inputs (``message``: as for Verdict)."""

    rule: str
    value: T
    reason: str
    inputs: Mapping[str, object] = field(default_factory=dict)
    message: Message | None = None

    def as_dict(self) -> dict[str, object]:
        result = {"rule": self.rule, "value": self.value, "reason": self.reason, "inputs": dict(self.inputs)}
        if self.message is not None:
            result["message"] = self.message.as_dict()
        return result
