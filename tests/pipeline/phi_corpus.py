"""A synthetic, labelled corpus for the PHI gate: build-log noise that must pass, PHI that must not.

Everything is generated from a seeded random source: no real identifier, no real person. The
identifiers carry valid check digits, computed here independently of pipeline/phi (so a broken
checksum in the gate shows up as lost recall, not as a test agreeing with itself).
"""

from __future__ import annotations

import datetime
import random
import string
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

SEED = 20261124
ENTITY_TYPES = (
    "US_SSN",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "MEDICAL_RECORD_NUMBER",
    "US_NPI",
    "US_MBI",
    "US_DEA_NUMBER",
    "DATE_OF_BIRTH",
    "US_HEALTH_INSURANCE_MEMBER_ID",
)


@dataclass(frozen=True)
class Line:
    text: str
    entity_type: str | None  # None: noise, nothing may be found
    secret: str | None = None  # the identifier itself, which no output may contain


def numbered(prefix: str) -> Callable[[object], str]:
    """Parametrize ids `prefix0`, `prefix1`, ...: a test id must never carry a planted value, since
    junit.xml is a build output the PHI gate scans."""
    counter: Iterator[int] = iter(range(1_000_000))
    return lambda _value: f"{prefix}{next(counter)}"


# --- identifiers with their check digits ---------------------------------------------------


def luhn_check_digit(payload: str) -> int:
    """The digit that makes payload+digit pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:  # doubled: the rightmost payload digit sits next to the check digit
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return (10 - total % 10) % 10


def npi(rng: random.Random) -> str:
    body = rng.choice("12") + "".join(rng.choices(string.digits, k=8))
    return body + str(luhn_check_digit("80840" + body))


def dea(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(6)]
    check = (digits[0] + digits[2] + digits[4] + 2 * (digits[1] + digits[3] + digits[5])) % 10
    return rng.choice("ABFGM") + rng.choice(string.ascii_uppercase) + "".join(map(str, digits)) + str(check)


MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"


def mbi(rng: random.Random, dashed: bool = False) -> str:
    either = string.digits + MBI_LETTERS
    groups = (
        rng.choice("123456789") + rng.choice(MBI_LETTERS) + rng.choice(either) + rng.choice(string.digits),
        rng.choice(MBI_LETTERS) + rng.choice(either) + rng.choice(string.digits),
        rng.choice(MBI_LETTERS) + rng.choice(MBI_LETTERS) + rng.choice(string.digits) + rng.choice(string.digits),
    )
    return ("-" if dashed else "").join(groups)


def ssn(rng: random.Random, separator: str = "-") -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}{separator}{rng.randrange(1, 100):02d}{separator}{rng.randrange(1, 10000):04d}"


def phone(rng: random.Random) -> str:
    # 555-01XX is reserved for fiction; the area code is a real NANP one so the number validates.
    area = rng.choice(["617", "212", "415", "312", "206"])
    style = rng.randrange(3)
    number = f"555-01{rng.randrange(100):02d}"
    return [f"({area}) {number}", f"{area}-{number}", f"+1 {area} {number.replace('-', ' ')}"][style]


def email(rng: random.Random) -> str:
    user = f"{rng.choice(['pat', 'jo', 'sam', 'lee'])}.{''.join(rng.choices(string.ascii_lowercase, k=6))}"
    return f"{user}@{rng.choice(['example.com', 'example.org', 'mail.example.net'])}"


def birth_date(rng: random.Random) -> datetime.date:
    return datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(27000))


def mrn(rng: random.Random) -> str:
    return "".join(rng.choices(string.digits, k=rng.choice([7, 8, 9])))


def member_id(rng: random.Random) -> str:
    return "".join(rng.choices("ABCDEFGHJKLMNPRSTUVWXYZ", k=3)) + "".join(rng.choices(string.digits, k=9))


# --- labelled PHI lines --------------------------------------------------------------------

Template = Callable[[random.Random], tuple[str, str]]


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 (reproducible synthetic data, not secrets)


def _ts(rng: random.Random) -> str:
    day, hour, minute, second = rng.randrange(1, 29), rng.randrange(24), rng.randrange(60), rng.randrange(60)
    return f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}Z"


def _dob_text(rng: random.Random) -> str:
    day = birth_date(rng)
    return rng.choice([day.isoformat(), day.strftime("%m/%d/%Y"), day.strftime("%B %d, %Y"), day.strftime("%d-%b-%Y")])


POSITIVE_TEMPLATES: dict[str, list[Callable[[random.Random, str], str]]] = {
    "US_SSN": [
        lambda r, v: f"{_ts(r)} ERROR enrollment rejected for ssn {v}",
        lambda r, v: f'{{"patient": {{"ssn": "{v}", "plan": "gold"}}}}',
        lambda r, v: f'Step #7 - "data-quality": row 12 failed: social {v.replace("-", "")}',
    ],
    "PHONE_NUMBER": [
        lambda r, v: f"{_ts(r)} WARN sms reminder queued for {v}",
        lambda r, v: f'{{"contact": "{v}", "preferred": true}}',
        lambda r, v: f"callback phone {v} left voicemail",
    ],
    "EMAIL_ADDRESS": [
        lambda r, v: f"{_ts(r)} INFO portal invite sent to {v}",
        lambda r, v: f'{{"email": "{v}", "verified": false}}',
        lambda r, v: f"AssertionError: expected {v} to be masked",
    ],
    "MEDICAL_RECORD_NUMBER": [
        lambda r, v: f"{_ts(r)} INFO ingest: loaded encounter mrn={v}",
        lambda r, v: f'{{"mrn": "{v}", "status": "admitted"}}',
        lambda r, v: f"WARN lookup failed for MRN {v}",
        lambda r, v: f"medical_record_number: {v}",
        lambda r, v: f"assert row['medrec'] == 'E{v}'",
    ],
    "US_NPI": [
        lambda r, v: f"{_ts(r)} INFO claim 8841 rendering npi={v}",
        lambda r, v: f'{{"prescriber_id": "{v}"}}',
        lambda r, v: f"referring NPI: {v[:4]}-{v[4:7]}-{v[7:]}",
    ],
    "US_MBI": [
        lambda r, v: f"{_ts(r)} INFO eligibility check medicare id {v}",
        lambda r, v: f'{{"mbi": "{v}", "part": "B"}}',
        lambda r, v: f"beneficiary {v} not found",
    ],
    "US_DEA_NUMBER": [
        lambda r, v: f"{_ts(r)} INFO e-prescription signed, dea {v}",
        lambda r, v: f'{{"prescriber": {{"dea": "{v}"}}}}',
        lambda r, v: f"DEA number {v} expired",
    ],
    "DATE_OF_BIRTH": [
        lambda r, v: f"{_ts(r)} INFO matched patient dob={v}",
        lambda r, v: f'{{"date_of_birth": "{v}", "sex": "F"}}',
        lambda r, v: f"born {v}, age check failed",
        lambda r, v: f"DOB: {v}",
    ],
    "US_HEALTH_INSURANCE_MEMBER_ID": [
        lambda r, v: f"{_ts(r)} INFO coverage lookup member {v}",
        lambda r, v: f'{{"subscriber": "{v}", "group": "4411"}}',
        lambda r, v: f"insurance id {v} inactive",
    ],
}

GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "US_SSN": ssn,
    "PHONE_NUMBER": phone,
    "EMAIL_ADDRESS": email,
    "MEDICAL_RECORD_NUMBER": mrn,
    "US_NPI": npi,
    "US_MBI": lambda r: mbi(r, dashed=r.random() < 0.3),
    "US_DEA_NUMBER": dea,
    "DATE_OF_BIRTH": _dob_text,
    "US_HEALTH_INSURANCE_MEMBER_ID": member_id,
}


def positives(rng: random.Random, per_template: int = 4) -> list[Line]:
    lines = []
    for entity, templates in POSITIVE_TEMPLATES.items():
        for template in templates:
            for _ in range(per_template):
                value = GENERATORS[entity](rng)
                lines.append(Line(template(rng, value), entity, value))
    # Formats that stand alone: no context word on the line at all.
    for _ in range(per_template):
        for entity, value in (
            ("US_SSN", ssn(rng)),
            ("US_MBI", mbi(rng, dashed=True)),
            ("PHONE_NUMBER", phone(rng)),
            ("EMAIL_ADDRESS", email(rng)),
        ):
            lines.append(Line(f"{_ts(rng)} DEBUG row 3: {value}", entity, value))
    return lines


# --- build-log noise -----------------------------------------------------------------------


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choices("0123456789abcdef", k=n))


def _semver(rng: random.Random) -> str:
    return f"{rng.randrange(30)}.{rng.randrange(40)}.{rng.randrange(300)}"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _epoch(rng: random.Random) -> int:
    return rng.randrange(1_700_000_000, 1_800_000_000)


NOISE_TEMPLATES: list[Callable[[random.Random], str]] = [
    lambda r: (
        f'{_ts(r)} Step #{r.randrange(40)} - "trivy": Already have image (with digest): '
        f"gcr.io/cloud-builders/gcloud@sha256:{_hex(r, 64)}"
    ),
    lambda r: f"Pulling image: us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-images/api@sha256:{_hex(r, 64)}",
    lambda r: f'Starting build "{_uuid(r)}" at {_ts(r)}',
    lambda r: f"commit {_hex(r, 40)}",
    lambda r: (
        f"HEAD is now at {_hex(r, 7)} Merge pull request #{r.randrange(1, 4000)} from nwh/feature-{r.randrange(999)}"
    ),
    lambda r: f"Successfully installed pulumi-{_semver(r)} pulumi-gcp-{_semver(r)} protobuf-{_semver(r)}",
    lambda r: f"Collecting presidio-analyzer=={_semver(r)} (from -r requirements.txt (line {r.randrange(1, 60)}))",
    lambda r: (
        f"subnet hipaa-prod-private 10.{r.randrange(256)}.{r.randrange(256)}.0/{r.choice([20, 22, 24])} "
        f"in projects/nwh-analytics-prd/regions/us-central1"
    ),
    lambda r: "firewall rule deny-all-egress: destination 0.0.0.0/0 priority 65534 action DENY",
    lambda r: f"Listening on 0.0.0.0:{r.randrange(1024, 65535)}",
    lambda r: (
        f"health check http://10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(256)}:"
        f"{r.randrange(1024, 65535)}/healthz 200 OK in {r.randrange(900)}ms"
    ),
    lambda r: (
        f"========== {r.randrange(2000)} passed, {r.randrange(20)} skipped, {r.randrange(9)} warnings "
        f"in {r.randrange(200)}.{r.randrange(100):02d}s =========="
    ),
    lambda r: (
        f"Total: {r.randrange(300)} (UNKNOWN: 0, LOW: {r.randrange(90)}, MEDIUM: {r.randrange(40)}, "
        "HIGH: 0, CRITICAL: 0)"
    ),
    lambda r: f"libssl3 | CVE-{r.randrange(2015, 2027)}-{r.randrange(1000, 99999)} | LOW | {_semver(r)} | {_semver(r)}",
    lambda r: (
        f"projects/{r.randrange(10**11, 10**12)}/locations/us-central1/keyRings/hipaa-prod-keyring/cryptoKeys/"
        f"bigquery/cryptoKeyVersions/{r.randrange(1, 30)}"
    ),
    lambda r: (
        f"urn:pulumi:prod::hipaa::hipaa:security:Kms$gcp:kms/cryptoKey:CryptoKey::storage created ({r.randrange(60)}s)"
    ),
    lambda r: (
        f'{{"severity":"INFO","timestamp":"{_ts(r)}","logging.googleapis.com/trace":"projects/'
        f'nwh-analytics-prd/traces/{_hex(r, 32)}","message":"request completed","latency":"{r.randrange(999)}ms",'
        f'"status":200}}'
    ),
    lambda r: f"epoch={_epoch(r)} duration_ms={r.randrange(10**6)} bytes={r.randrange(10**10)}",
    lambda r: f'{{"provider":"gcp","ts":{_epoch(r)},"event":"resource-op","seq":{r.randrange(10**9)}}}',
    lambda r: f"received_at={_epoch(r)}{r.randrange(1000):03d} trace_ns={_epoch(r)}{r.randrange(10**9):09d}",
    lambda r: (
        f"pod/hipaa-api-{_hex(r, 10)}-{''.join(r.choices(string.ascii_lowercase + string.digits, k=5))} "
        f"1/1 Running 0 {r.randrange(90)}m"
    ),
    lambda r: (
        f"deployment.apps/hipaa-api configured (generation {r.randrange(10**7)}, resourceVersion {r.randrange(10**9)})"
    ),
    lambda r: f"{_hex(r, 12)}: Pushed {r.randrange(900)}MB/{r.randrange(900)}MB",
    lambda r: f"latest: digest: sha256:{_hex(r, 64)} size: {r.randrange(10**4)}",
    lambda r: f"accessPolicies/{r.randrange(10**11, 10**12)}/servicePerimeters/hipaa_prod_perimeter status enforced",
    lambda r: (
        f"Job [{_hex(r, 32)}] finished successfully. driverOutputResourceUri: gs://nwh-analytics-prd-staging/"
        f"google-cloud-dataproc-metainfo/{_uuid(r)}/jobs/{_hex(r, 32)}/driveroutput"
    ),
    lambda r: f"Waiting on bqjob_r{_hex(r, 16)}_{_hex(r, 16)}_1 ... ({r.randrange(60)}s) Current status: DONE",
    lambda r: f"Success: no issues found in {r.randrange(400)} source files",
    lambda r: (
        f"TOTAL {r.randrange(9000)} {r.randrange(400)} {r.randrange(800)} {r.randrange(90)} {r.randrange(80, 100)}%"
    ),
    lambda r: (
        "member: serviceAccount:hipaa-build@nwh-analytics-prd.iam.gserviceaccount.com role: roles/cloudkms.signer"
    ),
    lambda r: f"serviceAccount:{r.randrange(10**11, 10**12)}-compute@developer.gserviceaccount.com",
    lambda r: f"service-{r.randrange(10**11, 10**12)}@gcp-sa-cloudbuild.iam.gserviceaccount.com granted",
    lambda r: "Cloning into 'hipaa-platform'... git@github.com:nwh/hipaa-platform.git",
    lambda r: f"Fetching https://github.com/nwh/hipaa-platform refs/tags/v{_semver(r)}",
    lambda r: f"kms key rotation period 7776000s next rotation {_ts(r)}",
    lambda r: f"Mon Nov {r.randrange(1, 29)} {r.randrange(24):02d}:{r.randrange(60):02d}:00 UTC 2026",
    lambda r: (
        f"10.{r.randrange(256)}.0.{r.randrange(256)} - - [{r.randrange(1, 29)}/Nov/2026:"
        f'{r.randrange(24):02d}:00:00 +0000] "GET /v1/health HTTP/1.1" 200 {r.randrange(9999)}'
    ),
    lambda r: (
        f"2026-11-{r.randrange(1, 29):02d} {r.randrange(24):02d}:{r.randrange(60):02d}:00,"
        f"{r.randrange(1000):03d} INFO worker started pid={r.randrange(1, 99999)}"
    ),
    lambda r: f"Image: hipaa-api@sha256:{_hex(r, 64)} signed, tlog index {r.randrange(10**8, 10**9)}",
    lambda r: f"security scan: {r.randrange(10**8, 10**9)} bytes scanned, 0 secrets found",
    lambda r: f"org policy constraints/compute.vmExternalIpAccess enforced, etag BwY{_hex(r, 9).upper()}=",
    lambda r: f"ssl policy hipaa-prod-modern min TLS_1_2 profile MODERN fingerprint {_hex(r, 12)}",
    lambda r: f"go: downloading golang.org/x/net v0.{r.randrange(40)}.0",
    lambda r: f"GKE version 1.{r.randrange(25, 33)}.{r.randrange(20)}-gke.{r.randrange(1000, 2000000)}",
    lambda r: f"request_id={_uuid(r)} build_id={_uuid(r)} region=us-central1",
    lambda r: (
        f"Created [https://dataproc.googleapis.com/v1/projects/nwh-analytics-prd/regions/us-central1/"
        f"clusters/hipaa-prod-dataproc-{r.randrange(10**6)}]"
    ),
    lambda r: f"Step #{r.randrange(60)}: sha1 {_hex(r, 40).upper()} md5 {_hex(r, 32).upper()}",
    lambda r: f"artifact build-{r.randrange(10**6, 10**8)} size {r.randrange(10**9)} crc32c {r.randrange(10**10)}",
    lambda r: f"port {r.randrange(1, 65535)}/tcp open, uptime {r.randrange(10**7)}s, rss {r.randrange(10**10)}",
    lambda r: f"AKIA-style test fixture id TESTKEY{_hex(r, 8).upper()} rejected by policy",
    lambda r: (
        f"dataset hipaa_prod_curated table encounters_{r.randrange(2015, 2027)}{r.randrange(1, 13):02d} "
        f"rows {r.randrange(10**9)}"
    ),
    lambda r: f"version {r.randrange(1, 99)}.{r.randrange(100):02d}.{r.randrange(10000):04d} released {_ts(r)}",
]


def noise(rng: random.Random, per_template: int = 30) -> list[Line]:
    return [Line(template(rng), None) for template in NOISE_TEMPLATES for _ in range(per_template)]


def near_misses(rng: random.Random, per_kind: int = 6) -> list[Line]:
    """PHI-shaped values next to their context words that fail a check digit or a format rule."""
    lines = []
    for _ in range(per_kind):
        good_npi, good_dea = npi(rng), dea(rng)
        bad_npi = good_npi[:-1] + str((int(good_npi[-1]) + rng.randrange(1, 10)) % 10)
        bad_dea = good_dea[:-1] + str((int(good_dea[-1]) + rng.randrange(1, 10)) % 10)
        bad_mbi = "S" + mbi(rng)[1:]  # position 1 is a digit 1-9
        lines += [
            Line(f"rendering npi={bad_npi}", None),
            Line(f"dea {bad_dea} on file", None),
            Line(f"mbi {bad_mbi} pending", None),
            Line(f"dob: 02/{rng.randrange(30, 32)}/19{rng.randrange(40, 99)}", None),  # no 30 or 31 February
            Line(f"dob: {2100 + rng.randrange(50)}-01-15", None),  # the pattern's century range stops at 2099
            Line(f"date of birth {datetime.date.today().year + 1}-06-01 in fixture header", None),  # future
            Line(f"ssn 666-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}", None),  # never issued
        ]
    return lines


def corpus(seed: int = SEED) -> list[Line]:
    rng = seeded(seed)
    lines = positives(rng) + noise(rng) + near_misses(rng)
    rng.shuffle(lines)
    return lines
