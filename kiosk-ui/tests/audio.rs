//! Spoken prompts for real: espeak-ng makes the clip, aplay plays it on ALSA's `null` device
//! (the box has a speaker; a build machine has none). A recorded clip wins over the voice, and
//! Tamazight without a recorded clip stays silent rather than mispronounced.

use baom_kiosk::audio::{AudioSettings, Speaker};
use baom_kiosk::client::Language;
use baom_kiosk::flow::Screen;
use baom_kiosk::texts::texts;
use std::time::{Duration, Instant};

fn played_within(s: &Speaker, n: usize) -> Vec<(String, String, std::path::PathBuf)> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut all = Vec::new();
    while all.len() < n && Instant::now() < deadline {
        all.extend(s.played());
        std::thread::sleep(Duration::from_millis(20));
    }
    all
}

#[test]
fn prompts_are_generated_once_played_through_alsa_and_recorded_clips_win() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clips = dir.path().join("clips");
    std::fs::create_dir_all(&clips).expect("clips");
    // A recorded Tamazight clip for the profile screen: copy of a generated one, for the test.
    let speaker = Speaker::start(AudioSettings {
        device: "null".into(),
        clips: Some(clips.clone()),
        cache: dir.path().join("cache"),
    });
    let fr = texts(Language::French).prompt(Screen::Profile);
    speaker.say(Screen::Profile, Language::French, fr);
    let played = played_within(&speaker, 1);
    assert_eq!(
        played.len(),
        1,
        "espeak-ng and aplay are installed (.ci/setup)"
    );
    let (screen, lang, file) = &played[0];
    assert_eq!((screen.as_str(), lang.as_str()), ("profile", "fr"));
    let wav = std::fs::read(file).expect("generated clip");
    assert!(wav.starts_with(b"RIFF") && wav.len() > 4000, "a real WAV");

    // No Tamazight voice: silent until the commune records the clip.
    speaker.say(Screen::Profile, Language::Tamazight, "ⵎⴰⵏ ⵜⴳⵉⴷ?");
    std::thread::sleep(Duration::from_millis(500));
    assert!(speaker.played().is_empty());
    std::fs::write(clips.join("profile-zgh.wav"), &wav).expect("record");
    speaker.say(Screen::Profile, Language::Tamazight, "ⵎⴰⵏ ⵜⴳⵉⴷ?");
    let played = played_within(&speaker, 1);
    assert_eq!(played[0].2, clips.join("profile-zgh.wav"));
    speaker.stop();
}
