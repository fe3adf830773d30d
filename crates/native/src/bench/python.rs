//! Which Python interpreter measures the Python peers (numpy for `bench flat`,
//! hnswlib and faiss for `bench index`): the one `--python` names, else the
//! project's pinned peers venv when it exists (`./x peers` makes it, from
//! `crates/native/bench-peers.txt`), else none (`--no-python` says none).

use std::path::{Path, PathBuf};

use clap::Args;

/// Where `./x peers` puts its venv, relative to the repository root.
pub const PEERS_VENV_PYTHON: &str = "target/peers-venv/bin/python";

#[derive(Args, Debug, Clone, Default)]
pub struct PythonArgs {
    /// A Python interpreter with the peers (numpy; hnswlib and/or faiss-cpu for
    /// `bench index`). Without it, `target/peers-venv/bin/python` is used when it
    /// exists (`./x peers` installs it from `crates/native/bench-peers.txt`).
    #[arg(long)]
    pub python: Option<PathBuf>,
    /// Measure no Python peer, even when the peers venv exists.
    #[arg(long, conflicts_with = "python")]
    pub no_python: bool,
}

impl PythonArgs {
    /// The interpreter to run, looking for the peers venv under `root`.
    pub fn resolve(&self, root: &Path) -> Option<PathBuf> {
        if self.no_python {
            return None;
        }
        if let Some(p) = &self.python {
            return Some(p.clone());
        }
        let found = root.join(PEERS_VENV_PYTHON);
        found.is_file().then_some(found)
    }

    /// [`Self::resolve`] from the current directory, saying what it found.
    pub fn interpreter(&self) -> Option<PathBuf> {
        let found = self.resolve(Path::new("."));
        if self.python.is_none()
            && let Some(p) = &found
        {
            eprintln!("Python peers: {} (found; --no-python to skip)", p.display());
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_then_found_then_none() {
        let dir = std::env::temp_dir().join(format!("annlab-py-{}", std::process::id()));
        let given = PythonArgs {
            python: Some("/usr/bin/python3".into()),
            no_python: false,
        };
        assert_eq!(given.resolve(&dir), Some("/usr/bin/python3".into()));
        let auto = PythonArgs::default();
        assert_eq!(auto.resolve(&dir), None, "no venv yet");
        let py = dir.join(PEERS_VENV_PYTHON);
        std::fs::create_dir_all(py.parent().unwrap()).unwrap();
        std::fs::write(&py, "").unwrap();
        assert_eq!(auto.resolve(&dir), Some(py));
        let none = PythonArgs {
            python: None,
            no_python: true,
        };
        assert_eq!(none.resolve(&dir), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
