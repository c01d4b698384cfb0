"""Spots risk language about suicide and self-harm in Danish and English, locally and statelessly.

Phrase patterns over normalised text; no model, no network, nothing stored or logged.

Decisions, in order of priority:
- Recall on first-person risk comes first: a calm support panel shown once too often costs far
  less than a member in crisis who is missed. A bare mention ("suicide is on my mind") is risk.
- A clearly negated statement is not risk ("I'm not suicidal", "jeg har ingen planer om at tage
  mit liv", "I would never kill myself"). Negated *living* is risk ("I don't want to live
  anymore", "jeg kan ikke leve længere"): those patterns carry their negation inside them.
- "can't stop thinking about ..." / "kan ikke holde op med ..." is not a negation.
- Idioms are not risk: "jeg døde af grin", "I could kill for a coffee", "dødtræt", "career
  suicide", "I want to die of embarrassment", "I'd rather die than sing karaoke".
- Informational and third-person mentions of the topic words are not risk: prevention, research,
  statistics, films and articles about it, "Livslinien hjælper mennesker i selvmordsfare", "my
  brother attempted suicide", "he died of an overdose". These only silence the bare topic words;
  a first-person phrase in the same text still counts.
- Accidents are not self-harm ("I cut myself shaving", "jeg skar mig på en kniv").
- Past self-harm described as past ("I used to cut myself") is not risk unless the same clause
  says it is happening now or again.
"""

from __future__ import annotations

import codecs
import functools
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from re import _parser as sre  # type: ignore[attr-defined]
from typing import Any, Literal

from app.db import utcnow
from app.safety.crisis_lines import support_payload


class Category(StrEnum):
    """What the risk is about, for moderators' priority flags."""

    suicide = "suicide"
    self_harm = "self_harm"
    overdose = "overdose"
    death_wish = "death_wish"


@dataclass(frozen=True, slots=True)
class Assessment:
    risk: bool
    categories: tuple[Category, ...] = ()


# --- normalisation -------------------------------------------------------------------------------

# Character maps are applied as a few str.replace calls: a dict-driven str.translate costs a
# dictionary lookup per character, which dominated the cost of short chat messages.
_QUOTES = tuple((q, "'") for q in "’‘`´ʼ")
# Danish letters and their keyboard-less spellings collapse to one form: "dø", "doe" and "do" all
# become "do"; "på", "paa" and "pa" become "pa"; "længere" and "laengere" become "langere".
_DIGRAPHS = re.compile(r"ae|oe")
_DIGRAPH_TO = {"ae": "a", "oe": "o"}
_LETTERS = (("æ", "a"), ("ø", "o"), ("å", "a"), ("ß", "ss"))
# Stretched words ("waaant to diiie", "killlll") shrink: vowel runs to one letter (so "dooø" and
# "doe" meet "dø"), consonant runs to two (so "kill" and "will" keep their shape).
_VOWEL_RUNS = re.compile(r"([aeiouy])\1+")
_CONSONANT_RUNS = re.compile(r"([b-df-hj-np-tv-xz])\1{2,}")
_CONTRACTIONS = [
    (re.compile(r"\b(?:can'?t|cannot)\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (
        re.compile(
            r"\b(do|does|did|is|are|was|were|would|could|should|have|has|had|need|must)n'?t\b"
        ),
        r"\1 not",
    ),
    (re.compile(r"\bi'?m\b"), "i am"),
    (re.compile(r"\bi've\b"), "i have"),
    (re.compile(r"\bive\b"), "i have"),
    (re.compile(r"\bi'd\b"), "i would"),
    (re.compile(r"\bi'll\b"), "i will"),
    (re.compile(r"\bwanna\b"), "want to"),
    (re.compile(r"\bgonna\b"), "going to"),
    (re.compile(r"\bgotta\b"), "got to"),
]
# One search tells whether any contraction is present; most messages have none.
_ANY_CONTRACTION = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in _CONTRACTIONS))
# Clauses end at sentence punctuation, at "but"/"men", and at commas that do not open an
# "at"/"that" clause, so a negation never reaches across into the next thought.
_CLAUSE_BREAK = re.compile(
    r"[.!?;:\n\r\t()\[\]\"“”«»]+|\s[-–—]+\s|,(?!\s*(?:at|that)\b)"
    r"|\b(?:but|however|although|though|men|selvom)\b"
)
_NON_WORD = re.compile(r"[^a-z0-9]+")


def _replace(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def _fold(text: str) -> str:
    """Danish letters, digraphs and accents folded; shared by text and patterns (never casefolded,
    so a pattern's escapes such as \\b keep their meaning)."""
    text = _replace(_replace(text, _QUOTES), _LETTERS)
    if "ae" in text or "oe" in text:
        text = _DIGRAPHS.sub(lambda m: _DIGRAPH_TO[m.group()], text)
    if not text.isascii():  # ASCII has nothing to decompose
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _CONSONANT_RUNS.sub(r"\1\1", _VOWEL_RUNS.sub(r"\1", text))


def _lower(text: str) -> str:
    """NFKC and case folding; on ASCII both come down to lower()."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold()


def normalise(text: str) -> list[str]:
    """The text as a list of clauses: lower-case ASCII words separated by single spaces."""
    text = _replace(_lower(text), _QUOTES)
    if _ANY_CONTRACTION.search(text):
        for pattern, repl in _CONTRACTIONS:
            text = pattern.sub(repl, text)
    text = _fold(text)
    clauses = []
    for part in _CLAUSE_BREAK.split(text):
        words = _NON_WORD.sub(" ", part).strip()
        if words:
            clauses.append(words)
    return clauses


def _rx(source: str) -> re.Pattern[str]:
    """A pattern written in natural spelling, folded the same way as the text it will meet."""
    return re.compile(_fold(source))


# --- phrases -------------------------------------------------------------------------------------

Kind = Literal["strong", "living", "topic"]


@dataclass(frozen=True, slots=True)
class Phrase:
    """One risk phrase.

    strong: first-person risk; silenced by a negation right before it, or by `unless_after`.
    living: negated living ("don't want to live"); the negation is part of it.
    topic:  a bare topic word; also silenced by informational or third-person context.
    accident: an accidental context ("shaving", "på en kniv") means it was not self-harm.
    """

    category: Category
    pattern: re.Pattern[str]
    kind: Kind = "strong"
    unless_after: re.Pattern[str] | None = None
    accident: bool = False


def _p(
    category: Category,
    source: str,
    kind: Kind = "strong",
    unless_after: str | None = None,
    accident: bool = False,
) -> Phrase:
    return Phrase(
        category, _rx(source), kind, _rx(unless_after) if unless_after else None, accident
    )


SU, SH, OD, DW = Category.suicide, Category.self_harm, Category.overdose, Category.death_wish
_MYSELF = r"(?:my ?self|meself|myslef|mself)"
_DIE = r"(?:dø|do)"
# Danish puts the subject after the verb when a sentence opens with something else:
# "i aften gør jeg en ende på det hele".
_J = r"(?:jeg )?"
_LIVE_ELSEWHERE_EN = (
    r"^ (?:in|at|with|near|there|here|alone|abroad|on|without|together|next|close)\b"
)
_LIVE_ELSEWHERE_DA = (
    r"^ (?:i|på|uden|sammen|alene|hos|der|her|nær|op|af|ude|inde"
    r"|med (?:ham|hende|dem|dig|min|mine|mit|en|et|nogen))\b"
)

PHRASES: tuple[Phrase, ...] = (
    # --- English: suicide
    _p(
        SU,
        rf"\b(?:kil+|kil+ing|kil+ed|kil+s) {_MYSELF}\b",
        unless_after=r"^ (?:laughing|with laughter|at (?:work|the gym)"
        r"|to (?:finish|get|meet|make|keep))",
    ),
    _p(SU, rf"\bunalive\w* {_MYSELF}\b"),
    _p(SU, r"\bunalive\b"),
    _p(SU, r"\bsewer ?slide\b"),
    _p(SU, r"(?<![0-9] )\bkms\b"),
    _p(SU, r"\b(?:end|ending|ended) (?:my|this) (?:own )?life\b"),
    _p(SU, r"\b(?:end|ending) it all\b"),
    _p(SU, r"\b(?:end|ending) (?:everything|it (?:tonight|today|for good|once and for all))\b"),
    _p(SU, r"\bwant (?:it all|my life|everything|this life) to (?:end|stop|be over)\b"),
    _p(
        SU,
        r"\b(?:take|taking) my (?:own )?life\b",
        unless_after=r"^ (?:back|in |into |seriously|forward|to the next|one day|step)",
    ),
    _p(
        SU,
        r"\b(?:hang|hanging|shoot|shooting|drown|drowning|poison|poisoning|gas|gassing"
        rf"|electrocute|stab|stabbing|suffocate|suffocating) {_MYSELF}\b",
        unless_after=r"^ (?:in|up|on|with work)\b",
    ),
    _p(
        SU,
        r"\b(?:jump|jumping) (?:off|from) (?:a|the|my|this|that)? ?(?:bridge|building|roof"
        r"|balcony|window|tower|parking garage|car park)\b",
    ),
    _p(
        SU,
        r"\b(?:jump|jumping|throw myself|step|stepping) in front of (?:a|the)? ?(?:train|bus"
        r"|car|truck|lorry|metro|subway)\b",
    ),
    _p(SU, r"\bsuicid\w*", kind="topic"),
    _p(SU, r"\b(?:sucid|suicd|suisid|suiside|sucide|suicde|siucid|suiced)\w*", kind="topic"),
    # --- English: self-harm
    _p(SH, r"\bself ?-?harm\w*", kind="topic"),
    _p(SH, r"\bself ?-?injur\w*", kind="topic"),
    _p(
        SH,
        rf"\b(?:cut|cuts|cutting|hurt|hurts|hurting|harm|harms|harming|harmed|injure|injuring"
        rf"|burn|burns|burning|burned|burnt|starve|starving|starved) {_MYSELF}\b",
        accident=True,
    ),
    _p(SH, r"\b(?:cut|cutting|slit|slitting) (?:my|both) (?:wrists?|arms?|thighs?|legs?|skin)\b"),
    # --- English: overdose
    _p(
        OD,
        r"\boverdos\w*",
        kind="topic",
        unless_after=r"^ (?:on|of) (?:coffee|caffeine|sugar|chocolate|candy|sweets|netflix|tv"
        r"|cuteness|love|carbs|cake|pizza|sunshine|christmas)",
    ),
    _p(
        OD,
        r"\b(?:take|taking|swallow|swallowing|down|downing) (?:all|every one) (?:of )?my"
        r" (?:pills|meds|medication|tablets|sleeping pills|painkillers)\b",
    ),
    _p(
        OD,
        r"\b(?:saving|saved|stockpiling|hoarding|collecting) (?:up )?(?:my )?(?:pills|meds"
        r"|tablets|sleeping pills|painkillers)\b",
    ),
    # --- English: death wish
    _p(
        DW,
        r"\b(?:want|wanted|wanting|wish|wishing|ready|longing|deserve|need) to die\b",
        unless_after=r"^ (?:of|from|laughing|with|inside|a little|on (?:this|that) hill)\b",
    ),
    _p(
        DW,
        r"\b(?:would|had) rather (?:be )?(?:die|dead)\b",
        unless_after=r"^ than\b(?!.*\b(?:live|living|go on|going on|continue|keep going|like"
        r" this|be here)\b)",
    ),
    _p(
        DW,
        r"\bwish (?:that )?i (?:was|were|had|would|could) (?:be )?(?:dead|die|died|never been"
        r" born|not alive|not here|gone)\b",
    ),
    _p(DW, r"\bhope (?:that )?i (?:die|do not wake up|never wake up|will not wake up)\b"),
    _p(DW, r"\b(?:sleep|fall asleep|go to sleep) (?:\w+ ){0,2}(?:and )?never wake up\b"),
    _p(DW, r"\bbetter off (?:dead|without me)\b"),
    _p(DW, r"\b(?:no one|nobody|noone) (?:would|will|is going to) (?:even )?(?:miss|notice) me\b"),
    _p(
        DW,
        r"\bnot (?:going to )?be (?:here|around|alive) (?:much |for )?(?:longer|long)\b",
        kind="living",
    ),
    _p(
        SU,
        r"\b(?:written|wrote|writing|write) (?:my |a |the )?(?:goodbye|farewell)"
        r" (?:letters?|notes?)\b",
    ),
    _p(
        DW,
        r"\b(?:miss|care|notice) (?:about )?(?:me )?if i (?:die|died|was gone|were gone"
        r"|was dead|were dead|disappeared|was not here|were not here)\b",
    ),
    _p(
        DW,
        r"\b(?:only|no other) (?:way out|option|solution|answer|escape) (?:\w+ ){0,2}?(?:is|than"
        r"|but) (?:to )?(?:die|death|suicide|kill myself|end it)\b",
    ),
    _p(
        DW,
        r"\bdeath (?:is|seems like|feels like) (?:the|my) only"
        r" (?:way out|option|solution|answer)\b",
    ),
    _p(DW, r"\b(?:disappear|vanish) (?:forever|for good|permanently|for ever)\b"),
    _p(
        DW,
        r"\bno (?:reason|point|purpose) (?:in |to |for |of )?(?:live|living|being alive|going"
        r" on|staying alive|stay alive|keep living|keep going|life|my life)\b",
        kind="living",
    ),
    _p(DW, r"\bnothing (?:left )?to live for\b", kind="living"),
    _p(
        DW,
        r"\bwhat is the point (?:of|in) (?:living|life|going on|being alive|anything)\b",
        kind="living",
    ),
    _p(DW, r"\b(?:tired|sick) of (?:living|being alive|life|existing)\b", kind="living"),
    _p(DW, r"\bhate being alive\b", kind="living"),
    _p(
        DW,
        r"\b(?:not|no longer|never) (?:really |even |ever )?(?:want|wish|feel like|care)"
        r" (?:to )?(?:live|living|be alive|exist|existing|stay alive|keep living)\b",
        kind="living",
        unless_after=_LIVE_ELSEWHERE_EN,
    ),
    _p(
        DW,
        r"\b(?:not|no longer|never) (?:really |even )?want to be (?:here|around)"
        r" (?:anymore|any more|any longer)\b",
        kind="living",
    ),
    _p(
        DW,
        r"\b(?:not|never) want to wake up (?:again|anymore|any more|ever again|tomorrow)?$",
        kind="living",
    ),
    _p(DW, r"\bcan not (?:go on|keep) (?:living|going on|on living)\b", kind="living"),
    _p(DW, r"\bcan not go on (?:anymore|any more|any longer)\b", kind="living"),
    # --- Danish: suicide
    _p(SU, r"\bselv ?mor[dt]\w*", kind="topic"),
    _p(
        SU,
        rf"\b(?:tage|tager|taget|tog) {_J}mit (?:eget )?liv\b",
        unless_after=r"^ (?:tilbage|i (?:egen|egne|mine egne|mine) (?:hånd|hænder)|op|alvorligt"
        r"|seriøst|videre)\b",
    ),
    _p(SU, r"\btage livet af mig\b"),
    _p(SU, r"\bjeg (?:tager|tog|har taget) livet af mig\b"),
    _p(SU, r"\blivet af mig selv\b"),
    _p(SU, rf"\b(?:slå|slår|slog|slået) {_J}mig selv ihjel\b"),
    _p(SU, rf"\b(?:gøre|gør|gjorde|gjort) {_J}det af med mig selv\b"),
    _p(
        SU, rf"\b(?:gøre|gør|gjorde|gjort) {_J}en ende på (?:mit liv|det hele|mig selv|livet|alt)\b"
    ),
    _p(SU, rf"\b(?:ende|ender|afslutte|afslutter|stoppe|stopper) {_J}(?:mit liv|det hele)\b"),
    _p(
        SU,
        rf"\b(?:hænge|hænger|skyde|skyder|drukne|drukner|forgifte|gasse|kvæle) {_J}mig(?: selv)?\b",
        unless_after=r"^ (?:i|op|fast|på|over|ind|ud)\b",
    ),
    _p(
        SU,
        rf"\b(?:springe|springer|hoppe|hopper|kaste mig|smide mig|gå|går) {_J}(?:ud )?foran"
        r" (?:toget|et tog|en bil|bilen|en bus|bussen|en lastbil|metroen|s toget)\b",
    ),
    _p(
        SU,
        rf"\b(?:springe|springer|hoppe|hopper|kaste mig) {_J}(?:ud|ned) (?:fra|af) (?:broen|en bro"
        r"|taget|et tag|altanen|vinduet|tårnet|en bygning|bygningen|p huset)\b",
    ),
    _p(SU, r"\bafskedsbrev\w*"),
    _p(
        DW,
        r"\b(?:eneste|ingen anden|ingen) (?:\w+ )?(?:udvej|løsning|vej ud) (?:\w+ ){0,3}?(?:er|end)"
        rf" (?:at )?(?:{_DIE}|død|døden|selvmord\w*|tage mit liv)\b",
    ),
    _p(
        DW,
        r"\bdøden (?:er|virker som|ser ud som) (?:den |min )?(?:eneste )?"
        r"(?:udvej|løsning|vej ud)\b",
    ),
    # --- Danish: self-harm
    _p(SH, r"\bselv ?-?skad\w*", kind="topic"),
    _p(
        SH,
        rf"\b(?:skade|skader|skadede|skadet|gøre skade på|gør skade på|gøre) {_J}mig selv"
        r"(?: fortræd)?\b",
        accident=True,
    ),
    _p(
        SH,
        rf"\bsk(?:ære|ærer|ar|året|aret) {_J}(?:i|på) (?:mig selv|mig|armen|armene|håndleddet"
        r"|håndleddene|benene|låret|lårene|huden|maven)\b",
        accident=True,
    ),
    _p(SH, rf"\bsk(?:ære|ærer|ar|året|aret) {_J}mig\b", accident=True),
    _p(
        SH,
        r"\b(?:brænde|brænder|brændte|ridse|ridser|ridsede|kradse|kradser|slå|slår|slog)"
        rf" {_J}mig selv\b",
        accident=True,
        unless_after=r"^ ihjel\b",
    ),
    _p(
        SH,
        r"\b(?:ridse|ridser|ridsede|kradse|kradser|kradsede) mig (?:til blods|i armene"
        r"|i armen|på armene)\b",
    ),
    # --- Danish: overdose
    _p(OD, r"\boverdosis\w*", kind="topic"),
    _p(
        OD,
        rf"\b(?:tage|tager|tog|sluge|sluger|slugte) {_J}alle (?:mine )?(?:piller|pillerne"
        r"|tabletter|tabletterne|sovepiller|smertestillende)\b",
    ),
    _p(
        OD,
        r"\b(?:samle|samler|samlet|sparet|spare|gemt|gemmer) (?:på )?(?:\w+ )?(?:piller"
        r"|sovepiller|tabletter)\b",
    ),
    # --- Danish: death wish
    _p(
        DW,
        rf"\b(?:vil|ville) (?:bare|gerne|helst|hellere|bare gerne|så gerne) {_DIE}\b",
        unless_after=r"^ (?:af|for|med|end)\b",
    ),
    _p(DW, rf"\b(?:jeg|jg) (?:\w+ )?vil {_DIE}\b", unless_after=r"^ (?:af|for|med|end)\b"),
    _p(DW, rf"\bvil jeg (?:bare |gerne |helst )?{_DIE}\b", unless_after=r"^ (?:af|for|med)\b"),
    _p(DW, rf"\b(?:lyst|trang) til at {_DIE}\b", unless_after=r"^ (?:af|for|med)\b"),
    _p(DW, rf"\bønsker? (?:bare )?(?:at )?{_DIE}\b", unless_after=r"^ (?:af|for|med)\b"),
    _p(
        DW,
        r"\bhellere (?:være )?død\b",
        unless_after=r"^ end\b(?!.*\b(?:leve|lever|fortsætte|være her|sådan her)\b)",
    ),
    _p(DW, r"\b(?:ønsk\w*|gid|håber) (?:at )?jeg (?:var|er|bare var|bare er) (?:død|væk)\b"),
    _p(DW, r"\bvar (?:aldrig|ikke) blevet født\b"),
    _p(DW, r"\bbedre (?:off )?død\b"),
    _p(DW, r"\b(?:vil|ville|skal|kunne) være død\b"),
    _p(DW, rf"\bfortjener (?:at {_DIE}|ikke at leve)\b"),
    _p(DW, r"\bforsvinde for (?:altid|evigt|godt)\b"),
    _p(
        DW,
        r"\b(?:have|har|få|får) det bedre (?:uden mig|hvis jeg (?:ikke var her|var væk"
        r"|var død|forsvandt|ikke fandtes|ikke levede|døde))\b",
    ),
    _p(
        DW,
        r"\b(?:ingen|ikke nogen) (?:\w+ )?(?:ville|vil|kommer til at|ville nogensinde) savne mig\b",
    ),
    _p(DW, r"\bvæk (?:fra (?:det hele|alt) )?for (?:altid|evigt|godt)\b"),
    _p(DW, r"\bsavne mig hvis jeg (?:døde|var væk|forsvandt|var død|ikke var her)\b"),
    _p(
        DW,
        r"\b(?:ingen|intet|ikke nogen|ikke noget) (?:\w+ )?(?:grund|mening|formål) (?:til|med|i)"
        r" at leve\b",
        kind="living",
    ),
    _p(DW, r"\bingen mening med (?:livet|mit liv)\b", kind="living"),
    _p(DW, r"\b(?:intet|ikke noget|ingenting) (?:tilbage )?at leve for\b", kind="living"),
    _p(DW, r"\btræt af (?:at leve|livet|at være i live|at eksistere)\b", kind="living"),
    _p(DW, r"\blivstræt\b", kind="living"),
    _p(
        DW,
        r"\b(?:ikke|ik|ikk|aldrig) (?:længere |mere )?(?:(?:lyst|til|at|orker|gider|kan|vil|jeg"
        r"|ønsker|magter|har|bare|rigtig|overhovedet|klarer) ){0,4}(?:leve|lever|være i live"
        r"|eksistere)\b",
        kind="living",
        unless_after=_LIVE_ELSEWHERE_DA,
    ),
    _p(DW, r"\b(?:ikke|aldrig) (?:\w+ ){0,2}være her (?:mere|længere)\b", kind="living"),
    _p(
        DW,
        r"\bikke (?:(?:lyst|til|at|vil|gider|orker|ønsker) ){0,4}vågne (?:op )?(?:igen|mere"
        r"|i morgen)\b",
        kind="living",
    ),
    _p(DW, r"\b(?:sove|falde i søvn|sover) (?:ind )?og (?:aldrig|ikke) vågne\b"),
)

# --- context: negation, accidents, informational and third-person mentions ---------------------

_NEGATORS = frozenset(
    _fold(
        "not never no nor without stopped quit ikke ik ikk aldrig ingen intet ingenting uden"
        " hverken xneg"
    ).split()
)
# Words that may stand between a negation and what it negates: "I'm not going to kill myself",
# "jeg har ingen planer om at tage mit liv".
_FILLERS = frozenset(
    _fold(
        "to going want wanted planning plan plans intend intending ever really actually be been"
        " being am is are was will would could should have had has any thoughts thought thinking"
        " think of about on feel feeling like i the urge urges longer even try trying do did does"
        " anymore so currently at all"
        " om på til lyst planer tanker tankerne tanke nogen noget har haft vil ville skal skulle"
        " kan kunne tænker tænkt overvejer overvejet mere længere helt slet overhovedet"
        " nogensinde jeg er være været gå hen gerne finder finde rigtig mig nu"
    ).split()
)
# Phrases that look negated but are not ("I can't stop thinking about ...") become a plain word.
_NOT_NEGATIONS = _rx(
    r"\b(?:can not|could not|never|not|kan ikke|kunne ikke|aldrig) (?:stop|help|quit|shake|get"
    r" rid of|holde op|lade være|stoppe|slippe|få det ud af hovedet|få tankerne væk)\b"
    r"|\b(?:can not|kan ikke|orker ikke|gider ikke|magter ikke|klarer ikke) (?:take it|do this"
    r"|cope|handle|go on|mere|klare mere|klare det)\b"
    r"|\b(?:no other|nothing else|nothing but|ikke andet|intet andet|ingen anden)\b"
    r"|\b(?:ser ingen|see no)\b"
    r"|\b(?:not|ikke) (?:ok|okay|fine|alright|well|godt)\b"
)
_STOPPED = _rx(
    r"\b(?:holdt|holder|har holdt) op med\b|\b(?:stoppet|stoppede|stopper) med\b"
    r"|\bhar lagt \w+ bag mig\b"
)
_USED_TO = _rx(
    r"\b(?:used to|plejede at|tidligere|since i last|siden jeg sidst)\b"
    r"|\b(?:\w+ )(?:år|years) (?:siden|ago)\b"
)
_NOW = _rx(
    r"\b(?:again|now|lately|recently|tonight|today|relaps\w*|igen|nu|for nylig|i nat|i aften"
    r"|i dag|i går|tilbagefald\w*)\b"
)
_ACCIDENT_AFTER = _rx(
    r"^ (?:\w+ ){0,3}?(?:shaving|cooking|chopping|slicing|while|when|playing|at the gym|at work"
    r"|on (?:a|an|the|some|my)|by accident|accidentally|training|running|skiing|falling|lifting"
    r"|ironing|gardening"
    r"|på (?:en|et|kniven|glasset|papir\w*|dåse\w*|saks\w*|ovnen|komfuret|panden)"
    r"|i (?:fingeren|fingrene|tommelfingeren|tommeltotten|tåen|hånden)"
    r"|da jeg|mens jeg|under \w+|til (?:fodbold|træning|håndbold|gymnastik)|ved et uheld)\b"
)
_ACCIDENT_BEFORE = _rx(r"\b(?:accidentally|by accident|ved et uheld|kom til at)\b")
_INFORMATIONAL = _rx(
    r"\bsuicid\w* (?:prevention|awareness|rates?|statistics|research|hotlines?|helplines?"
    r"|lines?|crisis lines?|risk assessments?|squad|doors?|bomb\w*|run|mission|studies|study)\b"
    r"|\b(?:prevent\w*|prevention of|awareness of|stigma (?:of|around)|research on|statistics"
    r" on|rates? of) (?:\w+ )?(?:suicid\w*|self ?-?harm\w*|overdos\w*)"
    r"|\b(?:career|social|political|commercial|professional|fashion|electoral) suicide\b"
    r"|\bself ?-?harm\w* (?:awareness|prevention|research|statistics)\b"
    r"|\boverdos\w* (?:awareness|prevention|deaths?|crisis|epidemic)\b"
    r"|\b(?:suicid\w*|self ?-?harm\w*|selvmord\w*|selvskad\w*) (?:among|blandt|in denmark"
    r"|i danmark)\b"
    r"|\b(?:film|movie|book|article|documentary|episode|podcast|song|lecture|course|class|talk"
    r"|presentation|series|show|novel|play|filmen|bog|bogen|artikel|artiklen|dokumentar\w*"
    r"|foredrag\w*|oplæg\w*|kursus\w*|serie\w*|afsnit\w*|sang\w*|romanen|roman)"
    r" (?:\w+ ){0,3}(?:about|on|om|omkring|with|behandler|handles|covers|tackles|addresses"
    r"|explores|skildrer) (?:\w+ )?(?:suicid\w*|self ?-?harm\w*|overdos\w*"
    r"|selvmord\w*|selvskad\w*)"
    r"|\bselvmords?(?:forebyg\w*|forsk\w*|statistik\w*|rate\w*|tal|tallet|tallene|bomb\w*"
    r"|mission\w*|linj\w*|rådgiv\w*)"
    r"|\b(?:forebyg\w*|forebyggelse af) (?:af )?(?:selvmord\w*|selvskad\w*)"
    r"|\b(?:mennesker|personer|folk|unge|borgere|patienter|børn|voksne|dem|alle|pårørende"
    r"|andre|people|persons|anyone|those|others|men|women) (?:who are |som er |der er )?"
    r"(?:i|med|in|with|at risk of|contemplating) (?:selvmordsfare|selvmordstanker|selvskad\w*"
    r"|selvmordsrisiko|suicidal \w+|suicide risk|risk of suicide)"
    r"|\b(?:politisk|socialt|karriere|kommercielt) ?selvmord\b"
    r"|\b(?:lost|mistede|mistet) (?:\w+ ){1,3}(?:to|til) (?:an )?"
    r"(?:suicid\w*|overdos\w*|selvmord\w*)"
)
_THIRD = (
    r"(?:he|she|they|someone|somebody|people|person|friend|brother|sister|mother|mom|mum|father"
    r"|dad|son|daughter|uncle|aunt|cousin|grandma|grandpa|grandmother|grandfather|partner"
    r"|husband|wife|boyfriend|girlfriend|colleague|neighbou?r|classmate|who|woman|boy|girl"
    r"|han|hun|de|nogen|folk|mennesker|personer|ven|veninde|vennen|bror|søster|mor|far|søn"
    r"|datter|onkel|moster|faster|morbror|farbror|fætter|kusine|bedstemor|bedstefar|morfar"
    r"|mormor|farfar|farmor|kæreste|mand|kone|kollega|nabo|klassekammerat|der|som|pige|dreng"
    r"|kvinde)"
)
_THIRD_BEFORE = _rx(
    rf"\b{_THIRD} (?:\w+ ){{0,2}}(?:committed|commited|attempted|died by|died of|died from"
    r"|died after|is|was|were|are|became|overdosed|begik|har begået|havde begået|forsøgte"
    r"|døde|døde af|er|var|blev|tog) (?:\w+ ){0,2}$"
    r"|\b(?:his|her|their|hans|hendes|deres|sit|sin|sine) (?:\w+ )?$"
)


_WINDOW = 160


def _negated(prefix: str) -> bool:
    """Whether the words right before a match negate it (only filler words may stand between)."""
    prefix = _NOT_NEGATIONS.sub(" xplain ", prefix)
    prefix = _STOPPED.sub(" xneg ", prefix)
    words = prefix.split()
    for word in reversed(words[-8:]):
        if word in _NEGATORS:
            return True
        if word not in _FILLERS:
            return False
    return False


def _counts(phrase: Phrase, clause: str, match: re.Match[str]) -> bool:
    # Context is read in a window around the match, so a long text costs linear time.
    start, end = match.start(), match.end()
    before = clause[max(0, start - _WINDOW) : start]
    if start > _WINDOW:
        before = before.partition(" ")[2]
    after = (
        clause[end : end + _WINDOW].rpartition(" ")[0]
        if len(clause) > end + _WINDOW
        else clause[end:]
    )
    if phrase.unless_after is not None and phrase.unless_after.search(after):
        return False
    if phrase.accident and (_ACCIDENT_AFTER.search(after) or _ACCIDENT_BEFORE.search(before)):
        return False
    if phrase.kind == "living":
        return True
    if _negated(before):
        return False
    if _USED_TO.search(before) and not _NOW.search(f"{before}{match.group()}{after}"):
        return False
    if phrase.kind == "topic":
        # Is the topic word part of an informational phrase ("suicide prevention")?
        context = f"{before}{match.group()}{after}"
        offset = len(before)
        for info in _INFORMATIONAL.finditer(context):
            if info.start() < offset + len(match.group()) and offset < info.end():
                return False
        if _THIRD_BEFORE.search(before):
            return False
    return True


# --- prefilter: which phrases can match at all ---------------------------------------------------
# assess() runs on every chat message, post and comment, and almost none of them holds a phrase.
# So the costly part (normalise(), then a search per phrase and clause) runs only with the phrases
# whose necessary words a message has. What each phrase needs is derived at import from its
# parsed pattern, never listed by hand, so it cannot drift from the patterns; it is looked up in a
# "reduced" form of the message built with a few bytes operations: lower-case letters a-z in words
# (everything else only separates words), every run of a repeated letter shrunk to one, "ae"/"oe"
# to "a"/"o". Whatever normalise() does to letters (digraphs, shrinking stretched words) only
# deletes such letters, so a word of a clause and the same word of the message reduce alike.
# Contractions are the one step that adds words ("can't" -> "can not"): the words of those a
# message holds are added to its reduced form. Texts the bytes operations cannot follow (letters
# beyond Latin-1, combining accents) are reduced from normalise()'s clauses instead.


def _byte_letter(byte: int) -> int:
    """What a Latin-1 byte of text is in the reduced form: its letter; a tab for an
    apostrophe (it may belong to a contraction); a space for anything else that leaves no letter
    (digits too: no phrase needs one); 0 when it leaves more than one letter."""
    char = chr(byte).casefold()
    if len(char) == 1:
        char = _fold(char)
    if char == "'":
        return 9
    letters = re.sub(r"[^a-z]", "", char)
    if not letters:
        return 32
    return ord(letters) if len(letters) == 1 == len(char) else 0


_WORD_BYTES = bytes(map(_byte_letter, range(256)))
_WIDE_QUOTES = tuple((q, a) for q, a in _QUOTES if ord(q) > 255)  # the others are Latin-1
_SEPARATORS_UNEQUAL = bytes.maketrans(b" \t", b"\1\2")
_ZERO_TO_FF = bytes([255]) + bytes(255)


def _squeeze(text: bytes) -> bytes:
    """Every run of a repeated letter shrunk to one (`text` holds a-z, spaces and tabs)."""
    # The text XOR itself shifted by one byte (separators made unequal) is zero exactly where the
    # next letter repeats this one: those letters are cleared and dropped, all with a few
    # big-integer and bytes operations instead of a scan.
    value = int.from_bytes(text, "little")
    shifted = int.from_bytes(text.translate(_SEPARATORS_UNEQUAL), "little") >> 8
    same = (value ^ shifted).to_bytes(len(text), "little")
    if same.find(0) < 0:
        return text
    repeats = int.from_bytes(same.translate(_ZERO_TO_FF), "little") & value
    return (value ^ repeats).to_bytes(len(text), "little").translate(None, b"\0")


def _reduce(text: bytes) -> str | None:
    """The reduced words of Latin-1 text, apostrophes as tabs; None when a byte in it leaves
    more than one letter."""
    text = text.translate(_WORD_BYTES)
    if text.find(0) >= 0:
        return None
    text = _squeeze(text)
    if text.find(b"ae") >= 0 or text.find(b"oe") >= 0:
        text = _squeeze(text.replace(b"ae", b"a").replace(b"oe", b"o"))
    return text.decode()


def _reduced_words(text: str) -> str:
    """Folded ASCII text (a pattern's, a clause's) reduced."""
    return _reduce(text.encode()) or ""


@functools.lru_cache(maxsize=1024)  # characters, never text
def _separates(char: str) -> bool:
    """Whether normalise() makes the character a mere separator: it leaves something, but no
    letter, digit or apostrophe."""
    folded = _fold(char.casefold())
    return bool(folded) and not re.search(r"[a-z0-9']", folded)


def _spaces_for_separators(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: characters beyond Latin-1 (emoji, symbols, other scripts) become
    spaces when they only separate words; any other ends the encoding."""
    if isinstance(error, UnicodeEncodeError):
        chars = error.object[error.start : error.end]
        if all(map(_separates, chars)):
            return " " * len(chars), error.end
    raise error


codecs.register_error("crisis-separators", _spaces_for_separators)


# --- what a phrase needs, read from its parsed pattern

_Atom = tuple[str, str]  # (where, text): a whole "word", or a word's "prefix", "suffix", "infix"
_Need = frozenset[frozenset[_Atom]]  # met when every atom of one of its options is
_CAP = 256  # the most spellings a stretch of literal text is expanded to
_EMPTY = frozenset({""})
_CLAUSE_TEXT = re.compile(r"[a-z0-9 ]*")
_WORD_EDGES = frozenset(
    {sre.AT_BOUNDARY, sre.AT_BEGINNING, sre.AT_END, sre.AT_BEGINNING_STRING, sre.AT_END_STRING}
)
_ZERO_WIDTH = frozenset({sre.AT, sre.ASSERT, sre.ASSERT_NOT})
_REPEATS = frozenset({sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT})
_WHERE = {(True, True): "word", (True, False): "prefix", (False, True): "suffix"}


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a part of a pattern can match, as far as its literal text tells."""

    whole: frozenset[str] | None  # every string it matches, when they are few
    first: frozenset[str]  # every non-empty match starts with one of these
    last: frozenset[str]  # every non-empty match ends with one of these
    empty: bool  # it can match the empty string
    needs: tuple[_Need, ...] = ()  # met by every match


_UNKNOWN = _Shape(None, _EMPTY, _EMPTY, True)


def _finite(strings: frozenset[str]) -> _Shape:
    return _Shape(strings, strings, strings, "" in strings)


def _bounded(strings: frozenset[str]) -> frozenset[str]:
    return strings if len(strings) <= _CAP else _EMPTY


def _cross(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None or b is None or len(a) * len(b) > _CAP:
        return None
    return frozenset(x + y for x in a for y in b)


def _atoms(spelling: str, starts_word: bool, ends_word: bool) -> frozenset[_Atom]:
    """The words and word parts a clause shows wherever this stretch of text occurs in it."""
    pieces = spelling.split(" ")
    return frozenset(
        (_WHERE.get((starts_word or i > 0, ends_word or i < len(pieces) - 1), "infix"), piece)
        for i, piece in enumerate(pieces)
        if piece
    )


def _run_need(run: frozenset[str], starts_word: bool, ends_word: bool) -> tuple[_Need, ...]:
    """What a stretch of literal text, spelled one of the ways in `run`, tells about a match."""
    need = frozenset(
        _atoms(s, starts_word, ends_word)
        for s in run
        if _CLAUSE_TEXT.fullmatch(s)  # other spellings never occur in a clause
    )
    return () if frozenset() in need else (need,)


def _seq(items: Any) -> _Shape:
    """A sequence of pattern items: literal text runs on until an item it cannot spell out."""
    needs: list[_Need] = []
    whole: frozenset[str] | None = _EMPTY
    first: frozenset[str] | None = None
    run, starts_word, empty = _EMPTY, False, True
    for op, av in items:
        if op is sre.AT and av in _WORD_EDGES:
            needs += _run_need(run, starts_word, ends_word=True)
            first = run if first is None else first
            run, starts_word = _EMPTY, True
            continue
        if op in _ZERO_WIDTH:
            continue
        shape = _item(op, av)
        whole = _cross(whole, shape.whole)
        empty = empty and shape.empty
        joined = _cross(run, shape.whole)
        if joined is not None:
            run = joined
            continue
        if shape.empty:  # what follows may come right after the run
            needs += _run_need(run, starts_word, ends_word=False)
            first = run if first is None else first
            run = _bounded(shape.last | run)
        else:
            joined = _cross(run, shape.first)
            if joined is None:  # too many spellings: the run ends before this item
                needs += _run_need(run, starts_word, all(s[:1] == " " for s in shape.first))
                first = run if first is None else first
                joined, starts_word = shape.first, all(s[-1:] == " " for s in run)
            if shape.whole is not None:  # its spellings start a new run
                run = joined
                continue
            needs += _run_need(joined, starts_word, ends_word=False)
            first = joined if first is None else first
            run = shape.last
        needs += shape.needs
        starts_word = False
    needs += _run_need(run, starts_word, ends_word=False)
    return _Shape(whole, run if first is None else first, run, empty, tuple(needs))


def _either(shapes: list[_Shape]) -> _Shape:
    """Alternatives: every spelling of each when they are few, else what they all share."""
    wholes = [shape.whole for shape in shapes if shape.whole is not None]
    if len(wholes) == len(shapes) and sum(map(len, wholes)) <= _CAP:
        return _finite(frozenset().union(*wholes))
    best = [min(shape.needs, key=_cost, default=None) for shape in shapes]
    return _Shape(
        None,
        _bounded(frozenset().union(*(shape.first for shape in shapes))),
        _bounded(frozenset().union(*(shape.last for shape in shapes))),
        any(shape.empty for shape in shapes),
        () if None in best else (frozenset().union(*(b for b in best if b is not None)),),
    )


def _repeat(low: int, high: int, shape: _Shape) -> _Shape:
    """An item repeated `low` to `high` times."""
    if shape.whole is not None and high <= _CAP:
        spellings: set[str] = set()
        strings: frozenset[str] | None = _EMPTY
        for count in range(high + 1):
            if strings is None or len(spellings) > _CAP:
                break
            if count >= low:
                spellings |= strings
            strings = _cross(strings, shape.whole) if count < high else _EMPTY
        else:
            if len(spellings) <= _CAP:
                return _finite(frozenset(spellings))
    if low == 0:
        return _Shape(None, shape.first, shape.last, True)
    return _Shape(None, shape.first, shape.last, shape.empty, shape.needs)


def _item(op: Any, av: Any) -> _Shape:
    """One parsed pattern item; anything not spelled out here is unknown text."""
    if op is sre.LITERAL:
        return _finite(frozenset({chr(av)}))
    if op is sre.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is sre.LITERAL:
                chars.add(chr(value))
            elif kind is sre.RANGE and value[1] - value[0] < _CAP:
                chars.update(map(chr, range(value[0], value[1] + 1)))
            else:
                return _UNKNOWN
        return _finite(frozenset(chars))
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, items = av
        return _UNKNOWN if add_flags or del_flags else _seq(items)
    if op is sre.ATOMIC_GROUP:
        return _seq(av)
    if op is sre.BRANCH:
        return _either([_seq(items) for items in av[1]])
    if op in _REPEATS:
        low, high, items = av
        return _repeat(low, high, _seq(items))
    return _UNKNOWN


# A check is met when its probe is one of the reduced words (is_word), or occurs in the reduced
# form padded with spaces (" kil" for a word starting "kil", "self " for one ending "self").
_Check = tuple[bool, str]
_COMMON = frozenset(map(_reduced_words, _NEGATORS | _FILLERS))


@functools.cache
def _check(atom: _Atom) -> _Check | None:
    """The atom as a lookup in the reduced form; None when every message meets it."""
    where, text = atom
    reduced = _reduced_words(text)
    if where in ("suffix", "infix") and reduced.startswith("e"):
        reduced = reduced[1:]  # an "a" or "o" just before it swallows the "e"
    if not reduced.isalpha():  # nothing left, or digits, which the reduced form drops
        return None
    if where == "word":
        return True, reduced
    return False, {"prefix": f" {reduced}", "suffix": f"{reduced} "}.get(where, reduced)


def _check_weight(check: _Check | None) -> float:
    """Roughly how often a message meets the check: short, common and partial words often."""
    if check is None:
        return 1.0
    is_word, probe = check
    if not is_word:
        return 3.0 ** (2 - len(probe.strip()))
    return 3.0 ** -len(probe) + (0.5 if probe in _COMMON else 0.0)


def _cost(need: _Need) -> float:
    return sum(min((_check_weight(_check(a)) for a in option), default=1.0) for option in need)


def _clauses(options: set[frozenset[_Check]]) -> list[frozenset[_Check]]:
    """A need (met when every check of one of the options is) as clauses that hold whenever it
    does: each clause has a check of every option. A clause is built from rare checks that
    never meet in one option (the alternatives at one place of the phrase) while there are
    such, else from the checks that cover most options. The options then give up the clause's
    checks, so the next clause looks elsewhere, until an option has none left."""
    clauses: list[frozenset[_Check]] = []
    while all(options):
        together: dict[_Check, set[_Check]] = {}
        for option in options:
            for check in option:
                together.setdefault(check, set()).update(option)
        clause: set[_Check] = set()
        uncovered = list(options)
        while uncovered:
            covers = Counter(check for option in uncovered for check in option)
            rivals = [check for check in covers if not together[check] & clause]
            if rivals:
                check = min(rivals, key=lambda c: (_check_weight(c) / covers[c], c))
            else:
                check = min(covers, key=lambda c: (-covers[c], _check_weight(c), c))
            clause.add(check)
            uncovered = [option for option in uncovered if check not in option]
        clauses.append(frozenset(clause))
        options = {option - clause for option in options}
    return clauses


def _phrase_clauses(phrase: Phrase) -> list[frozenset[_Check]]:
    """Clauses of checks that the reduced form of every text the phrase matches meets."""
    parsed = sre.parse(phrase.pattern.pattern, phrase.pattern.flags)
    if parsed.state.flags & re.IGNORECASE:
        return []
    clauses: list[frozenset[_Check]] = []
    for need in _seq(parsed).needs:
        options = {frozenset(c for c in map(_check, option) if c is not None) for option in need}
        if frozenset() not in options:  # else every message meets it
            clauses += _clauses(options)
    return list(dict.fromkeys(clauses))


_Added = dict[str, tuple[str, ...]]


def _contractions() -> tuple[_Added, dict[str, _Added]] | None:
    """The words each contraction adds: those written without an apostrophe by their reduced
    word; the others by their first reduced word, then all their reduced words padded with
    spaces. None when the contraction patterns are too loose to spell out."""
    bare: _Added = {}
    spelled: dict[str, _Added] = {}
    for pattern, repl in _CONTRACTIONS:
        spellings = _seq(sre.parse(pattern.pattern)).whole
        if spellings is None or not all(re.fullmatch(r"[a-z']+", s) for s in spellings):
            return None
        for spelling in spellings:
            words = _reduced_words(spelling.replace("'", " "))
            added = tuple(map(_reduced_words, pattern.sub(repl, spelling).split()))
            if "'" in spelling:
                spelled.setdefault(words.split()[0], {})[f" {words} "] = added
            else:
                bare[words] = added
    return bare, spelled


_CONTRACTED = _contractions()


# --- the index: phrases by what they need

# A clause as lookups: met when one of its words is one of the message's reduced words, or one of
# its word parts occurs in the reduced form.
_Lookup = tuple[frozenset[str], tuple[str, ...]]


def _lookup_cost(clause: frozenset[_Check]) -> float:
    """What finding phrases by the clause costs: finding them often, and a substring search per
    word part in every message (looking words up in a set costs next to nothing)."""
    return sum(_check_weight(check) + (0.0 if check[0] else 0.1) for check in clause)


def _shared(a: str, b: str) -> str:
    """Text that occurs wherever either does: one inside the other, or their common start."""
    if a in b or b in a:
        return min(a, b, key=len)
    return a[: next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)]


def _index() -> tuple[tuple[tuple[_Lookup, ...], ...], dict[str, list[int]], dict[str, list[int]]]:
    """Every phrase's clauses as lookups; and, to find phrases by, each phrase under the words
    and word parts of its cheapest clause. A phrase that needs nothing is under the part ""."""
    lookups = []
    by_word: dict[str, list[int]] = {}
    by_part: dict[str, list[int]] = {}
    for index, phrase in enumerate(PHRASES):
        clauses = _phrase_clauses(phrase)
        lookups.append(
            tuple(
                (frozenset(p for w, p in clause if w), tuple(p for w, p in clause if not w))
                for clause in clauses
            )
        )
        cheapest = min(clauses, key=_lookup_cost, default=frozenset({(False, "")}))
        for is_word, probe in cheapest:
            (by_word if is_word else by_part).setdefault(probe, []).append(index)
    # Word parts that share four letters are searched for by those: " suic" for " suicid" and
    # " suicd"; each search costs as much as the next.
    while pair := next(
        ((a, b) for a, b in itertools.combinations(by_part, 2) if len(_shared(a, b).strip()) > 3),
        None,
    ):
        shared = _shared(*pair)
        by_part[shared] = by_part.pop(pair[0]) + by_part.pop(pair[1]) + by_part.get(shared, [])
    return tuple(lookups), by_word, by_part


_LOOKUPS, _BY_WORD, _BY_PART = _index()
_KEY_WORDS = frozenset(_BY_WORD)


def _reduced(text: str) -> tuple[str, list[str]] | None:
    """The message's reduced form, padded with spaces, and its words; None when only
    normalise() can tell its words (letters beyond Latin-1, combining accents)."""
    if _CONTRACTED is None:
        return None
    if text.isascii():
        raw = text.encode()
    else:
        # Case folding is left to the byte table and _separates(), which fold each character.
        text = _replace(unicodedata.normalize("NFKC", text), _WIDE_QUOTES)
        try:
            raw = text.encode("latin-1", "crisis-separators")
        except UnicodeEncodeError:
            return None
    letters = _reduce(raw)
    if letters is None:
        return None
    apostrophe = "\t" in letters
    form = f" {letters.replace(chr(9), ' ') if apostrophe else letters} "
    words = form.split()
    bare, spelled = _CONTRACTED
    added = [word for found in bare.keys() & words for word in bare[found]]
    if apostrophe:
        for first in spelled.keys() & words:
            added += [
                word for probe, adds in spelled[first].items() if probe in form for word in adds
            ]
    if added:
        form += " ".join(added) + " "
        words += added
    return form, words


def _possible(form: str, words: list[str]) -> list[Phrase]:
    """The phrases whose every clause the reduced form meets, in their order."""
    found = [i for word in _KEY_WORDS.intersection(words) for i in _BY_WORD[word]]
    for part, indexes in _BY_PART.items():
        if part in form:
            found += indexes
    if not found:
        return []
    present = frozenset(words)
    return [
        PHRASES[i]
        for i in sorted(set(found))
        if all(
            not present.isdisjoint(any_word) or any(part in form for part in any_part)
            for any_word, any_part in _LOOKUPS[i]
        )
    ]


_NO_RISK = Assessment(risk=False)


def _judge(clauses: list[str], phrases: Sequence[Phrase]) -> Assessment:
    """The assessment of normalised clauses by the given phrases."""
    found: set[Category] = set()
    for clause in clauses:
        for phrase in phrases:
            if phrase.category in found:
                continue
            for match in phrase.pattern.finditer(clause):
                if _counts(phrase, clause, match):
                    found.add(phrase.category)
                    break
    ordered = tuple(c for c in Category if c in found)
    return Assessment(risk=bool(ordered), categories=ordered)


def _prefiltered(text: str) -> tuple[list[Phrase], list[str] | None]:
    """The phrases that can match `text`, and its clauses if they were needed to tell."""
    reduced = _reduced(text)
    if reduced is not None:
        return _possible(*reduced), None
    clauses = normalise(text)
    form = f" {_reduced_words(' '.join(clauses))} "
    return _possible(form, form.split()), clauses


def assess(text: str) -> Assessment:
    """Whether `text` signals risk of suicide or self-harm, and which kinds (for moderators)."""
    phrases, clauses = _prefiltered(text)
    if not phrases:
        return _NO_RISK
    return _judge(normalise(text) if clauses is None else clauses, phrases)


def support_for(text: str, now: datetime | None = None) -> dict[str, Any] | None:
    """The `support` object to attach to a response when `text` signals risk, else None.

    Posts, comments and chat call this on what a member wrote; it stores and logs nothing.
    """
    if not assess(text).risk:
        return None
    return support_payload(now or utcnow())
