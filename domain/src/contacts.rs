//! Contact input rules: phone numbers, custom field keys and values, and tags.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::account::normalize_email;
use crate::variables::CONTACT_VARIABLES;

const PHONE_INVALID: &str = "must be a phone number with its country code, e.g. +60123456789";
/// E.164 allows at most 15 digits; anything longer is refused before parsing.
const MAX_PHONE_DIGITS: usize = 15;

/// The E.164 form (`+60123456789`) of a phone number written with its country code.
///
/// Accepted: an optional leading `+`, or the international prefix `00` in its place, then
/// digits separated by spaces, dashes, dots or parentheses: "+60 12-345 6789",
/// "60 (12) 345.6789" and "0060123456789" all give "+60123456789". A national number
/// ("012-345 6789") is refused: without a country it is ambiguous, and contacts come from
/// every country. The number must also be valid for its country's numbering plan.
pub fn normalize_phone(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let (plus, rest) = match raw.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '-' | '.' | '(' | ')' => {}
            c if c.is_whitespace() => {}
            _ => return Err(PHONE_INVALID.into()),
        }
    }
    let international = match digits.strip_prefix("00") {
        Some(after) if !plus => after,
        _ => &digits,
    };
    if international.is_empty() || international.len() > MAX_PHONE_DIGITS {
        return Err(PHONE_INVALID.into());
    }
    let number = phonenumber::parse(None, format!("+{international}"))
        .map_err(|_| PHONE_INVALID.to_string())?;
    if !number.is_valid() {
        return Err(PHONE_INVALID.into());
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// Fewer digits than this match too many numbers to be a useful phone search.
pub const MIN_PHONE_SEARCH_DIGITS: usize = 3;

/// The digits to look for in stored E.164 numbers when `query` looks like (part of) a phone
/// number, so "+60 12", "60-12" and "6012" all find +60123456789. `None` for anything else
/// (names, e-mails, fewer than 3 digits): the caller then searches text fields only.
/// A leading `00` is read as `+`, as in [`normalize_phone`].
pub fn phone_search_digits(query: &str) -> Option<String> {
    let query = query.trim();
    let (plus, rest) = match query.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, query),
    };
    let phone_like = rest
        .chars()
        .all(|c| c.is_ascii_digit() || c.is_whitespace() || "-.()".contains(c));
    if !phone_like {
        return None;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.strip_prefix("00") {
        Some(after) if !plus => after.to_string(),
        _ => digits,
    };
    (digits.len() >= MIN_PHONE_SEARCH_DIGITS).then_some(digits)
}

/// The type of a custom contact field, which decides what values it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Number,
    Date,
    List,
    Checkbox,
    Email,
    Url,
    Phone,
}

impl FieldType {
    pub const ALL: [FieldType; 8] = [
        Self::Text,
        Self::Number,
        Self::Date,
        Self::List,
        Self::Checkbox,
        Self::Email,
        Self::Url,
        Self::Phone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::List => "list",
            Self::Checkbox => "checkbox",
            Self::Email => "email",
            Self::Url => "url",
            Self::Phone => "phone",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

pub const MAX_TEXT_VALUE_LEN: usize = 2_000;
pub const MAX_URL_LEN: usize = 2_000;
/// Enough for any real quantity; stops a megabyte of digits posing as a number.
pub const MAX_NUMBER_LEN: usize = 50;

/// The text to store for `value` in a field of `field_type`, `Ok(None)` to clear the field,
/// or why the value does not fit.
///
/// `null` and blank strings clear the field whatever its type, since forms and CSV imports
/// send an emptied input that way. Values are trimmed. Per type: text up to 2,000
/// characters; number as a JSON number or a decimal string, stored in its shortest form
/// ("007.50" → "7.5"); date as `YYYY-MM-DD`; list as one of `options` (matched ignoring
/// case, stored as the option is spelled); checkbox as a boolean or "true"/"false"; email,
/// url (absolute http or https) and phone normalised.
pub fn check_value(
    field_type: FieldType,
    options: &[String],
    value: &Value,
) -> Result<Option<String>, String> {
    let text = match value {
        Value::Null => return Ok(None),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => Some(s.trim()),
        _ => None,
    };
    let stored = match (field_type, text) {
        (FieldType::Number, None) => match value {
            Value::Number(n) => json_number_text(n),
            _ => None,
        }
        .ok_or("must be a number")?,
        (FieldType::Number, Some(s)) => normalize_decimal(s).ok_or("must be a number")?,
        (FieldType::Checkbox, _) => match (value, text) {
            (Value::Bool(b), _) => b.to_string(),
            (_, Some(s)) if s.eq_ignore_ascii_case("true") => "true".into(),
            (_, Some(s)) if s.eq_ignore_ascii_case("false") => "false".into(),
            _ => return Err("must be true or false".into()),
        },
        (_, None) => return Err("must be a string".into()),
        (FieldType::Text, Some(s)) => {
            if s.chars().count() > MAX_TEXT_VALUE_LEN {
                return Err(format!("must be at most {MAX_TEXT_VALUE_LEN} characters"));
            }
            s.to_string()
        }
        (FieldType::Date, Some(s)) => {
            let well_formed = s.len() == 10
                && s.as_bytes()[4] == b'-'
                && s.as_bytes()[7] == b'-'
                && NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok();
            if !well_formed {
                return Err("must be a date YYYY-MM-DD".into());
            }
            s.to_string()
        }
        (FieldType::List, Some(s)) => options
            .iter()
            .find(|o| o.as_str() == s)
            .or_else(|| {
                options
                    .iter()
                    .find(|o| o.to_lowercase() == s.to_lowercase())
            })
            .cloned()
            .ok_or_else(|| format!("must be one of: {}", options.join(", ")))?,
        (FieldType::Email, Some(s)) => normalize_email(s)?,
        (FieldType::Url, Some(s)) => check_url(s)?,
        (FieldType::Phone, Some(s)) => normalize_phone(s)?,
    };
    Ok(Some(stored))
}

/// A JSON number as plain decimal text: integers exactly, floats without an exponent
/// (serde_json would print `1e-7`, which [`normalize_decimal`] refuses).
fn json_number_text(n: &serde_json::Number) -> Option<String> {
    if n.is_f64() {
        normalize_decimal(&format!("{}", n.as_f64()?))
    } else {
        normalize_decimal(&n.to_string())
    }
}

/// `[+-]digits[.digits]` in its shortest form, or `None` if it is not one. Exponents, "NaN"
/// and thousands separators are refused so the stored text sorts and reads plainly.
fn normalize_decimal(s: &str) -> Option<String> {
    if s.len() > MAX_NUMBER_LEN {
        return None;
    }
    let (negative, unsigned) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !all_digits(int) || !all_digits(frac) || unsigned.ends_with('.') {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let sign = if negative && (int != "0" || !frac.is_empty()) {
        "-"
    } else {
        ""
    };
    Some(if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    })
}

/// An absolute http(s) URL with a host, no spaces and a bounded length, stored as given.
fn check_url(s: &str) -> Result<String, String> {
    const INVALID: &str = "must be an http:// or https:// address";
    if s.chars().count() > MAX_URL_LEN {
        return Err(format!("must be at most {MAX_URL_LEN} characters"));
    }
    let lower = s.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or(INVALID)?;
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(INVALID.into());
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    let host_ok = !host.is_empty()
        && !host.starts_with(['.', '-'])
        && !host.ends_with('-')
        && !host.contains("..")
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if host_ok {
        Ok(s.to_string())
    } else {
        Err(INVALID.into())
    }
}

pub const MAX_LIST_OPTIONS: usize = 100;
pub const MAX_LIST_OPTION_LEN: usize = 100;

/// The options of a list field: trimmed, 1–100 of them, each 1–100 characters, no two
/// the same ignoring case (a value matches an option ignoring case, so both would match).
pub fn check_list_options(options: &[String]) -> Result<Vec<String>, String> {
    if options.is_empty() || options.len() > MAX_LIST_OPTIONS {
        return Err(format!(
            "a list needs between 1 and {MAX_LIST_OPTIONS} options"
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(options.len());
    for option in options {
        let option = option.trim();
        if option.is_empty() || option.chars().count() > MAX_LIST_OPTION_LEN {
            return Err(format!(
                "each option must be 1 to {MAX_LIST_OPTION_LEN} characters"
            ));
        }
        if out
            .iter()
            .any(|o| o.to_lowercase() == option.to_lowercase())
        {
            return Err(format!("option \"{option}\" is listed twice"));
        }
        out.push(option.to_string());
    }
    Ok(out)
}

/// Names a custom field key may not take: the standard `$contact.*` variables and the
/// standard fields as the API and imports spell them, so `$contact.<key>`, an import column
/// or an API body never means two things.
pub const RESERVED_FIELD_KEYS: [&str; 6] = [
    "first_name",
    "last_name",
    "profile_pic",
    "tags",
    "assignee",
    "created_at",
];

pub const MAX_FIELD_KEY_LEN: usize = 50;

/// A custom field key: `^[a-z][a-z0-9_]{0,49}$` (usable as `$contact.<key>` and `{{key}}`)
/// and not a standard field's name.
pub fn check_field_key(key: &str) -> Result<(), String> {
    let well_formed = key.len() <= MAX_FIELD_KEY_LEN
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !well_formed {
        return Err(format!(
            "must start with a-z and contain only a-z, 0-9 and _, at most {MAX_FIELD_KEY_LEN} characters"
        ));
    }
    if CONTACT_VARIABLES.contains(&key) || RESERVED_FIELD_KEYS.contains(&key) {
        return Err(format!("\"{key}\" is a standard contact field"));
    }
    Ok(())
}

pub const MAX_TAG_LEN: usize = 50;

/// A tag as stored: trimmed, inner runs of spaces collapsed, 1–50 characters, no commas
/// (imports and filters list tags comma-separated) and no control characters.
pub fn normalize_tag(raw: &str) -> Result<String, String> {
    let tag = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if tag.is_empty() {
        return Err("a tag must not be empty".into());
    }
    if tag.chars().count() > MAX_TAG_LEN {
        return Err(format!("a tag must be at most {MAX_TAG_LEN} characters"));
    }
    if tag.contains(',') {
        return Err(format!("tag \"{tag}\" must not contain commas"));
    }
    if tag.chars().any(char::is_control) {
        return Err("a tag must not contain control characters".into());
    }
    Ok(tag)
}

/// What makes two tags the same: "VIP" and "vip" are one tag.
pub fn tag_key(tag: &str) -> String {
    tag.to_lowercase()
}

/// Normalised tags without case-insensitive duplicates, keeping each first spelling.
pub fn normalize_tags<S: AsRef<str>>(raw: &[S]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for tag in raw {
        let tag = normalize_tag(tag.as_ref())?;
        if !out.iter().any(|t| tag_key(t) == tag_key(&tag)) {
            out.push(tag);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn phones_with_a_country_code_become_e164() {
        for raw in [
            "+60123456789",
            "+60 12-345 6789",
            " +60 (12) 345.6789 ",
            "60123456789",
            "60 12 345 6789",
            "0060123456789",
            "00 60 12-345 6789",
            "+ 60 12 345 6789",
        ] {
            assert_eq!(normalize_phone(raw).as_deref(), Ok("+60123456789"), "{raw}");
        }
        assert_eq!(
            normalize_phone("+1 (650) 253-0000").unwrap(),
            "+16502530000"
        );
        assert_eq!(
            normalize_phone("+44 20 7946 0958").unwrap(),
            "+442079460958"
        );
        assert_eq!(
            normalize_phone("+39 06 6988 0000").unwrap(),
            "+390669880000"
        );
    }

    #[test]
    fn bad_phones_are_refused() {
        for raw in [
            "",
            "   ",
            "+",
            "abc",
            "012-345 6789",
            "+0060123456789",
            "+60 12 345 6789 ext 5",
            "+60/12/3456789",
            "+60123",
            "+601234567890123456",
            "+999 123 456 789",
            "60-12-345-6789x",
            "++60123456789",
        ] {
            let err = normalize_phone(raw).unwrap_err();
            assert!(err.contains("country code"), "{raw}: {err}");
        }
    }

    #[test]
    fn phone_like_queries_become_digits() {
        assert_eq!(phone_search_digits("+60 12").as_deref(), Some("6012"));
        assert_eq!(phone_search_digits("6012").as_deref(), Some("6012"));
        assert_eq!(phone_search_digits(" 60-12 ").as_deref(), Some("6012"));
        assert_eq!(phone_search_digits("(012) 345").as_deref(), Some("012345"));
        assert_eq!(phone_search_digits("0060 12").as_deref(), Some("6012"));
        assert_eq!(phone_search_digits("123").as_deref(), Some("123"));
    }

    #[test]
    fn other_queries_are_not_phone_searches() {
        for q in [
            "",
            "Ana",
            "ana@example.com",
            "12",
            "+6",
            "Ana 6012",
            "60+12",
            "-",
            "00 1",
        ] {
            assert_eq!(phone_search_digits(q), None, "{q}");
        }
    }

    #[test]
    fn field_types_round_trip() {
        for t in FieldType::ALL {
            assert_eq!(FieldType::parse(t.as_str()), Some(t));
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                format!("\"{}\"", t.as_str())
            );
        }
        assert_eq!(FieldType::parse("time"), None);
    }

    fn check(t: FieldType, v: Value) -> Result<Option<String>, String> {
        check_value(t, &[], &v)
    }

    #[test]
    fn null_and_blank_clear_any_field() {
        for t in FieldType::ALL {
            assert_eq!(check(t, Value::Null), Ok(None), "{t:?}");
            assert_eq!(check(t, json!("  ")), Ok(None), "{t:?}");
        }
    }

    #[test]
    fn text_values() {
        assert_eq!(check(FieldType::Text, json!(" hi ")), Ok(Some("hi".into())));
        let max = "ü".repeat(MAX_TEXT_VALUE_LEN);
        assert_eq!(
            check(FieldType::Text, json!(max.clone())),
            Ok(Some(max.clone()))
        );
        assert!(check(FieldType::Text, json!(format!("{max}x"))).is_err());
        assert!(check(FieldType::Text, json!(5)).is_err());
        assert!(check(FieldType::Text, json!(["a"])).is_err());
    }

    #[test]
    fn number_values() {
        let ok = |v: Value, want: &str| {
            assert_eq!(
                check(FieldType::Number, v.clone()),
                Ok(Some(want.into())),
                "{v}"
            )
        };
        ok(json!(42), "42");
        ok(json!(-3), "-3");
        ok(json!(2.5), "2.5");
        ok(json!(1.0), "1");
        ok(json!(0.0000001), "0.0000001");
        ok(json!(18446744073709551615u64), "18446744073709551615");
        ok(json!("42"), "42");
        ok(json!(" 007.50 "), "7.5");
        ok(json!("+1.25"), "1.25");
        ok(json!("-0.0"), "0");
        ok(json!("-0.5"), "-0.5");
        ok(json!("12345678901234567890.5"), "12345678901234567890.5");
        for bad in [
            json!("1e3"),
            json!("1,000"),
            json!("NaN"),
            json!("inf"),
            json!("1."),
            json!(".5"),
            json!("--1"),
            json!("twelve"),
            json!(true),
            json!("1".repeat(MAX_NUMBER_LEN + 1)),
        ] {
            assert_eq!(
                check(FieldType::Number, bad.clone()),
                Err("must be a number".into()),
                "{bad}"
            );
        }
    }

    #[test]
    fn date_values() {
        assert_eq!(
            check(FieldType::Date, json!("2024-02-29")),
            Ok(Some("2024-02-29".into()))
        );
        for bad in [
            "2023-02-29",
            "2024-2-9",
            "2024-13-01",
            "24-01-01",
            "2024/01/01",
            "01-01-2024",
            "2024-01-01T00:00",
            "+2024-01-01",
        ] {
            assert!(check(FieldType::Date, json!(bad)).is_err(), "{bad}");
        }
        assert!(check(FieldType::Date, json!(20240101)).is_err());
    }

    #[test]
    fn list_values_must_be_an_option() {
        let options = vec!["Gold".to_string(), "Silver".to_string()];
        let list = |v: Value| check_value(FieldType::List, &options, &v);
        assert_eq!(list(json!("Gold")), Ok(Some("Gold".into())));
        assert_eq!(list(json!(" silver ")), Ok(Some("Silver".into())));
        let err = list(json!("Bronze")).unwrap_err();
        assert_eq!(err, "must be one of: Gold, Silver");
        assert!(list(json!(1)).is_err());
        assert!(check_value(FieldType::List, &[], &json!("Gold")).is_err());
    }

    #[test]
    fn an_exact_option_wins_over_a_case_insensitive_one() {
        // Only possible with options stored before check_list_options existed.
        let options = vec!["gold".to_string(), "Gold".to_string()];
        let got = check_value(FieldType::List, &options, &json!("Gold"));
        assert_eq!(got, Ok(Some("Gold".into())));
    }

    #[test]
    fn checkbox_values() {
        assert_eq!(
            check(FieldType::Checkbox, json!(true)),
            Ok(Some("true".into()))
        );
        assert_eq!(
            check(FieldType::Checkbox, json!(false)),
            Ok(Some("false".into()))
        );
        assert_eq!(
            check(FieldType::Checkbox, json!("TRUE")),
            Ok(Some("true".into()))
        );
        assert_eq!(
            check(FieldType::Checkbox, json!("false")),
            Ok(Some("false".into()))
        );
        for bad in [json!(1), json!("yes"), json!(0), json!({})] {
            assert!(check(FieldType::Checkbox, bad).is_err());
        }
    }

    #[test]
    fn email_values_are_normalised() {
        assert_eq!(
            check(FieldType::Email, json!(" Ana@Example.COM ")),
            Ok(Some("ana@example.com".into()))
        );
        assert!(check(FieldType::Email, json!("ana@")).is_err());
        assert!(check(FieldType::Email, json!(1)).is_err());
    }

    #[test]
    fn url_values_are_absolute_http() {
        for good in [
            "https://example.com",
            "http://example.com/a?b=c#d",
            "HTTPS://Example.com/Path",
            "https://user@example.com:8080/x",
            "http://localhost:3000",
            "https://[::1]:8443/",
            "https://münchen.de",
        ] {
            assert_eq!(
                check(FieldType::Url, json!(good)),
                Ok(Some(good.into())),
                "{good}"
            );
        }
        for bad in [
            "example.com",
            "ftp://example.com",
            "javascript:alert(1)",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "https://example.com/a b",
            "https://.example.com",
            "https://ex..ample.com",
            "https://exa_mple.com",
            "//example.com",
        ] {
            assert!(check(FieldType::Url, json!(bad)).is_err(), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert!(check(FieldType::Url, json!(long)).is_err());
    }

    #[test]
    fn phone_values_are_normalised() {
        assert_eq!(
            check(FieldType::Phone, json!("+60 12-345 6789")),
            Ok(Some("+60123456789".into()))
        );
        assert!(check(FieldType::Phone, json!("012-345 6789")).is_err());
        assert!(check(FieldType::Phone, json!(60123456789u64)).is_err());
    }

    #[test]
    fn list_options_are_checked() {
        let opts =
            |v: &[&str]| check_list_options(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            opts(&[" Gold ", "Silver"]),
            Ok(vec!["Gold".into(), "Silver".into()])
        );
        assert!(opts(&[]).is_err());
        assert!(opts(&["Gold", " "]).is_err());
        assert!(opts(&["Gold", "GOLD"]).unwrap_err().contains("twice"));
        assert!(opts(&[&"x".repeat(MAX_LIST_OPTION_LEN + 1)]).is_err());
        let many: Vec<String> = (0..=MAX_LIST_OPTIONS).map(|i| format!("o{i}")).collect();
        assert!(check_list_options(&many).is_err());
        assert!(check_list_options(&many[..MAX_LIST_OPTIONS]).is_ok());
    }

    #[test]
    fn field_keys() {
        for good in ["city", "membership", "a", "order_no_2", &"k".repeat(50)] {
            assert_eq!(check_field_key(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "City",
            "2city",
            "_city",
            "order-no",
            "order no",
            "café",
            &"k".repeat(51),
        ] {
            assert!(check_field_key(bad).is_err(), "{bad}");
        }
        for standard in CONTACT_VARIABLES.iter().chain(&RESERVED_FIELD_KEYS) {
            let err = check_field_key(standard).unwrap_err();
            assert!(err.contains("standard"), "{standard}");
        }
    }

    #[test]
    fn tags_are_trimmed_and_bounded() {
        assert_eq!(normalize_tag("  VIP  "), Ok("VIP".into()));
        assert_eq!(normalize_tag("new \t customer"), Ok("new customer".into()));
        assert_eq!(normalize_tag(&"t".repeat(50)), Ok("t".repeat(50)));
        assert!(normalize_tag(&"t".repeat(51)).is_err());
        assert!(normalize_tag("   ").is_err());
        assert!(normalize_tag("a,b").unwrap_err().contains("commas"));
        assert!(normalize_tag("a\u{7}b").is_err());
    }

    #[test]
    fn tags_are_unique_ignoring_case() {
        assert_eq!(tag_key("VIP"), tag_key("vip"));
        assert_eq!(
            normalize_tags(&["VIP", " vip ", "Lead", "LEAD", "new  lead"]),
            Ok(vec!["VIP".to_string(), "Lead".into(), "new lead".into()])
        );
        assert!(normalize_tags(&["ok", "a,b"]).is_err());
        assert_eq!(normalize_tags::<&str>(&[]), Ok(vec![]));
    }
}
