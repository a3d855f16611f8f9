//! Dynamic variables: the one renderer that fills `$contact.firstname`-style text for a contact.
//!
//! Two spellings are accepted so snippets written for either kind of inbox keep working:
//!
//! - `$namespace.name`, where the namespace is `contact`, `assignee` or `system` and the name
//!   is the longest run of `[a-z0-9_]` after the dot, so "Hi $contact.firstname!" stops at
//!   the `!`. A `$` followed by anything else ("$5", "$Contact", "$contact.") stays text.
//! - `{{namespace.name}}` or `{{key}}` (a bare key means `contact.key`), optionally with a
//!   literal fallback: `{{contact.firstname | "there"}}`. Spaces inside the braces are free.
//!   A bare key must start with a letter, so WhatsApp template slots such as `{{1}}` stay text.
//!
//! A variable without a value (unknown, missing or blank) renders its fallback or nothing:
//! a customer never sees raw variable syntax. Saving text is where unknown names are caught,
//! with [`unknown_variables`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

/// Standard `$contact.*` names; a custom field key may not reuse them.
pub const CONTACT_VARIABLES: [&str; 8] = [
    "name",
    "firstname",
    "lastname",
    "email",
    "phone",
    "country",
    "language",
    "id",
];
/// `$assignee.*` names: the user the contact is assigned to.
pub const ASSIGNEE_VARIABLES: [&str; 4] = ["name", "firstname", "lastname", "email"];
/// `$system.*` names, rendered in the workspace's time zone.
pub const SYSTEM_VARIABLES: [&str; 3] = ["current_datetime", "current_date", "current_time"];

/// The contact's values as stored; `None` or blank means "no value".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactValues {
    pub id: Option<String>,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    /// Custom field key → value, e.g. `city` → `New York`.
    pub custom: BTreeMap<String, Option<String>>,
}

/// The assigned user's values; all `None` when the contact is unassigned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssigneeValues {
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub email: Option<String>,
}

/// Everything a template can refer to. `now` is a parameter so rendering stays pure.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderContext {
    pub contact: ContactValues,
    pub assignee: AssigneeValues,
    /// IANA name of the workspace's time zone; an unknown name falls back to UTC.
    pub timezone: String,
    pub now: DateTime<Utc>,
}

/// The namespaces a variable can live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Namespace {
    Contact,
    Assignee,
    System,
}

impl Namespace {
    const ALL: [Namespace; 3] = [Self::Contact, Self::Assignee, Self::System];

    fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Assignee => "assignee",
            Self::System => "system",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|ns| ns.as_str() == s)
    }
}

/// One piece of a template: literal text, or a variable with an optional fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment<'a> {
    Text(&'a str),
    Var {
        ns: Namespace,
        name: &'a str,
        fallback: Option<&'a str>,
    },
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_name_char)
}

/// `$ns.name` at the start of `s`, with the number of bytes it spans.
fn dollar_var(s: &str) -> Option<(Segment<'_>, usize)> {
    let rest = s.strip_prefix('$')?;
    Namespace::ALL.into_iter().find_map(|ns| {
        let after = rest.strip_prefix(ns.as_str())?.strip_prefix('.')?;
        let len = after.find(|c| !is_name_char(c)).unwrap_or(after.len());
        let name = &after[..len];
        let var = Segment::Var {
            ns,
            name,
            fallback: None,
        };
        (len > 0).then_some((var, 1 + ns.as_str().len() + 1 + len))
    })
}

/// `{{ ns.name | "fallback" }}` or `{{ key }}` at the start of `s`, with its byte length.
fn braced_var(s: &str) -> Option<(Segment<'_>, usize)> {
    let rest = s.strip_prefix("{{")?;
    let end = rest.find("}}")?;
    let inner = &rest[..end];
    let (name_part, fallback) = match inner.split_once('|') {
        Some((name, fb)) => {
            let quoted = fb.trim().strip_prefix('"')?.strip_suffix('"')?;
            if quoted.contains('"') {
                return None;
            }
            (name.trim(), Some(quoted))
        }
        None => (inner.trim(), None),
    };
    let (ns, name) = match name_part.split_once('.') {
        Some((ns, name)) => (Namespace::parse(ns)?, name),
        None if name_part.starts_with(|c: char| c.is_ascii_lowercase()) => {
            (Namespace::Contact, name_part)
        }
        None => return None,
    };
    is_name(name).then_some((Segment::Var { ns, name, fallback }, 2 + end + 2))
}

/// Splits a template into text and variables, in order.
fn segments(template: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < template.len() {
        let rest = &template[i..];
        let found = match rest.as_bytes()[0] {
            b'$' => dollar_var(rest),
            b'{' => braced_var(rest),
            _ => None,
        };
        if let Some((var, len)) = found {
            if text_start < i {
                out.push(Segment::Text(&template[text_start..i]));
            }
            out.push(var);
            i += len;
            text_start = i;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    if text_start < template.len() {
        out.push(Segment::Text(&template[text_start..]));
    }
    out
}

/// A stored value, or `None` when it is missing or blank.
fn present(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// "First Last", either part alone, or `None` when both are blank.
fn full_name(first: &Option<String>, last: &Option<String>) -> Option<String> {
    let name = [present(first), present(last)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

fn value(ns: Namespace, name: &str, ctx: &RenderContext) -> Option<String> {
    let c = &ctx.contact;
    let a = &ctx.assignee;
    match (ns, name) {
        (Namespace::Contact, "name") => full_name(&c.firstname, &c.lastname),
        (Namespace::Contact, "firstname") => present(&c.firstname),
        (Namespace::Contact, "lastname") => present(&c.lastname),
        (Namespace::Contact, "email") => present(&c.email),
        (Namespace::Contact, "phone") => present(&c.phone),
        (Namespace::Contact, "country") => present(&c.country),
        (Namespace::Contact, "language") => present(&c.language),
        (Namespace::Contact, "id") => present(&c.id),
        (Namespace::Contact, key) => c.custom.get(key).and_then(present),
        (Namespace::Assignee, "name") => full_name(&a.firstname, &a.lastname),
        (Namespace::Assignee, "firstname") => present(&a.firstname),
        (Namespace::Assignee, "lastname") => present(&a.lastname),
        (Namespace::Assignee, "email") => present(&a.email),
        (Namespace::System, name) => {
            let format = match name {
                "current_datetime" => "%Y-%m-%d %H:%M:%S",
                "current_date" => "%Y-%m-%d",
                "current_time" => "%H:%M:%S",
                _ => return None,
            };
            let tz: chrono_tz::Tz = ctx.timezone.parse().unwrap_or(chrono_tz::UTC);
            Some(ctx.now.with_timezone(&tz).format(format).to_string())
        }
        (Namespace::Assignee, _) => None,
    }
}

/// `template` with every variable replaced by its value, its fallback, or nothing.
/// Fallbacks are literal text: variables inside them are not expanded.
pub fn render(template: &str, ctx: &RenderContext) -> String {
    let mut out = String::with_capacity(template.len());
    for segment in segments(template) {
        match segment {
            Segment::Text(text) => out.push_str(text),
            Segment::Var { ns, name, fallback } => match value(ns, name, ctx) {
                Some(v) => out.push_str(&v),
                None => out.push_str(fallback.unwrap_or_default()),
            },
        }
    }
    out
}

fn is_known(ns: Namespace, name: &str, known_custom_keys: &[&str]) -> bool {
    match ns {
        Namespace::Contact => {
            CONTACT_VARIABLES.contains(&name) || known_custom_keys.contains(&name)
        }
        Namespace::Assignee => ASSIGNEE_VARIABLES.contains(&name),
        Namespace::System => SYSTEM_VARIABLES.contains(&name),
    }
}

/// Dotted names (`contact.citty`, `system.today`) of the variables in `template` that are
/// neither standard nor one of `known_custom_keys`, once each, in order of appearance.
/// A snippet or message that contains one is refused, naming it, rather than sent blank.
pub fn unknown_variables(template: &str, known_custom_keys: &[&str]) -> Vec<String> {
    let mut unknown: Vec<String> = Vec::new();
    for segment in segments(template) {
        if let Segment::Var { ns, name, .. } = segment {
            let dotted = format!("{}.{name}", ns.as_str());
            if !is_known(ns, name, known_custom_keys) && !unknown.contains(&dotted) {
                unknown.push(dotted);
            }
        }
    }
    unknown
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ctx() -> RenderContext {
        RenderContext {
            contact: ContactValues {
                id: Some("42".into()),
                firstname: Some("Ana".into()),
                lastname: Some("Lim".into()),
                email: Some("ana@example.com".into()),
                phone: Some("+60123456789".into()),
                country: Some("MY".into()),
                language: Some("ms".into()),
                custom: BTreeMap::from([
                    ("city".to_string(), Some("New York".to_string())),
                    ("membership".to_string(), Some("diamond".to_string())),
                    ("nickname".to_string(), None),
                    ("notes".to_string(), Some("   ".to_string())),
                ]),
            },
            assignee: AssigneeValues {
                firstname: Some("Ben".into()),
                lastname: Some("Tan".into()),
                email: Some("ben@example.com".into()),
            },
            timezone: "Asia/Kuala_Lumpur".into(),
            // 2024-03-31 17:05:09 UTC is 2024-04-01 01:05:09 in Kuala Lumpur (UTC+8).
            now: Utc.with_ymd_and_hms(2024, 3, 31, 17, 5, 9).unwrap(),
        }
    }

    #[test]
    fn standard_contact_variables() {
        let c = ctx();
        let t = "$contact.name|$contact.firstname|$contact.lastname|$contact.email|\
                 $contact.phone|$contact.country|$contact.language|$contact.id";
        assert_eq!(
            render(t, &c),
            "Ana Lim|Ana|Lim|ana@example.com|+60123456789|MY|ms|42"
        );
    }

    #[test]
    fn assignee_variables() {
        let t = "$assignee.name <$assignee.email> $assignee.firstname/$assignee.lastname";
        assert_eq!(render(t, &ctx()), "Ben Tan <ben@example.com> Ben/Tan");
        let mut c = ctx();
        c.assignee = AssigneeValues::default();
        assert_eq!(render("By $assignee.name.", &c), "By .");
    }

    #[test]
    fn name_is_first_and_last_trimmed() {
        let mut c = ctx();
        c.contact.firstname = Some("  Ana ".into());
        c.contact.lastname = None;
        assert_eq!(render("[$contact.name]", &c), "[Ana]");
        c.contact.firstname = Some(" ".into());
        c.contact.lastname = Some(" Lim".into());
        assert_eq!(render("[$contact.name]", &c), "[Lim]");
        c.contact.lastname = None;
        assert_eq!(render("[$contact.name]", &c), "[]");
        assert_eq!(render(r#"{{contact.name | "friend"}}"#, &c), "friend");
    }

    #[test]
    fn custom_fields_render_by_key() {
        let c = ctx();
        assert_eq!(render("From $contact.city.", &c), "From New York.");
        assert_eq!(render("Tier: {{membership}}", &c), "Tier: diamond");
        assert_eq!(render("Tier: {{contact.membership}}", &c), "Tier: diamond");
    }

    #[test]
    fn trailing_punctuation_ends_a_name() {
        let c = ctx();
        assert_eq!(render("Hi $contact.firstname!", &c), "Hi Ana!");
        assert_eq!(render("Hi $contact.firstname, ok?", &c), "Hi Ana, ok?");
        assert_eq!(render("($contact.firstname)", &c), "(Ana)");
        assert_eq!(render("$contact.firstname's order", &c), "Ana's order");
        assert_eq!(render("$contact.firstname$contact.lastname", &c), "AnaLim");
        // Digits and underscores belong to the name, so this is another variable.
        assert_eq!(render("[$contact.firstname_2]", &c), "[]");
    }

    #[test]
    fn dollars_that_are_not_variables_stay_text() {
        let c = ctx();
        for text in [
            "Only $5 today",
            "$",
            "$$",
            "US$ 10",
            "$contact",
            "$contact.",
            "$contact. hi",
            "$Contact.firstname",
            "$contact.Firstname",
            "$user.name",
            "$contacts.name",
        ] {
            assert_eq!(render(text, &c), text);
            assert!(unknown_variables(text, &[]).is_empty(), "{text}");
        }
        assert_eq!(render("$$contact.firstname", &c), "$Ana");
        assert_eq!(render("Pay $5, $contact.firstname", &c), "Pay $5, Ana");
    }

    #[test]
    fn braced_form_with_fallbacks() {
        let mut c = ctx();
        assert_eq!(
            render(r#"Hi {{contact.firstname | "there"}}"#, &c),
            "Hi Ana"
        );
        assert_eq!(
            render(r#"Hi {{ contact.firstname|"there" }}!"#, &c),
            "Hi Ana!"
        );
        c.contact.firstname = None;
        assert_eq!(
            render(r#"Hi {{contact.firstname | "there"}}!"#, &c),
            "Hi there!"
        );
        assert_eq!(render(r#"Hi {{firstname | "there"}}!"#, &c), "Hi there!");
        assert_eq!(render(r#"[{{contact.firstname | ""}}]"#, &c), "[]");
        assert_eq!(render("Hi {{contact.firstname}}!", &c), "Hi !");
        // A fallback is literal text, never expanded.
        assert_eq!(
            render(r#"{{contact.firstname | "$contact.lastname"}}"#, &c),
            "$contact.lastname"
        );
    }

    #[test]
    fn missing_and_blank_values_render_nothing_or_the_fallback() {
        let c = ctx();
        assert_eq!(render("[$contact.nickname]", &c), "[]");
        assert_eq!(render("[$contact.notes]", &c), "[]");
        assert_eq!(render("[$contact.unheard_of]", &c), "[]");
        assert_eq!(render("[$system.tomorrow]", &c), "[]");
        assert_eq!(render("[$assignee.phone]", &c), "[]");
        assert_eq!(render(r#"[{{notes | "none"}}]"#, &c), "[none]");
        assert_eq!(render(r#"[{{system.nope | "x"}}]"#, &c), "[x]");
    }

    #[test]
    fn malformed_braces_stay_text() {
        let c = ctx();
        for text in [
            "{{1}}",
            "{{ }}",
            "{{Name}}",
            "{{first name}}",
            "{{contact.}}",
            "{{foo.bar}}",
            "{{contact.firstname | there}}",
            r#"{{contact.firstname | "a"b"}}"#,
            "{{contact.firstname",
            "{contact.firstname}",
            "{}",
        ] {
            assert_eq!(render(text, &c), text);
        }
        assert_eq!(render("{{{membership}}}", &c), "{diamond}");
    }

    #[test]
    fn system_time_in_the_workspace_zone_across_midnight() {
        let mut c = ctx();
        assert_eq!(
            render("$system.current_datetime", &c),
            "2024-04-01 01:05:09"
        );
        assert_eq!(render("$system.current_date", &c), "2024-04-01");
        assert_eq!(render("$system.current_time", &c), "01:05:09");
        c.timezone = "America/New_York".into();
        assert_eq!(
            render("$system.current_datetime", &c),
            "2024-03-31 13:05:09"
        );
        c.timezone = "UTC".into();
        assert_eq!(render("{{system.current_date}}", &c), "2024-03-31");
        c.timezone = "Mars/Olympus".into();
        assert_eq!(render("$system.current_time", &c), "17:05:09");
    }

    #[test]
    fn text_around_variables_is_kept_exactly() {
        let c = ctx();
        assert_eq!(render("", &c), "");
        assert_eq!(render("no variables here", &c), "no variables here");
        assert_eq!(render("héllo $contact.firstname ✓", &c), "héllo Ana ✓");
        assert_eq!(render("a\n$contact.id\nb", &c), "a\n42\nb");
    }

    #[test]
    fn unknown_variables_are_named_once_in_order() {
        let t = "Hi $contact.firstname from $contact.citty, $system.today {{tier}} \
                 $assignee.phone $contact.citty {{contact.city}} $contact.name";
        assert_eq!(
            unknown_variables(t, &["city"]),
            [
                "contact.citty",
                "system.today",
                "contact.tier",
                "assignee.phone"
            ]
        );
        assert_eq!(
            unknown_variables(t, &["city", "citty", "tier"]),
            ["system.today", "assignee.phone"]
        );
    }

    #[test]
    fn standard_variables_are_always_known() {
        let mut t = String::new();
        for n in CONTACT_VARIABLES {
            t.push_str(&format!("$contact.{n} {{{{{n}}}}} "));
        }
        for n in ASSIGNEE_VARIABLES {
            t.push_str(&format!("$assignee.{n} "));
        }
        for n in SYSTEM_VARIABLES {
            t.push_str(&format!(r#"{{{{system.{n} | "-"}}}} "#));
        }
        assert!(unknown_variables(&t, &[]).is_empty(), "{t}");
        // Only contact variables can be custom keys.
        assert_eq!(
            unknown_variables("$assignee.city $system.city", &["city"]),
            ["assignee.city", "system.city"]
        );
    }
}
