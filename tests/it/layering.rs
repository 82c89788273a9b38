//! The layering of docs/architecture.md, checked on the source: every `use crate::`,
//! `use super::` and inline `crate::` / `super::` path of every file under src/ (test
//! modules left out) is an edge to the module it names. The check fails on an edge that
//! points up a layer and on an import loop between files. A `mod.rs` re-exporting its own
//! children (`pub use models::*`) is the facade idiom and is not an edge.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::Path,
};

type Module = Vec<String>;

/// What each top-level module may import besides itself: cli -> http/web -> oauth ->
/// tokens, store -> error, config, clock -> protocol. `lib`, `main` and `cli` may import anything.
const ALLOWED: &[(&str, &[&str])] = &[
    ("clock", &["protocol"]),
    ("config", &["protocol"]),
    ("error", &["protocol"]),
    ("metrics", &["protocol"]),
    // The protocol's vocabulary (grant types, auth methods, algorithms ...): the bottom.
    ("protocol", &[]),
    // Catalogues and languages: below every layer that speaks to people.
    ("i18n", &[]),
    ("store", &["clock", "config", "error", "protocol"]),
    ("tokens", &["store", "clock", "config", "error", "protocol"]),
    // The client-address extractor, shared by http/ and web/.
    ("client_addr", &["protocol"]),
    (
        "oauth",
        &[
            "tokens", "store", "clock", "config", "error", "metrics", "protocol",
        ],
    ),
    (
        "state",
        &[
            "oauth",
            "tokens",
            "store",
            "client_addr",
            "clock",
            "config",
            "error",
            "metrics",
            "protocol",
        ],
    ),
    (
        "http",
        &[
            "i18n",
            "web",
            "state",
            "client_addr",
            "oauth",
            "tokens",
            "store",
            "clock",
            "config",
            "error",
            "metrics",
            "protocol",
        ],
    ),
    (
        "web",
        &[
            "i18n",
            "http",
            "state",
            "client_addr",
            "oauth",
            "tokens",
            "store",
            "clock",
            "config",
            "error",
            "metrics",
            "protocol",
        ],
    ),
    (
        "server",
        &[
            "i18n",
            "http",
            "web",
            "state",
            "client_addr",
            "oauth",
            "tokens",
            "store",
            "clock",
            "config",
            "error",
            "metrics",
            "protocol",
        ],
    ),
];

#[test]
fn imports_point_down_and_never_loop() {
    let edges = edges();
    let mut wrong = Vec::new();
    for (from, targets) in &edges {
        let Some(layer) = from.first() else { continue };
        let Some((_, allowed)) = ALLOWED.iter().find(|(l, _)| l == layer) else {
            continue;
        };
        for to in targets {
            let target = to.first().map_or("lib", String::as_str);
            if target != layer && !allowed.contains(&target) {
                wrong.push(format!("{} -> {}", name(from), name(to)));
            }
        }
    }
    assert!(wrong.is_empty(), "imports that point up: {wrong:#?}");
    let loops = loops(&edges);
    assert!(loops.is_empty(), "import loops: {loops:#?}");
}

#[test]
fn the_check_sees_nested_braces_super_and_inline_paths() {
    let modules: BTreeSet<Module> = [
        vec![],
        path("web"),
        path("web::ip"),
        path("oauth"),
        path("oauth::scope"),
        path("store"),
    ]
    .into_iter()
    .collect();
    let source = "use crate::{\n    oauth::{scope::{self, contains}},\n    store::User,\n};\n\
        use super::ip::ClientIp;\nfn f() { crate::web::ip::budget_key(x); }\n\
        // use crate::web::ip; (a comment)\n#[cfg(test)]\nmod tests { use crate::store; }\n";
    let found = targets(&path("web::consent"), source, &modules);
    let found: Vec<String> = found.iter().map(name).collect();
    assert_eq!(found, ["oauth::scope", "store", "web::ip"]);
    let mut edges = BTreeMap::new();
    edges.insert(path("a"), BTreeSet::from([path("b")]));
    edges.insert(path("b"), BTreeSet::from([path("a")]));
    assert_eq!(loops(&edges).len(), 1);
}

fn path(text: &str) -> Module {
    text.split("::").map(str::to_string).collect()
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "lib".to_string()
    } else {
        module.join("::")
    }
}

/// Every file of src/ with the modules it imports.
fn edges() -> BTreeMap<Module, BTreeSet<Module>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&root, &mut files);
    let sources: Vec<(Module, String)> = files
        .iter()
        .map(|file| {
            let relative = file.strip_prefix(&root).unwrap().with_extension("");
            let mut module: Module = relative
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            if module.last().is_some_and(|last| last == "mod") {
                module.pop();
            }
            if module == ["lib"] || module == ["main"] {
                module.clear();
            }
            (module, fs::read_to_string(file).unwrap())
        })
        .collect();
    let modules: BTreeSet<Module> = sources.iter().map(|(m, _)| m.clone()).collect();
    sources
        .iter()
        .map(|(module, source)| (module.clone(), targets(module, source, &modules)))
        .collect()
}

fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The modules `source` (the file of `module`) imports, resolved to the longest module that
/// exists as a file.
fn targets(module: &Module, source: &str, modules: &BTreeSet<Module>) -> BTreeSet<Module> {
    let code = code_of(source);
    let mut paths: Vec<Module> = Vec::new();
    // `use` statements, braces expanded.
    let mut rest = code.as_str();
    while let Some(at) = rest.find("use ") {
        // A `use` statement starts its line (after `pub`/`pub(crate)`); "use " elsewhere is
        // text, e.g. inside a string.
        let line_start = rest[..at].rfind('\n').map_or(0, |n| n + 1);
        let lead = rest[line_start..at].trim();
        rest = &rest[at + 4..];
        if !(lead.is_empty() || lead.starts_with("pub")) {
            continue;
        }
        let end = rest.find(';').unwrap_or(rest.len());
        let tree: String = rest[..end].chars().filter(|c| !c.is_whitespace()).collect();
        for used in expand(&tree) {
            if let Some(resolved) = absolute(module, &used) {
                paths.push(resolved);
            }
        }
    }
    // Inline paths (`crate::web::ip::budget_key(..)`), not `$crate` in macros.
    for prefix in ["crate::", "super::"] {
        let mut rest = code.as_str();
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            let tail = &rest[at..];
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == ':') {
                continue;
            }
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            // `crate::oauth::{..}` of a `use` line: its items were read above.
            if tail[..end].ends_with("::") {
                continue;
            }
            if let Some(resolved) = absolute(module, &tail[..end]) {
                paths.push(resolved);
            }
        }
    }
    paths
        .into_iter()
        .filter_map(|p| {
            (1..=p.len())
                .rev()
                .map(|n| p[..n].to_vec())
                .find(|prefix| modules.contains(prefix))
        })
        .filter(|target| target != module)
        .collect()
}

/// The source without comments and without its `#[cfg(test)]` module.
fn code_of(source: &str) -> String {
    let source = source
        .find("#[cfg(test)]\nmod ")
        .map_or(source, |at| &source[..at]);
    source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .map(|line| line.split(" // ").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `a::{b::{self, c}, d}` -> `a::b::self`, `a::b::c`, `a::d`.
fn expand(tree: &str) -> Vec<String> {
    let Some(open) = tree.find('{') else {
        return vec![tree.to_string()];
    };
    let prefix = &tree[..open];
    let close = tree.rfind('}').filter(|&c| c > open).unwrap_or(tree.len());
    let inner = &tree[open + 1..close];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|part| !part.is_empty())
        .flat_map(|part| expand(&format!("{prefix}{part}")))
        .collect()
}

/// `crate::` / `super::` / `self::` paths as absolute module paths; other paths (external
/// crates, a `mod.rs` naming its own children) are `None`.
fn absolute(module: &Module, used: &str) -> Option<Module> {
    let mut segments = used.split("::").filter(|s| !s.is_empty());
    let mut base: Module = match segments.next()? {
        "crate" => Vec::new(),
        "self" => module.clone(),
        "super" => module[..module.len().checked_sub(1)?].to_vec(),
        _ => return None,
    };
    for segment in segments {
        match segment {
            "super" => {
                base.pop();
            }
            "self" | "*" => {}
            _ => base.push(segment.split(" as ").next().unwrap_or(segment).to_string()),
        }
    }
    Some(base)
}

/// Each import loop between files, as the files of one strongly connected component.
fn loops(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<String>> {
    // Two modules are in a loop when each reaches the other.
    let reach = |from: &Module| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(next) = todo.pop() {
            for to in edges.get(&next).into_iter().flatten() {
                if seen.insert(to.clone()) {
                    todo.push(to.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&Module, BTreeSet<Module>> =
        edges.keys().map(|m| (m, reach(m))).collect();
    let mut done = BTreeSet::new();
    let mut found = Vec::new();
    for (module, reached) in &reaches {
        if done.contains(*module) || !reached.contains(*module) {
            continue;
        }
        let component: Vec<Module> = reached
            .iter()
            .filter(|other| reaches.get(other).is_some_and(|r| r.contains(*module)))
            .cloned()
            .collect();
        done.extend(component.iter().cloned());
        found.push(component.iter().map(name).collect());
    }
    found
}
