//! A backend seen through its account's limiter: every call waits its turn first, and a
//! throttled answer slows the limiter down (docs/ARCHITECTURE.md, "Pacing").

use std::sync::atomic::{AtomicBool, Ordering};

use futures::future::BoxFuture;

use super::{
    CfError, CfResult, CloudFront, Distribution, Invalidation, InvalidationSummary, Page, Tenant,
};
use crate::pace::{Kind, Limiter, Priority};

/// One request's view of the backend: its calls wait at `priority`; a listing's pages after
/// the first may wait at a lower one (`then`).
pub struct Paced<'a> {
    inner: &'a dyn CloudFront,
    limiter: &'a Limiter,
    first: Priority,
    rest: Priority,
    started: AtomicBool,
    permits: Option<&'a tokio::sync::Semaphore>,
    /// The references of the creates that got their turn (and so may have been sent).
    left: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl<'a> Paced<'a> {
    pub fn new(inner: &'a dyn CloudFront, limiter: &'a Limiter, priority: Priority) -> Self {
        Self {
            inner,
            limiter,
            first: priority,
            rest: priority,
            started: AtomicBool::new(false),
            permits: None,
            left: Default::default(),
        }
    }

    /// Each call also holds one of these permits while it runs, taken after its turn came
    /// (so a request waiting for a token never holds a permit an urgent one needs).
    pub fn permits(mut self, permits: &'a tokio::sync::Semaphore) -> Self {
        self.permits = Some(permits);
        self
    }

    /// Calls after the first wait at `rest`: the first page of distributions fills the
    /// screen, the others are the sweep's.
    pub fn then(mut self, rest: Priority) -> Self {
        self.rest = rest;
        self
    }

    /// The references of the creates that got their turn and have no answer yet.
    fn left(&self) -> std::sync::MutexGuard<'_, std::collections::HashSet<String>> {
        self.left.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits its turn: at `first` until a call has been answered, then at `rest` (a
    /// throttled first page is asked again at the first page's priority).
    async fn turn(&self, kind: Kind) -> Option<tokio::sync::SemaphorePermit<'a>> {
        let priority = if self.started.load(Ordering::Relaxed) {
            self.rest
        } else {
            self.first
        };
        self.limiter.acquire(priority, kind).await;
        match self.permits {
            Some(p) => p.acquire().await.ok(),
            None => None,
        }
    }

    /// A read, waiting its turn; a throttled answer slows the limiter and the read is
    /// asked again (reads change nothing), up to `READ_RETRIES` times.
    async fn read<'c, T>(&'c self, call: impl Fn() -> BoxFuture<'c, CfResult<T>>) -> CfResult<T> {
        let mut tries = 0;
        loop {
            let permit = self.turn(Kind::Read).await;
            let result = call().await;
            drop(permit);
            if result.is_ok() {
                self.started.store(true, Ordering::Relaxed);
            }
            match result {
                Err(e) if e.is_throttled() => {
                    self.limiter.throttled();
                    tries += 1;
                    if tries > READ_RETRIES {
                        return Err(e);
                    }
                }
                other => return other,
            }
        }
    }
}

/// How many times a throttled read is asked again before its caller hears of it: with the
/// limiter halving its pace at each, about a minute of trying.
pub const READ_RETRIES: u32 = 5;

impl CloudFront for Paced<'_> {
    fn list_distributions_page<'b>(
        &'b self,
        marker: Option<&'b str>,
        max_items: u32,
    ) -> BoxFuture<'b, CfResult<Page<Distribution>>> {
        Box::pin(self.read(move || self.inner.list_distributions_page(marker, max_items)))
    }

    fn list_invalidations_page<'b>(
        &'b self,
        distribution: &'b str,
        marker: Option<&'b str>,
        max_items: u32,
    ) -> BoxFuture<'b, CfResult<Page<InvalidationSummary>>> {
        Box::pin(self.read(move || {
            self.inner
                .list_invalidations_page(distribution, marker, max_items)
        }))
    }

    fn get_invalidation<'b>(
        &'b self,
        distribution: &'b str,
        id: &'b str,
    ) -> BoxFuture<'b, CfResult<Invalidation>> {
        Box::pin(self.read(move || self.inner.get_invalidation(distribution, id)))
    }

    fn create_invalidation<'b>(
        &'b self,
        distribution: &'b str,
        paths: &'b [String],
        caller_reference: &'b str,
    ) -> BoxFuture<'b, CfResult<Invalidation>> {
        // A create is not asked again here: the engine decides that, under the same
        // CallerReference.
        Box::pin(async move {
            let permit = self.turn(Kind::Create).await;
            self.left().insert(caller_reference.to_string());
            let result = self
                .inner
                .create_invalidation(distribution, paths, caller_reference)
                .await;
            drop(permit);
            // Answered: a later attempt under this reference waits its own turn.
            self.left().remove(caller_reference);
            if result.as_ref().is_err_and(CfError::is_throttled) {
                self.limiter.throttled();
            }
            result
        })
    }

    fn list_tenants_page<'b>(
        &'b self,
        distribution: &'b str,
        marker: Option<&'b str>,
        max_items: u32,
    ) -> BoxFuture<'b, CfResult<Page<Tenant>>> {
        Box::pin(self.read(move || {
            self.inner
                .list_tenants_page(distribution, marker, max_items)
        }))
    }

    fn get_tenant<'b>(&'b self, identifier: &'b str) -> BoxFuture<'b, CfResult<Tenant>> {
        Box::pin(self.read(move || self.inner.get_tenant(identifier)))
    }

    fn get_tenant_by_domain<'b>(&'b self, domain: &'b str) -> BoxFuture<'b, CfResult<Tenant>> {
        Box::pin(self.read(move || self.inner.get_tenant_by_domain(domain)))
    }

    fn get_cache_tag_header<'b>(
        &'b self,
        distribution: &'b str,
    ) -> BoxFuture<'b, CfResult<Option<String>>> {
        Box::pin(self.read(move || self.inner.get_cache_tag_header(distribution)))
    }

    fn create_left(&self, caller_reference: &str) -> bool {
        self.left().contains(caller_reference) && self.inner.create_left(caller_reference)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicU32;

    use jiff::{SignedDuration, Timestamp};

    use super::*;
    use crate::clock::Clock;
    use crate::cloudfront::InvalidationStatus;
    use crate::pace::Pacing;

    /// Tokio's (paused) time as the limiter's clock.
    struct TokioClock(Timestamp, tokio::time::Instant);
    impl Clock for TokioClock {
        fn now(&self) -> Timestamp {
            self.0 + SignedDuration::try_from(self.1.elapsed()).unwrap()
        }
    }

    /// Throttles the first `throttles` reads, and every create.
    struct Throttling {
        throttles: u32,
        reads: AtomicU32,
        creates: AtomicU32,
    }

    fn throttled<T>() -> BoxFuture<'static, CfResult<T>> {
        Box::pin(async {
            Err(CfError::Throttled {
                detail: "Rate exceeded".into(),
            })
        })
    }

    impl CloudFront for Throttling {
        fn list_distributions_page<'a>(
            &'a self,
            _: Option<&'a str>,
            _: u32,
        ) -> BoxFuture<'a, CfResult<Page<Distribution>>> {
            unimplemented!()
        }
        fn list_invalidations_page<'a>(
            &'a self,
            _: &'a str,
            _: Option<&'a str>,
            _: u32,
        ) -> BoxFuture<'a, CfResult<Page<InvalidationSummary>>> {
            unimplemented!()
        }
        fn get_invalidation<'a>(
            &'a self,
            _: &'a str,
            id: &'a str,
        ) -> BoxFuture<'a, CfResult<Invalidation>> {
            if self.reads.fetch_add(1, Ordering::Relaxed) < self.throttles {
                return throttled();
            }
            if id == "INOPE" {
                let (distribution, id) = ("E1".to_string(), id.to_string());
                return Box::pin(
                    async move { Err(CfError::NoSuchInvalidation { distribution, id }) },
                );
            }
            let id = id.to_string();
            Box::pin(async move {
                Ok(Invalidation {
                    id,
                    status: InvalidationStatus::Completed,
                    create_time: Timestamp::UNIX_EPOCH,
                    paths: vec!["/a".into()],
                    caller_reference: "r".into(),
                })
            })
        }
        fn create_invalidation<'a>(
            &'a self,
            _: &'a str,
            _: &'a [String],
            _: &'a str,
        ) -> BoxFuture<'a, CfResult<Invalidation>> {
            self.creates.fetch_add(1, Ordering::Relaxed);
            throttled()
        }
        fn list_tenants_page<'a>(
            &'a self,
            _: &'a str,
            _: Option<&'a str>,
            _: u32,
        ) -> BoxFuture<'a, CfResult<Page<Tenant>>> {
            unimplemented!()
        }
        fn get_tenant<'a>(&'a self, _: &'a str) -> BoxFuture<'a, CfResult<Tenant>> {
            unimplemented!()
        }
        fn get_tenant_by_domain<'a>(&'a self, _: &'a str) -> BoxFuture<'a, CfResult<Tenant>> {
            unimplemented!()
        }
        fn get_cache_tag_header<'a>(
            &'a self,
            _: &'a str,
        ) -> BoxFuture<'a, CfResult<Option<String>>> {
            unimplemented!()
        }
    }

    fn setup(throttles: u32) -> (Throttling, Limiter) {
        let clock = Arc::new(TokioClock(
            Timestamp::UNIX_EPOCH,
            tokio::time::Instant::now(),
        ));
        let cf = Throttling {
            throttles,
            reads: AtomicU32::new(0),
            creates: AtomicU32::new(0),
        };
        (cf, Limiter::new(Pacing::DEFAULT, clock))
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttled_read_is_asked_again_at_a_slower_pace() {
        let (cf, limiter) = setup(2);
        let paced = Paced::new(&cf, &limiter, Priority::Operator);
        let started = tokio::time::Instant::now();
        let inv = tokio::time::timeout(
            std::time::Duration::from_secs(600),
            paced.get_invalidation("E1", "I1"),
        )
        .await
        .expect("served within ten minutes")
        .unwrap();
        assert_eq!(inv.id, "I1");
        assert_eq!(cf.reads.load(Ordering::Relaxed), 3);
        assert_eq!(limiter.stats().throttled, 2);
        // Two pauses of a second at least, at a quarter of the pace.
        assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_read_refused_otherwise_is_not_asked_again() {
        let (cf, limiter) = setup(0);
        let paced = Paced::new(&cf, &limiter, Priority::Operator);
        let err = paced.get_invalidation("E1", "INOPE").await.unwrap_err();
        assert!(matches!(err, CfError::NoSuchInvalidation { .. }), "{err:?}");
        assert_eq!(cf.reads.load(Ordering::Relaxed), 1);
        assert_eq!(limiter.stats().throttled, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_read_throttled_to_the_end_is_given_up_and_a_create_is_never_asked_again() {
        let (cf, limiter) = setup(u32::MAX);
        let paced = Paced::new(&cf, &limiter, Priority::Operator);
        let err = tokio::time::timeout(
            std::time::Duration::from_secs(600),
            paced.get_invalidation("E1", "I1"),
        )
        .await
        .expect("given up within ten minutes")
        .unwrap_err();
        assert!(err.is_throttled());
        assert_eq!(cf.reads.load(Ordering::Relaxed), READ_RETRIES + 1);
        let err = paced
            .create_invalidation("E1", &["/a".to_string()], "ref")
            .await
            .unwrap_err();
        assert!(err.is_throttled());
        assert_eq!(cf.creates.load(Ordering::Relaxed), 1, "the engine decides");
        assert_eq!(limiter.stats().throttled, u64::from(READ_RETRIES) + 2);
    }
}
