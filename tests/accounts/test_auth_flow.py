"""Register, log in, refresh, log out, change password: as a member and a browser see it."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import PASSWORD, MemberFactory

REG = {"handle": "maja", "password": PASSWORD, "consent": True, "is_adult": True}


async def test_register_records_consent_and_adulthood(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/auth/register", json={**REG, "email": "Maja@Example.org"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["handle"] == "maja"
    assert body["consent_at"] and body["adult_confirmed_at"] and body["consent_version"]
    assert "password" not in r.text and "hash" not in r.text


@pytest.mark.parametrize("missing", ["consent", "is_adult"])
async def test_register_requires_consent_and_18_plus(
    client: httpx.AsyncClient, missing: str
) -> None:
    r = await client.post("/api/auth/register", json={**REG, missing: False})
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"


async def test_handles_are_unique_regardless_of_case(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/auth/register", json=REG)).status_code == 201
    r = await client.post("/api/auth/register", json={**REG, "handle": "MAJA"})
    assert r.status_code == 409
    assert r.json()["code"] == "handle_taken"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short1!", "password_too_short"),
        ("password123", "password_too_common"),
        ("1234567890", "password_too_common"),
        ("qwertyuiop", "password_too_common"),
        ("maja-er-min-kode-2026", "password_contains_handle"),
    ],
)
async def test_weak_passwords_are_refused_with_a_reason(
    client: httpx.AsyncClient, password: str, code: str
) -> None:
    r = await client.post("/api/auth/register", json={**REG, "password": password})
    assert r.status_code == 400
    assert r.json()["code"] == code
    assert r.json()["detail"]


async def test_long_passwords_are_allowed(client: httpx.AsyncClient) -> None:
    long = "lang sætning om havet og skibene " * 20
    assert (
        await client.post("/api/auth/register", json={**REG, "password": long})
    ).status_code == 201
    r = await client.post("/api/auth/login", json={"handle": "maja", "password": long})
    assert r.status_code == 200


async def test_unknown_member_and_wrong_password_answer_alike(client: httpx.AsyncClient) -> None:
    await client.post("/api/auth/register", json=REG)
    wrong = await client.post(
        "/api/auth/login", json={"handle": "maja", "password": "forkert kode her"}
    )
    unknown = await client.post(
        "/api/auth/login", json={"handle": "nobody", "password": "forkert kode her"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_browser_login_sets_httponly_strict_cookies(client: httpx.AsyncClient) -> None:
    await client.post("/api/auth/register", json=REG)
    r = await client.post("/api/auth/login", json={"handle": "maja", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    assert "refresh_token" not in body
    cookies = r.headers.get_list("set-cookie")
    access = next(c for c in cookies if c.startswith("samvaer_access="))
    refresh = next(c for c in cookies if c.startswith("samvaer_refresh="))
    csrf = next(c for c in cookies if c.startswith("samvaer_csrf="))
    for c in (access, refresh):
        assert "HttpOnly" in c and "SameSite=strict" in c
    assert "HttpOnly" not in csrf
    assert "Path=/api/auth" in refresh


async def test_cookie_writes_need_the_csrf_header(client: httpx.AsyncClient) -> None:
    await client.post("/api/auth/register", json=REG)
    await client.post("/api/auth/login", json={"handle": "maja", "password": PASSWORD})
    assert (await client.get("/api/me")).status_code == 200
    r = await client.patch("/api/me/profile", json={"city": "Odense"})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    csrf = client.cookies["samvaer_csrf"]
    r = await client.patch(
        "/api/me/profile", json={"city": "Odense"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 200


async def test_foreign_origin_writes_are_refused(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/auth/register", json=REG, headers={"Origin": "https://evil.example"}
    )
    assert r.status_code == 403
    assert r.json()["code"] == "origin_refused"


async def test_refresh_rotates_and_reuse_revokes_the_family(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create("maja")
    r1 = await client.post("/api/auth/refresh", json={"refresh_token": m.refresh_token})
    assert r1.status_code == 200, r1.text
    second = r1.json()["refresh_token"]
    assert second != m.refresh_token
    new_access = r1.json()["access_token"]
    assert (
        await client.get("/api/me", headers={"Authorization": f"Bearer {new_access}"})
    ).status_code == 200
    # The first token comes back: a thief or a replay. The whole session ends.
    reuse = await client.post("/api/auth/refresh", json={"refresh_token": m.refresh_token})
    assert reuse.status_code == 401 and reuse.json()["code"] == "refresh_token_reused"
    assert (
        await client.post("/api/auth/refresh", json={"refresh_token": second})
    ).status_code == 401
    assert (
        await client.get("/api/me", headers={"Authorization": f"Bearer {new_access}"})
    ).status_code == 401


async def test_browser_refresh_uses_the_cookie(client: httpx.AsyncClient) -> None:
    await client.post("/api/auth/register", json=REG)
    await client.post("/api/auth/login", json={"handle": "maja", "password": PASSWORD})
    old = client.cookies["samvaer_access"]
    r = await client.post(
        "/api/auth/refresh", headers={"X-CSRF-Token": client.cookies["samvaer_csrf"]}
    )
    assert r.status_code == 200, r.text
    assert "refresh_token" not in r.json()
    assert client.cookies["samvaer_access"] != old


async def test_logout_ends_the_access_token_at_once(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create("maja")
    assert (await client.get("/api/me", headers=m.headers)).status_code == 200
    assert (await client.post("/api/auth/logout", headers=m.headers)).status_code == 204
    assert (await client.get("/api/me", headers=m.headers)).status_code == 401
    assert (
        await client.post("/api/auth/refresh", json={"refresh_token": m.refresh_token})
    ).status_code == 401


async def test_password_change_ends_other_sessions(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create("maja")
    other = await client.post(
        "/api/auth/login", json={"handle": "maja", "password": PASSWORD, "use_cookies": False}
    )
    other_headers = {"Authorization": f"Bearer {other.json()['access_token']}"}
    r = await client.post(
        "/api/me/password",
        headers=m.headers,
        json={"current_password": PASSWORD, "new_password": "ny lang kode til vinteren"},
    )
    assert r.status_code == 204, r.text
    assert (await client.get("/api/me", headers=other_headers)).status_code == 401
    assert (await client.get("/api/me", headers=m.headers)).status_code == 200
    bad = await client.post("/api/auth/login", json={"handle": "maja", "password": PASSWORD})
    assert bad.status_code == 401
    good = await client.post(
        "/api/auth/login", json={"handle": "maja", "password": "ny lang kode til vinteren"}
    )
    assert good.status_code == 200


async def test_password_change_needs_the_current_password(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create("maja")
    r = await client.post(
        "/api/me/password",
        headers=m.headers,
        json={"current_password": "ikke min kode her", "new_password": "ny lang kode til vinteren"},
    )
    assert r.status_code == 403 and r.json()["code"] == "wrong_password"


async def test_login_is_rate_limited_per_handle(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    await members.create("maja")
    codes = []
    for _ in range(12):
        r = await client.post(
            "/api/auth/login", json={"handle": "maja", "password": "forkert kode her"}
        )
        codes.append(r.status_code)
    assert 429 in codes
    limited = await client.post("/api/auth/login", json={"handle": "maja", "password": PASSWORD})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0


async def test_register_is_rate_limited_per_ip(client: httpx.AsyncClient) -> None:
    codes = []
    for i in range(12):
        r = await client.post("/api/auth/register", json={**REG, "handle": f"ny{i}"})
        codes.append(r.status_code)
    assert codes[:10] == [201] * 10
    assert codes[10:] == [429, 429]


async def test_delete_account_erases_the_member(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create("maja")
    r = await client.request("DELETE", "/api/me", headers=m.headers, json={"password": PASSWORD})
    assert r.status_code == 204
    assert (await client.get("/api/users/maja")).status_code == 404
    assert (
        await client.post("/api/auth/login", json={"handle": "maja", "password": PASSWORD})
    ).status_code == 401


async def test_export_contains_my_data_and_no_secrets(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create("maja", profile={"city": "Odense"})
    r = await client.get("/api/me/export", headers=m.headers)
    assert r.status_code == 200
    data = r.json()
    assert data["account"]["handle"] == "maja"
    assert data["profile"]["city"] == "Odense"
    assert "argon2" not in r.text and m.refresh_token not in r.text
