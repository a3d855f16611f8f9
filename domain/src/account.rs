//! Rules for people: e-mail addresses, passwords, names and activity status.

use serde::{Deserialize, Serialize};

use crate::Invalid;

pub const MIN_PASSWORD_LEN: usize = 8;
/// argon2 hashes anything, but a bound keeps a request from buying seconds of CPU.
pub const MAX_PASSWORD_LEN: usize = 256;
pub const MAX_NAME_LEN: usize = 200;

/// Lower-cases and trims an e-mail address, or says why it is not one.
pub fn normalize_email(raw: &str) -> Result<String, &'static str> {
    let email = raw.trim().to_lowercase();
    if email.len() > 254 {
        return Err("must be at most 254 characters");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err("must be an e-mail address");
    };
    let valid_domain = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    let valid_local = !local.is_empty()
        && local.len() <= 64
        && !local
            .chars()
            .any(|c| c.is_whitespace() || c == '@' || c.is_control());
    if valid_local && valid_domain {
        Ok(email)
    } else {
        Err("must be an e-mail address")
    }
}

pub fn check_password(password: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        Err(format!("must be at least {MIN_PASSWORD_LEN} characters"))
    } else if len > MAX_PASSWORD_LEN {
        Err(format!("must be at most {MAX_PASSWORD_LEN} characters"))
    } else {
        Ok(())
    }
}

/// A display name: trimmed, non-empty, bounded.
pub fn normalize_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        Err("must not be empty".into())
    } else if name.chars().count() > MAX_NAME_LEN {
        Err(format!("must be at most {MAX_NAME_LEN} characters"))
    } else {
        Ok(name.to_string())
    }
}

/// Collects name/e-mail/password errors of a new account into one answer.
pub struct NewAccount {
    pub name: String,
    pub email: String,
}

pub fn check_new_account(name: &str, email: &str, password: &str) -> Result<NewAccount, Invalid> {
    let mut invalid = Invalid::default();
    let name = normalize_name(name)
        .map_err(|m| invalid.push("name", m))
        .ok();
    let email = normalize_email(email)
        .map_err(|m| invalid.push("email", m))
        .ok();
    if let Err(m) = check_password(password) {
        invalid.push("password", m);
    }
    invalid.into_result()?;
    Ok(NewAccount {
        name: name.unwrap_or_default(),
        email: email.unwrap_or_default(),
    })
}

/// A user's activity status as the team sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    Online,
    Away,
    Offline,
}

impl ActivityStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityStatus::Online => "online",
            ActivityStatus::Away => "away",
            ActivityStatus::Offline => "offline",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "online" => Some(Self::Online),
            "away" => Some(Self::Away),
            "offline" => Some(Self::Offline),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalize_email("  Ana@Example.COM ").unwrap(),
            "ana@example.com"
        );
    }

    #[test]
    fn bad_emails_are_refused() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a b@example.com",
            "ana@exa..mple.com",
            "ana@.example.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn passwords_need_eight_characters() {
        assert!(check_password("1234567").is_err());
        assert!(check_password("12345678").is_ok());
        assert!(check_password(&"x".repeat(MAX_PASSWORD_LEN + 1)).is_err());
    }

    #[test]
    fn a_new_account_reports_every_bad_field() {
        let err = check_new_account(" ", "nope", "short").err().unwrap();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "password"]);
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            ActivityStatus::Online,
            ActivityStatus::Away,
            ActivityStatus::Offline,
        ] {
            assert_eq!(ActivityStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ActivityStatus::parse("busy"), None);
    }
}
