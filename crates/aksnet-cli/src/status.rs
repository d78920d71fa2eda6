//! What the CLI says besides its reports: notes ("design: ./aksnet.yaml", "wrote FILE") and
//! progress on long work — on standard error, silenced by `--quiet`; progress only on a
//! terminal, so pipes and CI logs never see it.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Silences notes and progress (`--quiet`).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// A note on standard error, unless `--quiet`.
pub fn note(text: impl std::fmt::Display) {
    if !QUIET.load(Ordering::Relaxed) {
        eprintln!("{text}");
    }
}

/// A line of a command's report that only says what was done ("wrote FILE"), on standard
/// output, unless `--quiet`.
pub fn done(text: impl std::fmt::Display) {
    if !QUIET.load(Ordering::Relaxed) {
        println!("{text}");
    }
}

/// A diagnostic on standard error: in colour on a terminal, never under `NO_COLOR`
/// (https://no-color.org). Errors and warnings are shown even under `--quiet`.
pub fn show(d: &aksnet_model::Diagnostic) {
    let styled = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    eprintln!(
        "{}",
        if styled {
            d.render_styled()
        } else {
            d.render()
        }
    );
}

/// Progress of a long command on a terminal: each phase replaces the last on one line of
/// standard error, and the line is cleared when the progress ends.
pub struct Progress {
    shown: bool,
}

impl Progress {
    /// Starts showing progress if standard error is a terminal and not `--quiet`.
    pub fn start() -> Self {
        Self {
            shown: !QUIET.load(Ordering::Relaxed) && std::io::stderr().is_terminal(),
        }
    }

    /// The phase now running.
    pub fn phase(&self, what: &str) {
        if self.shown {
            let mut e = std::io::stderr();
            let _ = write!(e, "\r\x1b[2K{what}…");
            let _ = e.flush();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.shown {
            let mut e = std::io::stderr();
            let _ = write!(e, "\r\x1b[2K");
            let _ = e.flush();
        }
    }
}
