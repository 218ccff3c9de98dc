"""Loading reference data and the seeded demo registry into the database (idempotent, all-or-nothing)."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.db import transaction

from pht.apps.registry.models import GP, Municipality, MunicipalityPopulation, Practice
from pht.refdata import load_parameters, municipalities
from pht.rules.size_class import SizeClassThresholds, classify_size
from pht.synth.registry import generate_registry


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int


@transaction.atomic
def load_municipalities(year: int = 2017) -> LoadResult:
    """Upsert the municipalities of ``year`` with their population and size class."""
    params = load_parameters("size_class", on=datetime.date(year, 1, 1))
    thresholds = SizeClassThresholds.from_mapping(params.values)
    created = updated = 0
    for row in municipalities(year):
        municipality, was_created = Municipality.objects.update_or_create(
            kommunenummer=row.kommunenummer,
            defaults={"name": row.name, "county": row.county, "county_number": row.fylkesnummer},
        )
        size = classify_size(row.population, thresholds)
        MunicipalityPopulation.objects.update_or_create(
            municipality=municipality,
            year=year,
            defaults={
                "population": row.population,
                "size_class": size.value,
                "size_class_reason": size.reason,
                "size_class_message": size.message.as_dict() if size.message else {},
            },
        )
        created += was_created
        updated += not was_created
    return LoadResult(created, updated)


@transaction.atomic
def load_demo_registry(seed: int = 2017, year: int = 2017, only: Collection[str] | None = None) -> LoadResult:
    """Practices and GPs of every municipality (or those in ``only``) from the seeded generator.

    Existing practices are kept, so running it again changes nothing.
    """
    by_number = {m.kommunenummer: m for m in Municipality.objects.all()}
    chosen = [m for m in municipalities(year) if only is None or m.kommunenummer in only]
    existing_practices = set(Practice.objects.values_list("orgnr", flat=True))
    new_practices: list[Practice] = []
    pending_gps: list[tuple[str, GP]] = []
    for synth in generate_registry(chosen, seed):
        if synth.orgnr in existing_practices:
            continue
        new_practices.append(
            Practice(
                orgnr=synth.orgnr,
                name=synth.name,
                municipality=by_number[synth.kommunenummer],
                address=synth.address,
            )
        )
        pending_gps.extend(
            (
                synth.orgnr,
                GP(
                    hpr=g.hpr,
                    first_name=g.first_name,
                    last_name=g.last_name,
                    list_size=g.list_size,
                    list_cap=g.list_cap,
                ),
            )
            for g in synth.gps
        )
    Practice.objects.bulk_create(new_practices, batch_size=1000)
    practice_ids = dict(
        Practice.objects.filter(orgnr__in=[p.orgnr for p in new_practices]).values_list("orgnr", "id")
    )
    for orgnr, gp in pending_gps:
        gp.practice_id = practice_ids[orgnr]
    GP.objects.bulk_create([gp for _, gp in pending_gps], batch_size=1000)
    return LoadResult(created=len(new_practices), updated=0)
