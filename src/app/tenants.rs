//! Multi-tenant distributions and cache tags in the dashboard.
//!
//! A tenant-only distribution's tenants (ListDistributionTenants, all pages, once a sweep)
//! become rows of the distributions list, right under it: their invalidations are listed,
//! polled, watched, searched and counted in the month like a distribution's, under the
//! tenant's id (`dt_…`), which the backends send to the tenant operations. Enter on the
//! distribution shows or hides them; the filter and the palette find them by name, id and
//! domain.
//!
//! A distribution's cache-tag header (GetDistributionConfig's `CacheTagConfig`) is read
//! when it is selected or targeted by the form, kept in the journal, and read again when
//! the distribution's last-modified time changes.

use std::collections::HashMap;

use jiff::Timestamp;

use super::action::{Effect, Request, Slot};
use super::{App, NoticeKind, Remote};
use crate::cloudfront::{CfError, Distribution, Tenant};
use crate::pace::Priority;

/// What cfdash knows of a distribution's cache-tag support.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagSupport {
    /// Not read yet (or the read failed, and is asked again).
    Unknown,
    /// The profile may not read the distribution's config: support is unknown.
    Denied,
    /// No CacheTagConfig: a `#tag` matches nothing.
    None,
    /// Tags come in this header.
    Header(String),
}

/// The cached answer of GetDistributionConfig, with the last-modified time it was read at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagState {
    Known {
        header: Option<String>,
        modified: Timestamp,
    },
    Denied,
}

impl App {
    /// After a listing of distributions: the tenant rows known from before stay under
    /// their distribution, until its tenants are listed again (`list_tenants`).
    pub(super) fn keep_tenants(&self, mut list: Vec<Distribution>) -> Vec<Distribution> {
        let Some(old) = self.session.distributions.data() else {
            return list;
        };
        let mut kept: HashMap<&str, Vec<Distribution>> = HashMap::new();
        for d in old {
            if let Some(t) = &d.tenant {
                kept.entry(t.distribution.as_str())
                    .or_default()
                    .push(d.clone());
            }
        }
        if kept.is_empty() {
            return list;
        }
        let mut out = Vec::with_capacity(list.len());
        for d in list.drain(..) {
            let rows = d.tenant_only.then(|| kept.remove(d.id.as_str())).flatten();
            out.push(d);
            out.extend(rows.unwrap_or_default());
        }
        out
    }

    /// Asks for the tenants of every tenant-only distribution listed: the selected one and
    /// those shown expanded first.
    pub(super) fn list_tenants(&mut self, fx: &mut Vec<Effect>) {
        let Some(all) = self.session.distributions.data() else {
            return;
        };
        let selected = self.selected_distribution_id();
        let asks: Vec<(String, Priority)> = all
            .iter()
            .filter(|d| d.tenant_only && !self.session.tenants_denied)
            .map(|d| {
                let near =
                    Some(&d.id) == selected.as_ref() || self.session.expanded.contains(&d.id);
                let p = if near {
                    Priority::Visible
                } else {
                    Priority::Sweep
                };
                (d.id.clone(), p)
            })
            .collect();
        for (id, priority) in asks {
            self.request(
                Slot::Tenants(id.clone()),
                Request::ListTenants {
                    distribution: id,
                    priority,
                },
                fx,
            );
        }
    }

    /// Every tenant of `dist`, or why they could not be listed.
    pub(super) fn on_tenants(
        &mut self,
        dist: &str,
        result: Result<Vec<Tenant>, CfError>,
        fx: &mut Vec<Effect>,
    ) {
        let tenants = match result {
            Ok(t) => t,
            Err(CfError::AccessDenied { action, .. }) => {
                // Said once: the rest of the dashboard keeps working without tenants.
                if !self.session.tenants_denied {
                    self.session.tenants_denied = true;
                    let text = format!(
                        "access denied to cloudfront:{action}: the tenants of multi-tenant distributions are not shown (ask for that permission); the rest works"
                    );
                    self.notify(NoticeKind::Error, text);
                }
                return;
            }
            Err(error) => return self.notify_error(&error),
        };
        let keep = self.selected_distribution_id();
        let rows: Vec<Distribution> = tenants.iter().map(Tenant::row).collect();
        // Those known before were asked for with the listing of distributions.
        let known: std::collections::HashSet<String> =
            self.tenants_of(dist).iter().map(|d| d.id.clone()).collect();
        let ids: std::collections::HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let gone: Vec<String> = known
            .iter()
            .filter(|id| !ids.contains(id.as_str()))
            .cloned()
            .collect();
        let Remote::Ready { data, .. } = &mut self.session.distributions else {
            return;
        };
        let Some(parent) = data.iter().position(|d| d.id == dist) else {
            return; // gone since it was asked
        };
        data.retain(|d| !d.is_tenant_of(dist));
        let at = parent.min(data.len().saturating_sub(1)) + 1;
        data.splice(at..at, rows.iter().cloned());
        for id in gone {
            self.replace_list(&id, None);
            self.session.invalidations.remove(&id);
            self.session.marked.remove(&id);
        }
        self.session.tenants_listed.insert(dist.to_string());
        self.session.backfill.touch();
        self.rebuild_view(keep.as_deref());
        // Their invalidations, as a sweep lists every distribution's.
        let expanded = self.session.expanded.contains(dist);
        for r in rows {
            if !known.contains(&r.id) && !self.listed_this_sweep(&r.id) {
                let p = if expanded {
                    Priority::Visible
                } else {
                    Priority::Sweep
                };
                self.request_list_at(&r.id, p, fx);
            }
        }
        self.sync_detail(fx);
    }

    /// Enter on a tenant-only distribution: shows or hides its tenants (asking for them if
    /// none are known yet). Returns false for any other row.
    pub(super) fn toggle_tenants(&mut self, fx: &mut Vec<Effect>) -> bool {
        let Some(d) = self.selected_distribution() else {
            return false;
        };
        if !d.tenant_only {
            return false;
        }
        let id = d.id.clone();
        if !self.session.expanded.remove(&id) {
            self.session.expanded.insert(id.clone());
            let known = !self.tenants_of(&id).is_empty();
            if !known && !self.requests.is_running(&Slot::Tenants(id.clone())) {
                if self.session.tenants_denied {
                    self.notify(
                        NoticeKind::Error,
                        "its tenants cannot be listed: access denied to cloudfront:ListDistributionTenants".into(),
                    );
                } else {
                    self.request(
                        Slot::Tenants(id.clone()),
                        Request::ListTenants {
                            distribution: id.clone(),
                            priority: Priority::Operator,
                        },
                        fx,
                    );
                }
            }
        }
        self.rebuild_view(Some(&id));
        self.show_tenants_of_selected();
        true
    }

    /// Scrolls so that the tenants under the selected distribution show, as many as fit
    /// with it still on screen.
    pub(super) fn show_tenants_of_selected(&mut self) {
        let Some(all) = self.session.distributions.data() else {
            return;
        };
        let selected = self.session.dist_scroll.selected;
        let Some(id) = self.session.view.get(selected).map(|&i| all[i].id.clone()) else {
            return;
        };
        let last = self.session.view[selected + 1..]
            .iter()
            .take_while(|&&i| all[i].is_tenant_of(&id))
            .count();
        let height = self.dist_page();
        let scroll = &mut self.session.dist_scroll;
        let want = (selected + last + 1).saturating_sub(height);
        scroll.offset = scroll.offset.max(want.min(selected));
    }

    /// The tenants of a distribution known now, in the list's order.
    pub fn tenants_of(&self, dist: &str) -> Vec<&Distribution> {
        self.session
            .distributions
            .data()
            .map(|all| all.iter().filter(|d| d.is_tenant_of(dist)).collect())
            .unwrap_or_default()
    }

    /// The distribution whose quotas and config a row's invalidations go by: its own, or
    /// a tenant's distribution.
    pub fn owner_of(&self, id: &str) -> String {
        if !crate::cloudfront::is_tenant(id) {
            return id.to_string();
        }
        self.session
            .distribution(id)
            .map_or_else(|| id.to_string(), |d| d.quota_owner().to_string())
    }

    /// [`App::owner_of`] of each target, in one pass over the list.
    pub fn owners_of(&self, targets: &[String]) -> Vec<String> {
        if !targets.iter().any(|t| crate::cloudfront::is_tenant(t)) {
            return targets.to_vec();
        }
        let of: HashMap<&str, &str> = self
            .session
            .distributions
            .data()
            .map(|all| {
                all.iter()
                    .filter_map(|d| Some((d.id.as_str(), d.tenant.as_ref()?.distribution.as_str())))
                    .collect()
            })
            .unwrap_or_default();
        targets
            .iter()
            .map(|t| {
                of.get(t.as_str())
                    .map_or_else(|| t.clone(), |o| o.to_string())
            })
            .collect()
    }

    /// The form's targets, with every tenant-only distribution among them replaced by its
    /// tenants (it has no routing endpoint of its own: a plain invalidation there reaches
    /// no viewer), and the sentence that says so. `None`, with a notice, when its tenants
    /// are not known.
    pub(super) fn steer_to_tenants(
        &mut self,
        targets: Vec<String>,
    ) -> Option<(Vec<String>, Option<String>)> {
        let multi: Vec<String> = targets
            .iter()
            .filter(|t| self.session.distribution(t).is_some_and(|d| d.tenant_only))
            .cloned()
            .collect();
        if multi.is_empty() {
            return Some((targets, None));
        }
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut said = Vec::new();
        for t in targets {
            if !multi.contains(&t) {
                if seen.insert(t.clone()) {
                    out.push(t);
                }
                continue;
            }
            let name = self.distribution_name(&t);
            let tenants: Vec<String> = self.tenants_of(&t).iter().map(|d| d.id.clone()).collect();
            if tenants.is_empty() {
                let why = if self.session.tenants_denied {
                    "its tenants cannot be listed (access denied to cloudfront:ListDistributionTenants): name one with `cfdash invalidate --tenant`"
                } else if self.session.tenants_listed.contains(&t) {
                    "it has no tenants"
                } else {
                    "its tenants are not listed yet: try again in a moment"
                };
                self.notify(
                    NoticeKind::Error,
                    format!("{name} serves tenants only, and {why}"),
                );
                return None;
            }
            said.push(format!(
                "{name} serves tenants only: this invalidates every tenant ({}); Esc, then Enter on it and Space on tenants, to choose",
                tenants.len()
            ));
            for id in tenants {
                if seen.insert(id.clone()) {
                    out.push(id);
                }
            }
        }
        Some((out, Some(said.join(" · "))))
    }

    /// Reads the cache-tag header of the distributions the form targets, where unknown.
    pub(super) fn form_wants_tags(&mut self, fx: &mut Vec<Effect>) {
        let Some(form) = self.form() else {
            return;
        };
        let owners: Vec<String> = form.distinct_owners().into_iter().cloned().collect();
        for owner in owners {
            self.want_cache_tags(&owner, fx);
        }
    }

    /// The form's targets without a cache-tag header, and those whose support is unknown,
    /// by their distributions' names (tenants go by their distribution's config).
    pub(super) fn refresh_form_tags(&mut self) {
        let Some(form) = self.form() else {
            return;
        };
        let (mut none, mut unknown) = (Vec::new(), Vec::new());
        for owner in form.distinct_owners() {
            let name = self.distribution_name(owner);
            match self.tag_support(owner) {
                TagSupport::None => none.push(name),
                TagSupport::Denied => unknown.push(name),
                TagSupport::Header(_) | TagSupport::Unknown => {}
            }
        }
        if let Some(form) = self.screen.form_mut() {
            form.tagless = none;
            form.tags_unknown = unknown;
        }
    }

    // ---- cache tags -------------------------------------------------------------------

    /// What cfdash knows of `id`'s cache-tag support (a tenant's is its distribution's).
    pub fn tag_support(&self, id: &str) -> TagSupport {
        let owner = self.owner_of(id);
        match self.session.cache_tags.get(&owner) {
            Some(TagState::Denied) => TagSupport::Denied,
            Some(TagState::Known { header, .. }) => match header {
                Some(h) => TagSupport::Header(h.clone()),
                None => TagSupport::None,
            },
            None => TagSupport::Unknown,
        }
    }

    /// Reads `id`'s distribution config when its cache-tag header is not known for the
    /// distribution as last modified.
    pub(super) fn want_cache_tags(&mut self, id: &str, fx: &mut Vec<Effect>) {
        let owner = self.owner_of(id);
        let Some(modified) = self.session.distribution(&owner).map(|d| d.last_modified) else {
            return;
        };
        let fresh = match self.session.cache_tags.get(&owner) {
            Some(TagState::Denied) => true,
            Some(TagState::Known { modified: m, .. }) => *m == modified,
            None => false,
        };
        let slot = Slot::CacheTags(owner.clone());
        if fresh || self.requests.is_running(&slot) {
            return;
        }
        self.request(
            slot,
            Request::GetCacheTags {
                distribution: owner,
                last_modified: modified,
            },
            fx,
        );
    }

    pub(super) fn on_cache_tags(&mut self, dist: &str, result: Result<Option<String>, CfError>) {
        match result {
            Ok(header) => {
                let modified = self
                    .session
                    .distribution(dist)
                    .map_or(Timestamp::UNIX_EPOCH, |d| d.last_modified);
                self.session
                    .cache_tags
                    .insert(dist.to_string(), TagState::Known { header, modified });
            }
            Err(CfError::AccessDenied { .. }) => {
                self.session
                    .cache_tags
                    .insert(dist.to_string(), TagState::Denied);
            }
            // Asked again the next time it is selected.
            Err(error) => tracing::debug!(%dist, ?error, "cache-tag header not read"),
        }
        self.refresh_form_tags();
    }
}
