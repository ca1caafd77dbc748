"""Sign-in with the province's OpenID Connect provider: the authorization code flow with PKCE.

`begin` gives the provider's address to send the browser to, and what to keep in the session
(state, PKCE verifier, nonce); `finish` checks the state, exchanges the code (with the verifier)
for the ID token, checks its signature against the provider's keys, its issuer, audience, expiry
and nonce, and matches it to an imported person: by the personnel code claim
(`oidc_personnel_code_claim`), else by its e-mail when the provider says the e-mail is verified.
No account is ever made from a claim, and a deactivated person is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import requests

from workflow.accounts.models import Person
from workflow.directory.queries import person_for

log = logging.getLogger(__name__)
TIMEOUT = 10
CALLBACK = "/login/oidc/callback"


class SignInFailed(Exception):
    """The provider's answer cannot sign anyone in; the message is for the log."""


def enabled(settings: Mapping[str, Any]) -> bool:
    return bool(settings["oidc_issuer"])


def redirect_uri(settings: Mapping[str, Any]) -> str:
    return settings["base_url"].rstrip("/") + CALLBACK


def _metadata(settings: Mapping[str, Any]) -> dict[str, Any]:
    issuer = settings["oidc_issuer"].rstrip("/")
    try:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SignInFailed(f"the provider's configuration could not be read: {exc}") from None
    if metadata.get("issuer", "").rstrip("/") != issuer:
        raise SignInFailed(f"the provider calls itself {metadata.get('issuer')!r}, not {issuer!r}")
    return metadata


def _client(settings: Mapping[str, Any]) -> Any:
    from authlib.integrations.requests_client import OAuth2Session

    return OAuth2Session(settings["oidc_client_id"], settings["oidc_client_secret"], scope=settings["oidc_scopes"],
                         redirect_uri=redirect_uri(settings), code_challenge_method="S256", timeout=TIMEOUT)


def begin(settings: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """(the provider's authorization address, what the session keeps until the callback)."""
    from authlib.common.security import generate_token

    verifier, nonce = generate_token(64), generate_token(32)
    url, state = _client(settings).create_authorization_url(_metadata(settings)["authorization_endpoint"], code_verifier=verifier,
                                                            nonce=nonce)
    return url, {"state": state, "verifier": verifier, "nonce": nonce}


def _claims(settings: Mapping[str, Any], metadata: dict[str, Any], id_token: str, nonce: str) -> dict[str, Any]:
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    try:
        keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json())
        token = jwt.decode(id_token, keys, algorithms=["RS256", "PS256", "ES256"])
        jwt.JWTClaimsRegistry(iss={"essential": True, "value": metadata["issuer"]}, aud={"essential": True, "value": settings["oidc_client_id"]},
                              nonce={"essential": True, "value": nonce}, sub={"essential": True}).validate(token.claims)
    except (JoseError, requests.RequestException, ValueError, KeyError) as exc:
        raise SignInFailed(f"the ID token was refused: {exc}") from None
    return token.claims


def _userinfo(metadata: dict[str, Any], token: Mapping[str, Any], sub: str) -> dict[str, Any]:
    """The claims of the userinfo endpoint (many providers keep the scopes' claims there, not in
    the ID token), when they are about the same subject."""
    if not metadata.get("userinfo_endpoint") or not token.get("access_token"):
        return {}
    try:
        response = requests.get(metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=TIMEOUT)
        response.raise_for_status()
        info = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SignInFailed(f"the userinfo endpoint failed: {exc}") from None
    return info if isinstance(info, dict) and info.get("sub") == sub else {}


def finish(settings: Mapping[str, Any], saved: Mapping[str, str] | None, args: Mapping[str, str]) -> Person | None:
    """The active imported person the provider's answer proves, or None (refused: SignInFailed
    for an answer that is wrong in itself, None for someone who may not sign in)."""
    if not saved or args.get("state") != saved.get("state"):
        raise SignInFailed("the state does not match the one this browser was given")
    if args.get("error") or not args.get("code"):
        raise SignInFailed(f"the provider answered {args.get('error') or 'without a code'}")
    metadata = _metadata(settings)
    try:
        token = _client(settings).fetch_token(metadata["token_endpoint"], code=args["code"], code_verifier=saved["verifier"],
                                              grant_type="authorization_code")
    except Exception as exc:  # Authlib raises its own errors and requests' for one exchange
        raise SignInFailed(f"the code could not be exchanged: {exc}") from None
    if "id_token" not in token:
        raise SignInFailed("the provider gave no ID token")
    claims = _claims(settings, metadata, token["id_token"], saved["nonce"])
    claims = {**_userinfo(metadata, token, claims["sub"]), **claims}
    code = str(claims.get(settings["oidc_personnel_code_claim"]) or "").strip()
    email = str(claims.get("email") or "").strip().lower() if claims.get("email_verified") is True else ""
    person = person_for(code, email)
    if person is None or not person.active:
        log.info("OpenID sign-in refused: %s", "deactivated person" if person else "no imported person with this code or verified e-mail")
        return None
    return person
