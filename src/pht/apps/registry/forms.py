from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.numbers import DecimalTextField
from pht.apps.registry.models import GP, Practice, TeamMember
from pht.rules.size_class import SizeClass


class MunicipalityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Name or municipality number"))
    county = forms.ChoiceField(label=_("County"), required=False)
    size_class = forms.ChoiceField(
        label=_("Size class"),
        required=False,
        choices=[("", _("All"))] + [(c.value, c.value) for c in SizeClass],
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, *args: object, counties: list[str], years: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["county"].choices = [("", _("All"))] + [(c, c) for c in counties]  # type: ignore[attr-defined]
        self.fields["year"].choices = [(y, y) for y in years]  # type: ignore[attr-defined]
        self.fields["size_class"].choices = [("", _("All"))] + [  # type: ignore[attr-defined]
            (SizeClass.SMALL.value, _("small")),
            (SizeClass.MEDIUM.value, _("medium")),
            (SizeClass.LARGE.value, _("large")),
        ]


class FteField(DecimalTextField):
    """Full-time equivalents of one list, 0,01 to 1,00, typed as the page's language writes them (``0,5``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("min_value", None)
        kwargs.pop("max_value", None)
        super().__init__(
            min_value=Decimal("0.01"), max_value=Decimal("1.00"), example=Decimal("0.5"), **kwargs
        )


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = ["name", "role", "hpr", "fte"]
        field_classes = {"fte": FteField}


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=200)
    lead_gp = forms.ModelChoiceField(label=_("Lead GP"), queryset=GP.objects.none())
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=TeamMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, practice: Practice, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Only this practice's GPs and staff can be chosen: a team belongs to one practice.
        self.fields["lead_gp"].queryset = practice.gps.all()  # type: ignore[attr-defined]
        self.fields["members"].queryset = practice.team_members.all()  # type: ignore[attr-defined]
