//! `usher client update ID`: every list flag adds (`--add-…`), removes (`--remove-…`) or
//! replaces (`--set-…`, comma-separated); every setting is set, or cleared back to the
//! server default (`--clear-…`). The edited record passes the same `client_settings::check`
//! as `create`, and is saved in one transaction (`Database::change_client`).

use std::{fmt::Display, path::PathBuf};

use anyhow::{Context, bail};
use clap::Args;

use super::super::client_settings::{
    self as settings, DEVICE_CODE_LIFETIME, REFRESH_TOKEN_LIFETIME, TOKEN_LIFETIME,
    USER_CODE_FORMATS, check, check_scopes, join_uris, parse_grant_type, parse_web_origin,
};
use crate::{
    config::ApprovalProof,
    protocol::{ClientAuthMethod, GrantType, SigningAlg},
    store::{Client, Database},
};

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The client id.
    id: String,

    /// Name shown to people on the consent page.
    #[arg(long)]
    name: Option<String>,
    /// Logo shown on the consent page (an https:// URL).
    #[arg(long, value_name = "URL", conflicts_with = "clear_logo_uri")]
    logo_uri: Option<String>,
    /// Show no logo.
    #[arg(long)]
    clear_logo_uri: bool,

    /// Allow a scope; repeatable.
    #[arg(long = "add-scope", value_name = "SCOPE")]
    add_scopes: Vec<String>,
    /// No longer allow a scope; repeatable.
    #[arg(long = "remove-scope", value_name = "SCOPE")]
    remove_scopes: Vec<String>,
    /// Allow exactly these scopes (comma-separated).
    #[arg(long, value_name = "SCOPES", value_delimiter = ',',
          conflicts_with_all = ["add_scopes", "remove_scopes"])]
    set_scopes: Option<Vec<String>>,

    /// Allow a grant type (`device_code`, `authorization_code`, `refresh_token`); repeatable.
    #[arg(long = "add-grant-type", value_name = "GRANT_TYPE")]
    add_grant_types: Vec<String>,
    /// No longer allow a grant type; repeatable.
    #[arg(long = "remove-grant-type", value_name = "GRANT_TYPE")]
    remove_grant_types: Vec<String>,
    /// Allow exactly these grant types (comma-separated).
    #[arg(long, value_name = "GRANT_TYPES", value_delimiter = ',',
          conflicts_with_all = ["add_grant_types", "remove_grant_types"])]
    set_grant_types: Option<Vec<String>>,

    /// Register a redirect URI (authorization code flow); repeatable.
    #[arg(long = "add-redirect-uri", value_name = "URI")]
    add_redirect_uris: Vec<String>,
    /// Unregister a redirect URI; repeatable.
    #[arg(long = "remove-redirect-uri", value_name = "URI")]
    remove_redirect_uris: Vec<String>,
    /// Register exactly these redirect URIs (comma-separated; "" for none).
    #[arg(long, value_name = "URIS", value_delimiter = ',',
          conflicts_with_all = ["add_redirect_uris", "remove_redirect_uris"])]
    set_redirect_uris: Option<Vec<String>>,

    /// Register a URI people may be sent to after signing out; repeatable.
    #[arg(long = "add-post-logout-redirect-uri", value_name = "URI")]
    add_post_logout_redirect_uris: Vec<String>,
    /// Unregister a post-logout redirect URI; repeatable.
    #[arg(long = "remove-post-logout-redirect-uri", value_name = "URI")]
    remove_post_logout_redirect_uris: Vec<String>,
    /// Register exactly these post-logout redirect URIs (comma-separated; "" for none).
    #[arg(long, value_name = "URIS", value_delimiter = ',',
          conflicts_with_all = ["add_post_logout_redirect_uris", "remove_post_logout_redirect_uris"])]
    set_post_logout_redirect_uris: Option<Vec<String>>,

    /// Let pages of this origin (scheme://host[:port]) call the token, userinfo and
    /// revocation endpoints (CORS); repeatable.
    #[arg(long = "add-web-origin", value_name = "ORIGIN", value_parser = parse_web_origin)]
    add_web_origins: Vec<String>,
    /// No longer let pages of this origin call them; repeatable.
    #[arg(long = "remove-web-origin", value_name = "ORIGIN", value_parser = parse_web_origin)]
    remove_web_origins: Vec<String>,
    /// Allow exactly these web origins (comma-separated; "" for none).
    #[arg(long, value_name = "ORIGINS", value_delimiter = ',',
          conflicts_with_all = ["add_web_origins", "remove_web_origins"])]
    set_web_origins: Option<Vec<String>>,
    /// Allow the origins of the redirect URIs again, following them (the default).
    #[arg(long, conflicts_with_all = ["add_web_origins", "remove_web_origins", "set_web_origins"])]
    web_origins_from_redirect_uris: bool,

    /// Lifetime of this client's device codes.
    #[arg(long, value_name = "SECS", conflicts_with = "clear_device_code_lifetime",
          value_parser = clap::value_parser!(u32).range(DEVICE_CODE_LIFETIME))]
    device_code_lifetime: Option<u32>,
    /// Use the server's device-code lifetime.
    #[arg(long)]
    clear_device_code_lifetime: bool,
    /// Access-token lifetime for this client.
    #[arg(long, value_name = "SECS", conflicts_with = "clear_access_token_lifetime",
          value_parser = clap::value_parser!(u32).range(TOKEN_LIFETIME))]
    access_token_lifetime: Option<u32>,
    /// Use the server's access-token lifetime.
    #[arg(long)]
    clear_access_token_lifetime: bool,
    /// ID-token lifetime for this client.
    #[arg(long, value_name = "SECS", conflicts_with = "clear_id_token_lifetime",
          value_parser = clap::value_parser!(u32).range(TOKEN_LIFETIME))]
    id_token_lifetime: Option<u32>,
    /// Use the server's ID-token lifetime.
    #[arg(long)]
    clear_id_token_lifetime: bool,
    /// Refresh-token lifetime for this client (tokens issued from now on).
    #[arg(long, value_name = "SECS", conflicts_with = "clear_refresh_token_lifetime",
          value_parser = clap::value_parser!(u32).range(REFRESH_TOKEN_LIFETIME))]
    refresh_token_lifetime: Option<u32>,
    /// Use the server's refresh-token lifetime.
    #[arg(long)]
    clear_refresh_token_lifetime: bool,

    /// Algorithm of this client's ID and access tokens from now on.
    #[arg(long, value_parser = settings::signing_alg_parser())]
    signing_alg: Option<SigningAlg>,

    /// User codes of this client's new device authorizations: `letters` or `digits`.
    #[arg(long, value_parser = USER_CODE_FORMATS)]
    user_code_format: Option<String>,
    /// Number of digits of numeric user codes.
    #[arg(long, value_name = "DIGITS", conflicts_with = "clear_user_code_length",
          value_parser = settings::user_code_length_parser())]
    user_code_length: Option<u8>,
    /// Use the default number of digits (9).
    #[arg(long)]
    clear_user_code_length: bool,
    /// Accept numeric user codes shorter than 9 digits (easier to guess; docs/security.md).
    #[arg(long)]
    allow_short_numeric_codes: bool,

    /// Where decision events are POSTed (an https:// URL; docs/live-handoff.md).
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "clear_notification_endpoint"
    )]
    notification_endpoint: Option<String>,
    /// Send no decision events.
    #[arg(long)]
    clear_notification_endpoint: bool,

    /// Sign-ins and approvals for this client need two factors (docs/factors.md): `true`
    /// or `false`.
    #[arg(long, value_name = "BOOL")]
    require_mfa: Option<bool>,
    /// What approving this client's devices asks for: none, password, passkey or any.
    #[arg(long, value_name = "PROOF", conflicts_with = "clear_approval_proof",
          value_parser = settings::approval_proof_parser())]
    approval_proof: Option<ApprovalProof>,
    /// Use the server's `approval_proof`.
    #[arg(long)]
    clear_approval_proof: bool,

    /// Accept the secret of this confidential client only this way.
    #[arg(long, value_name = "METHOD", conflicts_with = "clear_token_endpoint_auth_method",
          value_parser = settings::secret_method_parser())]
    token_endpoint_auth_method: Option<ClientAuthMethod>,
    /// Accept the secret either way (Basic header or form body).
    #[arg(long)]
    clear_token_endpoint_auth_method: bool,
    /// Replace the public keys of a `private_key_jwt` client with this JWKS file.
    #[arg(long, value_name = "PATH")]
    jwks_file: Option<PathBuf>,
}

/// Why nothing was written.
enum NotSaved {
    Invalid(anyhow::Error),
    Unchanged(Box<Client>),
}

impl From<anyhow::Error> for NotSaved {
    fn from(err: anyhow::Error) -> NotSaved {
        NotSaved::Invalid(err)
    }
}

pub async fn run(db: &Database, args: UpdateArgs) -> anyhow::Result<()> {
    // Read before the transaction: a file that cannot be read stops before any lock.
    let jwks = args
        .jwks_file
        .as_deref()
        .map(settings::read_jwks)
        .transpose()?;
    let id = args.id.clone();
    let outcome = db
        .change_client(&id, |before| {
            let after = edit(before.clone(), &args, jwks)?;
            let after = check(after, Some(&before), args.allow_short_numeric_codes)?;
            if after == before {
                return Err(NotSaved::Unchanged(Box::new(after)));
            }
            Ok(after)
        })
        .await
        .context("could not update the client")?;
    match outcome {
        None => bail!("no client with id '{id}'"),
        Some(Err(NotSaved::Invalid(err))) => {
            Err(err.context(format!("client '{id}' was not changed")))
        }
        Some(Err(NotSaved::Unchanged(client))) => {
            println!("Client '{id}' already had these settings; nothing changed.");
            super::print_client(&client);
            Ok(())
        }
        Some(Ok(client)) => {
            println!("Updated client '{id}'.");
            let updated = crate::oauth::audit::AuditEvent::ClientUpdated {
                client_id: id.clone(),
            };
            crate::oauth::audit::record(db, updated, super::super::now()).await;
            super::print_client(&client);
            Ok(())
        }
    }
}

/// Applies the flags to `c`; `check` validates the result.
fn edit(mut c: Client, args: &UpdateArgs, jwks: Option<String>) -> anyhow::Result<Client> {
    if !args.changes_something() {
        bail!("nothing to change: give at least one setting (see `usher client update --help`)");
    }
    let id = &args.id;
    if let Some(name) = &args.name {
        c.name = name.clone();
    }
    set_or_clear(&mut c.logo_uri, args.logo_uri.clone(), args.clear_logo_uri);

    // Scopes: each item may itself be a space-separated list.
    let scopes = words(&c.allowed_scopes);
    let add: Vec<String> = args.add_scopes.iter().flat_map(|s| words(s)).collect();
    let remove: Vec<String> = args.remove_scopes.iter().flat_map(|s| words(s)).collect();
    let set = match &args.set_scopes {
        Some(set) => Some(words(&check_scopes(&set.join(" "))?)),
        None => None,
    };
    c.allowed_scopes = edit_list(scopes, &add, &remove, set, "scope", id)?.join(" ");

    let parse = |given: &[String]| -> anyhow::Result<Vec<GrantType>> {
        given
            .iter()
            .filter(|g| !g.is_empty())
            .map(|g| parse_grant_type(g))
            .collect()
    };
    let set = args.set_grant_types.as_deref().map(parse).transpose()?;
    c.grant_types = edit_list(
        c.grant_types,
        &parse(&args.add_grant_types)?,
        &parse(&args.remove_grant_types)?,
        set,
        "grant type",
        id,
    )?;

    let what = "redirect URI";
    let uris = edit_list(
        words(&c.redirect_uris),
        &args.add_redirect_uris,
        &args.remove_redirect_uris,
        non_empty(&args.set_redirect_uris),
        what,
        id,
    )?;
    c.redirect_uris = join_uris(&uris, what)?;
    let what = "post-logout redirect URI";
    let uris = edit_list(
        words(&c.post_logout_redirect_uris),
        &args.add_post_logout_redirect_uris,
        &args.remove_post_logout_redirect_uris,
        non_empty(&args.set_post_logout_redirect_uris),
        what,
        id,
    )?;
    c.post_logout_redirect_uris = join_uris(&uris, what)?;

    if args.web_origins_from_redirect_uris {
        c.web_origins = None;
    } else if let Some(set) = non_empty(&args.set_web_origins) {
        c.web_origins = Some(set.join(" "));
    } else if !args.add_web_origins.is_empty() || !args.remove_web_origins.is_empty() {
        // From the effective list (after the redirect URIs changed): once edited, the list
        // is explicit and no longer follows the redirect URIs.
        let origins = edit_list(
            c.web_origins(),
            &args.add_web_origins,
            &args.remove_web_origins,
            None,
            "web origin",
            id,
        )?;
        c.web_origins = Some(origins.join(" "));
    }

    let secs = |s: Option<u32>| s.map(i64::from);
    let lifetimes = [
        (
            &mut c.device_code_lifetime_secs,
            args.device_code_lifetime,
            args.clear_device_code_lifetime,
        ),
        (
            &mut c.access_token_lifetime_secs,
            args.access_token_lifetime,
            args.clear_access_token_lifetime,
        ),
        (
            &mut c.id_token_lifetime_secs,
            args.id_token_lifetime,
            args.clear_id_token_lifetime,
        ),
        (
            &mut c.refresh_token_lifetime_secs,
            args.refresh_token_lifetime,
            args.clear_refresh_token_lifetime,
        ),
    ];
    for (field, value, clear) in lifetimes {
        set_or_clear(field, secs(value), clear);
    }
    if let Some(alg) = args.signing_alg {
        c.signing_alg = alg;
    }

    if let Some(format) = &args.user_code_format {
        if format == "letters" {
            // Letters have a fixed length.
            c.user_code_length = None;
        }
        c.user_code_format = format.clone();
    }
    set_or_clear(
        &mut c.user_code_length,
        args.user_code_length.map(i64::from),
        args.clear_user_code_length,
    );
    set_or_clear(
        &mut c.notification_endpoint,
        args.notification_endpoint.clone(),
        args.clear_notification_endpoint,
    );
    if let Some(require_mfa) = args.require_mfa {
        c.require_mfa = require_mfa;
    }
    set_or_clear(
        &mut c.approval_proof,
        args.approval_proof,
        args.clear_approval_proof,
    );

    if args.token_endpoint_auth_method.is_some() || args.clear_token_endpoint_auth_method {
        // Only between the two ways of sending a secret: turning a secret into keys (or a
        // public client into a confidential one) would lock out its deployed copies.
        if c.secret_hash.is_none() {
            bail!(
                "client '{id}' has no secret; the way a secret is sent applies only to clients \
                 created with --confidential"
            );
        }
        c.token_endpoint_auth_method = args.token_endpoint_auth_method;
    }
    if let Some(jwks) = jwks {
        if c.auth_method() != ClientAuthMethod::PrivateKeyJwt {
            bail!(
                "--jwks-file replaces the keys of a private_key_jwt client; client '{id}' is not one"
            );
        }
        c.jwks = Some(jwks);
    }
    Ok(c)
}

impl UpdateArgs {
    fn changes_something(&self) -> bool {
        let lists = [
            &self.add_scopes,
            &self.remove_scopes,
            &self.add_grant_types,
            &self.remove_grant_types,
            &self.add_redirect_uris,
            &self.remove_redirect_uris,
            &self.add_post_logout_redirect_uris,
            &self.remove_post_logout_redirect_uris,
            &self.add_web_origins,
            &self.remove_web_origins,
        ];
        let sets = [
            &self.set_scopes,
            &self.set_grant_types,
            &self.set_redirect_uris,
            &self.set_post_logout_redirect_uris,
            &self.set_web_origins,
        ];
        let flags = [
            self.clear_logo_uri,
            self.web_origins_from_redirect_uris,
            self.clear_device_code_lifetime,
            self.clear_access_token_lifetime,
            self.clear_id_token_lifetime,
            self.clear_refresh_token_lifetime,
            self.clear_user_code_length,
            self.clear_notification_endpoint,
            self.clear_token_endpoint_auth_method,
            self.clear_approval_proof,
        ];
        let values = [
            self.name.is_some(),
            self.logo_uri.is_some(),
            self.device_code_lifetime.is_some(),
            self.access_token_lifetime.is_some(),
            self.id_token_lifetime.is_some(),
            self.refresh_token_lifetime.is_some(),
            self.signing_alg.is_some(),
            self.user_code_format.is_some(),
            self.user_code_length.is_some(),
            self.notification_endpoint.is_some(),
            self.token_endpoint_auth_method.is_some(),
            self.jwks_file.is_some(),
            self.require_mfa.is_some(),
            self.approval_proof.is_some(),
        ];
        lists.iter().any(|l| !l.is_empty())
            || sets.iter().any(|s| s.is_some())
            || flags.into_iter().chain(values).any(|f| f)
    }
}

/// Removes, then adds (keeping the order, without repeats), or replaces with `set`.
/// Removing an item the list does not have is an error: likely a typo.
fn edit_list<T: PartialEq + Clone + Display>(
    mut list: Vec<T>,
    add: &[T],
    remove: &[T],
    set: Option<Vec<T>>,
    what: &str,
    id: &str,
) -> anyhow::Result<Vec<T>> {
    if let Some(set) = set {
        list = Vec::new();
        push_new(&mut list, &set);
        return Ok(list);
    }
    for item in remove {
        let Some(at) = list.iter().position(|i| i == item) else {
            bail!("'{item}' is not a {what} of client '{id}'");
        };
        list.remove(at);
    }
    push_new(&mut list, add);
    Ok(list)
}

fn push_new<T: PartialEq + Clone>(list: &mut Vec<T>, items: &[T]) {
    for item in items {
        if !list.contains(item) {
            list.push(item.clone());
        }
    }
}

fn set_or_clear<T>(field: &mut Option<T>, value: Option<T>, clear: bool) {
    if clear {
        *field = None;
    } else if value.is_some() {
        *field = value;
    }
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

/// A `--set-…` list without empty items (`--set-redirect-uris ""` sets none).
fn non_empty(set: &Option<Vec<String>>) -> Option<Vec<String>> {
    set.as_ref().map(|items| {
        items
            .iter()
            .filter(|i| !i.trim().is_empty())
            .cloned()
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_edited_in_order_without_repeats() {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let edited = edit_list(
            list(&["a", "b"]),
            &list(&["c", "a"]),
            &list(&["b"]),
            None,
            "x",
            "tv",
        );
        assert_eq!(edited.unwrap(), list(&["a", "c"]));
        let set = edit_list(list(&["a"]), &[], &[], Some(list(&["b", "b"])), "x", "tv");
        assert_eq!(set.unwrap(), list(&["b"]));
        let missing = edit_list(list(&["a"]), &[], &list(&["z"]), None, "x", "tv");
        assert_eq!(
            missing.unwrap_err().to_string(),
            "'z' is not a x of client 'tv'"
        );
    }
}
