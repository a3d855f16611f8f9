//! Messaging windows: whether a channel lets the business send a given message right now.
//!
//! Platforms only accept free-form messages for a while after the contact last wrote; past
//! that, WhatsApp takes approved templates and Messenger takes message tags. Deciding this
//! in one pure function keeps the composer, workflows, broadcasts and the API consistent.
//! A window is open strictly before its end: a message at exactly 24 h is out of it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The kind of messaging channel a conversation runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Whatsapp,
    Messenger,
    Instagram,
    Telegram,
    Line,
    Viber,
    WebChat,
    Email,
    Sms,
    Custom,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 10] = [
        Self::Whatsapp,
        Self::Messenger,
        Self::Instagram,
        Self::Telegram,
        Self::Line,
        Self::Viber,
        Self::WebChat,
        Self::Email,
        Self::Sms,
        Self::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Whatsapp => "whatsapp",
            Self::Messenger => "messenger",
            Self::Instagram => "instagram",
            Self::Telegram => "telegram",
            Self::Line => "line",
            Self::Viber => "viber",
            Self::WebChat => "web_chat",
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Display name used in refusal reasons.
    fn label(self) -> &'static str {
        match self {
            Self::Whatsapp => "WhatsApp",
            Self::Messenger => "Messenger",
            Self::Instagram => "Instagram",
            Self::Telegram => "Telegram",
            Self::Line => "LINE",
            Self::Viber => "Viber",
            Self::WebChat => "web chat",
            Self::Email => "e-mail",
            Self::Sms => "SMS",
            Self::Custom => "this custom channel",
        }
    }
}

/// How a custom channel identifies contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomIdType {
    /// E.164 phone numbers: the business can address a contact who never wrote.
    Phone,
    /// Provider-made ids (≤ 50 chars): only known once the contact has written.
    #[default]
    Custom,
}

impl CustomIdType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "phone" => Some(Self::Phone),
            "custom" => Some(Self::Custom),
            _ => None,
        }
    }
}

/// The settings of a custom channel that bear on windows. The default is the cautious
/// one: custom ids (contact writes first), no reply window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CustomChannelSettings {
    pub id_type: CustomIdType,
    /// Hours after the contact's last message during which replies are accepted; `None`
    /// means no window.
    pub reply_window_hours: Option<u32>,
}

/// Who sends: Meta lets a person answer for 7 days, automation only for 24 h.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SenderKind {
    /// A user typing in the inbox.
    Person,
    /// A workflow, broadcast or API call.
    Automation,
}

/// What is being sent. Text and attachments are free-form; the others are the
/// platform-approved ways to write outside a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageType {
    Text,
    Attachment,
    /// A pre-approved WhatsApp template.
    Template,
    /// A Messenger message tag (confirmed event, post-purchase or account update).
    Tagged,
}

impl MessageType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Attachment => "attachment",
            Self::Template => "template",
            Self::Tagged => "tagged",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "text" => Some(Self::Text),
            "attachment" => Some(Self::Attachment),
            "template" => Some(Self::Template),
            "tagged" => Some(Self::Tagged),
            _ => None,
        }
    }

    pub fn is_free_form(self) -> bool {
        matches!(self, Self::Text | Self::Attachment)
    }
}

/// The state of a contact's window on one channel, for one kind of sender, at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    /// Free-form messages (text, attachments) may be sent now.
    pub open: bool,
    /// When free-form sending stops; `None` when the channel has no window or it is closed.
    pub closes_at: Option<DateTime<Utc>>,
    /// Every message type accepted now, in a stable order.
    pub allowed: Vec<MessageType>,
    /// Free-form sends must carry Meta's HUMAN_AGENT tag (a person, 24 h to 7 days).
    pub human_agent_tag: bool,
}

/// Why a send was refused, for the 422 answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct WindowClosed {
    pub reason: String,
}

const FREE_FORM: [MessageType; 2] = [MessageType::Text, MessageType::Attachment];

/// The window of a channel now. `last_incoming` is the contact's latest message on this
/// channel (`None` if they never wrote there); `custom` is only read for custom channels,
/// and a custom channel without settings gets [`CustomChannelSettings::default`].
pub fn window(
    kind: ChannelKind,
    custom: Option<&CustomChannelSettings>,
    last_incoming: Option<DateTime<Utc>>,
    sender: SenderKind,
    now: DateTime<Utc>,
) -> Window {
    let custom = custom.copied().unwrap_or_default();
    // Free-form to someone who never wrote: only where the business holds their address
    // (§11.1). WhatsApp may also write first, but only with a template (`extra`). A web chat
    // identity exists only once the visitor opened the widget, whose history keeps what the
    // business writes until they read it: no window, before or after they wrote.
    let may_write_first = match kind {
        ChannelKind::Email | ChannelKind::Sms | ChannelKind::WebChat => true,
        ChannelKind::Custom => custom.id_type == CustomIdType::Phone,
        _ => false,
    };
    // Out-of-window message types each platform accepts whenever it can reach the contact.
    let extra: &[MessageType] = match kind {
        ChannelKind::Whatsapp => &[MessageType::Template],
        ChannelKind::Messenger if last_incoming.is_some() => &[MessageType::Tagged],
        _ => &[],
    };
    let closed = || Window {
        open: false,
        closes_at: None,
        allowed: extra.to_vec(),
        human_agent_tag: false,
    };
    let open = |closes_at, human_agent_tag| Window {
        open: true,
        closes_at,
        allowed: FREE_FORM.iter().chain(extra).copied().collect(),
        human_agent_tag,
    };

    let Some(last) = last_incoming else {
        return if may_write_first {
            open(None, false)
        } else {
            closed()
        };
    };
    let until = |end: DateTime<Utc>, human_agent_tag| {
        if now < end {
            open(Some(end), human_agent_tag)
        } else {
            closed()
        }
    };
    let day = Duration::hours(24);
    match kind {
        ChannelKind::Whatsapp => until(last + day, false),
        ChannelKind::Messenger | ChannelKind::Instagram => match sender {
            SenderKind::Person => until(last + Duration::days(7), now >= last + day),
            SenderKind::Automation => until(last + day, false),
        },
        ChannelKind::Custom => match custom.reply_window_hours {
            None => open(None, false),
            // A window too long to represent never ends in practice.
            Some(hours) => match last.checked_add_signed(Duration::hours(hours.into())) {
                Some(end) => until(end, false),
                None => open(None, false),
            },
        },
        ChannelKind::Telegram
        | ChannelKind::Line
        | ChannelKind::Viber
        | ChannelKind::WebChat
        | ChannelKind::Email
        | ChannelKind::Sms => open(None, false),
    }
}

/// Whether `message` may be sent now, with the reason when it may not.
pub fn check_send(
    kind: ChannelKind,
    custom: Option<&CustomChannelSettings>,
    last_incoming: Option<DateTime<Utc>>,
    sender: SenderKind,
    message: MessageType,
    now: DateTime<Utc>,
) -> Result<(), WindowClosed> {
    let w = window(kind, custom, last_incoming, sender, now);
    if w.allowed.contains(&message) {
        return Ok(());
    }
    let label = kind.label();
    let reason = if !message.is_free_form() {
        format!("{label} does not accept {} messages now", message.as_str())
    } else {
        let why = match last_incoming {
            None => "the contact has not written yet".to_string(),
            Some(last) => {
                let limit = match (kind, sender) {
                    (ChannelKind::Messenger | ChannelKind::Instagram, SenderKind::Person) => {
                        "7-day"
                    }
                    _ => "reply",
                };
                format!(
                    "the {label} {limit} window after the contact's last message ({}) has closed",
                    last.format("%Y-%m-%d %H:%M:%S UTC")
                )
            }
        };
        let then = match w.allowed.as_slice() {
            [] => "wait for the contact to write".to_string(),
            only => {
                let names: Vec<_> = only.iter().map(|m| m.as_str()).collect();
                format!("only {} messages can be sent", names.join(" or "))
            }
        };
        format!("{why}; {then}")
    };
    Err(WindowClosed { reason })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use ChannelKind::*;
    use MessageType::*;
    use SenderKind::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap()
    }

    fn at(h: i64, s: i64) -> DateTime<Utc> {
        t0() + Duration::hours(h) + Duration::seconds(s)
    }

    fn win(kind: ChannelKind, sender: SenderKind, now: DateTime<Utc>) -> Window {
        window(kind, None, Some(t0()), sender, now)
    }

    #[test]
    fn kinds_and_types_round_trip() {
        for k in ChannelKind::ALL {
            assert_eq!(ChannelKind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(ChannelKind::parse("web_chat"), Some(WebChat));
        assert_eq!(ChannelKind::parse("WhatsApp"), None);
        for m in [Text, Attachment, Template, Tagged] {
            assert_eq!(MessageType::parse(m.as_str()), Some(m));
        }
        for i in [CustomIdType::Phone, CustomIdType::Custom] {
            assert_eq!(CustomIdType::parse(i.as_str()), Some(i));
        }
        assert_eq!(MessageType::parse("voice"), None);
    }

    #[test]
    fn whatsapp_window_is_24_hours_then_templates() {
        let w = win(Whatsapp, Person, at(23, 3599));
        assert!(w.open);
        assert_eq!(w.closes_at, Some(at(24, 0)));
        assert_eq!(w.allowed, [Text, Attachment, Template]);
        assert!(!w.human_agent_tag);

        let w = win(Whatsapp, Person, at(24, 0));
        assert!(!w.open);
        assert_eq!(w.closes_at, None);
        assert_eq!(w.allowed, [Template]);

        let sent = |m, now| check_send(Whatsapp, None, Some(t0()), Automation, m, now);
        assert!(sent(Text, at(23, 3599)).is_ok());
        assert!(sent(Template, at(23, 3599)).is_ok());
        assert!(sent(Template, at(500, 0)).is_ok());
        let err = sent(Text, at(24, 0)).unwrap_err();
        assert!(err.reason.contains("WhatsApp"), "{err}");
        assert!(err.reason.contains("only template"), "{err}");
    }

    #[test]
    fn whatsapp_first_message_must_be_a_template() {
        let w = window(Whatsapp, None, None, Person, t0());
        assert!(!w.open);
        assert_eq!(w.allowed, [Template]);
        let err = check_send(Whatsapp, None, None, Person, Attachment, t0()).unwrap_err();
        assert!(err.reason.contains("not written yet"), "{err}");
        assert!(check_send(Whatsapp, None, None, Person, Template, t0()).is_ok());
    }

    #[test]
    fn meta_gives_people_7_days_with_the_human_agent_tag() {
        for kind in [Messenger, Instagram] {
            let w = win(kind, Person, at(23, 3599));
            assert!(w.open && !w.human_agent_tag);
            assert_eq!(w.closes_at, Some(at(24 * 7, 0)));

            let w = win(kind, Person, at(24, 0));
            assert!(w.open && w.human_agent_tag, "{kind:?}");

            let w = win(kind, Person, at(24 * 7 - 1, 3599));
            assert!(w.open && w.human_agent_tag);

            let w = win(kind, Person, at(24 * 7, 0));
            assert!(!w.open && !w.human_agent_tag);
            let err = check_send(kind, None, Some(t0()), Person, Text, at(24 * 7, 0)).unwrap_err();
            assert!(err.reason.contains("7-day"), "{err}");
        }
    }

    #[test]
    fn meta_automation_gets_24_hours() {
        for kind in [Messenger, Instagram] {
            let w = win(kind, Automation, at(23, 3599));
            assert!(w.open && !w.human_agent_tag);
            assert_eq!(w.closes_at, Some(at(24, 0)));
            assert!(!win(kind, Automation, at(24, 0)).open);
            assert!(check_send(kind, None, Some(t0()), Automation, Text, at(24, 0)).is_err());
        }
    }

    #[test]
    fn messenger_takes_tags_instagram_takes_nothing_after_the_window() {
        let w = win(Messenger, Automation, at(30, 0));
        assert_eq!(w.allowed, [Tagged]);
        assert!(check_send(Messenger, None, Some(t0()), Automation, Tagged, at(30, 0)).is_ok());
        assert_eq!(
            win(Messenger, Person, at(1, 0)).allowed,
            [Text, Attachment, Tagged]
        );
        assert!(check_send(Messenger, None, Some(t0()), Person, Template, at(1, 0)).is_err());

        let w = win(Instagram, Automation, at(30, 0));
        assert!(w.allowed.is_empty());
        let err = check_send(Instagram, None, Some(t0()), Automation, Text, at(30, 0)).unwrap_err();
        assert!(err.reason.contains("wait for the contact"), "{err}");
        assert!(check_send(Instagram, None, Some(t0()), Person, Tagged, at(1, 0)).is_err());
    }

    #[test]
    fn channels_without_a_window_stay_open() {
        for kind in [Telegram, Line, Viber, WebChat, Email, Sms] {
            let w = win(kind, Automation, at(24 * 365, 0));
            assert!(w.open, "{kind:?}");
            assert_eq!(w.closes_at, None);
            assert_eq!(w.allowed, [Text, Attachment]);
            let err = check_send(kind, None, Some(t0()), Person, Template, at(1, 0)).unwrap_err();
            assert!(err.reason.contains("template"), "{err}");
        }
    }

    #[test]
    fn only_some_channels_may_write_first() {
        for kind in [Email, Sms, WebChat] {
            assert!(window(kind, None, None, Automation, t0()).open, "{kind:?}");
        }
        for kind in [Messenger, Instagram, Telegram, Line, Viber] {
            let w = window(kind, None, None, Person, t0());
            assert!(!w.open, "{kind:?}");
            assert!(w.allowed.is_empty(), "{kind:?}");
            let err = check_send(kind, None, None, Person, Text, t0()).unwrap_err();
            assert!(err.reason.contains("not written yet"), "{err}");
        }
    }

    #[test]
    fn web_chat_has_no_window_and_takes_no_templates() {
        // A visitor who only opened the widget (welcome greeting, proactive hello) can be
        // written to; a visitor who wrote a year ago still can; templates are WhatsApp's.
        for last in [None, Some(t0())] {
            for sender in [Person, Automation] {
                let w = window(WebChat, None, last, sender, at(24 * 365, 0));
                assert!(w.open && w.closes_at.is_none() && !w.human_agent_tag);
                assert_eq!(w.allowed, [Text, Attachment]);
                assert!(check_send(WebChat, None, last, sender, Text, at(1, 0)).is_ok());
                assert!(check_send(WebChat, None, last, sender, Attachment, at(1, 0)).is_ok());
                let err = check_send(WebChat, None, last, sender, Template, at(1, 0)).unwrap_err();
                assert!(err.reason.contains("web chat"), "{err}");
                assert!(check_send(WebChat, None, last, sender, Tagged, at(1, 0)).is_err());
            }
        }
    }

    #[test]
    fn custom_channels_follow_their_settings() {
        let phone = CustomChannelSettings {
            id_type: CustomIdType::Phone,
            reply_window_hours: Some(48),
        };
        let ids = CustomChannelSettings {
            id_type: CustomIdType::Custom,
            reply_window_hours: None,
        };
        // Phone ids may write first; custom ids (and missing settings) may not.
        assert!(window(Custom, Some(&phone), None, Automation, t0()).open);
        assert!(!window(Custom, Some(&ids), None, Automation, t0()).open);
        assert!(!window(Custom, None, None, Automation, t0()).open);
        assert!(check_send(Custom, Some(&ids), None, Person, Text, t0()).is_err());

        // Once the contact wrote: the configured window, or none.
        let w = window(Custom, Some(&phone), Some(t0()), Person, at(47, 3599));
        assert!(w.open);
        assert_eq!(w.closes_at, Some(at(48, 0)));
        let w = window(Custom, Some(&phone), Some(t0()), Person, at(48, 0));
        assert!(!w.open && w.allowed.is_empty());
        let w = window(Custom, Some(&ids), Some(t0()), Person, at(10_000, 0));
        assert!(w.open && w.closes_at.is_none());
        assert!(check_send(Custom, Some(&ids), Some(t0()), Person, Template, t0()).is_err());
    }

    #[test]
    fn custom_settings_are_ignored_elsewhere() {
        let tight = CustomChannelSettings {
            id_type: CustomIdType::Phone,
            reply_window_hours: Some(1),
        };
        let w = window(Telegram, Some(&tight), Some(t0()), Person, at(5, 0));
        assert!(w.open);
        assert!(!window(Telegram, Some(&tight), None, Person, t0()).open);
    }

    #[test]
    fn a_huge_custom_window_does_not_overflow() {
        let forever = CustomChannelSettings {
            id_type: CustomIdType::Custom,
            reply_window_hours: Some(u32::MAX),
        };
        let w = window(Custom, Some(&forever), Some(t0()), Person, at(1, 0));
        assert!(w.open);
    }
}
