"""Read endpoints for municipalities, practices and GPs, scoped like the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from pht.apps.accounts.permissions import visible_municipalities, visible_practices
from pht.apps.registry.models import GP, MunicipalityPopulation, Practice

router = Router(tags=["registry"])


class MunicipalityOut(Schema):
    kommunenummer: str
    name: str
    county: str
    year: int
    population: int
    size_class: str
    size_class_reason: str
    size_class_message: dict[str, Any] | None = None


class GPOut(Schema):
    hpr: str
    first_name: str
    last_name: str
    practice_orgnr: str
    list_size: int
    list_cap: int


class PracticeOut(Schema):
    orgnr: str
    name: str
    kommunenummer: str
    address: str
    gp_count: int


def _municipality_out(row: MunicipalityPopulation) -> MunicipalityOut:
    m = row.municipality
    return MunicipalityOut(
        kommunenummer=m.kommunenummer,
        name=m.name,
        county=m.county,
        year=row.year,
        population=row.population,
        size_class=row.size_class,
        size_class_reason=row.size_class_reason,
        size_class_message=row.size_class_message or None,
    )


def _practice_out(p: Practice) -> PracticeOut:
    return PracticeOut(
        orgnr=p.orgnr,
        name=p.name,
        kommunenummer=p.municipality.kommunenummer,
        address=p.address,
        gp_count=p.gps.count(),
    )


def _gp_out(g: GP) -> GPOut:
    return GPOut(
        hpr=g.hpr,
        first_name=g.first_name,
        last_name=g.last_name,
        practice_orgnr=g.practice.orgnr,
        list_size=g.list_size,
        list_cap=g.list_cap,
    )


@router.get("/municipalities", response=list[MunicipalityOut])
def list_municipalities(
    request: HttpRequest, year: int = 2017, size_class: str | None = None, county: str | None = None
) -> list[MunicipalityOut]:
    rows = MunicipalityPopulation.objects.select_related("municipality").filter(
        year=year,
        municipality__in=visible_municipalities(request.user),  # type: ignore[arg-type]
    )
    if size_class:
        rows = rows.filter(size_class=size_class)
    if county:
        rows = rows.filter(municipality__county=county)
    return [_municipality_out(r) for r in rows.order_by("municipality__kommunenummer")]


@router.get("/municipalities/{kommunenummer}", response=MunicipalityOut)
def get_municipality(request: HttpRequest, kommunenummer: str, year: int = 2017) -> MunicipalityOut:
    row = get_object_or_404(
        MunicipalityPopulation.objects.select_related("municipality"),
        municipality__kommunenummer=kommunenummer,
        year=year,
    )
    return _municipality_out(row)


@router.get("/practices", response=list[PracticeOut])
def list_practices(request: HttpRequest, kommunenummer: str | None = None) -> list[PracticeOut]:
    practices = visible_practices(request.user).select_related("municipality")  # type: ignore[arg-type]
    if kommunenummer:
        practices = practices.filter(municipality__kommunenummer=kommunenummer)
    return [_practice_out(p) for p in practices.prefetch_related("gps")]


@router.get("/practices/{orgnr}", response=PracticeOut)
def get_practice(request: HttpRequest, orgnr: str) -> PracticeOut:
    practice = get_object_or_404(visible_practices(request.user).select_related("municipality"), orgnr=orgnr)  # type: ignore[arg-type]
    return _practice_out(practice)


@router.get("/gps", response=list[GPOut])
def list_gps(request: HttpRequest, practice: str | None = None) -> list[GPOut]:
    gps = GP.objects.select_related("practice").filter(practice__in=visible_practices(request.user))  # type: ignore[arg-type]
    if practice:
        gps = gps.filter(practice__orgnr=practice)
    return [_gp_out(g) for g in gps]


@router.get("/gps/{hpr}", response=GPOut)
def get_gp(request: HttpRequest, hpr: str) -> GPOut:
    gp = get_object_or_404(
        GP.objects.select_related("practice").filter(practice__in=visible_practices(request.user)),  # type: ignore[arg-type]
        hpr=hpr,
    )
    return _gp_out(gp)
