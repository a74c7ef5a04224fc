"""Build ``resources/concepts.json``: the English words that name each ImageNet class.

Development-time tool; the app only reads its output (``photoscope.network.concepts``).

Sources
    * ImageNet-1k's class order as WordNet ids: ``timm/data/_info/imagenet_synsets.txt`` from the
      ``timm`` wheel (``pip download timm --no-deps`` and point ``--timm`` at the wheel, its unpacked
      folder or the ``_info`` folder; an installed ``timm`` is found by itself). timm is NOT a
      dependency of the project.
    * WordNet 3.0 from Debian's ``wordnet-base`` (``apt-get install wordnet-base``), read directly
      from ``/usr/share/wordnet/{data.noun,noun.exc}``. ImageNet ids are WordNet 3.0 noun offsets
      (``n01440764`` is offset 01440764 of ``data.noun``).

The class order is checked against the repo's ``resources/imagenet-classes.txt`` (the names the app
shows): class ``i`` must be the same synset on both sides, i.e. the repo's name is one of the
synset's lemmas, but for the repo's two hand-disambiguated names (``crane bird``, ``maillot tank
suit``), which must at least start with a lemma.

What the resource holds (compact JSON)
    ``classes``: one entry per class, in class order: ``[wnid, name, lemmas, hypernyms]`` where
        ``name`` is the readable name (first lemma, underscores as spaces, a few overrides in
        ``NAME_OVERRIDES`` where the first lemma is ambiguous between two classes), ``lemmas`` all
        the synset's lemmas (as spaces), ``hypernyms`` indices into ``synsets``: every ancestor, breadth
        first (nearest first; WordNet has some multiple inheritance), including dropped ones.
    ``synsets``: the ancestor synsets: ``[wnid, lemmas, dropped]``.
    ``words``: ``{word: [class indices]}``: each lower-cased noun lemma of a class synset or of an
        ancestor synset, mapped to every class it covers. A class's own lemma covers that class; an
        ancestor's lemma covers every class below that ancestor. Plurals are added as words of
        their own: WordNet's irregular plurals (``noun.exc``: geese, mice, wolves, ...) and the
        regular -s/-es/-ies rules, for single words and for the last word of a multiword lemma
        ("hot dogs"). A word is the union over every synset it names (``crane`` covers the bird and
        the machine; ``cat`` covers "true cat" and "big cat").
    ``own``: the words (and their plurals) that are a lemma of some class synset itself; every other
        word in ``words`` is only a hypernym's.

Over-general words are dropped (no word of theirs enters ``words``):
    * any ancestor synset covering more than ``MAX_COVER`` (400) of the 1000 classes ("entity",
      "physical entity", "object", "whole", "artifact", "organism", ...), and
    * the synsets in ``STOP_SYNSETS``: abstract bookkeeping nodes a person never types for a photo,
      or whose lemmas are everyday words in another sense ("instrumentality", "abstraction",
      "matter", "substance", "solid", "commodity"/"good", "part", "causal agent", "plant organ", ...).
    "animal" (398 classes) stays: people do search for "animal".

Usage::

    python tools/build_concepts.py --timm timm-1.0.x-py3-none-any.whl          # writes the resource
    python tools/build_concepts.py --timm timm-1.0.x-py3-none-any.whl --check  # exit 1 if stale
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import zipfile
from collections import deque
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESOURCE = REPO / "resources" / "concepts.json"
CLASS_NAMES = REPO / "resources" / "imagenet-classes.txt"
WORDNET_DIR = Path("/usr/share/wordnet")
INFO = "timm/data/_info/"

MAX_COVER = 400
STOP_SYNSETS = {
    # the > MAX_COVER rule already drops entity, physical entity, object, whole, artifact, living
    # thing and organism; these are listed too so the rule's threshold can move without surprises
    "n00001740": "entity",
    "n00001930": "physical entity",
    "n00002684": "object, physical object",
    "n00003553": "whole, unit",
    "n00021939": "artifact, artefact",
    "n00004258": "living thing, animate thing",
    "n00004475": "organism, being",
    # abstract bookkeeping nodes (or lemmas that are everyday words in another sense: "good", "part")
    "n03575240": "instrumentality, instrumentation",
    "n00002137": "abstraction, abstract entity",
    "n00020827": "matter",
    "n00020090": "substance",
    "n00019613": "substance",
    "n15046900": "solid",
    "n00019128": "natural object",
    "n03076708": "commodity, trade good, good",
    "n03093574": "consumer goods",
    "n00007347": "causal agent, cause, causal agency",
    "n03892891": "part, portion",
    "n13809207": "part, portion, component part, component, constituent",
    "n00031921": "relation",
    "n00024264": "attribute",
    "n00033020": "communication",
    "n14580897": "material, stuff",
    "n00027167": "location",
    "n11675842": "reproductive structure",
    "n13087625": "plant organ",
    "n13086908": "plant part, plant structure",
}

# Readable names where the first lemma would be ambiguous or odd (class wnid -> name).
NAME_OVERRIDES = {
    "n02012849": "crane bird",  # "crane" is also class 517, the machine
    "n03710721": "tank suit",  # "maillot" is also class 638
}

_IRREGULAR_OK = re.compile(r"^[a-z][a-z'-]*$")


# ---------------------------------------------------------------- sources


def read_timm_info(timm: str | None) -> dict[str, str]:
    """The text files of ``timm/data/_info`` this tool needs, from a wheel, a folder or an install."""
    wanted = ("imagenet_synsets.txt", "imagenet_synset_to_lemma.txt")
    if timm is None:
        spec = importlib.util.find_spec("timm")
        if spec is None or spec.origin is None:
            sys.exit("timm is not installed here: pass --timm PATH (`pip download timm --no-deps`)")
        timm = str(Path(spec.origin).parent / "data" / "_info")
    path = Path(timm)
    if path.is_file():
        with zipfile.ZipFile(path) as wheel:
            return {name: wheel.read(INFO + name).decode("utf-8") for name in wanted}
    for folder in (path, path / "data" / "_info", path / INFO):
        if (folder / wanted[0]).is_file():
            return {name: (folder / name).read_text(encoding="utf-8") for name in wanted}
    sys.exit(f"no {INFO}{wanted[0]} under {path}")


class WordNet:
    """The noun part of WordNet 3.0, read from Debian's ``wordnet-base`` files."""

    def __init__(self, folder: Path) -> None:
        data = folder / "data.noun"
        if not data.is_file():
            sys.exit(f"{data} is missing: apt-get install wordnet-base")
        self.lemmas: dict[str, list[str]] = {}
        self.hypernyms: dict[str, list[str]] = {}
        self.gloss: dict[str, str] = {}
        with open(data, encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("  "):  # licence header
                    continue
                head, _, gloss = line.partition(" | ")
                fields = head.split()
                wnid = "n" + fields[0]
                count = int(fields[3], 16)
                self.lemmas[wnid] = [fields[4 + 2 * k] for k in range(count)]
                at = 4 + 2 * count
                pointers = int(fields[at])
                ups = []
                for k in range(pointers):
                    symbol, offset, pos = fields[at + 1 + 4 * k : at + 4 + 4 * k]
                    if symbol in ("@", "@i") and pos == "n":
                        ups.append("n" + offset)
                self.hypernyms[wnid] = ups
                self.gloss[wnid] = gloss.strip()
        # irregular plurals: plural -> singulars
        self.plurals: dict[str, list[str]] = {}
        with open(folder / "noun.exc", encoding="utf-8") as lines:
            for line in lines:
                plural, *singulars = line.split()
                for singular in singulars:
                    self.plurals.setdefault(singular, []).append(plural)

    def ancestors(self, wnid: str) -> list[str]:
        """Every ancestor, breadth first (nearest first), each once."""
        seen: set[str] = set()
        order: list[str] = []
        queue = deque(self.hypernyms[wnid])
        while queue:
            up = queue.popleft()
            if up in seen:
                continue
            seen.add(up)
            order.append(up)
            queue.extend(self.hypernyms[up])
        return order


# ---------------------------------------------------------------- building


def readable(lemma: str) -> str:
    return lemma.replace("_", " ")


def plural_forms(word: str, wordnet: WordNet) -> list[str]:
    """Plurals of a lower-case lemma; for a multiword lemma, of its last word."""
    head, _, last = word.rpartition(" ")
    prefix = head + " " if head else ""
    forms = [p for p in wordnet.plurals.get(last, []) if _IRREGULAR_OK.match(p)]
    if not forms and last.isalpha():
        if re.search(r"(s|x|z|ch|sh)$", last):
            forms = [last + "es"]
        elif re.search(r"[^aeiou]y$", last):
            forms = [last[:-1] + "ies"]
        else:
            forms = [last + "s"]
    return [prefix + form for form in forms if form != last]


def check_class_order(synsets: list[str], wordnet: WordNet) -> list[str]:
    """Problems between timm's synset order and the repo's class names (empty: in step)."""
    names = CLASS_NAMES.read_text(encoding="utf-8").splitlines()
    problems = []
    if len(names) != len(synsets):
        problems.append(f"{len(names)} names in {CLASS_NAMES.name} but {len(synsets)} synsets")
    for i, (name, wnid) in enumerate(zip(names, synsets, strict=False)):
        lemmas = [readable(lemma).lower() for lemma in wordnet.lemmas[wnid]]
        if name.lower() in lemmas:
            continue
        if any(name.lower().startswith(lemma + " ") for lemma in lemmas):
            continue  # the repo's disambiguated names: "crane bird", "maillot tank suit"
        problems.append(f"class {i}: {name!r} is not a lemma of {wnid} {lemmas}")
    return problems


def build(timm: str | None, wordnet_dir: Path) -> tuple[dict[str, object], list[str]]:
    info = read_timm_info(timm)
    class_ids = info["imagenet_synsets.txt"].split()
    if len(class_ids) != 1000:
        sys.exit(f"expected 1000 ImageNet synsets, got {len(class_ids)}")
    wordnet = WordNet(wordnet_dir)

    # timm's lemma file must agree with WordNet 3.0 for the classes (same offsets, same lemmas)
    timm_lemmas = dict(line.split("\t", 1) for line in info["imagenet_synset_to_lemma.txt"].splitlines())
    for wnid in class_ids:
        ours = ", ".join(readable(lemma) for lemma in wordnet.lemmas[wnid])
        if ours.lower() != timm_lemmas[wnid].strip().lower():
            sys.exit(f"{wnid}: WordNet says {ours!r}, timm says {timm_lemmas[wnid]!r}")
    notes = check_class_order(class_ids, wordnet)

    class_set = set(class_ids)
    ancestors = {wnid: wordnet.ancestors(wnid) for wnid in class_ids}
    below: dict[str, set[int]] = {}
    for index, wnid in enumerate(class_ids):
        for up in ancestors[wnid]:
            below.setdefault(up, set()).add(index)

    def dropped(wnid: str) -> bool:
        return wnid in STOP_SYNSETS or len(below.get(wnid, ())) > MAX_COVER

    # the ancestor table, in order of first appearance (classes that are ancestors of other
    # classes, e.g. none in ImageNet-1k, would still appear here as ancestors)
    table: list[str] = []
    position: dict[str, int] = {}
    for wnid in class_ids:
        for up in ancestors[wnid]:
            if up not in position:
                position[up] = len(table)
                table.append(up)

    covers: dict[str, set[int]] = {}
    own: set[str] = set()

    def add(lemma: str, classes: set[int], is_own: bool) -> None:
        word = readable(lemma).lower()
        for form in [word, *plural_forms(word, wordnet)]:
            covers.setdefault(form, set()).update(classes)
            if is_own:
                own.add(form)

    for index, wnid in enumerate(class_ids):
        for lemma in wordnet.lemmas[wnid]:
            add(lemma, {index}, True)
    for up in table:
        if dropped(up):
            continue
        classes = set(below[up])
        if up in class_set:
            classes.add(class_ids.index(up))
        for lemma in wordnet.lemmas[up]:
            add(lemma, classes, False)

    classes_out = []
    for wnid in class_ids:
        lemmas = [readable(lemma) for lemma in wordnet.lemmas[wnid]]
        name = NAME_OVERRIDES.get(wnid, lemmas[0])
        classes_out.append([wnid, name, lemmas, [position[up] for up in ancestors[wnid]]])
    resource: dict[str, object] = {
        "format": 1,
        "about": (
            "ImageNet-1k classes (timm's imagenet_synsets.txt order) named from WordNet 3.0; "
            "built by tools/build_concepts.py; classes: [wnid, name, lemmas, ancestor indices into "
            "synsets, nearest first]; synsets: [wnid, lemmas, dropped as over-general]; "
            "words: word -> covered class indices; own: words that are a class's own lemma"
        ),
        "max_cover": MAX_COVER,
        "classes": classes_out,
        "synsets": [
            [up, [readable(lemma) for lemma in wordnet.lemmas[up]], int(dropped(up))] for up in table
        ],
        "words": {word: sorted(covers[word]) for word in sorted(covers)},
        "own": sorted(own),
    }
    return resource, notes


def dump(resource: dict[str, object]) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timm", help="timm wheel, unpacked wheel or its data/_info folder")
    parser.add_argument("--wordnet", type=Path, default=WORDNET_DIR, help="WordNet 3.0 dict folder")
    parser.add_argument("--out", type=Path, default=RESOURCE)
    parser.add_argument("--check", action="store_true", help="exit 1 if --out differs from a rebuild")
    args = parser.parse_args(argv)

    resource, notes = build(args.timm, args.wordnet)
    for note in notes:
        print("class order:", note)
    print(
        "class order: timm's imagenet_synsets.txt "
        + ("MISMATCHES" if notes else "matches")
        + f" {CLASS_NAMES.name}"
    )
    text = dump(resource)
    words = resource["words"]
    assert isinstance(words, dict)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is stale: rerun tools/build_concepts.py")
            return 1
        print(f"{args.out} is up to date ({len(words)} words)")
        return 1 if notes else 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}: {len(text.encode()) / 1e6:.2f} MB, {len(words)} words")
    return 1 if notes else 0


if __name__ == "__main__":
    sys.exit(main())
