//! Reading archives from disk: the files under the paths given, each read
//! into a reused buffer, several files at once.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{parse_bytes, FileParse, ParseError};

/// Parses files on one thread per core (files are independent); results
/// come back in the order of `files`, so output does not depend on timing.
/// Each worker reuses one read buffer from file to file.
pub(super) fn parse_files_in_parallel(files: &[PathBuf]) -> Vec<Result<FileParse, ParseError>> {
    files
        .par_iter()
        .map_init(Vec::new, |buf, path| parse_file_with(path, buf))
        .collect()
}

/// The files to read: files as given, directories searched recursively for
/// `*.txt` in name order. A path given twice is read once.
pub fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ParseError> {
    let mut out: Vec<PathBuf> = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| ParseError::Read {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            let before = out.len();
            walk_txt(path, &mut out)?;
            if out.len() == before {
                return Err(ParseError::NoArchives { path: path.clone() });
            }
        } else if !out.contains(path) {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk_txt(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ParseError> {
    let read_err = |source| ParseError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(read_err)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(read_err)?;
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk_txt(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
            && !out.contains(&path)
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads and parses one archive; the file is named as `path` displays.
pub fn parse_file(path: &Path) -> Result<FileParse, ParseError> {
    parse_file_with(path, &mut Vec::new())
}

/// `parse_file` reading into `buf`, a buffer the caller reuses from file to
/// file: fresh memory for every file costs more in page faults than the
/// parse itself.
pub fn parse_file_with(path: &Path, buf: &mut Vec<u8>) -> Result<FileParse, ParseError> {
    use std::io::Read;
    let read_err = |source| ParseError::Read {
        path: path.to_path_buf(),
        source,
    };
    buf.clear();
    std::fs::File::open(path)
        .and_then(|mut f| {
            // Exactly the file's size: the default growth would double the
            // buffer, and peak memory counts in multiples of the largest file.
            let len = f.metadata()?.len();
            buf.reserve_exact(usize::try_from(len).unwrap_or(0));
            f.read_to_end(buf)
        })
        .map_err(read_err)?;
    Ok(parse_bytes(&path.display().to_string(), buf))
}
