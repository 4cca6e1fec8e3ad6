//! `baom-kiosk`: the lobby kiosk. See `lib.rs` and README's "Interfaces".

use anyhow::{Context, Result, bail};
use baom_kiosk::audio::{AudioSettings, Speaker};
use baom_kiosk::client::Client;
use baom_kiosk::kiosk::Kiosk;
use baom_kiosk::{App, headless, snapshot};
use clap::Parser;
use slint::ComponentHandle;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "baom-kiosk",
    version,
    about = "The BAOM lobby kiosk (touch screen)"
)]
struct Cli {
    /// The service's kiosk socket (`kiosk.sock` in its data directory).
    #[arg(long, value_name = "PATH", default_value = "/var/lib/baom/kiosk.sock")]
    socket: PathBuf,
    /// Window size, WIDTHxHEIGHT (800x480 and 1280x800 are the designed sizes). On the box the
    /// screen's own size is used.
    #[arg(long, value_name = "WxH", default_value = "800x480", value_parser = size)]
    size: (u32, u32),
    /// Render every screen in every language to PNG files in DIR (at 800x480 and 1280x800,
    /// or only at --size if given explicitly), then exit. Needs the service for its catalogue.
    #[arg(long, value_name = "DIR")]
    snapshot_dir: Option<PathBuf>,
    /// Run without a screen for SECONDS on the software renderer, printing when the first
    /// frame was drawn (the bench uses this), then exit.
    #[arg(long, value_name = "SECONDS")]
    headless: Option<f64>,
    /// ALSA device for the spoken prompts.
    #[arg(long, value_name = "DEVICE", default_value = "default")]
    audio_device: String,
    /// Recorded prompts, `<screen>-<language>.wav` (the Tamazight prompts must be recorded).
    #[arg(long, value_name = "DIR")]
    clips: Option<PathBuf>,
    /// No spoken prompts.
    #[arg(long)]
    mute: bool,
}

fn size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s.split_once('x').ok_or("use WIDTHxHEIGHT, e.g. 800x480")?;
    let (w, h): (u32, u32) = (
        w.parse().map_err(|_| "width is not a number")?,
        h.parse().map_err(|_| "height is not a number")?,
    );
    if !(320..=4096).contains(&w) || !(240..=4096).contains(&h) {
        return Err("the size must be between 320x240 and 4096x4096".into());
    }
    Ok((w, h))
}

fn main() -> Result<()> {
    let started = Instant::now();
    let cli = Cli::parse();
    let client = Client::new(&cli.socket);

    if let Some(dir) = &cli.snapshot_dir {
        let explicit = std::env::args().any(|a| a.starts_with("--size"));
        let sizes = if explicit {
            vec![cli.size]
        } else {
            vec![(800, 480), (1280, 800)]
        };
        let window = headless::install(sizes[0].0, sizes[0].1)?;
        let app = App::new()?;
        app.show()?;
        let catalogue = client.catalogue().with_context(|| {
            format!(
                "snapshots need the service's catalogue from {}",
                cli.socket.display()
            )
        })?;
        let files = snapshot::render_all(&app, &window, &catalogue, &sizes, dir)?;
        println!("{} screens rendered in {}", files.len(), dir.display());
        return Ok(());
    }

    let speaker = (!cli.mute).then(|| {
        Speaker::start(AudioSettings {
            device: cli.audio_device.clone(),
            clips: cli.clips.clone(),
            cache: std::env::temp_dir().join("baom-kiosk-prompts"),
        })
    });

    if let Some(seconds) = cli.headless {
        if !(0.0..=3600.0).contains(&seconds) {
            bail!("--headless takes 0 to 3600 seconds");
        }
        let window = headless::install(cli.size.0, cli.size.1)?;
        let app = App::new()?;
        app.show()?;
        let kiosk = Kiosk::new(app, client, speaker);
        let mut first = None;
        let mut buffer = vec![
            slint::platform::software_renderer::Rgb565Pixel::default();
            (cli.size.0 * cli.size.1) as usize
        ];
        while started.elapsed() < Duration::from_secs_f64(seconds) || first.is_none() {
            kiosk.pump();
            slint::platform::update_timers_and_animations();
            window.draw_if_needed(|r| {
                r.render(&mut buffer, cli.size.0 as usize);
            });
            if first.is_none() {
                first = Some(started.elapsed());
                println!("first frame after {} ms", started.elapsed().as_millis());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        println!("screen: {}", kiosk.flow().screen.id());
        return Ok(());
    }

    let app = App::new()?;
    app.window().set_size(slint::LogicalSize::new(
        cli.size.0 as f32,
        cli.size.1 as f32,
    ));
    let kiosk = Rc::new(Kiosk::new(app, client, speaker));
    let _timer = kiosk.start_timer(Duration::from_millis(200));
    kiosk.app().run()?;
    Ok(())
}
