//! "In progress, everywhere" (`i`): every invalidation in progress on the profile's
//! distributions, and the watched ones of other profiles, in one list: how old each is,
//! how many paths it holds, and how long its distribution's invalidations usually take
//! (the median of the took times cfdash has seen, kept in the journal).

use jiff::{SignedDuration, Timestamp};

use super::keys::{self, Cmd};
use super::{App, Effect, InvKey, Mode, Screen};
use crate::cloudfront::InvalidationStatus;

/// One line of the view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// `None`: the profile shown; else the other profile it is watched on.
    pub profile: Option<String>,
    pub key: InvKey,
    /// The distribution's name (its first alias, else its domain).
    pub name: String,
    pub create_time: Timestamp,
    /// Its paths, when its details are known.
    pub paths: Option<usize>,
    /// The median time its distribution's invalidations took, from what cfdash saw.
    pub usually: Option<SignedDuration>,
    pub watched: bool,
}

/// The median of `durations` (the lower middle one of an even count), if any.
pub fn median(mut durations: Vec<SignedDuration>) -> Option<SignedDuration> {
    if durations.is_empty() {
        return None;
    }
    durations.sort();
    Some(durations[(durations.len() - 1) / 2])
}

impl App {
    /// Every invalidation in progress, oldest first: those of the profile shown, then the
    /// watched ones of other profiles.
    pub fn in_progress_rows(&self) -> Vec<Row> {
        let session = &self.session;
        let mut rows = Vec::new();
        for (dist, entry) in &session.invalidations {
            let Some(list) = entry.list.data() else {
                continue;
            };
            let mut usually: Option<Option<SignedDuration>> = None;
            for inv in list
                .iter()
                .filter(|r| r.status == InvalidationStatus::InProgress)
            {
                let key = InvKey::new(dist, &inv.id);
                let usually = *usually.get_or_insert_with(|| {
                    median(
                        session
                            .took
                            .iter()
                            .filter(|(k, _)| k.distribution == *dist)
                            .map(|(_, d)| *d)
                            .collect(),
                    )
                });
                rows.push(Row {
                    profile: None,
                    paths: session
                        .details
                        .get(&key)
                        .and_then(|d| d.data())
                        .map(|d| d.paths.len()),
                    name: self.distribution_name(dist),
                    create_time: inv.create_time,
                    usually,
                    watched: self.watch.watched.contains(&key),
                    key,
                });
            }
        }
        rows.sort_by(|a, b| a.create_time.cmp(&b.create_time).then(a.key.cmp(&b.key)));
        let mut others: Vec<Row> = self
            .watch
            .background
            .iter()
            .map(|w| Row {
                profile: Some(w.profile.clone()),
                key: w.key.clone(),
                name: w.name.clone(),
                create_time: w.create_time,
                paths: None,
                usually: None,
                watched: true,
            })
            .collect();
        others.sort_by_key(|r| r.create_time);
        rows.extend(others);
        rows
    }

    pub(super) fn open_in_progress(&mut self) {
        self.screen = Screen::InProgress { selected: 0 };
    }

    pub(super) fn on_in_progress_key(
        &mut self,
        key: crossterm::event::KeyEvent,
        fx: &mut Vec<Effect>,
    ) {
        self.redraw.dirty = true;
        let rows = self.in_progress_rows();
        let Screen::InProgress { selected } = &mut self.screen else {
            return;
        };
        let last = rows.len().saturating_sub(1);
        match keys::lookup(Mode::InProgress, &key) {
            Some(Cmd::Quit) => fx.push(Effect::Quit),
            Some(Cmd::Back) => self.screen = Screen::Dashboard,
            Some(Cmd::Down) => *selected = (*selected + 1).min(last),
            Some(Cmd::Up) => *selected = selected.saturating_sub(1),
            Some(Cmd::Top) => *selected = 0,
            Some(Cmd::Bottom) => *selected = last,
            Some(Cmd::Open) => {
                let Some(row) = rows.get(*selected).cloned() else {
                    return;
                };
                self.screen = Screen::Dashboard;
                self.go_to_invalidation(row, fx);
            }
            _ => {}
        }
    }

    /// Selects the row's distribution and invalidation, on the profile shown; one of
    /// another profile is named (`p` switches).
    fn go_to_invalidation(&mut self, row: Row, fx: &mut Vec<Effect>) {
        if let Some(profile) = row.profile {
            return self.notify(
                super::NoticeKind::Info,
                format!("{} is on profile {profile}: p switches to it", row.key.id),
            );
        }
        self.go_to_key(&row.key, fx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_one() {
        let s = SignedDuration::from_secs;
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![s(5)]), Some(s(5)));
        assert_eq!(median(vec![s(90), s(10), s(30)]), Some(s(30)));
        assert_eq!(median(vec![s(40), s(10), s(30), s(20)]), Some(s(20)));
    }
}
