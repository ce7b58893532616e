"""The allow-list wildcard's cases, shared by its Python reader's tests and its shell reader's tests:
`*` matches within one name part, never across `@` or `:`."""

from __future__ import annotations

AGENT = "serviceAccount:service-*@container-engine-robot.iam.gserviceaccount.com"
APIS_AGENT = "serviceAccount:*@cloudservices.gserviceaccount.com"
# (pattern, member, whether the pattern admits the member)
CASES: list[tuple[str, str, bool]] = [
    (AGENT, "serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com", True),
    (AGENT, "serviceAccount:service-1@evil.example@container-engine-robot.iam.gserviceaccount.com", False),
    (AGENT, "serviceAccount:service-1:evil@container-engine-robot.iam.gserviceaccount.com", False),
    (APIS_AGENT, "serviceAccount:123456789012@cloudservices.gserviceaccount.com", True),
    (APIS_AGENT, "serviceAccount:intruder@evil.example:x@cloudservices.gserviceaccount.com", False),
    (APIS_AGENT, "serviceAccount:a:b@cloudservices.gserviceaccount.com", False),
]
