//! The runtime: owns the terminal, turns events, timers and backend answers into actions,
//! runs effects on tokio tasks, and draws at most once per drained batch.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream, KeyEventKind,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::AbortHandle;

use crate::app::memory::{self, JournalOp};
use crate::app::{Action, App, Effect, InvKey, Remote, Request, Response, Slot};
use crate::clock::Clock;
use crate::cloudfront::paced::Paced;
use crate::cloudfront::{self, CfError, CloudFront, LIST_CONCURRENCY};
use crate::config::{Profile, Store};
use crate::connect::Connector;
use crate::journal::{self, Scope, Write as Record};
use crate::pace::{Pacers, Priority};
use crate::ui::{self, Theme};

/// How many GetInvalidation calls run at once.
const GET_CONCURRENCY: usize = 8;

/// Why the dashboard ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Exit {
    Quit,
    /// SIGTERM, or SIGINT / SIGQUIT sent from outside: exit with 128 + the signal number.
    /// (SIGHUP ends the process at once.)
    Signal(i32),
}

/// Never dropped: ratatui's `Drop` shows the cursor and, when that write fails (the terminal
/// hung up), reports it with `eprintln!`, which panics on a dead stderr. The guard restores
/// the terminal instead, ignoring what cannot be written.
type Term = std::mem::ManuallyDrop<Terminal<CrosstermBackend<io::Stdout>>>;

/// Puts the terminal back as it was when dropped: on quit, on error, on signal.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

fn enter() -> io::Result<(Term, TerminalGuard)> {
    enable_raw_mode()?;
    let guard = TerminalGuard;
    crossterm::execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok((std::mem::ManuallyDrop::new(terminal), guard))
}

/// Leaves the alternate screen and raw mode; safe to call more than once.
pub fn restore() {
    let _ = crossterm::execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Held while drawing, so a panic on another thread cannot restore the terminal in the
/// middle of a frame and have the rest of the frame land on the normal screen.
static SCREEN: Mutex<()> = Mutex::new(());
/// Set by the panic hook: from then on nothing is drawn.
static PANICKED: AtomicBool = AtomicBool::new(false);

/// Runs `f` on the screen unless a panic has taken it over.
fn on_screen<R>(f: impl FnOnce() -> R) -> Option<R> {
    let _held = SCREEN.lock().unwrap_or_else(|e| e.into_inner());
    (!PANICKED.load(Ordering::SeqCst)).then(f)
}

/// A panic anywhere (the UI or any task) restores the terminal first, then lets the
/// previous hook print the message, then ends the process naming the log.
pub fn install_panic_hook(log: PathBuf) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _held = take_screen();
        restore();
        let trace = std::backtrace::Backtrace::force_capture();
        tracing::error!("panic: {info}\n{trace}");
        crate::logging::flush();
        previous(info);
        // The terminal may be gone: a failed write must not panic again.
        let _ = writeln!(
            io::stderr(),
            "cfdash crashed; the log is at {}",
            log.display()
        );
        std::process::exit(101);
    }));
}

/// Stops all drawing and waits for a frame being drawn to finish; if this very thread holds
/// the screen (a panic while drawing), gives up waiting after half a second.
fn take_screen() -> Option<std::sync::MutexGuard<'static, ()>> {
    PANICKED.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_millis(500);
    loop {
        match SCREEN.try_lock() {
            Ok(guard) => return Some(guard),
            Err(std::sync::TryLockError::Poisoned(e)) => return Some(e.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(std::sync::TryLockError::WouldBlock) => return None,
        }
    }
}

/// SIGHUP: the terminal is gone. The event loop may be stuck in a read of the dead
/// terminal (crossterm retries a failed read without end), so this ends the process from
/// a worker thread: exit code 129, as for a hangup.
/// The batches the app has not sent yet, as the run loop last saw them: a hang-up ends the
/// process from another task, which cannot reach the app, and must still log them.
static UNSENT: std::sync::Mutex<Vec<crate::engine::Entry>> = std::sync::Mutex::new(Vec::new());

/// Keeps `UNSENT` up to date; copies only when the live batches changed.
fn publish_unsent(app: &App) {
    let live: Vec<&crate::engine::Entry> = app
        .outbox
        .entries()
        .iter()
        .filter(|e| e.is_live())
        .collect();
    let Ok(mut kept) = UNSENT.lock() else {
        return;
    };
    let same = kept.len() == live.len()
        && kept.iter().zip(&live).all(|(a, b)| {
            a.batch.caller_reference == b.batch.caller_reference && a.state == b.state
        });
    if !same {
        *kept = live.into_iter().cloned().collect();
    }
}

/// The journal's thread, for the hang-up, which ends the process from another task: what
/// was sent to it is recorded before the process goes.
static JOURNAL: std::sync::OnceLock<journal::Handle> = std::sync::OnceLock::new();

/// Logs the batches a hang-up drops (or leaves in the journal), once (the SIGHUP and a
/// failed terminal read may both report the same hang-up).
fn log_unsent_on_hangup() {
    if let Ok(mut kept) = UNSENT.lock() {
        let journal = JOURNAL.get().is_some();
        crate::app::outbox::log_dropped(&std::mem::take(&mut *kept), "SIGHUP", journal);
    }
    if let Some(j) = JOURNAL.get() {
        j.finish();
    }
}

async fn exit_on_hangup(mut sighup: tokio::signal::unix::Signal) {
    if sighup.recv().await.is_some() {
        let _held = take_screen();
        restore();
        log_unsent_on_hangup();
        tracing::info!(signal = 1, "ended by signal: the terminal hung up");
        crate::logging::flush();
        std::process::exit(129);
    }
}

/// A read or write of the terminal that fails as a hung-up terminal does (EIO, ENXIO,
/// ENOENT, EBADF): the terminal went away, whether or not its SIGHUP has come yet. It ends
/// the dashboard as the SIGHUP would (exit 129, the same line in the log), not as a
/// terminal error.
fn hung_up(e: &io::Error) -> bool {
    let gone = [libc::EIO, libc::ENXIO, libc::ENOENT, libc::EBADF];
    e.raw_os_error().is_some_and(|n| gone.contains(&n))
}

/// What the dashboard starts with besides its state.
pub struct Start {
    pub connector: Connector,
    /// The profile shown first, how to reach it, and its backend, made (and so checked)
    /// before the terminal was taken (`None`: the welcome screen or the switcher).
    pub profile: Option<(String, Profile, Arc<dyn CloudFront>)>,
    /// The one writer of the profiles file.
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub theme: Theme,
    pub started: Instant,
    /// The journal's thread, or why there is none (`None`, `None`: `--no-journal`).
    pub journal: Result<Option<journal::Handle>, String>,
}

/// Runs the dashboard until the operator quits, a signal arrives or the terminal goes.
pub async fn run(app: App, start: Start) -> io::Result<Exit> {
    if let Ok(Some(j)) = &start.journal {
        let _ = JOURNAL.set(j.clone());
    }
    let ended = match run_loop(app, start).await {
        Err(e) if hung_up(&e) => {
            log_unsent_on_hangup();
            tracing::info!(signal = 1, error = %e, "ended: the terminal hung up");
            Ok(Exit::Signal(1))
        }
        other => other,
    };
    // Whatever the end: the batches not sent stay in the journal, free for the next start.
    if let Some(j) = JOURNAL.get() {
        j.finish();
    }
    ended
}

async fn run_loop(mut app: App, start: Start) -> io::Result<Exit> {
    let Start {
        connector,
        profile,
        store,
        clock,
        theme,
        started,
        journal,
    } = start;
    let mut sigterm = signal(SignalKind::terminate())?;
    // Ctrl-C in raw mode is a key; SIGINT and SIGQUIT come only from outside (`kill -INT`),
    // and their default action would leave the terminal in the alternate screen.
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigquit = signal(SignalKind::quit())?;
    tokio::spawn(exit_on_hangup(signal(SignalKind::hangup())?));
    let (mut terminal, _guard) = enter()?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (journal, problem) = match journal {
        Ok(j) => (j, None),
        Err(e) => (None, Some(e)),
    };
    let mut runner = Runner::new(Arc::new(connector), store, tx, journal.clone());
    // The last known state comes first, so the first frame shows it.
    let mut queue = Vec::new();
    if journal.is_some() {
        app.memory.enabled = true;
        app.outbox.record_changes();
    }
    if let Some(problem) = problem {
        queue.push(Action::JournalProblem(problem));
    }
    if let Some((name, profile, backend)) = profile {
        runner.run(Effect::UseProfile {
            name: name.clone(),
            profile: Box::new(profile),
        });
        runner.ready(&name, backend);
        if let (Some(j), Some(scope)) = (&journal, runner.scope(&name)) {
            app.memory.asked.insert(name.clone());
            let read = last_known(scope, app.settings.list_limit, clock.now());
            match j.read_blocking(read) {
                Some(Ok(snapshot)) => queue.insert(
                    0,
                    Action::Restored {
                        profile: name,
                        snapshot: Box::new(snapshot),
                    },
                ),
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "the journal's last known state cannot be read")
                }
                None => {}
            }
        }
    }
    let mut events = EventStream::new();
    app.opener = opener().is_some();
    // What the journal's scope reads: an endpoint from the environment, for `o`.
    app.env_endpoint = crate::journal::fingerprint(&crate::config::Profile::default()) != "aws";
    let in_tmux = std::env::var_os("TMUX").is_some();
    let size = terminal.size()?;
    queue.push(Action::Resize {
        width: size.width,
        height: size.height,
    });
    let mut recorded = Recorded::default();
    let mut first_frame = true;
    let mut first_data = true;
    let mut milestones = (true, true);
    loop {
        let batch = app.apply(clock.now(), queue.drain(..));
        publish_unsent(&app);
        // Recorded before the effects run: a batch is in the journal before it is sent.
        runner.record(&mut app, &mut recorded, clock.now());
        for effect in batch.effects {
            runner.run(effect);
        }
        if batch.quit {
            return Ok(Exit::Quit);
        }
        if batch.bell {
            on_screen(|| -> io::Result<()> {
                terminal.backend_mut().write_all(b"\x07")?;
                terminal.backend_mut().flush()
            })
            .transpose()?;
        }
        let mut sequences = String::new();
        if let Some(text) = &batch.clipboard {
            sequences.push_str(&crate::term::osc52(text));
        }
        for text in &batch.desktop {
            sequences.push_str(&crate::term::desktop_notification("cfdash", text, in_tmux));
        }
        if !sequences.is_empty() {
            on_screen(|| -> io::Result<()> {
                terminal.backend_mut().write_all(sequences.as_bytes())?;
                terminal.backend_mut().flush()
            })
            .transpose()?;
        }
        for url in &batch.open {
            open_in_browser(url);
        }
        if app.redraw.dirty {
            on_screen(|| -> io::Result<()> {
                let frame = terminal.draw(|frame| ui::render(&app, &theme, frame))?;
                let link = app.notice.as_ref().and_then(|n| n.link.as_deref());
                if let Some(url) = link
                    && let Some((x, y, shown)) = find_link(frame.buffer, url)
                {
                    // The address drawn in the status bar becomes a link, in place.
                    let backend = terminal.backend_mut();
                    crossterm::queue!(
                        backend,
                        crossterm::cursor::SavePosition,
                        crossterm::cursor::MoveTo(x, y),
                        crossterm::style::Print(crate::term::osc8(url, &shown)),
                        crossterm::cursor::RestorePosition
                    )?;
                    backend.flush()?;
                }
                Ok(())
            })
            .transpose()?;
            app.frame_drawn();
            if first_frame {
                first_frame = false;
                tracing::info!(ms = started.elapsed().as_secs_f64() * 1e3, "first frame");
            }
            if first_data && matches!(app.session.distributions, Remote::Ready { .. }) {
                first_data = false;
                tracing::info!(
                    ms = started.elapsed().as_secs_f64() * 1e3,
                    "first frame with data"
                );
            }
            // Milestones benches/pace.sh reads: the rows on screen all have their
            // invalidations; every distribution has (the first sweep is done).
            if milestones.0 {
                let screen = app.on_screen();
                let listed = |id: &String| {
                    app.session
                        .invalidations
                        .get(id)
                        .is_some_and(|d| d.list.data().is_some())
                };
                if !screen.is_empty() && screen.iter().all(listed) {
                    milestones.0 = false;
                    tracing::info!(
                        ms = started.elapsed().as_secs_f64() * 1e3,
                        rows = screen.len(),
                        "first screen listed"
                    );
                }
            }
            let total = app.session.distributions.data().map_or(0, Vec::len);
            if milestones.1
                && total > 0
                && app.session.schedule.paging.is_none()
                && app.session.listed() == total
            {
                milestones.1 = false;
                tracing::info!(
                    ms = started.elapsed().as_secs_f64() * 1e3,
                    distributions = total,
                    "first sweep listed"
                );
            }
        }

        let ms = app.next_wake().duration_since(clock.now()).as_millis();
        let wait = Duration::from_millis(ms.clamp(1, 3_600_000) as u64);
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => queue.extend(action_for(event)),
                Some(Err(e)) => return Err(e),
                None => return Ok(Exit::Quit),
            },
            Some(action) = rx.recv() => queue.push(action),
            _ = tokio::time::sleep(wait) => queue.push(Action::Tick),
            _ = sigterm.recv() => {
                app.log_unsent("SIGTERM");
                return Ok(Exit::Signal(15));
            }
            _ = sigint.recv() => {
                app.log_unsent("SIGINT");
                return Ok(Exit::Signal(2));
            }
            _ = sigquit.recv() => {
                app.log_unsent("SIGQUIT");
                return Ok(Exit::Signal(3));
            }
        }
        // Drain what else is already queued, so a burst becomes one frame.
        while let Ok(action) = rx.try_recv() {
            queue.push(action);
        }
        // Polled with this task's own waker (never `now_or_never`'s no-op one): crossterm
        // keeps the waker of the first poll that found nothing, and a no-op waker there
        // would leave keys unread until some timer woke the loop.
        loop {
            tokio::select! {
                biased;
                event = events.next() => match event {
                    Some(Ok(event)) => queue.extend(action_for(event)),
                    Some(Err(e)) => return Err(e),
                    None => return Ok(Exit::Quit),
                },
                _ = std::future::ready(()) => break,
            }
        }
    }
}

/// The program that opens an address in the browser: `xdg-open`, or macOS's `open`.
fn opener() -> Option<PathBuf> {
    let names: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else {
        &["xdg-open"]
    };
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Opens `url` with the opener, detached from the terminal (its output would draw over
/// the dashboard); a thread reaps it.
fn open_in_browser(url: &str) {
    let Some(program) = opener() else { return };
    let spawned = std::process::Command::new(&program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => {
            tracing::warn!(error = %e, program = %program.display(), "cannot open the browser")
        }
    }
}

/// Where the address `url` is drawn in `buffer`, searching from the bottom (the status
/// bar): its first cell, and the text shown there. Whole, or cut with "…" where the status
/// bar had no room (at least its first 12 characters): the link then carries the whole
/// address under the cut text.
fn find_link(buffer: &ratatui::buffer::Buffer, url: &str) -> Option<(u16, u16, String)> {
    const LEAST: usize = 12;
    let area = buffer.area;
    for y in (area.top()..area.bottom()).rev() {
        let mut row = String::new();
        let mut starts = Vec::with_capacity(area.width as usize);
        for x in area.left()..area.right() {
            starts.push((row.len(), x));
            row.push_str(buffer[(x, y)].symbol());
        }
        let cell = |at: usize| starts.iter().find(|(offset, _)| *offset == at).map(|s| s.1);
        if let Some(x) = row.find(url).and_then(cell) {
            return Some((x, y, url.to_string()));
        }
        for (p, _) in row.match_indices('…') {
            let before = &row[..p];
            let cut = (LEAST.min(url.len())..url.len())
                .rev()
                .filter(|&k| url.is_char_boundary(k))
                .find(|&k| before.ends_with(&url[..k]));
            if let Some(k) = cut
                && let Some(x) = cell(p - k)
            {
                return Some((x, y, format!("{}…", &url[..k])));
            }
        }
    }
    None
}

fn action_for(event: Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Action::Key(key)),
        Event::Mouse(mouse) => Some(Action::Mouse(mouse)),
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Resize(width, height) => Some(Action::Resize { width, height }),
        _ => None,
    }
}

/// A profile's backend, made on first use (an AWS client reads its profile then).
type Cell = Arc<tokio::sync::OnceCell<Result<Arc<dyn CloudFront>, CfError>>>;

/// Runs requests on tokio tasks, one per slot: a new request in a slot aborts the old.
/// Requests go to the active profile's backend, a `Slot::Watch` to its own profile's.
struct Runner {
    connector: Arc<Connector>,
    /// Each profile's backend, and its journal scope (worked out once: it reads the
    /// environment).
    backends: HashMap<String, (Profile, Cell, Scope)>,
    active: Option<String>,
    tx: mpsc::UnboundedSender<Action>,
    /// The config writer's queue: edits are applied one after the other, in order.
    writer: std::sync::mpsc::Sender<Effect>,
    tasks: HashMap<Slot, AbortHandle>,
    prune_at: usize,
    lists: Arc<Semaphore>,
    gets: Arc<Semaphore>,
    /// The limiter of each profile's account: every request waits its turn there.
    pacers: Arc<std::sync::Mutex<Pacers>>,
    /// The journal's thread: answers are recorded, creates wait until their batch is.
    journal: Option<journal::Handle>,
}

/// The read of a profile's last known state, with `limit` invalidations per distribution:
/// at start (before the first frame) and when a profile is first opened.
fn last_known(
    scope: Scope,
    limit: usize,
    now: jiff::Timestamp,
) -> impl FnOnce(&mut journal::Journal) -> rusqlite::Result<journal::Snapshot> + Send + 'static {
    move |j| j.snapshot(&scope, limit, memory::LOG_MAX, now)
}

/// What the journal was last told of the app's watches.
#[derive(Default)]
struct Recorded {
    watches: Vec<(String, InvKey, jiff::Timestamp)>,
}

impl Runner {
    fn new(
        connector: Arc<Connector>,
        store: Store,
        tx: mpsc::UnboundedSender<Action>,
        journal: Option<journal::Handle>,
    ) -> Self {
        Self {
            connector,
            backends: HashMap::new(),
            active: None,
            writer: spawn_writer(store, tx.clone()),
            tx,
            tasks: HashMap::new(),
            prune_at: 64,
            lists: Arc::new(Semaphore::new(LIST_CONCURRENCY)),
            gets: Arc::new(Semaphore::new(GET_CONCURRENCY)),
            pacers: Arc::default(),
            journal,
        }
    }

    /// The journal's scope of a profile this runner knows.
    fn scope(&self, name: &str) -> Option<Scope> {
        self.backends.get(name).map(|(_, _, scope)| scope.clone())
    }

    /// Hands the journal what changed in the app: the batches (before any is sent), the
    /// notices, the watches.
    fn record(&self, app: &mut App, recorded: &mut Recorded, now: jiff::Timestamp) {
        let Some(j) = &self.journal else {
            return;
        };
        if let Some(problem) = j.take_problem() {
            let _ = self.tx.send(Action::JournalProblem(problem));
        }
        let Some(scope) = self.active.as_deref().and_then(|n| self.scope(n)) else {
            return;
        };
        for change in app.outbox.take_changes() {
            for w in journal::writes_for(change, &scope, None, now) {
                j.write(w);
            }
        }
        for n in app.memory.unsaved.drain(..) {
            j.write(Record::Notice {
                scope: scope.clone(),
                kind: n.kind,
                text: n.text,
                at: n.at,
            });
        }
        let watches = app.watch_list();
        if watches != recorded.watches {
            let old = std::mem::take(&mut recorded.watches);
            let changed = old
                .iter()
                .filter(|w| !watches.contains(w))
                .map(|w| (w, false))
                .chain(
                    watches
                        .iter()
                        .filter(|w| !old.contains(w))
                        .map(|w| (w, true)),
                );
            for ((profile, key, created), on) in changed {
                if let Some(scope) = self.scope(profile) {
                    j.write(Record::Watch {
                        scope,
                        distribution: key.distribution.clone(),
                        id: key.id.clone(),
                        create_time: *created,
                        on,
                        at: now,
                    });
                }
            }
            recorded.watches = watches;
        }
    }

    /// Asks the journal's thread; the answer comes back as an action.
    fn journal_op(&self, op: JournalOp) {
        let Some(j) = self.journal.clone() else {
            return;
        };
        let tx = self.tx.clone();
        let now = self.connector.clock.now();
        match op {
            JournalOp::Restore { profile, limit } => {
                let Some(scope) = self.scope(&profile) else {
                    return;
                };
                tokio::spawn(async move {
                    let snap = j.read(last_known(scope, limit, now)).await;
                    if let Some(Ok(snapshot)) = snap {
                        let _ = tx.send(Action::Restored {
                            profile,
                            snapshot: Box::new(snapshot),
                        });
                    }
                });
            }
            JournalOp::Details { profile } => {
                let Some(scope) = self.scope(&profile) else {
                    let details = Vec::new();
                    let _ = tx.send(Action::CachedDetails { profile, details });
                    return;
                };
                tokio::spawn(async move {
                    // Always answered: with none, the background fetch asks CloudFront.
                    let details = match j.read(move |j| j.cached_details(&scope, now)).await {
                        Some(Ok(details)) => details,
                        Some(Err(e)) => {
                            tracing::warn!(error = %e, "the journal's cached details cannot be read");
                            Vec::new()
                        }
                        None => Vec::new(),
                    };
                    let _ = tx.send(Action::CachedDetails { profile, details });
                });
            }
            JournalOp::Claim(refs) => {
                tokio::spawn(async move {
                    let taken = j.read(move |j| j.claim(&refs, now)).await;
                    let taken = match taken {
                        Some(Ok(taken)) => taken,
                        Some(Err(e)) => {
                            tracing::warn!(error = %e, "cannot take the batches");
                            Vec::new()
                        }
                        None => Vec::new(),
                    };
                    let _ = tx.send(Action::Claimed(taken));
                });
            }
            JournalOp::Drop(refs) => {
                tokio::spawn(async move {
                    if let Some(Err(e)) = j.read(move |j| j.drop_batches(&refs, now)).await {
                        tracing::warn!(error = %e, "cannot mark the batches dropped");
                    }
                });
            }
        }
    }

    /// A profile's backend already made (the first profile's, before the terminal was
    /// taken): its requests use it instead of making another.
    fn ready(&mut self, name: &str, backend: Arc<dyn CloudFront>) {
        if let Some((_, cell, _)) = self.backends.get(name) {
            let _ = cell.set(Ok(backend));
        }
    }

    fn run(&mut self, effect: Effect) {
        match effect {
            Effect::UseProfile { name, profile } => {
                let fresh = self
                    .backends
                    .get(&name)
                    .is_none_or(|(p, _, _)| *p != *profile);
                if fresh {
                    let cell: Cell = Arc::new(tokio::sync::OnceCell::new());
                    let scope = Scope::new(&name, &profile);
                    self.backends.insert(name.clone(), (*profile, cell, scope));
                }
                self.active = Some(name);
            }
            Effect::Save(_) | Effect::ReloadConfig => {
                let _ = self.writer.send(effect);
            }
            Effect::Journal(op) => self.journal_op(op),
            Effect::Request { slot, seq, request } => {
                if let Some(old) = self.tasks.remove(&slot) {
                    old.abort();
                }
                let name = match &slot {
                    Slot::Watch(profile, _) => Some(profile.clone()),
                    _ => self.active.clone(),
                };
                let journal = self
                    .journal
                    .clone()
                    .zip(name.as_deref().and_then(|n| self.scope(n)));
                let backend = name.and_then(|n| {
                    self.backends
                        .get(&n)
                        .map(|(p, cell, _)| (n.clone(), p.clone(), cell.clone()))
                });
                let limiter = backend.as_ref().map(|(n, p, _)| {
                    self.pacers
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .profile(n, p.pacing(), &self.connector.clock)
                });
                let pacers = self.pacers.clone();
                let endpoint = backend
                    .as_ref()
                    .and_then(|(n, _, _)| self.scope(n))
                    .map(|scope| scope.endpoint);
                let connector = self.connector.clone();
                let tx = self.tx.clone();
                let permits = match request {
                    Request::ListDistributions
                    | Request::ListInvalidations { .. }
                    | Request::ListTenants { .. } => self.lists.clone(),
                    _ => self.gets.clone(),
                };
                let task_slot = slot.clone();
                let handle = tokio::spawn(async move {
                    let response = match backend.zip(limiter) {
                        Some(((name, profile, cell), limiter)) => {
                            let cf = cell
                                .get_or_init(|| async {
                                    connector
                                        .connect(&name, &profile)
                                        .await
                                        .map_err(|message| CfError::Setup { message })
                                })
                                .await;
                            match cf {
                                Ok(cf) => {
                                    let (first, rest) = priorities(&request);
                                    let paced = Paced::new(cf.as_ref(), &limiter, first)
                                        .then(rest)
                                        .permits(&permits);
                                    // Pages of a listing with more to come fill the screen
                                    // while the rest are listed.
                                    let page_tx = tx.clone();
                                    let mut more = move |page: &[cloudfront::Distribution]| {
                                        let _ = page_tx.send(Action::DistributionsPage {
                                            seq,
                                            page: page.to_vec(),
                                        });
                                    };
                                    let response = match &journal {
                                        Some((j, scope)) => {
                                            perform_recorded(
                                                &paced, &request, &task_slot, j, scope, &connector,
                                                &mut more,
                                            )
                                            .await
                                        }
                                        None => perform_with(&paced, &request, &mut more).await,
                                    };
                                    // The listing shows the account: profiles that reach
                                    // the same one share its limiter from now on.
                                    if let Response::Distributions(Ok(list)) = &response
                                        && let Some(account) =
                                            list.iter().find_map(|d| journal::account_of(&d.arn))
                                    {
                                        let at = endpoint.as_deref().unwrap_or("");
                                        pacers.lock().unwrap_or_else(|e| e.into_inner()).found(
                                            &name,
                                            &format!("{at}|{account}"),
                                            &connector.clock,
                                        );
                                    }
                                    response
                                }
                                Err(e) => Response::failed(&request, e.clone()),
                            }
                        }
                        None => Response::failed(
                            &request,
                            CfError::Setup {
                                message: "no profile is open".into(),
                            },
                        ),
                    };
                    if let Some(e) = response.error() {
                        tracing::warn!(?request, error = ?e, "request failed");
                    }
                    let _ = tx.send(Action::Response {
                        slot: task_slot,
                        seq,
                        response,
                    });
                });
                self.tasks.insert(slot, handle.abort_handle());
                // Forget finished tasks now and then, amortised over many requests.
                if self.tasks.len() >= self.prune_at {
                    self.tasks.retain(|_, h| !h.is_finished());
                    self.prune_at = (self.tasks.len() * 2).max(64);
                }
            }
            Effect::Abort(slot) => {
                if let Some(old) = self.tasks.remove(&slot) {
                    old.abort();
                }
            }
            Effect::Bell
            | Effect::Quit
            | Effect::Clipboard(_)
            | Effect::OpenUrl(_)
            | Effect::Desktop(_) => {}
        }
    }
}

/// The one writer of the profiles file, on a thread of its own: edits and reloads are done
/// in the order they were asked for, and each answer comes back as an action.
fn spawn_writer(
    mut store: Store,
    tx: mpsc::UnboundedSender<Action>,
) -> std::sync::mpsc::Sender<Effect> {
    let (writer, jobs) = std::sync::mpsc::channel::<Effect>();
    std::thread::spawn(move || {
        for job in jobs {
            let action = match job {
                Effect::Save(edit) => {
                    let result = store.apply(&edit);
                    match &result {
                        Ok(saved) => tracing::info!(?edit, reloaded = saved.reloaded, "saved"),
                        Err(e) => tracing::warn!(?edit, error = %e, "not saved"),
                    }
                    Action::Saved(result)
                }
                Effect::ReloadConfig => Action::ConfigLoaded(store.reload()),
                _ => continue,
            };
            if tx.send(action).is_err() {
                return;
            }
        }
    });
    writer
}

/// Carries out one request, with the journal: a create waits until its batch is recorded;
/// the detail pane of a completed invalidation reads its cached details instead of asking
/// CloudFront; every answer is recorded.
async fn perform_recorded(
    cf: &dyn CloudFront,
    request: &Request,
    slot: &Slot,
    j: &journal::Handle,
    scope: &Scope,
    connector: &Connector,
    more: &mut (dyn FnMut(&[cloudfront::Distribution]) + Send),
) -> Response {
    if matches!(request, Request::CreateInvalidation { .. }) {
        j.flushed().await;
    }
    if let (Slot::Detail | Slot::Copy | Slot::Clipboard, Request::GetInvalidation(key)) =
        (slot, request)
    {
        let (scope, key, now) = (scope.clone(), key.clone(), connector.clock.now());
        let cached = j
            .read(move |j| j.details(&scope, &key.distribution, &key.id, now))
            .await;
        if let Some(Ok(Some(inv))) = cached
            && inv.status == cloudfront::InvalidationStatus::Completed
        {
            return Response::Invalidation(Ok(inv));
        }
    }
    let response = perform_with(cf, request, more).await;
    let at = connector.clock.now();
    let scope = scope.clone();
    let write = match (&response, request) {
        (Response::Distributions(Ok(list)), _) => Some(Record::Distributions {
            scope,
            list: list.clone(),
            at,
        }),
        (Response::Invalidations(Ok(list)), Request::ListInvalidations { distribution, .. }) => {
            Some(Record::Invalidations {
                scope,
                distribution: distribution.clone(),
                list: list.clone(),
                at,
            })
        }
        (Response::Tenants(Ok(list)), Request::ListTenants { distribution, .. }) => {
            Some(Record::Tenants {
                scope,
                distribution: distribution.clone(),
                list: list.iter().map(cloudfront::Tenant::row).collect(),
                at,
            })
        }
        (
            Response::CacheTags(Ok(header)),
            Request::GetCacheTags {
                distribution,
                last_modified,
            },
        ) => Some(Record::CacheTags {
            scope,
            distribution: distribution.clone(),
            header: header.clone(),
            last_modified: *last_modified,
        }),
        (
            Response::Invalidation(Ok(inv)),
            Request::GetInvalidation(key) | Request::Backfill(key),
        ) => Some(Record::Details {
            scope,
            distribution: key.distribution.clone(),
            inv: inv.clone(),
            at,
        }),
        _ => None,
    };
    if let Some(w) = write {
        j.write(w);
    }
    response
}

/// Who a request is for, as the limiter sees it: its first call, and the calls after (a
/// listing of distributions fills the screen with its first page; the others are the
/// sweep's; every other request keeps its priority to its last page).
fn priorities(request: &Request) -> (Priority, Priority) {
    match request {
        Request::ListDistributions => (Priority::Visible, Priority::Sweep),
        Request::ListInvalidations { priority, .. } | Request::ListTenants { priority, .. } => {
            (*priority, *priority)
        }
        Request::GetCacheTags { .. } => (Priority::Visible, Priority::Visible),
        Request::GetInvalidation(_) | Request::CreateInvalidation { .. } => {
            (Priority::Operator, Priority::Operator)
        }
        Request::Backfill(_) => (Priority::Background, Priority::Background),
    }
}

/// Carries out one request against a backend; the runtime runs it on a task, tests inline.
pub async fn perform(cf: &dyn CloudFront, request: &Request) -> Response {
    perform_with(cf, request, &mut |_| {}).await
}

/// As [`perform`], showing `more` each page of distributions that has more after it.
pub async fn perform_with(
    cf: &dyn CloudFront,
    request: &Request,
    more: &mut (dyn FnMut(&[cloudfront::Distribution]) + Send),
) -> Response {
    match request {
        Request::ListDistributions => {
            Response::Distributions(cloudfront::list_distributions_with(cf, more).await)
        }
        Request::ListInvalidations {
            distribution,
            limit,
            ..
        } => Response::Invalidations(
            cloudfront::list_recent_invalidations(cf, distribution, *limit).await,
        ),
        Request::GetInvalidation(key) | Request::Backfill(key) => {
            Response::Invalidation(cf.get_invalidation(&key.distribution, &key.id).await)
        }
        Request::CreateInvalidation {
            distribution,
            paths,
            caller_reference,
        } => Response::Created(
            cf.create_invalidation(distribution, paths, caller_reference)
                .await,
        ),
        Request::ListTenants { distribution, .. } => {
            Response::Tenants(cloudfront::list_all_tenants(cf, distribution).await)
        }
        Request::GetCacheTags { distribution, .. } => {
            Response::CacheTags(cf.get_cache_tag_header(distribution).await)
        }
    }
}

impl Response {
    /// The answer a request gets when it could not be sent at all.
    pub fn failed(request: &Request, error: CfError) -> Self {
        match request {
            Request::ListDistributions => Response::Distributions(Err(error)),
            Request::ListInvalidations { .. } => Response::Invalidations(Err(error)),
            Request::GetInvalidation(_) | Request::Backfill(_) => {
                Response::Invalidation(Err(error))
            }
            Request::CreateInvalidation { .. } => Response::Created(Err(error)),
            Request::ListTenants { .. } => Response::Tenants(Err(error)),
            Request::GetCacheTags { .. } => Response::CacheTags(Err(error)),
        }
    }

    pub fn error(&self) -> Option<&cloudfront::CfError> {
        match self {
            Response::Distributions(r) => r.as_ref().err(),
            Response::Invalidations(r) => r.as_ref().err(),
            Response::Invalidation(r) | Response::Created(r) => r.as_ref().err(),
            Response::Tenants(r) => r.as_ref().err(),
            Response::CacheTags(r) => r.as_ref().err(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_link_is_found_where_it_is_drawn_whole_or_cut() {
        use ratatui::buffer::Buffer;
        use ratatui::layout::Rect;
        let mut buffer = Buffer::empty(Rect::new(0, 0, 40, 3));
        let url = "https://x.test/a";
        // A wide character before it: cells, not bytes, place it.
        buffer.set_string(
            0,
            2,
            format!("✓ 漢 open: {url}"),
            ratatui::style::Style::default(),
        );
        assert_eq!(
            super::find_link(&buffer, url),
            Some((11, 2, url.to_string()))
        );
        // Cut ("…"), the cut text is the link, to the whole address.
        let mut cut = Buffer::empty(Rect::new(0, 0, 20, 1));
        cut.set_string(
            0,
            0,
            "open: https://x.tes…",
            ratatui::style::Style::default(),
        );
        assert_eq!(
            super::find_link(&cut, url),
            Some((6, 0, "https://x.tes…".to_string()))
        );
        // Cut too short to tell (under 12 characters), or not there: no link.
        let mut short = Buffer::empty(Rect::new(0, 0, 20, 1));
        short.set_string(0, 0, "open: https://x…", ratatui::style::Style::default());
        assert_eq!(super::find_link(&short, url), None);
        let mut other = Buffer::empty(Rect::new(0, 0, 30, 1));
        other.set_string(
            0,
            0,
            "see https://y.test/a…",
            ratatui::style::Style::default(),
        );
        assert_eq!(super::find_link(&other, url), None);
    }

    #[test]
    fn only_a_listing_of_distributions_leaves_its_later_pages_to_the_sweep() {
        use super::{Priority, Request, priorities};
        assert_eq!(
            priorities(&Request::ListDistributions),
            (Priority::Visible, Priority::Sweep)
        );
        // The selected distribution's listing keeps its priority over every page.
        let list = Request::ListInvalidations {
            distribution: "E1".into(),
            limit: 500,
            priority: Priority::Operator,
        };
        assert_eq!(priorities(&list), (Priority::Operator, Priority::Operator));
        let get = Request::GetInvalidation(crate::app::InvKey::new("E1", "I1"));
        assert_eq!(priorities(&get), (Priority::Operator, Priority::Operator));
        // The background fetch goes in the last line, whatever it asks.
        let fetch = Request::Backfill(crate::app::InvKey::new("E1", "I1"));
        assert_eq!(
            priorities(&fetch),
            (Priority::Background, Priority::Background)
        );
    }

    use super::*;
    use crate::app::InvKey;
    use crate::clock::ManualClock;
    use crate::cloudfront::sim::{SimCloudFront, SimData, SimSettings};

    /// A completed invalidation the journal has the details of opens with no request; one
    /// in progress, or one not cached, asks CloudFront, and the answer is recorded.
    #[test]
    fn cached_details_of_a_completed_invalidation_need_no_request() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let clock = Arc::new(ManualClock::new("2026-11-27T12:00:00Z".parse().unwrap()));
        let sim = Counting {
            sim: SimCloudFront::new(SimData::demo(), SimSettings::default(), clock.clone()),
            gets: std::sync::atomic::AtomicUsize::new(0),
        };
        let connector = Connector {
            sim: SimSettings::default(),
            sim_data: None,
            clock: clock.clone(),
        };
        let dir = tempfile::tempdir().unwrap();
        let j = journal::Journal::open(&dir.path().join("j.sqlite"), clock.now()).unwrap();
        let handle = journal::Handle::spawn(j, clock.clone(), None, |_| {});
        let scope = Scope {
            profile: "demo".into(),
            endpoint: "sim".into(),
        };
        let dist = "E2QWRUHAPOMQZL";
        let list = rt
            .block_on(cloudfront::list_recent_invalidations(&sim.sim, dist, 50))
            .unwrap();
        let done = list
            .iter()
            .find(|i| !i.status.is_in_progress())
            .unwrap()
            .id
            .clone();
        let request = Request::GetInvalidation(InvKey::new(dist, &done));
        let get = |slot: Slot| {
            let before = sim.gets.load(Ordering::SeqCst);
            let r = rt.block_on(perform_recorded(
                &sim,
                &request,
                &slot,
                &handle,
                &scope,
                &connector,
                &mut |_| {},
            ));
            rt.block_on(handle.flushed());
            (r, sim.gets.load(Ordering::SeqCst) - before)
        };
        // Not cached yet: asked, and recorded.
        let (first, asked) = get(Slot::Detail);
        assert_eq!(asked, 1);
        let Response::Invalidation(Ok(inv)) = first else {
            panic!("{first:?}");
        };
        // Cached now: the detail pane and "copy to new" read the journal.
        for slot in [Slot::Detail, Slot::Copy] {
            let (again, asked) = get(slot);
            assert_eq!(asked, 0, "no request for a cached completed invalidation");
            let Response::Invalidation(Ok(cached)) = again else {
                panic!("{again:?}");
            };
            // The journal keeps milliseconds, as CloudFront's CreateTime has.
            let ms = |t: jiff::Timestamp| t.as_millisecond();
            assert_eq!(ms(cached.create_time), ms(inv.create_time));
            assert_eq!(
                (cached.paths, cached.status),
                (inv.paths.clone(), inv.status.clone())
            );
            assert_eq!(cached.caller_reference, inv.caller_reference);
        }
        // A poll always asks: the status is what it wants.
        let (_, asked) = get(Slot::Poll(InvKey::new(dist, &done)));
        assert_eq!(asked, 1);
    }

    /// The simulator, counting GetInvalidation calls.
    struct Counting {
        sim: SimCloudFront,
        gets: std::sync::atomic::AtomicUsize,
    }

    impl CloudFront for Counting {
        fn list_distributions_page<'a>(
            &'a self,
            m: Option<&'a str>,
            n: u32,
        ) -> futures::future::BoxFuture<
            'a,
            cloudfront::CfResult<cloudfront::Page<cloudfront::Distribution>>,
        > {
            self.sim.list_distributions_page(m, n)
        }
        fn list_invalidations_page<'a>(
            &'a self,
            d: &'a str,
            m: Option<&'a str>,
            n: u32,
        ) -> futures::future::BoxFuture<
            'a,
            cloudfront::CfResult<cloudfront::Page<cloudfront::InvalidationSummary>>,
        > {
            self.sim.list_invalidations_page(d, m, n)
        }
        fn get_invalidation<'a>(
            &'a self,
            d: &'a str,
            i: &'a str,
        ) -> futures::future::BoxFuture<'a, cloudfront::CfResult<cloudfront::Invalidation>>
        {
            self.gets.fetch_add(1, Ordering::SeqCst);
            self.sim.get_invalidation(d, i)
        }
        fn create_invalidation<'a>(
            &'a self,
            d: &'a str,
            p: &'a [String],
            r: &'a str,
        ) -> futures::future::BoxFuture<'a, cloudfront::CfResult<cloudfront::Invalidation>>
        {
            self.sim.create_invalidation(d, p, r)
        }
        fn list_tenants_page<'a>(
            &'a self,
            d: &'a str,
            m: Option<&'a str>,
            n: u32,
        ) -> futures::future::BoxFuture<
            'a,
            cloudfront::CfResult<cloudfront::Page<cloudfront::Tenant>>,
        > {
            self.sim.list_tenants_page(d, m, n)
        }
        fn get_tenant<'a>(
            &'a self,
            i: &'a str,
        ) -> futures::future::BoxFuture<'a, cloudfront::CfResult<cloudfront::Tenant>> {
            self.sim.get_tenant(i)
        }
        fn get_tenant_by_domain<'a>(
            &'a self,
            d: &'a str,
        ) -> futures::future::BoxFuture<'a, cloudfront::CfResult<cloudfront::Tenant>> {
            self.sim.get_tenant_by_domain(d)
        }
        fn get_cache_tag_header<'a>(
            &'a self,
            d: &'a str,
        ) -> futures::future::BoxFuture<'a, cloudfront::CfResult<Option<String>>> {
            self.sim.get_cache_tag_header(d)
        }
    }
}
