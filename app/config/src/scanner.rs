//! `[scanner]`: the SANE device (none: no scanning), its resolution and options, the time one
//! page may take, and the `scanimage` program.

use serde::Deserialize;
use std::path::PathBuf;

/// `[scanner]` in the configuration. Without `device`, scanning is off.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScannerSettings {
    /// A SANE device name, as `scanimage -L` lists it (`test` for SANE's test backend).
    pub device: Option<String>,
    /// Dots per inch. 100 to 300 is enough for papers read on screen.
    #[serde(default = "default_resolution")]
    pub resolution: u32,
    /// Extra `scanimage` options for this device, each starting with `--` (e.g. `--mode`, `Color`).
    #[serde(default)]
    pub options: Vec<String>,
    /// How long one page may take.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    /// The `scanimage` program.
    #[serde(default = "default_program")]
    pub program: PathBuf,
}

fn default_resolution() -> u32 {
    150
}
fn default_timeout() -> u64 {
    90
}
fn default_program() -> PathBuf {
    PathBuf::from("scanimage")
}

impl Default for ScannerSettings {
    fn default() -> Self {
        ScannerSettings {
            device: None,
            resolution: default_resolution(),
            options: Vec::new(),
            timeout_seconds: default_timeout(),
            program: default_program(),
        }
    }
}

impl ScannerSettings {
    /// Checks what the configuration file cannot: returns a sentence naming the problem.
    pub fn check(&self) -> Result<(), String> {
        if let Some(d) = &self.device
            && (d.is_empty() || d.starts_with('-') || d.chars().any(char::is_control))
        {
            return Err(format!("device = {d:?} is not a SANE device name"));
        }
        if !(50..=1200).contains(&self.resolution) {
            return Err(format!(
                "resolution = {} must be between 50 and 1200 dpi",
                self.resolution
            ));
        }
        if self.timeout_seconds == 0 || self.timeout_seconds > 600 {
            return Err("timeout_seconds must be between 1 and 600".into());
        }
        for o in &self.options {
            if ["-d", "--device-name", "--format", "-o", "--output-file"]
                .iter()
                .any(|f| o == f || o.starts_with(&format!("{f}=")))
            {
                return Err(format!(
                    "options may not set {o:?}: the service chooses the device and the format"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_refuse_options_that_would_redirect_the_scan() {
        let mut s = ScannerSettings {
            device: Some("test".into()),
            ..ScannerSettings::default()
        };
        assert!(s.check().is_ok());
        s.options = vec!["--output-file=/etc/passwd".into()];
        assert!(s.check().unwrap_err().contains("--output-file"));
        s.options = vec!["--mode".into(), "Color".into()];
        assert!(s.check().is_ok());
        s.device = Some("--help".into());
        assert!(s.check().is_err());
        s.device = Some("test".into());
        s.resolution = 5000;
        assert!(s.check().is_err());
    }
}
