//! A problem with a settings file, located as precisely as the file allows:
//! `FILE:LINE:COLUMN: FIELD: what is wrong`.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read the configuration: {source}")]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: {field}: {message}")]
    Invalid {
        file: PathBuf,
        line: usize,
        column: usize,
        field: String,
        message: String,
    },
}

impl ConfigError {
    /// The error for `field`, located at the start of `span` in `text` (line and column).
    pub fn at(
        file: &Path,
        text: &str,
        span: Option<Range<usize>>,
        field: impl fmt::Display,
        message: impl fmt::Display,
    ) -> ConfigError {
        let offset = span.map(|s| s.start).unwrap_or(0).min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        ConfigError::Invalid {
            file: file.to_owned(),
            line,
            column,
            field: field.to_string(),
            message: message.to_string(),
        }
    }
}

/// The file being checked, so that each section's check can blame a span of it.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub file: &'a Path,
    pub text: &'a str,
}

impl Source<'_> {
    /// The error for `field` at `span` (an empty span `0..0` means "the file").
    pub fn error(
        &self,
        span: Range<usize>,
        field: impl fmt::Display,
        message: impl fmt::Display,
    ) -> ConfigError {
        ConfigError::at(self.file, self.text, Some(span), field, message)
    }
}
