"""Result types shared by all rules: every verdict and classification explains itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Verdict:
    """Outcome of a yes/no rule, with the rule's id, the reason and the inputs it looked at."""

    rule: str
    passed: bool
    reason: str
    inputs: Mapping[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "passed": self.passed, "reason": self.reason, "inputs": dict(self.inputs)}


@dataclass(frozen=True)
class Classification(Generic[T]):
    """A value chosen by a rule, with the rule's id, the reason and the inputs."""

    rule: str
    value: T
    reason: str
    inputs: Mapping[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "value": self.value, "reason": self.reason, "inputs": dict(self.inputs)}
