//! The kiosk at run time: wires the Slint window to the [`Flow`], carries the flow's effects out
//! (socket requests on a worker thread, prompts on the audio thread) and shows each new state.
//!
//! Nothing here decides anything: touches become [`Touch`]es through `view::touch_of`, answers
//! become [`Input`]s, and the screen is `view::view(&flow)` copied into the window.

use crate::client::{Client, ClientError};
use crate::flow::{Effect, Flow, Input};
use crate::images;
use crate::texts::texts;
use crate::view::{self, TileView, View};
use crate::{App, Tile, Ui};
use slint::{ComponentHandle, Image, Model, ModelRc, Rgba8Pixel, SharedPixelBuffer, VecModel};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

/// What the worker sends back: the flow's input, and the pixels of a new scan if any.
struct Answer {
    input: Input,
    preview: Option<SharedPixelBuffer<Rgba8Pixel>>,
}

struct State {
    flow: Flow,
    start: Instant,
    /// Added to the real clock (the tests' way to let 45 s pass at once).
    skipped: Duration,
    requests: Sender<Effect>,
    answers: Receiver<Answer>,
    speaker: Option<crate::audio::Speaker>,
    preview: Option<Image>,
    qr: Option<(String, Image)>,
    shown: Option<View>,
}

impl State {
    fn now(&self) -> Duration {
        self.start.elapsed() + self.skipped
    }
}

/// A running kiosk: the window and its state.
pub struct Kiosk {
    app: App,
    state: Rc<RefCell<State>>,
}

impl Kiosk {
    /// Wires `app` to the service at `client`, starts the worker, and shows the start screen.
    pub fn new(app: App, client: Client, speaker: Option<crate::audio::Speaker>) -> Kiosk {
        let (requests, work) = channel::<Effect>();
        let (answer_tx, answers) = channel::<Answer>();
        std::thread::Builder::new()
            .name("kiosk-requests".into())
            .spawn(move || worker(client, work, answer_tx))
            .expect("spawn the request thread");
        let flow = Flow::new(Duration::ZERO);
        let state = Rc::new(RefCell::new(State {
            flow,
            start: Instant::now(),
            skipped: Duration::ZERO,
            requests,
            answers,
            speaker,
            preview: None,
            qr: None,
            shown: None,
        }));
        let kiosk = Kiosk { app, state };
        let start = kiosk.state.borrow().flow.start();
        kiosk.run(start);

        let weak = Rc::downgrade(&kiosk.state);
        let app_weak = kiosk.app.as_weak();
        let on_id = move |id: &str| {
            let (Some(state), Some(app)) = (weak.upgrade(), app_weak.upgrade()) else {
                return;
            };
            let Some(touch) = view::touch_of(id) else {
                return;
            };
            let effects = {
                let mut s = state.borrow_mut();
                let now = s.now();
                s.flow.handle(Input::Touch(touch), now)
            };
            carry_out(&state, effects);
            render(&app, &state);
        };
        let on_id = Rc::new(on_id);
        let f = on_id.clone();
        kiosk.app.on_tile_clicked(move |id| f(&id));
        let f = on_id.clone();
        kiosk.app.on_action(move |id| f(&id));
        let f = on_id.clone();
        kiosk.app.on_back(move || f("back"));
        let f = on_id;
        kiosk.app.on_listen(move || f("listen"));
        // The barcode reader types the slip's QR code as a line: check the appointment in.
        let weak = Rc::downgrade(&kiosk.state);
        let app_weak = kiosk.app.as_weak();
        kiosk.app.on_code_read(move |code| {
            let (Some(state), Some(app)) = (weak.upgrade(), app_weak.upgrade()) else {
                return;
            };
            let effects = {
                let mut s = state.borrow_mut();
                let now = s.now();
                s.flow.handle(Input::CodeRead(code.to_string()), now)
            };
            carry_out(&state, effects);
            render(&app, &state);
        });
        render(&kiosk.app, &kiosk.state);
        kiosk
    }

    pub fn app(&self) -> &App {
        &self.app
    }

    /// The flow's state now (a copy), for tests and logs.
    pub fn flow(&self) -> Flow {
        self.state.borrow().flow.clone()
    }

    /// Lets `d` pass at once on the flow's clock.
    pub fn skip_time(&self, d: Duration) {
        self.state.borrow_mut().skipped += d;
    }

    /// Takes the service's answers in, lets time pass, and shows the result. Called by a timer.
    pub fn pump(&self) {
        loop {
            let answer = self.state.borrow().answers.try_recv();
            let Ok(answer) = answer else { break };
            let effects = {
                let mut s = self.state.borrow_mut();
                if let Some(pixels) = answer.preview {
                    s.preview = Some(Image::from_rgba8(pixels));
                }
                let now = s.now();
                s.flow.handle(answer.input, now)
            };
            self.run(effects);
        }
        let effects = {
            let mut s = self.state.borrow_mut();
            let now = s.now();
            s.flow.handle(Input::Tick, now)
        };
        self.run(effects);
        render(&self.app, &self.state);
    }

    /// Pumps every `every` while the returned timer lives.
    pub fn start_timer(self: &Rc<Self>, every: Duration) -> slint::Timer {
        let timer = slint::Timer::default();
        let me = Rc::downgrade(self);
        timer.start(slint::TimerMode::Repeated, every, move || {
            if let Some(k) = me.upgrade() {
                k.pump();
            }
        });
        timer
    }

    fn run(&self, effects: Vec<Effect>) {
        carry_out(&self.state, effects);
    }

    /// Prompts the audio thread played, for tests.
    pub fn played(&self) -> Vec<(String, String, std::path::PathBuf)> {
        self.state
            .borrow()
            .speaker
            .as_ref()
            .map(|s| s.played())
            .unwrap_or_default()
    }
}

fn carry_out(state: &Rc<RefCell<State>>, effects: Vec<Effect>) {
    let mut s = state.borrow_mut();
    for e in effects {
        match e {
            Effect::Speak { screen, language } => {
                if let Some(sp) = &s.speaker {
                    sp.say(screen, language, texts(language).prompt(screen));
                }
            }
            Effect::StopSpeaking => {
                s.preview = None;
                if let Some(sp) = &s.speaker {
                    sp.stop();
                }
            }
            other => {
                let _ = s.requests.send(other);
            }
        }
    }
}

/// Carries out requests to the service, one at a time, and answers with flow inputs.
fn worker(client: Client, work: Receiver<Effect>, answers: Sender<Answer>) {
    let down_or_refused = |e: ClientError| {
        if e.is_transient() {
            Input::ServiceDown
        } else {
            eprintln!("baom-kiosk: {e}");
            Input::Refused {
                code: e.code().to_owned(),
            }
        }
    };
    for effect in work {
        let mut preview = None;
        let input = match effect {
            Effect::LoadCatalogue => match client.catalogue() {
                Ok(c) => Input::Catalogue(c),
                Err(e) if e.is_transient() => Input::ServiceDown,
                Err(e) => {
                    eprintln!("baom-kiosk: catalogue: {e}");
                    continue;
                }
            },
            Effect::ReadPrinter => match client.printer() {
                Ok(p) => Input::Printer(p),
                Err(_) => continue, // unknown stays unknown; the catalogue says if the service is down
            },
            Effect::Issue {
                service,
                priority,
                language,
            } => client
                .issue(&service, priority, language)
                .map_or_else(down_or_refused, Input::Issued),
            Effect::CheckIn { code, language } => client
                .check_in(&code, language)
                .map_or_else(down_or_refused, Input::Issued),
            Effect::Scan { token } => match client.scan(&token) {
                Ok(id) => {
                    preview = client
                        .scan_preview(&token, id)
                        .ok()
                        .and_then(|png| images::decode_png(&png).ok());
                    Input::Scanned { id }
                }
                Err(e) => down_or_refused(e),
            },
            Effect::SendFeedback {
                rating,
                reason,
                language,
                service,
            } => client
                .feedback(rating, reason, language, service.as_deref())
                .map_or_else(down_or_refused, |()| Input::FeedbackRecorded),
            Effect::Speak { .. } | Effect::StopSpeaking => continue,
        };
        if answers.send(Answer { input, preview }).is_err() {
            return;
        }
    }
}

fn tiles(list: &[TileView]) -> ModelRc<Tile> {
    let tiles: Vec<Tile> = list
        .iter()
        .map(|t| Tile {
            id: t.id.as_str().into(),
            icon: t.icon.into(),
            label: t.label.as_str().into(),
            note: t.note.as_str().into(),
            lang: t.lang.into(),
            marked: t.marked,
            enabled: t.enabled,
        })
        .collect();
    ModelRc::new(VecModel::from(tiles))
}

fn render(app: &App, state: &Rc<RefCell<State>>) {
    let mut s = state.borrow_mut();
    let v = view::view(&s.flow);
    if s.shown.as_ref() == Some(&v) {
        return;
    }
    if s.qr.as_ref().map(|(t, _)| t.as_str()) != Some(v.ticket_qr.as_str()) {
        s.qr = images::qr(&v.ticket_qr).map(|img| (v.ticket_qr.clone(), img));
    }
    if s.flow.scans.is_empty() {
        s.preview = None;
    }
    show(
        app,
        &v,
        s.preview.clone(),
        s.qr.as_ref().map(|(_, i)| i.clone()),
    );
    s.shown = Some(v);
}

/// Copies a view into the window's properties.
pub fn show(app: &App, v: &View, preview: Option<Image>, qr: Option<Image>) {
    let ui = app.global::<Ui>();
    ui.set_rtl(v.rtl);
    ui.set_language(v.language.into());
    app.set_screen(v.screen.into());
    app.set_page_title(v.title.as_str().into());
    app.set_title_ar(v.title_ar.as_str().into());
    app.set_title_latin(v.title_latin.as_str().into());
    app.set_can_go_back(v.can_go_back);
    app.set_back_label(v.back.into());
    app.set_listen_label(v.listen.into());
    if app.get_tiles().iter().ne(tiles(&v.tiles).iter()) {
        app.set_tiles(tiles(&v.tiles));
    }
    app.set_columns(v.columns);
    app.set_horizontal_tiles(v.horizontal_tiles);
    app.set_tiles_left_to_right(v.tiles_left_to_right);
    app.set_documents(tiles(&v.documents));
    app.set_take_label(v.take_ticket.into());
    app.set_scan_first_label(v.scan_first.into());
    app.set_has_preview(preview.is_some());
    app.set_preview(preview.unwrap_or_default());
    app.set_scan_count(v.scan_count.as_str().into());
    app.set_scan_hint(v.scan_hint.into());
    app.set_scan_label(v.scan_page.into());
    app.set_done_label(v.scans_done.into());
    app.set_ticket_number(v.ticket_number.as_str().into());
    app.set_ticket_service(v.ticket_service.as_str().into());
    app.set_ticket_ahead(v.ticket_ahead.as_str().into());
    app.set_ticket_wait(v.ticket_wait.as_str().into());
    app.set_ticket_qr(qr.unwrap_or_default());
    app.set_receipt_note(v.receipt_note.into());
    app.set_receipt_failed(v.receipt_failed);
    app.set_scan_papers_label(v.scan_papers.into());
    app.set_finished_label(v.finished.into());
    app.set_notice(v.notice.into());
    app.set_one_moment(v.one_moment);
    app.set_one_moment_label(v.one_moment_label.into());
    app.set_busy(v.busy);
    app.set_please_wait_label(v.please_wait.into());
}
