"""Rule checks that need no stored state: identity, contacts, times, agencies and units.

Each check turns a body into an `Item` part or raises one `Rejection` listing every
refused field, with JSON pointers into the body.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from motcua.events import (
    ApologyFiled,
    Applicant,
    Component,
    Consent,
    DossierEvent,
    DossierRefused,
    DossierTransferred,
    DossierWithdrawn,
    FinancialObligationPaid,
    FinancialObligationSet,
    ProcessingFinished,
    Proxy,
    ResultReturned,
    SatisfactionRated,
    SupplementReceived,
    SupplementRequested,
    lifecycle_step,
)
from motcua.lifecycle import LifecycleStep
from motcua_intake.domain.agencies import Agency
from motcua_intake.domain.clock_checks import check_reported_time, event_day, is_aware
from motcua_intake.domain.codes import check_client_code, check_code_agency
from motcua_intake.domain.contacts import check_email, check_phone
from motcua_intake.domain.identity import check_national_id, check_tax_code
from motcua_intake.domain.planning import Registration, Step
from motcua_intake.domain.validation import Invalid
from motcua_intake.service.commands import (
    ApologyBody,
    ApplicantBody,
    EventBody,
    ProxyBody,
    RegisterBody,
)
from motcua_intake.service.directory import Directory
from motcua_intake.service.errors import FieldError, Rejection, field_rejection, from_invalid

__all__ = ["Checker"]

_PAYLOADS: dict[str, type[DossierEvent]] = {
    "transferred": DossierTransferred,
    "supplement_requested": SupplementRequested,
    "supplement_received": SupplementReceived,
    "refused": DossierRefused,
    "financial_obligation_set": FinancialObligationSet,
    "financial_obligation_paid": FinancialObligationPaid,
    "processing_finished": ProcessingFinished,
    "result_returned": ResultReturned,
    "withdrawn": DossierWithdrawn,
    "satisfaction_rated": SatisfactionRated,
}
_UNIT_FIELDS = ("from_unit", "to_unit", "unit_code")


class Checker:
    """Checks bodies against the rules, the directory and the current time."""

    def __init__(self, directory: Directory, skew: timedelta) -> None:
        self._directory = directory
        self._skew = skew

    def registration(
        self, body: RegisterBody, scope: str | None, now: datetime, at: str = ""
    ) -> Registration:
        """A registration, or a Rejection (403 for another agency, else 422 with fields).

        `at` is where the body sits in the request ("/dossier" in an import line). A key
        registers for its own agency and for the agencies merged into it (their dossiers
        received before the merge, as a history import brings them).
        """
        if scope is not None and scope not in (body.agency_code, self.office_of(body.agency_code)):
            raise Rejection(
                "forbidden",
                "forbidden",
                f"this key may not register dossiers for {body.agency_code}",
            )
        errors: list[FieldError] = []
        if body.dossier_code is not None:
            code = self._collect(errors, "/dossier_code", check_client_code(body.dossier_code))
            if code is not None:
                self._collect(errors, "/dossier_code", check_code_agency(code, body.agency_code))
        self._receiving_unit(body, errors)
        self._time(errors, "/received_at", body.received_at, now)
        applicant = self._applicant(body.applicant, event_day(body.received_at, now), errors)
        proxy = self._proxy(body.proxy, errors)
        if errors or applicant is None:
            raise field_rejection(errors).within(at)
        return Registration(
            client_code=body.dossier_code,
            agency=body.agency_code,
            unit=body.unit_code,
            procedure_code=body.procedure_code,
            received_at=body.received_at,
            channel=body.channel,
            applicant=applicant,
            proxy=proxy,
            components=tuple(
                Component(name=c.name, copies=c.copies, original=c.original)
                for c in body.components
            ),
            digitised=body.digitised,
            result_delivery=body.result_delivery,
        )

    def step(self, body: EventBody, now: datetime, at: str = "") -> Step:
        """A lifecycle event, or a Rejection with its fields."""
        errors: list[FieldError] = []
        self._time(errors, "/occurred_at", body.occurred_at, now)
        fields = body.model_dump(exclude={"type", "occurred_at"})
        for name in _UNIT_FIELDS:
            unit = fields.get(name)
            if unit is not None and self._directory.agency_of_unit(unit) is None:
                errors.append(FieldError(f"/{name}", "unknown_unit", f"unit {unit!r} is unknown"))
        if errors:
            raise field_rejection(errors).within(at)
        event = _PAYLOADS[body.type](**fields)
        return Step(lifecycle_step(event), body.occurred_at, event, at)

    def apology(self, body: ApologyBody, now: datetime, at: str = "") -> Step:
        """An apology (form 04): a known unit, an aware appointment later than the
        apology itself (`filed_at`, now when not given), so a past apology is judged at
        its own time."""
        errors: list[FieldError] = []
        filed_at = body.filed_at or now
        self._time(errors, "/filed_at", filed_at, now)
        if self._directory.agency_of_unit(body.unit_code) is None:
            errors.append(
                FieldError("/unit_code", "unknown_unit", f"unit {body.unit_code!r} is unknown")
            )
        appointment = body.new_appointment_at
        if not is_aware(appointment):
            errors.append(
                FieldError(
                    "/new_appointment_at",
                    "time_without_timezone",
                    "the new appointment needs a UTC offset such as +07:00",
                )
            )
        elif is_aware(filed_at) and appointment <= filed_at:
            errors.append(
                FieldError(
                    "/new_appointment_at",
                    "appointment_not_in_future",
                    f"the new appointment must be later than the apology ({filed_at.isoformat()})",
                )
            )
        if errors:
            raise field_rejection(errors).within(at)
        event = ApologyFiled(
            unit_code=body.unit_code,
            reason=body.reason,
            new_appointment_at=appointment,
            signed_by=body.signed_by,
        )
        return Step(LifecycleStep.APOLOGY_FILED, filed_at, event, at)

    def office_of(self, agency_code: str) -> str:
        """The agency answering for `agency_code`'s dossiers now (after a merge)."""
        return self._directory.office_of(agency_code)

    def _receiving_unit(self, body: RegisterBody, errors: list[FieldError]) -> None:
        agency = self._directory.agency(body.agency_code)
        if agency is None:
            errors.append(
                FieldError(
                    "/agency_code", "unknown_agency", f"agency {body.agency_code!r} is unknown"
                )
            )
        elif not agency.accepts(body.received_at):
            errors.append(FieldError("/agency_code", "agency_retired", _retired(agency)))
        elif self._directory.agency_of_unit(body.unit_code) != body.agency_code:
            errors.append(
                FieldError(
                    "/unit_code",
                    "unknown_unit",
                    f"unit {body.unit_code!r} is not a unit of {body.agency_code}",
                )
            )

    def _time(
        self, errors: list[FieldError], pointer: str, moment: datetime, now: datetime
    ) -> None:
        self._collect(errors, pointer, check_reported_time(moment, now, self._skew))

    @staticmethod
    def _collect(errors: list[FieldError], pointer: str, checked: Any) -> Any:
        if isinstance(checked, Invalid):
            errors.append(from_invalid(pointer, checked))
            return None
        return checked.value

    def _applicant(
        self, body: ApplicantBody, today: date, errors: list[FieldError]
    ) -> Applicant | None:
        before = len(errors)
        if body.kind == "citizen":
            id_number = self._citizen_id(body.national_id, today, "/applicant/national_id", errors)
        elif body.organisation_code is None:
            errors.append(
                FieldError(
                    "/applicant/organisation_code",
                    "invalid_tax_code",
                    "an organisation's tax code is required",
                )
            )
            id_number = None
        else:
            checked = check_tax_code(body.organisation_code)
            id_number = self._collect(errors, "/applicant/organisation_code", checked)
        phone = email = None
        if body.phone is not None:
            phone = self._collect(errors, "/applicant/phone", check_phone(body.phone))
        if body.email is not None:
            email = self._collect(errors, "/applicant/email", check_email(body.email))
        consent = body.consent
        if consent.email and body.email is None:
            errors.append(_no_contact("/applicant/consent/email", "an email address"))
        for channel in ("sms", "zalo"):
            if getattr(consent, channel) and body.phone is None:
                errors.append(_no_contact(f"/applicant/consent/{channel}", "a phone number"))
        if len(errors) > before or id_number is None:
            return None
        return Applicant(
            name=body.name,
            kind=body.kind,
            national_id=id_number if body.kind == "citizen" else None,
            organisation_code=id_number if body.kind == "organisation" else None,
            phone=phone,
            email=email,
            address=body.address,
            consent=Consent(email=consent.email, sms=consent.sms, zalo=consent.zalo),
        )

    def _citizen_id(
        self, raw: str | None, today: date, pointer: str, errors: list[FieldError]
    ) -> str | None:
        if raw is None:
            errors.append(
                FieldError(pointer, "invalid_national_id", "a citizen's 12-digit ID is required")
            )
            return None
        national_id = self._collect(errors, pointer, check_national_id(raw, today=today))
        return None if national_id is None else str(national_id.number)

    def _proxy(self, body: ProxyBody | None, errors: list[FieldError]) -> Proxy | None:
        if body is None:
            return None
        id_number = phone = None
        if body.national_id is not None:
            checked = check_national_id(body.national_id)
            found = self._collect(errors, "/proxy/national_id", checked)
            id_number = None if found is None else str(found.number)
        if body.phone is not None:
            phone = self._collect(errors, "/proxy/phone", check_phone(body.phone))
        return Proxy(name=body.name, national_id=id_number, phone=phone)


def _no_contact(pointer: str, what: str) -> FieldError:
    return FieldError(pointer, "consent_without_contact", f"consent to this channel needs {what}")


def _retired(agency: Agency) -> str:
    if agency.merged_into is not None:
        return (
            f"agency {agency.code} was merged into {agency.merged_into} on {agency.merged_on}:"
            f" register the dossier with {agency.merged_into}"
        )
    retired_at = agency.retired_at.isoformat() if agency.retired_at else "?"
    return f"agency {agency.code} was retired at {retired_at} and takes no new dossier"
