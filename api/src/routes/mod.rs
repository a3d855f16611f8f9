//! HTTP routes, one module per resource; `configure` mounts them all for the app and the spec.

pub mod api_tokens;
pub mod auth;
pub mod categories;
pub mod channels;
pub mod contact_fields;
pub mod contacts;
pub mod conversations;
pub mod custom_inboxes;
pub mod events;
pub mod files;
pub mod inbox;
pub mod inbox_filters;
pub mod invitations;
pub mod me;
pub mod merge;
pub mod messages;
pub mod notifications;
pub mod ops;
pub mod rules;
pub mod snippets;
pub mod tags;
pub mod teams;
pub mod thread_views;
pub mod users;
pub mod views;
pub mod webhooks;
pub mod widget;
pub mod workspace;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Every documented route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz)
        .service(webhooks::channel_webhook)
        .service(ops::readyz)
        .service(ops::metrics)
        .service(
            scope("/api/v1")
                .service(auth::signup)
                .service(auth::login)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::switch_workspace)
                .service(me::get_me)
                .service(me::set_status)
                .service(workspace::get_workspace)
                .service(workspace::update_workspace)
                .service(users::list_users)
                .service(users::get_user)
                .service(users::update_user)
                .service(users::remove_user)
                .service(invitations::create_invitation)
                .service(invitations::list_invitations)
                .service(invitations::revoke_invitation)
                .service(invitations::preview_invitation)
                .service(invitations::accept_invitation)
                .service(teams::list_teams)
                .service(teams::get_team)
                .service(teams::create_team)
                .service(teams::update_team)
                .service(teams::delete_team)
                .service(api_tokens::list_api_tokens)
                .service(api_tokens::create_api_token)
                .service(api_tokens::revoke_api_token)
                .service(merge::merge_suggestions)
                .service(merge::merge_contacts)
                .service(contacts::list_contacts)
                .service(contacts::create_contact)
                .service(contacts::get_contact)
                .service(contacts::update_contact)
                .service(contacts::delete_contact)
                .service(contacts::add_tags)
                .service(contacts::remove_tags)
                .service(contacts::set_assignee)
                .service(contacts::list_activity)
                .service(contact_fields::list_fields)
                .service(contact_fields::create_field)
                .service(contact_fields::update_field)
                .service(contact_fields::delete_field)
                .service(tags::list_tags)
                .service(tags::create_tag)
                .service(tags::delete_tag)
                .service(conversations::set_conversation)
                .service(conversations::list_conversations)
                .service(conversations::get_conversation)
                .service(messages::list_messages)
                .service(messages::send_message)
                .service(messages::create_comment)
                .service(inbox::list_inbox)
                .service(inbox::bulk)
                .service(inbox::mark_read)
                .service(channels::list_channels)
                .service(channels::get_channel)
                .service(channels::create_channel)
                .service(channels::update_channel)
                .service(channels::delete_channel)
                .service(categories::list_categories)
                .service(categories::create_category)
                .service(categories::update_category)
                .service(categories::delete_category)
                .service(custom_inboxes::list_inboxes)
                .service(custom_inboxes::create_inbox)
                .service(custom_inboxes::update_inbox)
                .service(custom_inboxes::delete_inbox)
                .service(notifications::list_notifications)
                .service(notifications::mark_read)
                .service(files::upload_file)
                .service(files::list_files)
                .service(files::get_file)
                .service(files::download_file)
                .service(files::delete_file)
                .service(snippets::list_snippets)
                .service(snippets::create_snippet)
                .service(snippets::get_snippet)
                .service(snippets::update_snippet)
                .service(snippets::delete_snippet)
                .service(snippets::render_snippet)
                .service(events::create_ticket)
                .service(events::stream)
                .service(
                    scope("/widget")
                        .wrap(widget::WidgetCors)
                        .service(widget::session)
                        .service(widget::history)
                        .service(widget::send_message)
                        .service(widget::upload)
                        .service(widget::set_details)
                        .service(widget::mark_read)
                        .service(widget::stream),
                ),
        );
}
