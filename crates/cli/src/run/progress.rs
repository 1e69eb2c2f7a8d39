//! A progress bar over an engine [`Progress`] counter: shown only when stderr is a terminal,
//! redrawn by a small thread a few times a second, never touching results.

use cascade_run::Progress;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A running progress bar (or nothing, when stderr is not a terminal).
pub struct Bar {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Bar {
    /// Starts a bar over `progress`, labelled with `unit` ("events", "jobs").
    pub fn start(progress: &Arc<Progress>, unit: &'static str) -> Bar {
        let stop = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Bar { stop, thread: None };
        }
        let (p, s) = (progress.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let bar = ProgressBar::new(0);
            let template = format!("{{elapsed_precise}} [{{bar:40}}] {{human_pos}}/{{human_len}} {unit} ({{per_sec}}, eta {{eta}})");
            bar.set_style(
                ProgressStyle::with_template(&template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            while !s.load(Ordering::Relaxed) {
                let (done, total) = p.get();
                bar.set_length(total);
                bar.set_position(done);
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        });
        Bar {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
