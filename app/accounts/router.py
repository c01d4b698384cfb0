"""HTTP endpoints for registration, login, token refresh, logout and the member's account."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from app.accounts import service as accounts
from app.accounts import twofactor
from app.accounts.cookies import clear_session_cookies, set_session_cookies
from app.accounts.models import Role
from app.accounts.passwords import handle_key
from app.accounts.schemas import (
    AccountOut,
    AccountPatch,
    DeleteAccountIn,
    LoginIn,
    PasswordChangeIn,
    PasswordConfirmIn,
    RecoveryCodesOut,
    RefreshIn,
    RegisterIn,
    RoleIn,
    RoleOut,
    TokenOut,
    TwoFactorCodeIn,
    TwoFactorDisableIn,
    TwoFactorSetupOut,
)
from app.deps import (
    REFRESH_COOKIE,
    AdminUser,
    CurrentPrincipal,
    CurrentUser,
    HubDep,
    LimiterDep,
    SessionDep,
    SettingsDep,
    check_csrf,
    optional_principal,
)
from app.errors import Unauthorized
from app.ratelimit import LOGIN_PER_HANDLE, LOGIN_PER_IP, REFRESH_PER_SESSION, REGISTER_PER_IP

router = APIRouter(tags=["accounts"])


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/auth/register", status_code=status.HTTP_201_CREATED, response_model=AccountOut)
async def register(
    body: RegisterIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> AccountOut:
    await limiter.hit(REGISTER_PER_IP, "register", _client_ip(request))
    user = await accounts.register(
        session,
        settings,
        handle=body.handle,
        password=body.password,
        email=str(body.email) if body.email else None,
        language=body.language,
    )
    return AccountOut.model_validate(user, from_attributes=True)


@router.post("/auth/login", response_model=TokenOut, response_model_exclude_none=True)
async def login(
    body: LoginIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> TokenOut:
    await limiter.hit(LOGIN_PER_IP, "login-ip", _client_ip(request))
    await limiter.hit(LOGIN_PER_HANDLE, "login-handle", handle_key(body.handle))
    tokens = await accounts.login(
        session,
        settings,
        handle=body.handle,
        password=body.password,
        totp_code=body.totp_code,
        recovery_code=body.recovery_code,
    )
    if body.use_cookies:
        set_session_cookies(response, settings, tokens)
        return TokenOut(access_token=tokens.access_token, expires_in=tokens.expires_in)
    return TokenOut(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
    )


@router.post("/auth/refresh", response_model=TokenOut, response_model_exclude_none=True)
async def refresh(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    hub: HubDep,
    limiter: LimiterDep,
    body: RefreshIn | None = None,
) -> TokenOut:
    from_body = body is not None and body.refresh_token is not None
    token = (
        body.refresh_token if body and body.refresh_token else request.cookies.get(REFRESH_COOKIE)
    )
    if not token:
        raise Unauthorized("invalid_refresh_token")
    if not from_body:
        check_csrf(request)
    await limiter.hit(REFRESH_PER_SESSION, "refresh", token[:16])
    try:
        tokens = await accounts.refresh(session, settings, hub, refresh_token=token)
    except Unauthorized:
        if not from_body:
            clear_session_cookies(response, settings)
        raise
    if from_body:
        return TokenOut(
            access_token=tokens.access_token,
            expires_in=tokens.expires_in,
            refresh_token=tokens.refresh_token,
        )
    set_session_cookies(response, settings, tokens)
    return TokenOut(access_token=tokens.access_token, expires_in=tokens.expires_in)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    hub: HubDep,
) -> Response:
    # Logging out never fails: an expired session is already as good as logged out.
    try:
        principal = await optional_principal(request, session)
    except Unauthorized:
        principal = None
    if principal is not None:
        await accounts.revoke_sessions(
            session, hub, user_id=principal.user.id, only=principal.session_id
        )
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response, settings)
    return response


@router.get("/me/account", response_model=AccountOut)
async def my_account(user: CurrentUser, session: SessionDep) -> AccountOut:
    account = await accounts.account_of(session, user)
    return AccountOut.model_validate(account, from_attributes=True)


@router.patch("/me/account", response_model=AccountOut)
async def patch_account(body: AccountPatch, user: CurrentUser, session: SessionDep) -> AccountOut:
    account = await accounts.update_account(
        session,
        user=await accounts.account_of(session, user),
        language=body.language,
        email=str(body.email) if body.email else None,
        set_email="email" in body.model_fields_set,
    )
    return AccountOut.model_validate(account, from_attributes=True)


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(
    body: PasswordChangeIn,
    principal: CurrentPrincipal,
    session: SessionDep,
    hub: HubDep,
    limiter: LimiterDep,
) -> Response:
    await limiter.hit(LOGIN_PER_HANDLE, "password-change", str(principal.user.id))
    await accounts.change_password(
        session,
        hub,
        user=await accounts.account_of(session, principal.user),
        current_session_id=principal.session_id,
        current_password=body.current_password,
        new_password=body.new_password,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
async def delete_me(
    body: DeleteAccountIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    hub: HubDep,
    limiter: LimiterDep,
) -> Response:
    await limiter.hit(LOGIN_PER_HANDLE, "delete-account", str(user.id))
    account = await accounts.account_of(session, user)
    await accounts.delete_account(session, hub, user=account, password=body.password)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response, settings)
    return response


@router.post("/me/2fa/setup", response_model=TwoFactorSetupOut)
async def two_factor_setup(
    body: PasswordConfirmIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> TwoFactorSetupOut:
    """Start two-factor login: returns a secret for an authenticator app (shown once)."""
    await limiter.hit(LOGIN_PER_HANDLE, "2fa", str(user.id))
    account = await accounts.account_of(session, user)
    setup = await twofactor.begin_setup(session, settings, user=account, password=body.password)
    return TwoFactorSetupOut(secret=setup.secret, otpauth_uri=setup.otpauth_uri)


@router.post("/me/2fa/enable", response_model=RecoveryCodesOut)
async def two_factor_enable(
    body: TwoFactorCodeIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> RecoveryCodesOut:
    """Confirm the first code; returns recovery codes, shown only this once."""
    await limiter.hit(LOGIN_PER_HANDLE, "2fa", str(user.id))
    account = await accounts.account_of(session, user)
    codes = await twofactor.confirm_setup(session, settings, user=account, code=body.code)
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/me/2fa/disable", status_code=status.HTTP_204_NO_CONTENT)
async def two_factor_disable(
    body: TwoFactorDisableIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> Response:
    await limiter.hit(LOGIN_PER_HANDLE, "2fa", str(user.id))
    account = await accounts.account_of(session, user)
    await twofactor.disable(session, settings, user=account, password=body.password, code=body.code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/2fa/recovery-codes", response_model=RecoveryCodesOut)
async def two_factor_new_recovery_codes(
    body: PasswordConfirmIn,
    user: CurrentUser,
    session: SessionDep,
    limiter: LimiterDep,
) -> RecoveryCodesOut:
    await limiter.hit(LOGIN_PER_HANDLE, "2fa", str(user.id))
    account = await accounts.account_of(session, user)
    codes = await twofactor.regenerate_recovery_codes(session, user=account, password=body.password)
    return RecoveryCodesOut(recovery_codes=codes)


@router.put("/admin/users/{handle}/role", response_model=RoleOut)
async def grant_role(handle: str, body: RoleIn, admin: AdminUser, session: SessionDep) -> RoleOut:
    """Admins appoint peer guides, moderators and admins (and take roles back)."""
    user = await accounts.set_role(session, handle=handle[:64], role=Role(body.role))
    return RoleOut(handle=user.handle, role=user.role)
