"""Postal addresses and payment card numbers: patterns, in every mode.

A street address is a house number, a capitalised street name of one to four words and a USPS
street suffix (St, Ave, Blvd, ...), then optionally a unit (Apt, Suite, #), a city, a two-letter
state and a ZIP code. "City, ST 12345" and PO boxes count alone; a bare ZIP code only next to
`zip` or `postal`. Named-entity LOCATION is not used, even with a model: it fires on every region
name of a deploy log ("Iowa", "Northern Virginia"), and a blocking gate cannot afford that.

Card numbers use Presidio's Luhn check as a filter (like the NPI check digit): a grouped number
(4111 1111 1111 1111) of a card network's prefix counts alone; a bare digit run needs `card`,
`credit`, `visa`, ... on the line, since one 16-digit build number in ten passes Luhn.
"""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer
from presidio_analyzer.predefined_recognizers import CreditCardRecognizer

from pipeline.phi.recognizers import NEEDS_CONTEXT, REGEX_FLAGS, STANDS_ALONE

POSTAL_ADDRESS = "POSTAL_ADDRESS"
CREDIT_CARD = "CREDIT_CARD"

# USPS Publication 28 street suffixes, the common ones; each also matches in upper case.
STREET_SUFFIXES = (
    "Street", "St", "Avenue", "Ave", "Av", "Boulevard", "Blvd", "Road", "Rd", "Lane", "Ln", "Drive", "Dr",
    "Court", "Ct", "Way", "Place", "Pl", "Parkway", "Pkwy", "Terrace", "Ter", "Circle", "Cir", "Highway",
    "Hwy", "Square", "Sq", "Trail", "Trl", "Plaza", "Plz", "Alley", "Aly", "Crossing", "Xing", "Cove", "Cv",
    "Expressway", "Expy", "Freeway", "Fwy",
)  # fmt: skip
# The 50 states, DC, the territories and the military "states" of APO/FPO addresses.
STATES = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
    "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "VI", "GU",
    "AS", "MP", "AA", "AE", "AP",
)  # fmt: skip

_SUFFIX = "(?:" + "|".join(f"{s}|{s.upper()}" for s in sorted(STREET_SUFFIXES, key=len, reverse=True)) + r")\.?"
_DIRECTION = r"(?:[NSEW]|NE|NW|SE|SW|North|South|East|West|NORTH|SOUTH|EAST|WEST)\.?"
_NAME_WORD = r"(?:[A-Z][A-Za-z'-]*|[0-9]{1,3}(?:st|nd|rd|th|ST|ND|RD|TH))"
_HOUSE = r"(?<![\w.:/#-])[0-9]{1,6}(?:-?[A-Z])?"
_UNIT_WORD = r"(?:Apt|APT|Apartment|APARTMENT|Suite|SUITE|Ste|STE|Unit|UNIT|Rm|RM|Room|Bldg|BLDG|Fl|FL)"
_UNIT = rf"(?:,?\s{_UNIT_WORD}\.?\s?#?\s?|,?\s#\s?)[A-Za-z0-9-]{{1,6}}"
_CITY = r"[A-Z][A-Za-z.'-]*(?:\s[A-Z][A-Za-z.'-]*){0,3}"
_STATE = "(?:" + "|".join(STATES) + ")"
_ZIP = r"[0-9]{5}(?:-[0-9]{4})?"
# After a street line the comma may be missing (ALBANY NY 12208); alone, "City, ST 12345" needs it.
_CITY_STATE_ZIP = rf"{_CITY},\s{_STATE}\s{_ZIP}(?![\w-])"
_CITY_STATE_ZIP_LOOSE = rf"{_CITY},?\s{_STATE}\s{_ZIP}(?![\w-])"
STREET_ADDRESS = (
    rf"{_HOUSE}\s(?:{_DIRECTION}\s)?{_NAME_WORD}(?:\s{_NAME_WORD}){{0,3}}\s{_SUFFIX}(?![\w-])"
    rf"(?:\s{_DIRECTION}(?![\w-]))?(?:{_UNIT})?(?:[,;|]?\s?{_CITY_STATE_ZIP_LOOSE})?"
)
PO_BOX = r"(?<![\w-])(?i:p\.?\s?o\.?\s?box|post\s+office\s+box)\s?#?\s?[0-9]{1,6}\b"


class PostalAddressRecognizer(PatternRecognizer):
    """US postal addresses: street lines, city/state/ZIP lines and PO boxes."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity=POSTAL_ADDRESS,
            patterns=[
                Pattern("street address", STREET_ADDRESS, STANDS_ALONE),
                Pattern("city state zip", rf"(?<![\w-]){_CITY_STATE_ZIP}", STANDS_ALONE),
                Pattern("PO box", PO_BOX, STANDS_ALONE),
                Pattern("ZIP code", rf"(?<![\w.-]){_ZIP}(?![\w.-])", NEEDS_CONTEXT),
            ],
            context=["zip", "zipcode", "postal", "postcode"],
            global_regex_flags=REGEX_FLAGS,
        )


_CARD_PREFIX = r"(?:4[0-9]{3}|5[1-5][0-9]{2}|2[2-7][0-9]{2}|6(?:011|5[0-9]{2}|4[4-9][0-9])|35[0-9]{2})"
CARD_GROUPED = rf"(?<![\w-]){_CARD_PREFIX}([ -])[0-9]{{4}}\1[0-9]{{4}}\1[0-9]{{4}}\b"
AMEX_GROUPED = r"(?<![\w-])3[47][0-9]{2}([ -])[0-9]{6}\1[0-9]{5}\b"
DINERS_GROUPED = r"(?<![\w-])3(?:0[0-5]|[68][0-9])[0-9]([ -])[0-9]{6}\1[0-9]{4}\b"
CARD_BARE = (
    r"(?<![\w.-])(?:4[0-9]{12}(?:[0-9]{3}){0,2}|5[1-5][0-9]{14}|2[2-7][0-9]{14}|3[47][0-9]{13}"
    r"|3(?:0[0-5]|[68][0-9])[0-9]{11}|6(?:011|5[0-9]{2}|4[4-9][0-9])[0-9]{12}|35[0-9]{14})(?![\w.-])"
)


class CardNumberRecognizer(PatternRecognizer):
    """Payment card numbers of the major networks, Luhn-checked by Presidio's CreditCardRecognizer."""

    def __init__(self) -> None:
        self._checksum = CreditCardRecognizer()
        super().__init__(
            supported_entity=CREDIT_CARD,
            patterns=[
                Pattern("card 4-4-4-4", CARD_GROUPED, STANDS_ALONE),
                Pattern("card 4-6-5", AMEX_GROUPED, STANDS_ALONE),
                Pattern("card 4-6-4", DINERS_GROUPED, STANDS_ALONE),
                Pattern("card bare", CARD_BARE, NEEDS_CONTEXT),
            ],
            # Presidio's list, less "discover" (a verb of every service-discovery log line).
            context=["credit", "card", "cards", "cc", "visa", "mastercard", "amex", "jcb", "diners", "maestro", "pan"],
            global_regex_flags=REGEX_FLAGS,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        # Presidio's card recognizer lifts a valid Luhn sum to a score of 1.0; here it only filters.
        return not self._checksum.validate_result(pattern_text)
