//! Access levels (owner ⊃ manager ⊃ agent) and the one function that decides who may do what.

use serde::{Deserialize, Serialize};

/// A member's access level in one workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Agent,
    Manager,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Agent => "agent",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "manager" => Some(Role::Manager),
            "agent" => Some(Role::Agent),
            _ => None,
        }
    }
}

/// Who is acting: a signed-in member, or a workspace API token (manager rights, fenced).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Member(Role),
    ApiToken,
}

impl Actor {
    /// The access level the actor is treated as having.
    pub fn role(self) -> Role {
        match self {
            Actor::Member(role) => role,
            Actor::ApiToken => Role::Manager,
        }
    }
}

/// Everything that is not open to every member of a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Change workspace settings (name, time zone, closing notes, business hours).
    UpdateWorkspace,
    /// Invite someone with the given role.
    Invite(Role),
    /// Change a member's role from `from` to `to` (team moves pass `from == to`).
    ChangeMember {
        from: Role,
        to: Role,
    },
    /// Remove a member who has the given role.
    RemoveMember(Role),
    CreateTeam,
    UpdateTeam,
    DeleteTeam,
    ManageApiTokens,
    ListInvitations,
    /// Create and edit custom contact fields.
    ManageContactFields,
    /// Delete a custom contact field (and every value of it).
    DeleteContactField,
    DeleteContact,
    /// Delete a tag from the workspace (and from every contact).
    DeleteTag,
    /// Connect, change and remove channels.
    ManageChannels,
    /// Create, describe and delete the categories of closing notes.
    ManageClosingNoteCategories,
    /// Create, change and delete custom inboxes shared with the whole workspace (personal
    /// ones are their owner's business).
    ManageSharedCustomInboxes,
    /// Delete any file of the library; members may always delete the files they uploaded.
    DeleteAnyFile,
    /// Create, change and delete snippets; every member may list and use them.
    ManageSnippets,
}

/// The single access decision of the product. Owner ⊃ manager ⊃ agent; managers handle
/// agents only and cannot delete teams; API tokens act as managers but never mint tokens.
pub fn can(actor: Actor, action: Action) -> bool {
    let role = actor.role();
    match action {
        Action::UpdateWorkspace
        | Action::CreateTeam
        | Action::UpdateTeam
        | Action::ListInvitations => role >= Role::Manager,
        Action::DeleteTeam | Action::DeleteContactField => role == Role::Owner,
        Action::ManageContactFields
        | Action::DeleteContact
        | Action::DeleteTag
        | Action::ManageChannels
        | Action::ManageClosingNoteCategories
        | Action::ManageSharedCustomInboxes => role >= Role::Manager,
        Action::DeleteAnyFile | Action::ManageSnippets => role >= Role::Manager,
        Action::Invite(invitee) => match role {
            Role::Owner => true,
            Role::Manager => invitee == Role::Agent,
            Role::Agent => false,
        },
        Action::ChangeMember { from, to } => match role {
            Role::Owner => true,
            Role::Manager => from == Role::Agent && to == Role::Agent,
            Role::Agent => false,
        },
        Action::RemoveMember(target) => match role {
            Role::Owner => true,
            Role::Manager => target == Role::Agent,
            Role::Agent => false,
        },
        Action::ManageApiTokens => matches!(actor, Actor::Member(r) if r >= Role::Manager),
    }
}

/// Why a membership change would leave the workspace without an owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a workspace must keep at least one owner")]
pub struct LastOwner;

/// Refuses demoting or removing the only owner. `new_role` is `None` for a removal.
pub fn keeps_an_owner(
    owner_count: i64,
    current: Role,
    new_role: Option<Role>,
) -> Result<(), LastOwner> {
    let loses_owner = current == Role::Owner && new_role != Some(Role::Owner);
    if loses_owner && owner_count <= 1 {
        Err(LastOwner)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    const ROLES: [Role; 3] = [Owner, Manager, Agent];

    #[test]
    fn owners_can_do_everything() {
        for r in ROLES {
            assert!(can(Actor::Member(Owner), Action::Invite(r)));
            assert!(can(Actor::Member(Owner), Action::RemoveMember(r)));
            for t in ROLES {
                assert!(can(
                    Actor::Member(Owner),
                    Action::ChangeMember { from: r, to: t }
                ));
            }
        }
        assert!(can(Actor::Member(Owner), Action::DeleteTeam));
        assert!(can(Actor::Member(Owner), Action::ManageApiTokens));
        assert!(can(
            Actor::Member(Owner),
            Action::ManageClosingNoteCategories
        ));
        assert!(can(Actor::Member(Owner), Action::ManageSharedCustomInboxes));
        assert!(can(Actor::Member(Owner), Action::DeleteAnyFile));
        assert!(can(Actor::Member(Owner), Action::ManageSnippets));
    }

    #[test]
    fn managers_handle_agents_only() {
        let m = Actor::Member(Manager);
        assert!(can(m, Action::Invite(Agent)));
        assert!(!can(m, Action::Invite(Manager)));
        assert!(!can(m, Action::Invite(Owner)));
        assert!(can(
            m,
            Action::ChangeMember {
                from: Agent,
                to: Agent
            }
        ));
        assert!(!can(
            m,
            Action::ChangeMember {
                from: Agent,
                to: Manager
            }
        ));
        assert!(!can(
            m,
            Action::ChangeMember {
                from: Owner,
                to: Owner
            }
        ));
        assert!(can(m, Action::RemoveMember(Agent)));
        assert!(!can(m, Action::RemoveMember(Manager)));
        assert!(can(m, Action::UpdateWorkspace));
        assert!(can(m, Action::CreateTeam));
        assert!(!can(m, Action::DeleteTeam));
        assert!(can(m, Action::ManageApiTokens));
        assert!(can(m, Action::ManageContactFields));
        assert!(!can(m, Action::DeleteContactField));
        assert!(can(m, Action::DeleteContact));
        assert!(can(m, Action::ManageClosingNoteCategories));
        assert!(can(m, Action::ManageSharedCustomInboxes));
        assert!(can(m, Action::DeleteAnyFile));
        assert!(can(m, Action::ManageSnippets));
    }

    #[test]
    fn agents_change_nothing_shared() {
        let a = Actor::Member(Agent);
        for r in ROLES {
            assert!(!can(a, Action::Invite(r)));
            assert!(!can(a, Action::RemoveMember(r)));
        }
        assert!(!can(a, Action::UpdateWorkspace));
        assert!(!can(a, Action::CreateTeam));
        assert!(!can(a, Action::ManageApiTokens));
        assert!(!can(a, Action::ManageContactFields));
        assert!(!can(a, Action::DeleteContact));
        assert!(!can(a, Action::DeleteTag));
        assert!(!can(a, Action::ManageChannels));
        assert!(can(Actor::Member(Manager), Action::ManageChannels));
        assert!(can(Actor::ApiToken, Action::ManageChannels));
        assert!(!can(a, Action::ManageClosingNoteCategories));
        assert!(!can(a, Action::ManageSharedCustomInboxes));
        assert!(!can(a, Action::DeleteAnyFile));
        assert!(!can(a, Action::ManageSnippets));
    }

    #[test]
    fn api_tokens_are_managers_that_cannot_mint_tokens_or_touch_owners() {
        let t = Actor::ApiToken;
        assert!(can(t, Action::UpdateWorkspace));
        assert!(can(t, Action::Invite(Agent)));
        assert!(!can(t, Action::Invite(Owner)));
        assert!(!can(
            t,
            Action::ChangeMember {
                from: Owner,
                to: Owner
            }
        ));
        assert!(!can(t, Action::RemoveMember(Owner)));
        assert!(!can(t, Action::ManageApiTokens));
        assert!(can(t, Action::ManageClosingNoteCategories));
        assert!(can(t, Action::ManageSharedCustomInboxes));
        assert!(can(t, Action::DeleteAnyFile));
        assert!(can(t, Action::ManageSnippets));
    }

    #[test]
    fn the_last_owner_stays() {
        assert_eq!(keeps_an_owner(1, Owner, Some(Manager)), Err(LastOwner));
        assert_eq!(keeps_an_owner(1, Owner, None), Err(LastOwner));
        assert_eq!(keeps_an_owner(1, Owner, Some(Owner)), Ok(()));
        assert_eq!(keeps_an_owner(2, Owner, None), Ok(()));
        assert_eq!(keeps_an_owner(1, Manager, None), Ok(()));
    }

    #[test]
    fn roles_round_trip() {
        for r in ROLES {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
