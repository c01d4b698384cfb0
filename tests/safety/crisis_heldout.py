"""Sentences written before the detector was built or tuned; measured and reported, not tuned on.

Each entry is (sentence, is_risk). Do not edit these to make the detector look better: add new
cases to crisis_sentences.py instead.

First blind measurement: recall 22/24 on risk, false positives 0/20. The two misses showed gaps
in general patterns (Danish inverted word order, "ingen udvej ... end at dø"); those were fixed
with different sentences in the tuning set, so later figures here are no longer blind.
"""

from __future__ import annotations

HELD_OUT: list[tuple[str, bool]] = [
    # Risk, Danish
    ("jeg orker ikke mere, jeg vil bare dø", True),
    ("har tænkt på at tage livet af mig selv hele ugen", True),
    ("jeg har selvmordstanker igen", True),
    ("i aften gør jeg en ende på det hele", True),
    ("jeg har skåret mig igen i nat", True),
    ("der er ingen grund til at leve længere", True),
    ("jeg har samlet piller sammen og tænker på at tage dem alle", True),
    ("alle ville have det bedre hvis jeg ikke var her", True),
    ("jeg vil ikke vaagne i morgen", True),
    ("har lyst til at skade mig selv", True),
    ("jeg har planlagt mit selvmord", True),
    ("jeg kan ikke se nogen udvej andet end at dø", True),
    ("jeg ønsker jeg var død", True),
    ("tænker paa at hoppe ud foran toget", True),
    # Risk, English
    ("I just want to disappear forever and never wake up", True),
    ("i'm going to take all my pills tonight", True),
    ("I've been thinking about ending my life", True),
    ("i want to kill myself", True),
    ("been self harming again, can't stop", True),
    ("there's no point in living anymore", True),
    ("I wish I was dead", True),
    ("everyone would be better off without me", True),
    ("I can't go on like this, I want it all to end", True),
    ("wrote my suicide note last night", True),
    # Not risk, Danish
    ("jeg døde næsten af grin over den film", False),
    ("jeg er dødtræt efter arbejdet", False),
    ("min telefon er død igen", False),
    ("vi holdt et oplæg om selvmordsforebyggelse på skolen", False),
    ("jeg har det meget bedre nu og har ingen selvmordstanker længere", False),
    ("det dræber mig at vente på svar", False),
    ("min morfar døde sidste år og jeg savner ham", False),
    ("jeg skar mig på en kniv da jeg lavede mad", False),
    ("jeg elsker livet igen", False),
    ("filmen handlede om en mand der begik selvmord", False),
    # Not risk, English
    ("I could murder a pizza right now", False),
    ("that exam killed me", False),
    ("I'm dying to see the new movie", False),
    ("my feet are killing me", False),
    ("I'm not going to hurt myself, I promise, I'm just sad", False),
    ("we talked about suicide prevention in class", False),
    ("my battery died", False),
    ("I would never end my life, I have my kids", False),
    ("I cut myself shaving this morning", False),
    ("this heat is unbearable, I'm dying here", False),
]
