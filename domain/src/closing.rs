//! Closing a conversation: the closing-note policy, who opened or closed it, and unassigning.

use serde::{Deserialize, Serialize};

use crate::workspace::ClosingNotesMode;
use crate::Invalid;

/// A summary longer than this is an essay, not a note for a manager skimming reports.
pub const MAX_SUMMARY_LEN: usize = 1_000;

/// A validated closing note: trimmed, blank parts dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosingNote {
    pub category: Option<String>,
    pub summary: Option<String>,
}

fn given(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The note to store when closing under `mode`, or every field that is missing or refused.
/// Blank strings count as missing, so a form that sends `""` is treated like one that sent
/// nothing. Whether `category` names a configured category is for the caller to check.
pub fn check_closing_note(
    mode: ClosingNotesMode,
    category: Option<&str>,
    summary: Option<&str>,
) -> Result<ClosingNote, Invalid> {
    let note = ClosingNote {
        category: given(category),
        summary: given(summary),
    };
    let mut invalid = Invalid::default();
    if mode == ClosingNotesMode::Disabled {
        // Refuse rather than drop: a user who typed a note should learn it was not kept.
        const DISABLED: &str = "closing notes are disabled in this workspace";
        if note.category.is_some() {
            invalid.push("category", DISABLED);
        }
        if note.summary.is_some() {
            invalid.push("summary", DISABLED);
        }
        return invalid.into_result().map(|_| note);
    }
    let (category_required, summary_required) = match mode {
        ClosingNotesMode::CategoryRequired => (true, false),
        ClosingNotesMode::CategoryAndSummaryRequired => (true, true),
        _ => (false, false),
    };
    if category_required && note.category.is_none() {
        invalid.push("category", "is required to close a conversation");
    }
    match &note.summary {
        None if summary_required => invalid.push("summary", "is required to close a conversation"),
        Some(s) if s.chars().count() > MAX_SUMMARY_LEN => invalid.push(
            "summary",
            format!("must be at most {MAX_SUMMARY_LEN} characters"),
        ),
        _ => {}
    }
    invalid.into_result().map(|_| note)
}

/// Who or what opened a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenSource {
    /// An incoming message while no conversation was open.
    Contact,
    User,
    Api,
    /// A workflow's Open Conversation step.
    Workflow,
    /// A channel's welcome event (Messenger, Viber).
    WelcomeEvent,
}

impl OpenSource {
    pub const ALL: [OpenSource; 5] = [
        Self::Contact,
        Self::User,
        Self::Api,
        Self::Workflow,
        Self::WelcomeEvent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::User => "user",
            Self::Api => "api",
            Self::Workflow => "workflow",
            Self::WelcomeEvent => "welcome_event",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Who or what closed a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseSource {
    /// A user pressing Close in the inbox: the only manual close.
    User,
    Api,
    /// Merging contacts closes the secondary contact's open conversation.
    Merge,
    /// A workflow's Close Conversation step.
    Workflow,
    /// The workspace's auto-close after inactivity.
    AutoClose,
}

impl CloseSource {
    pub const ALL: [CloseSource; 5] = [
        Self::User,
        Self::Api,
        Self::Merge,
        Self::Workflow,
        Self::AutoClose,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Api => "api",
            Self::Merge => "merge",
            Self::Workflow => "workflow",
            Self::AutoClose => "auto_close",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the closing-note mode binds this close. A user or API caller can be asked
    /// for a note; merges, auto-close and workflows have nobody to ask and must not fail,
    /// so they close with whatever note they carry (a workflow step's, or none).
    pub fn enforces_closing_notes(self) -> bool {
        matches!(self, Self::User | Self::Api)
    }
}

/// Whether closing unassigns the contact. Contacts stay assigned after close (the default
/// since 17 Aug 2022); only the legacy `unassign_on_close` toggle unassigns, and only when
/// a user closed the conversation by hand.
pub fn unassigns_on_close(legacy_unassign_on_close: bool, source: CloseSource) -> bool {
    legacy_unassign_on_close && source == CloseSource::User
}

#[cfg(test)]
mod tests {
    use super::*;
    use ClosingNotesMode::*;

    fn fields(err: &Invalid) -> Vec<&str> {
        err.0.iter().map(|e| e.field.as_str()).collect()
    }

    fn note(category: Option<&str>, summary: Option<&str>) -> ClosingNote {
        ClosingNote {
            category: category.map(Into::into),
            summary: summary.map(Into::into),
        }
    }

    #[test]
    fn optional_accepts_anything_and_trims() {
        assert_eq!(
            check_closing_note(Optional, None, None),
            Ok(note(None, None))
        );
        assert_eq!(
            check_closing_note(Optional, Some(" Sales "), Some("  ")),
            Ok(note(Some("Sales"), None))
        );
        assert_eq!(
            check_closing_note(Optional, None, Some(" Refunded.\n")),
            Ok(note(None, Some("Refunded.")))
        );
    }

    #[test]
    fn disabled_refuses_a_note_that_is_sent() {
        assert_eq!(
            check_closing_note(Disabled, None, None),
            Ok(note(None, None))
        );
        assert_eq!(
            check_closing_note(Disabled, Some(""), Some(" ")),
            Ok(note(None, None))
        );
        let err = check_closing_note(Disabled, Some("Sales"), None).unwrap_err();
        assert_eq!(fields(&err), ["category"]);
        assert!(err.0[0].message.contains("disabled"));
        let err = check_closing_note(Disabled, Some("Sales"), Some("done")).unwrap_err();
        assert_eq!(fields(&err), ["category", "summary"]);
        let err = check_closing_note(Disabled, None, Some("done")).unwrap_err();
        assert_eq!(fields(&err), ["summary"]);
    }

    #[test]
    fn category_required() {
        let err = check_closing_note(CategoryRequired, None, Some("done")).unwrap_err();
        assert_eq!(fields(&err), ["category"]);
        let err = check_closing_note(CategoryRequired, Some("   "), None).unwrap_err();
        assert_eq!(fields(&err), ["category"]);
        assert_eq!(
            check_closing_note(CategoryRequired, Some("Sales"), None),
            Ok(note(Some("Sales"), None))
        );
    }

    #[test]
    fn category_and_summary_required_names_both() {
        let err = check_closing_note(CategoryAndSummaryRequired, None, None).unwrap_err();
        assert_eq!(fields(&err), ["category", "summary"]);
        let err =
            check_closing_note(CategoryAndSummaryRequired, Some("Sales"), Some("\t")).unwrap_err();
        assert_eq!(fields(&err), ["summary"]);
        assert_eq!(
            check_closing_note(CategoryAndSummaryRequired, Some("Sales"), Some("Sold")),
            Ok(note(Some("Sales"), Some("Sold")))
        );
    }

    #[test]
    fn summaries_are_at_most_1000_characters() {
        let max = "é".repeat(MAX_SUMMARY_LEN);
        for mode in [Optional, CategoryRequired, CategoryAndSummaryRequired] {
            assert!(check_closing_note(mode, Some("Sales"), Some(&max)).is_ok());
            let long = format!("{max}x");
            let err = check_closing_note(mode, Some("Sales"), Some(&long)).unwrap_err();
            assert_eq!(fields(&err), ["summary"]);
            assert!(err.0[0].message.contains("1000"));
        }
        // Surrounding blanks do not count toward the limit.
        assert!(check_closing_note(Optional, None, Some(&format!("  {max}  "))).is_ok());
        let err = check_closing_note(CategoryRequired, None, Some(&"x".repeat(1001))).unwrap_err();
        assert_eq!(fields(&err), ["category", "summary"]);
    }

    #[test]
    fn only_a_manual_close_unassigns_and_only_with_the_legacy_toggle() {
        for source in CloseSource::ALL {
            assert!(!unassigns_on_close(false, source));
            assert_eq!(
                unassigns_on_close(true, source),
                source == CloseSource::User,
                "{source:?}"
            );
        }
    }

    #[test]
    fn only_people_and_integrations_are_held_to_the_note_mode() {
        let enforced: Vec<_> = CloseSource::ALL
            .into_iter()
            .filter(|s| s.enforces_closing_notes())
            .collect();
        assert_eq!(enforced, [CloseSource::User, CloseSource::Api]);
    }

    #[test]
    fn sources_round_trip() {
        for s in OpenSource::ALL {
            assert_eq!(OpenSource::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        for s in CloseSource::ALL {
            assert_eq!(CloseSource::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!(
            OpenSource::parse("welcome_event"),
            Some(OpenSource::WelcomeEvent)
        );
        assert_eq!(
            CloseSource::parse("auto_close"),
            Some(CloseSource::AutoClose)
        );
        assert_eq!(CloseSource::parse("contact"), None);
        assert_eq!(OpenSource::parse("merge"), None);
    }
}
