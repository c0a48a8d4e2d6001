"""Small hand-made OpenAlex work records used across the tests (results worked out by hand).

W1 (2019) 3 authors: A1 at I1 (Tokyo, JP); A2 at I2 (MIT, US) *and* I1 (two countries);
          A3 at I3, a company with no country and a name with '&', '<' and a control char.
          -> countries {JP, US}: international; 3 institutions.
W2 (2019) A1 at I1 (JP), A4 at I4 (Kyoto, JP) -> domestic.
W3 (2020) A1 at I1 alone -> single_institution.
W4 (2020) no authorships -> unknown.
W5 (2020) A5 at I3 (no country), no author countries -> unknown.
W6 (2021) old 2022-23 schema (host_venue, no authorships[].countries): A6 at I5 (DE),
          A7 at I2 (US) -> international.
W7 (2021) A8 with no institution but authorships[].countries ["FR"] (raw-parsed), A9 at I1
          (JP) -> international, 1 institution.
W1 appears twice (an older copy, read later, with other counts): it is counted once, the
newer copy (updated 2024-05-01, 10 citations) wins.
"""

from __future__ import annotations

OA = "https://openalex.org/"


def inst(i, name, cc, typ="education"):
    return {
        "id": OA + i,
        "display_name": name,
        "ror": None,
        "country_code": cc,
        "type": typ,
        "lineage": [OA + i],
    }


TOKYO = inst("I1", "University of Tokyo", "JP")
MIT = inst("I2", "Massachusetts Institute of Technology", "US")
LAB = inst("I3", "Lab & <Co>\x07 Ltd", None, "company")
KYOTO = inst("I4", "Kyoto University", "JP")
TUM = inst("I5", "Technical University of Munich", "DE")


def author(a, institutions, countries=None, position="middle"):
    rec = {
        "author_position": position,
        "author": {"id": OA + a, "display_name": a, "orcid": None},
        "institutions": institutions,
        "is_corresponding": False,
        "raw_affiliation_strings": [],
    }
    if countries is not None:
        rec["countries"] = countries
    return rec


def work(w, year, authorships, cited=0, **extra):
    return {
        "id": OA + w,
        "publication_year": year,
        "type": "article",
        "cited_by_count": cited,
        "authorships": authorships,
        **extra,
    }


def hand_records() -> list[dict]:
    w1 = work(
        "W1",
        2019,
        [
            author("A1", [TOKYO], ["JP"], "first"),
            author("A2", [MIT, TOKYO], ["US", "JP"]),
            author("A3", [LAB], [], "last"),
        ],
        cited=10,
        countries_distinct_count=2,
        fwci=1.5,
    )
    w1["updated_date"] = "2024-05-01T10:00:00.000000"
    w1_again = dict(w1, cited_by_count=12, updated_date="2023-01-01T10:00:00.000000")
    old = {
        "id": OA + "W6",
        "publication_year": 2021,
        "type": "article",
        "cited_by_count": 3,
        "host_venue": {"display_name": "Some Journal"},
        "authorships": [
            {"author_position": "first", "author": {"id": OA + "A6"}, "institutions": [TUM]},
            {"author_position": "last", "author": {"id": OA + "A7"}, "institutions": [MIT]},
        ],
    }
    return [
        w1,
        work("W2", 2019, [author("A1", [TOKYO], ["JP"]), author("A4", [KYOTO], ["JP"])], cited=4),
        work("W3", 2020, [author("A1", [TOKYO], ["JP"])], cited=1),
        work("W4", 2020, [], cited=0),
        work("W5", 2020, [author("A5", [LAB], [])], cited=2),
        old,
        work("W7", 2021, [author("A8", [], ["FR"]), author("A9", [TOKYO], ["JP"])], cited=7),
        w1_again,
    ]
