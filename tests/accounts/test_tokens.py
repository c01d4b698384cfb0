"""Forged, confused and foreign tokens are refused."""

from __future__ import annotations

import base64
import json
import time

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from jose import jwt

from tests.factories import MemberFactory


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(app: FastAPI, sub: str, sid: str) -> dict[str, object]:
    s = app.state.settings
    now = int(time.time())
    return {
        "sub": sub,
        "sid": sid,
        "iss": s.token_issuer,
        "aud": s.token_audience,
        "iat": now,
        "exp": now + 600,
        "typ": "access",
    }


async def _real_claims(client: httpx.AsyncClient, token: str) -> tuple[str, str]:
    payload = token.split(".")[1]
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return data["sub"], data["sid"]


async def test_alg_none_is_refused(
    app: FastAPI, client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create("maja")
    sub, sid = await _real_claims(client, m.token)
    forged = _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(_claims(app, sub, sid)) + "."
    r = await client.get("/api/me", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401


async def test_another_key_is_refused(
    app: FastAPI, client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create("maja")
    sub, sid = await _real_claims(client, m.token)
    forged = jwt.encode(_claims(app, sub, sid), "x" * 64, algorithm="HS256")
    assert (
        await client.get("/api/me", headers={"Authorization": f"Bearer {forged}"})
    ).status_code == 401


async def test_hs_rs_confusion_is_refused(
    app: FastAPI, client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create("maja")
    sub, sid = await _real_claims(client, m.token)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    rs = jwt.encode(_claims(app, sub, sid), pem.decode(), algorithm="RS256")
    assert (
        await client.get("/api/me", headers={"Authorization": f"Bearer {rs}"})
    ).status_code == 401
    # HS384 with the real secret is still not the pinned algorithm.
    hs384 = jwt.encode(_claims(app, sub, sid), app.state.settings.secret_key, algorithm="HS384")
    assert (
        await client.get("/api/me", headers={"Authorization": f"Bearer {hs384}"})
    ).status_code == 401


async def test_wrong_audience_issuer_or_expiry_is_refused(
    app: FastAPI, client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create("maja")
    sub, sid = await _real_claims(client, m.token)
    secret = app.state.settings.secret_key
    good = _claims(app, sub, sid)
    assert (
        await client.get(
            "/api/me",
            headers={"Authorization": f"Bearer {jwt.encode(good, secret, algorithm='HS256')}"},
        )
    ).status_code == 200
    for change in (
        {"aud": "other"},
        {"iss": "other"},
        {"exp": int(time.time()) - 10},
        {"typ": "refresh"},
        {"sid": "not-a-session"},
        {"sub": "999999"},
    ):
        token = jwt.encode({**good, **change}, secret, algorithm="HS256")
        r = await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, change


async def test_garbage_tokens_are_refused_without_error(client: httpx.AsyncClient) -> None:
    for token in ("", "abc", "a.b.c", "x" * 5000, "eyJ.eyJ.", "Bearer"):
        r = await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401
