import GuanxiCore

/// The member on whose behalf the current task reads and writes, how they signed in, and their role.
/// The gateway binds it for the rest of an authenticated request; `Database.withTenant` passes it to
/// PostgreSQL as `app.user_id`, `app.credential` and `app.role`, where the audit log's triggers and the
/// record-access policies read it (Docs/Access.md). Work that no member started (background jobs, the
/// command line) has none: it is recorded as the system and sees every record of its tenant.
public struct ActingUser: Sendable, Equatable {
    /// How the member proved who they are.
    public enum Credential: String, Sendable {
        case apiKey = "api_key"
        case session
    }

    public var user: UserID
    public var credential: Credential
    /// The member's role in the workspace (`owner`, `manager`, …). Text, because roles belong to
    /// Tenancy, which this target does not import.
    public var role: String

    public init(user: UserID, credential: Credential, role: String) {
        self.user = user
        self.credential = credential
        self.role = role
    }

    /// The acting member of this task and the tasks it starts.
    @TaskLocal public static var current: ActingUser?

    /// The values of `app.user_id` and `app.role` for the current task: empty when no member acts.
    public static var settings: (user: String, role: String) {
        (current?.user.description ?? "", current?.role ?? "")
    }
}
