"""API endpoints of the finance app (mounted under /api/finance/), scoped like the pages."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from pht.apps.finance.models import Statement
from pht.apps.finance.views import visible_statements
from pht.rules.financing import COMPONENTS

router = Router(tags=["finance"])


class LineOut(Schema):
    component: str
    code: str
    description: str
    count: str
    rate: str
    amount: str


class StatementOut(Schema):
    practice_orgnr: str
    period: str
    model: str
    own_model: bool
    components: dict[str, str]
    lines: list[LineOut] | None = None


def _out(statement: Statement, lines: bool = False) -> StatementOut:
    return StatementOut(
        practice_orgnr=statement.practice.orgnr,
        period=statement.period,
        model=statement.model,
        own_model=statement.own_model,
        components={name: str(getattr(statement, name)) for name in COMPONENTS},
        lines=[
            LineOut(component=line.component, code=line.code, description=line.description,
                    count=str(line.count), rate=str(line.rate), amount=str(line.amount))
            for line in statement.lines.all()
        ] if lines else None,
    )  # fmt: skip


@router.get("/statements", response=list[StatementOut])
def list_statements(
    request: HttpRequest, period: str | None = None, practice: str | None = None
) -> list[StatementOut]:
    statements = visible_statements(request.user).order_by("practice__orgnr", "period", "model")
    if period:
        statements = statements.filter(period=period)
    if practice:
        statements = statements.filter(practice__orgnr=practice)
    return [_out(s) for s in statements]


@router.get("/statements/{orgnr}/{period}/{model}", response=StatementOut)
def get_statement(request: HttpRequest, orgnr: str, period: str, model: str) -> StatementOut:
    statement = get_object_or_404(
        visible_statements(request.user), practice__orgnr=orgnr, period=period, model=model
    )
    return _out(statement, lines=True)
