//! `--impl matrix-sdk-crypto@VERSION`: the matrix-sdk-crypto adapter programs this repository
//! builds (`adapters/matrix-sdk-crypto` for 0.18.0, `adapters/matrix-sdk-crypto-0.19` for 0.19.1,
//! and on demand `adapters/matrix-sdk-crypto-0.17` and `-0.16` for the older releases 0.17.0 and
//! 0.16.0),
//! found on disk and run through the adapter protocol like any `cmd:` adapter. The CLI does not
//! link matrix-sdk-crypto and does not build them: when a program is missing it says which
//! `cargo build` makes it.

use std::path::{Path, PathBuf};

/// The workspace root of this checkout.
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// One matrix-sdk-crypto version with an adapter program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CryptoAdapter {
    /// The matrix-sdk-crypto version (`--impl matrix-sdk-crypto@<version>`).
    pub version: &'static str,
    /// The name it is reported under, which also names its expected-failures list.
    pub name: &'static str,
    /// The program's file name.
    pub binary: &'static str,
    /// Its own target directory, relative to the workspace, when it is not the workspace's.
    pub own_target: Option<&'static str>,
    /// The command (run in the workspace root) that builds it.
    pub build: &'static str,
    /// Whether CI builds and runs it (`scripts/test.sh`, `.ci/run`); the others are built on
    /// demand, for `docs/versions.md`.
    pub ci: bool,
}

/// Every version with an adapter program; the first is what `matrix-sdk-crypto` alone means.
pub const CRYPTO_ADAPTERS: [CryptoAdapter; 4] = [
    CryptoAdapter {
        version: "0.18.0",
        name: "matrix-sdk-crypto",
        binary: "msc4268-adapter-matrix-sdk-crypto-0-18",
        own_target: None,
        build: "cargo build -p msc4268-adapter-matrix-sdk-crypto",
        ci: true,
    },
    CryptoAdapter {
        version: "0.19.1",
        name: "matrix-sdk-crypto@0.19.1",
        binary: "msc4268-adapter-matrix-sdk-crypto-0-19",
        own_target: Some("adapters/matrix-sdk-crypto-0.19/target"),
        build: "cargo build --ignore-rust-version --manifest-path adapters/matrix-sdk-crypto-0.19/Cargo.toml",
        ci: true,
    },
    CryptoAdapter {
        version: "0.17.0",
        name: "matrix-sdk-crypto@0.17.0",
        binary: "msc4268-adapter-matrix-sdk-crypto-0-17",
        own_target: Some("adapters/matrix-sdk-crypto-0.17/target"),
        build: "cargo build --manifest-path adapters/matrix-sdk-crypto-0.17/Cargo.toml",
        ci: false,
    },
    CryptoAdapter {
        version: "0.16.0",
        name: "matrix-sdk-crypto@0.16.0",
        binary: "msc4268-adapter-matrix-sdk-crypto-0-16",
        own_target: Some("adapters/matrix-sdk-crypto-0.16/target"),
        build: "cargo build --manifest-path adapters/matrix-sdk-crypto-0.16/Cargo.toml",
        ci: false,
    },
];

/// The adapter `spec` (`matrix-sdk-crypto` or `matrix-sdk-crypto@<version>`) names, if any.
pub fn resolve(spec: &str) -> Option<&'static CryptoAdapter> {
    match spec.strip_prefix("matrix-sdk-crypto") {
        Some("") => CRYPTO_ADAPTERS.first(),
        Some(rest) => {
            let version = rest.strip_prefix('@')?;
            CRYPTO_ADAPTERS.iter().find(|a| a.version == version)
        }
        None => None,
    }
}

/// The versions `--impl matrix-sdk-crypto@…` accepts, for messages.
pub fn versions() -> String {
    CRYPTO_ADAPTERS
        .iter()
        .map(|a| format!("matrix-sdk-crypto@{}", a.version))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where the program may be: next to the running `msc4268` (its own target directory, or the
/// `bin` directory both were installed into), `$CARGO_TARGET_DIR`, the workspace's `target/`,
/// and the adapter's own target directory; release and debug builds.
fn candidates(adapter: &CryptoAdapter) -> Vec<PathBuf> {
    let file = format!("{}{}", adapter.binary, std::env::consts::EXE_SUFFIX);
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        dirs.push(dir);
    }
    let mut targets: Vec<PathBuf> = Vec::new();
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
        targets.push(PathBuf::from(t));
    }
    targets.push(Path::new(WORKSPACE).join("target"));
    if let Some(own) = adapter.own_target {
        targets.push(Path::new(WORKSPACE).join(own));
    }
    for t in targets {
        dirs.push(t.join("release"));
        dirs.push(t.join("debug"));
    }
    dirs.into_iter().map(|d| d.join(&file)).collect()
}

/// The adapter program: the most recently built of the candidates, or why there is none.
pub fn locate(adapter: &CryptoAdapter) -> Result<PathBuf, String> {
    let searched = candidates(adapter);
    searched
        .iter()
        .filter_map(|p| {
            let modified = std::fs::metadata(p).and_then(|m| m.modified()).ok()?;
            Some((modified, p))
        })
        .max_by_key(|(modified, _)| *modified)
        .map(|(_, p)| p.clone())
        .ok_or_else(|| {
            format!(
                "the matrix-sdk-crypto {} adapter program `{}` is not built; build it in {} with\n  {}\nsearched:\n{}",
                adapter.version,
                adapter.binary,
                Path::new(WORKSPACE)
                    .canonicalize()
                    .unwrap_or_else(|_| PathBuf::from(WORKSPACE))
                    .display(),
                adapter.build,
                searched
                    .iter()
                    .map(|p| format!("  {}", p.display()))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })
}

/// `path` as one word of an adapter command line.
pub fn command_line(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions_resolve() {
        assert_eq!(
            resolve("matrix-sdk-crypto").map(|a| a.version),
            Some("0.18.0")
        );
        assert_eq!(
            resolve("matrix-sdk-crypto@0.18.0").map(|a| a.name),
            Some("matrix-sdk-crypto")
        );
        assert_eq!(
            resolve("matrix-sdk-crypto@0.19.1").map(|a| a.name),
            Some("matrix-sdk-crypto@0.19.1")
        );
        assert_eq!(resolve("matrix-sdk-crypto@0.1.0"), None);
        assert_eq!(resolve("matrix-sdk-crypto-0.19.1"), None);
        assert_eq!(resolve("reference"), None);
    }

    #[test]
    fn a_missing_program_names_its_build_command() {
        let fake = CryptoAdapter {
            binary: "msc4268-no-such-adapter",
            ..CRYPTO_ADAPTERS[1]
        };
        let e = locate(&fake).unwrap_err();
        assert!(e.contains(CRYPTO_ADAPTERS[1].build), "{e}");
        assert!(e.contains("msc4268-no-such-adapter"), "{e}");
    }
}
