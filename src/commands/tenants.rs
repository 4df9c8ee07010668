//! Distribution tenants in the headless commands: `cfdash tenants -d D`, and the targets
//! of `invalidate`, `status` and `invalidations` that are tenants (`--tenant`,
//! `--all-tenants`). A tenant is sent where a distribution would be, by its id `dt_…`: the
//! backends route its invalidations to the `…ForDistributionTenant` operations, and the
//! same engine sends them.

use serde_json::json;

use super::cloud::{self, Fail, label};
use crate::cli::{InvalidateArgs, TenantsArgs};
use crate::cloudfront::{self, CfError, CfResult, CloudFront, Distribution, Tenant};
use crate::text::{self, print, print_raw, say};

/// What an invalidation command aims at, as its reports name it: a distribution, or a
/// tenant (its row, id `dt_…`) with the distribution it belongs to.
#[derive(Clone, Debug)]
pub struct Target {
    /// The distribution, or the tenant's row: its id is what is sent.
    pub row: Distribution,
    /// The distribution: its own id, or the tenant's distribution's.
    pub distribution: String,
    pub distribution_name: String,
}

impl Target {
    pub fn distribution(d: Distribution) -> Self {
        Self {
            distribution: d.id.clone(),
            distribution_name: d.display_name().to_string(),
            row: d,
        }
    }

    pub fn tenant(t: &Tenant, parent: Option<&Distribution>) -> Self {
        Self {
            row: t.row(),
            distribution: t.distribution_id.clone(),
            distribution_name: parent
                .map_or(t.distribution_id.clone(), |p| p.display_name().to_string()),
        }
    }

    pub fn id(&self) -> &str {
        &self.row.id
    }

    /// The tenant's name, for a tenant.
    pub fn tenant_name(&self) -> Option<&str> {
        self.row.tenant.as_ref().map(|t| t.name.as_str())
    }

    /// The name a table's NAME column shows: a tenant's name, else the distribution's.
    pub fn name(&self) -> &str {
        self.row.display_name()
    }

    /// `distribution` and `distribution_name`, and for a tenant `tenant` and
    /// `tenant_name`: the head of every JSON object about an invalidation.
    pub fn json(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut j = serde_json::Map::new();
        j.insert("distribution".into(), json!(self.distribution));
        j.insert("distribution_name".into(), json!(self.distribution_name));
        if let Some(name) = self.tenant_name() {
            j.insert("tenant".into(), json!(self.row.id));
            j.insert("tenant_name".into(), json!(name));
        }
        j
    }
}

/// `cfdash tenants -d D`: every tenant of a multi-tenant distribution.
pub async fn tenants(cf: &dyn CloudFront, args: &TenantsArgs) -> Result<(), Fail> {
    let d = cloud::resolve(cf, std::slice::from_ref(&args.distribution))
        .await?
        .remove(0);
    if !d.tenant_only {
        return Err(Fail::Usage(format!(
            "{} is not a multi-tenant distribution (its connection mode is not tenant-only): it has no tenants",
            label(&d)
        )));
    }
    let list = cloudfront::list_all_tenants(cf, &d.id).await?;
    if args.json {
        let rows: Vec<_> = list
            .iter()
            .map(|t| {
                json!({
                    "id": t.id,
                    "name": t.name,
                    "distribution": t.distribution_id,
                    "domains": t.domains,
                    "enabled": t.enabled,
                    "status": t.status,
                    "arn": t.arn,
                    "last_modified": t.last_modified.to_string(),
                })
            })
            .collect();
        print_raw(serde_json::to_string_pretty(&rows).expect("json"));
        return Ok(());
    }
    let width = list
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, text::MAX_COLUMN);
    print(format!(
        "{:<29}  {:<width$}  {:<7}  {:<10}  DOMAINS",
        "ID", "NAME", "ENABLED", "STATUS"
    ));
    for t in &list {
        print(format!(
            "{:<29}  {:<width$}  {:<7}  {:<10}  {}",
            t.id,
            t.name,
            match t.enabled {
                Some(true) => "yes",
                Some(false) => "no",
                None => "?",
            },
            t.status.as_deref().unwrap_or("?"),
            t.domains.join(" ")
        ));
    }
    if list.is_empty() {
        say(format!("{} has no tenants", label(&d)));
    }
    Ok(())
}

/// The tenant an operator named (its id `dt_…`, its name, or one of its domains), with its
/// distribution. Unknown: exit 3, as an unknown distribution, naming the command that
/// lists the tenants.
pub async fn find(cf: &dyn CloudFront, named: &str) -> Result<Target, Fail> {
    find_among(cf, named, None).await
}

/// [`find`], with the account's distributions if they were listed already (to name the
/// tenant's distribution, or the ones to ask when it is unknown): `--tenant` given many
/// times lists them once.
async fn find_among(
    cf: &dyn CloudFront,
    named: &str,
    listed: Option<&CfResult<Vec<Distribution>>>,
) -> Result<Target, Fail> {
    let named = named.trim();
    if named.is_empty() || named.contains(|c: char| c.is_whitespace() || c == ',') {
        return Err(Fail::Usage(format!(
            "\"{}\" is not a distribution tenant: give its id (dt_…), its name or one of its domains",
            text::quote(named)
        )));
    }
    let found = match cloudfront::tenants_named(cf, named).await {
        Ok(ts) if ts.len() > 1 => {
            return Err(Fail::Usage(format!(
                "\"{}\" names two distribution tenants: {}; give the id of the one you mean",
                text::quote(named),
                ts.iter()
                    .map(|t| format!("{} ({})", t.id, text::quote(&t.name)))
                    .collect::<Vec<_>>()
                    .join(" and ")
            )));
        }
        Ok(ts) => ts.into_iter().next().ok_or_else(|| CfError::NoSuchTenant {
            id: named.to_string(),
        }),
        Err(e) => Err(e),
    };
    let owned;
    let all = match listed {
        Some(all) => all,
        None => {
            owned = cloudfront::list_all_distributions(cf).await;
            &owned
        }
    };
    match found {
        Ok(t) => {
            let parent = all
                .as_ref()
                .ok()
                .and_then(|all| all.iter().find(|d| d.id == t.distribution_id));
            Ok(Target::tenant(&t, parent))
        }
        Err(CfError::NoSuchTenant { .. }) => {
            let multi: Vec<&Distribution> = all
                .as_ref()
                .map(|all| all.iter().filter(|d| d.tenant_only).collect())
                .unwrap_or_default();
            let run = match multi.as_slice() {
                [] => "`cfdash tenants -d DIST` lists a multi-tenant distribution's tenants".into(),
                some => format!(
                    "`cfdash tenants -d {}` lists its tenants (multi-tenant distributions here: {})",
                    some[0].id,
                    some.iter()
                        .take(5)
                        .map(|d| label(d))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            Err(Fail::Aws(format!(
                "no distribution tenant {} in this account: give its id (dt_…), its name or one of its domains; {run}",
                text::quote(named)
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// What to do instead of a plain invalidation on a tenant-only distribution, naming a few
/// of its tenants.
pub fn advice(d: &Distribution, tenants: &[Tenant]) -> String {
    let some: Vec<&str> = tenants.iter().take(5).map(|t| t.name.as_str()).collect();
    let names = match tenants.len() {
        0 => String::new(),
        n if n > some.len() => format!(" (its {n} tenants: {}, …)", some.join(", ")),
        n => format!(
            " (its {}: {})",
            if n == 1 {
                "tenant".to_string()
            } else {
                format!("{n} tenants")
            },
            some.join(", ")
        ),
    };
    format!(
        "{} serves tenants only: invalidate every tenant with `--all-tenants -d {}`, or choose with `--tenant NAME`{names}",
        label(d),
        d.id
    )
}

/// [`advice`], listing the distribution's tenants (without names if they cannot be listed).
pub async fn steer(cf: &dyn CloudFront, d: &Distribution) -> String {
    let tenants = cloudfront::list_all_tenants(cf, &d.id)
        .await
        .unwrap_or_default();
    advice(d, &tenants)
}

/// Everything `invalidate` aims at, in order and each once: the distributions (`-d`), or
/// with `--all-tenants` each one's tenants, and the tenants (`--tenant`). A plain
/// invalidation of a tenant-only distribution is refused here, before anything is sent,
/// unless `--plain-on-multi-tenant`.
pub async fn targets(cf: &dyn CloudFront, args: &InvalidateArgs) -> Result<Vec<Target>, Fail> {
    let mut out: Vec<Target> = Vec::new();
    if !args.distributions.is_empty() {
        for d in cloud::resolve(cf, &args.distributions).await? {
            if args.all_tenants {
                if !d.tenant_only {
                    return Err(Fail::Usage(format!(
                        "{} is not a multi-tenant distribution: it has no tenants; leave out --all-tenants to invalidate it",
                        label(&d)
                    )));
                }
                let tenants = cloudfront::list_all_tenants(cf, &d.id).await?;
                if tenants.is_empty() {
                    return Err(Fail::Usage(format!(
                        "{} has no tenants: nothing to invalidate",
                        label(&d)
                    )));
                }
                out.extend(tenants.iter().map(|t| Target::tenant(t, Some(&d))));
            } else if d.tenant_only && !args.plain_on_multi_tenant {
                return Err(Fail::Usage(format!(
                    "{}; nothing was sent (--plain-on-multi-tenant sends a plain invalidation to {} anyway, which may not reach its tenants' caches)",
                    steer(cf, &d).await,
                    d.id
                )));
            } else {
                out.push(Target::distribution(d));
            }
        }
    }
    if !args.tenants.is_empty() {
        let all = cloudfront::list_all_distributions(cf).await;
        for named in &args.tenants {
            out.push(find_among(cf, named, Some(&all)).await?);
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|t| seen.insert(t.id().to_string()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};
    use crate::cloudfront::sim::{SimCloudFront, SimData, SimSettings};

    const MULTI: &str = "E3MT5K7W2QXR9B";

    fn sim(data: SimData) -> SimCloudFront {
        SimCloudFront::new(
            data,
            SimSettings::default(),
            Arc::new(crate::clock::SystemClock),
        )
    }

    fn args(line: &[&str]) -> InvalidateArgs {
        let mut all = vec!["cfdash", "invalidate"];
        all.extend(line);
        match Cli::try_parse_from(all).unwrap().command {
            Some(Command::Invalidate(a)) => a,
            other => panic!("{other:?}"),
        }
    }

    fn run(cf: &SimCloudFront, line: &[&str]) -> Result<(), Fail> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(cloud::invalidate(cf, &args(line), None))
    }

    /// How many invalidations the distribution and each of its tenants hold.
    fn counts(cf: &SimCloudFront) -> Vec<usize> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let tenants = rt
            .block_on(cloudfront::list_all_tenants(cf, MULTI))
            .unwrap();
        assert_eq!(tenants.len(), 5);
        std::iter::once(MULTI.to_string())
            .chain(tenants.into_iter().map(|t| t.id))
            .map(|id| cf.invalidation_count(&id))
            .collect()
    }

    #[test]
    fn a_plain_invalidation_of_a_tenant_only_distribution_is_steered_and_sends_nothing() {
        let cf = sim(SimData::demo());
        let before = counts(&cf);
        let Err(Fail::Usage(why)) = run(&cf, &["-d", MULTI, "/index.html"]) else {
            panic!("refused as bad input")
        };
        assert!(why.contains(&format!("--all-tenants -d {MULTI}")), "{why}");
        assert!(why.contains("--tenant NAME"), "{why}");
        assert!(why.contains("bakery-bliss, northwind-outfitters"), "{why}");
        assert!(why.contains("nothing was sent"), "{why}");
        assert_eq!(counts(&cf), before, "nothing was created");
        // The operator may insist: then the distribution itself gets one.
        run(
            &cf,
            &["-d", MULTI, "/index.html", "--plain-on-multi-tenant"],
        )
        .unwrap();
        let mut after = before.clone();
        after[0] += 1;
        assert_eq!(counts(&cf), after);
    }

    #[test]
    fn all_tenants_makes_one_invalidation_per_tenant_each_its_own_reference() {
        let cf = sim(SimData::demo());
        let before = counts(&cf);
        run(&cf, &["--all-tenants", "-d", MULTI, "/theme.css"]).unwrap();
        let after = counts(&cf);
        assert_eq!(after[0], before[0], "none on the distribution itself");
        for (b, a) in before[1..].iter().zip(&after[1..]) {
            assert_eq!(*a, b + 1, "one more on each tenant");
        }
    }

    #[test]
    fn a_refusal_by_cloudfront_says_what_to_do_instead() {
        let data = SimData::parse(
            r#"
[[distribution]]
id = "E1MULTI0000001"
domain_name = "d1.cloudfront.net"
comment = "multi"
tenant_only = true
refuses_plain_invalidation = true
[[distribution.tenant]]
id = "dt_one"
name = "one"
domains = ["one.example"]
[[distribution.tenant]]
id = "dt_two"
name = "two"
domains = ["two.example"]
"#,
        )
        .unwrap();
        let cf = sim(data);
        let Err(Fail::Aws(why)) = run(
            &cf,
            &["-d", "E1MULTI0000001", "/x", "--plain-on-multi-tenant"],
        ) else {
            panic!("CloudFront's refusal is exit 3")
        };
        assert!(
            why.contains("CreateInvalidationForDistributionTenant"),
            "{why}"
        );
        assert!(why.contains("--all-tenants -d E1MULTI0000001"), "{why}");
        assert!(why.contains("its 2 tenants: one, two"), "{why}");
        assert_eq!(cf.invalidation_count("E1MULTI0000001"), 0);
        // Aimed at its tenants, the same paths go.
        run(&cf, &["--tenant", "one.example", "--tenant", "two", "/x"]).unwrap();
        assert_eq!(cf.invalidation_count("dt_one"), 1);
        assert_eq!(cf.invalidation_count("dt_two"), 1);
    }

    #[test]
    fn all_tenants_of_a_plain_distribution_is_bad_input() {
        let cf = sim(SimData::demo());
        let Err(Fail::Usage(why)) = run(&cf, &["--all-tenants", "-d", "E2QWRUHAPOMQZL", "/x"])
        else {
            panic!("refused as bad input")
        };
        assert!(why.contains("is not a multi-tenant distribution"), "{why}");
        assert_eq!(
            cf.invalidation_count("E2QWRUHAPOMQZL"),
            sim(SimData::demo()).invalidation_count("E2QWRUHAPOMQZL")
        );
    }

    /// A huge name (past what `format!` can pad), added to [`weird_toml`].
    fn weird() -> SimCloudFront {
        let long = "n".repeat(70_000);
        let toml = format!(
            "{}[[distribution.tenant]]\nid = \"dt_long\"\nname = \"{long}\"\ndomains = [\"long.example\"]\n",
            weird_toml()
        );
        sim(SimData::parse(&toml).unwrap())
    }

    #[test]
    fn a_tenant_whose_name_holds_dots_is_found_by_its_name() {
        // AWS lets a tenant's name hold dots (`[a-zA-Z0-9][a-zA-Z0-9-.]{1,126}[a-zA-Z0-9]`):
        // a name that looks like a domain is still a name.
        let cf = sim(SimData::parse(&weird_toml()).unwrap());
        run(&cf, &["--tenant", "shop.example.name", "/x"]).unwrap();
        assert_eq!(cf.invalidation_count("dt_dotted"), 1);
        // A domain still finds its tenant.
        run(&cf, &["--tenant", "www.shop.example", "/y"]).unwrap();
        assert_eq!(cf.invalidation_count("dt_dotted"), 2);
    }

    #[test]
    fn a_name_that_is_another_tenants_domain_is_refused_as_ambiguous() {
        let cf = sim(SimData::parse(&weird_toml()).unwrap());
        let Err(Fail::Usage(why)) = run(&cf, &["--tenant", "clash.example", "/x"]) else {
            panic!("two tenants answer to clash.example: bad input")
        };
        assert!(
            why.contains("dt_clash") && why.contains("dt_clashing_name"),
            "{why}"
        );
        assert_eq!(cf.invalidation_count("dt_clash"), 0, "nothing was sent");
        assert_eq!(
            cf.invalidation_count("dt_clashing_name"),
            0,
            "nothing was sent"
        );
    }

    fn weird_toml() -> String {
        r#"
[[distribution]]
id = "E1MULTI0000001"
domain_name = "d1.cloudfront.net"
tenant_only = true
[[distribution.tenant]]
id = "dt_dotted"
name = "shop.example.name"
domains = ["www.shop.example"]
[[distribution.tenant]]
id = "dt_clash"
name = "clash"
domains = ["clash.example"]
[[distribution.tenant]]
id = "dt_clashing_name"
name = "clash.example"
domains = ["other.example"]
"#
        .to_string()
    }

    #[test]
    fn a_huge_tenant_name_does_not_break_the_table() {
        // A name past what `format!` can pad to (65,535) panicked the whole command.
        let cf = weird();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let args = TenantsArgs {
            distribution: "E1MULTI0000001".into(),
            json: false,
        };
        rt.block_on(tenants(&cf, &args)).unwrap();
    }

    #[test]
    fn sixteen_tenants_with_a_wildcard_share_fifteen_wildcards() {
        // 16 tenants, one wildcard each: the 16th waits for room on their distribution.
        let mut toml = String::from(
            "[[distribution]]\nid = \"E1MULTI0000001\"\ndomain_name = \"d1.cloudfront.net\"\ncomment = \"m\"\ntenant_only = true\n",
        );
        for i in 0..16 {
            toml.push_str(&format!(
                "[[distribution.tenant]]\nid = \"dt_{i}\"\nname = \"t{i}\"\ndomains = [\"t{i}.example\"]\n"
            ));
        }
        let cf = sim(SimData::parse(&toml).unwrap());
        let Err(Fail::TimedOut(_)) = run(
            &cf,
            &[
                "--all-tenants",
                "-d",
                "E1MULTI0000001",
                "/*",
                "--timeout",
                "1s",
            ],
        ) else {
            panic!("the 16th cannot go before one completes")
        };
        let made: usize = (0..16)
            .map(|i| cf.invalidation_count(&format!("dt_{i}")))
            .sum();
        assert_eq!(
            made, 15,
            "15 wildcards in progress on the distribution at most"
        );
    }
}
