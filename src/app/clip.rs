//! Copy (`y`) and open (`o`): what the selection is, as text for the clipboard or as a
//! link to the AWS console.
//!
//! `y` opens a short menu of what can be copied (the id, the paths, the ARN, the domain,
//! the `cfdash` or `aws` command that shows it); a letter or Enter copies through the
//! terminal (OSC 52, `crate::term`), and the status bar says what was copied. `o` opens
//! the console page of the selection with `xdg-open`/`open` when there is one, and shows
//! its address as a link (OSC 8) either way.

use super::keys::{self, Cmd};
use super::{App, Effect, InvKey, Mode, NoticeKind, Pane, Request, Screen, Slot};
use crate::cloudfront::{Distribution, Invalidation};
use crate::term::CLIPBOARD_MAX;
use crate::text::shell_quote;

/// What a line of the copy menu puts on the clipboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Clip {
    Text(String),
    /// The paths of an invalidation, one a line: asked for first if not known yet.
    Paths(InvKey),
}

/// A line of the copy menu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The letter that copies it.
    pub key: char,
    /// What it is, for the menu and the notice ("the invalidation's id").
    pub what: &'static str,
    pub clip: Clip,
}

impl Choice {
    fn text(key: char, what: &'static str, text: String) -> Self {
        Self {
            key,
            what,
            clip: Clip::Text(text),
        }
    }

    /// What the menu shows of it.
    pub fn preview(&self) -> String {
        match &self.clip {
            Clip::Text(t) => t.clone(),
            Clip::Paths(_) => "one path a line".into(),
        }
    }
}

/// The copy menu's state: its lines, and the one under the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyMenu {
    pub choices: Vec<Choice>,
    pub selected: usize,
}

impl App {
    /// The invalidation the operator is looking at: the focused list's selection, or the
    /// detail pane's.
    fn looked_at_invalidation(&self) -> Option<InvKey> {
        match self.session.focus {
            Pane::Distributions => None,
            Pane::Invalidations => self.selected_invalidation(),
            Pane::Detail => self
                .session
                .detail_key
                .clone()
                .or_else(|| self.selected_invalidation()),
        }
    }

    /// How the copied `cfdash` command reaches this profile (`--demo` for the built-in
    /// demo, `--profile=NAME` when the name could read as an option, after `--config PATH`
    /// when the profiles file is not the default one), and the aws CLI's own options
    /// (`None` for a simulated profile: the aws CLI cannot reach it). `arn` is the
    /// selection's, whose partition says CloudFront's region when the profile names none.
    ///
    /// (`status` and `invalidations` do not read the journal: no `--journal` is needed.)
    fn command_options(&self, arn: &str) -> (String, Option<String>) {
        let entry = self.catalog.get(&self.profile);
        if let Some(e) = entry.filter(|e| e.builtin && e.profile.simulated) {
            let mut demo = "--demo".to_string();
            if let Some(path) = &e.profile.sim_data {
                demo.push_str(&format!(
                    " --sim-data {}",
                    shell_quote(&path.to_string_lossy())
                ));
            }
            if let Some(seed) = e.profile.sim_seed {
                demo.push_str(&format!(" --sim-seed {seed}"));
            }
            return (demo, None);
        }
        let mut cfdash = String::new();
        // The file the profile is in, when a cfdash started in another shell would not
        // read it: `--config` or CFDASH_CONFIG gave it (made absolute: the shell the
        // command is pasted into may be elsewhere).
        let file = &self.catalog.config_path;
        if !file.as_os_str().is_empty() && *file != crate::config::default_path() {
            let file = std::path::absolute(file).unwrap_or_else(|_| file.clone());
            cfdash.push_str(&format!(
                "--config {} ",
                shell_quote(&file.to_string_lossy())
            ));
        }
        if self.profile.starts_with('-') {
            cfdash.push_str(&format!("--profile={}", shell_quote(&self.profile)));
        } else {
            cfdash.push_str(&format!("--profile {}", shell_quote(&self.profile)));
        }
        if entry.is_some_and(|e| e.profile.simulated) {
            return (cfdash, None);
        }
        let mut aws = String::new();
        if let Some(entry) = entry {
            if let Some(p) = &entry.profile.aws_profile {
                aws.push_str(&format!(" --profile {}", shell_quote(p)));
            }
            if let Some(url) = &entry.profile.endpoint_url {
                aws.push_str(&format!(" --endpoint-url {}", shell_quote(url)));
            }
        }
        // The aws CLI refuses to run without a region, and a machine may set none: the
        // profile's, else CloudFront's own (us-east-1; cn-northwest-1 in China).
        let region = entry
            .and_then(|e| e.profile.region.clone())
            .unwrap_or_else(|| home_region(arn).to_string());
        aws.push_str(&format!(" --region {}", shell_quote(&region)));
        (cfdash, Some(aws))
    }

    /// What `y` offers for the selection.
    pub fn copy_choices(&self) -> Vec<Choice> {
        let Some(d) = self.selected_distribution() else {
            return Vec::new();
        };
        let (cfdash, aws) = self.command_options(&d.arn);
        let dist = shell_quote(&d.id);
        // A tenant's invalidations have commands of their own.
        let tenant = d.tenant.is_some();
        // (ListInvalidationsForDistributionTenant names the tenant `Id`, its Get
        // `DistributionTenantId`.)
        let (flag, get, list, get_flag, list_flag) = if tenant {
            (
                "--tenant",
                "get-invalidation-for-distribution-tenant",
                "list-invalidations-for-distribution-tenant",
                "--distribution-tenant-id",
                "--id",
            )
        } else {
            (
                "-d",
                "get-invalidation",
                "list-invalidations",
                "--distribution-id",
                "--distribution-id",
            )
        };
        let mut choices;
        let aws_command;
        let invalidation = self.looked_at_invalidation();
        if let Some(key) = &invalidation {
            let id = shell_quote(&key.id);
            choices = vec![
                Choice::text('i', "the invalidation's id", key.id.clone()),
                Choice {
                    key: 'p',
                    what: "the invalidation's paths",
                    clip: Clip::Paths(key.clone()),
                },
                Choice::text(
                    'c',
                    "the cfdash command",
                    format!("cfdash {cfdash} status {flag} {dist} {id}"),
                ),
            ];
            aws_command =
                aws.map(|aws| format!("aws cloudfront {get}{aws} {get_flag} {dist} --id {id}"));
        } else {
            choices = vec![
                Choice::text('i', "the distribution's id", d.id.clone()),
                Choice::text('a', "the distribution's ARN", d.arn.clone()),
                Choice::text('n', "its domain name", d.domain_name.clone()),
            ];
            if !d.aliases.is_empty() {
                choices.push(Choice::text('l', "its aliases", d.aliases.join("\n")));
            }
            choices.push(Choice::text(
                'c',
                "the cfdash command",
                format!("cfdash {cfdash} invalidations {flag} {dist}"),
            ));
            aws_command = aws.map(|aws| format!("aws cloudfront {list}{aws} {list_flag} {dist}"));
        }
        if let Some(command) = aws_command {
            choices.push(Choice::text('w', "the aws command", command));
        }
        if invalidation.is_some() {
            choices.push(Choice::text('d', "the distribution's id", d.id.clone()));
            choices.push(Choice::text('a', "the distribution's ARN", d.arn.clone()));
        }
        choices
    }

    pub(super) fn open_copy_menu(&mut self) {
        let choices = self.copy_choices();
        if choices.is_empty() {
            return self.notify(NoticeKind::Info, "nothing selected to copy".into());
        }
        self.screen = Screen::Copy(CopyMenu {
            choices,
            selected: 0,
        });
    }

    pub(super) fn on_copy_key(&mut self, key: crossterm::event::KeyEvent, fx: &mut Vec<Effect>) {
        self.redraw.dirty = true;
        let Screen::Copy(menu) = &mut self.screen else {
            return;
        };
        let last = menu.choices.len().saturating_sub(1);
        let chosen = match keys::lookup(Mode::Copy, &key) {
            Some(Cmd::Quit) => return fx.push(Effect::Quit),
            Some(Cmd::Back) => None,
            Some(Cmd::Down) => {
                menu.selected = (menu.selected + 1).min(last);
                return;
            }
            Some(Cmd::Up) => {
                menu.selected = menu.selected.saturating_sub(1);
                return;
            }
            Some(Cmd::Confirm) => menu.choices.get(menu.selected).cloned(),
            _ => match key.code {
                crossterm::event::KeyCode::Char(c) => {
                    match menu.choices.iter().find(|ch| ch.key == c) {
                        Some(choice) => Some(choice.clone()),
                        // A letter that names nothing leaves the menu open.
                        None => return,
                    }
                }
                _ => return,
            },
        };
        self.screen = Screen::Dashboard;
        let Some(choice) = chosen else { return };
        match choice.clip {
            Clip::Text(text) => self.copy(choice.what, text, fx),
            Clip::Paths(key) => self.copy_paths(key, fx),
        }
    }

    fn copy_paths(&mut self, key: InvKey, fx: &mut Vec<Effect>) {
        let known = self
            .session
            .details
            .get(&key)
            .and_then(|d| d.data())
            .map(|inv| inv.paths.join("\n"));
        match known {
            Some(text) => self.copy("the invalidation's paths", text, fx),
            None => {
                self.notify(NoticeKind::Info, format!("asking for {}'s paths…", key.id));
                self.request(Slot::Clipboard, Request::GetInvalidation(key), fx);
            }
        }
    }

    /// The answer to the paths `y p` asked for.
    pub(super) fn on_clipboard_paths(
        &mut self,
        result: Result<Invalidation, crate::cloudfront::CfError>,
        fx: &mut Vec<Effect>,
    ) {
        match result {
            Ok(inv) => self.copy("the invalidation's paths", inv.paths.join("\n"), fx),
            Err(e) => self.notify(
                NoticeKind::Error,
                format!("the paths could not be copied: {e}"),
            ),
        }
    }

    /// Puts `text` on the clipboard and says what was copied.
    pub fn copy(&mut self, what: &str, text: String, fx: &mut Vec<Effect>) {
        if text.len() > CLIPBOARD_MAX {
            return self.notify(
                NoticeKind::Error,
                format!(
                    "{what} is {} KB: more than a terminal's clipboard takes ({} KB); `cfdash status … --json` prints it",
                    text.len().div_ceil(1000),
                    CLIPBOARD_MAX / 1000
                ),
            );
        }
        let lines = text.lines().count();
        let shown = if lines > 1 {
            format!("{lines} lines")
        } else {
            crate::text::quote(&text)
        };
        self.notify(NoticeKind::Success, format!("copied {what}: {shown}"));
        fx.push(Effect::Clipboard(text));
    }

    /// `o`: the selection in the AWS console.
    pub(super) fn open_console(&mut self, fx: &mut Vec<Effect>) {
        let Some(d) = self.selected_distribution() else {
            return self.notify(NoticeKind::Info, "nothing selected to open".into());
        };
        if let Some(entry) = self.catalog.get(&self.profile) {
            let p = &entry.profile;
            // An endpoint set in the environment reaches an emulator too.
            if p.simulated || p.endpoint_url.is_some() || self.env_endpoint {
                let what = if p.simulated {
                    "simulated"
                } else {
                    "an emulator's"
                };
                return self.notify(
                    NoticeKind::Info,
                    format!(
                        "{} is {what}: its distributions are not in the AWS console (y copies the id)",
                        self.profile
                    ),
                );
            }
        }
        let url = console_url(d, self.looked_at_invalidation().as_ref());
        let text = if self.opener {
            fx.push(Effect::OpenUrl(url.clone()));
            format!("opening in the browser: {url}")
        } else {
            format!("the console (no xdg-open here: click or copy it): {url}")
        };
        self.notify(NoticeKind::Info, text);
        if let Some(n) = &mut self.notice {
            n.link = Some(url);
        }
    }
}

/// The console page of a distribution, or of one of its invalidations. The console is
/// global (CloudFront's home region is us-east-1); the China partition has its own.
///
/// A tenant opens its distribution's page: AWS documents no console address of a tenant.
pub fn console_url(d: &Distribution, invalidation: Option<&InvKey>) -> String {
    let host = if d.arn.starts_with("arn:aws-cn:") {
        "https://console.amazonaws.cn"
    } else {
        "https://us-east-1.console.aws.amazon.com"
    };
    let id = url_part(d.quota_owner());
    match invalidation {
        Some(_) if d.tenant.is_some() => format!("{host}/cloudfront/v4/home#/distributions/{id}"),
        Some(key) => format!(
            "{host}/cloudfront/v4/home#/distributions/{id}/invalidations/details/{}",
            url_part(&key.id)
        ),
        None => format!("{host}/cloudfront/v4/home#/distributions/{id}"),
    }
}

/// CloudFront's region in the partition of `arn`: cn-northwest-1 in China, else
/// us-east-1 (its global endpoint).
fn home_region(arn: &str) -> &'static str {
    if arn.starts_with("arn:aws-cn:") {
        "cn-northwest-1"
    } else {
        crate::cloudfront::aws::DEFAULT_REGION
    }
}

/// An id as a piece of a URL: CloudFront's ids are letters and digits; anything else is
/// percent-encoded so that nothing can change where the link goes.
fn url_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(id: &str, arn: &str) -> Distribution {
        Distribution {
            id: id.into(),
            arn: arn.into(),
            domain_name: "d1.cloudfront.net".into(),
            aliases: Vec::new(),
            status: "Deployed".into(),
            enabled: Some(true),
            comment: Some(String::new()),
            origins: Vec::new(),
            last_modified: jiff::Timestamp::UNIX_EPOCH,
            aliases_unknown: false,
            tenant_only: false,
            tenant: None,
        }
    }

    #[test]
    fn console_urls_name_the_distribution_and_the_invalidation() {
        let d = dist("E2QW", "arn:aws:cloudfront::123:distribution/E2QW");
        assert_eq!(
            console_url(&d, None),
            "https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions/E2QW"
        );
        assert_eq!(
            console_url(&d, Some(&InvKey::new("E2QW", "I9"))),
            "https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions/E2QW/invalidations/details/I9"
        );
        let cn = dist("E1", "arn:aws-cn:cloudfront::1:distribution/E1");
        assert!(console_url(&cn, None).starts_with("https://console.amazonaws.cn/"));
    }

    #[test]
    fn cloudfronts_region_is_that_of_the_partition() {
        assert_eq!(
            home_region("arn:aws:cloudfront::123456789012:distribution/E1"),
            "us-east-1"
        );
        assert_eq!(
            home_region("arn:aws-cn:cloudfront::123456789012:distribution/E1"),
            "cn-northwest-1"
        );
        assert_eq!(home_region(""), "us-east-1", "an ARN not known");
    }

    #[test]
    fn odd_ids_cannot_change_where_the_link_goes() {
        let d = dist("E1/../x?y#z", "arn:aws:cloudfront::1:distribution/E1");
        let url = console_url(&d, None);
        assert!(
            url.ends_with("/distributions/E1%2F%2E%2E%2Fx%3Fy%23z"),
            "{url}"
        );
    }
}
