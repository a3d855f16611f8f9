//! Closing-note categories: the names a closing note picks from. A name never changes once
//! made (closed conversations keep it as text), so only its description is editable.

use crate::Invalid;

pub const MAX_CATEGORY_NAME_LEN: usize = 100;
pub const MAX_CATEGORY_DESCRIPTION_LEN: usize = 500;

/// A category's name, trimmed: 1 to 100 characters.
pub fn normalize_category_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        Err("must not be empty".into())
    } else if name.chars().count() > MAX_CATEGORY_NAME_LEN {
        Err(format!(
            "must be at most {MAX_CATEGORY_NAME_LEN} characters"
        ))
    } else {
        Ok(name.to_string())
    }
}

/// A description, trimmed: at most 500 characters (empty is fine).
pub fn normalize_category_description(raw: &str) -> Result<String, String> {
    let description = raw.trim();
    if description.chars().count() > MAX_CATEGORY_DESCRIPTION_LEN {
        Err(format!(
            "must be at most {MAX_CATEGORY_DESCRIPTION_LEN} characters"
        ))
    } else {
        Ok(description.to_string())
    }
}

/// What a category change may carry: a description only. `name_sent` says whether the
/// change named the category at all (even with the same name or `null`): that is refused,
/// so a client never believes a rename happened.
pub fn check_category_change(
    name_sent: bool,
    description: Option<&str>,
) -> Result<Option<String>, Invalid> {
    let mut invalid = Invalid::default();
    if name_sent {
        invalid.push(
            "name",
            "cannot be changed: closed conversations keep the name; create a new category instead",
        );
    }
    let description = match description.map(normalize_category_description) {
        Some(Ok(d)) => Some(d),
        Some(Err(m)) => {
            invalid.push("description", m);
            None
        }
        None => None,
    };
    invalid.into_result().map(|_| description)
}

/// Whether two category names clash: names are told apart without regard to case, so
/// "Billing" and "billing" cannot both exist.
pub fn names_clash(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_1_to_100_characters() {
        assert_eq!(normalize_category_name("  Sales "), Ok("Sales".into()));
        assert!(normalize_category_name("").is_err());
        assert!(normalize_category_name(" \t ").is_err());
        let max = "é".repeat(MAX_CATEGORY_NAME_LEN);
        assert_eq!(normalize_category_name(&max), Ok(max.clone()));
        let err = normalize_category_name(&format!("{max}x")).unwrap_err();
        assert!(err.contains("100"), "{err}");
    }

    #[test]
    fn descriptions_are_at_most_500_characters() {
        assert_eq!(normalize_category_description(""), Ok(String::new()));
        assert_eq!(normalize_category_description(" Why "), Ok("Why".into()));
        let max = "x".repeat(MAX_CATEGORY_DESCRIPTION_LEN);
        assert!(normalize_category_description(&max).is_ok());
        let err = normalize_category_description(&format!("{max}y")).unwrap_err();
        assert!(err.contains("500"), "{err}");
    }

    #[test]
    fn a_change_may_only_describe() {
        assert_eq!(check_category_change(false, None), Ok(None));
        assert_eq!(
            check_category_change(false, Some(" New words ")),
            Ok(Some("New words".into()))
        );
        let err = check_category_change(true, Some("fine")).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(err.0[0].field, "name");
        assert!(err.0[0].message.contains("cannot be changed"));
        let long = "x".repeat(501);
        let err = check_category_change(true, Some(&long)).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "description"]);
    }

    #[test]
    fn clashes_ignore_case_and_blanks() {
        assert!(names_clash("Billing", " billing"));
        assert!(names_clash("ÉTÉ", "été"));
        assert!(!names_clash("Billing", "Billings"));
    }
}
