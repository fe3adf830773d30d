//! Reading `.fvecs` / `.ivecs` files (SIFT1M, GIST, the peers' `gen_data.py`): the
//! bytes are parsed by `annlab_core::vecs`; this module adds the file and its name
//! to every message.

use std::path::Path;

pub use annlab_core::vecs::Vecs;
use anyhow::{Context, bail};

/// Reads an `.fvecs` file; values must be finite.
pub fn read_fvecs(path: &Path) -> anyhow::Result<Vecs<f32>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    annlab_core::vecs::parse_fvecs(&bytes).with_context(|| path.display().to_string())
}

/// Reads an `.ivecs` file; values must be non-negative (row ids).
pub fn read_ivecs(path: &Path) -> anyhow::Result<Vecs<i32>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let v = annlab_core::vecs::parse_ivecs(&bytes).with_context(|| path.display().to_string())?;
    if let Some(p) = v.data.iter().position(|&id| id < 0) {
        bail!(
            "{}: malformed vecs file at byte {}: negative id {} (ground-truth files hold row ids)",
            path.display(),
            v.offset(p / v.dim, p % v.dim),
            v.data[p]
        );
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_errors_name_the_file_and_the_byte() {
        let dir = std::env::temp_dir().join(format!("annlab-fvecs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.fvecs");
        std::fs::write(&good, annlab_core::vecs::to_fvecs(2, &[1.0, 2.0, 3.0, 4.0])).unwrap();
        assert_eq!(read_fvecs(&good).unwrap().rows(), 2);
        let bad = dir.join("bad.fvecs");
        let mut bytes = annlab_core::vecs::to_fvecs(2, &[1.0, 2.0]);
        bytes.push(0);
        std::fs::write(&bad, bytes).unwrap();
        let msg = format!("{:#}", read_fvecs(&bad).unwrap_err());
        assert!(
            msg.contains("bad.fvecs") && msg.contains("at byte 12"),
            "{msg}"
        );
        let ids = dir.join("gt.ivecs");
        std::fs::write(&ids, annlab_core::vecs::to_ivecs(2, &[0, -3])).unwrap();
        let msg = format!("{:#}", read_ivecs(&ids).unwrap_err());
        assert!(
            msg.contains("gt.ivecs") && msg.contains("negative id -3"),
            "{msg}"
        );
        assert!(
            format!("{:#}", read_fvecs(&dir.join("missing.fvecs")).unwrap_err())
                .contains("cannot read")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
