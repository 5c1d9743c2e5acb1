"""The made-up advert sites: their fields, id formats, regions and footer boilerplate.

Every advert on a site carries the site's boilerplate: disclaimers, a customer-service number
(from a drama range) and, on some sites, the real Modern Slavery & Exploitation Helpline. These
are the *generic identifiers* a naive linker trips over: the same number in thousands of
unrelated adverts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from plainsight.synth.numbers import HELPLINE, PhoneNumber, drama_number
from plainsight.synth.places import City

__all__ = ["SITES", "Site", "sites_for"]

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Site:
    slug: str
    domain: str
    weight: float
    region: str
    """``national``, ``london`` or ``north``: which cities the site serves."""
    id_style: str
    id_salt: int
    phone_field: bool
    name_field: bool
    age_field: bool
    email_field: bool
    extra_kind: str
    """``none``, ``verified`` or ``category``: what the site puts in ``extra``."""
    helpline: bool
    customer_service: PhoneNumber | None
    disclaimers: tuple[str, ...]

    def serves(self, city: City) -> bool:
        if self.region == "london":
            return city.name == "London"
        if self.region == "north":
            return city.north
        return True

    def ad_id(self, seq: int) -> str:
        """The site's id for its ``seq``-th advert: unique, in the site's own format."""
        scrambled = (seq * 2_654_435_761 + self.id_salt) % 4_294_967_291
        if self.id_style == "numeric":
            return str(10_000_000 + scrambled)
        if self.id_style == "hex":
            return f"{scrambled:08x}"
        text = ""
        value = scrambled
        while value:
            value, digit = divmod(value, 36)
            text = _ALPHABET[digit] + text
        return f"{self.slug[:2]}-{text or '0'}"

    def url(self, ad_id: str) -> str:
        return f"https://www.{self.domain}/ads/{ad_id}"

    def footer_sentences(self) -> tuple[str, ...]:
        """Every sentence of the footer, in order (all of them appear in every advert)."""
        out = list(self.disclaimers)
        if self.customer_service is not None:
            out.append(
                f"{self.slug} customer service: {self.customer_service.grouped()} (9am-6pm)."
            )
        if self.helpline:
            out.append(
                "Worried someone is being exploited? Call the Modern Slavery & Exploitation "
                f"Helpline on {HELPLINE.grouped()}, free and confidential, 24/7."
            )
        return tuple(out)

    def footer(self) -> str:
        return "\n\n---\n" + " ".join(self.footer_sentences())

    def extra(self, rng: random.Random, *, verified: bool, category: str) -> dict[str, object]:
        if self.extra_kind == "verified":
            return {"verified": verified, "views": rng.randrange(20, 5000)}
        if self.extra_kind == "category":
            return {"category": category, "premium": rng.random() < 0.2}
        return {}


SITES: tuple[Site, ...] = (
    Site(
        slug="velvetlist",
        domain="velvetlist.example",
        weight=4.0,
        region="national",
        id_style="numeric",
        id_salt=1_234_567,
        phone_field=True,
        name_field=True,
        age_field=True,
        email_field=True,
        extra_kind="verified",
        helpline=False,
        customer_service=drama_number("03069990", 118),
        disclaimers=(
            "All advertisers confirm they are over 18 and advertise of their own free will.",
            "Velvetlist is an advertising platform only and does not endorse any advertiser.",
        ),
    ),
    Site(
        slug="citynights-uk",
        domain="citynights-uk.example",
        weight=3.0,
        region="national",
        id_style="base36",
        id_salt=7_654_321,
        phone_field=False,
        name_field=True,
        age_field=False,
        email_field=False,
        extra_kind="category",
        helpline=True,
        customer_service=drama_number("03069990", 442),
        disclaimers=(
            "Adverts are placed by independent advertisers; time and companionship only.",
            "Report any advert that worries you using the link below.",
        ),
    ),
    Site(
        slug="adsite-north",
        domain="adsite-north.example",
        weight=2.0,
        region="north",
        id_style="numeric",
        id_salt=99_991,
        phone_field=True,
        name_field=True,
        age_field=True,
        email_field=False,
        extra_kind="none",
        helpline=True,
        customer_service=None,
        disclaimers=("This site is for adults only. By using it you agree to our terms.",),
    ),
    Site(
        slug="capitalcompanions",
        domain="capitalcompanions.example",
        weight=2.5,
        region="london",
        id_style="hex",
        id_salt=31_337,
        phone_field=True,
        name_field=True,
        age_field=True,
        email_field=True,
        extra_kind="verified",
        helpline=True,
        customer_service=drama_number("02079460", 771),
        disclaimers=(
            "Capital Companions lists independent companions in Greater London.",
            "We do not arrange bookings and are not an agency.",
        ),
    ),
    Site(
        slug="dateboard-uk",
        domain="dateboard-uk.example",
        weight=1.0,
        region="national",
        id_style="base36",
        id_salt=4_242,
        phone_field=True,
        name_field=False,
        age_field=False,
        email_field=False,
        extra_kind="category",
        helpline=False,
        customer_service=drama_number("08081570", 305),
        disclaimers=(
            "Dateboard takes no responsibility for the content of adverts.",
            "Never send money in advance to anyone you meet online.",
        ),
    ),
)


def sites_for(city: City) -> tuple[Site, ...]:
    """The sites that list adverts in ``city``."""
    return tuple(s for s in SITES if s.serves(city))


def generic_numbers() -> tuple[PhoneNumber, ...]:
    """Numbers printed by sites rather than advertisers (customer service, the helpline)."""
    found = [s.customer_service for s in SITES if s.customer_service is not None]
    return (*found, HELPLINE)
