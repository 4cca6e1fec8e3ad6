//! Spoken prompts, played through ALSA (`aplay`), on their own thread so the screen never waits.
//!
//! A prompt is a recorded clip `<clips>/<screen>-<language>.wav` when the commune has one (the
//! only way to have Tachelhit spoken: espeak-ng has no Tamazight voice), otherwise it is
//! generated once with espeak-ng from the screen's own sentence and cached. A new prompt cuts
//! the one playing; leaving the screen stops it. Without a player or a voice the kiosk stays
//! silent and says so in its log, nothing else changes.

use crate::client::Language;
use crate::flow::Screen;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, Sender, channel};

#[derive(Debug, Clone)]
pub struct AudioSettings {
    /// The ALSA device for `aplay -D` (`default` on the box, `null` in tests).
    pub device: String,
    /// Recorded clips, if any.
    pub clips: Option<PathBuf>,
    /// Where generated prompts are cached.
    pub cache: PathBuf,
}

enum Order {
    Say {
        screen: Screen,
        language: Language,
        text: String,
    },
    Stop,
}

/// The handle the UI thread keeps; the player lives on its own thread.
pub struct Speaker {
    orders: Sender<Order>,
    /// What was played, for the log and the tests: `(screen id, language code, file)`.
    played: Receiver<(String, String, PathBuf)>,
}

impl Speaker {
    pub fn start(settings: AudioSettings) -> Speaker {
        let (orders, rx) = channel();
        let (played_tx, played) = channel();
        std::thread::Builder::new()
            .name("kiosk-audio".into())
            .spawn(move || player(settings, rx, played_tx))
            .expect("spawn the audio thread");
        Speaker { orders, played }
    }

    pub fn say(&self, screen: Screen, language: Language, text: &str) {
        let _ = self.orders.send(Order::Say {
            screen,
            language,
            text: text.to_owned(),
        });
    }

    pub fn stop(&self) {
        let _ = self.orders.send(Order::Stop);
    }

    /// Prompts played since the last call.
    pub fn played(&self) -> Vec<(String, String, PathBuf)> {
        self.played.try_iter().collect()
    }
}

fn voice(l: Language) -> Option<&'static str> {
    match l {
        Language::Arabic => Some("ar"),
        Language::French => Some("fr"),
        Language::English => Some("en"),
        Language::Tamazight => None,
    }
}

fn player(
    settings: AudioSettings,
    orders: Receiver<Order>,
    played: Sender<(String, String, PathBuf)>,
) {
    let mut current: Option<Child> = None;
    let stop = |c: &mut Option<Child>| {
        if let Some(mut child) = c.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    };
    for order in orders {
        stop(&mut current);
        let Order::Say {
            screen,
            language,
            text,
        } = order
        else {
            continue;
        };
        let name = format!("{}-{}.wav", screen.id(), language.code());
        let clip = settings
            .clips
            .as_ref()
            .map(|d| d.join(&name))
            .filter(|p| p.exists());
        let file = match clip {
            Some(p) => p,
            None => {
                let Some(v) = voice(language) else {
                    eprintln!(
                        "baom-kiosk: no recorded clip {name} and no voice for {}",
                        language.code()
                    );
                    continue;
                };
                let cached = settings.cache.join(&name);
                if !cached.exists() {
                    let _ = std::fs::create_dir_all(&settings.cache);
                    let made = Command::new("espeak-ng")
                        .args(["-v", v, "-s", "140", "-w"])
                        .arg(&cached)
                        .arg(&text)
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status();
                    if !made.is_ok_and(|s| s.success()) {
                        eprintln!("baom-kiosk: espeak-ng could not make {name}");
                        let _ = std::fs::remove_file(&cached);
                        continue;
                    }
                }
                cached
            }
        };
        match Command::new("aplay")
            .args(["-q", "-D", &settings.device])
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(child) => {
                current = Some(child);
                let _ = played.send((screen.id().to_owned(), language.code().to_owned(), file));
            }
            Err(e) => eprintln!("baom-kiosk: cannot run aplay: {e}"),
        }
    }
    stop(&mut current);
}
