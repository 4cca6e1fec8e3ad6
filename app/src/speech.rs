//! Spoken calls for the lobby ("Ticket A 7, desk 2"), generated on the box by espeak-ng (a
//! Debian package: no network, no cloud voice) and kept in memory. Only a ticket number and a
//! desk number are ever spoken: nothing personal.

use baom_domain::catalogue::DeskNo;
use baom_domain::language::Language;
use baom_domain::queue::TicketNumber;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    #[error("no voice for {0}")]
    NoVoice(Language),
    #[error("espeak-ng could not be run: {0}")]
    Engine(String),
}

/// How many spoken calls are kept; enough for a day's distinct calls at a busy office.
const CACHE_ENTRIES: usize = 512;

#[derive(Default)]
pub struct Speech {
    cache: Mutex<HashMap<(Language, TicketNumber, DeskNo), Vec<u8>>>,
}

/// What is said: the number without its leading zeros, which a voice reads badly.
pub fn call_text(language: Language, number: TicketNumber, desk: DeskNo) -> String {
    let spoken = format!("{} {}", number.letter, number.seq);
    crate::i18n::text(
        language,
        "speech-call",
        &[("number", &spoken), ("desk", &desk.to_string())],
    )
}

fn voice(language: Language) -> Result<&'static str, SpeechError> {
    match language {
        Language::Arabic => Ok("ar"),
        Language::French => Ok("fr"),
        Language::English => Ok("en"),
        // espeak-ng has no Tamazight voice; the lobby speaks Arabic and French.
        Language::Tamazight => Err(SpeechError::NoVoice(language)),
    }
}

impl Speech {
    /// A WAV file of the call.
    pub async fn call_wav(
        &self,
        language: Language,
        number: TicketNumber,
        desk: DeskNo,
    ) -> Result<Vec<u8>, SpeechError> {
        let key = (language, number, desk);
        if let Some(wav) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(wav);
        }
        let voice = voice(language)?;
        let run = tokio::process::Command::new("espeak-ng")
            .args([
                "-v",
                voice,
                "-s",
                "140",
                "--stdout",
                &call_text(language, number, desk),
            ])
            .kill_on_drop(true)
            .output();
        let out = tokio::time::timeout(Duration::from_secs(10), run)
            .await
            .map_err(|_| SpeechError::Engine("timed out".into()))?
            .map_err(|e| SpeechError::Engine(e.to_string()))?;
        if !out.status.success() || !out.stdout.starts_with(b"RIFF") {
            return Err(SpeechError::Engine(
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ));
        }
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_ENTRIES {
                cache.clear();
            }
            cache.insert(key, out.stdout.clone());
        }
        Ok(out.stdout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baom_domain::catalogue::Letter;

    #[test]
    fn calls_say_only_the_number_and_the_desk() {
        let number = TicketNumber {
            letter: Letter::new('A').expect("letter"),
            seq: 7,
        };
        assert_eq!(
            call_text(Language::French, number, DeskNo(2)),
            "Ticket A 7, guichet 2."
        );
        assert_eq!(
            call_text(Language::Arabic, number, DeskNo(2)),
            "التذكرة A 7، الشباك 2."
        );
        assert!(voice(Language::Tamazight).is_err());
    }
}
