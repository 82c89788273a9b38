// A single-page app as a browser-based public client does it (RFC 9700 §2.1.1, OAuth 2.0
// for Browser-Based Apps): discovery and JWKS with fetch, authorization code with PKCE S256,
// code exchange, UserInfo with a Bearer token and revocation, all with fetch from this
// origin. Every result is written into the page for the test to read.
"use strict";

const issuer = document.body.dataset.issuer;
const clientId = document.body.dataset.clientId;
const redirectUri = location.origin + "/callback";

function show(id, text) {
  document.getElementById(id).textContent = text;
}

function base64url(bytes) {
  let text = "";
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function random() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

// Fetch, and say "blocked" when the browser refuses the response (CORS).
async function call(url, options) {
  try {
    const response = await fetch(url, options);
    return { response };
  } catch (err) {
    return { blocked: "blocked: " + err.name + ": " + err.message };
  }
}

async function metadata() {
  const { response, blocked } = await call(issuer + "/.well-known/openid-configuration");
  if (blocked) throw new Error(blocked);
  const doc = await response.json();
  show("discovery", doc.issuer);
  const jwks = await call(doc.jwks_uri);
  if (jwks.blocked) throw new Error(jwks.blocked);
  const keys = (await jwks.response.json()).keys;
  show("jwks", keys.length + " keys");
  return doc;
}

async function signIn(doc) {
  const verifier = random();
  const state = random();
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  sessionStorage.setItem("pkce", JSON.stringify({ verifier, state }));
  const url = new URL(doc.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: "openid profile email",
    state,
    nonce: random(),
    code_challenge: base64url(digest),
    code_challenge_method: "S256",
  });
  location.assign(url.toString());
}

async function callback(doc) {
  const params = new URLSearchParams(location.search);
  const saved = JSON.parse(sessionStorage.getItem("pkce") || "{}");
  sessionStorage.removeItem("pkce");
  if (params.get("state") !== saved.state || params.get("iss") !== issuer) {
    show("token", "state or iss mismatch");
    return;
  }
  const exchange = await call(doc.token_endpoint, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: params.get("code"),
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: saved.verifier,
    }),
  });
  if (exchange.blocked) return show("token", exchange.blocked);
  const tokens = await exchange.response.json();
  if (!exchange.response.ok) return show("token", "error: " + tokens.error);
  show("token", tokens.token_type + (tokens.id_token ? " with ID token" : ""));
  const bearer = { headers: { Authorization: "Bearer " + tokens.access_token } };

  const info = await call(doc.userinfo_endpoint, bearer);
  if (info.blocked) return show("userinfo", info.blocked);
  const claims = await info.response.json();
  show("userinfo", claims.sub + " " + claims.email);

  const revoke = await call(doc.revocation_endpoint, {
    method: "POST",
    body: new URLSearchParams({
      token: tokens.access_token,
      token_type_hint: "access_token",
      client_id: clientId,
    }),
  });
  show("revocation", revoke.blocked || String(revoke.response.status));

  const after = await call(doc.userinfo_endpoint, bearer);
  show(
    "after-revocation",
    after.blocked ||
      after.response.status + " " + after.response.headers.get("WWW-Authenticate"),
  );
}

// A page of an origin no client registered: its token request is refused by the browser.
async function probeToken(doc) {
  const probe = await call(doc.token_endpoint, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: "probe",
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: random(),
    }),
  });
  show("token-probe", probe.blocked || "readable: " + probe.response.status);
}

async function main() {
  const doc = await metadata();
  if (location.pathname === "/callback") {
    await callback(doc);
  } else {
    document.getElementById("sign-in").addEventListener("click", () => signIn(doc));
    await probeToken(doc);
  }
  show("done", "done");
}

main().catch((err) => show("done", "failed: " + err.message));
