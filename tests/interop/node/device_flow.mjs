// Interoperability check: a TV/CLI relying party built on `openid-client` (v6), a
// third-party OpenID Connect library, signs in with Usher's device grant (RFC 8628).
//
//   node device_flow.mjs ISSUER CLIENT_ID        (CLIENT_SECRET in the environment for a
//                                                 confidential client: client_secret_basic)
//
// Prints `USER_CODE <user_code> <verification_uri_complete>` as soon as the device
// authorization response arrives (whoever runs this approves it), then a one-line JSON
// summary. Exits non-zero on any failure.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';

const [issuer, clientId] = process.argv.slice(2);
if (!issuer || !clientId) {
  console.error('usage: node device_flow.mjs ISSUER CLIENT_ID  (CLIENT_SECRET in env)');
  process.exit(2);
}
const clientSecret = process.env.CLIENT_SECRET;
const scope = process.env.SCOPE ?? 'openid profile email offline_access';

// Counts requests to the token endpoint, to report how many polls the grant took.
let tokenRequests = 0;
let tokenEndpoint;
const countingFetch = (url, options) => {
  if (tokenEndpoint && String(url) === tokenEndpoint) tokenRequests += 1;
  return fetch(url, options);
};

async function main() {
  // Discovery (OIDC Discovery 1.0). Usher in tests runs on http://127.0.0.1, which
  // openid-client refuses unless told otherwise; `enableNonRepudiationChecks` makes it verify
  // every ID token's signature against the provider's JWKS (not only iss/aud/exp/iat).
  const config = await client.discovery(
    new URL(issuer),
    clientId,
    undefined,
    clientSecret ? client.ClientSecretBasic(clientSecret) : client.None(),
    {
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    },
  );
  config[client.customFetch] = countingFetch;
  const metadata = config.serverMetadata();
  tokenEndpoint = metadata.token_endpoint;

  // RFC 8628 §3.1, with Usher's optional device description (shown on the consent page).
  const authorization = await client.initiateDeviceAuthorization(config, {
    scope,
    device_name: 'openid-client interop',
    device_model: `Node.js ${process.version}`,
  });
  process.stdout.write(
    `USER_CODE ${authorization.user_code} ${authorization.verification_uri_complete}\n`,
  );

  // The library's own polling loop: waits `interval`, adds 5 s on slow_down (§3.5).
  const tokens = await client.pollDeviceAuthorizationGrant(config, authorization);
  const polls = tokenRequests;
  const claims = tokens.claims();
  if (!claims?.sub) throw new Error('the token response has no ID token');
  const header = JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url'));

  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);

  // What a resource server does with the access token (RFC 9068 §4), with `jose`.
  const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
  const { payload: access } = await jwtVerify(tokens.access_token, jwks, {
    typ: 'at+jwt',
    issuer: metadata.issuer,
    audience: metadata.issuer,
    algorithms: metadata.id_token_signing_alg_values_supported,
  });

  // Rotation: every refresh returns a new refresh token (and ID token, checked again).
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  if (!refreshed.refresh_token) throw new Error('the refresh response has no refresh token');
  const refreshedClaims = refreshed.claims();

  // RFC 7009: revoke the current refresh token, then show it no longer works.
  await client.tokenRevocation(config, refreshed.refresh_token, {
    token_type_hint: 'refresh_token',
  });
  let revokedRefreshError = null;
  try {
    await client.refreshTokenGrant(config, refreshed.refresh_token);
  } catch (error) {
    revokedRefreshError = error.error ?? String(error);
  }
  if (!revokedRefreshError) throw new Error('the revoked refresh token still works');

  const summary = {
    library: 'openid-client',
    client_auth: clientSecret ? 'client_secret_basic' : 'none',
    issuer: metadata.issuer,
    interval: authorization.interval ?? 5,
    token_requests_until_approved: polls,
    sub: claims.sub,
    id_token_alg: header.alg,
    id_token_aud: claims.aud,
    scope: tokens.scope,
    access_token_sub: access.sub,
    access_token_client_id: access.client_id,
    userinfo_sub: userinfo.sub,
    userinfo_email: userinfo.email ?? null,
    refreshed_sub: refreshedClaims?.sub ?? null,
    refresh_token_rotated: refreshed.refresh_token !== tokens.refresh_token,
    access_token_changed: refreshed.access_token !== tokens.access_token,
    revoked_refresh_error: revokedRefreshError,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((error) => {
  const detail = error.error ? `${error.error}: ${error.error_description ?? ''}` : '';
  console.error(`interop failure: ${error.stack ?? error} ${detail}`);
  if (error.cause) console.error('cause:', error.cause);
  process.exit(1);
});
