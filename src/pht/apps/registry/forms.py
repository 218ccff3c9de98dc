from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.templatetags.pht_format import format_number
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


class FteField(forms.DecimalField):
    """Full-time equivalents typed as the page's language writes them (``0,5``) or with a point, in a text
    input: a number input drops a typed comma in Chromium (``0,5`` became ``05``, refused as above 1.00).
    Out of range is refused with its bounds in the page's language, not Django's ``1.00``."""

    MIN = Decimal("0.01")
    MAX = Decimal("1.00")
    default_error_messages = {
        "invalid": _("Enter a number such as 0.5."),
        "range": _("Enter a number from %(min)s to %(max)s."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("min_value", None)
        kwargs.pop("max_value", None)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not self.MIN <= value <= self.MAX:
            raise ValidationError(
                self.error_messages["range"],
                code="range",
                params={"min": format_number(self.MIN, 2), "max": format_number(self.MAX, 2)},
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
