"""Demo data: the subgroup categories, a group in each, and demo members of every role."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.config import Settings
from app.groups.models import Category, Group, GroupMembership
from app.profiles import service as profiles

# (slug, Danish name, English name, Danish description, English description)
CATEGORIES: list[tuple[str, str, str, str, str]] = [
    (
        "angst-og-depression",
        "Angst og depression",
        "Anxiety and depression",
        "Et sted at dele hverdagen med angst og depression.",
        "A place to share everyday life with anxiety and depression.",
    ),
    (
        "sorg-og-tab",
        "Sorg og tab",
        "Grief and loss",
        "For dig, der har mistet nogen eller noget.",
        "For those who have lost someone or something.",
    ),
    (
        "misbrug-og-afhaengighed",
        "Misbrug og afhængighed",
        "Addiction and dependence",
        "Vejen væk fra misbrug, skridt for skridt.",
        "The road away from addiction, step by step.",
    ),
    (
        "spiseforstyrrelser",
        "Spiseforstyrrelser",
        "Eating disorders",
        "Støtte fra andre, der kender det indefra.",
        "Support from others who know it from inside.",
    ),
    (
        "bipolar-lidelse",
        "Bipolar lidelse",
        "Bipolar disorder",
        "Op- og nedture, delt med ligesindede.",
        "Ups and downs, shared with peers.",
    ),
    (
        "traumer-og-ptsd",
        "Traumer og PTSD",
        "Trauma and PTSD",
        "Et trygt rum for at tale om traumer.",
        "A safe room to talk about trauma.",
    ),
    (
        "ensomhed",
        "Ensomhed",
        "Loneliness",
        "Ingen skal være alene med ensomheden.",
        "Nobody should be alone with loneliness.",
    ),
    (
        "paaroerende",
        "Pårørende",
        "Relatives and carers",
        "For dig, der står ved siden af en, der har det svært.",
        "For those standing beside someone who is struggling.",
    ),
    (
        "adhd-og-autisme",
        "ADHD og autisme",
        "ADHD and autism",
        "Erfaringer og gode råd om ADHD og autisme.",
        "Experiences and tips about ADHD and autism.",
    ),
    (
        "skizofreni-og-psykoser",
        "Skizofreni og psykoser",
        "Schizophrenia and psychosis",
        "Fællesskab for dig med erfaring med psykoser.",
        "Community for people with experience of psychosis.",
    ),
    (
        "selvskade",
        "Selvskade",
        "Self-harm",
        "Støtte uden fordømmelse. Ingen billeder eller detaljer om metoder.",
        "Support without judgement. No pictures or details of methods.",
    ),
    (
        "kronisk-sygdom",
        "Kronisk sygdom",
        "Chronic illness",
        "Livet med en sygdom, der ikke går væk.",
        "Life with an illness that does not go away.",
    ),
]

# Printed by `make run` so anyone can try the demo; never used outside demo data.
DEMO_PASSWORD = "Et fælles skridt ad gangen"  # noqa: S105


@dataclass(frozen=True)
class DemoMember:
    handle: str
    role: Role
    display_name: str
    city: str
    bio: str


DEMO_MEMBERS = [
    DemoMember("maja", Role.member, "Maja", "Odense", "Jeg skriver for at finde ro."),
    DemoMember("jonas", Role.member, "Jonas", "Aarhus", "Pårørende og kaffedrikker."),
    DemoMember(
        "guide_anna",
        Role.peer_guide,
        "Anna",
        "Odense",
        "Frivillig peer-guide. Jeg har selv været der.",
    ),
    DemoMember("mod_lars", Role.moderator, "Lars", "København", "Moderator."),
    DemoMember("sofie_admin", Role.admin, "Sofie", "Vejle", "Administrator."),
]


async def is_empty(session: AsyncSession) -> bool:
    return (await session.scalar(select(func.count()).select_from(User))) == 0


async def seed_categories(session: AsyncSession) -> None:
    """Categories and one open group per category; safe to run twice."""
    existing = set((await session.scalars(select(Category.slug))).all())
    for order, (slug, name_da, name_en, desc_da, desc_en) in enumerate(CATEGORIES):
        if slug in existing:
            continue
        category = Category(slug=slug, name_da=name_da, name_en=name_en, sort_order=order)
        session.add(category)
        await session.flush()
        session.add(
            Group(
                slug=slug,
                category_id=category.id,
                name_da=name_da,
                name_en=name_en,
                description_da=desc_da,
                description_en=desc_en,
                rules_da="Vær venlig. Del kun det, du selv har lyst til. Ingen diagnoser af andre.",
                rules_en="Be kind. Share only what you want to. No diagnosing others.",
            )
        )
    await session.commit()


async def seed_demo(session: AsyncSession, settings: Settings) -> list[DemoMember]:
    """Everything a fresh install needs to be tried out. Returns the demo members created."""
    await seed_categories(session)
    created = []
    for m in DEMO_MEMBERS:
        if await accounts.get_by_handle(session, m.handle) is not None:
            continue
        user = await accounts.register(
            session,
            settings,
            handle=m.handle,
            password=DEMO_PASSWORD,
            email=None,
            language="da",
            role=m.role,
        )
        await profiles.update_profile(
            session,
            user_id=user.id,
            changes={"display_name": m.display_name, "city": m.city, "bio": m.bio},
        )
        await profiles.update_privacy(
            session,
            user_id=user.id,
            changes={
                "field_visibility": {"display_name": "members", "city": "members", "bio": "members"}
            },
        )
        created.append(m)
    sorg = await session.scalar(select(Group).where(Group.slug == "sorg-og-tab"))
    if sorg is not None:
        for m in created:
            user_id = await session.scalar(select(User.id).where(User.handle == m.handle))
            if user_id is None:
                continue
            role = "moderator" if m.role in (Role.moderator, Role.admin) else "member"
            session.add(GroupMembership(group_id=sorg.id, user_id=user_id, role=role))
            sorg.member_count += 1
        await session.commit()
    return created
