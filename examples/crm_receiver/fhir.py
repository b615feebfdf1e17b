"""One inquiry, as ``GET /care/inquiries/{id}`` gives it, as FHIR R4: a ``Patient`` and the ``ServiceRequest``
for an intake (the shape Medplum and Salesforce's Clinical Service Request use), in a ``collection`` Bundle.
The mapping is documented in docs/integrations.md, "The FHIR mapping"."""

from __future__ import annotations

from typing import Any

SYSTEM = "https://inquiry-intake.example.org/fhir"  # the clinic's own identifier namespace: set yours
# Our status -> ServiceRequest.status; our level -> ServiceRequest.priority.
STATUS = {"new": "active", "attempting": "active", "contacted": "active", "scheduled": "active",
          "closed": "completed", "not_a_fit": "revoked", "spam": "entered-in-error"}
PRIORITY = {"urgent": "urgent", "priority": "asap", "none": "routine"}


def to_fhir(inquiry: dict[str, Any]) -> dict[str, Any]:
    """The Bundle of the inquiry's ``Patient`` and ``ServiceRequest``."""
    patient_id = f"inquiry-{inquiry['inquiry_id'].lower()}"
    contact = inquiry.get("preferred_contact")
    telecom = [{"system": "email", "value": inquiry["email"], "use": "home",
                "rank": 1 if contact == "email" else 2}]
    if inquiry.get("phone"):
        telecom.append({"system": "phone", "value": inquiry["phone"], "use": "mobile",
                        "rank": 1 if contact in ("phone", "sms") else 2})
    patient = {"resourceType": "Patient", "id": patient_id, "active": True,
               "identifier": [{"system": f"{SYSTEM}/inquiry-reference", "value": inquiry["reference"]}],
               "name": [{"text": inquiry["name"]}], "telecom": telecom,
               "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47",
                                                           "code": inquiry.get("language") or "en"}]},
                                  "preferred": True}]}
    request: dict[str, Any] = {
        "resourceType": "ServiceRequest", "id": f"intake-{inquiry['inquiry_id'].lower()}",
        "identifier": [{"system": f"{SYSTEM}/inquiry-id", "value": inquiry["inquiry_id"]}],
        "status": STATUS.get(inquiry.get("status") or "", "active"), "intent": "proposal",
        "priority": PRIORITY.get(inquiry.get("level") or "none", "routine"),
        "category": [{"text": "Intake inquiry"}],
        "code": {"text": "Ketamine-assisted therapy intake consultation"},
        "subject": {"reference": f"Patient/{patient_id}"},
        "requester": {"reference": f"Patient/{patient_id}"},
        "authoredOn": inquiry["created_at"],
        "reasonCode": [{"coding": [{"system": f"{SYSTEM}/topic", "code": inquiry.get("topic") or "other"}]}],
    }
    if inquiry.get("message"):
        request["note"] = [{"text": inquiry["message"]}]
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"{SYSTEM}/Patient/{patient_id}", "resource": patient},
                      {"fullUrl": f"{SYSTEM}/ServiceRequest/{request['id']}", "resource": request}]}
