//! A backend seen through its account's limiter: every call waits its turn first, and a
//! throttled answer slows the limiter down (docs/ARCHITECTURE.md, "Pacing").

use std::sync::atomic::{AtomicBool, Ordering};

use futures::future::BoxFuture;

use super::{CfResult, CloudFront, Distribution, Invalidation, InvalidationSummary, Page};
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

    async fn turn(&self, kind: Kind) -> Option<tokio::sync::SemaphorePermit<'a>> {
        let priority = if self.started.swap(true, Ordering::Relaxed) {
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

    fn seen<T>(&self, result: CfResult<T>) -> CfResult<T> {
        if let Err(e) = &result
            && e.is_throttled()
        {
            self.limiter.throttled();
        }
        result
    }
}

impl CloudFront for Paced<'_> {
    fn list_distributions_page<'b>(
        &'b self,
        marker: Option<&'b str>,
        max_items: u32,
    ) -> BoxFuture<'b, CfResult<Page<Distribution>>> {
        Box::pin(async move {
            let _permit = self.turn(Kind::Read).await;
            self.seen(self.inner.list_distributions_page(marker, max_items).await)
        })
    }

    fn list_invalidations_page<'b>(
        &'b self,
        distribution: &'b str,
        marker: Option<&'b str>,
        max_items: u32,
    ) -> BoxFuture<'b, CfResult<Page<InvalidationSummary>>> {
        Box::pin(async move {
            let _permit = self.turn(Kind::Read).await;
            self.seen(
                self.inner
                    .list_invalidations_page(distribution, marker, max_items)
                    .await,
            )
        })
    }

    fn get_invalidation<'b>(
        &'b self,
        distribution: &'b str,
        id: &'b str,
    ) -> BoxFuture<'b, CfResult<Invalidation>> {
        Box::pin(async move {
            let _permit = self.turn(Kind::Read).await;
            self.seen(self.inner.get_invalidation(distribution, id).await)
        })
    }

    fn create_invalidation<'b>(
        &'b self,
        distribution: &'b str,
        paths: &'b [String],
        caller_reference: &'b str,
    ) -> BoxFuture<'b, CfResult<Invalidation>> {
        Box::pin(async move {
            let _permit = self.turn(Kind::Create).await;
            self.seen(
                self.inner
                    .create_invalidation(distribution, paths, caller_reference)
                    .await,
            )
        })
    }
}
