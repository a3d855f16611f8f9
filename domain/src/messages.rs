//! Messages and private notes: what may be sent, how delivery statuses move, who a note
//! mentions, and a channel identity's validity.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contacts::normalize_phone;
use crate::windows::CustomIdType;

/// Longest text message, in characters (not bytes: emoji count once).
pub const MAX_TEXT_CHARS: usize = 4_096;
/// Longest private note, in characters.
pub const MAX_NOTE_CHARS: usize = 1_000;
/// Longest voice note, in seconds.
pub const MAX_VOICE_SECONDS: u32 = 300;
/// Longest custom channel contact id (respond.io's limit).
pub const MAX_CUSTOM_ID_CHARS: usize = 50;

/// Where a message is on its way to the contact. Incoming messages are `Received`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Received,
    Pending,
    Sent,
    Delivered,
    Read,
    Failed,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "received" => Self::Received,
            "pending" => Self::Pending,
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "read" => Self::Read,
            "failed" => Self::Failed,
            _ => return None,
        })
    }

    fn rank(self) -> u8 {
        match self {
            Self::Received | Self::Pending => 0,
            Self::Sent => 1,
            Self::Delivered => 2,
            Self::Read => 3,
            Self::Failed => 4,
        }
    }
}

/// Whether an outgoing message at `current` moves to `next`. Statuses only move forward
/// (receipts arrive out of order: a late "delivered" must not undo "read"); a failure is
/// final, and a message the contact has read can no longer fail.
pub fn advances(current: MessageStatus, next: MessageStatus) -> bool {
    use MessageStatus::*;
    match (current, next) {
        (Received, _) | (_, Received) | (_, Pending) | (Failed, _) => false,
        (Read, Failed) => false,
        (_, Failed) => true,
        (c, n) => n.rank() > c.rank(),
    }
}

/// A text to send: not blank, at most [`MAX_TEXT_CHARS`] characters.
pub fn check_text(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(format!("must be at most {MAX_TEXT_CHARS} characters"));
    }
    Ok(())
}

/// A private note: not blank, at most [`MAX_NOTE_CHARS`] characters.
pub fn check_note(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(format!("must be at most {MAX_NOTE_CHARS} characters"));
    }
    Ok(())
}

/// User ids mentioned in a note as `@{123}`, in order of first appearance, without repeats.
pub fn mentions_in(text: &str) -> Vec<i64> {
    let mut found = vec![];
    let mut rest = text;
    while let Some(start) = rest.find("@{") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('}') else { break };
        if let Ok(id) = rest[..end].trim().parse::<i64>() {
            if id > 0 && !found.contains(&id) {
                found.push(id);
            }
        }
        rest = &rest[end..];
    }
    found
}

/// A contact's id on a custom channel, checked and normalised for its id type: an E.164
/// phone number, or up to 50 characters of `A-Za-z0-9_=+/@`.
pub fn check_contact_id(id_type: CustomIdType, raw: &str) -> Result<String, String> {
    match id_type {
        CustomIdType::Phone => normalize_phone(raw),
        CustomIdType::Custom => {
            let id = raw.trim();
            if id.is_empty() {
                return Err("must not be empty".into());
            }
            if id.chars().count() > MAX_CUSTOM_ID_CHARS {
                return Err(format!("must be at most {MAX_CUSTOM_ID_CHARS} characters"));
            }
            if !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_=+/@".contains(c))
            {
                return Err("may only contain A-Z, a-z, 0-9, _, =, +, / and @".into());
            }
            Ok(id.to_string())
        }
    }
}

/// Seconds from `from` to `to`, never negative (clocks of providers drift).
pub fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_seconds().max(0)
}

#[cfg(test)]
mod tests {
    use super::MessageStatus::*;
    use super::*;

    #[test]
    fn statuses_only_move_forward() {
        assert!(advances(Pending, Sent));
        assert!(advances(Pending, Read));
        assert!(advances(Sent, Delivered));
        assert!(advances(Delivered, Read));
        assert!(!advances(Read, Delivered));
        assert!(!advances(Delivered, Sent));
        assert!(!advances(Sent, Sent));
        assert!(advances(Pending, Failed));
        assert!(advances(Delivered, Failed));
        assert!(!advances(Read, Failed));
        assert!(!advances(Failed, Sent));
        assert!(!advances(Received, Read));
        assert!(!advances(Sent, Pending));
    }

    #[test]
    fn statuses_round_trip() {
        for s in [Received, Pending, Sent, Delivered, Read, Failed] {
            assert_eq!(MessageStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(MessageStatus::parse("seen"), None);
    }

    #[test]
    fn text_length_counts_characters() {
        assert!(check_text(&"😀".repeat(MAX_TEXT_CHARS)).is_ok());
        assert!(check_text(&"a".repeat(MAX_TEXT_CHARS + 1)).is_err());
        assert!(check_text("  \n").is_err());
        assert!(check_note(&"é".repeat(MAX_NOTE_CHARS)).is_ok());
        assert!(check_note(&"é".repeat(MAX_NOTE_CHARS + 1)).is_err());
    }

    #[test]
    fn mentions_are_braced_user_ids() {
        assert_eq!(mentions_in("hi @{12} and @{ 7 }, again @{12}"), vec![12, 7]);
        assert_eq!(
            mentions_in("mail a@b.com, @12, @{x}, @{-3}, @{5"),
            Vec::<i64>::new()
        );
    }

    #[test]
    fn custom_ids_follow_respond_io_rules() {
        assert_eq!(
            check_contact_id(CustomIdType::Custom, " user_1=+/@x ").unwrap(),
            "user_1=+/@x"
        );
        assert!(check_contact_id(CustomIdType::Custom, &"a".repeat(51)).is_err());
        assert!(check_contact_id(CustomIdType::Custom, "has space").is_err());
        assert!(check_contact_id(CustomIdType::Custom, "").is_err());
        assert_eq!(
            check_contact_id(CustomIdType::Phone, "+60 12-345 6789").unwrap(),
            "+60123456789"
        );
        assert!(check_contact_id(CustomIdType::Phone, "abc").is_err());
    }

    #[test]
    fn elapsed_seconds_never_negative() {
        let t = DateTime::from_timestamp(1_000, 0).unwrap();
        let u = DateTime::from_timestamp(1_090, 0).unwrap();
        assert_eq!(seconds_between(t, u), 90);
        assert_eq!(seconds_between(u, t), 0);
    }
}
