//! Wire shapes shared by several routes: users, workspaces, members, token pairs, and the
//! enums mirrored from the domain so they appear in the OpenAPI spec.

use chrono::{DateTime, Utc};
use domain::access::Role;
use domain::account::ActivityStatus;
use domain::workspace::{BusinessHours, ClosingNotesMode, OpeningInterval, Weekday};
use serde::{Deserialize, Serialize};
use storage::accounts::{Member, User, Workspace};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Owner,
    Manager,
    Agent,
}

impl From<RoleName> for Role {
    fn from(r: RoleName) -> Role {
        match r {
            RoleName::Owner => Role::Owner,
            RoleName::Manager => Role::Manager,
            RoleName::Agent => Role::Agent,
        }
    }
}

impl From<Role> for RoleName {
    fn from(r: Role) -> RoleName {
        match r {
            Role::Owner => RoleName::Owner,
            Role::Manager => RoleName::Manager,
            Role::Agent => RoleName::Agent,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusName {
    Online,
    Away,
    Offline,
}

impl From<StatusName> for ActivityStatus {
    fn from(s: StatusName) -> Self {
        match s {
            StatusName::Online => ActivityStatus::Online,
            StatusName::Away => ActivityStatus::Away,
            StatusName::Offline => ActivityStatus::Offline,
        }
    }
}

fn status_name(s: &str) -> StatusName {
    match ActivityStatus::parse(s) {
        Some(ActivityStatus::Online) => StatusName::Online,
        Some(ActivityStatus::Away) => StatusName::Away,
        _ => StatusName::Offline,
    }
}

/// Which contacts an agent sees: all, those of their team, or only those assigned to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactVisibility {
    All,
    Team,
    Assigned,
}

impl ContactVisibility {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactVisibility::All => "all",
            ContactVisibility::Team => "team",
            ContactVisibility::Assigned => "assigned",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "team" => ContactVisibility::Team,
            "assigned" => ContactVisibility::Assigned,
            _ => ContactVisibility::All,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClosingNotesModeName {
    Disabled,
    Optional,
    CategoryRequired,
    CategoryAndSummaryRequired,
}

impl From<ClosingNotesModeName> for ClosingNotesMode {
    fn from(m: ClosingNotesModeName) -> Self {
        match m {
            ClosingNotesModeName::Disabled => ClosingNotesMode::Disabled,
            ClosingNotesModeName::Optional => ClosingNotesMode::Optional,
            ClosingNotesModeName::CategoryRequired => ClosingNotesMode::CategoryRequired,
            ClosingNotesModeName::CategoryAndSummaryRequired => {
                ClosingNotesMode::CategoryAndSummaryRequired
            }
        }
    }
}

impl From<ClosingNotesMode> for ClosingNotesModeName {
    fn from(m: ClosingNotesMode) -> Self {
        match m {
            ClosingNotesMode::Disabled => ClosingNotesModeName::Disabled,
            ClosingNotesMode::Optional => ClosingNotesModeName::Optional,
            ClosingNotesMode::CategoryRequired => ClosingNotesModeName::CategoryRequired,
            ClosingNotesMode::CategoryAndSummaryRequired => {
                ClosingNotesModeName::CategoryAndSummaryRequired
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WeekdayName {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// Weekly opening hours in the workspace's time zone.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BusinessHoursView {
    pub enabled: bool,
    pub intervals: Vec<OpeningIntervalView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OpeningIntervalView {
    #[schema(inline)]
    pub day: WeekdayName,
    /// `HH:MM`
    #[schema(example = "09:00")]
    pub start: String,
    /// `HH:MM`, after `start`; `24:00` for midnight
    #[schema(example = "17:00")]
    pub end: String,
}

const DAYS: [(WeekdayName, Weekday); 7] = [
    (WeekdayName::Monday, Weekday::Monday),
    (WeekdayName::Tuesday, Weekday::Tuesday),
    (WeekdayName::Wednesday, Weekday::Wednesday),
    (WeekdayName::Thursday, Weekday::Thursday),
    (WeekdayName::Friday, Weekday::Friday),
    (WeekdayName::Saturday, Weekday::Saturday),
    (WeekdayName::Sunday, Weekday::Sunday),
];

impl From<BusinessHoursView> for BusinessHours {
    fn from(v: BusinessHoursView) -> Self {
        BusinessHours {
            enabled: v.enabled,
            intervals: v
                .intervals
                .into_iter()
                .map(|i| OpeningInterval {
                    day: DAYS
                        .iter()
                        .find(|(n, _)| *n == i.day)
                        .map(|(_, d)| *d)
                        .unwrap_or(Weekday::Monday),
                    start: i.start,
                    end: i.end,
                })
                .collect(),
        }
    }
}

impl From<BusinessHours> for BusinessHoursView {
    fn from(b: BusinessHours) -> Self {
        BusinessHoursView {
            enabled: b.enabled,
            intervals: b
                .intervals
                .into_iter()
                .map(|i| OpeningIntervalView {
                    day: DAYS
                        .iter()
                        .find(|(_, d)| *d == i.day)
                        .map(|(n, _)| *n)
                        .unwrap_or(WeekdayName::Monday),
                    start: i.start,
                    end: i.end,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            created_at: storage::utc(u.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceView {
    pub id: i64,
    pub name: String,
    /// IANA time zone used by reports, the dashboard and business hours.
    pub timezone: String,
    pub closing_notes_mode: ClosingNotesModeName,
    /// Legacy: unassign the contact when its conversation closes.
    pub unassign_on_close: bool,
    /// Close conversations idle this long; null for never.
    pub auto_close_after_minutes: Option<i64>,
    pub business_hours: BusinessHoursView,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Workspace> for WorkspaceView {
    fn from(w: &Workspace) -> Self {
        let s = w.settings();
        WorkspaceView {
            id: w.id,
            name: s.name,
            timezone: s.timezone,
            closing_notes_mode: s.closing_notes_mode.into(),
            unassign_on_close: s.unassign_on_close,
            auto_close_after_minutes: s.auto_close_after_minutes,
            business_hours: s.business_hours.into(),
            created_at: storage::utc(w.created_at),
            updated_at: storage::utc(w.updated_at),
        }
    }
}

/// A member of the workspace.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    /// The user id (also the `{id}` of `/users/{id}`).
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: RoleName,
    pub team_id: Option<i64>,
    pub status: StatusName,
    pub contact_visibility: ContactVisibility,
    pub joined_at: DateTime<Utc>,
}

impl From<&Member> for MemberView {
    fn from(m: &Member) -> Self {
        MemberView {
            id: m.membership.user_id,
            email: m.email.clone(),
            name: m.name.clone(),
            role: m.membership.role().into(),
            team_id: m.membership.team_id,
            status: status_name(&m.membership.status),
            contact_visibility: ContactVisibility::parse(&m.membership.contact_visibility),
            joined_at: storage::utc(m.membership.created_at),
        }
    }
}

/// What signup, login, invitation acceptance and workspace switching answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    /// JWT for `Authorization: Bearer`, valid 15 minutes.
    pub access_token: String,
    /// Exchange at `/auth/refresh` for a new pair; single use.
    pub refresh_token: String,
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub user: UserView,
    pub workspace: WorkspaceView,
    pub role: RoleName,
}

/// A new access/refresh pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: String,
    pub expires_in: i64,
}
