import GuanxiCore
import HTTPTypes

// `/api/v1/members` and `/api/v1/teams`: MembersController.

extension OpenAPI.ErrorCode {
    static let ownerRequired = Self(403, "owner_required", "Only an owner may make, change or remove an owner.")
    static let memberExists = Self(409, "member_exists", "That email is already a member of this workspace; `details.field` is `email`.")
    static let lastOwner = Self(409, "last_owner", "The change would leave the workspace without an owner.")
    static let teamExists = Self(409, "team_exists", "A team with that name, ignoring case, already exists here; `details.field` is `name`.")
}

extension OpenAPI.Area {
    static let members = OpenAPI.Area(
        tag: "Members and teams",
        description: "Who works in the workspace, in which role and team. Every member may read them; only owners and admins "
            + "change them, and only an owner makes, changes or removes an owner.",
        access: .workspace,
        schemas: [
            "Member": .record([
                "user_id": .id,
                "email": .string(),
                "name": OpenAPI.Schema.string().described("Empty when the member has no name."),
                "role": .role,
                "team_id": OpenAPI.Schema.id.orNull.described("`null` for a member of no team."),
                "created_at": .time,
            ]),
            "Team": .record([
                "id": .id,
                "name": .string(),
                "manager_id": OpenAPI.Schema.id.orNull.described("The member who leads the team and sees what its members own."),
                "created_at": .time,
            ]),
        ],
        operations: [
            OpenAPI.Operation(
                method: .get, path: "/api/v1/members", id: "listMembers", summary: "List the members",
                parameters: [.query("team_id", .id, "Only the members of this team.")],
                success: .page(of: "Member", "A page of members, in the order they were made."),
                errors: [.invalidFilter("`team_id` is not a UUID.")]),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/members", id: "addMember", summary: "Add a member",
                description: "The new member signs in with this email and password. Owners and admins only.",
                body: .body([
                    "email": .string(length: ...254, format: "email"),
                    "password": .string(length: 10...),
                    "role": .role,
                    "name": OpenAPI.Schema.string(length: ...200).orNull.described("Empty when left out."),
                    "team_id": OpenAPI.Schema.id.orNull.described("A team of this workspace."),
                ], required: ["email", "password", "role"]),
                success: .created(.ref("Member"), "The member."),
                errors: [.forbiddenRole, .ownerRequired, .quotaExceeded("seats"), .memberExists,
                         OpenAPI.ErrorCode(422, "invalid_field", "A bad `email`, a `name` over 200 characters, a `password` under 10, "
                             + "a `team_id` of no team here, or a field of the wrong type; `details.field` names it.")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/members/{id}", id: "getMember", summary: "Read a member",
                parameters: [.id("id", "The member's user id.")],
                success: .ok(.ref("Member"), "The member."),
                errors: [.notFound("member")]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/members/{id}", id: "updateMember", summary: "Change a member's name, role or team",
                description: "The change holds at once for the member's API keys and sessions. Owners and admins only.",
                parameters: [.id("id", "The member's user id.")],
                body: .body([
                    "name": OpenAPI.Schema.string(length: ...200).orNull.described("`null` leaves the member without a name."),
                    "role": .role,
                    "team_id": OpenAPI.Schema.id.orNull.described("A team of this workspace; `null` for none."),
                ]),
                success: .ok(.ref("Member"), "The member."),
                errors: [.forbiddenRole, .ownerRequired, .notFound("member"), .lastOwner,
                         OpenAPI.ErrorCode(422, "invalid_field", "A `name` over 200 characters, a `null` `role`, a `team_id` of no team "
                             + "here, or a field of the wrong type; `details.field` names it.")]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/members/{id}", id: "removeMember", summary: "Remove a member",
                description: "The membership ends and the member's API keys and sessions stop working; the user stays as the owner "
                    + "of their records until `POST /api/v1/members/{id}/reassign` moves them. Owners and admins only.",
                parameters: [.id("id", "The member's user id.")],
                success: .noContent("Removed."),
                errors: [.forbiddenRole, .ownerRequired, .notFound("member"), .lastOwner]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/teams", id: "listTeams", summary: "List the teams",
                success: .page(of: "Team", "A page of teams, in creation order.")),
            OpenAPI.Operation(
                method: .post, path: "/api/v1/teams", id: "createTeam", summary: "Make a team",
                description: "Owners and admins only.",
                body: .body([
                    "name": OpenAPI.Schema.string(length: 1...100).described("Unique here, ignoring case."),
                    "manager_id": OpenAPI.Schema.id.orNull.described("A member of this workspace."),
                ], required: ["name"]),
                success: .created(.ref("Team"), "The team."),
                errors: [.forbiddenRole, .teamExists,
                         OpenAPI.ErrorCode(422, "invalid_field", "A `name` not of 1–100 characters, a `manager_id` that is not a member, "
                             + "or a field of the wrong type; `details.field` names it.")]),
            OpenAPI.Operation(
                method: .get, path: "/api/v1/teams/{id}", id: "getTeam", summary: "Read a team",
                parameters: [.id("id", "The team's id.")],
                success: .ok(.ref("Team"), "The team."),
                errors: [.notFound("team")]),
            OpenAPI.Operation(
                method: .patch, path: "/api/v1/teams/{id}", id: "updateTeam", summary: "Rename a team or change its manager",
                description: "Owners and admins only.",
                parameters: [.id("id", "The team's id.")],
                body: .body([
                    "name": OpenAPI.Schema.string(length: 1...100).described("Unique here, ignoring case; cannot be cleared."),
                    "manager_id": OpenAPI.Schema.id.orNull.described("A member of this workspace; `null` for none."),
                ]),
                success: .ok(.ref("Team"), "The team."),
                errors: [.forbiddenRole, .notFound("team"), .teamExists,
                         OpenAPI.ErrorCode(422, "invalid_field", "A `name` not of 1–100 characters or `null`, a `manager_id` that is not "
                             + "a member, or a field of the wrong type; `details.field` names it.")]),
            OpenAPI.Operation(
                method: .delete, path: "/api/v1/teams/{id}", id: "deleteTeam", summary: "Delete a team",
                description: "Its members stay, in no team. Owners and admins only.",
                parameters: [.id("id", "The team's id.")],
                success: .noContent("Deleted."),
                errors: [.forbiddenRole, .notFound("team")]),
        ])
}
