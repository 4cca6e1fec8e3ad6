//! Every screen in every language renders, headless, on the software renderer, at both designed
//! sizes: the real `baom-kiosk --snapshot-dir` against the real service's catalogue. A screen
//! that fails to render, renders blank, or is missing fails here. (`docs/kiosk/` holds the
//! pictures committed from the same command.)

use baom_e2e::{Baom, bin_dir};
use std::path::Path;
use std::process::Command;

/// Screens per language (12 screens, "one moment", printer failure) and the start screen once.
const PER_LANGUAGE: usize = 13;

fn check_png(file: &Path, width: u32, height: u32) {
    let bytes = std::fs::read(file).expect("read png");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a png");
    let mut data = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut data).expect("pixels");
    assert_eq!(
        (info.width, info.height),
        (width, height),
        "{}",
        file.display()
    );
    // Not blank: a screen has text, pictograms and surfaces, so many distinct colours.
    let mut colours: Vec<&[u8]> = data[..info.buffer_size()].chunks_exact(4).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() > 20,
        "{} looks blank ({} colours)",
        file.display(),
        colours.len()
    );
}

#[test]
fn every_screen_renders_in_every_language_at_800x480_and_1280x800() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(&dir.path().join("data"));
    let kiosk = bin_dir().join("baom-kiosk");
    assert!(
        kiosk.exists(),
        "build the binaries first (cargo build --workspace --bins)"
    );
    let out = dir.path().join("shots");
    // One process per size, side by side.
    let runs: Vec<_> = ["800x480", "1280x800"]
        .iter()
        .map(|size| {
            Command::new(&kiosk)
                .args(["--socket", baom_e2e::path_str(&baom.socket), "--size", size])
                .arg("--snapshot-dir")
                .arg(&out)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .map(|child| (size, child))
        })
        .collect();
    for run in runs {
        let (size, child) = run.expect("run baom-kiosk");
        let o = child.wait_with_output().expect("wait");
        assert!(
            o.status.success(),
            "{size}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let (w, h) = size.split_once('x').expect("size");
        let (w, h): (u32, u32) = (w.parse().expect("w"), h.parse().expect("h"));
        let root = out.join(size);
        check_png(&root.join("01-language.png"), w, h);
        for language in ["ar", "zgh", "fr", "en"] {
            let files: Vec<_> = std::fs::read_dir(root.join(language))
                .expect("language folder")
                .map(|e| e.expect("entry").path())
                .collect();
            assert_eq!(files.len(), PER_LANGUAGE, "{size} {language}");
            for f in files {
                check_png(&f, w, h);
            }
        }
    }

    // Without the service there is no catalogue to show: a clear error, not an empty picture.
    drop(baom);
    let o = Command::new(&kiosk)
        .args(["--socket", "/nonexistent/kiosk.sock", "--snapshot-dir"])
        .arg(dir.path().join("none"))
        .output()
        .expect("run");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("catalogue"));
}
