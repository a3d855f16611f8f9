//! The website chat widget channel: its settings (checked field by field), the origins it may
//! be embedded on, and the snippet a website pastes. Visitors talk to it through the visitor
//! API (`routes::widget`); replies reach them over its event stream, no provider involved.

use domain::Invalid;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// Longest greeting and offline message, in characters.
pub const MAX_TEXT_CHARS: usize = 1000;
/// Most allowed origins per channel.
pub const MAX_ORIGINS: usize = 50;

/// Settings of a web_chat channel (stored; never secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebChatConfig {
    /// What the widget shows when it opens (and posts as a message with `welcome_event`).
    pub greeting: String,
    /// The widget's colour, `#rrggbb`.
    pub color: String,
    /// `left` or `right`: the corner the launcher sits in.
    pub position: String,
    /// Websites the widget may run on, as origins (`https://example.com`,
    /// `http://localhost:3000`). The server's own origin (the demo page) is always allowed.
    pub allowed_origins: Vec<String>,
    /// Ask the visitor for name and e-mail before they can chat.
    pub ask_details: bool,
    /// Shown instead of the greeting when no member is online.
    pub offline_message: String,
    /// A visitor's first load opens a conversation and posts the greeting as a message.
    pub welcome_event: bool,
}

impl Default for WebChatConfig {
    fn default() -> Self {
        WebChatConfig {
            greeting: "Hi there! How can we help you?".into(),
            color: "#2563eb".into(),
            position: "right".into(),
            allowed_origins: vec![],
            ask_details: false,
            offline_message: "We're away right now. Leave a message and we'll get back to you."
                .into(),
            welcome_event: false,
        }
    }
}

const KEYS: [&str; 7] = [
    "greeting",
    "color",
    "position",
    "allowed_origins",
    "ask_details",
    "offline_message",
    "welcome_event",
];

impl WebChatConfig {
    /// The stored settings of a channel (defaults for anything missing).
    pub fn of(raw: &str) -> WebChatConfig {
        serde_json::from_str(raw).unwrap_or_default()
    }

    /// Checks a `config` object of a create request; missing settings take their defaults.
    pub fn parse(raw: &Value) -> Result<WebChatConfig, Invalid> {
        Self::merge(&WebChatConfig::default(), raw)
    }

    /// Checks a `config` object of an update: the settings it names replace those of `base`.
    pub fn merge(base: &WebChatConfig, raw: &Value) -> Result<WebChatConfig, Invalid> {
        let mut invalid = Invalid::default();
        let obj: &Map<String, Value> = match raw {
            Value::Object(o) => o,
            Value::Null => return Ok(base.clone()),
            _ => return Err(Invalid::one("config", "must be an object")),
        };
        for key in obj.keys() {
            if !KEYS.contains(&key.as_str()) {
                invalid.push(format!("config.{key}"), "is not a web chat setting");
            }
        }
        let mut out = base.clone();
        let text = |key: &str, invalid: &mut Invalid, into: &mut String, required: bool| match obj
            .get(key)
        {
            None => {}
            // null clears an optional text (the same as "").
            Some(Value::Null) if !required => into.clear(),
            Some(Value::String(s)) => {
                let t = s.trim();
                if t.chars().count() > MAX_TEXT_CHARS {
                    invalid.push(
                        format!("config.{key}"),
                        format!("must be at most {MAX_TEXT_CHARS} characters"),
                    );
                } else if required && t.is_empty() {
                    invalid.push(format!("config.{key}"), "must not be empty");
                } else {
                    *into = t.to_string();
                }
            }
            Some(_) => invalid.push(format!("config.{key}"), "must be a string"),
        };
        text("greeting", &mut invalid, &mut out.greeting, false);
        text(
            "offline_message",
            &mut invalid,
            &mut out.offline_message,
            false,
        );
        match obj.get("color") {
            None => {}
            Some(Value::String(c)) if is_hex_color(c.trim()) => {
                out.color = c.trim().to_ascii_lowercase()
            }
            Some(_) => invalid.push("config.color", "must be a colour like #2563eb"),
        }
        match obj.get("position").and_then(Value::as_str) {
            None if obj.get("position").is_none() => {}
            Some(p @ ("left" | "right")) => out.position = p.to_string(),
            _ => invalid.push("config.position", "must be left or right"),
        }
        for (key, into) in [
            ("ask_details", &mut out.ask_details),
            ("welcome_event", &mut out.welcome_event),
        ] {
            match obj.get(key) {
                None => {}
                Some(Value::Bool(b)) => *into = *b,
                Some(_) => invalid.push(format!("config.{key}"), "must be true or false"),
            }
        }
        match obj.get("allowed_origins") {
            None => {}
            Some(Value::Array(list)) if list.len() > MAX_ORIGINS => invalid.push(
                "config.allowed_origins",
                format!("must hold at most {MAX_ORIGINS} origins"),
            ),
            Some(Value::Array(list)) => {
                let mut origins: Vec<String> = vec![];
                for (i, v) in list.iter().enumerate() {
                    match v.as_str().map(normalize_origin) {
                        Some(Ok(o)) => {
                            if !origins.contains(&o) {
                                origins.push(o)
                            }
                        }
                        Some(Err(m)) => invalid.push(format!("config.allowed_origins[{i}]"), m),
                        None => invalid.push(
                            format!("config.allowed_origins[{i}]"),
                            "must be a string such as https://example.com",
                        ),
                    }
                }
                out.allowed_origins = origins;
            }
            Some(_) => invalid.push(
                "config.allowed_origins",
                "must be a list of origins such as [\"https://example.com\"]",
            ),
        }
        if out.welcome_event && out.greeting.is_empty() {
            invalid.push(
                "config.greeting",
                "is required when welcome_event is on (it is the message posted)",
            );
        }
        invalid.into_result()?;
        Ok(out)
    }

    /// Whether a page of `origin` (normalised) may use the widget; `own` is the server's
    /// own origin (its demo page), always allowed.
    pub fn allows(&self, origin: &str, own: Option<&str>) -> bool {
        own == Some(origin) || self.allowed_origins.iter().any(|o| o == origin)
    }
}

fn is_hex_color(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit())
}

/// An origin as browsers send it in the `Origin` header: `scheme://host[:port]`, lower case,
/// without the default port, path, query or credentials. Only http and https.
pub fn normalize_origin(raw: &str) -> Result<String, &'static str> {
    const SHAPE: &str = "must be an origin such as https://example.com (scheme and host, no path)";
    let raw = raw.trim();
    let url = url::Url::parse(raw).map_err(|_| SHAPE)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must start with http:// or https://");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(SHAPE);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password");
    }
    // `https://example.com/` is fine (the browser's form has no slash); anything more is not.
    let rest = &raw[raw.find("://").map_or(0, |i| i + 3)..];
    let path_like = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
    if !(path_like.is_empty() || path_like == "/") || url.query().is_some() {
        return Err(SHAPE);
    }
    if url.fragment().is_some() {
        return Err(SHAPE);
    }
    Ok(url.origin().ascii_serialization())
}

/// The snippet a website pastes before `</body>`.
pub fn snippet(public_url: &str, public_key: &str) -> String {
    format!("<script src=\"{public_url}/widget.js\" data-channel=\"{public_key}\" async></script>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn origins_are_normalised_or_refused() {
        assert_eq!(
            normalize_origin("https://Example.COM/").unwrap(),
            "https://example.com"
        );
        assert_eq!(
            normalize_origin("https://example.com:443").unwrap(),
            "https://example.com"
        );
        assert_eq!(
            normalize_origin(" http://localhost:3000 ").unwrap(),
            "http://localhost:3000"
        );
        assert_eq!(
            normalize_origin("https://shop.example.co.uk").unwrap(),
            "https://shop.example.co.uk"
        );
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://example.com/path",
            "https://example.com?q=1",
            "https://example.com#x",
            "https://user:pw@example.com",
            "javascript:alert(1)",
            "https://",
            "",
            "*",
        ] {
            assert!(normalize_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn settings_take_defaults_and_name_every_wrong_field() {
        let ok = WebChatConfig::parse(
            &json!({"allowed_origins": ["https://a.test/", "https://a.test"], "color": "#AABBCC"}),
        )
        .unwrap();
        assert_eq!(ok.allowed_origins, ["https://a.test"]);
        assert_eq!(ok.color, "#aabbcc");
        assert_eq!(ok.position, "right");
        assert!(!ok.welcome_event);

        let err = WebChatConfig::parse(&json!({
            "color": "blue", "position": "top", "allowed_origins": ["https://ok.test", "nope"],
            "ask_details": "yes", "greeting": 5, "x": 1, "offline_message": "a".repeat(1001)
        }))
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "config.color",
            "config.position",
            "config.allowed_origins[1]",
            "config.ask_details",
            "config.greeting",
            "config.x",
            "config.offline_message",
        ] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
        let err =
            WebChatConfig::parse(&json!({"welcome_event": true, "greeting": " "})).unwrap_err();
        assert_eq!(err.0[0].field, "config.greeting");
    }

    #[test]
    fn an_update_replaces_only_what_it_names() {
        let base = WebChatConfig::parse(
            &json!({"allowed_origins": ["https://a.test"], "greeting": "Hello"}),
        )
        .unwrap();
        let next = WebChatConfig::merge(&base, &json!({"position": "left"})).unwrap();
        // null clears an optional text, as a form with an emptied field sends it.
        let cleared =
            WebChatConfig::merge(&base, &json!({"greeting": null, "offline_message": null}))
                .unwrap();
        assert_eq!(cleared.greeting, "");
        assert_eq!(cleared.offline_message, "");
        assert_eq!(next.allowed_origins, ["https://a.test"]);
        assert_eq!(next.greeting, "Hello");
        assert_eq!(next.position, "left");
        assert!(next.allows("https://a.test", None));
        assert!(!next.allows("https://b.test", None));
        assert!(next.allows("http://own.test", Some("http://own.test")));
    }
}
