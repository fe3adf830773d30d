//! The file-system steps the store's commit protocol is made of: a durable
//! replace (temp file, fsync, rename), an fsync of the directory, and the lock
//! that keeps a second process out of a data directory.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Suffix of a file being written; such a file is never referenced by the
/// manifest, so a crash leaves at most a stray that the next open removes.
pub const TMP_SUFFIX: &str = ".tmp";

/// Writes `bytes` to `dir/name` so that, at any crash, `dir/name` is either absent
/// or old or complete: the bytes go to `dir/name.tmp`, which is fsynced and then
/// renamed over `dir/name`. The rename is durable only after [`sync_dir`].
pub fn replace(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let tmp = dir.join(format!("{name}{TMP_SUFFIX}"));
    let target = dir.join(name);
    let written = (|| -> std::io::Result<()> {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, &target)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp); // best effort: the next open removes it anyway
        return Err(e).with_context(|| format!("cannot write {}", target.display()));
    }
    Ok(())
}

/// Makes the directory's entries (renames, creations, removals) durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot fsync the directory {}", dir.display()))?;
    // Elsewhere a directory cannot be opened as a file; its metadata is journaled.
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Name of the lock file in a data directory.
pub const LOCK: &str = "LOCK";

/// An exclusive advisory lock on `dir/LOCK`, held as long as the returned file is
/// open. The operating system releases it when the process dies, even by SIGKILL,
/// so a crash never leaves a directory locked.
pub fn lock(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => anyhow::bail!(
            "{} is in use by another annlab process: wait for it to finish, or use another --data-dir",
            dir.display()
        ),
        Err(fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}
