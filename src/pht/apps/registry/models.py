"""Who is who: municipalities, GP practices, GPs, team members and primary health teams."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from pht.apps.registry.reasons import display
from pht.rules.identifiers import InvalidIdentifier, check_hpr, check_kommunenummer, check_orgnr
from pht.rules.size_class import SizeClass

# The size classes as the page's language names them (the same words as the municipality list's filter).
SIZE_CLASS_CHOICES = [
    (SizeClass.SMALL.value, _("small")),
    (SizeClass.MEDIUM.value, _("medium")),
    (SizeClass.LARGE.value, _("large")),
]


def _identifier_validator(check: Callable[..., str]) -> Callable[[str], None]:
    def validate(value: str) -> None:
        text = str(value)
        try:
            if not text.isascii():  # a superscript or other Unicode digit: refused, not a crash
                raise InvalidIdentifier("number", text, "must contain only the digits 0-9")
            check(text, allow_synthetic=settings.PHT_ALLOW_SYNTHETIC_IDS)
        except InvalidIdentifier as exc:
            raise ValidationError(str(exc), code="invalid_identifier") from exc
        except ValueError as exc:
            raise ValidationError(f"{text!r} is not a valid number", code="invalid_identifier") from exc

    return validate


def validate_orgnr(value: str) -> None:
    _identifier_validator(check_orgnr)(value)


def validate_hpr(value: str) -> None:
    """An HPR number as the register issues them; the message in the page's language."""
    text = str(value)
    try:
        check_hpr(text if text.isascii() else "x", allow_synthetic=settings.PHT_ALLOW_SYNTHETIC_IDS)
    except InvalidIdentifier as exc:
        if "synthetic" in exc.reason:
            message = _(
                "HPR number %(value)s is in the synthetic series (9xxxxxxxx), accepted only in demo data."
            )
        else:
            message = _(
                "HPR number %(value)s is not valid: an HPR number has 7 to 9 digits and does not start with 0."
            )
        raise ValidationError(message, code="invalid_identifier", params={"value": text}) from exc


def validate_kommunenummer(value: str) -> None:
    try:
        if not str(value).isascii():
            raise InvalidIdentifier("kommunenummer", str(value), "must contain only the digits 0-9")
        check_kommunenummer(str(value))
    except InvalidIdentifier as exc:
        raise ValidationError(str(exc), code="invalid_identifier") from exc
    except ValueError as exc:
        raise ValidationError(f"{value!r} is not a valid number", code="invalid_identifier") from exc


class Municipality(models.Model):
    kommunenummer = models.CharField(
        _("municipality number"), max_length=4, unique=True, validators=[validate_kommunenummer]
    )
    name = models.CharField(_("name"), max_length=100)
    county = models.CharField(_("county"), max_length=100)
    county_number = models.CharField(_("county number"), max_length=2)

    class Meta:
        ordering = ["kommunenummer"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.kommunenummer} {self.name}"

    def population_in(self, year: int) -> MunicipalityPopulation | None:
        return self.populations.filter(year=year).first()


class MunicipalityPopulation(models.Model):
    """Population on 1 January of ``year`` and the size class it gives, with the rule's reason.

    The reason is stored as the rule's English sentence (``size_class_reason``, for the API) and as its
    message (``size_class_message``, ``Message.as_dict()``); pages show it through
    :meth:`get_size_class_reason_display`, in the page's language. Rows loaded before messages were stored
    have an empty message and show the English sentence.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="populations", verbose_name=_("municipality")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    population = models.PositiveIntegerField(_("population"))
    size_class = models.CharField(_("size class"), max_length=10, choices=SIZE_CLASS_CHOICES)
    size_class_reason = models.CharField(_("reason"), max_length=200)
    size_class_message: models.JSONField[dict[str, Any]] = models.JSONField(
        _("size class message"), default=dict, blank=True
    )

    class Meta:
        ordering = ["municipality", "year"]
        verbose_name = _("municipality population")
        verbose_name_plural = _("municipality populations")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="one_population_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}: {self.population}"

    def get_size_class_reason_display(self) -> str:
        """Why the municipality has its size class, in the active language."""
        return display(self.size_class_message, self.size_class_reason)


class Practice(models.Model):
    orgnr = models.CharField(_("organisation number"), max_length=9, unique=True, validators=[validate_orgnr])
    name = models.CharField(_("name"), max_length=200)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="practices", verbose_name=_("municipality")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["municipality", "name"]
        verbose_name = _("GP practice")
        verbose_name_plural = _("GP practices")

    def __str__(self) -> str:
        return self.name


class GP(models.Model):
    hpr = models.CharField(_("HPR number"), max_length=9, unique=True, validators=[validate_hpr])
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="gps", verbose_name=_("practice")
    )
    list_size = models.PositiveIntegerField(_("list size"))
    list_cap = models.PositiveIntegerField(_("list cap"))

    class Meta:
        ordering = ["practice", "last_name", "first_name"]
        verbose_name = _("GP")
        verbose_name_plural = _("GPs")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return str(self)


class StaffRole(models.TextChoices):
    NURSE = "nurse", _("Nurse")
    SECRETARY = "secretary", _("Health secretary")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    OTHER = "other", _("Other")


class TeamMember(models.Model):
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="team_members", verbose_name=_("practice")
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    hpr = models.CharField(_("HPR number"), max_length=9, blank=True, validators=[validate_hpr])
    fte = models.DecimalField(
        _("FTE"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text=_("Full-time equivalent, between 0.01 and 1.00."),
    )

    class Meta:
        ordering = ["practice", "role", "name"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        # The same person once per practice: by HPR number where one is given, and by name (any case).
        constraints = [
            models.UniqueConstraint(
                "practice",
                "hpr",
                condition=~models.Q(hpr=""),
                name="registry_member_hpr_once_per_practice",
                violation_error_message=_("This HPR number is already on the practice's roster."),
            ),
            models.UniqueConstraint(
                "practice",
                Lower("name"),
                name="registry_member_name_once_per_practice",
                violation_error_message=_(
                    "A team member with this name is already on the practice's roster; "
                    "change that member instead of adding the person twice."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class Team(models.Model):
    """A primary health team: a GP leads it; nurses, secretaries and others are its members."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="teams", verbose_name=_("practice")
    )
    name = models.CharField(_("name"), max_length=200)
    lead_gp = models.ForeignKey(
        GP, on_delete=models.PROTECT, related_name="led_teams", verbose_name=_("lead GP")
    )
    members = models.ManyToManyField(TeamMember, blank=True, related_name="teams", verbose_name=_("members"))

    class Meta:
        ordering = ["practice", "name"]
        verbose_name = _("primary health team")
        verbose_name_plural = _("primary health teams")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.lead_gp_id and self.practice_id and self.lead_gp.practice_id != self.practice_id:
            raise ValidationError({"lead_gp": _("The lead GP must work at the team's practice.")})
