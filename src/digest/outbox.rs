//! Digests as `.eml` files instead of mail: previews and dry runs.

use std::path::{Path, PathBuf};

use crate::fs::{write_atomic, FsError};

/// `address` as a file name: other characters than letters, digits and
/// `@.-_+` become `_`.
pub fn file_stem(address: &str) -> String {
    address
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@.-_+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `outbox/<period>/<address>.eml`, written atomically.
pub fn write_eml(
    dir: &Path,
    period: &super::period::Period,
    address: &str,
    bytes: &[u8],
) -> Result<PathBuf, FsError> {
    let name = file_stem(address);
    let path = dir.join(period.to_string()).join(format!("{name}.eml"));
    write_atomic(&path, bytes)?;
    Ok(path)
}
