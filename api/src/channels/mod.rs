//! Channel adapters: each turns a provider's webhook into domain messages and statuses
//! (`inbound`) and a queued message into the provider's HTTP call (`outbound`).

pub mod attachments;
pub mod custom;
pub mod send;
pub mod web_chat;

use domain::windows::ChannelKind;
use storage::channels::Channel;

/// The custom channel's settings, if `channel` is one.
pub fn custom_config(channel: &Channel) -> Option<custom::CustomConfig> {
    (channel.kind == ChannelKind::Custom.as_str())
        .then(|| serde_json::from_str(&channel.config).ok())
        .flatten()
}

/// The server's public base URL as links show it.
pub fn public_base(config: &crate::Config) -> String {
    config
        .public_url
        .clone()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into())
}

/// The URL a provider posts inbound events to.
pub fn webhook_url(config: &crate::Config, channel_id: i64) -> String {
    let base = config
        .public_url
        .clone()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    format!("{base}/webhooks/channels/{channel_id}")
}
