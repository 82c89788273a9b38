//! Reading the configuration once: defaults <- `usher.toml` <- `USHER_*` variables, then
//! every problem at once (unknown keys of the file, values of the wrong type, the rules of
//! `validate.rs`), each naming its key.

use std::path::Path;

use figment::{
    Figment, Profile, Provider,
    providers::{Env, Format, Serialized, Toml},
    value::{Dict, Value},
};

use super::{Config, ConfigError, Problem};

/// Old name of `features.metrics`, still read.
const METRICS_ALIAS: &str = "metrics_enabled";

impl Config {
    /// Defaults, then `path` (default `usher.toml`) if it exists, then `USHER_*` variables
    /// (`USHER_ISSUER`; a key of a section with `__`: `USHER_FEATURES__PAIRING=false`).
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let defaults = Serialized::defaults(Config::default());
        let known = defaults
            .data()
            .ok()
            .and_then(|mut profiles| profiles.remove(&Profile::Default))
            .unwrap_or_default();
        let mut problems = Vec::new();
        let mut given = Figment::new();
        let file = path.unwrap_or(Path::new("usher.toml"));
        if file.exists() {
            let toml = Toml::file_exact(file);
            match toml.data() {
                Ok(profiles) => {
                    for dict in profiles.values() {
                        unknown_keys(dict, &known, "", true, &mut problems);
                    }
                }
                Err(err) => {
                    let problem = Problem::new(file.display().to_string(), err.kind.to_string());
                    return Err(ConfigError {
                        problems: vec![problem],
                    });
                }
            }
            given = given.merge(toml);
        }
        let env = Env::prefixed("USHER_").split("__");
        if let Ok(profiles) = env.data() {
            // Other `USHER_*` variables exist (test switches): only a section's keys are
            // checked, where a typo cannot be anything else.
            for dict in profiles.values() {
                unknown_keys(dict, &known, "", false, &mut problems);
            }
        }
        given = metrics_alias(given.merge(env), &mut problems);
        let issuer_given = given.find_value("issuer").is_ok();

        let mut figment = Figment::from(defaults).merge(given);
        let mut failed: Vec<String> = Vec::new();
        let mut config = loop {
            match figment.extract::<Config>() {
                Ok(config) => break config,
                Err(errors) => {
                    let mut progress = false;
                    for err in errors {
                        let Some(key) = settable_key(&known, &err.path) else {
                            continue;
                        };
                        if failed.contains(&key) {
                            continue;
                        }
                        problems.push(Problem::new(&key, reason(&err)));
                        // Go on with the default in its place, to find the next bad value.
                        if let Ok(default) =
                            Figment::from(Serialized::defaults(Config::default())).find_value(&key)
                        {
                            figment = figment.merge(Serialized::default(&key, default));
                            failed.push(key);
                            progress = true;
                        }
                    }
                    if !progress {
                        // Not a value of one key (cannot happen with `serde(default)`).
                        problems.push(Problem::new("configuration", "cannot be read"));
                        return Err(ConfigError { problems });
                    }
                }
            }
        };
        if !issuer_given {
            match issuer_from_listen(config.listen) {
                Ok(issuer) => config.issuer = issuer,
                Err(problem) => problems.push(problem),
            }
        }
        // A rule on a value that was replaced by its default would be about the default.
        problems.extend(
            config
                .problems()
                .into_iter()
                .filter(|p| !failed.contains(&p.key)),
        );
        match problems.is_empty() {
            true => Ok(config),
            false => Err(ConfigError { problems }),
        }
    }
}

/// The issuer when none is configured: the listen address, so changing only the port
/// (`USHER_LISTEN=127.0.0.1:8102`) moves every link, QR code and discovery URL with it.
/// A wildcard address (0.0.0.0, [::]) names no host a phone could open, so the start is
/// refused rather than printing links that cannot work.
fn issuer_from_listen(listen: std::net::SocketAddr) -> Result<super::Issuer, Problem> {
    if listen.ip().is_unspecified() {
        return Err(Problem::new(
            "issuer",
            format!(
                "not set, and listen = \"{listen}\" names no host that people can open; \
                 set issuer to the URL people use to reach Usher (e.g. https://id.example.com \
                 or http://192.168.1.20:{port}; USHER_ISSUER)",
                port = listen.port()
            ),
        ));
    }
    super::Issuer::parse(&format!("http://{listen}"))
        .map_err(|err| Problem::new("issuer", format!("cannot follow listen ({err})")))
}

/// Keys in `given` that `Config` does not have, at the top level (`top`) and inside sections.
fn unknown_keys(given: &Dict, known: &Dict, prefix: &str, top: bool, out: &mut Vec<Problem>) {
    for (key, value) in given {
        let name = format!("{prefix}{key}");
        match known.get(key) {
            Some(Value::Dict(_, known_section)) => {
                if let Value::Dict(_, section) = value {
                    unknown_keys(section, known_section, &format!("{name}."), true, out);
                }
            }
            Some(_) => {}
            None if top && !(prefix.is_empty() && key == METRICS_ALIAS) => {
                out.push(Problem::new(name, "unknown key"));
            }
            None => {}
        }
    }
}

/// `metrics_enabled = false` still switches metrics off, as `features.metrics = false`.
fn metrics_alias(given: Figment, problems: &mut Vec<Problem>) -> Figment {
    let Ok(old) = given.find_value(METRICS_ALIAS) else {
        return given;
    };
    let Some(enabled) = old.to_bool() else {
        problems.push(Problem::new(METRICS_ALIAS, "must be true or false"));
        return given;
    };
    match given.find_value("features.metrics").map(|v| v.to_bool()) {
        Ok(Some(new)) if new != enabled => {
            problems.push(Problem::new(
                METRICS_ALIAS,
                "contradicts features.metrics; keep only features.metrics",
            ));
            given
        }
        Ok(_) => given,
        Err(_) => given.merge(Serialized::default("features.metrics", enabled)),
    }
}

/// The key an error is about: its path, shortened to a key that has a default (an entry of
/// `trusted_proxies` is a problem of `trusted_proxies`).
fn settable_key(known: &Dict, path: &[String]) -> Option<String> {
    (1..=path.len()).rev().find_map(|len| {
        let key = path[..len].join(".");
        let mut dict = known;
        let mut found = None;
        for part in &path[..len] {
            found = dict.get(part);
            match found {
                Some(Value::Dict(_, inner)) => dict = inner,
                Some(_) => {}
                None => return None,
            }
        }
        found.map(|_| key)
    })
}

/// The error's words and where the value came from: the file, or the variable to change.
fn reason(err: &figment::Error) -> String {
    let source = err.metadata.as_ref().and_then(|md| match &md.source {
        Some(figment::Source::File(path)) => Some(format!("in {}", path.display())),
        _ if md.name.contains("environment") => Some(format!(
            "from USHER_{}",
            err.path.join("__").to_ascii_uppercase()
        )),
        _ => None,
    });
    match source {
        Some(source) => format!("{} ({source})", err.kind),
        None => err.kind.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads `toml` as the configuration file (no `USHER_*` variables are set by tests).
    fn load(toml: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("usher.toml");
        std::fs::write(&file, toml).unwrap();
        Config::load(Some(&file))
    }

    fn reasons(toml: &str) -> Vec<String> {
        load(toml)
            .unwrap_err()
            .problems
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn without_an_issuer_it_follows_the_listen_address_or_the_start_is_refused() {
        assert_eq!(
            load("listen = \"127.0.0.1:8102\"\n").unwrap().issuer,
            "http://127.0.0.1:8102"
        );
        assert_eq!(
            load("listen = \"[::1]:8102\"\n").unwrap().issuer,
            "http://[::1]:8102"
        );
        // A configured issuer is kept, whatever the listen address.
        let config = load("issuer = \"https://id.example\"\nlisten = \"0.0.0.0:8102\"\n").unwrap();
        assert_eq!(config.issuer, "https://id.example");
        for wildcard in ["0.0.0.0:8080", "[::]:8080"] {
            let reasons = reasons(&format!("listen = \"{wildcard}\"\n"));
            assert_eq!(reasons.len(), 1, "{reasons:?}");
            assert!(reasons[0].starts_with("issuer: not set"), "{reasons:?}");
            assert!(reasons[0].contains(wildcard), "{reasons:?}");
        }
    }

    #[test]
    fn a_loaded_issuer_keeps_its_trailing_slash_and_a_bad_one_is_refused() {
        assert_eq!(
            load("issuer = \"https://id.example/\"\n").unwrap().issuer,
            "https://id.example/"
        );
        let err = load("issuer = \"https://id.example/?x=1\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no query or fragment"), "{err}");
        assert!(err.contains("issuer: "), "{err}");
    }

    #[test]
    fn every_bad_value_is_listed_with_its_key() {
        let found = reasons(
            "issuer = \"ftp://id.example\"\n\
             device_poll_interval_secs = \"soon\"\n\
             trusted_proxies = [\"10.0.0.1\", \"nonsense\", \"fd00::/8\"]\n\
             log_format = \"yaml\"\n\
             access_token_lifetime_secs = 0\n\
             device_wait_secs = 40\n",
        );
        let mut keys: Vec<&str> = found
            .iter()
            .map(|p| p.split(':').next().unwrap_or_default())
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "access_token_lifetime_secs",
                "device_poll_interval_secs",
                "device_wait_secs",
                "issuer",
                "log_format",
                "trusted_proxies",
            ],
            "{found:#?}"
        );
        let proxies = found
            .iter()
            .find(|p| p.starts_with("trusted_proxies: "))
            .unwrap();
        assert!(
            proxies.contains("\"nonsense\" is not an IP address or network"),
            "{proxies}"
        );
        assert!(
            proxies.contains("usher.toml"),
            "the file is named: {proxies}"
        );
    }

    #[test]
    fn typed_values_are_read() {
        let config = load(
            "trusted_proxies = [\"10.0.0.7\", \"172.16.0.0/12\"]\n\
             log_format = \"json\"\n\
             [features]\n\
             live_channel = false\n",
        )
        .unwrap();
        let proxies: Vec<String> = config
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(proxies, ["10.0.0.7/32", "172.16.0.0/12"]);
        assert_eq!(config.log_format, crate::config::LogFormat::Json);
        assert!(!config.features.live_channel);
        assert!(config.features.pairing, "the others stay on");
    }

    #[test]
    fn unknown_keys_of_the_file_are_refused() {
        assert_eq!(
            reasons("device_poll_intervall_secs = 5\n[features]\nqr_signin = false\n"),
            [
                "device_poll_intervall_secs: unknown key",
                "features.qr_signin: unknown key"
            ]
        );
    }

    #[test]
    fn metrics_enabled_is_read_as_features_metrics() {
        assert!(!load("metrics_enabled = false\n").unwrap().features.metrics);
        assert!(load("").unwrap().features.metrics);
        assert!(
            !load("metrics_enabled = false\n[features]\nmetrics = false\n")
                .unwrap()
                .features
                .metrics
        );
        assert_eq!(
            reasons("metrics_enabled = false\n[features]\nmetrics = true\n"),
            ["metrics_enabled: contradicts features.metrics; keep only features.metrics"]
        );
    }

    #[test]
    fn a_file_that_is_not_toml_is_refused() {
        let err = load("issuer = \n").unwrap_err();
        assert_eq!(err.problems.len(), 1, "{err}");
        assert!(err.problems[0].key.ends_with("usher.toml"), "{err}");
    }

    #[test]
    fn an_error_inside_a_value_is_a_problem_of_its_key() {
        let known = Serialized::defaults(Config::default())
            .data()
            .unwrap()
            .remove(&Profile::Default)
            .unwrap();
        let key = |path: &[&str]| {
            let path: Vec<String> = path.iter().map(|p| p.to_string()).collect();
            settable_key(&known, &path)
        };
        assert_eq!(
            key(&["trusted_proxies", "0"]).as_deref(),
            Some("trusted_proxies")
        );
        assert_eq!(
            key(&["features", "pairing"]).as_deref(),
            Some("features.pairing")
        );
        assert_eq!(key(&["nothing"]), None);
    }
}
