//! `[backup]`: the nightly copy to a USB stick, if one is mounted at `usb_dir`, and how many
//! copies the stick keeps.

use crate::error::{ConfigError, Source};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSection {
    /// The stick's mount point (the box's image mounts a stick labelled BAOM-BACKUP there).
    #[serde(default)]
    pub usb_dir: Option<PathBuf>,
    /// How many nightly backups stay on the stick.
    #[serde(default = "default_keep")]
    pub keep: usize,
}

impl Default for BackupSection {
    fn default() -> Self {
        BackupSection {
            usb_dir: None,
            keep: default_keep(),
        }
    }
}

fn default_keep() -> usize {
    7
}

impl BackupSection {
    pub(crate) fn check(&self, src: Source) -> Result<(), ConfigError> {
        if self.keep == 0 {
            return Err(src.error(
                0..0,
                "backup.keep",
                "0 would delete each backup as soon as it is written: keep at least 1",
            ));
        }
        Ok(())
    }
}
