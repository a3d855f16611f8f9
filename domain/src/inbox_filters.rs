//! The filters of an inbox view (`GET /api/v1/inbox` and saved custom inboxes): which values
//! each may take. Whether a team, channel or user exists is for the caller to check.

use crate::contacts::normalize_tag;
use crate::Invalid;

pub const STATUSES: [&str; 3] = ["open", "closed", "all"];
pub const SORTS: [&str; 3] = ["newest", "oldest", "waiting_longest"];
pub const MAX_SEARCH_LEN: usize = 200;
pub const MAX_INBOX_NAME_LEN: usize = 100;

/// Whose contacts an inbox shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeChoice {
    /// The member looking at the inbox.
    Me,
    Unassigned,
    User(i64),
}

impl AssigneeChoice {
    /// `me`, `unassigned` or a user id.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "me" => Ok(Self::Me),
            "unassigned" => Ok(Self::Unassigned),
            other => other
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(Self::User)
                .ok_or_else(|| "must be me, unassigned or a user id".to_string()),
        }
    }
}

fn one_of(allowed: &[&str]) -> String {
    format!("must be one of {}", allowed.join(", "))
}

/// The filter values whose shape alone decides, each refused under `{prefix}.{field}`.
/// Returns the user id of `assignee`, if it names one, for the caller to check membership.
pub fn check_values(
    prefix: &str,
    status: Option<&str>,
    assignee: Option<&str>,
    tag: Option<&str>,
    search: Option<&str>,
    sort: Option<&str>,
) -> Result<Option<i64>, Invalid> {
    let mut invalid = Invalid::default();
    let at = |field: &str| {
        if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        }
    };
    if status.is_some_and(|s| !STATUSES.contains(&s)) {
        invalid.push(at("status"), one_of(&STATUSES));
    }
    if sort.is_some_and(|s| !SORTS.contains(&s)) {
        invalid.push(at("sort"), one_of(&SORTS));
    }
    let user = match assignee.map(AssigneeChoice::parse) {
        Some(Ok(AssigneeChoice::User(id))) => Some(id),
        Some(Err(m)) => {
            invalid.push(at("assignee"), m);
            None
        }
        _ => None,
    };
    if let Some(Err(m)) = tag.map(normalize_tag) {
        invalid.push(at("tag"), m);
    }
    if search.is_some_and(|s| s.chars().count() > MAX_SEARCH_LEN) {
        invalid.push(
            at("search"),
            format!("must be at most {MAX_SEARCH_LEN} characters"),
        );
    }
    invalid.into_result().map(|_| user)
}

/// A custom inbox's name, trimmed: 1 to 100 characters.
pub fn normalize_inbox_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        Err("must not be empty".into())
    } else if name.chars().count() > MAX_INBOX_NAME_LEN {
        Err(format!("must be at most {MAX_INBOX_NAME_LEN} characters"))
    } else {
        Ok(name.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: Invalid) -> Vec<String> {
        e.0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn assignees_are_me_unassigned_or_an_id() {
        assert_eq!(AssigneeChoice::parse("me"), Ok(AssigneeChoice::Me));
        assert_eq!(
            AssigneeChoice::parse("unassigned"),
            Ok(AssigneeChoice::Unassigned)
        );
        assert_eq!(AssigneeChoice::parse("42"), Ok(AssigneeChoice::User(42)));
        for bad in ["", "Me", "someone", "-3", "0", "4.2", " 42"] {
            assert!(AssigneeChoice::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn nothing_given_is_fine() {
        assert_eq!(check_values("f", None, None, None, None, None), Ok(None));
    }

    #[test]
    fn every_known_value_passes() {
        for s in STATUSES {
            assert!(check_values("f", Some(s), None, None, None, None).is_ok());
        }
        for s in SORTS {
            assert!(check_values("f", None, None, None, None, Some(s)).is_ok());
        }
        assert_eq!(
            check_values("f", None, Some("7"), Some("vip"), Some("ana"), None),
            Ok(Some(7))
        );
        assert_eq!(
            check_values("f", None, Some("me"), None, None, None),
            Ok(None)
        );
    }

    #[test]
    fn every_bad_value_is_named_at_once() {
        let long = "x".repeat(MAX_SEARCH_LEN + 1);
        let err = check_values(
            "filters",
            Some("snoozed"),
            Some("boss"),
            Some("  "),
            Some(&long),
            Some("random"),
        )
        .unwrap_err();
        assert_eq!(
            fields(err),
            [
                "filters.status",
                "filters.sort",
                "filters.assignee",
                "filters.tag",
                "filters.search"
            ]
        );
        let err = check_values("filters", Some("OPEN"), None, None, None, None).unwrap_err();
        assert!(err.0[0].message.contains("open, closed, all"));
        assert!(check_values("f", None, None, None, Some(&"x".repeat(200)), None).is_ok());
    }

    #[test]
    fn inbox_names_are_trimmed_and_1_to_100_characters() {
        assert_eq!(normalize_inbox_name(" VIP "), Ok("VIP".into()));
        assert!(normalize_inbox_name(" ").is_err());
        assert!(normalize_inbox_name(&"n".repeat(100)).is_ok());
        assert!(normalize_inbox_name(&"n".repeat(101)).is_err());
    }
}
