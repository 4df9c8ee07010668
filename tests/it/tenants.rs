//! Multi-tenant distributions and cache tags in the dashboard: tenants under their
//! distribution, listed and watched like distributions; the form steered from a tenant-only
//! distribution to its tenants, sharing its quotas, asking to type the name of a large or
//! priced fan-out; a `#tag` for a distribution without a cache-tag header marked and sent
//! only after a second submit; AccessDenied on either call named, and the rest working.

use crate::common::{Harness, START};
use cfdash::app::backfill::month_start;
use cfdash::app::form::LineMark;
use cfdash::app::tenants::TagSupport;
use cfdash::app::{Action, Effect, Mode, Request, Response};
use cfdash::cloudfront::sim::{SimData, SimSettings};
use cfdash::cloudfront::{self, CfError, CloudFront};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The demo's multi-tenant distribution and two of its tenants.
const MT: &str = "E3MT5K7W2QXR9B";
const BAKERY: &str = "dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB";
const NORTHWIND: &str = "dt_2wjE0qLxN4cPbR7tUvWyZ1aK3Cd";
/// Demo distributions with a cache-tag header, and without.
const STOREFRONT: &str = "E2QWRUHAPOMQZL";
const STATIC: &str = "E3HB8D6PLWQ0UF";

fn ctrl(h: &mut Harness, c: char) {
    h.act(Action::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

/// Selects the row with this id in the distributions pane.
fn select(h: &mut Harness, id: &str) {
    for _ in 0..3 {
        if h.app.session.focus == cfdash::app::Pane::Distributions {
            break;
        }
        h.key(KeyCode::Tab);
    }
    h.ch('g');
    let rows = h.app.session.view.len();
    for _ in 0..rows {
        if h.selected_dist() == id {
            return;
        }
        h.key(KeyCode::Down);
    }
    panic!("{id} is not a row: {}", h.screen());
}

/// The ids of the rows shown, top to bottom.
fn rows(h: &Harness) -> Vec<String> {
    let all = h.app.session.distributions.data().unwrap();
    h.app
        .session
        .view
        .iter()
        .map(|&i| all[i].id.clone())
        .collect()
}

/// An account of one plain distribution and one multi-tenant one with `tenants` tenants,
/// `history` invalidations each.
fn account(tenants: usize, history: u32) -> SimData {
    let mut text = format!(
        "[[distribution]]\nid = \"E1PLAIN\"\ndomain_name = \"d1.cloudfront.net\"\nhistory = {history}\n\
         [[distribution]]\nid = \"E2MULTI\"\ndomain_name = \"d2.cloudfront.net\"\ntenant_only = true\n"
    );
    for i in 0..tenants {
        text.push_str(&format!(
            "[[distribution.tenant]]\nid = \"dt_t{i:02}\"\nname = \"tenant-{i:02}\"\n\
             domains = [\"t{i:02}.example\"]\nhistory = {history}\n"
        ));
    }
    SimData::parse(&text).unwrap()
}

#[test]
fn tenants_sit_under_their_distribution_and_enter_opens_them() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 35);
    let all = h.app.session.distributions.data().unwrap();
    let tenants: Vec<&str> = all
        .iter()
        .filter(|d| d.tenant.is_some())
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(tenants.len(), 5, "listed with ListDistributionTenants");
    assert!(!rows(&h).iter().any(|r| cloudfront::is_tenant(r)), "closed");
    // Counted apart in the header, where it fits.
    assert!(h.screen().contains("13 distributions │"));
    h.act(Action::Resize {
        width: 200,
        height: 50,
    });
    assert!(h.screen().contains("13 distributions · 5 tenants"));
    h.act(Action::Resize {
        width: 120,
        height: 35,
    });

    select(&mut h, MT);
    assert!(h.screen().contains("▸"), "{}", h.screen());
    h.key(KeyCode::Enter);
    assert_eq!(h.app.session.focus, cfdash::app::Pane::Distributions);
    let shown = rows(&h);
    let at = shown.iter().position(|r| r == MT).unwrap();
    assert_eq!(
        &shown[at + 1..at + 6],
        [
            BAKERY,
            NORTHWIND,
            "dt_2wjE7mFgH9sQ2xVbN5kLpR8tYw4",
            "dt_2wjEB3vKq6XrT0nMjH8dSgF1uZ7",
            "dt_2wjEFp9WcY5zL1aQ4oN7eR2iT6s"
        ],
        "every tenant right under it"
    );
    let screen = h.screen();
    assert!(
        screen.contains("▾") && screen.contains("└ bakery-bliss"),
        "{screen}"
    );

    // Sorted by name the other way, the tenants still hang from their distribution.
    h.ch('s');
    h.ch('S');
    let shown = rows(&h);
    let at = shown.iter().position(|r| r == MT).unwrap();
    assert!(
        shown[at + 1..at + 6]
            .iter()
            .all(|r| cloudfront::is_tenant(r))
    );

    // Enter on a tenant opens its invalidations, listed like a distribution's.
    select(&mut h, BAKERY);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.session.focus, cfdash::app::Pane::Invalidations);
    let listed = h.app.session.invalidations[BAKERY]
        .list
        .data()
        .unwrap()
        .len();
    assert_eq!(listed, h.sim.invalidation_count(BAKERY).min(50));
    assert!(listed > 0);
    let screen = h.screen();
    assert!(
        screen.contains("bakery-bliss · shop.bakerybliss.com"),
        "{screen}"
    );
    assert!(screen.contains("tenant of d3mt5k7w2qxr9b"), "{screen}");

    // Enter on the distribution again closes it.
    select(&mut h, MT);
    h.key(KeyCode::Enter);
    assert!(!rows(&h).iter().any(|r| cloudfront::is_tenant(r)));
}

#[test]
fn the_filter_and_the_palette_find_tenants_by_name_domain_and_id() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 35);
    h.ch('/');
    h.typed("bakerybliss.com");
    assert_eq!(rows(&h), [MT, BAKERY], "the tenant, under its distribution");
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    assert!(!rows(&h).iter().any(|r| cloudfront::is_tenant(r)));

    for query in ["northwind", "dt_2wjE0qLx"] {
        h.ch(':');
        h.typed(query);
        h.key(KeyCode::Enter);
        assert_eq!(h.app.mode(), Mode::Normal);
        assert_eq!(h.selected_dist(), NORTHWIND, "{query}");
        assert!(h.app.session.expanded.contains(MT), "opened to show it");
    }
}

#[test]
fn the_form_steers_a_tenant_only_distribution_to_every_tenant_each_with_its_reference() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 35);
    select(&mut h, MT);
    let before: Vec<usize> = h
        .app
        .tenants_of(MT)
        .iter()
        .map(|t| h.sim.invalidation_count(&t.id))
        .collect();
    let plain_before = h.sim.invalidation_count(MT);
    h.ch('n');
    let form = h.app.form().unwrap();
    let tenants: Vec<String> = h.app.tenants_of(MT).iter().map(|t| t.id.clone()).collect();
    assert_eq!(form.targets, tenants, "every tenant, not the distribution");
    let steered = form.steered.clone().unwrap();
    assert!(steered.contains("serves tenants only"), "{steered}");
    assert!(h.screen().contains("5 tenants of d3mt5k7w2qxr9b"));
    h.typed("/index.html");
    ctrl(&mut h, 's');
    // The month is a lower bound (nothing fetched in the background yet): the fan-out may
    // cost, so the distribution's name is typed.
    assert_eq!(h.app.mode(), Mode::ConfirmTyped, "{}", h.screen());
    assert!(h.screen().contains("per tenant"), "{}", h.screen());
    h.typed("wrong");
    h.key(KeyCode::Enter);
    assert_eq!(h.sim.created(), 0, "a wrong name sends nothing");
    for _ in 0..5 {
        h.key(KeyCode::Backspace);
    }
    h.typed(MT);
    h.key(KeyCode::Enter);
    h.settle();
    let after: Vec<usize> = tenants
        .iter()
        .map(|t| h.sim.invalidation_count(t))
        .collect();
    assert_eq!(
        after,
        before.iter().map(|n| n + 1).collect::<Vec<_>>(),
        "one each"
    );
    assert_eq!(
        h.sim.invalidation_count(MT),
        plain_before,
        "none on the distribution"
    );
    // Each under its own CallerReference.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let mut references: Vec<String> = rt.block_on(async {
        let mut refs = Vec::new();
        for t in &tenants {
            let newest = h.sim.list_invalidations_page(t, None, 1).await.unwrap();
            let inv = h
                .sim
                .get_invalidation(t, &newest.items[0].id)
                .await
                .unwrap();
            assert_eq!(inv.paths, ["/index.html"]);
            refs.push(inv.caller_reference);
        }
        refs
    });
    references.sort();
    references.dedup();
    assert_eq!(references.len(), 5);
    assert!(h.app.form().is_none(), "the form closed on success");
}

#[test]
fn a_fan_out_asks_to_type_the_name_past_ten_tenants_not_at_ten_when_free() {
    for (tenants, typed) in [(10, false), (11, true)] {
        let mut h = Harness::with(account(tenants, 0), SimSettings::default(), 120, 35);
        assert!(
            h.app.session.backfill.month.is_exact(),
            "nothing this month"
        );
        select(&mut h, "E2MULTI");
        h.ch('n');
        assert_eq!(h.app.form().unwrap().targets.len(), tenants);
        h.typed("/a");
        ctrl(&mut h, 's');
        let want = if typed {
            Mode::ConfirmTyped
        } else {
            Mode::Confirm
        };
        assert_eq!(h.app.mode(), want, "{tenants} tenants");
        if typed {
            assert_eq!(h.app.confirm_word().unwrap().1, "E2MULTI");
            // The confirmation names five, and says how many more: the paths stay in sight.
            let screen = h.screen();
            assert!(screen.contains("… and 6 more tenants"), "{screen}");
            assert!(screen.contains("/a"), "{screen}");
        }
    }
}

#[test]
fn tenants_of_a_distribution_share_its_in_progress_quotas() {
    let mut h = Harness::with(account(2, 0), SimSettings::default(), 120, 35);
    select(&mut h, "E2MULTI");
    h.ch('n');
    // Ten wildcards for each tenant: 20 would pass the 15 a distribution may have in
    // progress, counted on the distribution.
    for i in 0..10 {
        if i > 0 {
            h.key(KeyCode::Enter);
        }
        h.typed(&format!("/w{i}/*"));
    }
    ctrl(&mut h, 's');
    h.key(KeyCode::Enter);
    let creates: Vec<String> = h
        .queue
        .iter()
        .filter_map(|e| match e {
            Effect::Request {
                request: Request::CreateInvalidation { distribution, .. },
                ..
            } => Some(distribution.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(creates, ["dt_t00"], "the second waits for room");
    h.settle();
    assert_eq!(h.sim.invalidation_count("dt_t00"), 1);
    assert_eq!(h.sim.invalidation_count("dt_t01"), 0);
    let quota = h.app.quota_on("dt_t01");
    assert_eq!(
        quota.used.wildcards, 10,
        "the other tenant's count against it"
    );
    // Once the first completes, the second goes.
    for _ in 0..30 {
        h.advance(jiff::SignedDuration::from_secs(60));
    }
    assert_eq!(h.sim.invalidation_count("dt_t01"), 1);
}

#[test]
fn a_tag_where_the_distribution_has_no_cache_tag_header_needs_a_second_submit() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 35);
    select(&mut h, STATIC);
    h.ch('n');
    h.settle(); // GetDistributionConfig
    assert_eq!(h.app.tag_support(STATIC), TagSupport::None);
    h.typed("#sale");
    let form = h.app.form().unwrap();
    assert_eq!(form.mark(0), LineMark::TagWarning);
    assert!(
        h.screen().contains("has no cache-tag header"),
        "{}",
        h.screen()
    );
    ctrl(&mut h, 's');
    assert_eq!(h.app.mode(), Mode::Form, "held back once");
    let error = h.app.form().unwrap().error.clone().unwrap();
    assert!(error.contains("Ctrl-S again"), "{error}");
    ctrl(&mut h, 's');
    assert_eq!(h.app.mode(), Mode::Confirm);
    h.key(KeyCode::Enter);
    h.settle();
    assert_eq!(h.sim.created(), 1);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let paths = rt.block_on(async {
        let newest = h
            .sim
            .list_invalidations_page(STATIC, None, 1)
            .await
            .unwrap();
        let inv = h.sim.get_invalidation(STATIC, &newest.items[0].id).await;
        inv.unwrap().paths
    });
    assert_eq!(paths, ["#sale"], "a tag is never prefixed with /");

    // The storefront has a header: no mark, one submit.
    h.key(KeyCode::Esc);
    select(&mut h, STOREFRONT);
    h.ch('n');
    h.settle();
    assert_eq!(
        h.app.tag_support(STOREFRONT),
        TagSupport::Header("Cache-Tag".into())
    );
    h.typed("#sale");
    assert_eq!(h.app.form().unwrap().mark(0), LineMark::Ok);
    ctrl(&mut h, 's');
    assert_eq!(h.app.mode(), Mode::Confirm);
}

#[test]
fn access_denied_on_the_config_is_unknown_support_never_no_header() {
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 35);
    select(&mut h, STATIC);
    h.key(KeyCode::Enter);
    h.settle_with(|r| {
        matches!(r, Request::GetCacheTags { .. }).then(|| {
            Response::CacheTags(Err(CfError::AccessDenied {
                action: "GetDistributionConfig".into(),
                detail: String::new(),
            }))
        })
    });
    assert_eq!(h.app.tag_support(STATIC), TagSupport::Denied);
    assert!(h.screen().contains("cache tags: unknown"), "{}", h.screen());
    h.ch('n');
    h.typed("#sale");
    assert_eq!(h.app.form().unwrap().mark(0), LineMark::Ok, "no warning");
    assert!(
        h.screen()
            .contains("unknown (no cloudfront:GetDistributionConfig)")
    );
    ctrl(&mut h, 's');
    assert_eq!(h.app.mode(), Mode::Confirm);
}

#[test]
fn access_denied_on_tenants_names_the_action_and_the_rest_works() {
    let mut h = Harness::unsettled(SimData::demo(), SimSettings::default(), 120, 35);
    h.settle_with(|r| {
        matches!(r, Request::ListTenants { .. }).then(|| {
            Response::Tenants(Err(CfError::AccessDenied {
                action: "ListDistributionTenants".into(),
                detail: String::new(),
            }))
        })
    });
    let notices: Vec<String> = h.app.memory.log.iter().map(|n| n.text.clone()).collect();
    assert!(
        notices
            .iter()
            .any(|n| n.contains("cloudfront:ListDistributionTenants")),
        "{notices:?}"
    );
    assert_eq!(h.app.tenants_of(MT).len(), 0);
    assert!(h.app.session.invalidations[STATIC].list.data().is_some());
    assert!(
        !h.app.session.backfill.month.is_exact(),
        "tenants' invalidations unknown"
    );
    select(&mut h, MT);
    h.ch('n');
    assert!(h.app.form().is_none(), "nowhere to send");
    assert!(h.notice_text().contains("--tenant"), "{}", h.notice_text());
}

#[test]
fn the_month_counts_tenants_invalidations_and_is_exact_only_once_they_are_listed() {
    let mut h = Harness::unsettled(account(2, 40), SimSettings::default(), 120, 35);
    // Everything answered but the tenants.
    h.settle_with(|r| {
        matches!(r, Request::ListTenants { .. })
            .then(|| Response::Tenants(Err(CfError::Network { detail: "x".into() })))
    });
    while h.backfill(100) > 0 {}
    assert!(
        !h.app.session.backfill.month.is_exact(),
        "tenants not listed"
    );
    h.ch('r');
    h.settle();
    while h.backfill(100) > 0 {}
    let month = h.app.session.backfill.month.clone();
    assert!(month.is_exact(), "{month:?}");
    // The paths of the month, counted from the simulator: the distributions' and the
    // tenants'.
    let since = month_start(START.parse().unwrap());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let want: usize = rt.block_on(async {
        let mut paths = 0;
        for target in ["E1PLAIN", "E2MULTI", "dt_t00", "dt_t01"] {
            let all = cloudfront::list_recent_invalidations(h.sim.as_ref(), target, 1000)
                .await
                .unwrap();
            for i in all.iter().filter(|i| i.create_time >= since) {
                paths += h
                    .sim
                    .get_invalidation(target, &i.id)
                    .await
                    .unwrap()
                    .paths
                    .len();
            }
        }
        paths
    });
    assert_eq!(month.paths, want);
    assert_eq!(
        month,
        h.app.session.month_count(since, 50),
        "kept as counted from scratch"
    );
}

#[test]
fn copy_gives_a_tenants_own_commands_and_open_its_distributions_page() {
    use cfdash::app::clip::Clip;
    let mut h = Harness::with(SimData::demo(), SimSettings::default(), 120, 35);
    select(&mut h, MT);
    h.key(KeyCode::Enter);
    select(&mut h, BAKERY);
    h.key(KeyCode::Enter);
    let texts: Vec<String> = h
        .app
        .copy_choices()
        .into_iter()
        .filter_map(|c| match c.clip {
            Clip::Text(t) => Some(t),
            Clip::Paths(_) => None,
        })
        .collect();
    let id = h.app.selected_invalidation().unwrap().id;
    assert!(
        texts
            .iter()
            .any(|t| t.ends_with(&format!(" status --tenant {BAKERY} {id}"))),
        "{texts:?}"
    );
    assert!(
        texts.iter().all(|t| !t.contains("get-invalidation ")),
        "{texts:?}"
    );
    let d = h.app.selected_distribution().unwrap().clone();
    let url = cfdash::app::clip::console_url(&d, h.app.selected_invalidation().as_ref());
    assert!(url.ends_with(&format!("#/distributions/{MT}")), "{url}");
}

#[test]
fn a_fan_out_to_thousands_of_tenants_is_sent_one_invalidation_each() {
    // Before, the form, the queue's pump and the engine went over every row or batch for
    // every target or answer: 3,000 tenants froze the dashboard for minutes. How long it
    // takes is measured by `benches/tenants.rs`, not here.
    let tenants = 1_000;
    let mut h = Harness::with(account(tenants, 0), SimSettings::default(), 120, 35);
    select(&mut h, "E2MULTI");
    h.ch('n');
    assert_eq!(h.app.form().unwrap().targets.len(), tenants);
    h.typed("/a");
    ctrl(&mut h, 's');
    assert_eq!(h.app.mode(), Mode::ConfirmTyped, "{}", h.screen());
    assert!(
        h.screen().contains("… and 995 more tenants"),
        "{}",
        h.screen()
    );
    h.typed("E2MULTI");
    h.key(KeyCode::Enter);
    h.settle();
    assert_eq!(h.sim.created(), tenants as u64);
    assert!(
        (0..tenants).all(|i| h.sim.invalidation_count(&format!("dt_t{i:02}")) == 1),
        "one each"
    );
}
