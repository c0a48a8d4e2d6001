"""Hand-made works for the analysis tests; every expected figure is worked out in the tests.

Institutions (coordinates in degrees):
  I10 Tokyo (JP, education)        35.6895, 139.6917
  I11 Kanagawa (JP, education)     exactly 50 km due south of I10
  I20 Boston (US, education)       42.3601, -71.0942   (~10 800 km from Tokyo)
  I30 Toyota (JP, company)         35.0825, 137.1563   (~240 km from Tokyo)
  I40 Daejeon (KR, education)      36.3504, 127.3845
  I50 Hong Kong (HK, education)    22.2830, 114.1371
  I51 Beijing (CN, education)      39.9990, 116.3060

Works (year, cited_by_count, fwci):
  W1 2020, 10, 2.0: A1@I10 (JP) + A2@I20 (US)                      international, bilateral
  W2 2020,  0,  - : A1@I10 + A3@I11 (JP, 50 km)                    domestic, near
  W3 2020,  4,  - : A1@I10 alone                                   single_institution
  W4 2020,  6,  - : A1@I10 + A4@I30 (JP company)                   domestic, industry
  W5 2021, 20, 4.0: A1@I10 (JP); A5@I20 (US) *and* I40 (KR); A6@I50 (HK)
                                                                   international, 4 countries
  W6 2021,  2,  - : A7@I50 (HK) + A8@I51 (CN)                      international (domestic
                                                                   when HK counts as China)
  W7 2021, 20,  - : A9 with no institution and no country          unknown
  W8 2021,  6,  - : A10 alone, affiliated with I10 (JP) and I20 (US) international, 1 author
"""

from __future__ import annotations

import math

OA = "https://openalex.org/"

TOKYO = (35.6895, 139.6917)
KANAGAWA = (TOKYO[0] - math.degrees(50.0 / 6371.01), TOKYO[1])  # 50 km south
COORDS = {
    "I10": TOKYO,
    "I11": KANAGAWA,
    "I20": (42.3601, -71.0942),
    "I30": (35.0825, 137.1563),
    "I40": (36.3504, 127.3845),
    "I50": (22.2830, 114.1371),
    "I51": (39.9990, 116.3060),
}
INSTITUTIONS = {
    "I10": ("University of Tokyo", "JP", "education"),
    "I11": ("Kanagawa University", "JP", "education"),
    "I20": ("MIT", "US", "education"),
    "I30": ("Toyota", "JP", "company"),
    "I40": ("KAIST", "KR", "education"),
    "I50": ("University of Hong Kong", "HK", "education"),
    "I51": ("Peking University", "CN", "education"),
}


def inst(i):
    name, cc, typ = INSTITUTIONS[i]
    return {"id": OA + i, "display_name": name, "country_code": cc, "type": typ}


def author(a, *insts):
    return {"author": {"id": OA + a}, "institutions": [inst(i) for i in insts],
            "countries": sorted({INSTITUTIONS[i][1] for i in insts})}


def work(w, year, cited, authorships, fwci=None):
    rec = {"id": OA + w, "publication_year": year, "type": "article", "cited_by_count": cited,
           "authorships": authorships}
    if fwci is not None:
        rec["fwci"] = fwci
    return rec


def analysis_records() -> list[dict]:
    return [
        work("W1", 2020, 10, [author("A1", "I10"), author("A2", "I20")], fwci=2.0),
        work("W2", 2020, 0, [author("A1", "I10"), author("A3", "I11")]),
        work("W3", 2020, 4, [author("A1", "I10")]),
        work("W4", 2020, 6, [author("A1", "I10"), author("A4", "I30")]),
        work("W5", 2021, 20, [author("A1", "I10"), author("A5", "I20", "I40"),
                              author("A6", "I50")], fwci=4.0),
        work("W6", 2021, 2, [author("A7", "I50"), author("A8", "I51")]),
        work("W7", 2021, 20, [{"author": {"id": OA + "A9"}, "institutions": []}]),
        work("W8", 2021, 6, [author("A10", "I10", "I20")]),
    ]


def institution_records(skip: tuple[str, ...] = ()) -> list[dict]:
    """OpenAlex-shaped institution entities with ``geo`` (leaving out ``skip``)."""
    out = []
    for i, (lat, lon) in COORDS.items():
        if i in skip:
            continue
        name, cc, typ = INSTITUTIONS[i]
        out.append({"id": OA + i, "display_name": name, "country_code": cc, "type": typ,
                    "geo": {"latitude": lat, "longitude": lon, "country_code": cc}})
    return out
