"""The crisis detector, measured on labelled Danish and English sentences, and its edge cases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.safety.crisis import Category, assess, support_for
from tests.safety.crisis_heldout import HELD_OUT
from tests.safety.crisis_sentences import NOT_RISK, RISK


def _figures(risk: list[str], not_risk: list[str]) -> tuple[list[str], list[str], str]:
    missed = [s for s in risk if not assess(s).risk]
    false_alarms = [s for s in not_risk if assess(s).risk]
    found = len(risk) - len(missed)
    summary = (
        f"recall {found / len(risk):.1%} ({found}/{len(risk)}), "
        f"false positives {len(false_alarms) / len(not_risk):.1%} "
        f"({len(false_alarms)}/{len(not_risk)})"
    )
    return missed, false_alarms, summary


def test_detector_finds_every_risk_sentence_with_few_false_alarms() -> None:
    missed, false_alarms, summary = _figures(RISK, NOT_RISK)
    print(f"\ncrisis detector, labelled set of {len(RISK) + len(NOT_RISK)} sentences: {summary}")
    held_risk = [s for s, is_risk in HELD_OUT if is_risk]
    held_not = [s for s, is_risk in HELD_OUT if not is_risk]
    held_missed, held_false, held_summary = _figures(held_risk, held_not)
    print(
        f"crisis detector, held-out set of {len(HELD_OUT)} (reported, not asserted): {held_summary}"
    )
    for sentence in held_missed:
        print(f"  held-out miss: {sentence}")
    for sentence in held_false:
        print(f"  held-out false alarm: {sentence}")

    assert len(RISK) + len(NOT_RISK) >= 80
    assert missed == []
    assert len(false_alarms) / len(NOT_RISK) <= 0.10, false_alarms


@pytest.mark.parametrize(
    "text",
    [
        "JEG VIL IKKE LEVE LAENGERE",
        "jeg vil ikke leve laengere",
        "jeg har lyst til at skaere i mig selv",
        "jeg vil gerne doe",
        "jeg vil bare dooooø",
        "I waaant to diiie",
        "i wanna kil myself",
        "I don’t want to live anymore",
        "jeg har tænkt på at tage mit liv",
    ],
)
def test_spellings_without_danish_letters_or_with_typos_are_understood(text: str) -> None:
    assert assess(text).risk


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal",
        "I am not going to kill myself",
        "I would never ever hurt myself",
        "jeg har ingen planer om at tage mit liv",
        "jeg har aldrig haft tanker om selvmord",
        "jeg har ikke længere lyst til at skade mig selv",
    ],
)
def test_negated_statements_are_not_risk(text: str) -> None:
    assert not assess(text).risk


@pytest.mark.parametrize(
    "text",
    [
        "I don't want to live anymore",
        "jeg har ikke lyst til at leve mere",
        "I can't stop thinking about suicide",
        "jeg kan ikke holde op med at tænke på at tage mit liv",
        "Jeg er ikke ok. Jeg vil dø.",
        "I'm not suicidal, but I keep thinking about killing myself",
    ],
)
def test_negated_living_and_negation_in_another_clause_are_still_risk(text: str) -> None:
    assert assess(text).risk


def test_categories_tell_moderators_what_kind_of_risk() -> None:
    assert assess("I want to kill myself").categories == (Category.suicide,)
    assert assess("jeg har skåret i mig selv i nat").categories == (Category.self_harm,)
    assert assess("jeg har taget en overdosis").categories == (Category.overdose,)
    assert assess("I just want to die").categories == (Category.death_wish,)
    assert assess("I want to die. I have been cutting myself.").categories == (
        Category.self_harm,
        Category.death_wish,
    )
    assert assess("jeg døde af grin").categories == ()


def test_risk_at_the_end_of_a_long_text_is_found() -> None:
    text = "hej med dig " * 1600 + "og nu vil jeg bare dø"
    assert len(text) <= 20_000
    assert assess(text).risk


def test_support_is_attached_only_when_text_signals_risk() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert support_for("jeg døde af grin", now) is None
    assert support_for("I could kill for a coffee") is None
    support = support_for("jeg vil ikke leve længere", now)
    assert support is not None
    assert {line["id"] for line in support["lines"]} >= {"livslinien", "112"}
