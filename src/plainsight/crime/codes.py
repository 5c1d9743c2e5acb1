"""The code tables of the crime-data contract: outcome types and groups, IC codes, sex.

One place for the words behind the codes, so the importer, the statistics, the audit and the
committee report all say the same thing. Outcome types are the Home Office's (Home Office
Counting Rules outcomes framework, as published in "Crime outcomes in England and Wales");
the groups are the ones the Home Office uses in those statistics. IC codes are the police's
officer-observed ethnicity codes.

>>> outcome_name("18")
'Investigation complete – no suspect identified'
>>> outcome_group("16")
'Evidential difficulties (victim does not support action)'
"""

from __future__ import annotations

#: Home Office outcome types by code ("1".."22"), in their official short form. Sub-types
#: ``1A``, ``2A`` and ``3A`` (an alternative offence) count under 1, 2 and 3.
OUTCOME_NAMES: dict[str, str] = {
    "1": "Charged/summonsed",
    "2": "Caution – youths",
    "3": "Caution – adults",
    "4": "Taken into consideration",
    "5": "The offender has died",
    "6": "Penalty Notice for Disorder",
    "7": "Cannabis/khat warning",
    "8": "Community resolution",
    "9": "Prosecution not in the public interest (CPS decision)",
    "10": "Formal action against the offender not in the public interest (police decision)",
    "11": "Prosecution prevented: suspect under the age of criminal responsibility",
    "12": "Prosecution prevented: suspect too ill to prosecute",
    "13": "Prosecution prevented: victim or key witness dead or too ill to give evidence",
    "14": "Evidential difficulties: suspect not identified; victim does not support further action",
    "15": "Evidential difficulties: suspect identified; victim supports action",
    "16": "Evidential difficulties: suspect identified; victim does not support further action",
    "17": "Prosecution time limit expired: suspect identified",
    "18": "Investigation complete – no suspect identified",
    "19": "National Fraud Intelligence Bureau filed (fraud only)",
    "20": "Action undertaken by another body or agency",
    "21": "Further investigation to support formal action not in the public interest "
    "(police decision)",
    "22": "Diversionary, educational or intervention activity; further action not in the "
    "public interest",
}

PENDING = "pending"
"""The key the statistics use for a crime with no outcome yet (no row, or only ``0``)."""

#: The Home Office's outcome groups, in the order its statistics present them.
OUTCOME_GROUPS: dict[str, tuple[str, ...]] = {
    "Charged/summonsed": ("1",),
    "Out-of-court (formal)": ("2", "3", "6", "7"),
    "Out-of-court (informal)": ("8",),
    "Diversionary, educational or intervention activity": ("22",),
    "Taken into consideration": ("4",),
    "Prosecution prevented or not in the public interest": ("5", "9", "10", "11", "12", "13", "17"),
    "Evidential difficulties (suspect identified; victim supports action)": ("15",),
    "Evidential difficulties (victim does not support action)": ("14", "16"),
    "Investigation complete – no suspect identified": ("18",),
    "Responsibility for further investigation transferred to another body": ("20",),
    "Further investigation to support formal action not in the public interest": ("21",),
    "National Fraud Intelligence Bureau filed": ("19",),
}

_GROUP_OF: dict[str, str] = {
    code: group for group, codes in OUTCOME_GROUPS.items() for code in codes
}

#: Officer-observed ethnicity (IC) codes; ``IC9`` (or an empty cell) is unknown.
IC_NAMES: dict[str, str] = {
    "IC1": "White – North European",
    "IC2": "White – South European",
    "IC3": "Black",
    "IC4": "Asian",
    "IC5": "Chinese, Japanese or other South East Asian",
    "IC6": "Arab or North African",
    "IC9": "Unknown",
}
IC_CODES: tuple[str, ...] = tuple(IC_NAMES)
IC_UNKNOWN = "IC9"

SEX_NAMES: dict[str, str] = {"F": "Female", "M": "Male", "U": "Unknown"}
SEXES: tuple[str, ...] = ("F", "M", "U")

#: How a records system may write sex, lower-cased, and what it means.
SEX_WORDS: dict[str, str] = {
    "": "U",
    "f": "F",
    "female": "F",
    "woman": "F",
    "girl": "F",
    "m": "M",
    "male": "M",
    "man": "M",
    "boy": "M",
    "u": "U",
    "unknown": "U",
    "not known": "U",
    "not stated": "U",
}

#: The contract's exploitation types ("" when the cell is empty).
EXPLOITATION_TYPES: tuple[str, ...] = (
    "sexual",
    "labour",
    "criminal",
    "domestic_servitude",
    "organ_harvesting",
    "unknown",
)

STATUSES: tuple[str, ...] = ("recorded", "cancelled", "transferred")


def outcome_name(code: str) -> str:
    """The Home Office name of an outcome code (``"1"``..``"22"``), or ``"Pending"``.

    Raises ``KeyError`` for a code that is not an outcome type.
    """
    if code in (PENDING, "0"):
        return "Pending (no outcome yet)"
    return OUTCOME_NAMES[code]


def outcome_group(code: str) -> str:
    """The Home Office outcome group of an outcome code, or ``"Pending"``."""
    if code in (PENDING, "0"):
        return "Pending"
    return _GROUP_OF[code]
