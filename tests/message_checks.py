"""One check for rule messages, shared by the care, scheme and finance message tests."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping

from pht.rules.explain import Message, Term, placeholders, render


def check_message(
    templates: Mapping[str, str], vocabulary: Collection[Term], text: str, message: Message | None
) -> set[str]:
    """Asserts the message is complete (every id has a template, every placeholder a value), names
    only known terms, renders to ``text`` and reads back the same from its stored JSON form;
    returns the message ids it uses."""
    assert message is not None
    used = set()
    for part in message.walk():
        assert part.key in templates, part.key
        assert placeholders(templates[part.key]) == set(part.params), (part.key, dict(part.params))
        for value in part.params.values():
            for item in value if isinstance(value, tuple) else (value,):
                assert isinstance(item, str | int | Term | Message) and not isinstance(item, bool), (
                    part.key,
                    item,
                )
                if isinstance(item, Term):
                    assert item in vocabulary, item
        used.add(part.key)
    assert render(message, templates.__getitem__) == text
    assert Message.from_dict(json.loads(json.dumps(message.as_dict()))) == message
    return used
