use super::*;
use jiff::SignedDuration;

fn t0() -> Timestamp {
    "2026-11-28T00:00:00Z".parse().unwrap()
}

fn at(ms: i64) -> Timestamp {
    t0() + SignedDuration::from_millis(ms)
}

#[test]
fn a_bucket_gives_its_burst_then_its_rate() {
    let mut b = Bucket::full(2.0, 3.0, t0());
    assert!(b.take(t0()) && b.take(t0()) && b.take(t0()));
    assert!(!b.take(t0()), "the burst is spent");
    assert_eq!(b.ready_in(t0()), Duration::from_millis(500));
    assert!(!b.take(at(499)));
    assert!(b.take(at(500)));
    // Long idle refills only up to the burst.
    let mut count = 0;
    while b.take(at(60_000)) {
        count += 1;
    }
    assert_eq!(count, 3);
    // A clock that steps back gives nothing, and refills from there: no stall until it
    // comes back to where it was.
    assert!(!b.take(at(1_000)));
    assert!(b.take(at(1_500)));
}

#[test]
fn owing_pauses_once_and_does_not_add_up() {
    let mut b = Bucket::full(4.0, 10.0, t0());
    b.owe(t0(), 1.0);
    assert_eq!(b.ready_in(t0()), Duration::from_millis(1_250));
    for _ in 0..100 {
        b.owe(t0(), 1.0);
    }
    assert_eq!(b.ready_in(t0()), Duration::from_millis(1_250));
}

/// Runs the queue from `from` to `to` ms, a dispatch every `step` ms; returns the grants
/// as (ms, label).
fn run(q: &mut Queue<&'static str>, from: i64, to: i64, step: i64) -> Vec<(i64, &'static str)> {
    let mut out = Vec::new();
    let mut ms = from;
    while ms <= to {
        q.dispatch(at(ms), |w| out.push((ms, w)));
        ms += step;
    }
    out
}

/// A queue of one request a second, one at a time.
fn one_a_second() -> Queue<&'static str> {
    Queue::new(
        Pacing {
            rate: 1.0,
            burst: 1,
            ..Pacing::DEFAULT
        },
        t0(),
    )
}

#[test]
fn the_operator_goes_before_the_screen_and_the_screen_before_the_sweep() {
    let mut q = one_a_second();
    // Spend the one token, then line up in the wrong order.
    q.join(Priority::Visible, Kind::Read, "first");
    assert_eq!(run(&mut q, 0, 0, 1), vec![(0, "first")]);
    q.join(Priority::Sweep, Kind::Read, "sweep");
    q.join(Priority::Visible, Kind::Read, "screen");
    q.join(Priority::Operator, Kind::Read, "poll");
    let order: Vec<_> = run(&mut q, 1, 10_000, 100)
        .into_iter()
        .map(|(_, w)| w)
        .collect();
    assert_eq!(order, ["poll", "screen", "sweep"]);
}

#[test]
fn the_sweep_uses_only_its_share_and_an_action_never_waits_behind_it() {
    let pacing = Pacing::DEFAULT; // 4 a second, burst 10, half for the sweep
    let mut q = Queue::new(pacing, t0());
    for _ in 0..1_000 {
        q.join(Priority::Sweep, Kind::Read, "sweep");
    }
    let grants = run(&mut q, 0, 60_000, 10);
    // Half the burst at once, then 2 a second.
    let at_once = grants.iter().filter(|(ms, _)| *ms == 0).count();
    assert_eq!(at_once, 5);
    assert_eq!(grants.len(), 5 + 120, "{} in a minute", grants.len());
    // Meanwhile the shared bucket kept filling: actions go at once.
    for _ in 0..8 {
        q.join(Priority::Operator, Kind::Read, "action");
    }
    let now: Vec<_> = run(&mut q, 60_010, 60_010, 1);
    assert_eq!(now.iter().filter(|(_, w)| *w == "action").count(), 8);
}

#[test]
fn polls_of_many_invalidations_never_stop_the_screen() {
    // More polls than the whole rate, and ten rows on screen waiting.
    let mut q = Queue::new(Pacing::DEFAULT, t0());
    for _ in 0..1_000 {
        q.join(Priority::Operator, Kind::Read, "poll");
    }
    for _ in 0..10 {
        q.join(Priority::Visible, Kind::Read, "row");
    }
    let grants = run(&mut q, 0, 20_000, 10);
    let rows: Vec<i64> = grants
        .iter()
        .filter(|(_, w)| *w == "row")
        .map(|(ms, _)| *ms)
        .collect();
    assert_eq!(rows.len(), 10, "every row listed within 20 s");
    // The operator's line kept most of the rate: three quarters of it.
    let polls = grants.iter().filter(|(_, w)| *w == "poll").count();
    assert!(polls >= 60, "{polls} polls");
}

#[test]
fn a_create_waits_for_its_own_bucket_and_reads_behind_it_go_on() {
    let mut q = Queue::new(Pacing::DEFAULT, t0());
    for _ in 0..5 {
        q.join(Priority::Operator, Kind::Create, "create");
    }
    assert_eq!(run(&mut q, 0, 0, 1).len(), 5, "the create burst");
    q.join(Priority::Operator, Kind::Create, "create");
    q.join(Priority::Operator, Kind::Read, "read");
    let grants = run(&mut q, 1, 10_000, 10);
    assert_eq!(grants[0], (1, "read"));
    // 0.4 a second: the next create 2.5 s after the burst.
    assert_eq!(grants[1], (2_501, "create"));
}

#[test]
fn a_throttled_answer_pauses_everyone_for_a_second_at_half_the_pace() {
    let mut q = Queue::new(
        Pacing {
            rate: 4.0,
            burst: 1,
            ..Pacing::DEFAULT
        },
        t0(),
    );
    q.throttled(t0());
    q.join(Priority::Operator, Kind::Read, "poll");
    // A second owed, then a token at 2 a second.
    assert_eq!(q.dispatch(t0(), |_| {}), Some(Duration::from_millis(1_500)));
    assert_eq!(q.stats.throttled, 1);
    assert_eq!(q.slowed(), 0.5);
    assert_eq!(run(&mut q, 0, 2_000, 50), vec![(1_500, "poll")]);
}

#[test]
fn throttled_answers_halve_the_pace_until_a_calm_spell_doubles_it_back() {
    let mut q: Queue<&str> = Queue::new(Pacing::DEFAULT, t0());
    for i in 0..10 {
        q.throttled(at(i * 1_000 - 9_000));
    }
    assert_eq!(q.slowed(), SLOWEST, "never slower than a sixteenth");
    // A sixteenth of 4 a second: a quarter a second, after the second owed (at 4 a second,
    // then the debt is paid at the slower rate).
    q.join(Priority::Operator, Kind::Read, "a");
    q.join(Priority::Operator, Kind::Read, "b");
    let grants = run(&mut q, 0, 20_000, 10);
    assert_eq!(grants.len(), 2);
    assert!(grants[1].0 - grants[0].0 >= 3_990, "{grants:?}");
    // Each calm spell of 30 s doubles the pace back.
    let later = 20_000 + CALM.as_millis() as i64;
    q.dispatch(at(later), |_| {});
    assert_eq!(q.slowed(), SLOWEST * 2.0);
    q.dispatch(at(later + 10_000), |_| {});
    assert_eq!(q.slowed(), SLOWEST * 2.0, "not before the next 30 s");
    let mut ms = later;
    for _ in 0..5 {
        ms += CALM.as_millis() as i64;
        q.dispatch(at(ms), |_| {});
    }
    assert_eq!(q.slowed(), 1.0, "back to the whole pace, no further");
}

#[test]
fn a_throttle_slows_creates_and_the_sweep_too() {
    let mut q = Queue::new(Pacing::DEFAULT, t0());
    // Spend the create burst and the sweep's, then be throttled: half the pace everywhere.
    for _ in 0..5 {
        q.join(Priority::Operator, Kind::Create, "create");
        q.join(Priority::Sweep, Kind::Read, "sweep");
    }
    assert_eq!(run(&mut q, 0, 0, 1).len(), 10);
    q.throttled(t0());
    q.join(Priority::Operator, Kind::Create, "create");
    for _ in 0..3 {
        q.join(Priority::Sweep, Kind::Read, "sweep");
    }
    let grants = run(&mut q, 0, 20_000, 10);
    let at_of = |w: &str| -> Vec<i64> {
        grants
            .iter()
            .filter(|(_, g)| *g == w)
            .map(|(ms, _)| *ms)
            .collect()
    };
    // Creates at 0.2 a second: the next in 5 s. The sweep at 1 a second: what it gained
    // while the owed second was paid (1.5 s, at 2 a second) goes at 1.5 s and 2 s, the
    // next a second later (the shared bucket alone would allow 2.5 s).
    assert_eq!(at_of("create"), [5_000], "{grants:?}");
    assert_eq!(at_of("sweep"), [1_500, 2_000, 3_000], "{grants:?}");
}

#[test]
fn answers_throttled_together_halve_the_pace_once() {
    let mut q: Queue<&str> = Queue::new(Pacing::DEFAULT, t0());
    for _ in 0..8 {
        q.throttled(at(10));
    }
    assert_eq!(q.slowed(), 0.5, "one episode");
    assert_eq!(q.stats.throttled, 8);
    q.throttled(at(1_009));
    assert_eq!(
        q.slowed(),
        0.5,
        "still the same episode, just under a second on"
    );
    q.throttled(at(1_010));
    assert_eq!(q.slowed(), 0.25, "a second on, another");
}

#[test]
fn a_long_quiet_spell_restores_the_whole_pace_at_once() {
    let mut q: Queue<&str> = Queue::new(Pacing::DEFAULT, t0());
    for i in 0..5 {
        q.throttled(at(i * 2_000));
    }
    assert_eq!(q.slowed(), SLOWEST);
    // Ten minutes with nothing asked: the first dispatch after finds the whole pace.
    q.dispatch(at(600_000), |_| {});
    assert_eq!(q.slowed(), 1.0);
}

#[test]
fn who_leaves_the_line_is_not_granted() {
    let mut q = one_a_second();
    q.join(Priority::Operator, Kind::Read, "first");
    let gone = q.join(Priority::Operator, Kind::Read, "gone");
    q.join(Priority::Operator, Kind::Read, "third");
    q.leave(gone);
    assert_eq!(q.waiting(), 2);
    let order: Vec<_> = run(&mut q, 0, 3_000, 100)
        .into_iter()
        .map(|(_, w)| w)
        .collect();
    assert_eq!(order, ["first", "third"]);
}

#[test]
fn the_sweep_interval_is_what_its_share_allows_and_never_under_the_floor() {
    let p = Pacing::DEFAULT;
    let floor = Duration::from_secs(300);
    assert_eq!(p.sweep_interval(10, floor), floor);
    assert_eq!(p.sweep_interval(5_050, floor), Duration::from_secs(2_525));
    assert_eq!(
        p.sweep_interval(usize::MAX, floor),
        Duration::from_secs(86_400)
    );
}

#[tokio::test]
async fn the_limiter_serves_waiters_in_priority_order() {
    use std::sync::Mutex as StdMutex;
    let clock: Arc<dyn Clock> = Arc::new(crate::clock::SystemClock);
    let limiter = Arc::new(Limiter::new(
        Pacing {
            rate: 10.0,
            burst: 1,
            sweep_share: 1.0,
            ..Pacing::DEFAULT
        },
        clock,
    ));
    let order = Arc::new(StdMutex::new(Vec::new()));
    // The first takes the only token; the rest line up while it is gone.
    tokio::time::timeout(
        Duration::from_secs(10),
        limiter.acquire(Priority::Sweep, Kind::Read),
    )
    .await
    .expect("a full bucket grants at once");
    let mut tasks = Vec::new();
    for (name, priority) in [
        ("sweep-1", Priority::Sweep),
        ("sweep-2", Priority::Sweep),
        ("screen", Priority::Visible),
        ("poll", Priority::Operator),
    ] {
        let (l, order) = (limiter.clone(), order.clone());
        tasks.push(tokio::spawn(async move {
            l.acquire(priority, Kind::Read).await;
            order.lock().unwrap().push(name);
        }));
        // Each is in the line before the next joins.
        while limiter.waiting() < tasks.len() {
            tokio::task::yield_now().await;
        }
    }
    // One that gives up leaves the line and takes no token.
    let quitter = {
        let limiter = limiter.clone();
        tokio::spawn(async move { limiter.acquire(Priority::Operator, Kind::Read).await })
    };
    while limiter.waiting() < 5 {
        tokio::task::yield_now().await;
    }
    quitter.abort();
    let _ = quitter.await;
    // A limiter that never grants fails here rather than hanging the run.
    let all = async {
        for t in tasks {
            t.await.unwrap();
        }
    };
    tokio::time::timeout(Duration::from_secs(10), all)
        .await
        .expect("every waiter was served");
    assert_eq!(
        *order.lock().unwrap(),
        ["poll", "screen", "sweep-1", "sweep-2"]
    );
    assert_eq!(limiter.stats().granted, 5);
    assert_eq!(limiter.waiting(), 0);
}

#[test]
fn profiles_of_one_account_share_its_limiter_once_it_is_known() {
    let clock: Arc<dyn Clock> = Arc::new(crate::clock::SystemClock);
    let mut pacers = Pacers::default();
    let p = Pacing::DEFAULT;
    let a = pacers.profile("a", p, &clock);
    let b = pacers.profile("b", p, &clock);
    assert!(!Arc::ptr_eq(&a, &b), "apart until the account is known");
    assert!(Arc::ptr_eq(&a, &pacers.profile("a", p, &clock)));
    pacers.found("a", "aws|111122223333", &clock);
    pacers.found("b", "aws|111122223333", &clock);
    pacers.found("c", "aws|111122223333", &clock); // not registered: nothing happens
    assert!(Arc::ptr_eq(&pacers.profile("b", p, &clock), &a));
    // Another account, or the same through another endpoint, stays apart.
    let d = pacers.profile("d", p, &clock);
    pacers.found("d", "http://127.0.0.1:9|111122223333", &clock);
    assert!(!Arc::ptr_eq(&pacers.profile("d", p, &clock), &a));
    assert!(Arc::ptr_eq(&pacers.profile("d", p, &clock), &d));
    // A profile whose pacing changed gets a limiter of its own again...
    let slower = Pacing { rate: 1.0, ..p };
    let b2 = pacers.profile("b", slower, &clock);
    assert!(!Arc::ptr_eq(&b2, &a));
    // ...and keeps it, found in its account again, while its pacing stays (before, each
    // request made a new full limiter and each listing flipped it back).
    pacers.found("b", "aws|111122223333", &clock);
    let shared = pacers.profile("b", slower, &clock);
    assert!(Arc::ptr_eq(&shared, &a), "the account's limiter");
    assert!(
        Arc::ptr_eq(&pacers.profile("b", slower, &clock), &a),
        "and it stays"
    );
    // A profile that now reaches another account leaves the first one's limiter: two
    // accounts are never paced as one.
    pacers.found("a", "aws|999988887777", &clock);
    let moved = pacers.profile("a", p, &clock);
    assert!(!Arc::ptr_eq(&moved, &a));
    pacers.found("e", "aws|999988887777", &clock);
    let e = pacers.profile("e", p, &clock);
    pacers.found("e", "aws|999988887777", &clock);
    assert!(Arc::ptr_eq(&pacers.profile("e", p, &clock), &moved));
    let _ = e;
}

#[tokio::test]
async fn a_dropped_limiter_ends_its_task() {
    let clock: Arc<dyn Clock> = Arc::new(crate::clock::SystemClock);
    let limiter = Limiter::new(Pacing::DEFAULT, clock);
    limiter.acquire(Priority::Operator, Kind::Read).await;
    let kick = Arc::downgrade(&limiter.kick);
    drop(limiter);
    // The hand-out task holds the kick while it runs; it ends once woken to no limiter.
    for _ in 0..1_000 {
        if kick.strong_count() == 0 {
            return;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("the limiter's task outlived it");
}

#[test]
fn the_background_fetch_uses_only_its_quarter_and_goes_last() {
    let mut q = Queue::new(Pacing::DEFAULT, t0()); // 4 a second: 1 for the background
    for _ in 0..1_000 {
        q.join(Priority::Background, Kind::Read, "detail");
    }
    let grants = run(&mut q, 0, 60_000, 10);
    // No burst: one at once, then one a second.
    assert_eq!(grants.iter().filter(|(ms, _)| *ms == 0).count(), 1);
    assert_eq!(grants.len(), 61, "{} in a minute", grants.len());
    // The shared bucket kept filling meanwhile: the screen goes at once, and before the
    // next detail.
    for _ in 0..8 {
        q.join(Priority::Visible, Kind::Read, "row");
    }
    let now = run(&mut q, 61_000, 61_000, 1);
    assert_eq!(now.iter().filter(|(_, w)| *w == "row").count(), 8);
    assert_eq!(now.last(), Some(&(61_000, "detail")), "{now:?}");
}

#[test]
fn the_background_waits_behind_every_other_line() {
    let mut q = one_a_second();
    q.join(Priority::Background, Kind::Read, "detail");
    q.join(Priority::Sweep, Kind::Read, "sweep");
    q.join(Priority::Visible, Kind::Read, "screen");
    let order: Vec<_> = run(&mut q, 0, 10_000, 100)
        .into_iter()
        .map(|(_, w)| w)
        .collect();
    assert_eq!(order, ["screen", "sweep", "detail"]);
}

#[test]
fn a_throttled_answer_slows_the_background_too() {
    let mut q = Queue::new(Pacing::DEFAULT, t0());
    q.throttled(t0());
    for _ in 0..1_000 {
        q.join(Priority::Background, Kind::Read, "detail");
    }
    // Half the pace: one every two seconds (after the second owed).
    let grants = run(&mut q, 0, 20_000, 10);
    assert!((9..=11).contains(&grants.len()), "{} in 20 s", grants.len());
}
