//! Writing the box's private files (keys, the configuration, sealed scans): readable by their
//! owner only, and atomic: a temporary file is written and synced, renamed over the target, and
//! the directory synced, so after a power cut the file is either the old one or the new one,
//! whole. The service and provisioning both write through here.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

/// Writes `bytes` to `path`, mode 0600, atomically and durably. The directory is created (mode
/// 0700) if it is missing.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !folder.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder)?;
    }
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other(format!("{} is not a file", path.display())))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(".tmp");
    let tmp = folder.join(tmp_name);
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(folder)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_private_file_is_whole_owner_only_and_replaces_the_old_one() {
        let dir = std::env::temp_dir().join(format!("baom-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("keys/server.key");
        write_private(&path, b"first").expect("write");
        write_private(&path, b"second").expect("replace");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.join("keys")), 0o700);
        // No temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(dir.join("keys"))
            .expect("list")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("server.key")]);
        // A directory in the way is an error, not a half-written file.
        assert!(write_private(&dir.join("keys"), b"x").is_err());
        std::fs::remove_dir_all(&dir).expect("clean");
    }
}
