#!/usr/bin/env python3
"""Builds recall-sourced.tsv, recall-heldout.tsv and recall-dev.tsv: pairs of spellings of
one person's name taken from sources this project did not write (and variants-sourced.txt,
the tuned part's names as a dictionary). recall-dev.tsv was added later, with its own random
numbers and after the others are written, so that they come out as they were.

Not run by the build or the tests: its output is committed, and this script is kept so that
anyone can see, and redo, how the pairs were chosen.

Sources (neither is copied whole; only name spellings are taken):
- Wikidata's person-name labels in English and Arabic, as mined and aligned word by word by
  Merhav and Ash ("Design Challenges in Named Entity Transliteration", COLING 2018),
  repository steveash/NETransliteration-COLING2018 on GitHub, file
  data/wd_arabic.normalized.aligned.tokens (Latin word, Arabic word, how many labels paired
  them). Licence: CC0 1.0 (the data keeps Wikidata's licence).
- names-dataset 3.3.1 (PyPI; philipperemy/name-dataset on GitHub), Apache-2.0: the 400 most
  common first names (men and women) and last names of Morocco (MA), Algeria (DZ), Tunisia
  (TN), Burkina Faso (BF), Cameroon (CM) and Nigeria (NG), to choose which of the Wikidata
  names to take; and their 1,000 commonest, to keep only the Latin spellings these countries
  use (Wikidata also holds Turkish, Persian and Urdu spellings: Mehmet, Hatice, Vahid, Raza).

Usage: python3 recall_build.py WD_ARABIC_TOKENS OUT_DIR (needs `pip install names-dataset`;
reads variants.txt and variants-sourced.txt beside it, to leave their names out of
recall-dev.tsv).
"""

import collections
import hashlib
import random
import sys
import unicodedata

from names_dataset import NameDataset

COUNTRIES = ["MA", "DZ", "TN", "BF", "CM", "NG"]
# Words that are particles or articles, not names, in the country lists.
STOP = {"el", "al", "ben", "bin", "ibn", "ait", "abd", "abou", "abu", "ould", "bou", "de", "la", "le", "da", "di", "du", "des", "van", "von", "dos"}
PAIRS_PER_COUNTRY = 150


HEADER_COMMON = """# Columns: stored spelling, query spelling, kind (part and scripts: arabic-latin = stored in
# Arabic, typed in Latin), the Arabic spelling of each word (the name's identity: two words with
# the same Arabic spelling are the same name; benches/names.rs uses it to tell a different name
# shown as Likely), and the country list that chose the names.
# Sources: Wikidata's person-name labels in English and Arabic, as mined and aligned word by
# word by Merhav and Ash, COLING 2018 (github.com/steveash/NETransliteration-COLING2018, file
# data/wd_arabic.normalized.aligned.tokens; CC0 1.0), for the names and their spellings in both
# scripts; names-dataset 3.3.1 (PyPI, github.com/philipperemy/name-dataset; Apache-2.0), whose
# 400 commonest first and last names of Morocco, Algeria, Tunisia, Burkina Faso, Cameroon and
# Nigeria chose which names to take, and whose 1,000 commonest first and last names say which
# Latin spellings these countries use (only those are taken). A Latin spelling belongs to an Arabic one when Wikidata
# pairs them at least twice, in at least 3 % of that Arabic word's pairings and 20 % of that
# Latin word's. A person is a first name and a last name of one country drawn at random (seed
# 19); a latin-latin query uses another Latin spelling of the same Arabic words.
# Built by recall_build.py (beside this file); not edited by hand.
"""
HEADER = {
    "tuned": "# Recall set from outside sources, the part rules may be tuned on.\n" + HEADER_COMMON,
    "heldout": """# Recall set from outside sources, HELD OUT: no rule or dictionary entry is tuned against it,
# and its misses are not looked at (the bench prints only its figures). Chosen before any
# tuning: a name (its Arabic spelling) is held out when the first byte of
# SHA-256("baom-heldout:" + that spelling) is below 86, about a third of the names; a person is
# held out when both their names are, kept for tuning when neither is.
""" + HEADER_COMMON,
}


def fold(s):
    s = "".join(c for c in unicodedata.normalize("NFD", s.lower()) if not unicodedata.combining(c))
    return s.strip(".")


def held_out(key):
    """A group is held out when the first byte of SHA-256("baom-heldout:" + its Arabic
    spelling) is below 86 (about a third). Decided before any rule was tuned on the rest."""
    return hashlib.sha256(("baom-heldout:" + key).encode()).digest()[0] < 86


def fold_arabic(s):
    for a, b in (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ة", "ه"), ("ى", "ي")):
        s = s.replace(a, b)
    return s


def write_dictionary(out_dir, rows, groups):
    """variants-sourced.txt: one line per name of the tuned part (its Arabic spelling and the
    Latin spellings these countries use), so that the search knows them. A name that shares
    an Arabic spelling (hamza and ة folded) or a Latin spelling with a held-out name is left
    out, so that nothing of the held-out part reaches the dictionary."""
    held = {k for r in rows["heldout"] for k in r[3].split(" ")}
    held_arabic = {fold_arabic(k) for k in held}
    held_latin = {l for k in held for l in groups.get(k, [])}
    tuned = []
    for r in rows["tuned"]:
        for k in r[3].split(" "):
            if k not in tuned:
                tuned.append(k)
    with open(f"{out_dir}/variants-sourced.txt", "w", encoding="utf-8") as out:
        out.write(DICTIONARY_HEADER)
        for k in tuned:
            latin = groups.get(k, [])
            if fold_arabic(k) in held_arabic or any(l in held_latin for l in latin):
                continue
            out.write(", ".join([k] + [l.title() for l in latin]) + "\n")


DICTIONARY_HEADER = """# Known spellings of names, as variants.txt, from the tuned part of recall-sourced.tsv: each
# line is a name of Morocco, Algeria, Tunisia, Burkina Faso, Cameroon or Nigeria (names-dataset
# 3.3.1's country lists, Apache-2.0) with its Arabic spelling and the Latin spellings Wikidata's
# person labels pair with it (CC0 1.0, as aligned by github.com/steveash/NETransliteration-
# COLING2018) that these countries use. Names that share a spelling with a held-out name are
# left out. Built by recall_build.py; not edited by hand.
"""


DEV_COUNTRIES = COUNTRIES + ["EG", "LY", "SD", "DJ", "GH"]
DEV_PAIRS = 700
DEV_HEADER = """# Recall set from outside sources for DEVELOPING the rules: names the dictionaries do not
# know (no Arabic or Latin spelling of variants.txt or variants-sourced.txt) and no held-out
# name, so that its figures measure the rules alone; rules may be tuned on it, and nothing of
# it goes into a dictionary. Names ranked 401 to 1,000 in the six countries' lists of
# recall-heldout.tsv, and the 1,000 commonest of Egypt, Libya, Sudan, Djibouti and Ghana; a
# name is taken only when its Arabic spelling is not held out by the hash of
# recall-heldout.tsv's header. Seed 20; otherwise as below.
""" + HEADER_COMMON


def pair(rng, given, family, groups, part, country):
    """A row of a recall set for a person of `given` and `family` names (each a Latin spelling
    and its Arabic one): stored and query spellings in scripts drawn at random, or None when a
    latin-latin pair has no other Latin spelling to query with."""
    (gl, ga), (fl, fa) = given, family
    kind = rng.choice(["arabic-latin", "latin-arabic", "latin-latin"])
    if kind == "latin-latin":
        other = [(a, b) for a in groups[ga] for b in groups[fa] if (a, b) != (gl, fl)]
        if not other:
            return None
        ql = rng.choice(other)
        stored, query = f"{gl.title()} {fl.title()}", f"{ql[0].title()} {ql[1].title()}"
    else:
        ql = (rng.choice(groups[ga]), rng.choice(groups[fa]))
        latin = f"{ql[0].title()} {ql[1].title()}"
        arabic = f"{ga} {fa}"
        stored, query = (arabic, latin) if kind == "arabic-latin" else (latin, arabic)
    return (stored, query, f"{part} {kind}", f"{ga} {fa}", country)


def dictionary_spellings():
    """Every spelling of variants.txt and variants-sourced.txt, folded."""
    here = __file__.rsplit("/", 1)[0]
    out = set()
    for name in ("variants.txt", "variants-sourced.txt"):
        for line in open(f"{here}/{name}", encoding="utf-8"):
            if line.startswith("#"):
                continue
            for w in line.split(","):
                w = w.strip()
                if w:
                    out.add(fold_arabic(fold(w)).replace(" ", "").replace("-", ""))
    return out


def write_development(out_dir, nd, rows, groups, by_ar, by_lat, kept):
    """recall-dev.tsv: see DEV_HEADER. Written after the other sets, with its own random
    numbers, so that they stay as they were."""
    held = {k for r in rows["heldout"] for k in r[3].split(" ")}
    held_arabic = {fold_arabic(k) for k in held}
    held_latin = {l for k in held for l in groups.get(k, [])}
    known = dictionary_spellings()
    used = set()
    for country in DEV_COUNTRIES:
        for first_names in (True, False):
            top = nd.get_top_names(n=1000, country_alpha2=country, use_first_names=first_names).get(country, {})
            for names in top.values() if first_names else [top]:
                used.update(fold(n) for n in names)
    dev_groups = {}
    for ar, lats in by_ar.items():
        members = [l for l, _ in lats.most_common() if kept(l, ar) and l in used]
        if not members or held_out(ar) or fold_arabic(ar) in held_arabic:
            continue
        if fold_arabic(ar) in known or any(l in known or l in held_latin for l in members):
            continue
        dev_groups[ar] = members
    rng = random.Random(20)
    given, family = [], []
    for country in DEV_COUNTRIES:
        skip = 400 if country in COUNTRIES else 0
        for first_names, into in ((True, given), (False, family)):
            top = nd.get_top_names(n=1000, country_alpha2=country, use_first_names=first_names).get(country, {})
            if first_names:
                names = top.get("M", [])[skip:] + top.get("F", [])[skip:]
            else:
                names = top[skip:]
            for name in names:
                lat = fold(name)
                if lat in STOP or not lat.isascii() or not lat.isalpha():
                    continue
                ars = [a for a, _ in by_lat.get(lat, collections.Counter()).most_common(1) if a in dev_groups and lat in dev_groups[a]]
                if ars and (lat, ars[0], country) not in into:
                    into.append((lat, ars[0], country))
    out, seen, tries = [], set(), 0
    while len(out) < DEV_PAIRS and tries < 50000 and given and family:
        tries += 1
        gl, ga, country = rng.choice(given)
        fl, fa, _ = rng.choice([f for f in family if f[2] == country] or family)
        if ga == fa or (ga, fa) in seen:
            continue
        row = pair(rng, (gl, ga), (fl, fa), dev_groups, "dev", country)
        if row:
            seen.add((ga, fa))
            out.append(row)
    with open(f"{out_dir}/recall-dev.tsv", "w", encoding="utf-8") as f:
        f.write(DEV_HEADER)
        for r in out:
            f.write("\t".join(r) + "\n")
    print("recall-dev.tsv", len(out), collections.Counter(r[2] for r in out), len(given), "given", len(family), "family")


def main():
    wd_path, out_dir = sys.argv[1], sys.argv[2]
    by_ar = collections.defaultdict(collections.Counter)
    by_lat = collections.defaultdict(collections.Counter)
    for line in open(wd_path, encoding="utf-8"):
        p = line.rstrip("\n").split("\t")
        if len(p) < 3:
            continue
        lat, ar, n = fold(p[0]), p[1].replace(" ", ""), int(p[2])
        if not lat.isascii() or not lat.isalpha() or len(lat) < 3 or lat in STOP:
            continue
        by_ar[ar][lat] += n
        by_lat[lat][ar] += n

    def kept(lat, ar):
        n = by_ar[ar][lat]
        return n >= 2 and n >= 0.03 * sum(by_ar[ar].values()) and n >= 0.2 * sum(by_lat[lat].values())

    # A group: one Arabic spelling and the Latin spellings Wikidata pairs it with.
    groups = {}
    for ar, lats in by_ar.items():
        members = [l for l, _ in lats.most_common() if kept(l, ar)]
        if members:
            groups[ar] = members

    nd = NameDataset()
    # Only spellings these countries use: Wikidata also pairs محمد with Turkish Mehmet and
    # خديجة with Hatice, which an office in Morocco does not meet.
    used = set()
    for country in COUNTRIES:
        for first_names in (True, False):
            top = nd.get_top_names(n=1000, country_alpha2=country, use_first_names=first_names)[country]
            for names in top.values() if first_names else [top]:
                used.update(fold(n) for n in names)
    groups = {ar: [l for l in members if l in used] for ar, members in groups.items()}
    groups = {ar: members for ar, members in groups.items() if members}
    rng = random.Random(19)
    rows = {"tuned": [], "heldout": []}
    for country in COUNTRIES:
        first = nd.get_top_names(n=400, country_alpha2=country)[country]
        last = nd.get_top_names(n=400, country_alpha2=country, use_first_names=False)[country]

        def pick(names):
            out = []
            for name in names:
                lat = fold(name)
                if lat in STOP or not lat.isascii() or not lat.isalpha():
                    continue
                ars = [a for a, _ in by_lat.get(lat, collections.Counter()).most_common(1) if a in groups and lat in groups[a]]
                if ars:
                    out.append((lat, ars[0]))
            return out

        given = pick(first["M"] + first["F"])
        family = pick(last)
        for part in ("tuned", "heldout"):
            g = [x for x in given if held_out(x[1]) == (part == "heldout")]
            f = [x for x in family if held_out(x[1]) == (part == "heldout")]
            want = PAIRS_PER_COUNTRY if part == "tuned" else PAIRS_PER_COUNTRY // 2
            seen = set()
            tries = 0
            while len([r for r in rows[part] if r[4] == country]) < want and tries < 20000 and g and f:
                tries += 1
                (gl, ga), (fl, fa) = rng.choice(g), rng.choice(f)
                if ga == fa or (ga, fa) in seen:
                    continue
                row = pair(rng, (gl, ga), (fl, fa), groups, part, country)
                if row:
                    seen.add((ga, fa))
                    rows[part].append(row)
    write_dictionary(out_dir, rows, groups)
    write_development(out_dir, nd, rows, groups, by_ar, by_lat, kept)
    for part, name in (("tuned", "recall-sourced.tsv"), ("heldout", "recall-heldout.tsv")):
        with open(f"{out_dir}/{name}", "w", encoding="utf-8") as out:
            out.write(HEADER[part])
            for stored, query, kind, groups_of, country in rows[part]:
                out.write(f"{stored}\t{query}\t{kind}\t{groups_of}\t{country}\n")
        print(name, len(rows[part]), collections.Counter(r[2] for r in rows[part]))


if __name__ == "__main__":
    main()
