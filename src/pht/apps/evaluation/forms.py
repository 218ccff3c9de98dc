"""Forms of the evaluation app: a plan's editable fields (each checked, errors name the field)."""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.forms import DayField
from pht.apps.accounts.numbers import ShareField
from pht.engine.evaluation.outcomes import CATALOGUE, DIMENSIONS
from pht.engine.evaluation.plan import CONTROLS, ESTIMATORS, PERIODS, POPULATIONS, PlanError, parse_plan

BASE_COVARIATES = (
    "list_size",
    "share_female",
    "share_aged_75_plus",
    "mean_chronic_conditions",
    "share_target",
    "log_municipality_population",
    "gp_count",
)
POPULATION_LABELS = {"target": _("Target groups"), "all": _("All list patients")}
CONTROL_LABELS = {"notyet": _("Never and not yet treated"), "never": _("Never treated only")}


def known_covariate(name: str) -> bool:
    if name in BASE_COVARIATES:
        return True
    for prefix in ("pre_rate_", "pre_trend_"):
        if name.startswith(prefix) and name[len(prefix) :] in CATALOGUE:
            return True
    return False


def _day(value: Any) -> Any:
    """A plan's ISO date as a date (anything else as it is, for the field to refuse)."""
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return value


# Estimators by their authors' names, as the literature cites them (a proper name in both languages).
ESTIMATOR_LABELS = {"callaway_santanna": "Callaway & Sant'Anna (2021)"}


def _outcome_field(dimension: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_(DIMENSIONS[dimension]),  # noqa: INT001  (its msgid is in pht.apps.evaluation.presentation)
        # The title in the page's language (its msgid is in pht.apps.evaluation.presentation); the key
        # is the plan's, not the reader's.
        choices=[(key, _(o.title)) for key, o in CATALOGUE.items()],  # noqa: INT001
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class NewPlanForm(forms.Form):
    name = forms.SlugField(
        label=_("Short name"), max_length=60, help_text=_("Lower-case letters, digits, hyphens.")
    )
    title = forms.CharField(label=_("Title"), max_length=300, required=False)


class PlanForm(forms.Form):
    """The editable parts of a plan document; ``document()`` gives the new document."""

    title = forms.CharField(label=_("Title"), max_length=300)
    populations = forms.MultipleChoiceField(
        label=_("Populations"),
        choices=[(p, POPULATION_LABELS[p]) for p in POPULATIONS],
        widget=forms.CheckboxSelectMultiple,
    )
    estimator = forms.ChoiceField(
        label=_("Estimator"), choices=[(e, ESTIMATOR_LABELS.get(e, e)) for e in ESTIMATORS]
    )
    control = forms.ChoiceField(label=_("Control group"), choices=[(c, CONTROL_LABELS[c]) for c in CONTROLS])
    neighbours = forms.IntegerField(
        label=_("Matched controls per treated practice"), min_value=1, max_value=20
    )
    min_control_practices = forms.IntegerField(
        label=_("Fewest control practices"), min_value=1, max_value=10_000
    )
    covariates = forms.CharField(
        label=_("Matching covariates"), widget=forms.Textarea(attrs={"rows": 6}), help_text=_("One per line.")
    )
    study_start = DayField(label=_("Study window starts"))
    baseline_date = DayField(label=_("Baseline date"))
    study_end = DayField(label=_("Study window ends"))
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[(p, {"quarter": _("quarter"), "month": _("month")}.get(p, p)) for p in PERIODS],
    )
    # text inputs read as the page's language writes them: a number input made a typed «0,05» into 5
    alpha = ShareField(
        label=_("Significance level (alpha)"),
        min_value=Decimal("0.001"),
        max_value=Decimal("0.499"),
        example=Decimal("0.05"),
    )
    power = ShareField(
        label=_("Power for the MDE"),
        min_value=Decimal("0.5"),
        max_value=Decimal("0.99"),
        example=Decimal("0.8"),
    )
    bootstrap_draws = forms.IntegerField(label=_("Bootstrap draws"), min_value=99, max_value=100_000)
    randomisation_permutations = forms.IntegerField(
        label=_("Randomisation permutations (0 = off)"), min_value=0, max_value=100_000
    )
    seed = forms.IntegerField(label=_("Random seed"), min_value=0, max_value=2**62)

    def __init__(self, *args: Any, document: dict[str, Any], **kwargs: Any) -> None:
        self.base = copy.deepcopy(document)
        design, inference = document["design"], document["inference"]
        initial = {
            "title": document["plan"]["title"],
            "populations": design["populations"],
            "estimator": design["estimator"],
            "control": design["control"],
            "neighbours": document["matching"]["neighbours"],
            "min_control_practices": design["min_control_practices"],
            "covariates": "\n".join(document["matching"]["covariates"]),
            # dates, so the inputs show them as the page's language writes them
            "study_start": _day(design["study_start"]),
            "baseline_date": _day(design["baseline_date"]),
            "study_end": _day(design["study_end"]),
            "period": design["period"],
            "alpha": inference["alpha"],
            "power": inference["power"],
            "bootstrap_draws": inference["bootstrap_draws"],
            "randomisation_permutations": inference["randomisation_permutations"],
            "seed": inference["seed"],
        }
        for dimension in DIMENSIONS:
            initial[f"outcomes_{dimension}"] = document["outcomes"].get(dimension, [])
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for dimension in DIMENSIONS:
            self.fields[f"outcomes_{dimension}"] = _outcome_field(dimension)

    def outcome_fields(self) -> list[Any]:
        return [self[f"outcomes_{dimension}"] for dimension in DIMENSIONS]

    def clean_covariates(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["covariates"].splitlines() if line.strip()]
        unknown = [n for n in names if not known_covariate(n)]
        if unknown:
            raise forms.ValidationError(
                _("Unknown covariate: %(names)s"), params={"names": ", ".join(unknown)}
            )
        if not names:
            raise forms.ValidationError(_("Name at least one covariate."))
        return names

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        seen: dict[str, str] = {}
        for dimension in DIMENSIONS:
            for key in data.get(f"outcomes_{dimension}", []):
                if key in seen:
                    self.add_error(
                        f"outcomes_{dimension}",
                        _("%(key)s is already an outcome of another dimension.") % {"key": key},
                    )
                seen[key] = dimension
        if not seen:
            raise forms.ValidationError(_("Choose at least one outcome."))
        if not self.errors:
            try:
                parse_plan(self.document(), frozenset(CATALOGUE))
            except PlanError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data

    def document(self) -> dict[str, Any]:
        data = self.cleaned_data
        document = copy.deepcopy(self.base)
        document["plan"]["title"] = data["title"]
        document["design"].update(
            {
                "populations": list(data["populations"]),
                "estimator": data["estimator"],
                "control": data["control"],
                "study_start": data["study_start"].isoformat(),
                "baseline_date": data["baseline_date"].isoformat(),
                "study_end": data["study_end"].isoformat(),
                "period": data["period"],
                "min_control_practices": data["min_control_practices"],
            }
        )
        document["matching"].update({"neighbours": data["neighbours"], "covariates": data["covariates"]})
        document["inference"].update(
            {
                "alpha": data["alpha"],
                "power": data["power"],
                "bootstrap_draws": data["bootstrap_draws"],
                "randomisation_permutations": data["randomisation_permutations"],
                "seed": data["seed"],
            }
        )
        document["outcomes"] = {
            dimension: list(data[f"outcomes_{dimension}"])
            for dimension in DIMENSIONS
            if data.get(f"outcomes_{dimension}")
        }
        return document


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the deviation"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class ExtractChoiceForm(forms.Form):
    extract: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Extract"), queryset=None, empty_label=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from pht.apps.evaluation.models import Extract

        super().__init__(*args, **kwargs)
        self.fields["extract"].queryset = Extract.objects.all()  # type: ignore[attr-defined]
