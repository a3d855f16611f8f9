//! Workspace settings: names, time zone, closing-notes mode, auto-close and business hours.

use serde::{Deserialize, Serialize};

use crate::account::normalize_name;
use crate::Invalid;

/// How strictly closing a conversation asks for a closing note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosingNotesMode {
    Disabled,
    Optional,
    CategoryRequired,
    CategoryAndSummaryRequired,
}

impl ClosingNotesMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disabled => "disabled",
            Self::Optional => "optional",
            Self::CategoryRequired => "category_required",
            Self::CategoryAndSummaryRequired => "category_and_summary_required",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "disabled" => Some(Self::Disabled),
            "optional" => Some(Self::Optional),
            "category_required" => Some(Self::CategoryRequired),
            "category_and_summary_required" => Some(Self::CategoryAndSummaryRequired),
            _ => None,
        }
    }
}

/// True for an IANA time zone name such as `Asia/Kuala_Lumpur` or `UTC`.
pub fn is_iana_timezone(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

pub const MAX_AUTO_CLOSE_MINUTES: i64 = 60 * 24 * 90;

/// Weekly opening hours in the workspace's time zone. An empty list means always open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHours {
    pub enabled: bool,
    pub intervals: Vec<OpeningInterval>,
}

/// One opening interval on a weekday, `HH:MM` to `HH:MM`, start before end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningInterval {
    pub day: Weekday,
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// Minutes since midnight of an `HH:MM` clock time (`24:00` allowed as an end).
fn clock_minutes(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    let total = h * 60 + m;
    (m < 60 && total <= 24 * 60).then_some(total)
}

impl BusinessHours {
    pub fn check(&self, field: &str, invalid: &mut Invalid) {
        if self.intervals.len() > 7 * 4 {
            invalid.push(format!("{field}.intervals"), "at most 28 intervals");
        }
        for (i, iv) in self.intervals.iter().enumerate() {
            let at = format!("{field}.intervals[{i}]");
            match (clock_minutes(&iv.start), clock_minutes(&iv.end)) {
                (Some(s), Some(e)) if s < e => {}
                (None, _) => invalid.push(format!("{at}.start"), "must be a time HH:MM"),
                (_, None) => invalid.push(format!("{at}.end"), "must be a time HH:MM"),
                _ => invalid.push(format!("{at}.end"), "must be after start"),
            }
        }
    }
}

/// The settings a workspace stores; `apply` validates a partial change against them.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub name: String,
    pub timezone: String,
    pub closing_notes_mode: ClosingNotesMode,
    pub unassign_on_close: bool,
    pub auto_close_after_minutes: Option<i64>,
    pub business_hours: BusinessHours,
}

/// A partial change to [`Settings`]; `auto_close_after_minutes: Some(None)` turns it off.
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub closing_notes_mode: Option<ClosingNotesMode>,
    pub unassign_on_close: Option<bool>,
    pub auto_close_after_minutes: Option<Option<i64>>,
    pub business_hours: Option<BusinessHours>,
}

impl Settings {
    pub fn new(name: String) -> Self {
        Self {
            name,
            timezone: "UTC".into(),
            closing_notes_mode: ClosingNotesMode::Optional,
            unassign_on_close: false,
            auto_close_after_minutes: None,
            business_hours: BusinessHours::default(),
        }
    }

    /// The settings after `change`, or every field error it has.
    pub fn apply(&self, change: SettingsChange) -> Result<Settings, Invalid> {
        let mut invalid = Invalid::default();
        let mut next = self.clone();
        if let Some(name) = change.name {
            match normalize_name(&name) {
                Ok(n) => next.name = n,
                Err(m) => invalid.push("name", m),
            }
        }
        if let Some(tz) = change.timezone {
            if is_iana_timezone(&tz) {
                next.timezone = tz;
            } else {
                invalid.push(
                    "timezone",
                    "must be an IANA time zone such as Europe/Berlin",
                );
            }
        }
        if let Some(mode) = change.closing_notes_mode {
            next.closing_notes_mode = mode;
        }
        if let Some(flag) = change.unassign_on_close {
            next.unassign_on_close = flag;
        }
        if let Some(minutes) = change.auto_close_after_minutes {
            match minutes {
                Some(m) if !(1..=MAX_AUTO_CLOSE_MINUTES).contains(&m) => invalid.push(
                    "auto_close_after_minutes",
                    format!("must be between 1 and {MAX_AUTO_CLOSE_MINUTES}, or null"),
                ),
                other => next.auto_close_after_minutes = other,
            }
        }
        if let Some(hours) = change.business_hours {
            hours.check("business_hours", &mut invalid);
            next.business_hours = hours;
        }
        invalid.into_result().map(|_| next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(day: Weekday, start: &str, end: &str) -> OpeningInterval {
        OpeningInterval {
            day,
            start: start.into(),
            end: end.into(),
        }
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert!(is_iana_timezone("Asia/Kuala_Lumpur"));
        assert!(is_iana_timezone("UTC"));
        assert!(!is_iana_timezone("Mars/Olympus"));
        assert!(!is_iana_timezone("+08:00"));
    }

    #[test]
    fn a_valid_change_is_applied() {
        let s = Settings::new("Acme".into());
        let next = s
            .apply(SettingsChange {
                timezone: Some("Europe/Berlin".into()),
                closing_notes_mode: Some(ClosingNotesMode::CategoryRequired),
                auto_close_after_minutes: Some(Some(60)),
                business_hours: Some(BusinessHours {
                    enabled: true,
                    intervals: vec![
                        iv(Weekday::Monday, "09:00", "17:30"),
                        iv(Weekday::Friday, "20:00", "24:00"),
                    ],
                }),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(next.timezone, "Europe/Berlin");
        assert_eq!(next.auto_close_after_minutes, Some(60));
        assert_eq!(next.name, "Acme");
        let off = next
            .apply(SettingsChange {
                auto_close_after_minutes: Some(None),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(off.auto_close_after_minutes, None);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let s = Settings::new("Acme".into());
        let err = s
            .apply(SettingsChange {
                name: Some("  ".into()),
                timezone: Some("Nowhere/Else".into()),
                auto_close_after_minutes: Some(Some(0)),
                business_hours: Some(BusinessHours {
                    enabled: true,
                    intervals: vec![
                        iv(Weekday::Monday, "17:00", "09:00"),
                        iv(Weekday::Monday, "9am", "10:00"),
                    ],
                }),
                ..Default::default()
            })
            .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "timezone",
                "auto_close_after_minutes",
                "business_hours.intervals[0].end",
                "business_hours.intervals[1].start"
            ]
        );
    }

    #[test]
    fn modes_round_trip() {
        for m in [
            ClosingNotesMode::Disabled,
            ClosingNotesMode::Optional,
            ClosingNotesMode::CategoryRequired,
            ClosingNotesMode::CategoryAndSummaryRequired,
        ] {
            assert_eq!(ClosingNotesMode::parse(m.as_str()), Some(m));
        }
    }
}
