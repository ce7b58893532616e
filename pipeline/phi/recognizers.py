"""The recognizers of the PHI gate: Presidio's, tuned for build logs, plus our healthcare ones.

Build logs are full of numbers that look like identifiers (epoch timestamps, digests, build ids,
byte counts), so one rule runs through this module: a checksum or a format rule only says that a
match *could* be an identifier; a context word on the same line (`mrn`, `npi`, `dob`, ...) is what
lifts it over the gate's threshold. Presidio's own recognizers lift a checksum-valid match to a
score of 1.0 on their own, which flags one epoch timestamp in ten as an NPI; ours do not. Only
formats that are distinctive by themselves (a dashed SSN, a dashed MBI, an e-mail address on a
public suffix, a formatted US phone number) pass without context.

Matching is case-sensitive (identifiers are printed in upper case), which keeps lower-case hex
digests and resource names from matching the letter classes of DEA numbers and MBIs.
"""

from __future__ import annotations

import datetime
import re

import tldextract
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    EmailRecognizer,
    MedicalLicenseRecognizer,
    PhoneRecognizer,
    SpacyRecognizer,
    UsHealthInsuranceMemberIdRecognizer,
    UsMbiRecognizer,
    UsNpiRecognizer,
    UsSsnRecognizer,
)

# Case-sensitive on purpose (Presidio's default adds IGNORECASE).
REGEX_FLAGS = int(re.DOTALL | re.MULTILINE)

# A pattern score for matches that only count with a context word (below the gate's threshold).
NEEDS_CONTEXT = 0.2
# A pattern score for formats that count on their own (at the gate's threshold).
STANDS_ALONE = 0.5

# Google-managed identities print like e-mail addresses but name service accounts, not people.
SERVICE_ACCOUNT_DOMAIN = re.compile(r"(^|\.)gserviceaccount\.com$")
# Google's own system identities that a plan grants roles to, by exact address: the group that writes
# Cloud Storage usage logs (infra/data/storage.py grants it on the access-log bucket). Exact, never a
# whole domain: a person's address at google.com still counts.
GOOGLE_SYSTEM_IDENTITIES = frozenset({"cloud-storage-analytics@google.com"})
# An SSH remote (git@github.com:org/repo.git) prints like an e-mail address too.
SSH_REMOTE_USER = "git"
# The public suffix list bundled with tldextract: never fetched, never cached to disk.
_OFFLINE_SUFFIXES = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)

# A NANP number written the way people write phone numbers: (617) 555-0134, 617-555-0134, +1 617.555.0134.
FORMATTED_US_PHONE = re.compile(r"^(\+?1[ .-]?)?(\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}$")
# Ten digits with at most phone punctuation between them: a US number needs at least that, and
# libphonenumber's matcher is the slowest part of a scan, so lines without it skip the matcher.
_TEN_PHONE_DIGITS = re.compile(r"(?:[0-9][ ().+-]{0,3}){10}")


class SsnRecognizer(UsSsnRecognizer):
    """US SSN: the dashed or spaced form alone, nine bare digits only next to `ssn` or `social`."""

    def __init__(self) -> None:
        super().__init__(
            patterns=[
                Pattern("SSN formatted", r"\b([0-9]{3})[- .]([0-9]{2})[- .]([0-9]{4})\b", STANDS_ALONE),
                Pattern("SSN bare", r"\b[0-9]{9}\b", NEEDS_CONTEXT),
            ],
            # Presidio's list adds "security" and "ssid": both are everywhere in a security pipeline's log.
            context=["ssn", "ssns", "social"],
        )
        self.global_regex_flags = REGEX_FLAGS


class PhoneNumberRecognizer(PhoneRecognizer):
    """Phone numbers (libphonenumber, US rules): formatted ones alone, bare digit runs with context."""

    def __init__(self) -> None:
        # Presidio's list has "number" and "call": every log has those near some digits.
        super().__init__(
            context=["phone", "phones", "telephone", "tel", "cell", "mobile", "fax", "sms"],
            supported_regions=("US",),
        )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if not _TEN_PHONE_DIGITS.search(text):
            return []
        results: list[RecognizerResult] = super().analyze(text, entities)  # needs no NLP artifacts
        for result in results:
            formatted = FORMATTED_US_PHONE.match(text[result.start : result.end])
            result.score = STANDS_ALONE if formatted else NEEDS_CONTEXT
        return results


class EmailAddressRecognizer(EmailRecognizer):
    """E-mail addresses with a real public suffix, checked offline; service accounts are not people."""

    def __init__(self) -> None:
        super().__init__()
        self.global_regex_flags = REGEX_FLAGS

    def validate_result(self, pattern_text: str) -> bool:
        # Presidio calls tldextract.extract, which downloads the suffix list on first use.
        return bool(_OFFLINE_SUFFIXES(pattern_text).fqdn)

    def invalidate_result(self, pattern_text: str) -> bool:
        address = pattern_text.lower()
        user, _, domain = address.rpartition("@")
        return (
            bool(SERVICE_ACCOUNT_DOMAIN.search(domain))
            or user == SSH_REMOTE_USER
            or address in GOOGLE_SYSTEM_IDENTITIES
        )


class NpiRecognizer(PatternRecognizer):
    """National Provider Identifier: 10 digits, Luhn check over the 80840 prefix, with context."""

    def __init__(self) -> None:
        self._checksum = UsNpiRecognizer()
        super().__init__(
            supported_entity="US_NPI",
            patterns=UsNpiRecognizer.PATTERNS,
            # Presidio's list has "provider": Pulumi and Terraform providers are in every deploy log.
            context=["npi", "npis", "prescriber"],
            global_regex_flags=REGEX_FLAGS,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        # Presidio's NPI recognizer lifts a valid check digit to a score of 1.0; here it only filters.
        return not self._checksum.validate_result(pattern_text) or self._checksum.invalidate_result(pattern_text)


class MbiRecognizer(UsMbiRecognizer):
    """Medicare Beneficiary Identifier, by the CMS position rules (position 1 is 1-9, no S L O I B Z)."""

    def __init__(self) -> None:
        digit, letter, either = "[1-9]", "[ACDEFGHJKMNPQRTUVWXY]", "[0-9ACDEFGHJKMNPQRTUVWXY]"
        groups = (f"{digit}{letter}{either}[0-9]", f"{letter}{either}[0-9]", f"{letter}{letter}[0-9][0-9]")
        super().__init__(
            patterns=[
                Pattern("MBI dashed", rf"\b{'-'.join(groups)}\b", STANDS_ALONE),
                Pattern("MBI bare", rf"\b{''.join(groups)}\b", NEEDS_CONTEXT),
            ],
            context=["medicare", "mbi", "mbis", "beneficiary", "hicn"],
        )
        self.global_regex_flags = REGEX_FLAGS


class DeaRecognizer(PatternRecognizer):
    """DEA registration number: registrant type, a letter (or 9), six digits and a check digit."""

    def __init__(self) -> None:
        self._checksum = MedicalLicenseRecognizer()
        super().__init__(
            supported_entity="US_DEA_NUMBER",
            patterns=[Pattern("DEA number", r"\b[ABCDEFGHJKLMPRSTUX][A-Z9][0-9]{7}\b", NEEDS_CONTEXT)],
            context=["dea", "prescriber"],
            global_regex_flags=REGEX_FLAGS,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        return not self._checksum.validate_result(pattern_text)  # the check digit filters, context decides


class MedicalRecordNumberRecognizer(PatternRecognizer):
    """Medical record numbers: facility-specific, so 6-10 digits (optional letter prefix) next to `mrn`."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="MEDICAL_RECORD_NUMBER",
            patterns=[Pattern("MRN", r"\b[A-Z]{0,3}[0-9]{6,10}\b", NEEDS_CONTEXT)],
            context=["mrn", "mrns", "mr", "medrec", "medical"],
            global_regex_flags=REGEX_FLAGS,
        )


_MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_FORMATS = ("%Y %m %d", "%m %d %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y")


class DateOfBirthRecognizer(PatternRecognizer):
    """A calendar date in the past next to `dob`, `birth` or `born`; timestamps alone never count."""

    def __init__(self) -> None:
        year = r"(?:19|20)[0-9]{2}"
        month, day = r"(?:0?[1-9]|1[0-2])", r"(?:0?[1-9]|[12][0-9]|3[01])"
        super().__init__(
            supported_entity="DATE_OF_BIRTH",
            patterns=[
                Pattern("ISO date", rf"\b{year}-{month}-{day}\b", NEEDS_CONTEXT),
                Pattern("US date", rf"\b{month}([/-]){day}\1{year}\b", NEEDS_CONTEXT),
                Pattern("month name first", rf"\b{_MONTH}\.?\s{day},?\s{year}\b", NEEDS_CONTEXT),
                Pattern("day first", rf"\b{day}[\s-]{_MONTH}\.?[\s-]{year}\b", NEEDS_CONTEXT),
            ],
            context=["dob", "birth", "birthdate", "birthday", "dateofbirth", "born", "bday"],
            global_regex_flags=REGEX_FLAGS,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        parsed = parse_date(pattern_text)
        return parsed is None or parsed > datetime.datetime.now(tz=datetime.UTC).date()


def parse_date(text: str) -> datetime.date | None:
    """The calendar date a matched text names, or None (31 February is not a date)."""
    cleaned = re.sub(r"[\s,./-]+", " ", text).strip()
    cleaned = re.sub(r"(?i)\bsept\b", "Sep", cleaned)
    for layout in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(cleaned, layout).date()
        except ValueError:
            continue
    return None


class MemberIdRecognizer(UsHealthInsuranceMemberIdRecognizer):
    """Health plan member ids: payer-specific shapes, so only next to `member`, `subscriber`, `insurance`."""

    def __init__(self) -> None:
        # Presidio's list adds "policy": IAM, org and SSL policies fill a deploy log.
        super().__init__(context=["member", "subscriber", "insurance"])
        self.global_regex_flags = REGEX_FLAGS


def pattern_recognizers() -> list[EntityRecognizer]:
    """The recognizers that need no language model: every run has all of them."""
    return [
        SsnRecognizer(),
        PhoneNumberRecognizer(),
        EmailAddressRecognizer(),
        NpiRecognizer(),
        MbiRecognizer(),
        DeaRecognizer(),
        MedicalRecordNumberRecognizer(),
        DateOfBirthRecognizer(),
        MemberIdRecognizer(),
    ]


def model_recognizers() -> list[EntityRecognizer]:
    """Added when a spaCy model with NER is installed: names of people, which patterns cannot find."""
    return [SpacyRecognizer(supported_entities=["PERSON"])]
