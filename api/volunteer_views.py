"""Volunteers through the API: the sending agency's register (read, create, update) and the
eligibility verdict. Writes go through the volunteer form and ``volunteer_save``: the same
validation as the pages."""

from __future__ import annotations

import dataclasses
import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from agencies import rules as access
from agencies.models import Agency
from core.dates import validate_date
from exchanges.selectors import agreements_visible_to
from volunteers.eligibility import VIR_RULES, Rules
from volunteers.forms import ExperienceFormSet, LanguageFormSet, VolunteerForm
from volunteers.models import Volunteer
from volunteers.selectors import (
    volunteer_eligibility,
    volunteers_registered_by,
    volunteers_visible_to,
)
from volunteers.services import volunteer_save

from . import serializers as s
from .base import ApiView, audit, choice_param, require, visible_or_404
from .writes import IDEMPOTENCY_HEADER, conditional, idempotent

FORM_FIELDS = VolunteerForm._meta.fields
LIST_FIELDS = s.VolunteerSerializer.Meta.fields
LIST_COLUMNS = [f for f in LIST_FIELDS if f not in ("themes", "birth_year")] + ["anonymised_at"]
_DATE, _DATETIME = serializers.DateField(), serializers.DateTimeField()


def list_rows(rows: list[dict]) -> list[dict]:
    """The rows of ``VolunteerSerializer`` from ``values()`` rows, their themes in one query."""
    themes: dict[int, list[int]] = {row["id"]: [] for row in rows}
    through = Volunteer.themes.through.objects.filter(volunteer_id__in=themes)
    for volunteer_id, theme_id in through.values_list("volunteer_id", "theme_id"):
        themes[volunteer_id].append(theme_id)
    out = []
    for row in rows:
        item = dict(row)
        item["nationality"] = str(item["nationality"] or "")
        item["country"] = str(item["country"] or "")
        item["themes"] = sorted(themes[row["id"]])
        item["birth_year"] = item["birth_date"].year
        if item["anonymised_at"] is not None:  # the day and month were erased (the year kept)
            item["birth_date"] = None
        for field in ("birth_date", "experience_met_on"):
            item[field] = _DATE.to_representation(item[field]) if item[field] else None
        for field in ("created_at", "updated_at"):
            item[field] = _DATETIME.to_representation(item[field])
        out.append({field: item[field] for field in LIST_FIELDS})
    return out


IDEMPOTENCY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A key unique to this write: a retry with the same key is answered the same.",
)


def _formset_data(prefix: str, rows: list[dict]) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        for field, value in row.items():
            data[f"{prefix}-{index}-{field}"] = "" if value is None else value
    return data


def _formset_patch(
    prefix: str, existing: list[dict], given: list[dict] | None, key: str
) -> tuple[dict, list[int | None]]:
    """The formset's data for a change: ``given`` (None: leave the rows as they are) is the
    whole new list; a row matching an existing one on ``key`` changes it (the fields given),
    an existing row not given is deleted, the others are added, as on the page. With it, the
    index in ``given`` of each of the formset's forms (None: a stored row the request left
    out), so that an error names the item the request sent."""
    if given is None:
        return _formset_data(prefix, []), []
    given = [dict(row) for row in given]
    if key == "id":
        known = {row["id"] for row in existing}
        for index, row in enumerate(given):
            if row.get("id") is not None and row["id"] not in known:
                raise exceptions.ValidationError(
                    {f"{prefix}[{index}].id": [_("Not one of this volunteer's experiences.")]}
                )
    matched: dict = {}
    added = []  # new rows, and a second row for one key (the formset then says it is twice)
    for index, row in enumerate(given):
        if row.get(key) is None or row[key] in matched:
            added.append((index, row))
        else:
            matched[row[key]] = (index, row)
    rows, origins = [], []
    for row in existing:
        index, change = matched.pop(row[key], (None, None))
        rows.append({**row, **change} if change is not None else {**row, "DELETE": "on"})
        origins.append(index)
    added = sorted([*added, *matched.values()], key=lambda pair: pair[0])
    origins += [index for index, _row in added]
    data = _formset_data(prefix, [*rows, *({k: v for k, v in row.items() if k != "id"}
                                           for _index, row in added)])  # fmt: skip
    data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
    return data, origins


def _errors(*forms, origins: dict | None = None) -> dict:
    """``{"field": [messages]}``, a formset's named ``prefix[i].field`` with ``i`` the index of
    the item in the request (``origins``: by prefix, the item of each form; else its form)."""
    errors: dict = {}
    for form in forms:
        if hasattr(form, "forms"):  # a formset
            items = (origins or {}).get(form.prefix, [])
            for index, sub in enumerate(form.forms):
                item = items[index] if index < len(items) and items[index] is not None else index
                for field, messages in sub.errors.items():
                    errors[f"{form.prefix}[{item}].{field}"] = messages
            if form.non_form_errors():
                errors[form.prefix] = form.non_form_errors()
        else:
            for field, messages in form.errors.items():
                errors["non_field_errors" if field == "__all__" else field] = messages
    return errors


def _save(request, *, agency: Agency, instance=None, payload: dict) -> object:
    """Bind the form and formsets as the page does, save through the service, or 400. The
    shape of the request (types, lists) is checked first; the rules, by the forms."""
    body = s.VolunteerWriteSerializer(data=payload, partial=instance is not None)
    body.is_valid(raise_exception=True)
    payload = body.validated_data
    data = model_to_dict(instance, fields=FORM_FIELDS) if instance else {}
    if instance:
        data["themes"] = [theme.pk for theme in data.get("themes", [])]
    data.update({k: v for k, v in payload.items() if k in FORM_FIELDS})
    data = {k: ("" if v is None else v) for k, v in data.items()}
    if instance:
        experiences = list(
            instance.experiences.order_by("pk").values(
                "id", "organisation", "role", "start", "end", "description"
            )
        )
        languages = list(instance.languages.order_by("pk").values("id", "language", "level"))
        origins = {}
        for prefix, stored, key in (("experiences", experiences, "id"),
                                    ("languages", languages, "language")):  # fmt: skip
            patch, origins[prefix] = _formset_patch(prefix, stored, payload.get(prefix), key)
            data.update(patch)
    else:
        origins = None
        for prefix in ("experiences", "languages"):
            rows = [{k: v for k, v in row.items() if k != "id"} for row in payload.get(prefix, [])]
            data.update(_formset_data(prefix, rows))
    form = VolunteerForm(data, agency=agency, instance=instance)
    experiences = ExperienceFormSet(data, {}, instance=form.instance, prefix="experiences")
    languages = LanguageFormSet(data, instance=form.instance, prefix="languages")
    if not all([form.is_valid(), experiences.is_valid(), languages.is_valid()]):
        raise exceptions.ValidationError(_errors(form, experiences, languages, origins=origins))
    return volunteer_save(form=form, experiences=experiences, languages=languages)


class VolunteerList(ListModelMixin, ApiView):
    serializer_class = s.VolunteerSerializer

    def get_queryset(self):
        # Rows as dicts, not model instances through a ModelSerializer: 100 rows serialised
        # field by field cost several times the queries (docs/performance.md).
        qs = volunteers_registered_by(self.request.user).values(*LIST_COLUMNS)
        wanted = choice_param(self.request, "status", Volunteer.Status)
        if wanted:
            qs = qs.filter(status=wanted)
        return qs

    @extend_schema(
        summary="The volunteers registered by the token's agency",
        parameters=[
            OpenApiParameter(
                "status", str, enum=Volunteer.Status.values, description="Only this status."
            )
        ],
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        audit(request, concerns=access.agency_ids_of(request.user))
        return self.get_paginated_response(list_rows(page))

    @extend_schema(
        summary="Register a volunteer",
        request=s.VolunteerWriteSerializer,
        responses={201: s.VolunteerDetailSerializer},
        parameters=[IDEMPOTENCY],
    )
    @idempotent
    def post(self, request):
        payload = request.data if isinstance(request.data, dict) else {}
        agency_id = payload.get("sending_agency")
        mine = access.agency_ids_of(request.user)
        if agency_id is None and len(mine) == 1:
            agency_id = next(iter(mine))
        agency = (
            Agency.objects.filter(pk=agency_id, is_active=True).first()
            if (isinstance(agency_id, int) and not isinstance(agency_id, bool))
            else None
        )
        if agency is None:
            raise exceptions.ValidationError(
                {"sending_agency": [exceptions.ErrorDetail(_("Choose one of your agencies."))]}
            )
        require(request, "vir.add_volunteer", agency)
        volunteer = _save(request, agency=agency, payload=payload)
        data = s.VolunteerDetailSerializer(volunteer).data
        return Response(
            data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{volunteer.pk}/"},
        )


class VolunteerDetail(ApiView):
    serializer_class = s.VolunteerDetailSerializer

    def _volunteer(self, pk):
        volunteer = visible_or_404(
            volunteers_visible_to(self.request.user).prefetch_related(
                "themes", "experiences", "languages"
            ),
            pk,
        )
        # The host of a placement reads the reduced nominee profile, not this one.
        require(self.request, "vir.view_full_volunteer", volunteer)
        return volunteer

    @extend_schema(summary="A volunteer's full profile (the sending agency's members)")
    def get(self, request, pk: int):
        volunteer = self._volunteer(pk)
        audit(request, object_id=volunteer.pk, concerns=[volunteer.sending_agency_id])
        return conditional(request, self.get_serializer(volunteer).data)

    @extend_schema(
        summary="Change a volunteer (the fields given)",
        description="`experiences` and `languages`, when given, are the whole new lists, as "
        "on the page: an experience with the `id` of one of the volunteer's changes it (the "
        "fields given), one without `id` is added, one not listed is deleted; languages are "
        "matched on `language`. Left out, they are kept.",
        request=s.VolunteerWriteSerializer,
        responses={200: s.VolunteerDetailSerializer},
    )
    @idempotent
    def patch(self, request, pk: int):
        volunteer = self._volunteer(pk)
        require(request, "vir.change_volunteer", volunteer)
        payload = request.data if isinstance(request.data, dict) else {}
        volunteer = _save(
            request, agency=volunteer.sending_agency, instance=volunteer, payload=payload
        )
        volunteer = self._volunteer(pk)
        return Response(self.get_serializer(volunteer).data)


class VolunteerEligibility(ApiView):
    serializer_class = s.EligibilitySerializer

    @extend_schema(
        summary="The eligibility verdict with its reasons",
        parameters=[
            OpenApiParameter("on", datetime.date, description="The date (default: today)."),
            OpenApiParameter(
                "agreement", int, description="Under this agreement's rules (default: VIR's)."
            ),
        ],
    )
    def get(self, request, pk: int):
        volunteer = visible_or_404(
            volunteers_visible_to(request.user).prefetch_related("experiences"), pk
        )
        require(request, "vir.view_full_volunteer", volunteer)
        on = datetime.date.today()
        if request.query_params.get("on"):
            try:
                on = datetime.date.fromisoformat(request.query_params["on"])
                validate_date(on)
            except (ValueError, DjangoValidationError) as exc:
                raise exceptions.ValidationError({"on": [_("Enter a valid date.")]}) from exc
        rules: Rules = VIR_RULES
        agreement_id = request.query_params.get("agreement")
        if agreement_id:
            if not agreement_id.isdigit():
                raise exceptions.ValidationError({"agreement": [_("Enter a whole number.")]})
            agreement = visible_or_404(agreements_visible_to(request.user), int(agreement_id))
            rules = Rules(**dataclasses.asdict(agreement.eligibility_rules()))
        verdict = volunteer_eligibility(volunteer, on, rules)
        data = {
            "eligible": verdict.eligible,
            "on": verdict.on,
            "age": verdict.age,
            "oldest_age": verdict.oldest_age,
            "experience_days": verdict.experience_days,
            "reasons": [{"code": r.code, "message": str(r.message)} for r in verdict.reasons],
        }
        return conditional(request, s.EligibilitySerializer(data).data)
