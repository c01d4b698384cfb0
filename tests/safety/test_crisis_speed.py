"""The crisis detector's prefilter and fast paths: they change no assessment, and clear everyday
messages cheaply (timings are printed, never asserted)."""

from __future__ import annotations

import random
import statistics
import timeit
import unicodedata
from re import _parser as sre  # type: ignore[attr-defined]
from typing import Any

import pytest

from app.safety import crisis
from app.safety.crisis import PHRASES, assess, normalise
from tests.safety.crisis_heldout import HELD_OUT
from tests.safety.crisis_sentences import NOT_RISK, RISK

SENTENCES = [*RISK, *NOT_RISK, *(sentence for sentence, _ in HELD_OUT)]

# normalise() as it was written before its fast paths: the spec they must keep to.
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_LETTERS = str.maketrans({"æ": "a", "ø": "o", "å": "a", "ß": "ss"})


def _reference_fold(text: str) -> str:
    text = text.translate(_QUOTES).translate(_LETTERS)
    text = crisis._DIGRAPHS.sub(lambda m: {"ae": "a", "oe": "o"}[m.group()], text)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return crisis._CONSONANT_RUNS.sub(r"\1\1", crisis._VOWEL_RUNS.sub(r"\1", text))


def _reference_normalise(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)
    for pattern, repl in crisis._CONTRACTIONS:
        text = pattern.sub(repl, text)
    text = _reference_fold(text)
    parts = (crisis._NON_WORD.sub(" ", part).strip() for part in crisis._CLAUSE_BREAK.split(text))
    return [part for part in parts if part]


def _sample(items: Any, rnd: random.Random) -> str:
    """A random string spelled by a parsed pattern (assertions ignored: check with search)."""
    out = []
    for op, av in items:
        if op is sre.LITERAL:
            out.append(chr(av))
        elif op is sre.IN:
            chars: list[str] = []
            for kind, value in av:
                if kind is sre.LITERAL:
                    chars.append(chr(value))
                elif kind is sre.RANGE:
                    chars += map(chr, range(value[0], value[1] + 1))
                else:
                    chars += "abcdefghijklmnopqrstuvwxyz"
            out.append(rnd.choice(chars))
        elif op is sre.BRANCH:
            out.append(_sample(rnd.choice(av[1]), rnd))
        elif op is sre.SUBPATTERN:
            out.append(_sample(av[3], rnd))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, sub = av
            out += (_sample(sub, rnd) for _ in range(rnd.randint(low, min(high, low + 3))))
    return "".join(out)


def _phrase_samples(rnd: random.Random) -> dict[int, list[str]]:
    """Clause text each phrase's pattern finds a match in, a few per phrase."""
    samples: dict[int, list[str]] = {}
    for index, phrase in enumerate(PHRASES):
        parsed = sre.parse(phrase.pattern.pattern)
        spelled = {_sample(parsed, rnd) for _ in range(40)}
        samples[index] = sorted(s for s in spelled if phrase.pattern.search(s))[:6]
    return samples


def _variants(text: str, rnd: random.Random) -> list[str]:
    """The same text as members might type it: other case, Danish letters, stretched letters,
    curly apostrophes, accents, emoji, digits, punctuation and more words around it."""
    stretched = "".join(c * rnd.choice((1, 1, 2, 3)) for c in text)
    danish = text.replace("a", rnd.choice(("a", "å", "æ", "ae"))).replace("o", "ø")
    return [
        text,
        text.upper(),
        f"ok. {text}!",
        f"jeg tror at {text} i dag 😢",
        f"I think {text}, really",
        stretched,
        danish,
        text.replace("'", "’").replace("e", "é"),
        text.replace(" ", " 2 "),
        text.replace(" ", "\u0301 "),
        f"{text} 👍🏽 — ſ {text[::-1]}",
    ]


@pytest.fixture(scope="module")
def generated() -> list[str]:
    rnd = random.Random(1795)
    texts = [
        v
        for samples in _phrase_samples(rnd).values()
        for s in samples
        for v in (s, *_variants(s, rnd))
    ]
    texts += [v for sentence in SENTENCES for v in _variants(sentence, rnd)]
    return texts


def test_every_phrase_is_covered_by_generated_matches() -> None:
    samples = _phrase_samples(random.Random(1795))
    assert [PHRASES[i].pattern.pattern for i, found in samples.items() if not found] == []


def test_prefilter_never_drops_a_phrase_that_matches(generated: list[str]) -> None:
    assert len(generated) > 1000
    for text in generated:
        kept = crisis._prefiltered(text)[0]
        clauses = normalise(text)
        matching = [p for p in PHRASES if any(p.pattern.search(clause) for clause in clauses)]
        assert [p.pattern.pattern for p in matching if p not in kept] == [], text


def test_prefilter_changes_no_assessment(generated: list[str]) -> None:
    for text in [*SENTENCES, *generated]:
        assert assess(text) == crisis._judge(_reference_normalise(text), PHRASES), text


def test_normalised_text_is_what_it_was_before_the_fast_paths(generated: list[str]) -> None:
    for text in [*SENTENCES, *generated]:
        assert normalise(text) == _reference_normalise(text), text
        assert crisis._fold(text) == _reference_fold(text), text


EVERYDAY = {
    "load-test message": "1795433123456789012|" + "x" * 60,
    "Danish": "Hej, hvordan går det med dig i dag? Jeg har haft en lang dag på arbejdet.",
    "English": "I had a long day at work, but it was fine. See you tomorrow!",
    "emoji": "Jeg kan ikke komme i dag, jeg er syg 😷",
    "4,000 characters": (
        "Hej, hvordan går det med dig i dag? Jeg har haft en lang dag på arbejdet. " * 60
    )[:4000],
}


@pytest.mark.parametrize("name", EVERYDAY)
def test_everyday_messages_are_cleared_without_searching_for_phrases(name: str) -> None:
    text = EVERYDAY[name]
    assert crisis._prefiltered(text) == ([], None)
    assert not assess(text).risk
    number = 20 if len(text) > 1000 else 2000
    runs = timeit.repeat(lambda: assess(text), number=number, repeat=7)
    median = statistics.median(runs) / number * 1e6
    print(f"\ncrisis assess, {name} ({len(text)} characters): median {median:.1f} µs")
