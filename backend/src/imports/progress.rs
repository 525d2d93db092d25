//! Progress of an import, sent to whoever streams it to the client (or to no one).

use steward_shared::imports::{ImportPhase, ImportProgress};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// Rows between two progress reports: often enough for a moving bar, rare enough to cost
/// nothing (100,000 rows make 50 reports per phase).
const EVERY: u64 = 2_000;

#[derive(Debug, Clone, Default)]
pub struct Progress(Option<UnboundedSender<ImportProgress>>);

impl Progress {
    /// Progress that goes nowhere (a client that did not ask for it).
    pub fn silent() -> Progress {
        Progress(None)
    }

    /// Progress and where to read it from.
    pub fn channel() -> (Progress, UnboundedReceiver<ImportProgress>) {
        let (sender, receiver) = unbounded_channel();
        (Progress(Some(sender)), receiver)
    }

    /// Reports `done` of `total` in `phase`.
    pub fn report(&self, phase: ImportPhase, done: usize, total: usize) {
        if let Some(sender) = &self.0 {
            // A client that went away stops listening; the import itself carries on.
            let _ = sender.send(ImportProgress {
                phase,
                done: done as u64,
                total: total as u64,
            });
        }
    }

    /// Reports row `done` of `total` when it is a multiple of the reporting step, or the last.
    pub fn row(&self, phase: ImportPhase, done: usize, total: usize) {
        let done_u = done as u64;
        if done_u.is_multiple_of(EVERY) || done == total {
            self.report(phase, done, total);
        }
    }
}
