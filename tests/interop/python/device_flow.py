"""Interoperability check: a TV/CLI relying party built on Authlib, a third-party OAuth 2.0 /
OpenID Connect library, signs in with Usher's device grant (RFC 8628).

    python3 device_flow.py ISSUER CLIENT_ID      (CLIENT_SECRET in the environment for a
                                                  confidential client: client_secret_basic)

Prints ``USER_CODE <user_code> <verification_uri_complete>`` as soon as the device
authorization response arrives (whoever runs this approves it), then a one-line JSON
summary. Exits non-zero on any failure.
"""

import json
import os
import platform
import sys
import time

from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oauth2.rfc8628 import DEVICE_CODE_GRANT_TYPE
from authlib.oidc.core import CodeIDToken
from authlib.oidc.discovery import OpenIDProviderMetadata
from authlib.oidc import rpinitiated
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

SCOPE = os.environ.get("SCOPE", "openid profile email offline_access")
TIMEOUT = 10


def discover(issuer):
    """OIDC Discovery 1.0 §4, checked by Authlib (issuer match, required fields)."""
    response = OAuth2Session().get(
        f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        withhold_token=True,
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    metadata = OpenIDProviderMetadata(response.json())
    metadata.validate(metadata_classes=[rpinitiated.OpenIDProviderMetadata])
    if metadata["issuer"] != issuer:
        raise RuntimeError(f"issuer mismatch: {metadata['issuer']!r} != {issuer!r}")
    for field in ("device_authorization_endpoint", "revocation_endpoint"):
        if field not in metadata:
            raise RuntimeError(f"metadata has no {field}")
    return metadata


def start_device_authorization(session, metadata):
    """RFC 8628 §3.1, with client authentication and Usher's optional device description."""
    response = session.post(
        metadata["device_authorization_endpoint"],
        data={"scope": SCOPE},
        headers={
            "X-Device-Name": "Authlib interop",
            "X-Device-Model": f"Python {platform.python_version()}",
        },
        auth=session.client_auth(session.token_endpoint_auth_method),
        withhold_token=True,
        timeout=TIMEOUT,
    )
    body = response.json()
    if response.status_code != 200:
        raise RuntimeError(f"device authorization failed: {response.status_code} {body}")
    return body


def poll_for_tokens(session, metadata, authorization):
    """RFC 8628 §3.4–3.5: wait `interval` seconds between requests, 5 more after each
    `slow_down`; keep going on `authorization_pending`; any other error ends the flow.
    Authlib has the grant's request and errors but no client-side polling loop."""
    interval = authorization.get("interval", 5)
    deadline = time.monotonic() + authorization["expires_in"]
    requests_made = slow_downs = 0
    while time.monotonic() < deadline:
        time.sleep(interval)
        requests_made += 1
        try:
            token = session.fetch_token(
                metadata["token_endpoint"],
                grant_type=DEVICE_CODE_GRANT_TYPE,
                device_code=authorization["device_code"],
                timeout=TIMEOUT,
            )
            return token, requests_made, slow_downs
        except OAuthError as error:
            if error.error == "authorization_pending":
                continue
            if error.error == "slow_down":
                slow_downs += 1
                interval += 5
                continue
            raise
    raise RuntimeError("the device code expired before approval")


def validate_id_token(session, metadata, token):
    """The ID token's signature against the provider's JWKS, then iss, aud, exp, iat, azp and
    at_hash (OIDC Core §3.1.3.7), the way Authlib's own OpenID client does it."""
    jwks = session.get(metadata["jwks_uri"], withhold_token=True, timeout=TIMEOUT)
    jwks.raise_for_status()
    decoded = jwt.decode(
        token["id_token"],
        key=KeySet.import_key_set(jwks.json()),
        registry=JWSRegistry(algorithms=metadata["id_token_signing_alg_values_supported"]),
    )
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        options={
            "iss": {"essential": True, "value": metadata["issuer"]},
            "aud": {"essential": True, "value": session.client_id},
            "exp": {"essential": True},
        },
        params={"client_id": session.client_id, "access_token": token["access_token"]},
    )
    claims.validate(leeway=30)
    return claims


def verify_access_token(session, metadata, access_token):
    """What a resource server does with the access token (RFC 9068 §4): `typ` at+jwt, the
    signature against the JWKS, then iss, aud (Usher itself) and exp."""
    jwks = session.get(metadata["jwks_uri"], withhold_token=True, timeout=TIMEOUT)
    jwks.raise_for_status()
    decoded = jwt.decode(
        access_token,
        key=KeySet.import_key_set(jwks.json()),
        algorithms=metadata["id_token_signing_alg_values_supported"],
    )
    if decoded.header.get("typ") != "at+jwt":
        raise RuntimeError(f"access token typ is {decoded.header.get('typ')!r}")
    jwt.JWTClaimsRegistry(
        leeway=30,
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": metadata["issuer"]},
        exp={"essential": True},
        sub={"essential": True},
    ).validate(decoded.claims)
    return decoded.claims


def main():
    if len(sys.argv) != 3:
        print("usage: python3 device_flow.py ISSUER CLIENT_ID  (CLIENT_SECRET in env)",
              file=sys.stderr)
        return 2
    issuer, client_id = sys.argv[1], sys.argv[2]
    client_secret = os.environ.get("CLIENT_SECRET")
    metadata = discover(issuer)
    auth_method = "client_secret_basic" if client_secret else "none"
    session = OAuth2Session(
        client_id,
        client_secret,
        token_endpoint_auth_method=auth_method,
        revocation_endpoint_auth_method=auth_method,
        scope=SCOPE,
    )

    authorization = start_device_authorization(session, metadata)
    print(f"USER_CODE {authorization['user_code']} "
          f"{authorization['verification_uri_complete']}", flush=True)

    token, polls, slow_downs = poll_for_tokens(session, metadata, authorization)
    claims = validate_id_token(session, metadata, token)

    access = verify_access_token(session, metadata, token["access_token"])

    userinfo = session.get(metadata["userinfo_endpoint"], timeout=TIMEOUT)
    userinfo.raise_for_status()
    userinfo = userinfo.json()
    if userinfo["sub"] != claims["sub"]:
        raise RuntimeError("userinfo sub differs from the ID token's")

    # Rotation: each refresh answers with a new refresh token.
    first_refresh = token["refresh_token"]
    refreshed = session.refresh_token(metadata["token_endpoint"], refresh_token=first_refresh)
    refreshed_claims = validate_id_token(session, metadata, refreshed)

    # RFC 7009, then the revoked refresh token must be refused.
    revocation = session.revoke_token(
        metadata["revocation_endpoint"],
        token=refreshed["refresh_token"],
        token_type_hint="refresh_token",
        timeout=TIMEOUT,
    )
    revocation.raise_for_status()
    try:
        session.refresh_token(metadata["token_endpoint"],
                              refresh_token=refreshed["refresh_token"])
        raise RuntimeError("the revoked refresh token still works")
    except OAuthError as error:
        revoked_error = error.error

    print(json.dumps({
        "library": "authlib",
        "client_auth": auth_method,
        "issuer": metadata["issuer"],
        "interval": authorization.get("interval", 5),
        "token_requests_until_approved": polls,
        "slow_downs": slow_downs,
        "sub": claims["sub"],
        "id_token_alg": claims.header["alg"],
        "id_token_aud": claims["aud"],
        "scope": token.get("scope"),
        "access_token_sub": access["sub"],
        "access_token_client_id": access["client_id"],
        "userinfo_sub": userinfo["sub"],
        "userinfo_email": userinfo.get("email"),
        "refreshed_sub": refreshed_claims["sub"],
        "refresh_token_rotated": refreshed["refresh_token"] != first_refresh,
        "access_token_changed": refreshed["access_token"] != token["access_token"],
        "revoked_refresh_error": revoked_error,
    }), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # any failure: a readable line and a non-zero exit
        print(f"interop failure: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
