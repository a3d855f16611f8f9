//! HTTP routes, one module per resource; `configure` mounts them all for the app and the spec.

pub mod api_tokens;
pub mod auth;
pub mod contact_fields;
pub mod contacts;
pub mod events;
pub mod files;
pub mod invitations;
pub mod me;
pub mod ops;
pub mod rules;
pub mod snippets;
pub mod tags;
pub mod teams;
pub mod users;
pub mod views;
pub mod workspace;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Every documented route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz)
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
                .service(events::stream),
        );
}
