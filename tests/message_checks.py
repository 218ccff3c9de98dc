"""One check for rule messages, shared by the care, scheme and finance message tests."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from pathlib import Path

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


def check_templates_translated(
    app_templates: Mapping[str, object], rules_templates: Mapping[str, str], no_words: Collection[str] = ()
) -> None:
    """An app's translatable templates are the rules' templates: the same ids, the rules' English
    text in English, and in bokmål the same placeholders in other words (except templates that
    hold nothing but placeholders and punctuation, ``no_words``)."""
    from django.utils import translation

    assert set(app_templates) == set(rules_templates)
    for key, english in rules_templates.items():
        with translation.override("en"):
            assert str(app_templates[key]) == english, key
        with translation.override("nb"):
            bokmal = str(app_templates[key])
        assert placeholders(bokmal) == placeholders(english), key
        if key not in no_words:
            assert bokmal != english, key


def check_gettext_literals_translated(source: Path, catalogue: Path) -> set[str]:
    """Every text a module passes to ``_()`` (its gettext at the raise sites of refusals) has a translation
    in the compiled ``catalogue``; returns those msgids."""
    import ast
    import gettext

    tree = ast.parse(source.read_text(encoding="utf-8"))
    msgids = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }
    with catalogue.open("rb") as file:
        translated = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
    missing = sorted(msgid for msgid in msgids if not translated.get(msgid))
    assert not missing, missing
    return msgids
