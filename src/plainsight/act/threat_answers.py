"""The six intelligence requirements, each answered from :class:`~plainsight.act.threat.Sources`.

One function per requirement. Each returns an :class:`~plainsight.act.threat.Answer`: plain
statements, the figures they rest on (``figures``, the numbers a test can check), tables of
evidence, the definitions used and what the data cannot say. Wording is of leads and what
was recorded, never a finding about a person. A source that holds nothing is said to.
"""

from __future__ import annotations

from collections import Counter

from plainsight.act.threat import (
    ADVERTS_DEF,
    ADVERTS_LIMIT,
    CRIME_LIMIT,
    INDICATOR_LIMIT,
    NO_ADVERTS,
    NO_CHECKS,
    NO_CRIMES,
    NO_DISRUPTIONS,
    NOT_LINKED,
    Answer,
    EvidenceTable,
    Sources,
)
from plainsight.act.threat_render import (
    count_table,
    evidence_table,
    exploitation_table,
    top_networks_table,
)


def _share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.0f}%" if whole else "-"


def scale(s: Sources) -> Answer:
    """What is the true scale and threat of MSHT offending?"""
    statements: list[str] = []
    figures: dict[str, int] = {}
    tables: list[EvidenceTable] = []
    if s.lake and not s.lake.linked:
        figures.update(adverts=s.lake.adverts, adverts_with_hits=s.lake.adverts_with_hits)
        statements.append(
            f"{s.lake.adverts:,} adverts were captured in the period; "
            f"{s.lake.adverts_with_hits:,} carry at least one indicator hit (leads for review)."
        )
        statements.append(NOT_LINKED)
        tables.append(count_table("Adverts by site", "Site", s.lake.sites, "Adverts"))
    elif s.lake:
        lake = s.lake
        figures.update(
            adverts=lake.adverts,
            personas=lake.personas,
            networks=lake.networks,
            adverts_with_hits=lake.adverts_with_hits,
        )
        statements.append(
            f"{lake.adverts:,} adverts were captured in the period, grouped into "
            f"{lake.personas:,} personas (the same person advertising) and {lake.networks:,} "
            f"networks (personas sharing contacts or pictures); {lake.adverts_with_hits:,} "
            f"adverts ({_share(lake.adverts_with_hits, lake.adverts)}) carry at least one "
            "indicator hit and are leads for review."
        )
        tables.append(count_table("Adverts by site", "Site", lake.sites, "Adverts"))
    else:
        statements.append(NO_ADVERTS)
    if s.crime:
        stats = s.crime.stats
        figures.update(mdsht_crimes=stats["crimes"], mdsht_victims=stats["victims"])
        statements.append(
            f"{stats['crimes']:,} MDSHT crimes were recorded from {stats['period']['from']} to "
            f"{stats['period']['to']}, with {stats['victims']:,} victims recorded."
        )
        tables.append(
            count_table(
                "MDSHT crimes recorded by year",
                "Year",
                list(stats["crimes_by_year"].items()),
                "Crimes",
            )
        )
    else:
        statements.append(NO_CRIMES)
    if s.checks:
        figures.update(checks_tasked=s.checks["tasked"], checks_completed=s.checks["completed"])
        statements.append(
            f"Welfare checks tasked in the period: {s.checks['tasked']:,}, of which "
            f"{s.checks['completed']:,} have an outcome recorded."
        )
        tables.append(
            count_table(
                "Welfare checks by outcome",
                "Outcome",
                list(s.checks["by_outcome"].items()),
                "Checks",
            )
        )
    else:
        statements.append(NO_CHECKS)
    if s.disruptions:
        d = s.disruptions
        figures.update(
            disruptions_approved=d["claims"]["approved"], mdsht_disruptions=d["mdsht_claims"]
        )
        statements.append(
            f"The disruptions register holds {d['claims']['approved']:,} approved disruption "
            f"claims, {d['mdsht_claims']:,} of them under MSHT."
        )
        tables.append(
            count_table(
                "Approved disruption claims by financial year",
                "Year",
                list(d["by_year"].items()),
                "Claims",
            )
        )
    else:
        statements.append(NO_DISRUPTIONS)
    return Answer(
        "scale",
        "What is the true scale and threat of MSHT offending?",
        tuple(statements),
        figures,
        tuple(tables),
        (
            ADVERTS_DEF,
            "Personas and networks: the linking stage's groups (docs/lake.md); a network is "
            "counted when one of its personas advertised in the period.",
            "MDSHT crimes: recorded crimes with offence code 106, 106/.. or legacy 72 whose "
            "recorded date falls in the period (docs/crime.md).",
        ),
        (
            ADVERTS_LIMIT,
            CRIME_LIMIT,
            "The true scale is not in any of these sources: together they are a lower bound "
            "and a set of leads, and the same victim may appear in several.",
        ),
    )


PATHWAY_INDICATORS = (
    "youth_language",
    "very_young_age",
    "controller_cues",
    "third_person",
    "several_workers",
    "price_below_median",
)


def pathways(s: Sources) -> Answer:
    """What are the initial pathways into exploitation (recruitment, vulnerability)?"""
    statements: list[str] = []
    figures: dict[str, int] = {}
    tables: list[EvidenceTable] = []
    if s.lake:
        rows = [(name, s.lake.hit(name)) for name in PATHWAY_INDICATORS]
        figures.update({f"hit_{name}": n for name, n in rows})
        under = dict(s.lake.stated_ages).get("under 18", 0)
        figures["adverts_stated_under_18"] = under
        statements.append(
            f"Vulnerability cues in adverts: {s.lake.hit('controller_cues'):,} adverts say "
            f"someone else arranges the bookings, {s.lake.hit('youth_language'):,} stress "
            f"youth, {s.lake.hit('very_young_age'):,} state an age of 16 to 19 and {under:,} "
            "state an age under 18 (each a lead to review)."
        )
        tables.append(count_table("Adverts with vulnerability cues", "Indicator", rows, "Adverts"))
    else:
        statements.append(NO_ADVERTS)
    if s.crime:
        under_18 = s.crime.stats["under_18"]["count"]
        figures["victims_under_18"] = under_18
        statements.append(
            f"{under_18:,} of {s.crime.stats['victims']:,} recorded victims were under 18."
        )
    else:
        statements.append(NO_CRIMES)
    return Answer(
        "pathways",
        "What are the initial pathways for exploitation (recruitment and vulnerability)?",
        tuple(statements),
        figures,
        tuple(tables),
        (
            ADVERTS_DEF,
            "Cues: adverts with a hit on each indicator named (docs/indicators.md), counted "
            "once per advert.",
            "Under 18 in adverts: an age fact below 18 in any capture of the advert.",
        ),
        (
            "Recruitment is not in the data: adverts show the end of the pathway, not how a "
            "person came to be advertised.",
            "The crime records' free-text modus operandi is not analysed here, and the "
            "contract holds no vulnerability factors (debt, immigration status, addiction).",
            INDICATOR_LIMIT,
        ),
    )


def targeted(s: Sources) -> Answer:
    """Who is being targeted for the different exploitation types?"""
    statements: list[str] = []
    figures: dict[str, int] = {}
    tables: list[EvidenceTable] = []
    if s.crime:
        crime = s.crime
        sexes = crime.stats["victims_by_sex"]
        figures.update({f"victims_{sex}": n for sex, n in sexes.items()})
        figures.update(
            {f"exploitation_{kind}": c.total() for kind, c in crime.exploitation_by_sex.items()}
        )
        statements.append(
            f"Recorded victims: {sexes.get('F', 0):,} female, {sexes.get('M', 0):,} male and "
            f"{sexes.get('U', 0):,} of unknown sex."
        )
        tables.append(exploitation_table(crime))
        tables.append(
            count_table(
                "Recorded victims by age band",
                "Age",
                list(crime.stats["victims_by_age_band"].items()),
                "Victims",
            )
        )
        codes = crime.stats["victims_by_ethnicity"]["codes"]
        tables.append(
            count_table(
                "Recorded victims by officer-observed ethnicity",
                "Ethnicity",
                [(f"{code} {v['name']}", v["count"]) for code, v in codes.items()],
                "Victims",
            )
        )
    else:
        statements.append(NO_CRIMES)
    if s.lake:
        tables.append(
            count_table("Adverts by stated age", "Stated age", s.lake.stated_ages, "Adverts")
        )
        tables.append(
            count_table(
                "Most common stated nationalities and ethnicities in adverts",
                "Stated",
                s.lake.nationalities,
                "Adverts",
            )
        )
        statements.append(
            "Adverts state ages and nationalities; the tables give the most common, as "
            "written in the adverts."
        )
    else:
        statements.append(NO_ADVERTS)
    return Answer(
        "targeted",
        "Who is being targeted for different exploitation types?",
        tuple(statements),
        figures,
        tuple(tables),
        (
            "Victims: victim rows of MDSHT crimes recorded in the period; a person who is a "
            "victim of two crimes counts twice (docs/crime.md).",
            "Exploitation type: as the force recorded it on the victim row.",
        ),
        (
            CRIME_LIMIT,
            "A stated age or nationality in an advert is what the advert says, not who the "
            "person is; adverts cover sexual exploitation only.",
        ),
    )


def perpetrators(s: Sources) -> Answer:
    """Who are the perpetrators of MSHT offending?"""
    statements: list[str] = []
    figures: dict[str, int] = {}
    tables: list[EvidenceTable] = []
    if s.lake and not s.lake.linked:
        statements.append(NOT_LINKED)
    elif s.lake:
        lake = s.lake
        several = sum(n for k, n in lake.network_sizes if k != "1 persona")
        figures.update(networks=lake.networks, networks_of_several_personas=several)
        statements.append(
            f"{several:,} of {lake.networks:,} networks join several personas through shared "
            "contacts or pictures: possible organisation behind the adverts, to be reviewed."
        )
        tables.append(count_table("Networks by size", "Size", lake.network_sizes, "Networks"))
        tables.append(top_networks_table(lake))
    else:
        statements.append(NO_ADVERTS)
    if s.crime:
        shares = s.crime.stats["outcome_shares"]
        charged = sum(v["count"] for v in shares.values() if v["group"] == "Charged/summonsed")
        figures["crimes_charged"] = charged
        statements.append(
            f"MDSHT crimes recorded in the period whose latest outcome is a charge or summons: "
            f"{charged:,} of {s.crime.stats['crimes']:,}."
        )
        tables.append(
            count_table(
                "MDSHT crimes by latest outcome",
                "Outcome",
                [(v["name"], v["count"]) for v in shares.values()],
                "Crimes",
            )
        )
    else:
        statements.append(NO_CRIMES)
    if s.disruptions:
        groups = s.disruptions["groups"]
        figures.update(groups=groups["total"], groups_mdsht=groups["mdsht_link"])
        statements.append(
            f"The register holds {groups['total']:,} organised crime groups, "
            f"{groups['mdsht_link']:,} recorded with an MSHT link."
        )
    else:
        statements.append(NO_DISRUPTIONS)
    return Answer(
        "perpetrators",
        "Who are the perpetrators of MSHT offending?",
        tuple(statements),
        figures,
        tuple(tables),
        (
            "Network: personas joined by shared non-generic phone numbers, e-mails, handles "
            "or identical pictures (docs/lake.md, network_links); the score is a sum of named "
            "parts (network_scores).",
        ),
        (
            "A network is a lead that adverts may be organised together, not evidence of who "
            "controls them; it names no suspect.",
            "The crime-data contract holds no suspect or offender details, so the offenders "
            "of recorded crimes are not described here.",
        ),
    )


def methods(s: Sources) -> Answer:
    """What methods and modes of transport move victims into or through the area?"""
    statements: list[str] = []
    figures: dict[str, int] = {}
    tables: list[EvidenceTable] = []
    if s.lake:
        lake = s.lake
        figures.update(
            hit_obscured_contact=lake.hit("obscured_contact"),
            hit_movement_language=lake.hit("movement_language"),
            incall_adverts=lake.incall_adverts,
            outcall_adverts=lake.outcall_adverts,
        )
        if lake.linked:
            figures.update(
                multi_town_personas=lake.multi_town_personas, moving_networks=lake.moving_networks
            )
            statements.append(
                f"{lake.multi_town_personas:,} personas advertised in more than one town, and "
                f"{lake.moving_networks:,} networks moved between towns over time (the table "
                "gives their route)."
            )
            tables.append(
                evidence_table(
                    "Networks moving between towns", ("Network", "Route"), lake.movements
                )
            )
        else:
            statements.append(NOT_LINKED)
        statements.append(
            f"{lake.hit('obscured_contact'):,} adverts write their number to defeat scrapers; "
            f"{lake.incall_adverts:,} offer incall and {lake.outcall_adverts:,} outcall."
        )
    else:
        statements.append(NO_ADVERTS)
    return Answer(
        "methods",
        "What methods and modes of transport are used to move victims into or through the area?",
        tuple(statements),
        figures,
        tuple(tables),
        (
            "Moving persona: a persona whose adverts name more than one town "
            "(advert_features.towns).",
            "Route: the network's towns in time order, from its adverts' capture dates "
            "(network_scores.movement).",
        ),
        (
            "Modes of transport are not in any source plainsight holds: a route shows where "
            "adverts were placed, not how or whether anyone travelled.",
            "Touring language (movement_language) was found less common in trafficking "
            "adverts (docs/indicators.md), so movement is a lead, not a sign.",
            ADVERTS_LIMIT,
        ),
    )


def locations(s: Sources) -> Answer:
    """Where does exploitation take place, by industry and place?"""
    statements: list[str] = []
    figures: dict[str, int] = {}
    tables: list[EvidenceTable] = []
    if s.lake:
        lake = s.lake
        figures["in_city_adverts"] = lake.in_city_adverts
        statements.append(
            f"{lake.in_city_adverts:,} adverts name a place inside the City of London."
        )
        tables.append(count_table("Towns adverts name most", "Town", lake.towns, "Adverts"))
    else:
        statements.append(NO_ADVERTS)
    if s.crime:
        kinds: Counter[str] = Counter(
            {k: c.total() for k, c in s.crime.exploitation_by_sex.items()}
        )
        figures.update({f"place_{k}": n for k, n in s.crime.places})
        if kinds:
            kind, n = kinds.most_common(1)[0]
            statements.append(
                f"By the exploitation type recorded, {kind} exploitation is the most common "
                f"({n:,} victims); the crimes' places are given by LSOA."
            )
        tables.append(count_table("MDSHT crimes by place (LSOA)", "LSOA", s.crime.places, "Crimes"))
    else:
        statements.append(NO_CRIMES)
    return Answer(
        "locations",
        "What are the locations of exploitation (types of industry, geographic locations)?",
        tuple(statements),
        figures,
        tuple(tables),
        (
            "Inside the City: an advert with a place fact whose gazetteer entry lies inside "
            "the City of London (facts.detail in_city).",
            "Place of a crime: the LSOA recorded on it.",
        ),
        (
            "Industry is not recorded: the exploitation type (sexual, labour, criminal, "
            "domestic servitude) is the nearest the crime records come, and adverts cover the "
            "sex industry only.",
            "A place in an advert is where it says the person works, which may not be true; "
            "an LSOA is where the crime was recorded as taking place.",
            CRIME_LIMIT,
        ),
    )


def answer_all(sources: Sources) -> tuple[Answer, ...]:
    """The six answers, in the seed report's order."""
    return tuple(f(sources) for f in (scale, pathways, targeted, perpetrators, methods, locations))
