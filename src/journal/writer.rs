//! The journal's one thread: every write and read of a running cfdash goes through it, in
//! order, so the UI thread never waits on the disk. Writes that arrive together are
//! recorded in one transaction; the leases of this process's batches are renewed every
//! `HEARTBEAT`.

use std::sync::mpsc;

use super::{Journal, Write};
use crate::clock::Clock;

type ReadJob = Box<dyn FnOnce(&mut Journal) + Send>;

enum Job {
    Write(Write),
    /// Answered once every write sent before it is on disk.
    Flushed(tokio::sync::oneshot::Sender<()>),
    Read(ReadJob),
}

/// A cheap handle to the journal's thread.
#[derive(Clone)]
pub struct Handle {
    tx: mpsc::Sender<Job>,
    /// The first write that failed, for the dashboard to say (`take_problem`).
    problem: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("journal::Handle")
    }
}

impl Handle {
    /// Starts the thread. `on_error` hears of the first write that fails (the file went
    /// read-only, a lock held too long), once: later failures only go to the log.
    /// With `retention`, history older than that is pruned first.
    pub fn spawn(
        mut journal: Journal,
        clock: std::sync::Arc<dyn Clock>,
        retention: Option<jiff::SignedDuration>,
        on_error: impl Fn(String) + Send + 'static,
    ) -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let problem = std::sync::Arc::new(std::sync::Mutex::new(None));
        let said = problem.clone();
        std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || {
                // Pruned after the first jobs: the start's read of the last known state
                // (the first frame waits for it) never waits behind the prune and the
                // check before the first write.
                let mut prune = retention;
                let mut warned = false;
                let mut beat_at = std::time::Instant::now();
                loop {
                    let first = match rx.recv_timeout(super::HEARTBEAT) {
                        Ok(job) => Some(job),
                        Err(mpsc::RecvTimeoutError::Timeout) => None,
                        Err(mpsc::RecvTimeoutError::Disconnected) => return,
                    };
                    let mut writes = Vec::new();
                    let mut after = Vec::new();
                    for job in first.into_iter().chain(rx.try_iter()) {
                        match job {
                            Job::Write(w) => writes.push(w),
                            other => after.push(other),
                        }
                    }
                    let now = clock.now();
                    if !writes.is_empty()
                        && let Err(e) = journal.apply(&writes, now)
                    {
                        tracing::warn!(error = %e, writes = writes.len(), path = %journal.path().display(), "journal write failed");
                        if !warned {
                            warned = true;
                            let text = format!(
                                "journal {}: {}; from now on nothing is kept",
                                journal.path().display(),
                                journal.unwritable().map_or_else(|| e.to_string(), String::from)
                            );
                            if let Ok(mut slot) = said.lock() {
                                *slot = Some(text.clone());
                            }
                            on_error(text);
                        }
                    }
                    if beat_at.elapsed() >= super::HEARTBEAT {
                        beat_at = std::time::Instant::now();
                        if let Err(e) = journal.heartbeat(now) {
                            tracing::warn!(error = %e, "journal heartbeat failed");
                        }
                    }
                    for job in after {
                        match job {
                            Job::Flushed(done) => {
                                let _ = done.send(());
                            }
                            Job::Read(f) => f(&mut journal),
                            Job::Write(_) => {}
                        }
                    }
                    if let Some(keep) = prune.take() {
                        match journal.prune(keep, clock.now()) {
                            Ok(n) => tracing::info!(rows = n, "journal pruned"),
                            Err(e) => tracing::warn!(error = %e, "journal prune failed"),
                        }
                    }
                }
            })
            .expect("spawn the journal thread");
        Self { tx, problem }
    }

    /// The first write that failed, once.
    pub fn take_problem(&self) -> Option<String> {
        self.problem.lock().ok()?.take()
    }

    pub fn write(&self, write: Write) {
        let _ = self.tx.send(Job::Write(write));
    }

    /// Waits until every write sent before is recorded (or the thread is gone).
    pub async fn flushed(&self) {
        let (done, wait) = tokio::sync::oneshot::channel();
        if self.tx.send(Job::Flushed(done)).is_ok() {
            let _ = wait.await;
        }
    }

    /// Runs `f` on the journal's thread, after the writes sent before it; `None` if the
    /// thread is gone.
    pub async fn read<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Journal) -> R + Send + 'static,
    ) -> Option<R> {
        let (done, wait) = tokio::sync::oneshot::channel();
        let job: ReadJob = Box::new(move |j| {
            let _ = done.send(f(j));
        });
        self.tx.send(Job::Read(job)).ok()?;
        wait.await.ok()
    }

    /// As `read`, blocking this thread (for the start, before the runtime runs).
    pub fn read_blocking<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Journal) -> R + Send + 'static,
    ) -> Option<R> {
        let (done, wait) = mpsc::channel();
        let job: ReadJob = Box::new(move |j| {
            let _ = done.send(f(j));
        });
        self.tx.send(Job::Read(job)).ok()?;
        wait.recv().ok()
    }

    /// Lets go of this process's batches and waits until everything is recorded: for a
    /// process about to end.
    pub fn finish(&self) {
        self.write(Write::Release);
        let _ = self.read_blocking(|_| ());
    }
}
