import GuanxiCore

/// The member on whose behalf the current task writes, and how they signed in. The gateway binds it
/// for the rest of an authenticated request; `Database.withTenant` passes it to PostgreSQL as
/// `app.user_id` and `app.credential`, where the audit log's triggers read it. Work that no member
/// started (background jobs, the command line) has none and is recorded as the system.
public struct ActingUser: Sendable, Equatable {
    /// How the member proved who they are.
    public enum Credential: String, Sendable {
        case apiKey = "api_key"
        case session
    }

    public var user: UserID
    public var credential: Credential

    public init(user: UserID, credential: Credential) {
        self.user = user
        self.credential = credential
    }

    /// The acting member of this task and the tasks it starts.
    @TaskLocal public static var current: ActingUser?
}
