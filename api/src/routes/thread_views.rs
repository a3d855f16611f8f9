//! Wire shapes of a contact's thread: conversations, messages, notes, channel identities and
//! messaging windows.

use chrono::{DateTime, Utc};
use domain::windows::{window, ChannelKind, SenderKind};
use serde::Serialize;
use storage::channels::{Channel, ContactChannel};
use storage::comments::Comment;
use storage::conversations::Conversation;
use storage::messages::Message;
use utoipa::ToSchema;

/// Who did something: `user`, `api`, `workflow`, `broadcast`, `contact`, `echo`, `system`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActorView {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationView {
    pub id: i64,
    pub contact_id: i64,
    /// `open` or `closed`.
    pub status: String,
    pub opened_at: DateTime<Utc>,
    /// contact, user, api, workflow, welcome_event
    pub opened_source: String,
    pub opened_by: Option<i64>,
    pub closed_at: Option<DateTime<Utc>>,
    /// user, api, merge, workflow, auto_close
    pub closed_source: Option<String>,
    pub closed_by: Option<i64>,
    pub category: Option<String>,
    pub summary: Option<String>,
    /// The contact's assignee when the conversation closed.
    pub assignee_id: Option<i64>,
    /// The first message a person sent after it opened.
    pub first_response_at: Option<DateTime<Utc>>,
    pub first_response_by: Option<i64>,
    pub first_response_seconds: Option<i64>,
    /// Closed minus opened.
    pub resolution_seconds: Option<i64>,
    pub incoming_count: i64,
    pub outgoing_count: i64,
    /// Web chat: the page the conversation started on (tells which website it came from).
    pub source_url: Option<String>,
    /// Web chat: the page that led the visitor there, when the browser told.
    pub source_referrer: Option<String>,
}

impl From<&Conversation> for ConversationView {
    fn from(c: &Conversation) -> Self {
        ConversationView {
            id: c.id,
            contact_id: c.contact_id,
            status: c.status.clone(),
            opened_at: storage::utc(c.opened_at),
            opened_source: c.opened_source.clone(),
            opened_by: c.opened_by,
            closed_at: c.closed_at.map(storage::utc),
            closed_source: c.closed_source.clone(),
            closed_by: c.closed_by,
            category: c.category.clone(),
            summary: c.summary.clone(),
            assignee_id: c.assignee_id,
            first_response_at: c.first_response_at.map(storage::utc),
            first_response_by: c.first_response_by,
            first_response_seconds: c.first_response_seconds,
            resolution_seconds: c.resolution_seconds,
            incoming_count: c.incoming_count,
            outgoing_count: c.outgoing_count,
            source_url: c.source_url.clone(),
            source_referrer: c.source_referrer.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    pub id: i64,
    pub contact_id: i64,
    pub conversation_id: Option<i64>,
    pub channel_id: Option<i64>,
    /// `incoming` or `outgoing`.
    pub direction: String,
    pub sender: ActorView,
    /// text, attachment, template, location
    #[serde(rename = "type")]
    pub msg_type: String,
    pub text: Option<String>,
    pub file_id: Option<i64>,
    /// `{type: image|video|audio|file|location, name?, mime?, size?, voice?, url?, state?, error?}`.
    #[schema(value_type = Option<Object>)]
    pub attachment: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub template: Option<serde_json::Value>,
    /// received (incoming), pending, sent, delivered, read, failed
    pub status: String,
    /// Why it failed.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Message> for MessageView {
    fn from(m: &Message) -> Self {
        let json = |s: &Option<String>| s.as_deref().and_then(|v| serde_json::from_str(v).ok());
        MessageView {
            id: m.id,
            contact_id: m.contact_id,
            conversation_id: m.conversation_id,
            channel_id: m.channel_id,
            direction: m.direction.clone(),
            sender: ActorView {
                kind: m.sender_type.clone(),
                id: m.sender_id,
            },
            msg_type: m.msg_type.clone(),
            text: m.text.clone(),
            file_id: m.file_id,
            attachment: json(&m.attachment),
            template: json(&m.template),
            status: m.status.clone(),
            error: m.error.clone(),
            created_at: storage::utc(m.created_at),
            updated_at: storage::utc(m.updated_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentView {
    pub id: i64,
    pub contact_id: i64,
    pub author: ActorView,
    pub text: String,
    /// Mentioned user ids.
    pub mentions: Vec<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<&Comment> for CommentView {
    fn from(c: &Comment) -> Self {
        CommentView {
            id: c.id,
            contact_id: c.contact_id,
            author: ActorView {
                kind: c.author_type.clone(),
                id: c.author_id,
            },
            text: c.text.clone(),
            mentions: c.mentioned(),
            created_at: storage::utc(c.created_at),
        }
    }
}

/// A contact's identity on one channel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactChannelView {
    pub channel_id: i64,
    pub kind: String,
    pub name: String,
    /// The contact's id on the channel (phone number or the provider's id).
    pub external_id: String,
    pub last_incoming_at: Option<DateTime<Utc>>,
}

/// Whether a person may send free-form messages on a channel now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplyWindowView {
    pub channel_id: i64,
    pub open: bool,
    /// When free-form sending stops; null when there is no limit or it is closed.
    pub closes_at: Option<DateTime<Utc>>,
    /// Message types accepted now.
    pub allowed: Vec<String>,
}

pub fn identity_view(identity: &ContactChannel, channel: &Channel) -> ContactChannelView {
    ContactChannelView {
        channel_id: channel.id,
        kind: channel.kind.clone(),
        name: channel.name.clone(),
        external_id: identity.external_id.clone(),
        last_incoming_at: identity.last_incoming_at.map(storage::utc),
    }
}

/// The window of a channel for a person replying now.
pub fn reply_window(
    channel: &Channel,
    last_incoming: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ReplyWindowView {
    let kind = ChannelKind::parse(&channel.kind).unwrap_or(ChannelKind::Custom);
    let custom = crate::channels::custom_config(channel).map(|c| c.settings());
    let w = window(
        kind,
        custom.as_ref(),
        last_incoming,
        SenderKind::Person,
        now,
    );
    ReplyWindowView {
        channel_id: channel.id,
        open: w.open,
        closes_at: w.closes_at,
        allowed: w.allowed.iter().map(|t| t.as_str().to_string()).collect(),
    }
}
