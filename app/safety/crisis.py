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

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
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

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
# Danish letters and their keyboard-less spellings collapse to one form: "dø", "doe" and "do" all
# become "do"; "på", "paa" and "pa" become "pa"; "længere" and "laengere" become "langere".
_DIGRAPHS = re.compile(r"ae|oe")
_DIGRAPH_TO = {"ae": "a", "oe": "o"}
_LETTERS = str.maketrans({"æ": "a", "ø": "o", "å": "a", "ß": "ss"})
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
# Clauses end at sentence punctuation, at "but"/"men", and at commas that do not open an
# "at"/"that" clause, so a negation never reaches across into the next thought.
_CLAUSE_BREAK = re.compile(
    r"[.!?;:\n\r\t()\[\]\"“”«»]+|\s[-–—]+\s|,(?!\s*(?:at|that)\b)"
    r"|\b(?:but|however|although|though|men|selvom)\b"
)
_NON_WORD = re.compile(r"[^a-z0-9]+")


def _fold(text: str) -> str:
    """Danish letters, digraphs and accents folded; shared by text and patterns (never casefolded,
    so a pattern's escapes such as \\b keep their meaning)."""
    text = text.translate(_QUOTES).translate(_LETTERS)
    text = _DIGRAPHS.sub(lambda m: _DIGRAPH_TO[m.group()], text)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _CONSONANT_RUNS.sub(r"\1\1", _VOWEL_RUNS.sub(r"\1", text))


def normalise(text: str) -> list[str]:
    """The text as a list of clauses: lower-case ASCII words separated by single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)
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


def assess(text: str) -> Assessment:
    """Whether `text` signals risk of suicide or self-harm, and which kinds (for moderators)."""
    found: set[Category] = set()
    for clause in normalise(text):
        for phrase in PHRASES:
            if phrase.category in found:
                continue
            for match in phrase.pattern.finditer(clause):
                if _counts(phrase, clause, match):
                    found.add(phrase.category)
                    break
    ordered = tuple(c for c in Category if c in found)
    return Assessment(risk=bool(ordered), categories=ordered)


def support_for(text: str, now: datetime | None = None) -> dict[str, Any] | None:
    """The `support` object to attach to a response when `text` signals risk, else None.

    Posts, comments and chat call this on what a member wrote; it stores and logs nothing.
    """
    if not assess(text).risk:
        return None
    return support_payload(now or utcnow())
