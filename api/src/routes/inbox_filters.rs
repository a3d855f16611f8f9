//! The filters of an inbox view: saved in custom inboxes now, and the query of
//! `GET /api/v1/inbox`. One type, one check, so a saved inbox always replays as a valid view.

use domain::inbox_filters::{check_values, AssigneeChoice};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;

/// Which contact threads an inbox shows and in what order. Every filter is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct InboxFilters {
    /// `open`, `closed` or `all`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `me` (whoever looks at the inbox), `unassigned`, or a member's user id as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// A team id of this workspace: contacts assigned to its members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<i64>,
    /// A channel id of this workspace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<i64>,
    /// Contacts carrying this tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Name, e-mail, phone or id, as in the contact search (at most 200 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// `newest`, `oldest` or `waiting_longest`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
}

/// Refuses (422) every filter that cannot apply in the caller's workspace, each named
/// `filters.<field>`: an unknown status, sort or assignee form, a malformed tag, an overlong
/// search, a team or channel id that is not this workspace's, a user id that is not a member.
pub async fn check(state: &AppState, auth: &Auth, f: &InboxFilters) -> ApiResult<()> {
    check_as(state, auth, f, "filters.").await
}

/// [`check`] with each field named `{prefix}{field}` (`""` for query parameters).
pub async fn check_as(
    state: &AppState,
    auth: &Auth,
    f: &InboxFilters,
    prefix: &str,
) -> ApiResult<()> {
    let mut invalid = check_values(
        prefix.trim_end_matches('.'),
        f.status.as_deref(),
        f.assignee.as_deref(),
        f.tag.as_deref(),
        f.search.as_deref(),
        f.sort.as_deref(),
    )
    .err()
    .unwrap_or_default();
    // Checked even when other filters are bad, so one answer names every problem.
    let user = match f.assignee.as_deref().map(AssigneeChoice::parse) {
        Some(Ok(AssigneeChoice::User(id))) => Some(id),
        _ => None,
    };
    let (ws, team, channel) = (auth.workspace_id, f.team, f.channel);
    if user.is_some() || team.is_some() || channel.is_some() {
        let (user_ok, team_ok, channel_ok) = state
            .db(move |conn| {
                Ok((
                    user.map(|u| storage::accounts::is_member(conn, ws, u))
                        .transpose()?,
                    team.map(|t| storage::teams::exists(conn, ws, t))
                        .transpose()?,
                    channel
                        .map(|c| storage::channels::exists(conn, ws, c))
                        .transpose()?,
                ))
            })
            .await?;
        if user_ok == Some(false) {
            invalid.push(
                format!("{prefix}assignee"),
                "is not a member of this workspace",
            );
        }
        if team_ok == Some(false) {
            invalid.push(format!("{prefix}team"), "is not a team of this workspace");
        }
        if channel_ok == Some(false) {
            invalid.push(
                format!("{prefix}channel"),
                "is not a channel of this workspace",
            );
        }
    }
    invalid.into_result()?;
    Ok(())
}
