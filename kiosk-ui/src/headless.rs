//! A Slint platform without a screen: one software-rendered window in memory, for the snapshots,
//! the flow tests and the bench. The box uses `linuxkms` instead; the drawing code is the same
//! software renderer.

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{PhysicalSize, PlatformError};
use std::rc::Rc;
use std::time::{Duration, Instant};

pub struct Headless {
    window: Rc<MinimalSoftwareWindow>,
    start: Instant,
}

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }
    fn duration_since_start(&self) -> Duration {
        self.start.elapsed()
    }
}

/// Installs the headless platform on this thread and returns its window.
pub fn install(width: u32, height: u32) -> Result<Rc<MinimalSoftwareWindow>, PlatformError> {
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    window.set_size(PhysicalSize::new(width, height));
    slint::platform::set_platform(Box::new(Headless {
        window: window.clone(),
        start: Instant::now(),
    }))
    .map_err(|e| PlatformError::Other(format!("cannot install the headless platform: {e}")))?;
    Ok(window)
}

/// Renders the window as it is now and encodes it as PNG.
pub fn snapshot_png(window: &slint::Window) -> Result<Vec<u8>, anyhow::Error> {
    slint::platform::update_timers_and_animations();
    let shot = window.take_snapshot()?;
    let (w, h) = (shot.width(), shot.height());
    anyhow::ensure!(w > 0 && h > 0, "the window rendered nothing");
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(shot.as_bytes())?;
    writer.finish()?;
    Ok(out)
}
