//! The custom channel: respond.io's Custom Channel wire contract, so a bridge written for it
//! works here by changing only the URL and token. Inbound, the bridge posts
//! `{channelId, contactId, events: [...], contact?}` with `Authorization: Bearer <api_token>`;
//! outbound, we post `{channelId, contactId, message}` to `<api_base_url>/message`.

use domain::messages::{check_contact_id, MessageStatus, MAX_CUSTOM_ID_CHARS};
use domain::windows::{CustomChannelSettings, CustomIdType};
use domain::Invalid;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// Settings of a custom channel (stored; never secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CustomConfig {
    /// The bridge's base URL; messages are posted to `<api_base_url>/message`.
    pub api_base_url: String,
    /// `phone` (E.164; the business may write first) or `custom` (up to 50 characters of
    /// `A-Za-z0-9_=+/@`; the contact must write first).
    #[schema(value_type = String)]
    pub id_type: CustomIdType,
    /// Replies are accepted this many hours after the contact's last message; none: always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_window_hours: Option<u32>,
    /// The bridge takes voice notes as such (`attachment.voiceNote: true`); otherwise they
    /// go as plain audio attachments.
    #[serde(default)]
    pub voice_notes: bool,
}

impl CustomConfig {
    pub fn settings(&self) -> CustomChannelSettings {
        CustomChannelSettings {
            id_type: self.id_type,
            reply_window_hours: self.reply_window_hours,
        }
    }

    /// Checks a `config` object of a create or update request.
    pub fn parse(raw: &Value) -> Result<CustomConfig, Invalid> {
        let mut invalid = Invalid::default();
        let Some(obj) = raw.as_object() else {
            return Err(Invalid::one("config", "must be an object"));
        };
        for key in obj.keys() {
            if ![
                "api_base_url",
                "id_type",
                "reply_window_hours",
                "voice_notes",
            ]
            .contains(&key.as_str())
            {
                invalid.push(format!("config.{key}"), "is not a custom channel setting");
            }
        }
        let api_base_url = match obj.get("api_base_url").and_then(Value::as_str) {
            Some(u) => {
                let u = u.trim().trim_end_matches('/').to_string();
                match url::Url::parse(&u) {
                    Ok(p) if matches!(p.scheme(), "http" | "https") && p.host().is_some() => u,
                    _ => {
                        invalid.push("config.api_base_url", "must be an http or https URL");
                        String::new()
                    }
                }
            }
            None => {
                invalid.push("config.api_base_url", "is required");
                String::new()
            }
        };
        let id_type = match obj.get("id_type").and_then(Value::as_str) {
            Some(t) => CustomIdType::parse(t).unwrap_or_else(|| {
                invalid.push("config.id_type", "must be phone or custom");
                CustomIdType::Custom
            }),
            None => {
                invalid.push("config.id_type", "is required (phone or custom)");
                CustomIdType::Custom
            }
        };
        let reply_window_hours = match obj.get("reply_window_hours") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64() {
                Some(h) if (1..=8760).contains(&h) => Some(h as u32),
                _ => {
                    invalid.push(
                        "config.reply_window_hours",
                        "must be a whole number of hours from 1 to 8760",
                    );
                    None
                }
            },
        };
        let voice_notes = match obj.get("voice_notes") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                invalid.push("config.voice_notes", "must be true or false");
                false
            }
        };
        invalid.into_result()?;
        Ok(CustomConfig {
            api_base_url,
            id_type,
            reply_window_hours,
            voice_notes,
        })
    }
}

/// A checked inbound event.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Message {
        m_id: String,
        echo: bool,
        body: InboundBody,
    },
    Status {
        m_id: String,
        status: MessageStatus,
        message: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum InboundBody {
    Text(String),
    Attachment {
        kind: String,
        url: String,
        mime: Option<String>,
        name: Option<String>,
        caption: Option<String>,
    },
    Location {
        latitude: f64,
        longitude: f64,
        address: Option<String>,
    },
}

/// A checked inbound request.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    pub contact_id: String,
    pub events: Vec<Event>,
    pub profile: storage::messages::Profile,
}

/// Most events one request may carry.
pub const MAX_EVENTS: usize = 100;

fn text_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn clean(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Checks a whole request before anything is stored; every wrong field is named.
pub fn parse(channel_id: i64, id_type: CustomIdType, raw: &Value) -> Result<Inbound, Invalid> {
    let mut invalid = Invalid::default();
    if !raw.is_object() {
        return Err(Invalid::one("body", "must be a JSON object"));
    }
    match raw.get("channelId") {
        Some(Value::String(s)) if s.trim() == channel_id.to_string() => {}
        Some(Value::Number(n)) if n.as_i64() == Some(channel_id) => {}
        Some(_) => invalid.push("channelId", "does not match this channel"),
        None => invalid.push("channelId", "is required"),
    }
    let contact_id = match text_at(raw, "contactId") {
        Some(id) => check_contact_id(id_type, id).unwrap_or_else(|m| {
            invalid.push("contactId", m);
            String::new()
        }),
        None => {
            invalid.push("contactId", "is required (a string)");
            String::new()
        }
    };
    let mut events = vec![];
    match raw.get("events").and_then(Value::as_array) {
        None => invalid.push("events", "is required (an array)"),
        Some(list) if list.is_empty() => invalid.push("events", "must not be empty"),
        Some(list) if list.len() > MAX_EVENTS => {
            invalid.push("events", format!("must hold at most {MAX_EVENTS} events"))
        }
        Some(list) => {
            for (i, ev) in list.iter().enumerate() {
                if let Some(e) = parse_event(ev, &format!("events[{i}]"), &mut invalid) {
                    events.push(e);
                }
            }
        }
    }
    let profile = raw.get("contact").map(profile_of).unwrap_or_default();
    invalid.into_result()?;
    Ok(Inbound {
        contact_id,
        events,
        profile,
    })
}

fn parse_event(ev: &Value, at: &str, invalid: &mut Invalid) -> Option<Event> {
    let field = |name: &str| format!("{at}.{name}");
    let m_id = match text_at(ev, "mId").map(str::trim) {
        Some(m) if !m.is_empty() && m.chars().count() <= MAX_CUSTOM_ID_CHARS => m.to_string(),
        Some(_) => {
            invalid.push(field("mId"), "must be 1 to 50 characters");
            return None;
        }
        None => {
            invalid.push(field("mId"), "is required (a string)");
            return None;
        }
    };
    if !ev.get("timestamp").is_some_and(Value::is_number) {
        invalid.push(
            field("timestamp"),
            "is required (milliseconds since the epoch)",
        );
    }
    match text_at(ev, "type") {
        Some(t @ ("message" | "message_echo")) => {
            let Some(message) = ev.get("message").filter(|m| m.is_object()) else {
                invalid.push(field("message"), "is required (an object)");
                return None;
            };
            let body = parse_body(message, &field("message"), invalid)?;
            Some(Event::Message {
                m_id,
                echo: t == "message_echo",
                body,
            })
        }
        Some("message_status") => {
            let status = ev.get("status");
            let value = status.and_then(|s| text_at(s, "value"));
            let parsed = match value {
                Some("sent") => MessageStatus::Sent,
                Some("delivered") => MessageStatus::Delivered,
                Some("read") => MessageStatus::Read,
                Some("failed") => MessageStatus::Failed,
                _ => {
                    invalid.push(
                        field("status.value"),
                        "must be sent, delivered, read or failed",
                    );
                    return None;
                }
            };
            Some(Event::Status {
                m_id,
                status: parsed,
                message: clean(status.and_then(|s| text_at(s, "message"))),
            })
        }
        _ => {
            invalid.push(
                field("type"),
                "must be message, message_echo or message_status",
            );
            None
        }
    }
}

fn parse_body(m: &Value, at: &str, invalid: &mut Invalid) -> Option<InboundBody> {
    let field = |name: &str| format!("{at}.{name}");
    match text_at(m, "type") {
        Some("text") => match clean(text_at(m, "text")) {
            Some(t) => Some(InboundBody::Text(t)),
            None => {
                invalid.push(field("text"), "is required for a text message");
                None
            }
        },
        Some("attachment") => {
            let Some(a) = m.get("attachment").filter(|a| a.is_object()) else {
                invalid.push(field("attachment"), "is required for an attachment message");
                return None;
            };
            let kind = match text_at(a, "type") {
                Some(k @ ("image" | "video" | "audio" | "file")) => k.to_string(),
                _ => {
                    invalid.push(
                        field("attachment.type"),
                        "must be image, video, audio or file",
                    );
                    return None;
                }
            };
            let url = match text_at(a, "url").map(url::Url::parse) {
                Some(Ok(u)) if matches!(u.scheme(), "http" | "https") => u.to_string(),
                _ => {
                    invalid.push(field("attachment.url"), "must be an http or https URL");
                    return None;
                }
            };
            Some(InboundBody::Attachment {
                kind,
                url,
                mime: clean(text_at(a, "mimeType")),
                name: clean(text_at(a, "fileName")),
                caption: clean(text_at(a, "description").or(text_at(m, "text"))),
            })
        }
        Some("location") => {
            let lat = m.get("latitude").and_then(Value::as_f64);
            let lon = m.get("longitude").and_then(Value::as_f64);
            match (lat, lon) {
                (Some(latitude), Some(longitude))
                    if (-90.0..=90.0).contains(&latitude)
                        && (-180.0..=180.0).contains(&longitude) =>
                {
                    Some(InboundBody::Location {
                        latitude,
                        longitude,
                        address: clean(text_at(m, "address")),
                    })
                }
                _ => {
                    invalid.push(
                        field("latitude"),
                        "a location needs latitude and longitude in range",
                    );
                    None
                }
            }
        }
        _ => {
            invalid.push(field("type"), "must be text, attachment or location");
            None
        }
    }
}

/// What the bridge tells about the contact; values that don't check out are left out rather
/// than refusing the message.
fn profile_of(c: &Value) -> storage::messages::Profile {
    let email = clean(text_at(c, "email")).and_then(|e| domain::account::normalize_email(&e).ok());
    let phone = clean(text_at(c, "phone")).and_then(|p| domain::contacts::normalize_phone(&p).ok());
    let country = clean(text_at(c, "countryCode"))
        .filter(|cc| cc.len() == 2 && cc.chars().all(|ch| ch.is_ascii_alphabetic()))
        .map(|cc| cc.to_uppercase());
    let language = clean(text_at(c, "language")).or_else(|| {
        clean(text_at(c, "locale")).map(|l| l.split(['_', '-']).next().unwrap_or("").to_string())
    });
    let pic = clean(text_at(c, "profilePic"))
        .filter(|u| url::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https")));
    storage::messages::Profile {
        first_name: clean(text_at(c, "firstName")).map(|s| s.chars().take(100).collect()),
        last_name: clean(text_at(c, "lastName")).map(|s| s.chars().take(100).collect()),
        email,
        phone,
        language: language.filter(|l| !l.is_empty() && l.len() <= 10),
        country,
        profile_pic: pic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "channelId": "7",
            "contactId": "+60177872890",
            "events": [{
                "type": "message", "mId": "xcvzzxcxczxczxc", "timestamp": 2132131321000u64,
                "message": {"type": "text", "text": "Hello World"}
            }],
            "contact": {
                "firstName": "Leo", "lastName": "Wong", "profilePic": "https://x.test/a.png",
                "locale": "en_US", "countryCode": "MY", "timezone": 8,
                "email": "Tech@Example.com", "phone": "+60123456789", "language": "en"
            }
        })
    }

    #[test]
    fn respond_io_sample_parses() {
        let got = parse(7, CustomIdType::Phone, &sample()).unwrap();
        assert_eq!(got.contact_id, "+60177872890");
        assert_eq!(
            got.events,
            vec![Event::Message {
                m_id: "xcvzzxcxczxczxc".into(),
                echo: false,
                body: InboundBody::Text("Hello World".into())
            }]
        );
        assert_eq!(got.profile.first_name.as_deref(), Some("Leo"));
        assert_eq!(got.profile.email.as_deref(), Some("tech@example.com"));
        assert_eq!(got.profile.country.as_deref(), Some("MY"));
    }

    #[test]
    fn every_wrong_field_is_named() {
        let bad = json!({
            "channelId": "8",
            "contactId": "not a phone",
            "events": [
                {"type": "message", "timestamp": 1, "message": {"type": "text", "text": "x"}},
                {"type": "message_status", "mId": "a", "timestamp": 1, "status": {"value": "seen"}},
                {"type": "message", "mId": "b", "message": {"type": "attachment", "attachment": {"type": "image", "url": "ftp://x"}}},
                {"type": "nope", "mId": "c", "timestamp": 1}
            ]
        });
        let fields: Vec<String> = parse(7, CustomIdType::Phone, &bad)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        for f in [
            "channelId",
            "contactId",
            "events[0].mId",
            "events[1].status.value",
            "events[2].timestamp",
            "events[2].message.attachment.url",
            "events[3].type",
        ] {
            assert!(fields.contains(&f.to_string()), "{f} missing in {fields:?}");
        }
    }

    #[test]
    fn statuses_echoes_and_attachments() {
        let raw = json!({
            "channelId": 7, "contactId": "user_1",
            "events": [
                {"type": "message_status", "mId": "m1", "timestamp": 1, "status": {"value": "failed", "message": "blocked"}},
                {"type": "message_echo", "mId": "m2", "timestamp": 1, "message": {"type": "attachment", "attachment": {"type": "image", "url": "https://x.test/p.png", "mimeType": "image/png", "fileName": "p.png"}}}
            ]
        });
        let got = parse(7, CustomIdType::Custom, &raw).unwrap();
        assert_eq!(
            got.events[0],
            Event::Status {
                m_id: "m1".into(),
                status: MessageStatus::Failed,
                message: Some("blocked".into())
            }
        );
        assert!(
            matches!(&got.events[1], Event::Message { echo: true, body: InboundBody::Attachment { kind, .. }, .. } if kind == "image")
        );
    }

    #[test]
    fn config_is_checked_field_by_field() {
        let ok = CustomConfig::parse(&json!({"api_base_url": "https://bridge.test/", "id_type": "phone", "reply_window_hours": 24})).unwrap();
        assert_eq!(ok.api_base_url, "https://bridge.test");
        assert_eq!(ok.reply_window_hours, Some(24));
        let err = CustomConfig::parse(
            &json!({"api_base_url": "nope", "id_type": "email", "reply_window_hours": 0, "x": 1}),
        )
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields.len(), 4, "{fields:?}");
    }
}
