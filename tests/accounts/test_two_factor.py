"""Two-step login: set up, log in with a code or a recovery code, mandatory for moderators."""

from __future__ import annotations

import time

import httpx
import pyotp

from tests.factories import PASSWORD, MemberFactory


async def _setup(client: httpx.AsyncClient, headers: dict[str, str]) -> tuple[str, list[str]]:
    r = await client.post("/api/me/2fa/setup", json={"password": PASSWORD}, headers=headers)
    assert r.status_code == 200, r.text
    secret = r.json()["secret"]
    assert r.json()["otpauth_uri"].startswith("otpauth://totp/")
    bad = await client.post("/api/me/2fa/enable", json={"code": "000000"}, headers=headers)
    assert bad.status_code == 403
    r = await client.post(
        "/api/me/2fa/enable",
        json={"code": pyotp.TOTP(secret).at(time.time() - 30)},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    codes = r.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    return secret, codes


def _login(handle: str, **extra: str) -> dict[str, object]:
    return {"handle": handle, "password": PASSWORD, "use_cookies": False, **extra}


async def test_member_can_turn_on_two_step_login(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create("maja")
    secret, _ = await _setup(client, m.headers)
    me = (await client.get("/api/me/account", headers=m.headers)).json()
    assert me["has_two_factor"] is True
    r = await client.post("/api/auth/login", json=_login("maja"))
    assert r.status_code == 401 and r.json()["code"] == "totp_required"
    r = await client.post("/api/auth/login", json=_login("maja", totp_code="123456"))
    assert r.status_code == 401 and r.json()["code"] == "totp_invalid"
    code = pyotp.TOTP(secret).now()
    assert (
        await client.post("/api/auth/login", json=_login("maja", totp_code=code))
    ).status_code == 200
    # The same code cannot be replayed.
    assert (
        await client.post("/api/auth/login", json=_login("maja", totp_code=code))
    ).status_code == 401


async def test_recovery_codes_work_once(client: httpx.AsyncClient, members: MemberFactory) -> None:
    m = await members.create("maja")
    _, codes = await _setup(client, m.headers)
    r = await client.post("/api/auth/login", json=_login("maja", recovery_code=codes[0].upper()))
    assert r.status_code == 200
    r = await client.post("/api/auth/login", json=_login("maja", recovery_code=codes[0]))
    assert r.status_code == 401


async def test_the_secret_is_not_stored_in_clear(
    app: object, client: httpx.AsyncClient, members: MemberFactory
) -> None:
    from sqlalchemy import select

    from app.accounts.models import User

    m = await members.create("maja")
    secret, _ = await _setup(client, m.headers)
    async with app.state.db.sessions() as s:  # type: ignore[attr-defined]
        stored = await s.scalar(select(User.totp_secret).where(User.handle == "maja"))
    assert stored and secret not in stored
    export = await client.get("/api/me/export", headers=m.headers)
    assert secret not in export.text


async def test_moderators_need_two_step_login_for_moderator_tools(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    mod = await members.create("mod_lars", role="moderator")
    assert (await client.get("/api/me/account", headers=mod.headers)).json()["has_two_factor"]
    r = await client.post(
        "/api/me/2fa/disable", json={"password": PASSWORD, "code": "123456"}, headers=mod.headers
    )
    assert r.status_code == 403 and r.json()["code"] == "two_factor_mandatory"


async def test_member_can_turn_two_step_login_off(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create("maja")
    secret, _ = await _setup(client, m.headers)
    r = await client.post(
        "/api/me/2fa/disable",
        json={"password": PASSWORD, "code": pyotp.TOTP(secret).now()},
        headers=m.headers,
    )
    assert r.status_code == 204
    assert (await client.post("/api/auth/login", json=_login("maja"))).status_code == 200


async def test_admin_tools_need_an_admin_with_two_step_login(
    app: object, client: httpx.AsyncClient, members: MemberFactory
) -> None:
    from sqlalchemy import update

    from app.accounts.models import User

    admin = await members.create("sofie_admin", role="admin")
    member = await members.create("maja")
    r = await client.put(
        "/api/admin/users/maja/role", json={"role": "peer_guide"}, headers=member.headers
    )
    assert r.status_code == 403 and r.json()["code"] == "admins_only"
    r = await client.put(
        "/api/admin/users/maja/role", json={"role": "peer_guide"}, headers=admin.headers
    )
    assert r.status_code == 200 and r.json() == {"handle": "maja", "role": "peer_guide"}
    async with app.state.db.sessions() as s:  # type: ignore[attr-defined]
        await s.execute(
            update(User).where(User.handle == "sofie_admin").values(totp_enabled_at=None)
        )
        await s.commit()
    r = await client.put(
        "/api/admin/users/maja/role", json={"role": "member"}, headers=admin.headers
    )
    assert r.status_code == 403 and r.json()["code"] == "two_factor_required"
